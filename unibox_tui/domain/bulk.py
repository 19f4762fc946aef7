"""A triage action over marked conversations, as data: the plan, the results, the words, the undo.

The triage service (the inbox-model stream's) makes the requests; this module decides what a
batch is and says how it went, so the rules are tested without a server or a terminal:

1. ``plan_batch`` turns the marks and the change into steps, one per conversation, in mark
   order; what needs no request is skipped up front with a reason (not loaded any more, already
   Interested, no AI label to accept, the same sender as one already in the batch...).
2. The service runs the steps (paced with ``Pacer``) and reports each into a ``BulkRun``:
   applied, or refused with the server's sentence.
3. ``BulkRun.progress_line`` while it runs, ``summary_line`` at the end ("Labelled 18 of 20
   Interested; 2 refused: Dana Lee (…), Sam Roe (…)."), ``results`` for the per-conversation list.
4. ``BulkRun.undo`` is ONE undo entry for the whole batch: every applied conversation's state
   before the batch (label, read, snooze) and the blocklist entries the batch created, so one
   ``u`` puts all of them back. Refused and skipped conversations were not changed and are left
   alone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final

from ..api.models import LABELS, Conversation
from ..render.formatting import label_name
from ..render.sanitize import clean_line

__all__ = [
    "Before",
    "BulkChange",
    "BulkKind",
    "BulkPlan",
    "BulkRun",
    "BulkUndo",
    "Outcome",
    "Pacer",
    "Step",
    "StepResult",
    "describe",
    "plan_batch",
]

#: Names listed in the summary line before "and N more".
NAMES_IN_SUMMARY: Final = 3


class BulkKind(StrEnum):
    LABEL = "label"
    ACCEPT_AI = "accept"
    CLEAR_LABEL = "clear"
    READ = "read"
    UNREAD = "unread"
    SNOOZE = "snooze"
    BLOCK = "block"
    #: Taking back a whole batch (``undoes``: what that batch did).
    UNDO = "undo"


@dataclass(frozen=True, slots=True)
class BulkChange:
    """What the batch does. ``label`` for LABEL; ``until`` (epoch) and ``until_text`` for SNOOZE;
    ``undoes`` for UNDO (the change of the batch taken back)."""

    kind: BulkKind
    label: str | None = None
    until: float | None = None
    until_text: str = ""
    undoes: BulkChange | None = None

    def __post_init__(self) -> None:
        if self.kind is BulkKind.LABEL and self.label not in LABELS:
            raise ValueError(f"not a label: {self.label!r}")
        if self.kind is BulkKind.SNOOZE and self.until is None:
            raise ValueError("a snooze needs a time")
        if self.kind is BulkKind.UNDO and self.undoes is None:
            raise ValueError("an undo says what it undoes")


@dataclass(frozen=True, slots=True)
class Before:
    """One conversation as it was before the batch: what undo puts back."""

    conversation_id: str
    label_override: str | None
    unread: bool
    snoozed_until: float | None = None


@dataclass(frozen=True, slots=True)
class Step:
    """One conversation's part of the batch (``block_value``: the address or @domain to block)."""

    conversation_id: str
    who: str
    before: Before
    block_value: str = ""


class Outcome(StrEnum):
    APPLIED = "applied"
    REFUSED = "refused"
    SKIPPED = "skipped"


@dataclass(frozen=True, slots=True)
class StepResult:
    conversation_id: str
    who: str
    outcome: Outcome
    reason: str = ""  # the server's sentence for a refusal, ours for a skip


@dataclass(frozen=True, slots=True)
class BulkPlan:
    change: BulkChange
    marked: int
    steps: tuple[Step, ...]
    skipped: tuple[StepResult, ...] = ()


def who(conversation: Conversation) -> str:
    """The lead's name for a sentence, else the address; one clean line."""
    return clean_line(conversation.lead_name, max_chars=40) or clean_line(conversation.lead_email, max_chars=60) or "(no sender)"


