"""A real rate limiter in front of the demo API (``--rate-limit N/s``), so clients meet 429s.

Reachkit documents no limit, but any API may have one; the client's request budget
(``api/budget.py``) is tested against this. A token bucket of ``rate`` tokens a second holding at
most ``burst``: a request that finds no token is answered 429 with ``Retry-After`` (whole seconds,
at least 1, as HTTP has it) and noted in the request log as the fault ``rate_limit``.
"""

from __future__ import annotations

import json
import math
import threading
import time
from typing import Final

from unibox_tui.demo._asgi import ASGIApp, Receive, Scope, Send
from unibox_tui.demo.faults import SCOPE_KEY

__all__ = ["RateLimit", "RateLimitMiddleware", "parse_rate"]

FAULT: Final = "rate_limit"


def parse_rate(text: str) -> float:
    """``"10/s"``, ``"10"`` or ``"600/min"`` as requests a second (> 0)."""
    number, _, unit = text.strip().partition("/")
    per = {"": 1.0, "s": 1.0, "sec": 1.0, "m": 60.0, "min": 60.0}.get(unit.strip().lower())
    if per is None:
        raise ValueError(f"unknown unit in {text!r}: use N/s or N/min")
    rate = float(number) / per
    if not rate > 0 or math.isinf(rate):
        raise ValueError("the rate must be above 0")
    return rate


class RateLimit:
    """The bucket. ``rate`` None: no limit. Thread-safe (tests change it while the server runs)."""

    def __init__(self, rate: float | None = None, burst: int | None = None) -> None:
        self._lock = threading.Lock()
        self.limited = 0  # how many requests were refused so far
        self.configure(rate, burst)

    def configure(self, rate: float | None, burst: int | None = None) -> None:
        with self._lock:
            self.rate = rate
            self.burst = max(1, burst if burst is not None else math.ceil(rate or 1))
            self._tokens = float(self.burst)
            self._at = time.monotonic()

    def take(self) -> float | None:
        """None if the request may go; else the seconds until a token is there."""
        with self._lock:
            if self.rate is None:
                return None
            now = time.monotonic()
            self._tokens = min(self.burst, self._tokens + (now - self._at) * self.rate)
            self._at = now
            if self._tokens >= 1:
                self._tokens -= 1
                return None
            self.limited += 1
            return (1 - self._tokens) / self.rate


class RateLimitMiddleware:
    """Answers 429 + ``Retry-After`` once the bucket is empty; otherwise passes the request on."""

    def __init__(self, app: ASGIApp, limit: RateLimit) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("type") != "http":
            await self.app(scope, receive, send)
            return
        wait = self.limit.take()
        if wait is None:
            await self.app(scope, receive, send)
            return
        scope[SCOPE_KEY] = FAULT
        seconds = max(1, math.ceil(wait))
        body = json.dumps({"error": "Too many requests",
                           "details": f"Rate limit exceeded. Retry in {seconds} seconds."}).encode()
        headers = [(b"content-type", b"application/json"), (b"retry-after", str(seconds).encode()),
                   (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 429, "headers": headers})
        await send({"type": "http.response.body", "body": body})
