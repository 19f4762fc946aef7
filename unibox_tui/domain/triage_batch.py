"""One triage action over every marked conversation: shown at once, sent paced, undone as one.

``domain/bulk.py`` says what a batch is (the plan, the results, the words); this module runs one
through the ``TriageService``, so a batch behaves like the single actions it is made of:

- every change shows at once (optimistic), as a single label does; a refusal rolls back only
  that conversation;
- the requests go one after another, each waiting for the service's ``pace`` (one budget for
  every batch, so a later request budget of the client composes with it); a 429 pauses the
  rest for its ``Retry-After``;
- labels the server confirmed are journalled (the day summary), one by one;
- the batch is ONE undo entry: ``undo()`` returns another batch that stops this one if it still
  runs, waits for its request in flight, and puts back every conversation it changed (label, read
  state, the blocklist entries it created), paced and with its own progress.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from ..api.budget import Priority, priority
from ..api.errors import RateLimitedError, ReachkitError
from ..api.models import Conversation
from .bulk import Before, BulkChange, BulkKind, BulkPlan, BulkRun, Outcome, Step, describe, plan_batch
from .signal import Signal
from .triage import Change
from .triage_service import OutcomeKind, TriageService, UndoEntry

__all__ = ["Batch", "LABEL_KINDS"]

#: Kinds whose confirmed changes are labels (journalled for the day summary).
LABEL_KINDS = frozenset({BulkKind.LABEL, BulkKind.ACCEPT_AI, BulkKind.CLEAR_LABEL})


@dataclass(frozen=True, slots=True)
class _Work:
    """What one step does: ``patch`` (``change``, shown as ``seq``), ``local`` (kept on this
    machine at once: nothing to send), ``block`` an address, ``unblock`` (delete the entries the
    batch created), or ``gone`` (no copy loaded any more)."""

    action: str = "gone"
    change: Change | None = None
    seq: int | None = None
    block: str = ""
    unblock: tuple[str, ...] = ()


class Batch:
    """A plan being run; ``changed`` is emitted after every step and at the end."""

    def __init__(self, service: TriageService, plan: BulkPlan | None, *, undoing: Batch | None = None) -> None:
        self.service = service
        self.plan = plan
        self.run = BulkRun(plan) if plan is not None else None
        #: The batch this one takes back (its plan is made once that one has stopped).
        self.undoing = undoing
        self.changed: Signal[Batch] = Signal()
        self.stopped = False
        self._works: dict[str, _Work] = {}
        self._created: dict[str, list[str]] = {}
        self._read_marked: set[str] = set()
        self._finished = asyncio.Event()
        self._undo_entry: UndoEntry | None = None
        self._blocklist: set[str] | None = None

    # -- starting -----------------------------------------------------------------------------------

    @classmethod
    def start(
        cls,
        service: TriageService,
        change: BulkChange,
        marked: Sequence[str],
        *,
        block_value: Callable[[Conversation], str | None] | None = None,
    ) -> Batch:
        """Plan ``change`` over ``marked``, show it at once, and put one undo entry on the stack."""
        model = service.model

        def as_seen(conversation_id: str) -> Conversation | None:
            shown = model.conversation(conversation_id)
            # The label the user sees may be one kept on this machine.
            return replace(shown, label_override=model.manual_label(conversation_id)) if shown is not None else None

        options = {"block_value": block_value} if block_value is not None else {}
        batch = cls(service, plan_batch(change, marked, as_seen, **options))
        batch.show()
        return batch

    def show(self) -> None:
        """Every step's change on screen now; one undo entry for the lot."""
        assert self.plan is not None
        model = self.service.model
        with model.batch():
            for step in self.plan.steps:
                self._works[step.conversation_id] = self._show_step(step)
        if self.plan.steps:
            first = self.plan.steps[0]
            raw = model.server_copy(first.conversation_id)
            if raw is not None:
                entry = UndoEntry("batch", "", Change(), self.description, model.page_number, raw, batch=self)
                self._undo_entry = entry
                self.service.push_undo(entry)

    def _show_step(self, step: Step) -> _Work:
        service, kind = self.service, self.plan.change.kind if self.plan else None
        raw = service.model.server_copy(step.conversation_id)
        if raw is None:
            return _Work()
        if kind is BulkKind.BLOCK:
            service.model.set_blocked(step.conversation_id, True)
            return _Work("block", block=step.block_value)
        return self._patch(raw, self._forward_change(step, raw))

    def _patch(self, raw: Conversation, change: Change) -> _Work:
        seq = self.service.show_change(raw, change)
        return _Work("patch" if seq is not None else "local", change, seq)

    def _forward_change(self, step: Step, raw: Conversation) -> Change:
        assert self.plan is not None
        change, before = self.plan.change, step.before
        if change.kind is BulkKind.READ:
            return Change(read=True)
        if change.kind is BulkKind.UNREAD:
            return Change(read=False)
        label = raw.label if change.kind is BulkKind.ACCEPT_AI else change.label
        mark_read = label is not None and before.unread and self.service.marks_read
        if mark_read:
            self._read_marked.add(step.conversation_id)
        return Change(True, label, True if mark_read else None)

    # -- what the screen reads ------------------------------------------------------------------------

    @property
    def description(self) -> str:
        if self.plan is None:
            return "the last batch"
        count = len(self.plan.steps)
        return f"{describe(self.plan.change)} on {count} conversation{'s' if count != 1 else ''}"

    @property
    def finished(self) -> bool:
        return self._finished.is_set()

    def progress_line(self) -> str:
        if self.run is None:
            return "Undoing the batch: waiting for its last request…"
        return self.run.progress_line()

    def summary_line(self) -> str:
        if self.run is None:
            return "Nothing to undo."
        return self.run.summary_line()

    def refused_ids(self) -> list[str]:
        """Conversations the server refused (the screen keeps them marked, to try again)."""
        if self.run is None:
            return []
        return [r.conversation_id for r in self.run.results if r.outcome is Outcome.REFUSED]

    async def wait(self) -> None:
        await self._finished.wait()

    def stop(self) -> None:
        """Send nothing more; what was not sent is taken off the screen when the loop notices."""
        self.stopped = True

    # -- running --------------------------------------------------------------------------------------

    async def execute(self) -> None:
        """Send every step, paced; whatever is not sent (stopped, cancelled) is rolled back."""
        try:
            if self.undoing is not None and self.plan is None:
                await self._plan_undo()
            assert self.plan is not None and self.run is not None
            self.changed.emit(self)
            for step in self.plan.steps:
                if self.stopped:
                    break
                await self._step(step)
                self.changed.emit(self)
        finally:
            self._roll_back_unsent()
            if self._undo_entry is not None and self.run is not None and self.run.undo() is None and self.run.finished:
                self.service.drop_undo(self._undo_entry)  # refused whole: nothing to take back
            self._finished.set()
            self.changed.emit(self)

    async def _step(self, step: Step) -> None:
        work = self._works.get(step.conversation_id, _Work())
        if work.action == "gone":
            self.run.refused(step.conversation_id, "not loaded any more")  # type: ignore[union-attr]
        elif work.action == "local" or (work.action == "unblock" and not work.unblock):
            self._applied(step)
        else:
            await self.service.pace()
            if self.stopped:
                return  # stopped while waiting for the budget: never sent, rolled back
            send = {"patch": self._send_change, "block": self._send_block, "unblock": self._send_unblock}[work.action]
            with priority(Priority.BULK):  # through the client's budget: behind the user's own requests
                await send(step, work)

    async def _send_change(self, step: Step, work: _Work) -> None:
        assert work.change is not None and work.seq is not None and self.run is not None
        outcome = await self.service.send_change(step.conversation_id, work.change, work.seq)
        if outcome.kind in (OutcomeKind.SAVED, OutcomeKind.LOCAL):
            self._applied(step)
        else:
            self._refused(step, outcome.error)

    async def _send_block(self, step: Step, work: _Work) -> None:
        try:
            if work.block.lower() in await self._blocked_already():
                created: list[str] = []  # someone blocked it before: undo must leave it
            else:
                created = await self.service.add_block(work.block)
        except asyncio.CancelledError:
            raise
        except Exception as error:  # noqa: BLE001 - refused: this one is rolled back, the rest go on
            self.service.model.set_blocked(step.conversation_id, False)
            self._refused(step, error)
            return
        self._created[step.conversation_id] = created
        self.run.applied(step.conversation_id, created_blocks=created)  # type: ignore[union-attr]

    async def _send_unblock(self, step: Step, work: _Work) -> None:
        try:
            await self.service.remove_blocks(step.block_value, list(work.unblock))
        except asyncio.CancelledError:
            raise
        except Exception as error:  # noqa: BLE001 - still blocked
            self.service.model.set_blocked(step.conversation_id, True)
            self._refused(step, error)
            return
        self.run.applied(step.conversation_id)  # type: ignore[union-attr]

    async def _blocked_already(self) -> set[str]:
        """The blocklist, read once per batch (a block already there is not posted again)."""
        if self._blocklist is None:
            try:
                entries = await self.service.blocklist()
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - cannot tell: post each (undo deletes only what we made)
                entries = []
            self._blocklist = {entry.email.strip().lower() for entry in entries}
        return self._blocklist

    def _applied(self, step: Step) -> None:
        assert self.run is not None and self.plan is not None
        self.run.applied(step.conversation_id)
        if self.plan.change.kind in LABEL_KINDS:
            work = self._works[step.conversation_id]
            self.service.note_label(step.conversation_id, work.change.label if work.change else None)
        elif self.plan.change.kind is BulkKind.UNDO and self.undoing is not None and self.undoing.journals_labels:
            self.service.note_unlabel(step.conversation_id)

    def _refused(self, step: Step, error: BaseException | None) -> None:
        assert self.run is not None
        if isinstance(error, RateLimitedError):
            self.service.slow_down(error.retry_after or 5.0)
        self.run.refused(step.conversation_id, _sentence(error))

    def _roll_back_unsent(self) -> None:
        """Steps never sent (stopped, cancelled, quitting): off the screen, as if never made."""
        if self.plan is None or self.run is None:
            return
        done = {result.conversation_id for result in self.run.results}
        model = self.service.model
        with model.batch():
            for step in self.plan.steps:
                if step.conversation_id in done:
                    continue
                work = self._works.get(step.conversation_id, _Work())
                if work.action == "patch" and work.seq is not None:
                    self.service.take_back(step.conversation_id, work.seq)
                elif work.action == "block":
                    model.set_blocked(step.conversation_id, False)
                elif work.action == "unblock":
                    model.set_blocked(step.conversation_id, True)

    @property
    def journals_labels(self) -> bool:
        return self.plan is not None and self.plan.change.kind in LABEL_KINDS

    # -- undo -------------------------------------------------------------------------------------------

    def undo(self) -> Batch:
        """The batch that takes this one back (stopping it first if it still runs)."""
        self.stop()
        return Batch(self.service, None, undoing=self)

    async def _plan_undo(self) -> None:
        """Once the batch undone has stopped: every conversation it changed, put back."""
        source = self.undoing
        assert source is not None and source.plan is not None
        await source.wait()
        applied = source.run.undo() if source.run is not None else None
        befores = applied.befores if applied is not None else ()
        names = {step.conversation_id: step for step in source.plan.steps}
        steps = tuple(Step(b.conversation_id, names[b.conversation_id].who, b, names[b.conversation_id].block_value)
                      for b in befores)
        self.plan = BulkPlan(BulkChange(BulkKind.UNDO, undoes=source.plan.change), len(steps), steps)
        self.run = BulkRun(self.plan)
        model = self.service.model
        with model.batch():
            for step in steps:
                self._works[step.conversation_id] = self._show_restore(source, step.before)

    def _show_restore(self, source: Batch, before: Before) -> _Work:
        assert source.plan is not None
        service, conversation_id = self.service, before.conversation_id
        if source.plan.change.kind is BulkKind.BLOCK:
            service.model.set_blocked(conversation_id, False)
            return _Work("unblock", unblock=source.created_blocks(conversation_id))
        raw = service.model.server_copy(conversation_id)
        if raw is None:
            return _Work()
        if source.plan.change.kind in (BulkKind.READ, BulkKind.UNREAD):
            return self._patch(raw, Change(read=not before.unread))
        read = False if source.marked_read(conversation_id) else None
        return self._patch(raw, Change(True, before.label_override, read))

    def created_blocks(self, conversation_id: str) -> tuple[str, ...]:
        """The blocklist entries this batch created for a conversation's sender (undo deletes them)."""
        return tuple(self._created.get(conversation_id, ()))

    def marked_read(self, conversation_id: str) -> bool:
        """Whether this batch's label also marked the conversation read (undo marks it unread)."""
        return conversation_id in self._read_marked


def _sentence(error: BaseException | None) -> str:
    if error is None:
        return "not connected"
    if isinstance(error, ReachkitError):
        return str(error)
    return f"unexpected {type(error).__name__}"
