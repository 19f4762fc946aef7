"""The waiting queue: replies nobody has answered yet, the longest-waiting first.

A conversation waits when its newest message is incoming; it has waited since the first of the
incoming messages after our last outgoing one (two nudges from the lead do not reset the clock).
Hot labels are the ones a rep answers first: interested, meeting requested, question and
needs more info (a pricing or "how does it work" question is a buying signal too); a hot reply
that has waited longer than ``reply_within`` is *urgent*, and is what the UI highlights.

Some last words from the other side need no answer: an unsubscribe or a "not interested", an
automatic reply (out of office, "no longer with the company"), a bounce from a mailer daemon, a
conversation closed. Those are still ``Waiting`` entries, with ``apart`` saying why, so the queue
can keep them out of the list an SDR works through and still say how many it set aside. A hot
label always needs an answer, whatever the message looks like.

The API has no "unanswered" filter, so the queue is built from the pages the app holds plus a
bounded background scan of the folder's first pages: ``plan_scan`` says which pages to ask for
(at most ``SCAN_PAGES`` requests of ``SCAN_PAGE_SIZE``, i.e. the 300 most recently active
conversations), ``merge_pages`` joins them with what is loaded, and ``scan_due`` keeps it to
one scan per ``SCAN_INTERVAL``: at most 36 requests an hour while the queue is in use. Older
unanswered replies are out of its reach, and the queue says how far it looked.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from ..api.models import Conversation
from ..render.formatting import compact_wait

__all__ = [
    "HOT_LABELS",
    "SCAN_INTERVAL",
    "SCAN_PAGES",
    "SCAN_PAGE_SIZE",
    "APART_REASONS",
    "QueueSummary",
    "ScanPlan",
    "Waiting",
    "merge_pages",
    "no_answer_reason",
    "plan_scan",
    "scan_due",
    "summarise",
    "waiting_queue",
]

HOT_LABELS: Final = frozenset({"interested", "meeting_requested", "question", "needs_more_info"})
SCAN_PAGES: Final = 3
SCAN_PAGE_SIZE: Final = 100  # the API's maximum: the fewest requests for the most conversations
SCAN_INTERVAL: Final = timedelta(minutes=5)

#: Why a reply needs no answer, in the order the queue lists the counts.
APART_REASONS: Final = ("said no", "auto-replies", "bounces", "closed")
_SAID_NO: Final = frozenset({"unsubscribe", "not_interested"})
_AUTOMATIC: Final = frozenset({"out_of_office", "left_company", "auto_reply", "autoreply", "automatic_reply"})
_DAEMON: Final = re.compile(r"^(?:mailer-daemon|postmaster|mail-daemon|mailerdaemon)@", re.IGNORECASE)
_BOUNCE_SUBJECT: Final = re.compile(
    r"^\s*(?:undeliverable|undelivered mail|delivery status notification|mail delivery (?:failed|subsystem)|"
    r"returned mail|delivery failure|failure notice)",
    re.IGNORECASE,
)
#: How much of the newest message the auto-reply detector reads (the queue reads hundreds).
_DETECTOR_CHARS: Final = 1500


@dataclass(frozen=True, slots=True)
class Waiting:
    """One unanswered reply: since when, for how long, its label, and how hot it is."""

    conversation: Conversation
    since: datetime | None
    waited: timedelta | None
    label: str | None
    hot: bool
    #: Waited longer than ``reply_within``.
    overdue: bool
    #: Why no answer is needed (one of ``APART_REASONS``), or "" when the lead waits for one.
    apart: str = ""

    @property
    def urgent(self) -> bool:
        """Hot and overdue: highlighted in the queue, counted in the status line."""
        return self.hot and self.overdue and not self.apart

    @property
    def wait_text(self) -> str:
        """``3h 12m``; ``?`` when the server sent no usable date."""
        return compact_wait(self.waited.total_seconds() if self.waited is not None else None)


@dataclass(frozen=True, slots=True)
class QueueSummary:
    """``waiting`` counts the replies that need an answer; ``apart`` the others, by reason."""

    waiting: int
    hot: int
    urgent: int
    apart: tuple[tuple[str, int], ...] = ()

    @property
    def apart_count(self) -> int:
        return sum(count for _, count in self.apart)

    @property
    def apart_text(self) -> str:
        """``132 need no answer: 70 said no, 40 auto-replies, 22 bounces``; "" when none."""
        if not self.apart:
            return ""
        parts = ", ".join(f"{count} {reason}" for reason, count in self.apart)
        verb = "needs" if self.apart_count == 1 else "need"
        return f"{self.apart_count} {verb} no answer: {parts}"


def waiting_queue(
    conversations: Iterable[Conversation],
    now: datetime,
    *,
    reply_within: timedelta = timedelta(hours=1),
    label_of: Callable[[Conversation], str | None] | None = None,
    skip: Collection[str] = (),
) -> list[Waiting]:
    """Every conversation waiting for our answer, oldest wait first (undated ones last).

    ``label_of`` gives a label kept on this machine (it wins over the server's manual label,
    which wins over the AI's); ``skip`` holds ids left out (snoozed conversations).
    """
    seen: set[str] = set()
    queue = []
    for conversation in conversations:
        if conversation.id in seen or conversation.id in skip:
            continue
        seen.add(conversation.id)
        entry = _waiting(conversation, now, reply_within, label_of)
        if entry is not None:
            queue.append(entry)
    queue.sort(key=lambda w: (w.since is None, w.since or now, w.conversation.id))
    return queue


def _waiting(
    conversation: Conversation, now: datetime, reply_within: timedelta, label_of: Callable[[Conversation], str | None] | None
) -> Waiting | None:
    latest = conversation.latest
    if latest is None or not latest.incoming:
        return None
    since = first_unanswered(conversation)
    waited = max(timedelta(0), now - since) if since is not None else None
    label = (label_of(conversation) if label_of is not None else None) or conversation.effective_label
    overdue = waited is not None and waited > reply_within
    apart = no_answer_reason(conversation, label)
    return Waiting(conversation, since, waited, label, label in HOT_LABELS and not apart, overdue, apart)


def no_answer_reason(conversation: Conversation, label: str | None) -> str:
    """Why the newest reply needs no answer (``APART_REASONS``), or "" when it needs one.

    A bounce and a conversation someone closed are set apart whatever the AI's label says; a hot
    label otherwise always needs an answer, even in a message that reads like an auto-reply.
    """
    latest = conversation.latest
    if latest is None:
        return ""
    if _DAEMON.match(latest.from_email or conversation.lead_email) or _BOUNCE_SUBJECT.match(latest.subject):
        return "bounces"
    if conversation.status.strip().lower() == "closed":
        return "closed"
    if label in HOT_LABELS:
        return ""
    if label in _SAID_NO:
        return "said no"
    if label in _AUTOMATIC or _looks_automatic(latest.subject or conversation.subject, latest.text_body):
        return "auto-replies"
    return ""


def _looks_automatic(subject: str, text: str) -> bool:
    from .ooo import looks_like_auto_reply

    return looks_like_auto_reply(subject, text[:_DETECTOR_CHARS])


def first_unanswered(conversation: Conversation) -> datetime | None:
    """The date of the first incoming message after our last outgoing one (a lead who wrote twice
    has waited since the first)."""
    since = None
    for message in reversed(conversation.messages):
        if not message.incoming:
            break
        since = message.email_date or since
    return since


def summarise(queue: Iterable[Waiting]) -> QueueSummary:
    """The status line's numbers: waiting for an answer, hot among them, hot past
    ``reply_within``; and the replies set apart, counted by reason."""
    entries = list(queue)
    answer = [w for w in entries if not w.apart]
    counts = {reason: sum(1 for w in entries if w.apart == reason) for reason in APART_REASONS}
    apart = tuple((reason, count) for reason, count in counts.items() if count)
    return QueueSummary(len(answer), sum(w.hot for w in answer), sum(w.urgent for w in answer), apart)


# --- the bounded background scan --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ScanPlan:
    """The pages of ``folder`` to ask for, at ``page_size``: one GET each."""

    folder: str
    page_size: int
    pages: tuple[int, ...]

    @property
    def requests(self) -> int:
        return len(self.pages)

    @property
    def reach(self) -> int:
        """How many of the most recently active conversations the scan covers."""
        return (max(self.pages, default=0)) * self.page_size


def plan_scan(
    folder: str,
    *,
    total_pages: int | None = None,
    loaded: Collection[int] = (),
    page_size: int = SCAN_PAGE_SIZE,
    max_pages: int = SCAN_PAGES,
) -> ScanPlan:
    """Pages 1..``max_pages`` of ``folder``, less those past its end and those ``loaded`` fresh
    at the same ``page_size`` (the list's own pages, when the user reads 100 at a time)."""
    last = max_pages if total_pages is None else min(max_pages, max(0, total_pages))
    pages = tuple(page for page in range(1, last + 1) if page not in loaded)
    return ScanPlan(folder, page_size, pages)


def merge_pages(*sources: Iterable[Conversation]) -> list[Conversation]:
    """Conversations from loaded pages and scanned ones, each once, the freshest copy kept.

    A conversation seen twice (it moved between pages while we read them) keeps the copy with
    more messages, or the later activity; the order is that of first appearance.
    """
    merged: dict[str, Conversation] = {}
    for source in sources:
        for conversation in source:
            known = merged.get(conversation.id)
            if known is None or _fresher(conversation, known):
                merged[conversation.id] = conversation
    return list(merged.values())


def _fresher(candidate: Conversation, known: Conversation) -> bool:
    if len(candidate.messages) != len(known.messages):
        return len(candidate.messages) > len(known.messages)
    a, b = candidate.activity_at, known.activity_at
    return a is not None and (b is None or a > b)


def scan_due(last_scan: datetime | None, now: datetime, interval: timedelta = SCAN_INTERVAL) -> bool:
    """Whether a new background scan may start (never more than one per ``interval``)."""
    return last_scan is None or now - last_scan >= interval or now < last_scan
