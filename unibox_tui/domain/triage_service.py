"""Triage as a service over the inbox model: labels, read state, block sender, undo.

Every action is optimistic: the model shows it at once, and the requests it still needs come
back as coroutines for the caller to run in the background; each ends in an ``Outcome`` for the
caller to put into words. A refusal rolls back what that request alone changed. Requests about
one conversation (or one blocklist address) run in the order they were made, so "label, then
undo" can never land reversed. When the server has no PATCH for conversations (404/405), labels
and read marks are kept on this machine instead (the model's local store).
"""

from __future__ import annotations

import asyncio
import itertools
import weakref
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field, replace
from functools import partial
from enum import Enum
from typing import TYPE_CHECKING, Any, Protocol

from ..api.errors import NotFoundError, UnsupportedError
from ..api.models import LABELS, BlocklistEntry, Conversation
from ..render.formatting import label_name
from ..render.sanitize import clean_line
from ..store.journal import Entry, Labelled, Unlabelled
from .bulk import Pacer
from .inbox_model import InboxModel
from .triage import Change, actionable, apply_change

if TYPE_CHECKING:
    from .triage_batch import Batch

__all__ = [
    "UNDO_DEPTH",
    "Action",
    "Outcome",
    "OutcomeKind",
    "Refusal",
    "Request",
    "TriageClient",
    "TriageService",
    "UndoEntry",
    "who",
]

#: Undo reaches back this many actions.
UNDO_DEPTH = 50

#: A request still to make: called (by whoever runs it in the background), it returns the outcome.
Request = Callable[[], Coroutine[Any, Any, "Outcome"]]


class TriageClient(Protocol):
    """What triage needs of ``ReachkitClient``."""

    @property
    def capabilities(self) -> Any: ...

    async def update_conversation(
        self, conversation_id: str, *, is_read: bool | None = None, label_override: str | None = None,
        clear_label: bool = False,
    ) -> Conversation | None: ...

    async def list_blocklist(self) -> list[BlocklistEntry]: ...

    async def add_to_blocklist(self, email: str) -> list[BlocklistEntry]: ...

    async def delete_blocklist_entry(self, entry_id: str) -> None: ...


class Refusal(Enum):
    """Why an action did nothing (the screen says it in words)."""

    NOT_LOADED = "not loaded"  # no copy of the conversation is loaded any more
    NO_OWN_LABEL = "no own label"  # clearing, but the label showing is the AI's
    NO_AI_LABEL = "no AI label"  # accepting, but the AI has no label the PATCH takes
    NOTHING_TO_MARK_UNREAD = "nothing to mark unread"  # the lead has not written yet
    NOTHING_TO_UNDO = "nothing to undo"


class OutcomeKind(Enum):
    NOTHING = "nothing"  # no session, or nothing of ours to undo
    SAVED = "saved"
    FAILED = "failed"  # refused: what this request set was rolled back
    LOCAL = "local"  # the server has no PATCH: kept on this machine
    BLOCKED = "blocked"
    ALREADY_BLOCKED = "already blocked"
    NOT_BLOCKED = "not blocked"
    UNBLOCKED = "unblocked"
    STILL_BLOCKED = "still blocked"


@dataclass(frozen=True, slots=True)
class Outcome:
    """How one request ended."""

    kind: OutcomeKind
    conversation_id: str = ""
    #: What the action was ("Interested on Dana Lee", "read mark"), or the blocked address.
    what: str = ""
    error: BaseException | None = None
    #: The first change kept on this machine: say why, once.
    first_local: bool = False


