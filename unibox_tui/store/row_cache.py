"""The last first page of each folder, as list rows, on disk: painted at start-up before the network.

Only what a list row shows is kept (already-sanitised strings), so the file is small and fast
to read. It holds the subjects and first words of strangers' mail: owner-only (0600), and
keyed by workspace (profile, server address and key) so one workspace never paints another's
rows. Rows are stored as the server sent them; marks kept on this machine are applied when they
are painted, so a local label changed since the save still shows right.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from dataclasses import asdict, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..render.formatting import compact_date
from ..render.thread import ConversationRow

__all__ = ["CachedRows", "RowCache", "workspace_key"]

VERSION = 2
_ROW_FIELDS = tuple(f.name for f in fields(ConversationRow))


def workspace_key(profile: str, base_url: str, api_key: str) -> str:
    """Who the rows belong to: profile, server and key (a digest of it: the key is never stored)."""
    key_digest = hashlib.sha256(api_key.encode("utf-8", "replace")).hexdigest()
    return "\0".join((profile, base_url.rstrip("/").lower(), key_digest))


class CachedRows:
    """Rows plus the pagination facts the status line shows."""

    def __init__(self, rows: list[ConversationRow], total_count: int, total_pages: int, saved_at: float) -> None:
        self.rows = rows
        self.total_count = total_count
        self.total_pages = total_pages
        self.saved_at = saved_at


class RowCache:
    """One small JSON file per (workspace, folder, page size) under the cache folder."""

    @staticmethod
    def clear_all(folder: Path) -> int:
        """Delete every cached page in ``folder`` (at logout: strangers' subjects stay on no disk)."""
        removed = 0
        for path in folder.glob("rows-*.json"):
            try:
                path.unlink()
                removed += 1
            except OSError:
                pass  # gone already, or not ours to delete: it is only a cache
        return removed

    def __init__(self, folder: Path, workspace: str) -> None:
        self.folder = folder
        self.workspace = hashlib.sha256(workspace.encode("utf-8", "replace")).hexdigest()[:16]

    def path(self, folder: str, page_size: int) -> Path:
        safe_folder = "".join(ch for ch in folder if ch.isalnum())[:20] or "folder"
        return self.folder / f"rows-{self.workspace}-{safe_folder}-{int(page_size)}.json"

    def load(self, folder: str, page_size: int, now: datetime | None = None) -> CachedRows | None:
        """The cached rows (dates shown as of ``now``), or ``None`` if missing, unreadable or old."""
        try:
            data = json.loads(self.path(folder, page_size).read_bytes())
            if data.get("version") != VERSION:
                return None
            now = now or datetime.now(UTC)
            rows = []
            for item in data["rows"]:
                values = {name: item[name] for name in _ROW_FIELDS if name in item}
                when = item.get("when")
                if isinstance(when, (int, float)):
                    # "14:02" yesterday is "Yesterday" today: dates are redrawn, not replayed.
                    values["date"] = compact_date(datetime.fromtimestamp(when, UTC), now)
                rows.append(ConversationRow(**values))
            return CachedRows(rows, int(data["total_count"]), int(data["total_pages"]), float(data["saved_at"]))
        except (OSError, ValueError, KeyError, TypeError, AttributeError, OverflowError):
            return None

    def save(
        self,
        folder: str,
        page_size: int,
        rows: list[ConversationRow],
        total_count: int,
        total_pages: int,
        when: list[float | None] | None = None,
    ) -> None:
        """Write atomically and owner-only; a failure to cache is never the user's problem.

        ``when`` is each row's last activity (epoch seconds), so its date can be redrawn later.
        """
        items = []
        for index, row in enumerate(rows):
            item: dict[str, Any] = asdict(row)
            moment = when[index] if when is not None and index < len(when) else None
            if moment is not None:
                item["when"] = moment
            items.append(item)
        payload: dict[str, Any] = {
            "version": VERSION,
            "saved_at": time.time(),
            "total_count": total_count,
            "total_pages": total_pages,
            "rows": items,
        }
        target = self.path(folder, page_size)
        temp = ""
        try:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            # mkstemp: created 0600, a unique name (two saves never share a temporary file).
            fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=self.folder)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(payload, handle, ensure_ascii=False, separators=(",", ":"))
            os.replace(temp, target)
        except (OSError, ValueError):
            if temp:
                try:
                    os.unlink(temp)
                except OSError:
                    pass
