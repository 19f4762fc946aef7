"""The last first page of each folder, as list rows, on disk: painted at start-up before the network.

Only what a list row shows is kept (already-sanitised strings), so the file is small and fast
to read. It holds the subjects and first words of strangers' mail: owner-only (0600), and
keyed by workspace so one profile never paints another's rows.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

from ..render.thread import ConversationRow

__all__ = ["CachedRows", "RowCache"]

VERSION = 1
_ROW_FIELDS = tuple(f.name for f in fields(ConversationRow))


class CachedRows:
    """Rows plus the pagination facts the status line shows."""

    def __init__(self, rows: list[ConversationRow], total_count: int, total_pages: int, saved_at: float) -> None:
        self.rows = rows
        self.total_count = total_count
        self.total_pages = total_pages
        self.saved_at = saved_at


class RowCache:
    """One small JSON file per (workspace, folder, page size) under the cache folder."""

    def __init__(self, folder: Path, workspace: str) -> None:
        self.folder = folder
        self.workspace = hashlib.sha256(workspace.encode("utf-8", "replace")).hexdigest()[:16]

    def _path(self, folder: str, page_size: int) -> Path:
        safe_folder = "".join(ch for ch in folder if ch.isalnum())[:20] or "folder"
        return self.folder / f"rows-{self.workspace}-{safe_folder}-{int(page_size)}.json"

    def load(self, folder: str, page_size: int) -> CachedRows | None:
        """The cached rows, or ``None`` if missing, unreadable or from another version."""
        try:
            data = json.loads(self._path(folder, page_size).read_bytes())
            if data.get("version") != VERSION:
                return None
            rows = [
                ConversationRow(**{name: item[name] for name in _ROW_FIELDS if name in item})
                for item in data["rows"]
            ]
            return CachedRows(rows, int(data["total_count"]), int(data["total_pages"]), float(data["saved_at"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def save(self, folder: str, page_size: int, rows: list[ConversationRow], total_count: int, total_pages: int) -> None:
        """Write atomically and owner-only; a failure to cache is never the user's problem."""
        payload: dict[str, Any] = {
            "version": VERSION,
            "saved_at": time.time(),
            "total_count": total_count,
            "total_pages": total_pages,
            "rows": [asdict(row) for row in rows],
        }
        target = self._path(folder, page_size)
        temp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        try:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(payload, handle, ensure_ascii=False, separators=(",", ":"))
            os.replace(temp, target)
        except OSError:
            try:
                os.unlink(temp)
            except OSError:
                pass

    def clear(self) -> None:
        for path in self.folder.glob(f"rows-{self.workspace}-*.json"):
            try:
                path.unlink()
            except OSError:
                pass
