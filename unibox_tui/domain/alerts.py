"""New-reply alerts: which conversations a poll found a new incoming message in, and one notice.

``alerts = "human"`` (the default) leaves out what no person wrote: the Others folder,
out-of-office and auto-reply labels, and messages our own detector (``domain/ooo.py``) takes for
an automatic answer, as Reachkit's own "human replies" alert level does. ``"all"`` alerts on
everything, ``"off"`` on nothing. A poll gives at most one notice, a summary when several
replies arrived, so a burst of mail never becomes a burst of pop-ups.

Every string in a notice is a stranger's (lead names, subjects): it is sanitised and cut to a
bounded length here, before it reaches a desktop notification or the screen.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Final, Literal

from ..api.models import Conversation, Message
from ..render.sanitize import clean_line
from .wakeup import incoming_count

__all__ = ["ALERT_MODES", "AUTO_REPLY_LABELS", "Alert", "AlertMode", "NewReply", "alert_for", "new_replies"]

AlertMode = Literal["human", "all", "off"]
ALERT_MODES: Final = ("human", "all", "off")
#: Labels of replies no person wrote (the AI's names for them, and ours).
AUTO_REPLY_LABELS: Final = frozenset({"out_of_office", "auto_reply", "autoreply", "automatic_reply"})
MAX_LEAD: Final = 60
MAX_SUBJECT: Final = 120
MAX_TITLE: Final = 100
MAX_BODY: Final = 200
#: How much of a message the auto-reply detector reads.
_DETECTOR_CHARS: Final = 2000


@dataclass(frozen=True, slots=True)
class NewReply:
    """A conversation with a new incoming message; ``lead`` and ``subject`` are already safe."""

    conversation_id: str
    folder: str
    lead: str
    subject: str


@dataclass(frozen=True, slots=True)
class Alert:
    """The one notice of a poll: ``title`` and ``body`` safe and bounded, ``text`` in one line."""

    title: str
    body: str
    replies: tuple[NewReply, ...]

    @property
    def text(self) -> str:
        return f"{self.title}: {self.body}"


def new_replies(
    before: Iterable[Conversation] | None,
    after: Iterable[Conversation],
    *,
    folder: str,
    mode: AlertMode = "human",
    label_of: Callable[[Conversation], str | None] | None = None,
) -> list[NewReply]:
    """The conversations of ``after`` (a poll's first page of ``folder``) with a new incoming
    message since ``before`` (the same page earlier), filtered by ``mode``.

    ``before=None`` means nothing is known yet (the first load): nothing counts as new. A
    conversation not on the earlier page is new when its latest incoming message is newer than
    any seen there (it moved up because a reply arrived).
    """
    if mode == "off" or before is None or (mode == "human" and folder.lower() == "others"):
        return []
    earlier = {c.id: incoming_count(c) for c in before}
    cutoff = _newest_incoming(before)
    found = []
    for conversation in after:
        if not _has_new_incoming(conversation, earlier, cutoff):
            continue
        if mode == "human" and _automatic(conversation, label_of):
            continue
        found.append(_new_reply(conversation, folder))
    return found


def _has_new_incoming(conversation: Conversation, earlier: dict[str, int], cutoff: datetime | None) -> bool:
    count = incoming_count(conversation)
    if conversation.id in earlier:
        return count > earlier[conversation.id]
    if count == 0:
        return False
    latest = conversation.latest_incoming
    if cutoff is None:
        return not earlier  # the folder was empty before: anything incoming is new
    return latest is not None and latest.email_date is not None and latest.email_date > cutoff


def _newest_incoming(conversations: Iterable[Conversation]) -> datetime | None:
    dates = [m.email_date for c in conversations for m in c.messages if m.incoming and m.email_date is not None]
    return max(dates) if dates else None


def _automatic(conversation: Conversation, label_of: Callable[[Conversation], str | None] | None) -> bool:
    label = (label_of(conversation) if label_of is not None else None) or conversation.effective_label
    if label in AUTO_REPLY_LABELS:
        return True
    message = conversation.latest_incoming
    if message is None:
        return False
    from .ooo import looks_like_auto_reply

    return looks_like_auto_reply(message.subject or conversation.subject, _text_of(message))


def _text_of(message: Message) -> str:
    """Enough of the message for the detector: the plain body, else the HTML's text, cheaply."""
    if message.text_body.strip():
        return message.text_body[:_DETECTOR_CHARS]
    from ..render.html import html_to_plain

    return html_to_plain(message.html_body, max_chars=_DETECTOR_CHARS)


def _new_reply(conversation: Conversation, folder: str) -> NewReply:
    message = conversation.latest_incoming
    lead = clean_line(conversation.lead_name or conversation.lead_email, max_chars=MAX_LEAD) or "someone"
    subject = clean_line((message.subject if message else "") or conversation.subject, max_chars=MAX_SUBJECT)
    return NewReply(conversation.id, folder, lead, subject or "(no subject)")


def alert_for(replies: Iterable[NewReply]) -> Alert | None:
    """One notice for a poll's new replies: the lead and subject for one, a summary for several."""
    found = tuple(replies)
    if not found:
        return None
    if len(found) == 1:
        reply = found[0]
        return Alert(clean_line(f"New reply from {reply.lead}", max_chars=MAX_TITLE), reply.subject, found)
    names = list(dict.fromkeys(reply.lead for reply in found))
    if len(names) <= 2:
        who = " and ".join(names)
    else:
        who = f"{names[0]}, {names[1]} and {len(names) - 2} more"
    return Alert(f"{len(found)} new replies", clean_line(who, max_chars=MAX_BODY), found)