@dataclass(slots=True)
class UndoEntry:
    """One action that undo can take back: re-apply ``before``, and/or delete a blocklist entry."""

    kind: str  # "label", "read", "block", "batch" or "snooze"
    conversation_id: str
    before: Change
    what: str
    page: int
    raw: Conversation
    seq: int = 0
    block_value: str = ""
    block_ids: list[str] = field(default_factory=list)
    #: The address was on the blocklist already: undo must not delete someone else's entry.
    already_blocked: bool = False
    #: For kind "batch": the batch (``domain/triage_batch.py``) that one undo takes back whole.
    batch: Batch | None = None
    #: For an action this service does not own (kind "snooze"): what takes it back, all local.
    restore: Callable[[], None] | None = None


@dataclass(frozen=True, slots=True)
class Action:
    """What one triage action did at once, and the requests still to run."""

    refused: Refusal | None = None
    #: Move on to the next conversation needing triage.
    advance: bool = False
    requests: tuple[Request, ...] = ()
    #: The entry ``undo`` took back (its conversation is where the cursor goes back to).
    undone: UndoEntry | None = None
    #: Undoing a batch is a batch too (paced, with progress): the caller runs its ``execute``.
    batch: Batch | None = None


def who(conversation: Conversation) -> str:
    """The lead's name for a sentence, else the address; cleaned for one line."""
    return clean_line(conversation.lead_name, max_chars=40) or clean_line(conversation.lead_email, max_chars=60)


