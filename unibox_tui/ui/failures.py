"""Failures in words, for the places that show them in a widget rather than a notification."""

from __future__ import annotations

from ..api.errors import ReachkitError

__all__ = ["describe"]


def describe(error: BaseException) -> str:
    """The client's own sentence for its errors; for anything else, what kind of surprise it was."""
    if isinstance(error, ReachkitError):
        return str(error)
    return f"Unexpected {type(error).__name__}."
