"""Big bodies converted in a helper process, so html2text never holds the UI thread's GIL.

A 1 MB newsletter is about a second of pure-Python parsing. In a thread of the app's process it
shares the GIL with the event loop: every time the loop waits for input it must then wait up to
a switch interval for the GIL back, and a cursor move (dozens of loop turns) took most of a
second to paint. In a helper process the conversion runs on another core and the loop never
waits for it. Small bodies (nearly all mail) stay in the caller's thread: a round trip to the
helper is not worth it for them, and the helper is only started when a big body first needs it.

The protocol is length-prefixed JSON over the helper's stdin/stdout (nothing is unpickled from
another process). A conversion nobody wants any more is stopped by killing the helper; the next
big body starts a fresh one.
"""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO, Final

from ..api.models import Message
from .thread import BodyView, convert_body, convert_parts

__all__ = ["HEAVY_BODY_CHARS", "BodyProcess", "ConversionFailed", "ConverterStopped", "is_heavy", "serve"]

#: Bodies (HTML plus text) longer than this go to the helper: ~25 ms of conversion and more.
HEAVY_BODY_CHARS: Final = 50_000

_HEADER = struct.Struct(">I")
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])
# -I: no user site, no PYTHON* variables, no current directory on the path (a file named
# html.py in it must not shadow the standard library); the package root is added back.
_HELPER_CODE = (
    "import sys; sys.path.insert(0, sys.argv[1]); "
    "from unibox_tui.render.body_process import serve; serve()"
)


class ConverterStopped(Exception):
    """The helper went away before answering (stopped for a newer request, or it died)."""


class ConversionFailed(Exception):
    """The helper could not convert a body; ``args[0]`` names the error, as an in-thread failure would."""


def _write_frame(stream: IO[bytes], payload: bytes) -> None:
    stream.write(_HEADER.pack(len(payload)))
    stream.write(payload)
    stream.flush()


def _read_frame(stream: IO[bytes]) -> bytes | None:
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        return None
    (size,) = _HEADER.unpack(header)
    payload = stream.read(size)
    return payload if len(payload) == size else None


def is_heavy(message: Message) -> bool:
    """True for a body worth the trip to the helper process."""
    return len(message.html_body or "") + len(message.text_body or "") > HEAVY_BODY_CHARS


class BodyProcess:
    """Converts message bodies: big ones in a helper process, the rest in the calling thread.

    Thread-safe. Meant for one reader at a time (the thread pane's worker): a new big request
    stops the one in flight, whose caller gets `ConverterStopped`.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._busy = False
        self._unavailable = False  # the helper could not be started: convert in-thread

    def convert(self, message: Message) -> BodyView:
        """The message's body converted (`convert_body`'s result); blocks: call it from a worker."""
        if self._unavailable or not is_heavy(message):
            return convert_body(message)
        with self._lock:
            if self._busy:
                self._stop_locked()  # its caller has been cancelled: only the newest request counts
            process = self._process
            if process is None or process.poll() is not None:
                try:
                    process = self._process = self._start()
                except OSError:
                    self._unavailable = True
                    process = None
            if process is not None:
                self._busy = True
        if process is None:
            return convert_body(message)
        try:
            return self._ask(process, message)
        finally:
            with self._lock:
                if self._process is process:
                    self._busy = False

    def stop(self) -> None:
        """Stop a conversion in flight (its caller gets `ConverterStopped`); idle, keep the helper."""
        with self._lock:
            if self._busy:
                self._stop_locked()

    def close(self) -> None:
        """Stop the helper for good (the app is leaving)."""
        with self._lock:
            self._stop_locked()

    # -- internals --

    @staticmethod
    def _start() -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [sys.executable, "-I", "-c", _HELPER_CODE, _PACKAGE_ROOT],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,  # the terminal is the UI's: nothing else writes on it
            close_fds=True,
        )

    def _stop_locked(self) -> None:
        process, self._process, self._busy = self._process, None, False
        if process is None:
            return
        process.kill()
        process.wait()
        for stream in (process.stdin, process.stdout):
            if stream is not None:
                try:
                    stream.close()
                except OSError:
                    pass  # a writer blocked on it just lost its pipe: it raises ConverterStopped

    @staticmethod
    def _ask(process: subprocess.Popen[bytes], message: Message) -> BodyView:
        assert process.stdin is not None and process.stdout is not None
        request = json.dumps([message.html_body or "", message.text_body or ""]).encode("ascii")
        try:
            _write_frame(process.stdin, request)
            reply = _read_frame(process.stdout)
        except (OSError, ValueError) as error:  # a closed pipe: stopped meanwhile
            raise ConverterStopped from error
        if reply is None:
            raise ConverterStopped
        answer = json.loads(reply)
        if "error" in answer:
            raise ConversionFailed(str(answer["error"]))
        return BodyView(
            segments=tuple(
                (str(text), bool(quoted), str(summary), bool(fold))
                for text, quoted, summary, fold in answer["segments"]
            ),
            source=str(answer["source"]),
            truncated=bool(answer["truncated"]),
        )


def serve() -> None:
    """The helper's loop: a request is ``[html, text]``, the answer a `BodyView` (or an error)."""
    try:
        os.nice(5)  # the terminal's process wins the CPU when both want it (a 2-core laptop)
    except (AttributeError, OSError):
        pass
    requests = sys.stdin.buffer
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - a stray print must not corrupt a frame
    while (frame := _read_frame(requests)) is not None:
        html, text = json.loads(frame)
        try:
            body = convert_parts(html, text)
            answer: dict[str, object] = {
                "segments": body.segments,
                "source": body.source,
                "truncated": body.truncated,
            }
        except Exception as error:  # noqa: BLE001 - reported to the reader, like in-thread
            answer = {"error": type(error).__name__}
        _write_frame(answers, json.dumps(answer).encode("ascii"))
