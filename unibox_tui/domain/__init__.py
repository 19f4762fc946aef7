"""UI-free state and rules the screens use: what the app decides, apart from how it is drawn."""
