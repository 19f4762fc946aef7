"""An attachment's bytes into its ``.part`` file, in a worker thread (for ``ReachkitClient``).

Why a thread: on the event loop every read of a big body goes through asyncio's transport (at
most 256 KiB a read), anyio and h11, which costs about twice the CPU of the whole download in
``curl``; a blocking read in a thread takes up to 1 MiB at once for a fraction of that
(``tests/benchmarks/bench_download.py``). The event loop only waits for the result.

The thread owns the ``.part`` file from its creation (``O_EXCL|O_NOFOLLOW``) to its removal on
failure or cancellation, so nothing else ever writes through its descriptor or races its name.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import httpx

from ._failures import HTTPX_ERRORS, from_httpx, reason
from .errors import DownloadError, NetworkError, ReachkitError

__all__ = ["THREADS", "PartJob", "Stopped"]

#: Writeback of what arrived is started every this many bytes (see ``_start_writeback``).
FLUSH_EVERY: Final = 8 * 1024 * 1024
ERROR_BODY_LIMIT: Final = 256 * 1024
_CREATE_FLAGS: Final = (
    os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
)
THREADS = ThreadPoolExecutor(max_workers=8, thread_name_prefix="download")


class Stopped(Exception):
    """The download was stopped from the event loop (cancelled): nothing to report."""


@dataclass(eq=False)
class PartJob:
    """One download: request, retries until bytes flow, write, sync, size checks. ``run`` is blocking."""

    http: httpx.Client
    request: httpx.Request
    part: Path
    expected_size: int | None
    attempts: int
    #: Seconds to wait before retrying after this error on this attempt (None: do not retry).
    retry_delay: Callable[[ReachkitError, int], float | None]
    #: The client's error for a status >= 400, from the response and (part of) its body.
    error_from: Callable[[httpx.Response, bytes], ReachkitError]
    where: str
    #: Called (from this thread) with (bytes so far, total if known), at most every ``interval``.
    report: Callable[[int, int | None], None] | None = None
    interval: float = 0.05
    chunk_size: int | None = None
    received: int = 0
    content_type: str = ""
    _stop: threading.Event = field(default_factory=threading.Event, repr=False)
    _socket: socket.socket | None = field(default=None, repr=False)

    # -- from the event loop --

    def stop(self) -> None:
        """Stop at the next read; wake a read that is waiting for a stalled server."""
        self._stop.set()
        sock = self._socket
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    # -- in the worker thread --

    def run(self) -> None:
        """Fill ``part`` with the attachment; on any failure or stop, remove it and raise."""
        if self._stop.is_set():
            raise Stopped
        try:
            fd = os.open(self.part, _CREATE_FLAGS, 0o644)
        except OSError as error:
            raise DownloadError(
                f"Cannot create {self.part.name} in {self.part.parent}: {error.strerror}."
            ) from None
        try:
            try:
                self._attempts(fd)
            finally:
                os.close(fd)
        except BaseException:
            try:
                os.unlink(self.part)
            except FileNotFoundError:
                pass
            raise

    def _attempts(self, fd: int) -> None:
        attempt = 0
        while True:
            attempt += 1
            try:
                self._attempt(fd)
                return
            except ReachkitError as error:
                if self.received or attempt >= self.attempts or not error.transient:
                    raise
                delay = self.retry_delay(error, attempt)
                if delay is None:
                    raise
                if self._stop.wait(delay):
                    raise Stopped from None

    def _attempt(self, fd: int) -> None:
        try:
            response = self.http.send(self.request, stream=True)
        except HTTPX_ERRORS as error:
            raise from_httpx(error, self.where, what="download") from None
        except RuntimeError as error:
            if not self.http.is_closed:
                raise
            raise from_httpx(error, self.where, what="download") from None
        try:
            if response.status_code >= 400:
                raise self.error_from(response, self._error_body(response))
            self._socket = _socket_of(response)
            if self._stop.is_set():
                raise Stopped
            self.content_type = response.headers.get("content-type", "")
            declared = content_length(response)
            self._body(fd, response, declared)
        finally:
            self._socket = None
            response.close()
        for expected, source in ((declared, "Content-Length"), (self.expected_size, "attachment size")):
            if expected is not None and self.received < expected:
                raise DownloadError(
                    f"Incomplete download: got {self.received:,} of {expected:,} bytes ({source})."
                )
            if expected is not None and self.received > expected:
                raise DownloadError(
                    f"Size mismatch: got {self.received:,} bytes, but the {source} says {expected:,}."
                )

    def _body(self, fd: int, response: httpx.Response, declared: int | None) -> None:
        total = declared if declared is not None else self.expected_size
        report, interval = self.report, self.interval
        if report:
            report(0, total)
        last_report = time.monotonic()
        flushed = 0
        try:
            for chunk in _chunks(response, self.chunk_size):
                if self._stop.is_set():
                    raise Stopped
                self.received += len(chunk)
                if declared is not None and self.received > declared:
                    raise DownloadError(f"The server sent more than the {declared:,} bytes it announced.")
                _write_all(fd, chunk)
                if self.received - flushed >= FLUSH_EVERY:
                    _start_writeback(fd, flushed, self.received - flushed)
                    flushed = self.received
                if report:
                    now = time.monotonic()
                    if now - last_report >= interval:
                        last_report = now
                        report(self.received, total)
        except HTTPX_ERRORS as error:
            if self._stop.is_set():
                raise Stopped from None
            failure = from_httpx(error, self.where, what="download")
            if isinstance(failure, NetworkError):
                raise NetworkError(
                    f"The download broke off after {self.received:,} bytes ({reason(error)})."
                ) from None
            raise failure from None
        _start_writeback(fd, flushed, self.received - flushed)

    @staticmethod
    def _error_body(response: httpx.Response) -> bytes:
        body = bytearray()
        try:
            for chunk in response.iter_raw():
                body += chunk
                if len(body) >= ERROR_BODY_LIMIT:
                    break
        except HTTPX_ERRORS:
            pass
        return bytes(body[:ERROR_BODY_LIMIT])


def _chunks(response: httpx.Response, size: int | None) -> Iterator[bytes]:
    """The body as sent (the request asks for ``identity``); decoded only if a server encoded it anyway."""
    if response.headers.get("content-encoding", "identity").strip().lower() in ("", "identity"):
        return response.iter_raw(size)
    return response.iter_bytes(size)


def content_length(response: httpx.Response) -> int | None:
    """The body's length when the server declared it and nothing re-encodes the bytes."""
    value = response.headers.get("content-length")
    if value is None or response.headers.get("content-encoding", "identity") not in ("", "identity"):
        return None
    try:
        length = int(value)
    except ValueError:
        return None
    return length if length >= 0 else None


def _write_all(fd: int, chunk: bytes) -> None:
    view = memoryview(chunk)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _start_writeback(fd: int, offset: int, length: int) -> None:
    """Start writing a written range to disk without waiting, and let it leave the page cache.

    On Linux ``POSIX_FADV_DONTNEED`` begins writeback of dirty pages and drops the clean ones,
    so a 200 MB download does not sit in memory or push the user's other files out of the
    cache, and little of it is unwritten when it gets its name. We do not wait with ``fsync``:
    an attachment can always be fetched again, and waiting made a download as slow as the
    disk (0.2 s of 0.6 s for 200 MB here; browsers, curl and wget do not wait either).
    Elsewhere this does nothing.
    """
    advise = getattr(os, "posix_fadvise", None)
    if advise is not None:
        try:
            advise(fd, offset, length, os.POSIX_FADV_DONTNEED)
        except OSError:
            pass


def _socket_of(response: httpx.Response) -> socket.socket | None:
    stream = response.extensions.get("network_stream")
    sock = stream.get_extra_info("socket") if stream is not None else None
    return sock if isinstance(sock, socket.socket) else None
