"""The thread's off-screen work: logical lines wrapped into screen rows, bodies converted in batches.

Both run outside of drawing: wrapping in time slices on the event loop (cached by line and width,
so a body arriving in a long thread re-wraps only what changed), conversion in a thread worker
that hands results over in batches. ``ThreadView`` shows what they produce.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import lru_cache
from typing import NamedTuple

from ...render.body_process import BodyProcess, ConversionFailed, ConverterStopped, is_heavy
from ...render.thread import BodyView, DocLine, ThreadDocument
from ..strips import wrap_line

__all__ = ["DELIVERY_INTERVAL", "Converted", "Row", "RowWrapper", "convert_in_batches"]

#: Seconds between two deliveries of converted bodies to the screen (each re-lays out the thread).
DELIVERY_INTERVAL = 0.1
WRAP_CACHE_LINES = 50_000
#: Main-thread seconds one layout step may take before input and frames get their turn.
LAYOUT_SLICE = 0.008
LAYOUT_CHECK_LINES = 256
Converted = tuple[int, BodyView | None, str]  # message index, its body (None: failed), the error

_INDENT = {"body": "  ", "quote": "  ", "fold": "  ", "attachment": "  ", "notice": "", "meta": "", "header": "", "collapsed": "", "blank": ""}


@lru_cache(maxsize=20_000)
def _wrapped(text: str, kind: str, width: int) -> tuple[str, ...]:
    """A logical line's visual lines; cached, since a re-layout re-wraps mostly the same lines."""
    indent = _INDENT.get(kind, "")
    if kind == "collapsed":
        return (indent + text,)  # one line each, cropped when drawn
    continuation = indent + ("  " if kind in ("header", "meta") else "")
    return tuple(wrap_line(indent + text, width, continuation))


class Row(NamedTuple):
    """One visual (wrapped) line (a named tuple: cheap to make by the ten thousand)."""

    text: str
    kind: str
    message: int
    segment: int
    first: bool  # the first visual line of its logical line


def _wrap(line: DocLine, width: int) -> list[Row]:
    return [
        Row(piece, line.kind, line.message, line.segment, number == 0)
        for number, piece in enumerate(_wrapped(line.text, line.kind, width))
    ]


class RowWrapper:
    """Wraps logical lines into rows, keeping the rows of each line at the current width."""

    def __init__(self) -> None:
        #: Wrapped rows by logical line, at ``width``: equal lines wrap the same, whichever document.
        self.wraps: dict[DocLine, list[Row]] = {}
        self.width = 0

    def at_width(self, width: int) -> None:
        """Lay out at ``width`` from now on (a new width, or a cache grown too big, starts afresh)."""
        if self.width != width or len(self.wraps) > WRAP_CACHE_LINES:
            self.wraps.clear()
            self.width = width

    def lay_out(self, lines: list[DocLine], position: int, rows: list[Row], starts: dict[int, int], width: int) -> int:
        """Wrap ``lines`` from ``position`` into ``rows`` for up to ``LAYOUT_SLICE``; where it stopped."""
        wraps = self.wraps
        deadline = time.perf_counter() + LAYOUT_SLICE
        end = len(lines)
        while position < end:
            stop = min(end, position + LAYOUT_CHECK_LINES)
            for line in lines[position:stop]:
                if line.message >= 0 and line.message not in starts:
                    starts[line.message] = len(rows)
                wrapped = wraps.get(line)
                if wrapped is None:
                    wrapped = wraps[line] = _wrap(line, width)
                rows.extend(wrapped)
            position = stop
            if time.perf_counter() > deadline:
                break
        return position


def convert_in_batches(
    document: ThreadDocument,
    indices: list[int],
    converter: BodyProcess,
    deliver: Callable[[list[Converted], bool], None],
    stale: Callable[[], bool],
    cancelled: Callable[[], bool],
) -> None:
    """Convert bodies newest first (in a thread); hand results to ``deliver`` in batches (one
    re-layout each), the last one flagged. ``stale``: the user has moved on; stop.

    Big bodies go last: the small ones around them show at once instead of waiting a second
    behind a newsletter, and the big one's (costly) layout then happens only once.
    """
    batch: list[Converted] = []
    delivered = time.monotonic()
    indices = sorted(indices, key=lambda index: is_heavy(document.messages[index]))
    for number, index in enumerate(indices):
        if stale():
            return
        message = document.messages[index]
        if batch and is_heavy(message):  # what is ready goes on screen before the long wait
            deliver(batch, False)
            batch, delivered = [], time.monotonic()
        try:
            body: BodyView | None = converter.convert(message)
            error = ""
        except ConverterStopped:
            if stale():
                return
            body, error = None, "the converter stopped"
        except ConversionFailed as exc:
            body, error = None, str(exc)
        except Exception as exc:  # noqa: BLE001 - a hostile body must not end the app
            body, error = None, f"{type(exc).__name__}"
        if cancelled():
            return
        batch.append((index, body, error))
        # Each delivery re-lays out the whole thread: "open all" on 2,000 messages must not
        # do that 2,000 times (minutes), so results go over in batches, ~10 a second.
        now = time.monotonic()
        last = number == len(indices) - 1
        if now - delivered >= DELIVERY_INTERVAL or last:
            deliver(batch, last)
            batch, delivered = [], now
