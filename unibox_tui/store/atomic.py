"""Writing a file so that a crash leaves either the old contents or the new, never half of either.

Shared by everything that must survive a crash or hold a secret: drafts, local labels, the row
cache, stored keys and the settings file.
"""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

__all__ = ["fsync_directory", "private_directory", "write_atomic"]


def private_directory(path: Path) -> None:
    """Create ``path`` owner-only (0700), tightening it if it exists with a wider mode."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if stat.S_IMODE(path.stat().st_mode) != 0o700:
        os.chmod(path, 0o700)


def write_atomic(path: Path, data: bytes, *, mode: int = 0o600, durable: bool = True) -> None:
    """Replace ``path`` with ``data``: temporary file in the same folder, fsync, rename.

    The temporary file is born with ``mode`` (``os.open``'s mode, then ``fchmod`` against an odd
    umask) before a byte is written, so a secret is never readable by others, even briefly; it is
    created exclusively and without following links, so nothing planted there is written
    through. ``durable`` also fsyncs the folder, so the rename itself survives a power cut.
    """
    private_directory(path.parent)
    temp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(temp, flags, mode)
    except FileExistsError:  # our own leftover (same process and thread): a crash mid-write
        os.unlink(temp)
        fd = os.open(temp, flags, mode)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise
    if durable:
        fsync_directory(path.parent)


def fsync_directory(path: Path) -> None:
    """Make a rename or unlink in ``path`` durable; a no-op where folders cannot be opened."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
