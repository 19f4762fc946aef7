"""Triage rules: which key sets which label, what still needs triage, how an unsaved change shows.

Pure and Textual-free so the rules are tested without a terminal and documented in one place.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace

from ..api.models import Conversation
from ..render.sanitize import clean_line
from ..render.thread import ConversationRow

__all__ = [
    "DIRECT_LABELS",
    "GRACE_SECONDS",
    "PICKER_LABELS",
    "SHARED_DOMAINS",
    "TRIAGE_RULE",
    "BlockTargets",
    "Change",
    "Pending",
    "actionable",
    "apply_change",
    "block_targets",
    "conversation_needs_triage",
    "first_needing_triage",
    "needs_triage",
    "next_needing_triage",
]

#: One key each, in the list and the thread, ordered from "reply now" to "never again" so the
#: hand learns a direction: the nine labels SDRs set most often (Reachkit's reply mix: interested,
#: out of office, not now and not interested lead; pricing questions come back as "more info").
DIRECT_LABELS: tuple[tuple[str, str], ...] = (
    ("1", "interested"),
    ("2", "meeting_requested"),
    ("3", "needs_more_info"),
    ("4", "referral"),
    ("5", "not_now"),
    ("6", "out_of_office"),
    ("7", "not_interested"),
    ("8", "wrong_person"),
    ("9", "unsubscribe"),
)

#: The rarer labels: a letter inside the label picker (``l`` then the letter).
PICKER_LABELS: tuple[tuple[str, str], ...] = (
    ("q", "question"),
    ("c", "left_company"),
    ("n", "neutral"),
)

TRIAGE_RULE = (
    "A conversation needs triage while it is unread or has no label of your own (the AI's guess "
    "does not count); blocking its sender in this session also counts as done."
)

#: How long a saved change keeps winning over server copies that may have been fetched before it.
GRACE_SECONDS = 30.0


def actionable(conversation_id: str) -> bool:
    """Whether the server gave this conversation a real id (``#page-index`` ids are our stand-ins)."""
    return bool(conversation_id) and not conversation_id.startswith("#")


def needs_triage(row: ConversationRow, done: Collection[str] = ()) -> bool:
    """:data:`TRIAGE_RULE` for one list row."""
    if not actionable(row.id) or row.id in done:
        return False
    return row.unread or not row.label_manual


def next_needing_triage(rows: Sequence[ConversationRow], start: int, done: Collection[str] = ()) -> int | None:
    """The first row after ``start`` that needs triage, else the first before it; ``None`` if none.

    ``start`` itself is never the answer: the action just taken on it is what moves on.
    """
    after = range(start + 1, len(rows))
    before = range(0, min(start, len(rows)))
    return next((i for i in (*after, *before) if needs_triage(rows[i], done)), None)


def first_needing_triage(rows: Sequence[ConversationRow], done: Collection[str] = ()) -> int | None:
    return next((i for i, row in enumerate(rows) if needs_triage(row, done)), None)


@dataclass(frozen=True, slots=True)
class Change:
    """What one action asks of a conversation. ``label`` counts only when ``set_label``."""

    set_label: bool = False
    label: str | None = None  # None clears the manual label (back to the AI's)
    read: bool | None = None

    @property
    def empty(self) -> bool:
        return not self.set_label and self.read is None


def apply_change(conversation: Conversation, change: Change) -> Conversation:
    """The conversation as it looks once ``change`` is saved (read state as the PATCH sets it)."""
    if change.set_label:
        conversation = replace(conversation, label_override=change.label)
    if change.read is not None and conversation.unread == change.read:
        conversation = conversation.with_read(change.read)
    return conversation


@dataclass(slots=True)
class Pending:
    """Changes shown before the server confirmed them, and for a short grace period after.

    Each part (label, read state) remembers which request set it last, so when a request fails
    only what it alone set rolls back. ``messages`` is how many messages the conversation had
    when read state was set: a newer message beats a "read" mark (new mail needs triage).
    """

    messages: int
    label: str | None = None
    label_seq: int = 0  # 0: the label is not part of this
    read: bool = True
    read_seq: int = 0  # 0: the read state is not part of this
    in_flight: set[int] = field(default_factory=set)
    settled_at: float | None = None

    def add(self, change: Change, seq: int, messages: int) -> None:
        if change.set_label:
            self.label, self.label_seq = change.label, seq
        if change.read is not None:
            self.read, self.read_seq, self.messages = change.read, seq, messages
        self.in_flight.add(seq)
        self.settled_at = None

    def done(self, seq: int, now: float, *, ok: bool) -> None:
        """Request ``seq`` finished; a failed one takes back only the parts no later request set."""
        self.in_flight.discard(seq)
        if not ok:
            if self.label_seq == seq:
                self.label_seq = 0
            if self.read_seq == seq:
                self.read_seq = 0
        if not self.in_flight:
            self.settled_at = now

    @property
    def empty(self) -> bool:
        return not self.label_seq and not self.read_seq

    @property
    def change(self) -> Change:
        return Change(bool(self.label_seq), self.label if self.label_seq else None, self.read if self.read_seq else None)

    def agrees(self, conversation: Conversation) -> bool:
        if self.label_seq and conversation.label_override != self.label:
            return False
        return not self.read_seq or conversation.unread != self.read

    def expired(self, conversation: Conversation, now: float) -> bool:
        """Settled, and the server copy shows the change or the grace period is over."""
        if self.settled_at is None:
            return False
        return self.empty or self.agrees(conversation) or now - self.settled_at > GRACE_SECONDS

    def apply(self, conversation: Conversation) -> Conversation:
        change = self.change
        if change.read is not None and len(conversation.messages) > self.messages:
            change = Change(change.set_label, change.label, None)
        return apply_change(conversation, change)


def conversation_needs_triage(
    conversation: Conversation, manual_label: str | None, done: Collection[str] = ()
) -> bool:
    """:data:`TRIAGE_RULE` for a conversation as shown (``manual_label``: its own or local label)."""
    if not actionable(conversation.id) or conversation.id in done:
        return False
    return conversation.unread or not manual_label


# --- blocking ---------------------------------------------------------------------------------------

#: Mail providers shared by millions: blocking one of these domains would block strangers.
SHARED_DOMAINS = frozenset(
    {
        "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "msn.com",
        "yahoo.com", "ymail.com", "icloud.com", "me.com", "mac.com", "aol.com", "proton.me",
        "protonmail.com", "pm.me", "gmx.com", "gmx.de", "gmx.net", "web.de", "t-online.de",
        "yandex.com", "yandex.ru", "mail.ru", "qq.com", "163.com", "126.com", "zoho.com",
        "fastmail.com", "hey.com", "tutanota.com", "orange.fr", "free.fr", "libero.it",
    }
)
_SHARED_PREFIXES = ("yahoo.", "hotmail.", "outlook.", "live.", "gmx.", "yandex.")
_ADDRESS = re.compile(r"^[^\s@<>()\[\]\\,;:\"]{1,64}@(?P<domain>[^\s@<>()\[\]\\,;:\"]{1,250}\.[^\s@<>()\[\]\\,;:\".]{2,63})$")


@dataclass(frozen=True, slots=True)
class BlockTargets:
    """What "block sender" can offer for an address: exactly what would be posted, or why not."""

    address: str | None
    domain: str | None  # "@acme.com"
    problem: str = ""
    domain_problem: str = ""


def block_targets(address: str) -> BlockTargets:
    """The address to block (as it will be sent) and its domain, refusing what cannot be trusted.

    An address that needs cleaning to be shown is refused: the confirmation must show exactly
    what is posted. Shared providers' domains (gmail.com...) are never offered.
    """
    text = address.strip()
    match = _ADDRESS.match(text)
    if not text:
        return BlockTargets(None, None, "This conversation has no sender address to block.")
    if match is None or clean_line(text, max_chars=400) != text:
        return BlockTargets(None, None, "The sender's address looks malformed; it was not blocked.")
    domain = match.group("domain").lower()
    if domain in SHARED_DOMAINS or domain.startswith(_SHARED_PREFIXES):
        return BlockTargets(text, None, domain_problem=f"{domain} is a shared mail provider: not offered.")
    return BlockTargets(text, "@" + domain)
