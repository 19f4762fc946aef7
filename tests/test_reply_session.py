"""The reply session's state machine, one transition a test: no Textual, no server, a fake clock."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from unibox_tui.api.errors import (
    NotDeliveredError,
    NotFoundError,
    OutcomeUnknownError,
    ReachkitError,
    ServerError,
    ValidationError,
)
from unibox_tui.api.models import Conversation, Inbox, Message
from unibox_tui.clock import Clock
from unibox_tui.domain.reply_session import (
    RECHECK_DELAYS,
    SAVE_DELAY,
    Happened,
    Mode,
    ReplyEvent,
    ReplyServices,
    ReplySession,
)
from unibox_tui.domain.reply_sessions import ReplySessions
from unibox_tui.render.compose import compose_reply_html
from unibox_tui.store.drafts import DELIVERY_UNKNOWN, EDITING, SENDING, Draft, DraftError, DraftStore
from unibox_tui.store.inbox_directory import InboxDirectory
from unibox_tui.store.outbox import baseline_of

CID = "conv-1"
INBOX = "maya@trylanternfish.example"
LEAD = "dana@prospect.example"
T0 = dt.datetime(2026, 5, 28, 15, 30, tzinfo=dt.UTC)


class FakeClock(Clock):
    def __init__(self) -> None:
        self.t = T0.timestamp()

    def time(self) -> float:
        return self.t


@dataclass
class _Timer:
    due: float
    callback: Callable[[], None]
    cancelled: bool = False

    def cancel(self) -> None:
        self.cancelled = True


class FakeScheduler:
    """Timers run when the test advances time; background work runs as real asyncio tasks."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.t = 100.0
        self.timers: list[_Timer] = []
        self.tasks: list[asyncio.Task[None]] = []

    def now(self) -> float:
        return self.t

    def call_later(self, delay: float, callback: Callable[[], None]) -> _Timer:
        timer = _Timer(self.t + delay, callback)
        self.timers.append(timer)
        return timer

    def spawn(self, work: Any, *, name: str) -> asyncio.Task[None]:
        task = asyncio.ensure_future(work)
        self.tasks.append(task)
        return task

    def pending_delays(self) -> list[float]:
        return sorted(t.due - self.t for t in self.timers if not t.cancelled)

    async def settle(self) -> None:
        while any(not task.done() for task in self.tasks):
            await asyncio.gather(*self.tasks, return_exceptions=True)
        await asyncio.sleep(0)

    async def advance(self, seconds: float) -> None:
        end = self.t + seconds
        while True:
            due = sorted((t for t in self.timers if not t.cancelled and t.due <= end), key=lambda t: t.due)
            if not due:
                break
            timer = due[0]
            self.timers.remove(timer)
            self.clock.t += timer.due - self.t
            self.t = timer.due
            timer.callback()
            await self.settle()
        self.clock.t += end - self.t
        self.t = end


@dataclass
class FakeServer:
    """One conversation, and what each reply POST does: "ok", "lost" (timeout, never stored),
    "late" (timeout; stored when ``commit_late`` is called), "500", "422", "refused" (never left)."""

    plan: list[str] = field(default_factory=list)
    posts: list[str] = field(default_factory=list)
    gets: int = 0
    get_failures: int = 0
    get_bugs: int = 0
    gone: bool = False
    inbox_error: BaseException | None = None
    inbox_calls: int = 0
    messages: list[Message] = field(default_factory=lambda: [
        Message("incoming", "Pricing?", "What does it cost?", "", LEAD, "Dana Lee", INBOX, "Maya",
                T0 - dt.timedelta(hours=2), "", False, (), "m0"),
    ])
    late: list[str] = field(default_factory=list)

    def conversation(self) -> Conversation:
        return Conversation(CID, messages=tuple(self.messages))

    async def get_conversation(self, conversation_id: str) -> Conversation:
        self.gets += 1
        if self.gone:
            raise NotFoundError("Reachkit has no such conversation.", status=404)
        if self.get_bugs:
            self.get_bugs -= 1
            raise RuntimeError("a bug")
        if self.get_failures:
            self.get_failures -= 1
            raise ServerError("Reachkit had a server error (HTTP 503).", status=503)
        return self.conversation()

    async def reply(self, conversation_id: str, content: str) -> Message:
        self.posts.append(content)
        behaviour = self.plan.pop(0) if self.plan else "ok"
        if behaviour == "ok":
            return self._store(content)
        if behaviour == "late":
            self.late.append(content)
            raise OutcomeUnknownError("did not answer in time (ReadTimeout).")
        if behaviour == "lost":
            raise OutcomeUnknownError("The connection broke.")
        if behaviour == "500":
            raise ServerError("Reachkit had a server error (HTTP 500).", status=500)
        if behaviour == "422":
            raise ValidationError("Reachkit refused the reply: content is required.", status=422)
        if behaviour == "refused":
            raise NotDeliveredError("Could not reach the server (connection refused).")
        raise RuntimeError(behaviour)  # "bug"

    def commit_late(self) -> None:
        for content in self.late:
            self._store(content)
        self.late.clear()

    def _store(self, content: str) -> Message:
        message = Message("outgoing", "Re: Pricing?", "", content, INBOX, "Maya", LEAD, "",
                          T0 + dt.timedelta(minutes=len(self.messages)), "", True, (), f"m{len(self.messages)}")
        self.messages.append(message)
        return message

    async def list_inboxes(self) -> list[Inbox]:
        self.inbox_calls += 1
        if self.inbox_error is not None:
            raise self.inbox_error
        return [Inbox("i1", INBOX, first_name="Maya", last_name="Okafor", signature="<b>Maya Okafor</b>")]


