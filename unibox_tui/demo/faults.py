"""Fault injection: a mutable ``Faults`` config and the pure ASGI middleware that applies it.

The middleware sits outside the Reachkit app, so it acts like the network or a proxy in front of
the API: faults apply before authentication (an unauthenticated request may get a 503 instead of
its 401), to every path including attachment downloads. The request log sits outside it and
records which fault, if any, a request met.

Kinds of fault:

- ``status``: an error status instead of the answer; 429 and 503 carry ``Retry-After``.
- ``malformed``: 200 with a JSON content type and a truncated, invalid JSON body.
- ``drop``: the status line, headers (with ``Content-Length``) and part of the body, then the
  connection is cut (the app raises after ``more_body=True`` and the ASGI server aborts).
- ``hang``: nothing for ``hang_seconds`` (ended early if the client gives up), then the answer.
- ``bad_gzip``: 200 with ``Content-Encoding: gzip`` and bytes that are not gzip, as a proxy or
  middlebox that mangles compression sends them: the client cannot decode the body at all.
- a late commit (``reply_commit_delay``): a reply POST is stored, and answered, only after that
  many seconds, whether or not the client is still waiting. A client with a shorter timeout gives
  up without knowing the reply went out; a look straight away does not find it, a later one does
  (a queue or a slow mail relay behind the API behaves like this).

A mutating request (POST/PATCH/PUT/DELETE) that meets a fault is normally not applied. With
``after_commit`` it is applied first and the fault hits the response: the ambiguous case where
the server stored a reply but the client never heard back. Safe requests (GET/HEAD) always reach
the app for ``drop`` and ``hang``, so a dropped download really is cut in the middle of its bytes.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import re
import threading
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from unibox_tui.demo._asgi import ASGIApp, Message, Receive, Scope, Send, buffer_body, replay

KINDS = ("status", "malformed", "drop", "hang", "bad_gzip")
MUTATING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
SCOPE_KEY = "unibox_demo.fault"  # where the middleware notes the applied fault for the request log
DROP_CAP = 1024 * 1024  # a dropped body is cut after half its length, at most this far in
#: Announced as gzip, but not gzip (no magic number, no valid deflate stream).
NOT_GZIP = b"this body says gzip but is not: \x00\xff\x13\x37 {\"data\": []}"
REPLY_PATH = re.compile(r"/unibox/conversations/[^/]+/reply$")  # what a late commit delays


class DroppedConnection(Exception):
    """Raised on purpose after part of a body was sent, so the server cuts the connection."""


@dataclass(slots=True)
class Decision:
    kind: str
    status: int = 200
    after_commit: bool = False
    retry_after: int | None = None


@dataclass
class Faults:
    """What goes wrong, and how often. Mutable at runtime: a change applies to the next request."""

    latency_ms: float = 0.0
    fail_rate: float = 0.0
    fail_statuses: list[int] = field(default_factory=lambda: [500, 503, 429])
    retry_after: int = 1
    malformed_rate: float = 0.0
    drop_rate: float = 0.0
    hang_rate: float = 0.0
    hang_seconds: float = 30.0
    bad_gzip_rate: float = 0.0
    seed: int | None = None
    methods: set[str] | None = None  # None: every method
    path_regex: str | None = None  # None: every path (matched with re.search)
    after_commit: bool = False
    #: Seconds a reply POST waits before it is stored and answered (0: at once).
    reply_commit_delay: float = 0.0
    _rng: random.Random = field(init=False, repr=False, compare=False)
    _queue: list[dict[str, Any]] = field(init=False, repr=False, compare=False)
    _lock: threading.Lock = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._queue = []
        self._rng = random.Random(self.seed)

    def __setattr__(self, name: str, value: Any) -> None:
        super().__setattr__(name, value)
        if name == "seed" and hasattr(self, "_lock"):
            with self._lock:
                self._rng = random.Random(value)

    def fail_next(self, n: int = 1, status: int = 500, method: str | None = None, path: str | None = None,
                  kind: str = "status", after_commit: bool = False, retry_after: int | None = None) -> None:
        """Queue ``n`` faults for the next requests matching ``method`` and ``path`` (a regex).

        Queued faults are consumed in order before any random fault, whatever the rates.
        """
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}")
        if n < 1:
            return
        with self._lock:
            self._queue.append({"n": n, "status": status, "method": method.upper() if method else None,
                                "path": re.compile(path) if path else None, "kind": kind,
                                "after_commit": after_commit, "retry_after": retry_after})

    def pending(self) -> int:
        """How many queued faults are still waiting for a request."""
        with self._lock:
            return sum(entry["n"] for entry in self._queue)

    def clear(self) -> None:
        """No more faults: rates to zero, latency off, queue emptied (filters and seed kept)."""
        with self._lock:
            self._queue.clear()
        self.latency_ms = self.fail_rate = self.malformed_rate = self.drop_rate = self.hang_rate = 0.0
        self.bad_gzip_rate = 0.0
        self.reply_commit_delay = 0.0
        self.after_commit = False

    def applies(self, method: str, path: str) -> bool:
        """Whether the random faults and the latency concern this request."""
        methods = self.methods
        if methods is not None and method.upper() not in {m.upper() for m in methods}:
            return False
        return self.path_regex is None or re.search(self.path_regex, path) is not None

    def decide(self, method: str, path: str) -> Decision | None:
        """The fault for this request, if any: the first matching queued one, else a random draw."""
        with self._lock:
            for i, entry in enumerate(self._queue):
                if entry["method"] not in (None, method.upper()):
                    continue
                if entry["path"] is not None and not entry["path"].search(path):
                    continue
                entry["n"] -= 1
                if entry["n"] <= 0:
                    del self._queue[i]
                return Decision(entry["kind"], entry["status"], entry["after_commit"],
                                entry["retry_after"] if entry["retry_after"] is not None else self.retry_after)
            if not (self.fail_rate or self.malformed_rate or self.drop_rate or self.hang_rate
                    or self.bad_gzip_rate):
                return None
            if not self.applies(method, path):
                return None
            rng = self._rng
            # Always draw the same number of values so one rate does not shift the others' sequence.
            draws = [rng.random() for _ in range(4)]
            pick = rng.random()
            # Drawn only when in use, so seeds chosen before this fault existed fail as they did.
            gzip_draw = rng.random() if self.bad_gzip_rate else 1.0
            if draws[0] < self.fail_rate and self.fail_statuses:
                status = self.fail_statuses[int(pick * len(self.fail_statuses))]
                return Decision("status", status, self.after_commit, self.retry_after)
            if draws[1] < self.malformed_rate:
                return Decision("malformed", 200, self.after_commit)
            if draws[2] < self.drop_rate:
                return Decision("drop", 200, self.after_commit)
            if draws[3] < self.hang_rate:
                return Decision("hang", 200, self.after_commit)
            if gzip_draw < self.bad_gzip_rate:
                return Decision("bad_gzip", 200, self.after_commit)
            return None


class FaultMiddleware:
    """Applies ``Faults`` to each HTTP request before (or, with after_commit, after) the app."""

    def __init__(self, app: ASGIApp, faults: Faults) -> None:
        self.app = app
        self.faults = faults
        self._closing: asyncio.Event | None = None

    def closing(self) -> asyncio.Event:
        if self._closing is None:
            self._closing = asyncio.Event()
        return self._closing

    def close(self) -> None:
        """Wake hung requests (called in the server's loop when it shuts down)."""
        self.closing().set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method, path = scope["method"], scope["path"]
        faults = self.faults
        if faults.latency_ms and faults.applies(method, path):
            await asyncio.sleep(faults.latency_ms / 1000)
        decision = faults.decide(method, path)
        app = self.app
        if faults.reply_commit_delay > 0 and method.upper() == "POST" and REPLY_PATH.search(path):
            app = _late_commit(self.app, faults.reply_commit_delay)
            scope.setdefault(SCOPE_KEY, "late_commit")
        if decision is None:
            await app(scope, receive, send)
            return
        scope[SCOPE_KEY] = decision.kind
        commit = method.upper() not in MUTATING or decision.after_commit
        if decision.kind == "status":
            if commit and method.upper() in MUTATING:
                await app(scope, receive, _discard)
            await _send_error(send, decision.status, decision.retry_after)
        elif decision.kind == "malformed":
            body = b'{"data": {"id": "'
            if commit:
                body = await _capture_body(app, scope, receive)
            cut = body[: max(1, len(body) // 2)] if len(body) > 2 else b'{"data": '
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(b"content-type", b"application/json"),
                                    (b"content-length", str(len(cut)).encode())]})
            await send({"type": "http.response.body", "body": cut})
        elif decision.kind == "bad_gzip":
            if commit:
                await _capture_body(app, scope, receive)
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(b"content-type", b"application/json"),
                                    (b"content-encoding", b"gzip"),
                                    (b"content-length", str(len(NOT_GZIP)).encode())]})
            await send({"type": "http.response.body", "body": NOT_GZIP})
        elif decision.kind == "drop":
            if commit:
                await _run_and_drop(app, scope, receive, send)  # raises DroppedConnection
            body = b'{"data": {"direction": "outgoing", "subject": "Re: '
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(b"content-type", b"application/json"),
                                    (b"content-length", b"512")]})
            await send({"type": "http.response.body", "body": body, "more_body": True})
            raise DroppedConnection("connection dropped by fault injection")
        else:  # hang
            messages = await buffer_body(receive)
            if commit and method.upper() in MUTATING:
                captured: list[Message] = []

                async def keep(message: Message) -> None:
                    captured.append(message)

                await app(scope, replay(messages, receive), keep)
                if await self._hang(receive):
                    return
                for message in captured:
                    await send(message)
                return
            if await self._hang(receive):
                return
            await app(scope, replay(messages, receive), send)

    async def _hang(self, receive: Receive) -> bool:
        """Wait hang_seconds; True if the client left meanwhile (then there is no one to answer)."""

        async def client_gone() -> None:
            while (await receive())["type"] != "http.disconnect":
                pass

        waiters = [asyncio.ensure_future(client_gone()), asyncio.ensure_future(self.closing().wait())]
        try:
            done, _ = await asyncio.wait(waiters, timeout=max(0.0, self.faults.hang_seconds),
                                         return_when=asyncio.FIRST_COMPLETED)
        finally:
            for w in waiters:
                w.cancel()
            await asyncio.gather(*waiters, return_exceptions=True)
        return waiters[0] in done


