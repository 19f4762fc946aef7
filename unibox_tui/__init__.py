"""unibox-tui: triage cold-email replies from Reachkit's Unibox in the terminal."""

__version__ = "0.1.0"
APP_NAME = "unibox-tui"
