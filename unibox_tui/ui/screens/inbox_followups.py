"""Follow-ups on the inbox screen: snoozes (``h``), wake-ups, return dates, new-reply alerts,
and the waiting queue (``w``, in ``inbox_waiting.py``) with the status line's hot count.

The rules live in ``domain.followups`` and its neighbours; this puts them on screen and on the
clock: one timer for the next wake-up (``next_due``), a check at start-up and after every page,
refresh and poll, the store saved in a thread, return dates read in a thread, the bell and at
most one desktop notification per poll.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import date, datetime
from functools import partial
from typing import TYPE_CHECKING, Final

from textual.timer import Timer

from ...api.errors import NotFoundError
from ...api.models import Conversation, Page
from ...clock import local_zone
from ...domain.followups import Followups
from ...domain.inbox_model import ChangeKind, InboxModel, ModelChange, PageKey
from ...domain.ooo_dates import Candidate, read_return_date
from ...render.formatting import wake_time
from ...render.thread import sender_label
from ..widgets.thread_view import ThreadView
from .inbox_waiting import WaitingQueue

if TYPE_CHECKING:
    from ...api.client import ReachkitClient
    from ...config import Settings
    from ...domain.alerts import Alert
    from ...domain.notifier import Notifier
    from ...domain.reply_session import ReplyEvent
    from ...store.followups import FollowupStore
    from .inbox import InboxScreen
    from .snooze_picker import SnoozePick

__all__ = ["MAX_TIMER_SECONDS", "InboxFollowups"]

log = logging.getLogger(__name__)

#: The wake-up timer looks at the clock at least this often: a laptop that slept (Textual's
#: timers run on the monotonic clock) or a wall clock that jumped is caught within a minute.
MAX_TIMER_SECONDS: Final = 60.0
#: Something due that one round could not settle (a conversation still being fetched) is looked
#: at again after this long, not in a tight loop.
RETRY_SECONDS: Final = 30.0
#: Snoozed conversations fetched to name them in the Snoozed view, at most.
MAX_NAME_FETCHES: Final = 30


class InboxFollowups:
    """The inbox screen's follow-ups (``InboxScreen.followups``)."""

    def __init__(self, screen: InboxScreen, model: InboxModel, client: Callable[[], ReachkitClient | None]) -> None:
        self.screen = screen
        self.model = model
        self._client = client
        app = screen.unibox
        self.workspace = app.workspace
        self.clock = app.clock
        self.zone = local_zone()
        self.service = Followups(self.workspace.followups, model, clock=self.clock, zone=self.zone)
        self.service.changed.connect(self._store_changed)
        model.subscribe(self._model_changed)
        self._notifier: Notifier | None = None
        self.waiting = WaitingQueue(screen, model, client, self.store, self.zone)
        self._timer: Timer | None = None
        self._queued = False
        #: Fetches may start (after the first page: building the client waits for the first rows).
        self._online = False
        self._fetching: set[str] = set()
        self._failed: set[str] = set()
        self._reading: set[tuple[str, int, str]] = set()

    @property
    def store(self) -> FollowupStore:
        return self.service.store

    def _settings(self) -> Settings:
        return self.screen.unibox.settings

    def _say(self, text: str, **kwargs: object) -> None:
        self.screen.unibox.say(text, **kwargs)  # type: ignore[arg-type]

    # -- life ------------------------------------------------------------------------------------------

    def start(self) -> None:
        """On mount: what the last run left (a snooze whose time passed meanwhile is back now)."""
        self.workspace.sessions.events.connect(self._reply_event)
        self._tell_problems()
        self.service.show()
        self._count_snoozed()
        self._round()
        self._arm()

    def online(self) -> None:
        """The first page came: conversations the follow-ups need may now be fetched."""
        self._online = True
        self._soon()

    def stop(self) -> None:
        self.workspace.sessions.events.disconnect(self._reply_event)
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    # -- the model and the store changed ------------------------------------------------------------

    def _model_changed(self, change: ModelChange) -> None:
        if change.kind in (ChangeKind.PAGE, ChangeKind.POSITION, ChangeKind.CONTENT):
            self._soon()

    def _soon(self) -> None:
        """One follow-up pass after this burst of changes (a page paint announces several)."""
        if not self._queued:
            self._queued = True
            self.screen.call_later(self._after_change)

    def _after_change(self) -> None:
        self._queued = False
        self._round()
        self.model.repin()
        self._read_dates()
        if self._online:
            self._fetch(self.service.missing_pins())
        self.waiting.count_hot()

    def _store_changed(self, _: object) -> None:
        self._save()
        self._arm()
        self._count_snoozed()
        self.screen.thread.header.refresh()  # its follow-up note may have changed
        self._soon()

    def _count_snoozed(self) -> None:
        count = len(self.store.snoozes())
        self.screen.folder_bar.set_count("snoozed", count or None)

    def header_note(self, conversation_id: str) -> str:
        return self.service.header_note(conversation_id)

    def opened(self, conversation_id: str) -> None:
        """Enter on a conversation: no longer marked "back"."""
        self.service.opened(conversation_id)

    # -- waking up ------------------------------------------------------------------------------------

    def _round(self) -> None:
        wakeups = self.service.check()
        if wakeups.marks:
            self._say_back([mark.conversation_id for mark in wakeups.marks], [mark.why(self.zone) for mark in wakeups.marks])
        if wakeups.to_check and self._online:
            self._fetch(wakeups.to_check)  # their copies arrive in the model, and the next round decides

    def _arm(self) -> None:
        """One timer, for the next snooze or reminder due (at most a minute away: see MAX_TIMER_SECONDS)."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        due = self.service.next_due()
        if due is None:
            return
        delay = (due - self.clock.now()).total_seconds()
        delay = RETRY_SECONDS if delay <= 0 else min(MAX_TIMER_SECONDS, delay)
        self._timer = self.screen.set_timer(delay, self._rang)

    def _rang(self) -> None:
        self._timer = None
        self._round()
        self._arm()

    def _say_back(self, conversation_ids: list[str], reasons: list[str]) -> None:
        names = [f"{self._lead(cid)} ({why})" for cid, why in zip(conversation_ids, reasons, strict=True)]
        shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        self._say(f"Back: {shown}.", title="Follow-ups", timeout=8)

    def _lead(self, conversation_id: str) -> str:
        conversation = self.model.conversation(conversation_id)
        if conversation is None:
            return "a conversation"
        return sender_label(conversation.lead_name, conversation.lead_email) or "a conversation"

    # -- snoozing: h ---------------------------------------------------------------------------------

    def _target(self) -> str | None:
        """The open thread when reading it, else the list's cursor row (as the triage keys do)."""
        screen = self.screen
        reading = isinstance(screen.focused, ThreadView) or screen.has_class("-reading")
        row = screen.conversation_list.current_row
        return screen.open_id if reading else (row.id if row is not None else None)

    def snooze(self) -> None:
        """``h``: the picker for the highlighted conversation, or for every marked one."""
        from .snooze_picker import SnoozePicker  # (pickers load when first used, not at start-up)

        targets = self.service.targets(self._target())
        if not targets:
            self._say("No conversation is selected.", timeout=3)
            return
        returns = [self.service.return_date(cid) for cid in targets]
        known = [day for day in returns if day is not None]
        back_on = min(known) if known and len(known) == len(targets) else None
        picker = SnoozePicker(
            now=self.clock.now(), zone=self.zone, morning=self._settings().snooze_morning, back_on=back_on,
            several_returns=len(set(known)) > 1, who=self._lead(targets[0]), count=len(targets),
        )
        self.screen.app.push_screen(picker, partial(self._picked, targets))

    def _picked(self, targets: tuple[str, ...], pick: SnoozePick | None) -> None:
        if pick is None:
            return
        for ids, wake in self._plan(targets, pick):
            done, missing = self.service.snooze(ids, wake, reason=pick.reason)
            self._snoozed(done, wake)
            if missing:
                self._fetch(missing, then=partial(self._snooze_fetched, missing, wake, pick.reason))

    def _plan(self, targets: tuple[str, ...], pick: SnoozePick) -> list[tuple[list[str], datetime]]:
        """``4`` on several leads: each until its own lead is back; any other choice: one time for all."""
        if pick.key != "4" or len(targets) == 1:
            return [(list(targets), pick.wake_at)]
        from ...domain.snooze import preset_wake

        by_day: dict[date, list[str]] = {}
        for conversation_id in targets:
            day = self.service.return_date(conversation_id)
            if day is not None:
                by_day.setdefault(day, []).append(conversation_id)
        morning = self._settings().snooze_morning
        now = self.clock.now()
        return [(ids, preset_wake("4", now, self.zone, morning=morning, back_on=day)) for day, ids in sorted(by_day.items())]

    def _snooze_fetched(self, conversation_ids: list[str], wake: datetime, reason: str) -> None:
        done, missing = self.service.snooze(conversation_ids, wake, reason=reason)
        self._snoozed(done, wake)
        if missing:
            self._say(f"{len(missing)} conversation(s) could not be loaded, so they were not snoozed.", severity="warning")

    def _snoozed(self, conversation_ids: list[str], wake: datetime) -> None:
        if not conversation_ids:
            return
        when = wake_time(wake, self.clock.now(), self.zone)
        who = self._lead(conversation_ids[0]) if len(conversation_ids) == 1 else f"{len(conversation_ids)} conversations"
        self._say(f"Snoozed {who} until {when}. u undoes it.", title="Snoozed", timeout=4)
        self._journal(conversation_ids, wake)
        undo = self.service.undo_entry(conversation_ids, f"snooze of {who}")  # u takes it back, a batch whole
        if undo is not None:
            self.screen.triage.push_undo(undo)

    def change_snooze(self, conversation_id: str, then: Callable[[], None]) -> None:
        """``h`` in the Snoozed view: a new wake-up time."""
        from .snooze_picker import SnoozePicker

        def picked(pick: SnoozePick | None) -> None:
            if pick is not None and self.service.change_snooze(conversation_id, pick.wake_at, reason=pick.reason):
                self._snoozed([conversation_id], pick.wake_at)
            then()

        picker = SnoozePicker(
            now=self.clock.now(), zone=self.zone, morning=self._settings().snooze_morning,
            back_on=self.service.return_date(conversation_id), who=self._lead(conversation_id),
        )
        self.screen.app.push_screen(picker, picked)

    def wake_now(self, conversation_id: str) -> None:
        """``H`` in the Snoozed view."""
        if self.service.wake_now(conversation_id):
            folder = self.store.back_mark(conversation_id)
            where = (folder.folder if folder is not None and folder.folder else "primary").title()
            self._say(f"{self._lead(conversation_id)} is back at the top of {where}.", title="Woken", timeout=4)

    def snoozed_view(self) -> None:
        """The folder bar's "Snoozed N"."""
        from .snoozed import SnoozedScreen

        if not isinstance(self.screen.app.screen, SnoozedScreen):
            self.screen.app.push_screen(SnoozedScreen(self))

    def name_snoozed(self, then: Callable[[], None]) -> None:
        """Fetch the snoozed conversations no page holds, so the Snoozed view can name them."""
        unknown = [s.conversation_id for s in self.store.snoozes() if self.model.conversation(s.conversation_id) is None]
        self._fetch(unknown[:MAX_NAME_FETCHES], then=then)

    def open_elsewhere(self, conversation_id: str) -> None:
        """Read a conversation that the list does not show (snoozed): in the thread pane."""
        if self.model.conversation(conversation_id) is None:
            self._fetch([conversation_id], then=lambda: self._read(conversation_id))
        else:
            self._read(conversation_id)

    def _read(self, conversation_id: str) -> None:
        screen = self.screen
        if self.model.conversation(conversation_id) is None:
            self._say("This conversation could not be loaded.", severity="warning")
            return
        screen.thread.open(conversation_id)
        screen.triage_keys.opened(conversation_id)
        self.opened(conversation_id)
        if screen.has_class("-narrow"):
            screen.add_class("-reading")
        screen.thread_view.focus()

    def _journal(self, conversation_ids: list[str], wake: datetime) -> None:
        from ...store.journal import Snoozed

        entry = Snoozed(tuple(conversation_ids), wake.timestamp(), self.clock.time())
        # (record: a disk that refuses costs the summary this line, and the summary says so)
        self.screen.run_worker(partial(self.workspace.record, entry), thread=True, group="journal", exit_on_error=False,
                               description="Writing the journal")

    # -- saving ----------------------------------------------------------------------------------------

    def _save(self) -> None:
        self.screen.run_worker(self._write, thread=True, group="followups-save", exit_on_error=False,
                               description="Saving snoozes")

    def _write(self) -> None:
        try:
            self.store.save()
        except OSError as error:
            self.screen.app.call_from_thread(
                self._say, f"Snoozes and reminders not saved yet ({error.strerror or error}); they are tried again "
                "with the next change and when you quit.", title="Follow-ups", severity="error",
            )
        if self.store.problems:
            self.screen.app.call_from_thread(self._tell_problems)

    def _tell_problems(self) -> None:
        for problem in self.store.take_problems():
            self._say(problem, title="Follow-ups", severity="warning", timeout=15)

    # -- fetching what the follow-ups need -------------------------------------------------------------

    def _fetch(self, conversation_ids: Iterable[str], then: Callable[[], None] | None = None) -> None:
        """Fetch conversations into the model (its change signal brings the next round)."""
        wanted = [cid for cid in dict.fromkeys(conversation_ids) if cid not in self._fetching and cid not in self._failed]
        if not wanted or self._client() is None:
            if then is not None:
                then()
            return
        self._fetching.update(wanted)
        self.screen.run_worker(partial(self._fetch_all, wanted, then), group="followups-fetch", exit_on_error=False,
                               description="Loading snoozed conversations")

    async def _fetch_all(self, conversation_ids: list[str], then: Callable[[], None] | None) -> None:
        try:
            for conversation_id in conversation_ids:
                got = await self.screen.thread.fetch(conversation_id)
                if isinstance(got, NotFoundError):
                    self._gone(conversation_id)
                elif isinstance(got, BaseException) or got is None:
                    self._failed.add(conversation_id)  # tried again after the next poll or ctrl+r
                else:
                    self.model.remember(got)
        finally:
            self._fetching.difference_update(conversation_ids)
        if then is not None:
            then()

    def _gone(self, conversation_id: str) -> None:
        """Deleted on the server: nothing of it can come back, so its follow-ups end."""
        self.service.forget(conversation_id)

    def retry(self) -> None:
        """ctrl+r or a poll: fetches that failed may work now."""
        self._failed.clear()
        self._soon()

    # -- return dates -----------------------------------------------------------------------------------

    def _read_dates(self) -> None:
        wanted = [c for c in self.service.dates_to_read() if c.key not in self._reading]
        if not wanted:
            return
        self._reading.update(c.key for c in wanted)
        self.screen.run_worker(partial(self._read_in_thread, wanted), thread=True, group="ooo-dates",
                               exit_on_error=False, description="Reading out-of-office dates")

    def _read_in_thread(self, candidates: list[Candidate]) -> None:
        found = []
        for candidate in candidates:
            try:
                found.append((candidate, read_return_date(candidate, self.zone)))
            except Exception:  # noqa: BLE001 - one odd message must not stop the others (nor show a traceback)
                log.warning("reading a return date failed", exc_info=True)
                found.append((candidate, None))
        self.screen.app.call_from_thread(self._dates_read, found)

    def _dates_read(self, found: list[tuple[Candidate, date | None]]) -> None:
        self._reading.difference_update(candidate.key for candidate, _ in found)
        self.service.dates_read(found)
        self.screen.thread.header.refresh()

    # -- reminders ----------------------------------------------------------------------------------------

    def _reply_event(self, event: ReplyEvent) -> None:
        self.service.reply_event(event, default=lambda: self._settings().remind_after)

    # -- polling: alerts, wake-ups, the scan ---------------------------------------------------------------

    def polled(self, key: PageKey, before: Page[Conversation] | None, page: Page[Conversation]) -> None:
        """A poll's first page: new replies ring (``alerts``), snoozes with a new reply wake, the scan runs when due."""
        self.retry()
        if not key.search:
            self._alert(key.folder, before, page)
        if key.folder == self.model.folder:
            self.waiting.scan(force=False)

    def _alert(self, folder: str, before: Page[Conversation] | None, page: Page[Conversation]) -> None:
        """The bell, and one desktop notification for the whole poll; never for the first load."""
        from ...domain.alerts import alert_for, new_replies

        replies = new_replies(
            before.items if before is not None else None, page.items, folder=folder,
            mode=self._settings().alerts, label_of=lambda c: self.model.local_label(c.id),  # type: ignore[arg-type]
        )
        alert = alert_for(replies)
        if alert is None:
            return
        self.screen.app.bell()
        if self.notifier.available:
            self.screen.run_worker(partial(self._notify, alert), thread=True, group="alert", exit_on_error=False,
                                   description="Desktop notification")

    @property
    def notifier(self) -> Notifier:
        """Desktop notifications (``notify-send`` / ``osascript``), set up at the first alert."""
        if self._notifier is None:
            from ...domain.notifier import Notifier

            self._notifier = Notifier()
        return self._notifier

    def _notify(self, alert: Alert) -> None:
        if not self.notifier.notify(alert.title, alert.body):
            log.info("desktop notification not shown: %s", self.notifier.last_error)