@dataclass
class Rig:
    server: FakeServer
    clock: FakeClock
    scheduler: FakeScheduler
    store: DraftStore
    services: ReplyServices
    events: list[ReplyEvent]
    delay: list[float]

    def session(self, draft: Draft | None = None) -> ReplySession:
        session = ReplySession(self.services, draft or Draft(CID, to_email=LEAD, to_name="Dana Lee"),
                               self.server.conversation(), on_disk=draft is not None)
        session.events.connect(self.events.append)
        return session

    def kinds(self) -> list[Happened]:
        return [e.kind for e in self.events if e.kind not in (Happened.DRAFTS_CHANGED, Happened.RELEASED)]


@pytest.fixture
def rig(tmp_path: Path) -> Rig:
    server, clock = FakeServer(), FakeClock()
    scheduler = FakeScheduler(clock)
    store = DraftStore(tmp_path / "drafts")
    delay = [0.0]
    services = ReplyServices(lambda: server, store, InboxDirectory(), clock, scheduler, lambda: delay[0])
    return Rig(server, clock, scheduler, store, services, [], delay)


async def typed_and_sent(rig: Rig, text: str = "Tuesday works.") -> ReplySession:
    session = rig.session()
    session.load_signature()
    await rig.scheduler.settle()
    assert session.request_send(text)
    await rig.scheduler.settle()
    return session


def pending_draft(rig: Rig, text: str, state: str) -> Draft:
    baseline, newest = baseline_of(rig.server.conversation())
    html = compose_reply_html(text, "")
    draft = rig.store.bump(Draft(CID, text=text, to_email=LEAD, signature=False), state=state, sent_html=html,
                           started_at=rig.clock.t - 60, baseline=baseline, baseline_newest=newest)
    rig.store.save(draft)
    return draft


# -- editing, countdown ----------------------------------------------------------------------------------


async def test_editing_to_countdown_saves_first_and_posts_nothing(rig):
    rig.delay[0] = 5
    session = rig.session()
    assert session.request_send("Counting down")
    assert session.mode == Mode.COUNTDOWN and session.countdown_left() == 5
    assert rig.store.load(CID).text == "Counting down"  # on disk before anything can leave
    assert rig.server.posts == [] and session.locked


async def test_countdown_to_editing_on_undo(rig):
    rig.delay[0] = 5
    session = rig.session()
    session.request_send("Not yet")
    assert session.undo()
    await rig.scheduler.advance(10)
    assert session.mode == Mode.EDITING and rig.server.posts == []
    assert rig.kinds() == [Happened.UNDONE]


async def test_countdown_to_sending_to_sent_when_the_delay_ends(rig):
    rig.delay[0] = 5
    session = rig.session()
    session.request_send("On its way")
    await rig.scheduler.advance(4.9)
    assert session.mode == Mode.COUNTDOWN and rig.server.posts == []
    await rig.scheduler.advance(0.2)
    assert session.mode == Mode.SENT and len(rig.server.posts) == 1
    assert rig.kinds() == [Happened.SENT] and rig.store.load(CID) is None


async def test_send_now_ends_the_countdown_early(rig):
    rig.delay[0] = 60
    session = rig.session()
    session.request_send("Quitting: send it now")
    assert session.send_now()
    await rig.scheduler.settle()
    assert session.mode == Mode.SENT and len(rig.server.posts) == 1
    assert rig.scheduler.pending_delays() == []


