"""One exclusive lock per shared file, so two terminals on one profile never lose each other's saves.

Used by every store that is read-merge-written by several copies of the app: local labels
(``local_triage.py``) and follow-ups (``followups.py``).
"""

from __future__ import annotations

import contextlib
import errno
import os
import time
from collections.abc import Iterator
from pathlib import Path

from .atomic import private_directory

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

__all__ = ["LOCK_SUFFIX", "LOCK_TIMEOUT", "exclusive_lock", "lock_path"]

LOCK_SUFFIX = ".lock"
#: A save waits this long for another copy's save (each takes milliseconds), then tries later.
LOCK_TIMEOUT = 10.0
LOCK_POLL = 0.01


def lock_path(path: Path) -> Path:
    """The lock file that guards ``path``: ``name.lock`` beside it (never the data file itself,
    which is replaced by rename and so cannot carry a lock)."""
    return path.with_name(path.name + LOCK_SUFFIX)


@contextlib.contextmanager
def exclusive_lock(path: Path, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``path`` (created 0600); ``OSError`` after ``timeout`` seconds.

    The kernel drops the lock when its holder exits, even on ``kill -9``: no stale lock files to
    clean up. Without ``fcntl`` (Windows) there is no lock, and the merge alone has to do.
    """
    if fcntl is None:  # pragma: no cover - not on Linux or macOS
        yield
        return
    private_directory(path.parent)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0), 0o600)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise OSError(errno.EWOULDBLOCK, f"{path.name} stayed locked by another copy of the app") from None
                time.sleep(LOCK_POLL)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
