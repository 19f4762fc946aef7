"""One request budget for the whole client: a token bucket every worker draws from, by priority.

Why: lead context asks every campaign (40 campaigns, 50 conversations: 2,000 searches), the
waiting-queue scan, prefetches and counts all run in the background, and without one budget a
burst of them earns 429s that a reply POST or a triage PATCH then meets too. So:

- every request takes a token first (``acquire``); tokens refill at ``rate`` a second up to
  ``burst``;
- the caller's ``Priority`` (a context variable, so a worker sets it once with ``priority(...)``
  or ``background()`` and every request it makes inherits it) orders the waiters, and background
  requests leave ``reserve`` tokens untouched: what the user asked for (a reply, a triage PATCH,
  a page) goes first and never waits behind a lookup;
- a 429 with ``Retry-After`` pauses *every* request for that long (``back_off``), not just the one
  that met it, and halves the rate; each request that goes through afterwards gives a little of
  it back (additive increase), so a server's real limit is found and the 429s stop.

Plain asyncio, no httpx: importing ``unibox_tui.api`` stays light.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from enum import IntEnum
from typing import Final

__all__ = ["Priority", "RequestBudget", "background", "current_priority", "priority"]


class Priority(IntEnum):
    """Lower goes first."""

    USER = 0  # a reply, a triage PATCH, a page or conversation the user asked for
    BULK = 1  # a batch the user started (bulk labels, blocks): paced, but ahead of lookups
    BACKGROUND = 2  # lead context, prefetch, counts, the waiting-queue scan, polling


_PRIORITY: ContextVar[Priority] = ContextVar("unibox_request_priority", default=Priority.USER)

#: The longest shared pause a ``Retry-After`` can impose: past it the request's own error goes to
#: its caller (``RetryPolicy.max_retry_after``) and the rest of the app must not freeze for an hour.
MAX_PAUSE: Final = 30.0


def current_priority() -> Priority:
    return _PRIORITY.get()


@contextmanager
def priority(level: Priority) -> Iterator[None]:
    """Requests made inside (in this task, and in tasks it starts) go at ``level``."""
    token = _PRIORITY.set(level)
    try:
        yield
    finally:
        _PRIORITY.reset(token)


def background() -> AbstractContextManager[None]:
    """Shorthand: what follows is a background lookup."""
    return priority(Priority.BACKGROUND)


class RequestBudget:
    """The shared token bucket. ``rate`` requests a second at most, bursts of ``burst``."""

    def __init__(
        self,
        rate: float = 20.0,
        burst: int = 20,
        *,
        reserve: int = 2,
        min_rate: float = 0.5,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_rate = rate
        self.rate = rate
        self.burst = burst
        self.reserve = reserve
        self.min_rate = min_rate
        self._clock = clock
        self._tokens = float(burst)
        self._at = clock()
        self._paused_until = 0.0
        self._waiters: list[tuple[int, int, asyncio.Future[None]]] = []
        self._order = itertools.count()
        self._timer: asyncio.TimerHandle | None = None
        #: What happened, for the benchmark and the tests: requests let through, 429s met.
        self.granted = 0
        self.limited = 0

    # -- taking a token ------------------------------------------------------------------------

    async def acquire(self, level: Priority | None = None) -> None:
        """Wait for a token at ``level`` (default: the caller's ``priority``)."""
        level = current_priority() if level is None else level
        if self._may_go(level):
            self._take()
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiters, (int(level), next(self._order), future))
        self._wake_later()
        try:
            await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():
                self._tokens += 1  # granted as it was cancelled: the token goes back
                self.granted -= 1
            else:
                self._waiters = [w for w in self._waiters if w[2] is not future]
                heapq.heapify(self._waiters)
            self._wake_later()
            raise

    def _may_go(self, level: Priority) -> bool:
        """At once: nothing paused, nobody of this or a higher priority waiting, a token to spare."""
        now = self._refill()
        if now < self._paused_until:
            return False
        if any(waiting <= level for waiting, _, _ in self._waiters):
            return False
        return self._tokens >= self._needed(level)

    def _needed(self, level: int) -> float:
        return 1.0 + (self.reserve if level >= Priority.BACKGROUND else 0)

    def _take(self) -> None:
        self._tokens -= 1
        self.granted += 1
        if self.rate < self.max_rate:  # additive increase after a 429 halved it
            self.rate = min(self.max_rate, self.rate + 0.1)

    def _refill(self) -> float:
        """Tokens for the time since the last look; none accrue during a pause (no burst after it)."""
        now = self._clock()
        since = max(self._at, min(now, self._paused_until))
        self._tokens = min(float(self.burst), self._tokens + max(0.0, now - since) * self.rate)
        self._at = now
        return now

    def _wake_later(self) -> None:
        """Let waiters go in priority order, now or when the next token (or the pause's end) is due."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        while self._waiters:
            level, _, future = self._waiters[0]
            if future.done():
                heapq.heappop(self._waiters)
                continue
            now = self._refill()
            wait = max(self._paused_until - now, (self._needed(level) - self._tokens) / self.rate, 0.0)
            if wait > 0:
                self._timer = asyncio.get_running_loop().call_later(wait, self._wake_later)
                return
            heapq.heappop(self._waiters)
            self._take()
            future.set_result(None)

    # -- what the server said ------------------------------------------------------------------

    def back_off(self, retry_after: float | None) -> None:
        """A 429: every request waits ``retry_after`` seconds (capped), and the rate is halved."""
        self.limited += 1
        now = self._refill()
        if now >= self._paused_until:  # the first 429 of a burst halves; those in flight with it do not
            self.rate = max(self.min_rate, self.rate / 2)
        pause = min(MAX_PAUSE, max(0.0, retry_after if retry_after is not None else 1.0))
        self._paused_until = max(self._paused_until, now + pause)
        self._tokens = min(self._tokens, 0.0)
        if self._waiters:
            self._wake_later()

    @property
    def paused_for(self) -> float:
        """Seconds until requests may go again after a 429 (0: not paused)."""
        return max(0.0, self._paused_until - self._clock())
