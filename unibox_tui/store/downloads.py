"""The download folder: free destinations that never overwrite, saving into them, and the system opener.

Names given here must already be safe (``render.filenames.safe_filename``); this module only
finds a free variant (``deck.pdf``, ``deck (1).pdf``, ...) and never builds a path that leaves
the folder. The bytes are streamed by ``ReachkitClient.stream_attachment`` into ``name.part``
(created with ``O_EXCL|O_NOFOLLOW``); ``save_attachment`` then links it into place without
clobbering anything.
"""

from __future__ import annotations

import errno
import logging
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Final

from ..api.errors import DownloadError

if TYPE_CHECKING:
    from ..api.client import DownloadResult, ProgressCallback, ReachkitClient

__all__ = [
    "MAX_FINAL_NAME_TRIES",
    "PART_SUFFIX",
    "DownloadFolder",
    "FolderError",
    "OpenerError",
    "finalise",
    "numbered",
    "open_file",
    "save_attachment",
    "system_opener",
]

log = logging.getLogger(__name__)

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


# -- saving an attachment -----------------------------------------------------------------------

#: How many other names ``choose_final`` may offer before we give up.
MAX_FINAL_NAME_TRIES: Final = 100


async def save_attachment(
    client: ReachkitClient,
    conversation_id: str,
    attachment_id: str,
    dest: str | os.PathLike[str],
    *,
    expected_size: int | None = None,
    progress: ProgressCallback | None = None,
    progress_interval: float = 0.05,
    chunk_size: int | None = None,
    choose_final: Callable[[Path], Path] | None = None,
) -> DownloadResult:
    """Save an attachment as ``dest``, through ``dest.part``; never overwrite, never truncate.

    The client streams the bytes into the ``.part`` file (see ``stream_attachment``); the
    finished file is then linked to ``dest`` without replacing anything already there, and the
    ``.part`` name is removed whatever happens.

    If something takes ``dest`` while the bytes flow, the download is not lost when
    ``choose_final`` is given: it is called with the taken path and returns another one (in the
    same folder) to try, until one is free. Without it that is a ``DownloadError``, as is a
    ``dest`` that exists before we start. ``DownloadResult.path`` is where the file landed; a
    disk error is a ``DownloadError`` that says so in words.
    """
    final = Path(dest)
    part = final.with_name(final.name + PART_SUFFIX)
    if choose_final is None and os.path.lexists(final):
        raise DownloadError(_exists(final))
    try:
        result = await client.stream_attachment(
            conversation_id, attachment_id, part, expected_size=expected_size, progress=progress,
            progress_interval=progress_interval, chunk_size=chunk_size,
        )
    except OSError as error:
        raise DownloadError(_disk_error(error, final)) from None
    try:
        final = finalise(part, final, choose_final)
    except OSError as error:
        raise DownloadError(_disk_error(error, final)) from None
    finally:
        # After success the finished file has its own name (a hard link): drop the .part name.
        _unlink_quietly(part)
    return replace(result, path=final)


def finalise(part: Path, final: Path, choose_final: Callable[[Path], Path] | None) -> Path:
    """Link the finished ``part`` to ``final``, or to the names ``choose_final`` offers when taken."""
    for _ in range(MAX_FINAL_NAME_TRIES):
        if _link_no_clobber(part, final):
            return final
        if choose_final is None:
            break
        final = Path(choose_final(final))
    raise DownloadError(_exists(final))


def _exists(target: Path) -> str:
    return f"{target.name} already exists in {target.parent}; not overwritten."


def _link_no_clobber(source: Path, target: Path) -> bool:
    """Give ``source`` the name ``target`` unless something (even a dangling symlink) is there.

    Returns False when the name is taken; nothing is ever replaced.
    """
    try:
        os.link(source, target, follow_symlinks=False)
    except FileExistsError:
        return False
    except OSError as error:
        if error.errno not in (errno.EPERM, errno.ENOTSUP, errno.EXDEV, errno.EMLINK, errno.EOPNOTSUPP):
            raise
        # No hard links on this file system: a rename, after checking nothing is there.
        if os.path.lexists(target):
            return False
        os.rename(source, target)
    return True


def _unlink_quietly(path: Path) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    except OSError as error:  # pragma: no cover - nothing more we can do
        log.warning("could not remove %s: %s", path, error)


def _disk_error(error: OSError, final: Path) -> str:
    if error.errno == errno.ENOSPC:
        return f"The disk is full: {final.name} was not saved."
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"No permission to write in {final.parent}."
    return f"Could not save {final.name}: {error.strerror or error}."


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
