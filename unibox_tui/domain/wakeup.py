"""Which snoozes wake and which reminders fire, given the time and freshly loaded conversations.

Pure: the UI calls ``find_wakeups`` at start-up (a snooze whose time passed while the app was
closed comes back then), after every poll and when its timer for ``next_due`` rings, then hands
the result to ``FollowupStore.apply``. New incoming mail is recognised by the count of incoming
messages, not by dates: the server's clock and ours need not agree.

A reminder can only fire when we know that no reply came. One whose conversation was not among
the fresh ones is listed in ``to_check``; the UI fetches those conversations (one GET each, a
handful at most) and calls again with them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from ..api.models import Conversation
from ..store.followups import BackMark, Reminder, Snooze

__all__ = ["Wakeups", "find_wakeups", "incoming_count", "next_due"]


@dataclass(frozen=True, slots=True)
class Wakeups:
    """One round's outcome. ``woken`` snoozes and ``fired``/``answered`` reminders are removed."""

    marks: tuple[BackMark, ...] = ()
    woken: tuple[str, ...] = ()
    fired: tuple[str, ...] = ()
    #: A reply came before the reminder was due: it is simply dropped (the reply shows anyway).
    answered: tuple[str, ...] = ()
    #: Due reminders whose conversation was not among the fresh ones: fetch them and ask again.
    to_check: tuple[str, ...] = field(default=())

    @property
    def done_reminders(self) -> tuple[str, ...]:
        return self.fired + self.answered

    def __bool__(self) -> bool:
        return bool(self.marks or self.woken or self.fired or self.answered)


def incoming_count(conversation: Conversation) -> int:
    """What ``Snooze.incoming`` and ``Reminder.incoming`` record, and what a new reply increases."""
    return sum(1 for message in conversation.messages if message.incoming)


def find_wakeups(
    snoozes: Iterable[Snooze], reminders: Iterable[Reminder], conversations: Iterable[Conversation], now: datetime
) -> Wakeups:
    """The snoozes that wake and the reminders that fire at ``now``, with the "back" marks.

    A snooze wakes when its time has come (whether or not its conversation was loaded) or when
    a loaded conversation has more incoming messages than when it was snoozed ("new reply"
    wins when both hold). A reminder fires when it is due and its loaded conversation has no
    new incoming message; a new one before that cancels it.
    """
    fresh = {c.id: c for c in conversations if not c.damaged}
    marks: list[BackMark] = []
    woken: list[str] = []
    for snooze in snoozes:
        mark = _snooze_mark(snooze, fresh.get(snooze.conversation_id), now)
        if mark is not None:
            marks.append(mark)
            woken.append(snooze.conversation_id)
    fired: list[str] = []
    answered: list[str] = []
    to_check: list[str] = []
    for reminder in reminders:
        conversation = fresh.get(reminder.conversation_id)
        if conversation is not None and incoming_count(conversation) > reminder.incoming:
            answered.append(reminder.conversation_id)
        elif reminder.due_at <= now:
            if conversation is None:
                to_check.append(reminder.conversation_id)
            else:
                fired.append(reminder.conversation_id)
                marks.append(BackMark(reminder.conversation_id, "no_reply", now, reminder.last_outgoing_at, reminder.folder))
    return Wakeups(tuple(marks), tuple(woken), tuple(fired), tuple(answered), tuple(to_check))


def _snooze_mark(snooze: Snooze, conversation: Conversation | None, now: datetime) -> BackMark | None:
    if conversation is not None and incoming_count(conversation) > snooze.incoming:
        return BackMark(snooze.conversation_id, "new_reply", now, folder=snooze.folder)
    if snooze.wake_at <= now:
        return BackMark(snooze.conversation_id, "snooze_ended", snooze.wake_at, folder=snooze.folder)
    return None


def next_due(snoozes: Iterable[Snooze], reminders: Iterable[Reminder]) -> datetime | None:
    """When the next snooze or reminder is due: the UI's one timer is set to it."""
    times = [s.wake_at for s in snoozes] + [r.due_at for r in reminders]
    return min(times) if times else None