class TriageService:
    """Labels, read marks and blocks over ``model``, saved through ``client()``.

    ``client`` is asked each time (the workspace's client is built after the first frame and
    replaced when a refused key is replaced); ``None`` means no session. ``journal`` hears every
    label the server confirmed (or this machine kept) and every undo of one, for the day summary.
    Requests of a batch wait for ``pace`` (the ``pacer``'s budget, shared by every batch).
    """

    def __init__(
        self,
        model: InboxModel,
        client: Callable[[], TriageClient | None],
        *,
        mark_read_on_open: Callable[[], bool] = lambda: True,
        journal: Callable[[Entry], None] | None = None,
        pacer: Pacer | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.model = model
        self._client = client
        self._mark_read_on_open = mark_read_on_open
        self._journal = journal
        self.pacer = pacer or Pacer()
        self._sleep = sleep
        self._seq = itertools.count(1)
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()
        self._undo: list[UndoEntry] = []
        self._told_local = False

    # -- actions -----------------------------------------------------------------------------------

    def set_label(self, conversation_id: str, label: str | None) -> Action:
        """Set (or, with ``None``, clear) the manual label; a label also marks read and moves on."""
        raw = self.model.server_copy(conversation_id)
        if raw is None:
            return Action(Refusal.NOT_LOADED)
        before = self.model.manual_label(conversation_id)
        mark_read = label is not None and self.model.shown(raw).unread and self._mark_read_on_open()
        if before == label and not mark_read:
            return Action(Refusal.NO_OWN_LABEL) if label is None else Action(advance=True)
        change = Change(True, label, True if mark_read else None)
        what = f"{label_name(label)} on {who(raw)}" if label else f"cleared label of {who(raw)}"
        undo = self._undo_entry("label", raw, Change(True, before, False if mark_read else None), what)
        return Action(advance=label is not None, requests=self._change(raw, change, undo, journal="label"))

    def accept_label(self, conversation_id: str) -> Action:
        """Make the AI's label the user's own."""
        raw = self.model.server_copy(conversation_id)
        if raw is None:
            return Action(Refusal.NOT_LOADED)
        if raw.label not in LABELS:  # none, or a label the PATCH would refuse
            return Action(Refusal.NO_AI_LABEL)
        return self.set_label(conversation_id, raw.label)

    def toggle_read(self, conversation_id: str) -> Action:
        raw = self.model.server_copy(conversation_id)
        if raw is None:
            return Action(Refusal.NOT_LOADED)
        shown = self.model.shown(raw)
        if not shown.unread and shown.latest_incoming is None:
            return Action(Refusal.NOTHING_TO_MARK_UNREAD)
        read = shown.unread
        what = f"marked {'read' if read else 'unread'}: {who(raw)}"
        return Action(requests=self._change(raw, Change(read=read), self._undo_entry("read", raw, Change(read=not read), what)))

    def opened(self, conversation_id: str) -> Action:
        """The user opened a conversation: mark it read, as Reachkit's web app does (no undo)."""
        if not self._mark_read_on_open() or not actionable(conversation_id):
            return Action()
        raw = self.model.server_copy(conversation_id)
        if raw is None or not self.model.shown(raw).unread:
            return Action()
        return Action(requests=self._change(raw, Change(read=True), None))

    def block(self, conversation_id: str, value: str) -> Action:
        """Block ``value`` (the sender's address or ``@domain``), exactly as confirmed; moves on."""
        raw = self.model.server_copy(conversation_id)
        if raw is None:
            return Action(Refusal.NOT_LOADED)
        mark_read = self.model.shown(raw).unread and self._mark_read_on_open()
        entry = self._undo_entry("block", raw, Change(read=False if mark_read else None), f"block {value}")
        entry.block_value = value
        self._push(entry)
        with self.model.batch():
            self.model.set_blocked(conversation_id, True)
            requests = self._change(raw, Change(read=True), None) if mark_read else ()
        return Action(advance=True, requests=(*requests, partial(self._send_block, entry)))

    def undo(self) -> Action:
        """Take back the last action still on the stack (a failed one has left it)."""
        if not self._undo:
            return Action(Refusal.NOTHING_TO_UNDO)
        entry = self._undo.pop()
        if entry.batch is not None:
            return Action(undone=entry, batch=entry.batch.undo())
        if entry.restore is not None:
            entry.restore()
            return Action(undone=entry)
        conversation = self.model.server_copy(entry.conversation_id) or entry.raw
        requests: tuple[Request, ...] = ()
        with self.model.batch():
            if entry.kind == "block":
                self.model.set_blocked(entry.conversation_id, False)
                requests = (partial(self._send_unblock, entry),)
            if not entry.before.empty:
                journal = "unlabel" if entry.kind == "label" else ""
                requests = (*requests, *self._change(conversation, entry.before, None, journal=journal))
            else:
                self.model.restyle(entry.conversation_id)
        return Action(requests=requests, undone=entry)

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    # -- what a batch (domain/triage_batch.py) is made of ------------------------------------------

    @property
    def marks_read(self) -> bool:
        """Whether labelling (or opening) a conversation also marks it read (a setting)."""
        return self._mark_read_on_open()

    @property
    def connected(self) -> bool:
        return self._client() is not None

    def show_change(self, raw: Conversation, change: Change) -> int | None:
        """Show ``change`` at once; the number its request carries, or ``None`` when it was kept
        on this machine instead (the server has no PATCH: nothing to send)."""
        seq = next(self._seq)
        if self._patch_missing():
            self.model.keep_locally(raw, change)
            return None
        self.model.add_pending(raw, change, seq)
        return seq

    async def send_change(self, conversation_id: str, change: Change, seq: int) -> Outcome:
        """The request for a change ``show_change`` showed: confirmed, kept locally, or rolled back."""
        return await self._send(conversation_id, change, seq)

    def take_back(self, conversation_id: str, seq: int) -> None:
        """A change shown but never sent (a batch stopped before it): the view drops it."""
        self.model.settle_pending(conversation_id, seq, ok=False)

    async def pace(self) -> None:
        """Wait until the request budget allows one more request; every batch request asks here."""
        while (delay := self.pacer.delay(self.model.monotonic())) > 0:
            await self._sleep(delay)
        self.pacer.sent(self.model.monotonic())

    def slow_down(self, seconds: float) -> None:
        """The server said "too many requests": the budget pauses every batch for ``seconds``."""
        self.pacer.back_off(self.model.monotonic(), seconds)

    async def blocklist(self) -> list[BlocklistEntry]:
        """The blocklist as the server has it now (raises what the client raises)."""
        client = self._client()
        return await client.list_blocklist() if client is not None else []

    async def add_block(self, value: str) -> list[str]:
        """Block ``value`` (after the per-address lock); the ids of the entries created."""
        client = self._client()
        if client is None:
            raise ConnectionError("not connected")
        async with self._lock("block:" + value.lower()):
            created = await client.add_to_blocklist(value)
        return [item.id for item in created if item.id]

    async def remove_blocks(self, value: str, entry_ids: list[str]) -> None:
        client = self._client()
        if client is None:
            raise ConnectionError("not connected")
        async with self._lock("block:" + value.lower()):
            for entry_id in entry_ids:
                await client.delete_blocklist_entry(entry_id)

    def push_undo(self, entry: UndoEntry) -> None:
        self._push(entry)

    def drop_undo(self, entry: UndoEntry) -> None:
        """An entry with nothing left to take back (a batch the server refused whole)."""
        if entry in self._undo:
            self._undo.remove(entry)

    def note_label(self, conversation_id: str, label: str | None) -> None:
        """Journal a label the server confirmed (or this machine kept)."""
        self._write(Labelled(conversation_id, label, self.model.clock.time()))

    def note_unlabel(self, conversation_id: str) -> None:
        """Journal that the last label of this conversation was taken back (``u``)."""
        self._write(Unlabelled(conversation_id, self.model.clock.time()))

    def _write(self, entry: Entry) -> None:
        if self._journal is not None:
            self._journal(entry)

    def save_local(self) -> None:
        """Write the local store (blocking: run it in a thread). Raises ``OSError``."""
        self.model.local.save()

    @property
    def local_dirty(self) -> bool:
        """The local store has changes not written yet."""
        return self.model.local.dirty

    # -- the engine: optimistic change, request, confirm or roll back ----------------------------

    def _undo_entry(self, kind: str, raw: Conversation, before: Change, what: str) -> UndoEntry:
        return UndoEntry(kind, raw.id, before, what, self.model.page_number, raw)

    def _push(self, entry: UndoEntry) -> None:
        self._undo.append(entry)
        del self._undo[:-UNDO_DEPTH]

    def _patch_missing(self) -> bool:
        client = self._client()
        return client is None or client.capabilities.conversation_patch is False

    def _change(self, raw: Conversation, change: Change, undo: UndoEntry | None, *, journal: str = "") -> tuple[Request, ...]:
        """Show ``change`` and return its request; ``journal`` ("label", "unlabel") is written once it holds."""
        seq = self.show_change(raw, change)
        if undo is not None:
            undo.seq = seq or 0
            self._push(undo)
        if seq is None:
            self._journal_change(raw.id, change, journal)
            return ()
        return (partial(self._send, raw.id, change, seq, journal),)

    def _journal_change(self, conversation_id: str, change: Change, journal: str) -> None:
        if journal == "label":
            self.note_label(conversation_id, change.label)
        elif journal == "unlabel":
            self.note_unlabel(conversation_id)

    def _lock(self, key: str) -> asyncio.Lock:
        lock = self._locks.get(key)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[key] = lock
        return lock

    async def _send(self, conversation_id: str, change: Change, seq: int, journal: str = "") -> Outcome:
        client = self._client()
        if client is None:
            return self._failed(conversation_id, seq, None)
        async with self._lock(conversation_id):
            try:
                result = await client.update_conversation(
                    conversation_id,
                    is_read=change.read,
                    label_override=change.label if change.set_label else None,
                    clear_label=change.set_label and change.label is None,
                )
            except asyncio.CancelledError:
                raise
            except UnsupportedError:
                outcome = self._went_local(conversation_id, change, seq)
                self._journal_change(conversation_id, change, journal)
                return outcome
            except Exception as error:  # noqa: BLE001 - any failure rolls back; the caller words it
                return self._failed(conversation_id, seq, error)
        outcome = self._saved(conversation_id, change, seq, result)
        self._journal_change(conversation_id, change, journal)
        return outcome

    def _saved(self, conversation_id: str, change: Change, seq: int, result: Conversation | None) -> Outcome:
        raw = self.model.server_copy(conversation_id)
        with self.model.batch():
            if raw is not None:
                self.model.store_saved(_server_copy(raw, change, result))
            self.model.settle_pending(conversation_id, seq, ok=True)
            if change.set_label:
                # The server keeps labels now: a label kept here earlier must not hide it.
                self.model.drop_local_label(conversation_id)
        return Outcome(OutcomeKind.SAVED, conversation_id)

    def _failed(self, conversation_id: str, seq: int, error: BaseException | None) -> Outcome:
        entry = next((e for e in self._undo if e.seq == seq), None)
        if entry is not None:
            self._undo.remove(entry)
        self.model.settle_pending(conversation_id, seq, ok=False)
        if isinstance(error, NotFoundError):
            self.model.gone(conversation_id)
        what = entry.what if entry is not None else "read mark"
        return Outcome(OutcomeKind.FAILED if error else OutcomeKind.NOTHING, conversation_id, what, error)

    def _went_local(self, conversation_id: str, change: Change, seq: int) -> Outcome:
        """The server has no PATCH: keep this change (and every later one) on this machine."""
        with self.model.batch():
            self.model.settle_pending(conversation_id, seq, ok=False)
            raw = self.model.server_copy(conversation_id)
            if raw is not None:
                self.model.keep_locally(raw, change)
        first, self._told_local = not self._told_local, True
        return Outcome(OutcomeKind.LOCAL, conversation_id, first_local=first)

    async def _send_block(self, entry: UndoEntry) -> Outcome:
        client = self._client()
        value = entry.block_value
        if client is None:
            return Outcome(OutcomeKind.NOTHING, entry.conversation_id, value)
        async with self._lock("block:" + value.lower()):
            try:
                existing = await client.list_blocklist()
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - cannot tell: block anyway (undo deletes what the POST returns)
                existing = []
            if any(item.email.strip().lower() == value.lower() for item in existing):
                entry.already_blocked = True
                return Outcome(OutcomeKind.ALREADY_BLOCKED, entry.conversation_id, value)
            try:
                created = await client.add_to_blocklist(value)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001 - rolled back; the caller words it
                if entry in self._undo:
                    self._undo.remove(entry)
                self.model.set_blocked(entry.conversation_id, False)
                return Outcome(OutcomeKind.NOT_BLOCKED, entry.conversation_id, value, error)
            entry.block_ids = [item.id for item in created if item.id]
        return Outcome(OutcomeKind.BLOCKED, entry.conversation_id, value)

    async def _send_unblock(self, entry: UndoEntry) -> Outcome:
        client = self._client()
        value = entry.block_value
        if client is None:
            return Outcome(OutcomeKind.NOTHING, entry.conversation_id, value)
        async with self._lock("block:" + value.lower()):
            if entry.already_blocked or not entry.block_ids:
                return Outcome(OutcomeKind.NOTHING, entry.conversation_id, value)  # nothing of ours to delete
            try:
                for entry_id in entry.block_ids:
                    await client.delete_blocklist_entry(entry_id)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001 - still blocked; the caller words it
                self.model.set_blocked(entry.conversation_id, True)
                return Outcome(OutcomeKind.STILL_BLOCKED, entry.conversation_id, value, error)
        return Outcome(OutcomeKind.UNBLOCKED, entry.conversation_id, value)


def _server_copy(raw: Conversation, change: Change, result: Conversation | None) -> Conversation:
    """What to keep after a PATCH: the server's answer when it is a whole conversation."""
    expected = apply_change(raw, change)
    if result is None or result.id != raw.id or len(result.messages) < len(raw.messages):
        return expected
    if change.set_label and result.label is None and result.label_override is None:
        # This server does not report labels at all: keep the one we set.
        result = replace(result, label_override=change.label)
    return result