def plan_batch(
    change: BulkChange,
    marked: Sequence[str],
    conversation_of: Callable[[str], Conversation | None],
    *,
    snoozed_until: Callable[[str], float | None] = lambda _id: None,
    block_value: Callable[[Conversation], str | None] = lambda c: c.lead_email.strip().lower() or None,
) -> BulkPlan:
    """Steps for the marked conversations (mark order, each once) and what is skipped, and why.

    ``conversation_of`` gives the conversation as the user sees it (``None``: not loaded any more);
    ``block_value`` what blocking its sender would post (the triage rules decide: address or
    domain, never a shared provider's); ``snoozed_until`` the follow-ups store's answer.
    """
    steps: list[Step] = []
    skipped: list[StepResult] = []
    blocked_by: dict[str, str] = {}
    for conversation_id in dict.fromkeys(marked):
        conversation = conversation_of(conversation_id)
        if conversation is None:
            skipped.append(StepResult(conversation_id, conversation_id, Outcome.SKIPPED, "not loaded any more"))
            continue
        name = who(conversation)
        reason = _needless(change, conversation) if not conversation_id.startswith("#") else "no id from the server"
        value = ""
        if not reason and change.kind is BulkKind.BLOCK:
            value = block_value(conversation) or ""
            reason = "no address to block" if not value else (
                f"same sender as {blocked_by[value]}: one block covers both" if value in blocked_by else ""
            )
            blocked_by.setdefault(value, name)
        if reason:
            skipped.append(StepResult(conversation_id, name, Outcome.SKIPPED, reason))
            continue
        before = Before(conversation_id, conversation.label_override, conversation.unread, snoozed_until(conversation_id))
        steps.append(Step(conversation_id, name, before, value))
    return BulkPlan(change, len(dict.fromkeys(marked)), tuple(steps), tuple(skipped))


def _needless(change: BulkChange, conversation: Conversation) -> str:
    """Why this conversation needs no request for ``change`` ("" when it does)."""
    kind = change.kind
    if kind is BulkKind.LABEL and conversation.label_override == change.label:
        return f"already {label_name(change.label)}"
    if kind is BulkKind.ACCEPT_AI:
        if conversation.label not in LABELS:
            return "no AI label to accept"
        if conversation.label_override == conversation.label:
            return "AI label already accepted"
    if kind is BulkKind.CLEAR_LABEL and conversation.label_override is None:
        return "no label of your own"
    if kind is BulkKind.READ and not conversation.unread:
        return "already read"
    if kind is BulkKind.UNREAD:
        if conversation.latest_incoming is None:
            return "nothing from the lead yet"
        if conversation.unread:
            return "already unread"
    return ""


# --- running ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BulkUndo:
    """One undo entry for the whole batch: restore every ``before``, delete ``created_blocks``."""

    change: BulkChange
    befores: tuple[Before, ...]
    created_blocks: tuple[str, ...] = ()  # blocklist entry ids this batch created

    @property
    def description(self) -> str:
        count = len(self.befores)
        return f"{_what(self.change)} on {count} conversation{'s' if count != 1 else ''}"


@dataclass
class BulkRun:
    """How a plan is going: fed by the service, read by the screen."""

    plan: BulkPlan
    _results: dict[str, StepResult] = field(default_factory=dict)
    _created_blocks: list[str] = field(default_factory=list)

    def applied(self, conversation_id: str, *, created_blocks: Sequence[str] = ()) -> None:
        """The server took it (``created_blocks``: new blocklist entry ids, for undo)."""
        self._record(conversation_id, Outcome.APPLIED, "")
        self._created_blocks.extend(created_blocks)

    def refused(self, conversation_id: str, sentence: str) -> None:
        """The server said no (``sentence``: its reason, in words)."""
        self._record(conversation_id, Outcome.REFUSED, clean_line(sentence, max_chars=160) or "refused")

    def _record(self, conversation_id: str, outcome: Outcome, reason: str) -> None:
        step = next((s for s in self.plan.steps if s.conversation_id == conversation_id), None)
        if step is None:
            raise KeyError(conversation_id)
        self._results[conversation_id] = StepResult(conversation_id, step.who, outcome, reason)

    @property
    def done(self) -> int:
        return len(self._results)

    @property
    def finished(self) -> bool:
        return self.done == len(self.plan.steps)

    @property
    def results(self) -> tuple[StepResult, ...]:
        """Every marked conversation: run ones in plan order (pending ones left out), then skipped."""
        ran = tuple(self._results[s.conversation_id] for s in self.plan.steps if s.conversation_id in self._results)
        return ran + self.plan.skipped

    def _count(self, outcome: Outcome) -> list[StepResult]:
        return [result for result in self.results if result.outcome is outcome]

    def progress_line(self) -> str:
        """"Labelling Interested: 7 of 18 (2 skipped)" while it runs."""
        line = f"{_doing(self.plan.change)}: {self.done} of {len(self.plan.steps)}"
        refused = len(self._count(Outcome.REFUSED))
        notes = [f"{refused} refused"] if refused else []
        notes += [f"{len(self.plan.skipped)} skipped"] if self.plan.skipped else []
        return line + (f" ({', '.join(notes)})" if notes else "")

    def summary_line(self) -> str:
        """"Labelled 18 of 20 Interested; 2 refused: Dana Lee (…), Sam Roe (…)." at the end."""
        applied = len(self._count(Outcome.APPLIED))
        parts = [_done(self.plan.change, applied, self.plan.marked)]
        for outcome in (Outcome.REFUSED, Outcome.SKIPPED):
            listed = self._count(outcome)
            if listed:
                parts.append(f"{len(listed)} {outcome.value}: {_names(listed)}")
        pending = len(self.plan.steps) - self.done
        if pending:
            parts.append(f"{pending} not sent (stopped)")
        return "; ".join(parts) + "."

    def undo(self) -> BulkUndo | None:
        """The batch's single undo entry; ``None`` when nothing was applied."""
        befores = tuple(s.before for s in self.plan.steps if self._outcome(s.conversation_id) is Outcome.APPLIED)
        if not befores:
            return None
        return BulkUndo(self.plan.change, befores, tuple(self._created_blocks))

    def _outcome(self, conversation_id: str) -> Outcome | None:
        result = self._results.get(conversation_id)
        return result.outcome if result is not None else None


