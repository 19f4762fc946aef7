"""Follow-ups on the inbox: snoozes, reminders and "back" marks drawn into the inbox model.

UI-free. ``Followups`` joins the workspace's ``FollowupStore`` (what survives restarts) to the
screen's ``InboxModel``: snoozed conversations leave the list, conversations back from a snooze
or a reminder go atop page 1 of their folder marked with the reason, out-of-office leads show
their return date. It decides when things wake (``check``, with ``domain.wakeup``), records a
reminder when the server confirms a reply, and announces every change of the store on
``changed`` (the screen saves the store in a thread and sets its one timer again).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from functools import partial
from typing import TYPE_CHECKING, Final

from ..render.formatting import back_on, wake_time
from .inbox_model import InboxModel, RowNote
from .ooo_dates import Candidate, ReturnDates
from .signal import Signal
from .wakeup import Wakeups, find_wakeups, incoming_count, next_due

if TYPE_CHECKING:
    from ..api.models import Conversation
    from ..clock import Clock
    from ..store.followups import FollowupStore, Snooze
    from .reply_session import ReplyEvent
    from .triage_service import UndoEntry

__all__ = ["MAX_PINNED", "REMIND_SPANS", "Followups", "SnoozedEntry", "remind_words"]

#: Conversations back from a snooze or a reminder shown atop page 1 of a folder, the most
#: recently woken first (older ones keep their mark wherever they are listed).
MAX_PINNED: Final = 20
#: ``Draft.remind`` / ``remind_after`` choices and how long they wait.
REMIND_SPANS: Final = {"2d": timedelta(days=2), "4d": timedelta(days=4), "1w": timedelta(weeks=1)}
REMIND_WORDS: Final = {"off": "off", "2d": "2 days", "4d": "4 days", "1w": "1 week"}


@dataclass(frozen=True, slots=True)
class SnoozedEntry:
    """One line of the Snoozed view: the snooze, and the conversation if a copy is loaded."""

    snooze: Snooze
    conversation: Conversation | None
    wakes: str


class Followups:
    """Snoozes, reminders, "back" marks and return dates of one inbox (one workspace)."""

    def __init__(self, store: FollowupStore, model: InboxModel, *, clock: Clock, zone: tzinfo) -> None:
        self.store = store
        self.model = model
        self.clock = clock
        self.zone = zone
        self.dates = ReturnDates()
        #: The store changed: save it (in a thread) and set the wake-up timer again.
        self.changed: Signal[None] = Signal()
        self._away: dict[str, date] = {}

    # -- drawing into the model --------------------------------------------------------------------

    def show(self) -> None:
        """Push the snoozes, "back" marks and return dates onto the model (it redraws what changed)."""
        folders: dict[str, list[str]] = {}
        notes: dict[str, RowNote] = {}
        for mark in self.store.back_marks():  # the most recently woken first
            folder = folders.setdefault(mark.folder or "primary", [])
            if len(folder) < MAX_PINNED:
                folder.append(mark.conversation_id)
            notes[mark.conversation_id] = RowNote(woken=f"back · {mark.why(self.zone)}")
        for conversation_id in self._away:
            day = self.return_date(conversation_id)
            if day is not None:
                notes[conversation_id] = RowNote(self._woken_beside_return(conversation_id), back_on(day))
        hidden = {snooze.conversation_id for snooze in self.store.snoozes()}
        self.model.set_overlay(hidden=hidden, pinned=folders, notes=notes)

    def missing_pins(self) -> list[str]:
        """Conversations back atop this folder that no loaded page holds: fetch them, then ``model.repin``."""
        marks = [m for m in self.store.back_marks() if (m.folder or "primary") == self.model.folder]
        return [m.conversation_id for m in marks[:MAX_PINNED] if self.model.server_copy(m.conversation_id) is None]

    def header_note(self, conversation_id: str) -> str:
        """What the thread header adds: back from a snooze, the lead's return, snoozed until when."""
        parts = []
        day = self.return_date(conversation_id)
        if day is not None:
            parts.extend(part for part in (self._woken_beside_return(conversation_id), back_on(day)) if part)
        elif (mark := self.store.back_mark(conversation_id)) is not None:
            parts.append(f"back · {mark.why(self.zone)}")
        snooze = self.store.snooze_of(conversation_id)
        if snooze is not None:
            parts.append(f"snoozed until {wake_time(snooze.wake_at, self.clock.now(), self.zone)}")
        return " · ".join(parts)

    def _woken_beside_return(self, conversation_id: str) -> str:
        """Why it came back, said without "back" when the lead's return ("back 14 Dec") is beside it:
        one "back" per row, the one about the lead."""
        mark = self.store.back_mark(conversation_id)
        return mark.why(self.zone) if mark is not None else ""

    # -- out-of-office return dates ------------------------------------------------------------------

    def today(self) -> date:
        return self.clock.now().astimezone(self.zone).date()

    def return_date(self, conversation_id: str) -> date | None:
        """The lead's return date read from the conversation, when it is today or later."""
        day = self._away.get(conversation_id)
        return day if day is not None and day >= self.today() else None

    def dates_to_read(self) -> list[Candidate]:
        """The conversations on screen whose latest message is still to be read for a return date
        (in a thread: ``ooo_dates.read_return_date``); those read before are drawn at once."""
        wanted = []
        stale = False
        for row in self.model.rows:
            conversation = self.model.conversation(row.id)
            if conversation is None:
                continue
            candidate = self.dates.candidate(conversation, folder=self.model.folder, label=self._label(conversation))
            if candidate is None:
                stale |= self._away.pop(conversation.id, None) is not None
            elif self.dates.known(candidate.key):
                stale |= self._remember_date(conversation.id, self.dates.get(candidate.key))
            else:
                wanted.append(candidate)
        if stale:
            self.show()
        return wanted

    def dates_read(self, found: Iterable[tuple[Candidate, date | None]]) -> None:
        """Answers of ``read_return_date``: kept, and drawn."""
        changed = False
        for candidate, day in found:
            self.dates.learn(candidate.key, day)
            changed |= self._remember_date(candidate.conversation.id, day)
        if changed:
            self.show()

    def _remember_date(self, conversation_id: str, day: date | None) -> bool:
        if self._away.get(conversation_id) == day:
            return False
        if day is None:
            self._away.pop(conversation_id, None)
        else:
            self._away[conversation_id] = day
        return True

    def _label(self, conversation: Conversation) -> str | None:
        return self.model.local_label(conversation.id) or conversation.effective_label

    # -- snoozing ------------------------------------------------------------------------------------

    def targets(self, cursor_id: str | None) -> tuple[str, ...]:
        """What ``h`` is about: every marked conversation, else the one under the cursor."""
        marked = self.model.marked()
        if marked:
            return marked
        return (cursor_id,) if cursor_id else ()

    def snooze(self, conversation_ids: Iterable[str], wake_at: datetime, *, reason: str = "") -> tuple[list[str], list[str]]:
        """Snooze each conversation (their marks go); returns (snoozed, not loaded so not snoozed).

        A snooze needs the conversation's incoming messages now (one more wakes it), so one no
        page holds any more is left out and named: the caller fetches it and asks again.
        """
        done, missing = [], []
        ids = list(conversation_ids)
        copies = self.model.freshest(ids)
        for conversation_id in ids:
            copy = copies.get(conversation_id)
            if copy is None:
                missing.append(conversation_id)
                continue
            self.store.snooze(conversation_id, wake_at, incoming=incoming_count(copy), folder=self.model.folder,
                              reason=reason)
            done.append(conversation_id)
        if done:
            self.model.unmark(*done)
            self._changed()
        return done, missing

    def change_snooze(self, conversation_id: str, wake_at: datetime, *, reason: str = "") -> bool:
        """A new wake-up time for a snoozed conversation (``h`` in the Snoozed view)."""
        snooze = self.store.snooze_of(conversation_id)
        if snooze is None:
            return False
        self.store.snooze(conversation_id, wake_at, incoming=snooze.incoming, folder=snooze.folder, reason=reason)
        self._changed()
        return True

    def unsnooze(self, conversation_ids: Iterable[str]) -> None:
        """Take snoozes back (``u`` after ``h``): shown where they were, not marked "back"."""
        for conversation_id in conversation_ids:
            self.store.unsnooze(conversation_id)
        self._changed()

    def undo_entry(self, conversation_ids: list[str], what: str) -> UndoEntry | None:
        """What ``u`` needs to take a snooze back, on the triage service's undo stack (so ``u`` after
        ``h`` works like after a label, and a snooze of marked conversations is one entry)."""
        from .triage import Change
        from .triage_service import UndoEntry

        first = self.model.server_copy(conversation_ids[0]) or self.model.conversation(conversation_ids[0])
        if first is None:
            return None
        restore = partial(self.unsnooze, list(conversation_ids))
        return UndoEntry("snooze", first.id, Change(), what, self.model.page_number, first, restore=restore)

    def wake_now(self, conversation_id: str) -> bool:
        """``H`` in the Snoozed view: back now, marked "snooze ended"."""
        if self.store.wake_now(conversation_id) is None:
            return False
        self._changed()
        return True

    def opened(self, conversation_id: str) -> None:
        """The user opened it: no longer "back"."""
        if self.store.back_mark(conversation_id) is not None:
            self.store.clear_back(conversation_id)
            self._changed()

    def forget(self, conversation_id: str) -> None:
        """The server says the conversation no longer exists: nothing of it can come back."""
        store = self.store
        if store.is_snoozed(conversation_id) or store.reminder_of(conversation_id) or store.back_mark(conversation_id):
            store.unsnooze(conversation_id)
            store.cancel_reminder(conversation_id)
            store.clear_back(conversation_id)
            self._changed()

    def snoozed(self) -> list[SnoozedEntry]:
        """The Snoozed view's lines, the next to wake first."""
        now = self.clock.now()
        return [
            SnoozedEntry(s, self.model.conversation(s.conversation_id), wake_time(s.wake_at, now, self.zone))
            for s in self.store.snoozes()
        ]

    # -- waking up -------------------------------------------------------------------------------------

    def check(self, extra: Iterable[Conversation] = ()) -> Wakeups:
        """Wake what is due or has a new incoming message, fire reminders, with every copy we hold.

        ``extra``: conversations just fetched (``Wakeups.to_check`` of an earlier round).
        """
        ids = [s.conversation_id for s in self.store.snoozes()] + [r.conversation_id for r in self.store.reminders()]
        known = self.model.freshest(ids) if ids else {}
        known.update({c.id: c for c in extra})
        wakeups = find_wakeups(self.store.snoozes(), self.store.reminders(), known.values(), self.clock.now())
        if wakeups:
            self.store.apply(wakeups.woken, wakeups.done_reminders, wakeups.marks)
            self._changed()
        return wakeups

    def next_due(self) -> datetime | None:
        """When the one wake-up timer should ring."""
        return next_due(self.store.snoozes(), self.store.reminders())

    # -- reminders ---------------------------------------------------------------------------------------

    def reply_event(self, event: ReplyEvent, default: Callable[[], str]) -> None:
        """A reply the server confirmed: its "remind me if no reply" is recorded now (not at ctrl+s)."""
        from .reply_session import Happened

        session = event.session
        if event.kind is not Happened.SENT or session is None:
            return
        choice = session.draft.remind or default()
        span = REMIND_SPANS.get(choice)
        held = self.model.freshest([session.conversation_id]).get(session.conversation_id)
        copies = [c for c in (event.conversation, session.conversation, held) if c is not None]
        conversation = max(copies, key=lambda c: len(c.messages)) if copies else None
        if span is None or conversation is None:
            return  # off; or nothing tells how many replies there were, so no reply could be recognised
        sent = event.message.email_date if event.message is not None and event.message.email_date else None
        now = self.clock.now()
        self.store.remind(
            session.conversation_id, now + span, last_outgoing_at=sent or now, incoming=incoming_count(conversation),
            folder=self.model.folder,
        )
        self._changed()

    def _changed(self) -> None:
        self.show()
        self.changed.emit(None)


def remind_words(choice: str) -> str:
    """``2 days``; ``off``."""
    return REMIND_WORDS.get(choice, choice)