def _late_commit(app: ASGIApp, delay: float) -> ASGIApp:
    """``app``, reached only ``delay`` seconds after the request arrived, client or no client."""

    async def late(scope: Scope, receive: Receive, send: Send) -> None:
        messages = await buffer_body(receive)  # read now: the client may be gone by the time we commit
        await asyncio.sleep(delay)
        await app(scope, replay(messages, receive), send)  # answering a client that left is a no-op

    return late


async def _discard(message: Message) -> None:
    return None


async def _send_error(send: Send, status: int, retry_after: int | None) -> None:
    headers = []
    if status in (502, 504):  # proxies answer with their own HTML page, not the API's JSON
        phrase = HTTPStatus(status).phrase
        body = (f"<html>\r\n<head><title>{status} {phrase}</title></head>\r\n<body>\r\n<center><h1>"
                f"{status} {phrase}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n").encode()
        headers.append((b"content-type", b"text/html"))
    else:
        try:
            phrase = HTTPStatus(status).phrase
        except ValueError:
            phrase = "Error"
        payload: dict[str, Any] = {"error": {429: "Too many requests", 500: "Internal server error",
                                             503: "Service unavailable"}.get(status, phrase)}
        if status == 429:
            payload["details"] = f"Rate limit exceeded. Retry in {retry_after or 1} seconds."
        elif status == 503:
            payload["details"] = "The service is temporarily unavailable. Please try again later."
        body = json.dumps(payload).encode()
        headers.append((b"content-type", b"application/json"))
    if status in (429, 503) and retry_after is not None:
        headers.append((b"retry-after", str(retry_after).encode()))
    headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class _Enough(Exception):
    pass