def _names(results: Sequence[StepResult]) -> str:
    shown = ", ".join(f"{r.who} ({r.reason})" for r in results[:NAMES_IN_SUMMARY])
    more = len(results) - NAMES_IN_SUMMARY
    return shown + (f" and {more} more" if more > 0 else "")


def describe(change: BulkChange) -> str:
    """What a batch did, in a few words ("Interested", "marked read", "sender blocked")."""
    return _what(change)


def _what(change: BulkChange) -> str:
    if change.kind is BulkKind.UNDO:
        return f"undo of {_what(change.undoes)}" if change.undoes is not None else "undo"
    return {
        BulkKind.LABEL: label_name(change.label),
        BulkKind.ACCEPT_AI: "AI label accepted",
        BulkKind.CLEAR_LABEL: "label cleared",
        BulkKind.READ: "marked read",
        BulkKind.UNREAD: "marked unread",
        BulkKind.SNOOZE: f"snoozed until {change.until_text}".rstrip(),
        BulkKind.BLOCK: "sender blocked",
    }[change.kind]


def _doing(change: BulkChange) -> str:
    if change.kind is BulkKind.UNDO:
        return f"Undoing {_what(change.undoes)}" if change.undoes is not None else "Undoing"
    return {
        BulkKind.LABEL: f"Labelling {label_name(change.label)}",
        BulkKind.ACCEPT_AI: "Accepting the AI's labels",
        BulkKind.CLEAR_LABEL: "Clearing your labels",
        BulkKind.READ: "Marking read",
        BulkKind.UNREAD: "Marking unread",
        BulkKind.SNOOZE: "Snoozing",
        BulkKind.BLOCK: "Blocking senders",
    }[change.kind]


def _done(change: BulkChange, applied: int, marked: int) -> str:
    count = f"{applied} of {marked}"
    if change.kind is BulkKind.UNDO:
        return f"Undid {_what(change.undoes) if change.undoes is not None else 'the batch'} on {count}"
    return {
        BulkKind.LABEL: f"Labelled {count} {label_name(change.label)}",
        BulkKind.ACCEPT_AI: f"Accepted the AI's label on {count}",
        BulkKind.CLEAR_LABEL: f"Cleared your label on {count}",
        BulkKind.READ: f"Marked {count} read",
        BulkKind.UNREAD: f"Marked {count} unread",
        BulkKind.SNOOZE: f"Snoozed {count}" + (f" until {change.until_text}" if change.until_text else ""),
        BulkKind.BLOCK: f"Blocked the senders of {count}",
    }[change.kind]


# --- pacing --------------------------------------------------------------------------------------------------


class Pacer:
    """Spaces a batch's requests within a rate budget: ``rate`` a second, bursts of ``burst``.

    Reachkit documents no limit, so the budget is a courtesy that keeps a 100-conversation batch
    clear of 429s; a 429's ``Retry-After`` pauses the rest of the batch (``back_off``). Pure: the
    caller passes monotonic ``now`` and sleeps ``delay(now)`` before each request.
    """

    def __init__(self, rate: float = 5.0, burst: int = 5) -> None:
        self.rate = rate
        self.burst = burst
        self._tokens = float(burst)
        self._at: float | None = None
        self._paused_until = 0.0

    def _refill(self, now: float) -> None:
        if self._at is not None:
            self._tokens = min(self.burst, self._tokens + (now - self._at) * self.rate)
        self._at = now

    def delay(self, now: float) -> float:
        """Seconds to wait before the next request may go (0: now)."""
        self._refill(now)
        wait = 0.0 if self._tokens >= 1 else (1 - self._tokens) / self.rate
        return max(wait, self._paused_until - now, 0.0)

    def sent(self, now: float) -> None:
        self._refill(now)
        self._tokens -= 1

    def back_off(self, now: float, retry_after: float) -> None:
        """The server said "slow down": nothing goes for ``retry_after`` seconds."""
        self._paused_until = max(self._paused_until, now + max(0.0, retry_after))
        self._tokens = min(self._tokens, 0.0)
