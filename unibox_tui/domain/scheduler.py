"""Time and background work as the domain needs them, injected: the app runs them as Textual
timers and workers, the unit tests with a fake clock, the benchmarks on plain asyncio."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine
from typing import Any, Protocol

__all__ = ["AsyncioScheduler", "Cancellable", "Scheduler"]


class Cancellable(Protocol):
    def cancel(self) -> None: ...


class Scheduler(Protocol):
    """Monotonic ``now``, one-shot timers, and coroutines run in the background."""

    def now(self) -> float: ...

    def call_later(self, delay: float, callback: Callable[[], None]) -> Cancellable: ...

    def spawn(self, work: Coroutine[Any, Any, None], *, name: str) -> Cancellable: ...


class AsyncioScheduler:
    """The running asyncio loop (benchmarks and scripts); tasks are kept until they end."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()

    def now(self) -> float:
        return time.monotonic()

    def call_later(self, delay: float, callback: Callable[[], None]) -> Cancellable:
        return asyncio.get_running_loop().call_later(max(0.0, delay), callback)

    def spawn(self, work: Coroutine[Any, Any, None], *, name: str) -> Cancellable:
        task = asyncio.get_running_loop().create_task(work, name=name)
        self._tasks.add(task)  # a task nobody references may be collected mid-flight
        task.add_done_callback(self._tasks.discard)
        return task