async def test_a_held_countdown_sends_nothing_until_resumed_with_the_time_it_had_left(rig):
    rig.delay[0] = 5
    session = rig.session()
    session.request_send("Asked about while quitting")
    await rig.scheduler.advance(2)
    assert session.hold() and session.countdown_left() == 3
    await rig.scheduler.advance(60)  # the question stays open a minute: nothing leaves
    assert session.mode == Mode.COUNTDOWN and rig.server.posts == []
    session.resume()
    await rig.scheduler.advance(2.9)
    assert rig.server.posts == []
    await rig.scheduler.advance(0.2)
    assert session.mode == Mode.SENT and len(rig.server.posts) == 1


async def test_editing_to_sending_at_once_without_a_delay(rig):
    session = await typed_and_sent(rig)
    assert session.mode == Mode.SENT and rig.server.posts[0].startswith("<div><p>Tuesday works.</p>")
    assert "<b>Maya Okafor</b>" in rig.server.posts[0]  # the inbox's signature went with it


async def test_a_send_is_refused_when_the_disk_refuses_the_draft_first(rig, monkeypatch):
    def full(draft: Draft) -> bool:
        raise DraftError("The disk is full: the draft could not be saved.")

    session = rig.session(rig.store.bump(Draft(CID, text="Typed before the disk filled")))
    monkeypatch.setattr(rig.store, "save", full)
    assert not session.request_send("Typed before the disk filled")
    assert session.mode == Mode.EDITING and rig.server.posts == [] and rig.kinds() == [Happened.SAVE_FAILED]


async def test_nothing_to_send_is_refused(rig):
    session = rig.session()
    assert not session.request_send("   ")
    assert session.mode == Mode.EDITING and rig.server.posts == []


# -- what a POST can end in --------------------------------------------------------------------------------


async def test_sending_to_editing_when_refused_and_a_resend_is_allowed(rig):
    rig.server.plan = ["422"]
    session = await typed_and_sent(rig)
    assert session.mode == Mode.EDITING and session.note.startswith("Not sent:")
    assert rig.store.load(CID).state == EDITING and rig.kinds() == [Happened.NOT_SENT]
    assert session.request_send(session.draft.text)
    await rig.scheduler.settle()
    assert session.mode == Mode.SENT and len(rig.server.posts) == 2


async def test_sending_to_editing_when_it_provably_never_left(rig):
    rig.server.plan = ["refused"]
    session = await typed_and_sent(rig)
    assert session.mode == Mode.EDITING and "connection refused" in session.note
    assert not session.locked


@pytest.mark.parametrize("failure", ["lost", "late", "500"])
async def test_sending_to_unknown_when_the_answer_is_lost_and_the_reply_is_not_there(rig, failure):
    rig.server.plan = [failure]
    session = await typed_and_sent(rig)
    assert session.mode == Mode.UNKNOWN and session.locked
    assert rig.store.load(CID).state == DELIVERY_UNKNOWN
    assert rig.kinds() == [Happened.UNKNOWN]
    assert not session.request_send("again")  # ctrl+s can never resend it
    assert rig.scheduler.pending_delays() == [RECHECK_DELAYS[0]]
    assert len(rig.server.posts) == 1


async def test_an_unexpected_error_while_sending_takes_the_state_from_disk(rig):
    rig.server.plan = ["lost"]
    rig.server.get_bugs = 1  # the look after the lost answer hits a bug
    session = await typed_and_sent(rig)
    # The POST may have left: the draft on disk says "sending", so it is unknown, and looked for later.
    assert session.mode == Mode.UNKNOWN and Happened.FAILED in rig.kinds()
    assert rig.scheduler.pending_delays() == [RECHECK_DELAYS[0]]


# -- checks and rechecks ---------------------------------------------------------------------------------


async def test_unknown_to_checking_to_sent_when_a_recheck_finds_a_late_commit(rig):
    rig.server.plan = ["late"]
    session = await typed_and_sent(rig)
    assert session.mode == Mode.UNKNOWN
    rig.server.commit_late()  # the server stores it after the client gave up
    await rig.scheduler.advance(RECHECK_DELAYS[0])
    assert session.mode == Mode.SENT and rig.store.load(CID) is None
    sent = [e for e in rig.events if e.kind == Happened.SENT]
    assert sent and sent[0].earlier and sent[0].conversation is not None
    assert len(rig.server.posts) == 1


