"""Messages that cross screens: posted by the app (or a widget) and handled by whoever shows the data."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from ..api.models import Conversation
from ..api.models import Message as ApiMessage

__all__ = ["DraftsChanged", "OpenRoom", "ReplySent", "ShowError"]


@dataclass
class ReplySent(Message):
    """A reply reached the server (``message`` as it answered, or ``conversation`` as re-read)."""

    conversation_id: str
    message: ApiMessage | None
    conversation: Conversation | None


@dataclass
class DraftsChanged(Message):
    """A draft was created, sent or removed: counts elsewhere may change."""


@dataclass
class OpenRoom(Message):
    """Show a room (``campaigns``, ``inboxes``, ``blocklist``, ``drafts``), on ``select`` if given; the app does it."""

    room: str
    select: str | None = None


@dataclass
class ShowError(Message):
    """Something failed that the user must hear about: the app puts it into words (``UniboxApp.show_error``)."""

    error: BaseException | None
    context: str = ""
