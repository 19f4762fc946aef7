"""The domain's scheduler, run by the app: Textual timers, and workers that never end the app."""

from __future__ import annotations

import time
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from textual.app import App
    from textual.timer import Timer

    from ..domain.scheduler import Cancellable

__all__ = ["TextualScheduler"]


class _TimerHandle:
    def __init__(self, timer: Timer) -> None:
        self._timer = timer

    def cancel(self) -> None:
        self._timer.stop()


class TextualScheduler:
    """App-level timers and workers (group ``reply``): they outlive screens, and a workspace stops them."""

    def __init__(self, app: App[Any]) -> None:
        self.app = app

    def now(self) -> float:
        return time.monotonic()

    def call_later(self, delay: float, callback: Callable[[], None]) -> Cancellable:
        return _TimerHandle(self.app.set_timer(max(0.0, delay), callback))

    def spawn(self, work: Coroutine[Any, Any, None], *, name: str) -> Cancellable:
        return self.app.run_worker(work, group="reply", exit_on_error=False, description=name)
