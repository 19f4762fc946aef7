"""UI-free state and rules: what the app decides, apart from how it is drawn (no Textual here)."""
