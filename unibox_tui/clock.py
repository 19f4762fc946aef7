"""The app's idea of "now": injected, so tests and demos never depend on the day they run."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, tzinfo

__all__ = ["Clock", "FixedClock", "SystemClock", "TickingClock", "local_zone", "system_clock"]


class Clock:
    """What every "now" in the app comes from: ``now()`` (aware, UTC) and ``time()`` (epoch)."""

    def time(self) -> float:
        raise NotImplementedError

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.time(), UTC)


class SystemClock(Clock):
    """The real wall clock."""

    def time(self) -> float:
        return time.time()


class TickingClock(Clock):
    """Starts at ``anchor`` and runs at real speed (monotonic), whatever the wall clock says.

    Tests anchor it at the demo server's "now"; ``advance`` jumps ahead (snoozes, reminders).
    """

    def __init__(self, anchor: datetime | float) -> None:
        self._anchor = anchor.timestamp() if isinstance(anchor, datetime) else float(anchor)
        self._started = time.monotonic()
        self._skipped = 0.0

    def time(self) -> float:
        return self._anchor + (time.monotonic() - self._started) + self._skipped

    def advance(self, seconds: float) -> None:
        self._skipped += seconds


class FixedClock(Clock):
    """Always ``at`` (until ``advance``): for pictures of the screen that must not change between runs.

    "3 min ago" drawn by a ticking clock becomes "4 min ago" on a slow machine; this never moves.
    """

    def __init__(self, at: datetime | float) -> None:
        self._at = at.timestamp() if isinstance(at, datetime) else float(at)

    def time(self) -> float:
        return self._at

    def advance(self, seconds: float) -> None:
        self._at += seconds


system_clock = SystemClock()


def local_zone() -> tzinfo:
    """The viewer's time zone, with its daylight-saving rules when the system names them.

    ``datetime.astimezone()`` alone gives today's fixed offset, which is an hour wrong for a
    snooze or a return date on the other side of a DST change. ``TZ`` first (as the C library
    reads it), then ``/etc/localtime``; a fixed offset only when neither can be read.
    """
    from zoneinfo import ZoneInfo

    name = os.environ.get("TZ", "").lstrip(":")
    if name:
        try:
            return ZoneInfo(name)
        except (KeyError, ValueError, OSError):  # ZoneInfoNotFoundError is a KeyError
            pass
    try:
        with open("/etc/localtime", "rb") as handle:
            return ZoneInfo.from_file(handle, key="localtime")
    except (OSError, ValueError):
        pass
    return datetime.fromtimestamp(time.time(), UTC).astimezone().tzinfo or UTC
