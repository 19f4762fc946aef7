"""Reports the app writes into the download folder (the day summary): never over an existing file.

The name must already be safe (``render.filenames.safe_filename``); ``DownloadFolder.claim``
picks the first free ``name`` / ``name (1)`` ..., and the file is created with ``O_EXCL`` (and
without following a link), so even a file appearing between the choice and the write is kept.
"""

from __future__ import annotations

import os
from pathlib import Path

from .downloads import DownloadFolder, FolderError

__all__ = ["save_export"]


def save_export(folder: str | os.PathLike[str], name: str, text: str) -> Path:
    """Write ``text`` as a new file named like ``name`` in ``folder``; returns where it went.

    Raises ``FolderError`` (a sentence) when the folder cannot be used or the file not written.
    """
    downloads = DownloadFolder(folder)
    downloads.prepare()
    data = text.encode("utf-8")
    for _ in range(3):  # a file created by someone else after the claim: take the next name
        target = downloads.claim(name)
        try:
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
            fd = os.open(target, flags, 0o644)
        except FileExistsError:
            continue
        except OSError as error:
            raise FolderError(f"Could not create {target}: {(error.strerror or str(error)).lower()}.") from None
        finally:
            downloads.release(target)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
        except OSError as error:
            target.unlink(missing_ok=True)
            raise FolderError(f"Could not write {target}: {(error.strerror or str(error)).lower()}.") from None
        return target
    raise FolderError(f"Could not find a free name like {name} in {downloads.path}.")
