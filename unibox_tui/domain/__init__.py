"""UI-free state and rules of the app: a workspace's bundle, reply sessions (no Textual, no Rich)."""