async def _capture_body(app: ASGIApp, scope: Scope, receive: Receive, limit: int = 64 * 1024) -> bytes:
    """The app's response body (its first ``limit`` bytes: a huge download is not read through)."""
    parts: list[bytes] = []
    size = 0

    async def keep(message: Message) -> None:
        nonlocal size
        if message["type"] == "http.response.body":
            chunk = message.get("body", b"")
            parts.append(chunk)
            size += len(chunk)
            if size >= limit:
                raise _Enough

    with contextlib.suppress(_Enough):
        await app(scope, receive, keep)
    return b"".join(parts)[:limit]


async def _run_and_drop(app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
    """Pass the app's response through until half its body (at most DROP_CAP), then cut."""
    declared: int | None = None
    sent = 0

    async def cutting(message: Message) -> None:
        nonlocal declared, sent
        if message["type"] == "http.response.start":
            for name, value in message.get("headers", []):
                if name.lower() == b"content-length":
                    declared = int(value)
            await send(message)
            return
        body = message.get("body", b"")
        length = declared if declared is not None else sent + len(body) + (1 if message.get("more_body") else 0)
        cutoff = max(1, min(length // 2, DROP_CAP))
        room = cutoff - sent
        if len(body) < room and message.get("more_body"):
            sent += len(body)
            await send(message)
            return
        await send({"type": "http.response.body", "body": body[:max(0, room)], "more_body": True})
        raise _Enough

    try:
        await app(scope, receive, cutting)
    except _Enough:
        raise DroppedConnection("connection dropped by fault injection") from None
    # The app answered without a body worth cutting (e.g. 204): cut what we have.
    raise DroppedConnection("connection dropped by fault injection")