async def test_rechecks_back_off_then_repeat_every_five_minutes(rig):
    rig.server.plan = ["lost"]
    session = await typed_and_sent(rig)
    seen = []
    for _ in range(7):
        (delay,) = rig.scheduler.pending_delays()
        seen.append(delay)
        await rig.scheduler.advance(delay)
        assert session.mode == Mode.UNKNOWN
    assert seen == [5.0, 15.0, 45.0, 120.0, 300.0, 300.0, 300.0]
    assert rig.store.load(CID).checks == 8  # the first look, then seven rechecks
    assert rig.server.posts and len(rig.server.posts) == 1


async def test_unknown_to_checking_to_unknown_on_a_users_check(rig):
    rig.server.plan = ["lost"]
    session = await typed_and_sent(rig)
    assert session.check_now("user")
    assert session.mode == Mode.CHECKING and session.facts().checking
    await rig.scheduler.settle()
    assert session.mode == Mode.UNKNOWN
    last = rig.events[-1]
    assert last.kind == Happened.STILL_UNKNOWN and last.reason == "user"
    facts = session.facts()
    assert facts.checks == 2 and facts.sent_at is not None and "not in the conversation" in facts.last_result


async def test_a_check_that_cannot_reach_the_server_stays_unknown(rig):
    rig.server.plan = ["lost"]
    rig.server.get_failures = 1
    session = await typed_and_sent(rig)
    assert session.mode == Mode.UNKNOWN and "could not be asked" in session.note


async def test_checking_to_editing_when_the_conversation_is_gone(rig):
    rig.server.plan = ["lost"]
    session = await typed_and_sent(rig)
    rig.server.gone = True
    session.check_now("user")
    await rig.scheduler.settle()
    assert session.mode == Mode.EDITING and "no longer exists" in session.note


async def test_unknown_to_sending_on_send_anyway_posts_the_same_html_once(rig):
    rig.server.plan = ["lost"]
    session = await typed_and_sent(rig)
    first = rig.server.posts[0]
    assert session.send_anyway()
    await rig.scheduler.settle()
    assert session.mode == Mode.SENT and rig.server.posts == [first, first]
    assert rig.scheduler.pending_delays() == []  # no recheck left behind


async def test_send_anyway_during_a_check_waits_and_does_not_post_if_the_check_finds_it(rig):
    rig.server.plan = ["late"]
    session = await typed_and_sent(rig)
    rig.server.commit_late()
    session.check_now("user")
    assert session.send_anyway()  # asked while the check is in flight
    await rig.scheduler.settle()
    assert session.mode == Mode.SENT and len(rig.server.posts) == 1


async def test_send_anyway_during_a_check_that_finds_nothing_sends(rig):
    rig.server.plan = ["lost"]
    session = await typed_and_sent(rig)
    session.check_now("user")
    session.send_anyway()
    await rig.scheduler.settle()
    assert session.mode == Mode.SENT and len(rig.server.posts) == 2


# -- autosave --------------------------------------------------------------------------------------------


async def test_edits_reach_the_disk_within_the_save_delay_however_long_the_typing(rig):
    session = rig.session()
    session.edit("D")
    await rig.scheduler.advance(SAVE_DELAY / 2)
    session.edit("De")
    assert rig.store.load(CID) is None
    await rig.scheduler.advance(SAVE_DELAY / 2)  # not restarted by the second key
    await rig.scheduler.settle()
    assert rig.store.load(CID).text == "De"
    assert session.save_note.startswith("draft saved")
    assert Happened.DRAFTS_CHANGED in [e.kind for e in rig.events]


async def test_flush_writes_at_once_and_an_emptied_draft_is_forgotten_on_close(rig):
    session = rig.session()
    session.edit("Half a thought")
    assert session.flush() and rig.store.load(CID).text == "Half a thought"
    session.edit("")
    session.close()
    assert rig.store.load(CID) is None


async def test_a_disk_that_refuses_is_said_and_tried_again(rig, monkeypatch):
    session = rig.session()

    def full(draft: Draft) -> bool:
        raise DraftError("The disk is full: the draft could not be saved.")

    monkeypatch.setattr(rig.store, "save", full)
    session.edit("Important")
    assert not session.flush()
    assert session.save_note == "NOT SAVED" and rig.kinds() == [Happened.SAVE_FAILED]
    monkeypatch.undo()
    assert session.flush() and rig.store.load(CID).text == "Important"


# -- the signature ---------------------------------------------------------------------------------------


async def test_a_signature_that_cannot_load_ends_in_words_not_loading_and_can_be_retried(rig):
    import httpx

    rig.server.inbox_error = httpx.DecodingError("broken gzip")  # escapes the client's error tree
    session = rig.session()
    session.load_signature()
    await rig.scheduler.settle()
    assert session.signature_state == "failed" and "DecodingError" in session.signature_error
    rig.server.inbox_error = None
    session.load_signature()
    await rig.scheduler.settle()
    assert session.signature_state == "ready" and session.signature.text == "Maya Okafor"
    assert session.draft.from_name == "Maya Okafor"


