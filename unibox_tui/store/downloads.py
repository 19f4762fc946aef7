"""The download folder: free destinations that never overwrite, and the system opener for a saved file.

Names given here must already be safe (``render.filenames.safe_filename``); this module only
finds a free variant (``deck.pdf``, ``deck (1).pdf``, ...) and never builds a path that leaves
the folder. The bytes are written by ``ReachkitClient.download_attachment`` (``.part`` created
with ``O_EXCL|O_NOFOLLOW``, linked into place without clobbering).
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Final

__all__ = [
    "PART_SUFFIX",
    "DownloadFolder",
    "FolderError",
    "OpenerError",
    "numbered",
    "open_file",
    "system_opener",
]

PART_SUFFIX: Final = ".part"
#: ``name (1).ext`` up to this number; past it the folder is unreasonable and we say so.
MAX_DUPLICATES: Final = 9999
# Compound extensions kept whole when numbering: ``backup (1).tar.gz``, not ``backup.tar (1).gz``.
_COMPOUND: Final = (".tar.gz", ".tar.bz2", ".tar.xz", ".tar.zst")


class FolderError(Exception):
    """The download folder cannot be used; ``str()`` is a sentence for the user."""


class OpenerError(Exception):
    """No way to hand a file to the desktop; ``str()`` says why and where the file is."""


class DownloadFolder:
    """One download folder and the names this process has promised to downloads in flight.

    ``claim`` picks the first free ``name``/``name (n)`` whose final name AND ``.part`` do not
    exist (a dangling symlink counts as existing) and that no other download of ours holds, so
    two downloads of ``deck.pdf`` started together get different names before either file exists.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path).expanduser()
        self._claimed: set[str] = set()
        self._lock = threading.Lock()

    def prepare(self) -> Path:
        """Create the folder if missing (0o755 less the umask) and check we can write in it."""
        path = self.path
        try:
            path.mkdir(mode=0o755, parents=True, exist_ok=True)
        except FileExistsError:
            raise FolderError(f"The download folder {path} exists but is not a folder.") from None
        except OSError as error:
            raise FolderError(f"Cannot create the download folder {path}: {_reason(error)}.") from None
        if not path.is_dir():
            raise FolderError(f"The download folder {path} exists but is not a folder.")
        if not os.access(path, os.W_OK | os.X_OK):
            raise FolderError(f"No permission to write in the download folder {path}.")
        return path

    def claim(self, name: str) -> Path:
        """A free destination for ``name`` in this folder, held until ``release``."""
        if not name or name in (".", "..") or Path(name).name != name or "\\" in name or "\0" in name:
            raise ValueError(f"not a plain file name: {name!r}")
        with self._lock:
            for number in range(MAX_DUPLICATES + 1):
                candidate = numbered(name, number)
                key = candidate.casefold()  # case-insensitive file systems (macOS, Windows)
                if key in self._claimed:
                    continue
                target = self.path / candidate
                if os.path.lexists(target) or os.path.lexists(target.with_name(candidate + PART_SUFFIX)):
                    continue
                self._claimed.add(key)
                return target
        raise FolderError(f"Too many files named like {name} in {self.path}; not saved.")

    def release(self, path: Path) -> None:
        """Forget a claim (the download finished, failed or was cancelled)."""
        with self._lock:
            self._claimed.discard(path.name.casefold())


def numbered(name: str, number: int) -> str:
    """``deck.pdf`` -> ``deck (2).pdf``; number 0 is the name itself."""
    if number == 0:
        return name
    lower = name.lower()
    extension = next((c for c in _COMPOUND if lower.endswith(c) and len(name) > len(c)), "")
    if not extension:
        stem, dot, suffix = name.rpartition(".")
        if dot and stem and " " not in suffix and 0 < len(suffix) <= 12:
            extension = "." + suffix
    stem = name[: len(name) - len(extension)] if extension else name
    return f"{stem} ({number}){extension}"


# -- the system opener ---------------------------------------------------------------------------


def system_opener() -> list[str]:
    """The command that opens a file with the user's default application; ``OpenerError`` if none."""
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        # xdg-open would fall back to a terminal program, which cannot share our terminal.
        raise OpenerError("No graphical desktop to open it in (no DISPLAY or WAYLAND_DISPLAY)")
    command = "open" if sys.platform == "darwin" else "xdg-open"
    found = shutil.which(command)
    if not found:
        raise OpenerError(f"No program to open files with ({command}) was found")
    return [found]


def open_file(path: Path, opener: Sequence[str] | None = None) -> None:
    """Hand ``path`` to the desktop's opener, detached: no terminal, no waiting, no output.

    The child gets no stdin/stdout/stderr and its own session, so nothing it does can draw over
    the app or read its keys. Raises ``OpenerError`` (saying where the file is) when it cannot.
    """
    target = os.path.abspath(path)  # absolute: a name can never be read as an option
    try:
        command = list(opener) if opener is not None else system_opener()
    except OpenerError as error:
        raise OpenerError(f"{error}; the file is at {target}.") from None
    try:
        child = subprocess.Popen(
            [*command, target],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            close_fds=True,
        )
    except OSError as error:
        raise OpenerError(f"Could not start {command[0]}: {_reason(error)}; the file is at {target}.") from None
    # Reap it when it ends, so a long session leaves no zombies behind.
    threading.Thread(target=child.wait, name="opener-reaper", daemon=True).start()


def _reason(error: OSError) -> str:
    if error.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if error.errno == errno.EROFS:
        return "the file system is read-only"
    if error.errno == errno.ENOSPC:
        return "the disk is full"
    return (error.strerror or str(error)).lower()
