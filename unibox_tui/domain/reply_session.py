"""One reply being written and sent: the state machine behind the composer, without a UI.

::

    editing ──request_send──> countdown ──send_delay (or send_now)──> sending ──found/2xx──> sent
       ^   <────── undo ──────────┘                                      │
       ├──── refused (4xx), never left, no signature, no client ─────────┤
       │                                                                 │ lost answer, not found
       │                                                                 v
       │       checking <── 5 s, 15 s, 45 s, 2 min, 5 min, then every 5 min; check_now ── unknown
       │          │ found ──> sent          not found / server unreachable ──> unknown      │
       └──────────┘ the conversation is gone                 send_anyway (explicit) ──> sending

Autosave: every edit reaches the disk within ``SAVE_DELAY`` (the timer is not restarted by more
typing), and at once on ``flush``. Everything is given: the workspace's client (built lazily), its
drafts store and inbox directory, a wall clock, a scheduler for timers and background work, and
the send delay. Listeners hear ``changed`` (draw again) and ``events`` (something to tell the user).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Final, Literal, Protocol

from ..api.errors import ReachkitError
from ..render.compose import compose_reply_html
from ..render.signature import SafeSignature, prepare_signature
from ..render.thread import person
from ..store.drafts import Draft, DraftError, DraftStore
from ..store.journal import Entry, Replied
from ..store.outbox import Outbox, SendOutcome, SendStatus
from .signal import Signal
from .snippets import location, unfilled_placeholders
from .summary import reply_entry

if TYPE_CHECKING:
    from ..api.models import Conversation, Inbox, Message
    from ..clock import Clock
    from ..store.inbox_directory import InboxDirectory
    from .scheduler import Cancellable, Scheduler

__all__ = [
    "RECHECK_DELAYS",
    "SAVE_DELAY",
    "DeliveryFacts",
    "Happened",
    "Mode",
    "ReplyClient",
    "ReplyEvent",
    "ReplyServices",
    "ReplySession",
]

log = logging.getLogger(__name__)

#: The longest a change waits before it is written to disk.
SAVE_DELAY: Final = 1.0
#: While delivery is unknown the server is asked again after these pauses, then every last one.
RECHECK_DELAYS: Final = (5.0, 15.0, 45.0, 120.0, 300.0)

SignatureState = Literal["loading", "ready", "none", "failed"]


class Mode(StrEnum):
    EDITING = "editing"
    COUNTDOWN = "countdown"
    SENDING = "sending"
    CHECKING = "checking"
    UNKNOWN = "unknown"
    SENT = "sent"


#: The text cannot change in these modes (a reply is leaving, or may have left).
LOCKED: Final = frozenset({Mode.COUNTDOWN, Mode.SENDING, Mode.CHECKING, Mode.UNKNOWN})


class Happened(StrEnum):
    SENT = "sent"  # the server has it (answered, or found by a check)
    NOT_SENT = "not_sent"  # refused, never left, no signature, not connected: back to editing
    UNKNOWN = "unknown"  # a send whose answer was lost, not found by the first look
    STILL_UNKNOWN = "still_unknown"  # a later check did not find it either
    UNDONE = "undone"  # the countdown was undone
    DRAFTS_CHANGED = "drafts_changed"  # a draft file appeared or went away
    SAVE_FAILED = "save_failed"  # the disk refused the draft
    PROBLEM = "problem"  # a damaged draft file was set aside
    RELEASED = "released"  # the composer let go of this session
    FAILED = "failed"  # something unexpected (a bug): the state was taken from disk again


@dataclass(frozen=True, slots=True)
class ReplyEvent:
    kind: Happened
    #: ``None`` for news about no reply in particular (a damaged draft file set aside).
    session: ReplySession | None
    detail: str = ""
    message: Message | None = None
    conversation: Conversation | None = None
    #: An attempt from before this moment (a recheck, or one left by the last run).
    earlier: bool = False
    #: What started a check: "startup", "open", "user" or "backoff".
    reason: str = ""
    error: BaseException | None = None


@dataclass(frozen=True, slots=True)
class DeliveryFacts:
    """What is known about a reply whose delivery is unknown (said before "send anyway")."""

    sent_at: float | None
    checks: int
    checked_at: float | None
    last_result: str
    next_check_in: float | None
    checking: bool


class ReplyClient(Protocol):
    """What a reply needs of the Reachkit client."""

    async def get_conversation(self, conversation_id: str) -> Conversation: ...

    async def reply(self, conversation_id: str, content: str) -> Message: ...

    async def list_inboxes(self) -> list[Inbox]: ...


@dataclass(slots=True)
class ReplyServices:
    """What every reply of one workspace shares (the workspace builds it once)."""

    client: Callable[[], ReplyClient | None]
    drafts: DraftStore
    inboxes: InboxDirectory
    clock: Clock
    scheduler: Scheduler
    send_delay: Callable[[], float]
    #: ``None``: ``RECHECK_DELAYS``, read when a check is scheduled.
    recheck_delays: tuple[float, ...] | None = None
    #: Hears every reply the server confirmed (the day summary's journal); must not raise.
    journal: Callable[[Entry], None] | None = None


def _words(error: BaseException) -> str:
    return str(error) if isinstance(error, ReachkitError) else f"unexpected {type(error).__name__}"


def unfilled_note(text: str) -> str:
    """Why ``text`` cannot be sent ("" when it can): every ``{variable}`` left, with where it is.

    The send path's last guard (``domain/snippets.py``): a snippet variable that could not be
    filled is never mailed as ``{first_name}``, whatever put it in the text.
    """
    left = unfilled_placeholders(text)
    if not left:
        return ""
    places = []
    for placeholder in left[:3]:
        row, column = location(text, placeholder.start)
        places.append(f"{placeholder.written} (line {row + 1}, column {column + 1})")
    more = f" and {len(left) - 3} more" if len(left) > 3 else ""
    noun = "it" if len(left) == 1 else "them"
    return f"Not sent: {', '.join(places)}{more} not filled in. Fill {noun} in or remove {noun}."


class ReplySession:
    """The reply to one conversation: its draft, its send state, its signature."""

    def __init__(
        self, services: ReplyServices, draft: Draft, conversation: Conversation | None = None, *, on_disk: bool = False
    ) -> None:
        self.services = services
        self.conversation_id = draft.conversation_id
        self.conversation = conversation
        self.draft = draft
        self.mode = Mode.UNKNOWN if draft.pending else Mode.EDITING
        #: The last outcome in words (cleared by the next edit).
        self.note = draft.note
        #: The note is "no signature": the view adds how to retry or send without it.
        self.note_is_signature = False
        self.save_note = ""
        self.signature = SafeSignature()
        self.signature_state: SignatureState = "loading"
        self.signature_error = ""
        self.inbox: Inbox | None = None
        #: Monotonic times: when a countdown ends, when the next recheck is due.
        self.deadline: float | None = None
        self.next_check_at: float | None = None
        self.changed: Signal[ReplySession] = Signal()
        self.events: Signal[ReplyEvent] = Signal()
        self._dirty = False
        #: Whether the draft has a file (the drafts count changes when that changes).
        self._existed = on_disk
        self._save_timer: Cancellable | None = None
        self._countdown: Cancellable | None = None
        self._recheck: Cancellable | None = None
        self._task: Cancellable | None = None
        self._idle: asyncio.Event | None = None
        self._recheck_step = 0
        self._known: Conversation | None = None
        self._with_signature = True
        self._anyway_after_check = False
        #: Seconds left of a countdown paused while a question is asked (quitting).
        self._held: float | None = None
        self._stopped = False

    # -- what the views read ---------------------------------------------------------------------

    @property
    def lead(self) -> str:
        draft, conversation = self.draft, self.conversation
        if conversation is not None and (conversation.lead_name or conversation.lead_email):
            return person(conversation.lead_name, conversation.lead_email, max_chars=60)
        if draft.to_name or draft.to_email:
            return person(draft.to_name, draft.to_email, max_chars=60)
        return "the lead"

    @property
    def locked(self) -> bool:
        return self.mode in LOCKED

    @property
    def on_its_way(self) -> bool:
        """Counting down or in flight: quitting now would lose or cut it."""
        return self.mode in (Mode.COUNTDOWN, Mode.SENDING)

    @property
    def working(self) -> bool:
        """A request (send or check) is in flight."""
        return self.mode in (Mode.SENDING, Mode.CHECKING)

    def countdown_left(self) -> int:
        if self._held is not None:
            return max(0, int(self._held + 0.999))
        if self.deadline is None:
            return 0
        return max(0, int(self.deadline - self.services.scheduler.now() + 0.999))

    def facts(self) -> DeliveryFacts:
        draft, now = self.draft, self.services.scheduler.now()
        next_in = None if self.next_check_at is None else max(0.0, self.next_check_at - now)
        return DeliveryFacts(draft.started_at, draft.checks, draft.checked_at, draft.check_result, next_in,
                             self.mode == Mode.CHECKING)

    def attach(self, conversation: Conversation) -> None:
        """The conversation as the screen has it now (its inbox, lead and subject)."""
        if conversation.id == self.conversation_id:
            self.conversation = conversation

    # -- editing and autosave --------------------------------------------------------------------

    def edit(self, text: str) -> None:
        if self.mode != Mode.EDITING or text == self.draft.text:
            return
        self.draft = replace(self.draft, text=text)
        self._dirty = True
        if self._save_timer is None:
            # Not restarted by further typing: a long burst is saved every SAVE_DELAY, not at its end.
            self._save_timer = self.services.scheduler.call_later(SAVE_DELAY, self._autosave)
        if self.note:
            self.note, self.note_is_signature = "", False  # the last failure is old news once they edit
            self._changed()

    def set_signature(self, on: bool) -> None:
        if self.mode == Mode.EDITING and self.draft.signature != on:
            self.draft = replace(self.draft, signature=on)
            self._dirty = True
            self.flush()
            self._changed()

    def set_reminder(self, choice: str) -> None:
        """"Remind me if no reply" (``off``, ``2d``, ``4d``, ``1w``): kept with the draft, and
        recorded by whoever listens when the server confirms the reply (``Happened.SENT``)."""
        if self.mode in (Mode.EDITING, Mode.COUNTDOWN) and self.draft.remind != choice:
            self.draft = replace(self.draft, remind=choice)
            self._dirty = True
            self.flush()
            self._changed()

    def _autosave(self) -> None:
        self._save_timer = None
        snapshot = self._snapshot()
        if snapshot is not None:
            self._spawn(self._write(snapshot), "Saving the draft", track=False)

    def _snapshot(self) -> Draft | None:
        """The draft as typed, with a new revision; None if there is nothing new to write."""
        if not self._dirty or self.draft.pending or self.mode == Mode.SENT:
            return None
        self._dirty = False
        self.draft = self.services.drafts.bump(self.draft, note="")
        return self.draft

    async def _write(self, draft: Draft) -> None:
        # In a thread: fsync can take a while. If the app quits meanwhile the write still ends.
        try:
            await asyncio.to_thread(self._store, draft)
        except DraftError as error:
            self._save_failed(error)
            return
        self._saved(draft)

    def _store(self, draft: Draft) -> None:
        """Write (or, once emptied, remove) a draft; any thread."""
        if draft.is_blank:
            self.services.drafts.delete(draft.conversation_id, revision=draft.revision)
        else:
            self.services.drafts.save(draft)

    def _saved(self, draft: Draft) -> None:
        stamp = datetime.fromtimestamp(self.services.clock.time()).strftime("%H:%M:%S")
        self.save_note = "" if draft.is_blank else f"draft saved {stamp}"
        exists = not draft.is_blank
        if self._existed != exists:
            self._existed = exists
            self._tell(Happened.DRAFTS_CHANGED)
        self._changed()

    def _save_failed(self, error: DraftError) -> None:
        self._dirty = True  # tried again with the next change, or on close
        self.save_note = "NOT SAVED"
        self._tell(Happened.SAVE_FAILED, str(error))
        self._changed()

    def flush(self, *, quiet: bool = False) -> bool:
        """Write pending changes now, in this thread (close, quit, $EDITOR, sending); False if the disk refused.

        ``quiet``: the app is going away, so nobody is told (the failure is logged).
        """
        self._stop("_save_timer")
        snapshot = self._snapshot()
        if snapshot is None:
            return True
        try:
            self._store(snapshot)
        except DraftError as error:
            log.error("draft not saved: %s", error)
            if quiet:
                self._dirty = True
            else:
                self._save_failed(error)
            return False
        if not quiet:
            self._saved(snapshot)
        return True

    def close(self) -> None:
        """The composer lets go: save, forget an emptied draft, and let the workspace drop an idle session."""
        self.flush()
        if self.mode == Mode.EDITING and self.draft.is_blank and self._existed:
            try:
                self.services.drafts.delete(self.conversation_id, revision=self.draft.revision + 1)
            except DraftError:
                pass
            else:
                self._existed = False
                self._tell(Happened.DRAFTS_CHANGED)
        self._tell(Happened.RELEASED)

    # -- sending -----------------------------------------------------------------------------------

    def request_send(self, text: str, *, known: Conversation | None = None) -> bool:
        """``ctrl+s`` while editing: count down (or send at once); False if there is nothing to send."""
        if self.mode != Mode.EDITING or not text.strip():
            return False
        self.edit(text)
        if self._refuse_unfilled(self.draft.text):
            return False
        self._dirty = True  # on disk before anything can leave, whatever was saved before
        if not self.flush():
            return False  # the disk refused: nothing leaves that a crash could lose (the user is told)
        self._known = known or self.conversation
        self._with_signature = self.draft.signature and self.signature_state != "none"
        self.note, self.note_is_signature = "", False
        delay = self.services.send_delay()
        if delay > 0:
            self.mode = Mode.COUNTDOWN
            self.deadline = self.services.scheduler.now() + delay
            self._countdown = self.services.scheduler.call_later(delay, self._launch)
            self._changed()
        else:
            self._launch()
        return True

    def _refuse_unfilled(self, text: str) -> bool:
        """Refuse (note, back to editing) when ``text`` still holds a ``{variable}``."""
        note = unfilled_note(text)
        if not note:
            return False
        self.mode, self.note, self.note_is_signature = Mode.EDITING, note, False
        self._tell(Happened.NOT_SENT, note)
        self._changed()
        return True

    def undo(self) -> bool:
        if self.mode != Mode.COUNTDOWN:
            return False
        self._stop("_countdown")
        self.deadline = self._held = None
        self.mode = Mode.EDITING
        self._tell(Happened.UNDONE, "Not sent: your reply is back in the editor.")
        self._changed()
        return True

    def send_now(self) -> bool:
        """End a countdown early (quitting with "send now")."""
        if self.mode != Mode.COUNTDOWN:
            return False
        self._stop("_countdown")
        self._launch()
        return True

    def hold(self) -> bool:
        """Pause a countdown while the user is asked something (quitting): nothing leaves meanwhile."""
        if self.mode != Mode.COUNTDOWN or self._countdown is None or self.deadline is None:
            return False
        self._stop("_countdown")
        self._held = max(0.0, self.deadline - self.services.scheduler.now())
        self._changed()
        return True

    def resume(self) -> None:
        """Carry on with a held countdown, with the time it had left."""
        if self.mode != Mode.COUNTDOWN or self._held is None:
            return
        delay, self._held = self._held, None
        self.deadline = self.services.scheduler.now() + delay
        self._countdown = self.services.scheduler.call_later(delay, self._launch)
        self._changed()

    def _launch(self) -> None:
        self._countdown, self.deadline, self._held = None, None, None
        self.mode = Mode.SENDING
        self._changed()
        self._spawn(self._send(anyway=False), "Sending the reply")

    def send_anyway(self) -> bool:
        """The user's explicit choice while delivery is unknown: send again (after a running check)."""
        if self.mode == Mode.CHECKING:
            self._anyway_after_check = True
            return True
        if self.mode != Mode.UNKNOWN:
            return False
        self._stop("_recheck")
        self.next_check_at = None
        self.mode = Mode.SENDING
        self._changed()
        self._spawn(self._send(anyway=True), "Sending the reply")
        return True

    async def _send(self, *, anyway: bool) -> None:
        client = self.services.client()
        if client is None:
            self._settle(SendOutcome(SendStatus.NOT_DELIVERED, self.draft, "Not connected: nothing was sent."))
            return
        try:
            outcome = await self._post(client, anyway=anyway)
        except asyncio.CancelledError:
            raise  # quitting or switching: a "sending" draft on disk is checked at the next start
        except Exception as error:  # noqa: BLE001 - a bug must not leave the reply locked for good
            log.exception("sending failed unexpectedly")
            self._recover(error)
            return
        if outcome is not None:
            self._settle(outcome)

    async def _post(self, client: ReplyClient, *, anyway: bool) -> SendOutcome | None:
        outbox = Outbox(client, self.services.drafts, clock=self.services.clock.time)  # type: ignore[arg-type]
        if anyway and self.draft.sent_html:
            return await outbox.send_anyway(self.draft, self.draft.sent_html, known=self._known or self.conversation)
        if self._refuse_unfilled(self.draft.text):
            return None  # the exact text about to go out: checked again here, whatever path led here
        signature = await self._signature_html() if self._with_signature else ""
        if signature is None:
            self._unsigned()
            return None
        html = compose_reply_html(self.draft.text, signature)
        send = outbox.send_anyway if anyway else outbox.send
        return await send(self.draft, html, known=self._known)

    def _unsigned(self) -> None:
        """Not sent: the signature it should carry is unknown (a reply never loses it unnoticed)."""
        why = f" ({self.signature_error})" if self.signature_error else ""
        self.mode = Mode.EDITING
        self.note, self.note_is_signature = f"Not sent: your signature could not be loaded{why}.", True
        self._tell(Happened.NOT_SENT, self.note)
        self._changed()

    # -- checking ----------------------------------------------------------------------------------

    def check_now(self, reason: str = "user") -> bool:
        """Ask the server now whether an attempt whose delivery is unknown arrived."""
        if self.mode != Mode.UNKNOWN or self._stopped:
            return False
        self._stop("_recheck")
        self.next_check_at = None
        self.mode = Mode.CHECKING
        self._changed()
        self._spawn(self._check(reason), "Checking delivery")
        return True

    async def _check(self, reason: str) -> None:
        client = self.services.client()
        if client is None:
            self._still_unknown("Not connected: the server could not be asked.", reason)
            return
        try:
            outcome = await Outbox(client, self.services.drafts, clock=self.services.clock.time).check(self.draft)  # type: ignore[arg-type]
        except asyncio.CancelledError:
            raise
        except Exception as error:  # noqa: BLE001 - still unknown; asked again later
            log.exception("checking delivery failed unexpectedly")
            self._still_unknown(f"The check failed: {_words(error)}.", reason, error)
            return
        self._settle(outcome, earlier=True, reason=reason)

    def _still_unknown(self, detail: str, reason: str, error: BaseException | None = None) -> None:
        self.mode = Mode.UNKNOWN
        self.note = detail
        self._schedule_recheck()
        self._tell(Happened.FAILED if error is not None else Happened.STILL_UNKNOWN, detail, reason=reason, error=error)
        self._changed()

    def _schedule_recheck(self) -> None:
        if self._stopped:
            return
        delays = self.services.recheck_delays or RECHECK_DELAYS
        delay = delays[min(self._recheck_step, len(delays) - 1)]
        self._recheck_step += 1
        self._stop("_recheck")
        scheduler = self.services.scheduler
        self.next_check_at = scheduler.now() + delay
        self._recheck = scheduler.call_later(delay, lambda: self.check_now("backoff"))

    # -- outcomes ------------------------------------------------------------------------------------

    def _settle(self, outcome: SendOutcome, *, earlier: bool = False, reason: str = "") -> None:
        """Take what became of an attempt or a check, and tell the listeners."""
        anyway, self._anyway_after_check = self._anyway_after_check, False
        if outcome.sent:
            self._sent(outcome, earlier)
        elif outcome.status == SendStatus.UNKNOWN and outcome.draft is not None:
            self.draft, self.mode, self.note = outcome.draft, Mode.UNKNOWN, outcome.detail
            if not earlier:
                self._recheck_step = 0
            self._schedule_recheck()
            self._tell(Happened.STILL_UNKNOWN if earlier else Happened.UNKNOWN, outcome.detail, reason=reason,
                       earlier=earlier)
            self._changed()
            if anyway:
                self.send_anyway()
        else:
            self.draft = outcome.draft or self.draft
            self.mode, self.note = Mode.EDITING, outcome.detail
            self._tell(Happened.NOT_SENT, outcome.detail, error=outcome.error, earlier=earlier)
            self._changed()

    def _sent(self, outcome: SendOutcome, earlier: bool) -> None:
        self._journal_reply(outcome)
        self._stop_timers()
        self.mode, self.note, self._dirty, self._existed = Mode.SENT, "", False, False
        self._changed()
        self._tell(Happened.SENT, outcome.detail, message=outcome.message, conversation=outcome.conversation,
                   earlier=earlier)
        self._tell(Happened.DRAFTS_CHANGED)

    def _journal_reply(self, outcome: SendOutcome) -> None:
        """The day summary's record of this reply: what it answered, as it was before the reply."""
        journal = self.services.journal
        if journal is None:
            return
        before = self._known or self.conversation
        at = self.services.clock.time()
        journal(reply_entry(before, at) if before is not None else Replied(self.conversation_id, at))

    def _recover(self, error: BaseException) -> None:
        """After an unexpected failure: take the draft's state from disk (and look if one is owed)."""
        on_disk = self.services.drafts.load(self.conversation_id)
        if on_disk is not None:
            self.draft = on_disk
        if self.draft.pending:
            self._still_unknown(f"Something went wrong ({_words(error)}); the reply may have left.", "", error)
        else:
            self.mode = Mode.EDITING
            self._tell(Happened.FAILED, f"Not sent: {_words(error)}.", error=error)
            self._changed()

    # -- the signature -------------------------------------------------------------------------------

    def load_signature(self) -> None:
        """The From name and signature of the conversation's inbox; always ends ready, none or failed."""
        directory = self.services.inboxes
        if directory.loaded:
            self._adopt_inbox()
        else:
            self.signature_state = "loading"
        if not directory.fresh:
            self._spawn(self._load_inboxes(), "Loading inboxes", track=False)
        self._changed()

    async def _load_inboxes(self) -> None:
        if await self._ensure_inboxes():
            self._adopt_inbox()
        self._changed()

    async def _ensure_inboxes(self) -> bool:
        """Load the inbox directory; on failure say why in ``signature_error`` (False unless an older list serves)."""
        client = self.services.client()
        directory = self.services.inboxes
        if client is None:
            return self._signature_failed("not connected") or directory.loaded
        try:
            await directory.ensure(client)  # type: ignore[arg-type]
        except asyncio.CancelledError:
            raise
        except Exception as error:  # noqa: BLE001 - any failure ends in words and a retry, never "loading"
            log.info("inboxes could not be loaded: %r", error)
            if not directory.loaded:
                return self._signature_failed(_words(error))
        return True

    def _signature_failed(self, why: str) -> bool:
        self.signature_state, self.signature_error = "failed", why
        return False

    def _adopt_inbox(self) -> None:
        conversation = self._known or self.conversation
        inbox = self.services.inboxes.by_email(conversation.inbox_email) if conversation else None
        self.inbox, self.signature_error = inbox, ""
        self.signature = prepare_signature(inbox.signature if inbox else "")
        self.signature_state = "ready" if self.signature else "none"
        if inbox is not None and inbox.display_name != self.draft.from_name:
            self.draft = replace(self.draft, from_name=inbox.display_name)

    async def _signature_html(self) -> str | None:
        """The signature to send (waiting for the inboxes if need be); None when it cannot be known."""
        if not self.services.inboxes.loaded and not await self._ensure_inboxes():
            self._changed()
            return None
        self._adopt_inbox()
        return self.signature.html

    # -- lifetime ------------------------------------------------------------------------------------

    def stop(self) -> None:
        """The workspace goes away: no more timers or requests (a reply in flight stays "sending" on disk)."""
        self._stopped = True
        self._stop_timers()
        self._stop("_task")

    async def wait_until_idle(self, timeout: float) -> bool:
        """Wait (at most ``timeout`` s) for the send or check in flight; True if nothing is left."""
        idle = self._idle
        if idle is None or idle.is_set():
            return True
        try:
            await asyncio.wait_for(idle.wait(), timeout)
        except TimeoutError:
            return False
        return True

    def _stop_timers(self) -> None:
        for name in ("_save_timer", "_countdown", "_recheck"):
            self._stop(name)
        self.deadline = self.next_check_at = None

    def _stop(self, name: str) -> None:
        handle = getattr(self, name)
        if handle is not None:
            handle.cancel()
            setattr(self, name, None)

    def _spawn(self, work: Coroutine[Any, Any, None], name: str, *, track: bool = True) -> None:
        """Run ``work`` in the background; ``track``: it is the send or check quitting waits for."""
        if self._stopped:
            work.close()
            return
        if not track:
            self.services.scheduler.spawn(work, name=name)
            return
        idle = self._idle = asyncio.Event()

        async def tracked() -> None:
            try:
                await work
            finally:
                idle.set()

        self._task = self.services.scheduler.spawn(tracked(), name=name)

    def _changed(self) -> None:
        self.changed.emit(self)

    def _tell(self, kind: Happened, detail: str = "", **more: Any) -> None:
        self.events.emit(ReplyEvent(kind, self, detail, **more))
