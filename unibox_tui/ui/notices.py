"""Notifications whose text is always shown literally: one helper for the app and its widgets."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..redact import scrub
from ..render.sanitize import clean_line

if TYPE_CHECKING:
    from textual.app import App
    from textual.widget import Widget

__all__ = ["say"]


def say(node: App[Any] | Widget, text: str, *, title: str = "", severity: str = "information", timeout: float | None = None) -> None:
    """A toast from ``node`` (Textual's own ``notify``): cleaned, key-free, never parsed as markup."""
    node.notify(
        clean_line(scrub(text), max_chars=400),
        title=clean_line(title, max_chars=60),
        severity=severity,  # type: ignore[arg-type]
        timeout=timeout,
        markup=False,
    )
