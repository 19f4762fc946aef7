"""Messages that cross screens: posted by the app (or a widget) and handled by whoever shows the data."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from ..api.models import Conversation
from ..api.models import Message as ApiMessage

__all__ = ["DraftsChanged", "ReplySent"]


@dataclass
class ReplySent(Message):
    """A reply reached the server (``message`` as it answered, or ``conversation`` as re-read)."""

    conversation_id: str
    message: ApiMessage | None
    conversation: Conversation | None


@dataclass
class DraftsChanged(Message):
    """A draft was created, sent or removed: counts elsewhere may change."""
