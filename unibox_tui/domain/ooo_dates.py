"""Out-of-office return dates of the conversations on screen, each message read once.

Which conversations: those labelled out of office (the AI's label, the user's, or one kept on
this machine) in any folder, and in Others those whose latest incoming message reads like an
automatic answer (``ooo.looks_like_auto_reply``). Reading a reply means cutting its quoted
history and running the parser's patterns, so it happens in a thread (``read_return_date``),
and the answer is kept per conversation and message: scrolling, repaints and polls never read
the same message twice. A new incoming message is a new key, and is read again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, tzinfo
from typing import Final

from ..api.models import Conversation

__all__ = ["OOO_LABEL", "Candidate", "ReturnDates", "read_return_date"]

OOO_LABEL: Final = "out_of_office"
#: Conversations remembered (the oldest answers go first past this).
LIMIT: Final = 5000
#: How much of a message the parser is given (it reads the first 4,000 characters itself).
_TEXT_CHARS: Final = 8000

MessageKey = tuple[str, int, str]


@dataclass(frozen=True, slots=True)
class Candidate:
    """A conversation whose latest incoming message may name a return date."""

    key: MessageKey
    conversation: Conversation
    #: In Others without the label: only an automatic answer counts.
    must_look_automatic: bool


def _key(conversation: Conversation) -> MessageKey | None:
    message = conversation.latest_incoming
    if message is None or not conversation.id:
        return None
    return (conversation.id, len(conversation.messages), message.email_date_raw)


class ReturnDates:
    """What each conversation's latest auto-reply says about the lead's return (``None``: nothing)."""

    def __init__(self, limit: int = LIMIT) -> None:
        self.limit = limit
        self._dates: dict[MessageKey, date | None] = {}

    def candidate(self, conversation: Conversation, *, folder: str, label: str | None) -> Candidate | None:
        """``conversation`` if it qualifies (see the module docstring), else ``None``."""
        key = _key(conversation)
        if key is None:
            return None
        if label == OOO_LABEL:
            return Candidate(key, conversation, False)
        if folder == "others":
            return Candidate(key, conversation, True)
        return None

    def wanted(
        self, conversations: Iterable[Conversation], *, folder: str, label_of: Callable[[Conversation], str | None]
    ) -> list[Candidate]:
        """The qualifying conversations whose latest message has not been read yet."""
        found = []
        for conversation in conversations:
            candidate = self.candidate(conversation, folder=folder, label=label_of(conversation))
            if candidate is not None and candidate.key not in self._dates:
                found.append(candidate)
        return found

    def known(self, key: MessageKey) -> bool:
        return key in self._dates

    def get(self, key: MessageKey) -> date | None:
        return self._dates.get(key)

    def learn(self, key: MessageKey, day: date | None) -> None:
        self._dates[key] = day
        while len(self._dates) > self.limit:
            self._dates.pop(next(iter(self._dates)))

    def back_on(self, conversation: Conversation, today: date) -> date | None:
        """The return date read from ``conversation``'s latest message, if still ahead (or today)."""
        key = _key(conversation)
        day = self._dates.get(key) if key is not None else None
        return day if day is not None and day >= today else None


def read_return_date(candidate: Candidate, tz: tzinfo) -> date | None:
    """The return date in the candidate's latest incoming message. Slow-ish: call it in a thread."""
    from .ooo import looks_like_auto_reply, return_date

    message = candidate.conversation.latest_incoming
    if message is None or message.email_date is None:
        return None
    text = message.text_body
    if not text.strip() and message.html_body:
        from ..render.html import best_body

        text = best_body(message.html_body[: _TEXT_CHARS * 8], None).text  # lines kept: quotes are cut by line
    subject = message.subject or candidate.conversation.subject
    if candidate.must_look_automatic and not looks_like_auto_reply(subject, text):
        return None
    return return_date(text[:_TEXT_CHARS], message.email_date, tz, subject=subject)
