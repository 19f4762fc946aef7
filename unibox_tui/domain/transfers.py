"""One attachment download as the downloads panel shows it: state, bytes, rate and time left.

Pure and clock-injected, so rate and time-left arithmetic is tested without a network or a
terminal. The rate is measured over a sliding window, so a stall shows as a falling rate (and a
growing time left) within seconds instead of being averaged away over the whole download.
"""

from __future__ import annotations

import itertools
from collections import deque
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from ..api.models import Attachment
from ..render.formatting import human_duration, human_rate, human_size

__all__ = ["RATE_WINDOW", "Pick", "Transfer", "TransferState"]

#: Seconds of history the rate is measured over.
RATE_WINDOW = 3.0
_ids = itertools.count(1)


@dataclass(frozen=True, slots=True)
class Pick:
    """One attachment chosen for saving, with the safe name it will be saved under."""

    conversation_id: str
    attachment: Attachment
    name: str


class TransferState(Enum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def active(self) -> bool:
        return self in (TransferState.QUEUED, TransferState.RUNNING)


@dataclass(eq=False)
class Transfer:
    """A download of ``attachment`` (of conversation ``conversation_id``) saved as ``name``."""

    conversation_id: str
    attachment: Attachment
    #: The safe file name asked for; ``path`` is where it really landed (``name (1).ext``...).
    name: str
    state: TransferState = TransferState.QUEUED
    done: int = 0
    total: int | None = None
    path: Path | None = None
    error: str = ""
    started_at: float | None = None
    finished_at: float | None = None
    id: int = field(default_factory=lambda: next(_ids))
    _samples: deque[tuple[float, int]] = field(default_factory=deque, repr=False)

    def __post_init__(self) -> None:
        if self.total is None:
            self.total = self.attachment.size

    # -- changes --

    def start(self, now: float) -> None:
        self.state = TransferState.RUNNING
        self.done = 0
        self.total = self.attachment.size
        self.error = ""
        self.path = None
        self.started_at = now
        self.finished_at = None
        self._samples.clear()
        self._samples.append((now, 0))

    def update(self, done: int, total: int | None, now: float) -> None:
        self.done = done
        if total is not None:
            self.total = total
        samples = self._samples
        samples.append((now, done))
        while len(samples) > 2 and now - samples[1][0] >= RATE_WINDOW:
            samples.popleft()

    def succeed(self, path: Path, size: int, now: float) -> None:
        self.state = TransferState.DONE
        self.path = path
        self.done = size
        self.total = size
        self.finished_at = now

    def fail(self, reason: str, now: float) -> None:
        self.state = TransferState.FAILED
        self.error = reason
        self.finished_at = now

    def cancel(self, now: float) -> None:
        self.state = TransferState.CANCELLED
        self.finished_at = now

    def requeue(self) -> None:
        self.state = TransferState.QUEUED
        self.error = ""
        self.done = 0
        self.path = None

    # -- what it looks like --

    @property
    def fraction(self) -> float | None:
        if self.state is TransferState.DONE:
            return 1.0
        if not self.total:
            return None
        return max(0.0, min(1.0, self.done / self.total))

    @property
    def rate(self) -> float | None:
        """Bytes per second over the last few seconds; None until there is something to measure."""
        if self.state is TransferState.DONE and self.started_at is not None and self.finished_at is not None:
            elapsed = self.finished_at - self.started_at
            return self.done / elapsed if elapsed > 0 else None
        if len(self._samples) < 2:
            return None
        (t0, b0), (t1, b1) = self._samples[0], self._samples[-1]
        if t1 - t0 < 0.2:
            return None
        return max(0.0, (b1 - b0) / (t1 - t0))

    @property
    def seconds_left(self) -> float | None:
        rate = self.rate
        if self.state is not TransferState.RUNNING or not self.total or rate is None:
            return None
        if rate <= 0:
            return None
        return max(0.0, (self.total - self.done) / rate)

    def bytes_text(self) -> str:
        """``12 MB / 200 MB`` (or just what arrived when the size is unknown)."""
        if self.total is None:
            return human_size(self.done)
        return f"{human_size(self.done)} / {human_size(self.total)}"

    def rate_text(self) -> str:
        rate = self.rate
        return human_rate(rate) if rate is not None else ""

    def eta_text(self) -> str:
        left = self.seconds_left
        if self.state is not TransferState.RUNNING:
            return ""
        if left is None:
            return "stalled" if self.rate == 0 else ""
        return f"{human_duration(left)} left"
