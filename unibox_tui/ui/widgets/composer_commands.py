"""The command palette's entries for the reply composer, while it is open."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from .composer import Composer

if TYPE_CHECKING:
    from textual.app import SystemCommand
    from textual.screen import Screen

__all__ = ["composer_commands"]


def composer_commands(screen: Screen[Any]) -> Iterable[SystemCommand]:
    """Palette entries for the open composer (none when it is closed)."""
    from textual.app import SystemCommand

    try:
        composer = screen.query_one(Composer)
    except Exception:  # noqa: BLE001 - screens without a composer
        return
    if not composer.is_open:
        return
    yield SystemCommand("Reply: send", "Send the reply (ctrl+s)", composer.action_send)
    yield SystemCommand("Reply: insert a snippet", "Pick a canned reply, filled in for this lead (ctrl+n)", composer.action_snippets)
    yield SystemCommand("Reply: preview", "Show what the lead will read (ctrl+o)", composer.action_toggle_preview)
    yield SystemCommand("Reply: quote last message", "Quote the latest message under the reply (ctrl+t)", composer.action_quote)
    yield SystemCommand("Reply: signature on/off", "Remove or restore the inbox signature (ctrl+g)", composer.action_toggle_signature)
    yield SystemCommand("Reply: maximise", "Give the composer the whole screen (ctrl+f)", composer.action_toggle_maximize)
    yield SystemCommand("Reply: open in $EDITOR", "Write in your own editor (ctrl+e)", composer.action_external_editor)
    yield SystemCommand("Reply: remind if no reply", "Off, 2 days, 4 days, 1 week (ctrl+w)", composer.action_cycle_reminder)
    yield SystemCommand("Reply: close", "Close the composer, keeping the draft (esc)", composer.action_close)