async def test_a_reply_never_leaves_without_the_signature_it_should_carry(rig):
    rig.server.inbox_error = ReachkitError("Reachkit had a server error (HTTP 503).")
    session = rig.session()
    assert session.request_send("Needs my signature")
    await rig.scheduler.settle()
    assert session.mode == Mode.EDITING and session.note_is_signature
    assert session.note.startswith("Not sent: your signature could not be loaded (")
    assert rig.server.posts == []
    session.set_signature(False)  # the user chooses to send it without
    session.request_send("Needs my signature")
    await rig.scheduler.settle()
    assert session.mode == Mode.SENT and rig.server.posts == ["<div><p>Needs my signature</p></div>"]


# -- the workspace's sessions ---------------------------------------------------------------------------


async def test_at_start_up_every_unsettled_reply_is_checked_and_told(rig):
    sessions = ReplySessions(rig.services)
    sessions.events.connect(rig.events.append)
    draft = pending_draft(rig, "Sent before the crash", SENDING)
    rig.server._store(draft.sent_html)  # it did arrive
    await sessions.resume_pending()
    assert rig.store.load(CID) is None
    sent = [e for e in rig.events if e.kind == Happened.SENT]
    assert sent and sent[0].earlier and sent[0].session.lead == LEAD
    assert rig.server.posts == []


async def test_at_start_up_a_reply_still_not_found_stays_unknown_and_is_rechecked(rig):
    sessions = ReplySessions(rig.services)
    sessions.events.connect(rig.events.append)
    pending_draft(rig, "Lost in a queue", DELIVERY_UNKNOWN)
    await sessions.resume_pending()
    (event,) = [e for e in rig.events if e.kind == Happened.STILL_UNKNOWN]
    assert event.reason == "startup"
    assert sessions.get(CID).mode == Mode.UNKNOWN and rig.scheduler.pending_delays() == [RECHECK_DELAYS[0]]


async def test_stop_ends_every_timer_and_no_recheck_follows(rig):
    sessions = ReplySessions(rig.services)
    pending_draft(rig, "Lost in a queue", DELIVERY_UNKNOWN)
    await sessions.resume_pending()
    gets = rig.server.gets
    sessions.stop()
    await rig.scheduler.advance(600)
    assert rig.server.gets == gets and rig.scheduler.pending_delays() == []


async def test_opening_an_unsettled_draft_looks_for_it_first(rig):
    sessions = ReplySessions(rig.services)
    pending_draft(rig, "Was it sent?", DELIVERY_UNKNOWN)
    session = sessions.open(rig.server.conversation())
    assert session.mode == Mode.CHECKING
    await rig.scheduler.settle()
    assert session.mode == Mode.UNKNOWN and sessions.open(rig.server.conversation()) is session
    assert rig.server.gets == 1  # the live session is not checked again on every open


# -- the send guard for snippet variables, and the journal ------------------------------------------------


async def test_a_variable_left_unfilled_is_never_sent_whatever_path_leads_to_the_post(rig):
    from dataclasses import replace

    session = rig.session()
    assert not session.request_send("Hi {first_name},\n\nsee you {Day}.")
    assert session.mode == Mode.EDITING and rig.server.posts == []
    assert session.note == ("Not sent: {first_name} (line 1, column 4), {Day} (line 3, column 9) not filled in. "
                            "Fill them in or remove them.")
    # The text about to go out is checked again at the POST itself (here changed behind the countdown).
    rig.delay[0] = 5
    assert session.request_send("Hi Dana")
    session.draft = replace(session.draft, text="Hi {{first_name}}")
    await rig.scheduler.advance(6)
    assert rig.server.posts == [] and session.mode == Mode.EDITING
    assert session.note.startswith("Not sent: {first_name} (line 1, column 5)")
    assert session.request_send("Hi Dana, {{ two words }} and {a b} go out as written.")
    await rig.scheduler.advance(6)
    assert len(rig.server.posts) == 1 and session.mode == Mode.SENT


async def test_a_confirmed_reply_is_journalled_with_what_it_answered(rig):
    from unibox_tui.store.journal import Replied

    journal: list = []
    rig.services.journal = journal.append
    before = rig.server.conversation()
    await typed_and_sent(rig)
    [entry] = journal
    assert isinstance(entry, Replied) and entry.conversation_id == CID and entry.at == rig.clock.time()
    assert entry.answered_at == before.latest_incoming.email_date.timestamp()
