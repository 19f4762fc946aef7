"""The request log tests read: every request the server answered, with the fault it met.

A record is appended when the response *starts* (before the client can see any of it), so a test
that has its answer can always find the request in the log.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from unibox_tui.demo._asgi import ASGIApp, Message, Receive, Scope, Send, body_of, buffer_body, replay
from unibox_tui.demo.faults import SCOPE_KEY

NO_RESPONSE = 499  # status recorded when the client left before any answer (nginx's convention)


@dataclass(frozen=True, slots=True)
class RequestRecord:
    method: str
    path: str
    query: dict[str, str]
    json: Any  # the parsed JSON body, None when absent or not JSON
    status: int
    fault: str | None  # "status", "malformed", "drop", "hang", "bad_gzip", "rate_limit" or None
    time: float  # when the request arrived (time.time())
    headers: dict[str, str] = field(default_factory=dict)  # lower-cased names


class RequestLog:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: list[RequestRecord] = []
        self.listeners: list[Callable[[RequestRecord], None]] = []

    def append(self, record: RequestRecord) -> None:
        with self._lock:
            self._records.append(record)
        for listener in self.listeners:
            listener(record)

    def snapshot(self) -> list[RequestRecord]:
        with self._lock:
            return list(self._records)

    def clear(self) -> None:
        with self._lock:
            self._records.clear()

    def count(self, method: str | None = None, path: str | None = None) -> int:
        pattern = re.compile(path) if path is not None else None
        return sum(1 for r in self.snapshot()
                   if (method is None or r.method == method.upper())
                   and (pattern is None or pattern.search(r.path)))


class RecorderMiddleware:
    def __init__(self, app: ASGIApp, log: RequestLog) -> None:
        self.app = app
        self.log = log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        arrived = time.time()
        messages = await buffer_body(receive)
        body = body_of(messages)
        parsed: Any = None
        if body:
            try:
                parsed = json.loads(body)
            except ValueError:
                parsed = None
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True))
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        logged = False

        def record(status: int) -> None:
            nonlocal logged
            logged = True
            self.log.append(RequestRecord(scope["method"], scope["path"], query, parsed, status,
                                          scope.get(SCOPE_KEY), arrived, headers))

        async def send_and_record(message: Message) -> None:
            if message["type"] == "http.response.start" and not logged:
                record(message["status"])
            await send(message)

        try:
            await self.app(scope, replay(messages, receive), send_and_record)
        except Exception:
            if not logged:
                record(500)  # the server answers 500 for an exception before the response
            raise
        finally:
            if not logged:
                record(NO_RESPONSE)
