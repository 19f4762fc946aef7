"""Labels and read marks kept on this machine when the server has no PATCH for conversations.

One JSON file per profile (``<data dir>/<profile>/local-triage.json``), one section per server
(conversation ids are only unique within a server). Two terminals on the same profile share it,
so a save is read-merge-write under an exclusive lock (``flock`` on ``local-triage.json.lock``
beside it): the file is re-read inside the lock, our changes are merged into what the other
copy saved, and the result replaces the file atomically (a temporary file in the same folder,
fsync, rename). Without the lock, two saves that read before either wrote lose one side's
changes. Readers take no lock: a rename is atomic, they see the old file or the new one.
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..config import data_dir
from .atomic import write_atomic
from .locking import exclusive_lock, lock_path

__all__ = ["FILE_NAME", "LocalTriageStore", "MAX_ENTRIES"]

FILE_NAME = "local-triage.json"
VERSION = 1
#: Per server and kind: the oldest entries go first (a year of heavy triage fits many times over).
MAX_ENTRIES = 50_000
_LABEL = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_MAX_ID = 200


@dataclass(frozen=True, slots=True)
class _Label:
    label: str
    at: float


@dataclass(frozen=True, slots=True)
class _Read:
    read: bool
    messages: int
    at: float


class LocalTriageStore:
    """What the server could not store, for one server. Thread-safe: ``save`` runs in a thread."""

    def __init__(self, path: Path, server: str, *, profile: str = "") -> None:
        self.path = path
        self.server = server
        self.profile = profile
        self._labels: dict[str, _Label] = {}
        self._read: dict[str, _Read] = {}
        #: (kind, id) changed since the last save; ``None`` values are deletions.
        self._changed: dict[tuple[str, str], _Label | _Read | None] = {}
        self._lock = threading.RLock()
        self._save_lock = threading.Lock()
        self.problem = ""

    @classmethod
    def for_profile(cls, profile: str, server: str) -> LocalTriageStore:
        """The store of ``profile`` (a validated name) for ``server``, loaded from disk."""
        store = cls(data_dir() / profile / FILE_NAME, server, profile=profile)
        store.load()
        return store

    # -- reading --------------------------------------------------------------------------------

    def load(self) -> None:
        """Read our server's section; a damaged file is set aside (``.bad``) rather than trusted."""
        document = self._read_file()
        section = _dict(_dict(document.get("servers")).get(self.server))
        with self._lock:
            self._labels = _labels_from(section.get("labels"))
            self._read = _reads_from(section.get("read"))

    def _read_file(self) -> dict[str, Any]:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return {}
        except OSError as error:
            self.problem = f"Could not read {self.path}: {error.strerror}."
            return {}
        try:
            document = json.loads(raw)
            if not isinstance(document, dict) or document.get("version") != VERSION:
                raise ValueError("unknown format")
        except (ValueError, UnicodeDecodeError):
            aside = self.path.with_name(self.path.name + ".bad")
            try:
                os.replace(self.path, aside)
                self.problem = f"{self.path.name} was damaged; set aside as {aside.name}."
            except OSError:
                self.problem = f"{self.path.name} is damaged and could not be set aside."
            return {}
        return document

    def label(self, conversation_id: str) -> str | None:
        with self._lock:
            entry = self._labels.get(conversation_id)
        return entry.label if entry else None

    def read_state(self, conversation_id: str, messages: int) -> bool | None:
        """The read mark set here, unless the conversation has grown since (new mail wins)."""
        with self._lock:
            entry = self._read.get(conversation_id)
        if entry is None or messages > entry.messages:
            return None
        return entry.read

    def __len__(self) -> int:
        with self._lock:
            return len(self._labels) + len(self._read)

    # -- changing --------------------------------------------------------------------------------

    def set_label(self, conversation_id: str, label: str | None) -> None:
        """Set a label, or forget it with ``None`` (the server's label shows again)."""
        if not _valid_id(conversation_id) or (label is not None and not _LABEL.match(label)):
            raise ValueError("not a conversation id / label this store keeps")
        with self._lock:
            entry = _Label(label, time.time()) if label is not None else None
            if entry is None:
                self._labels.pop(conversation_id, None)
            else:
                self._labels[conversation_id] = entry
            self._changed[("labels", conversation_id)] = entry

    def set_read(self, conversation_id: str, read: bool | None, messages: int = 0) -> None:
        """Mark read or unread as of ``messages`` messages; ``None`` forgets the mark."""
        if not _valid_id(conversation_id):
            raise ValueError("not a conversation id this store keeps")
        with self._lock:
            entry = _Read(bool(read), max(0, int(messages)), time.time()) if read is not None else None
            if entry is None:
                self._read.pop(conversation_id, None)
            else:
                self._read[conversation_id] = entry
            self._changed[("read", conversation_id)] = entry

    @property
    def dirty(self) -> bool:
        with self._lock:
            return bool(self._changed)

    # -- writing ---------------------------------------------------------------------------------

    def save(self) -> None:
        """Write our changes atomically, merged into whatever the file holds now. Raises OSError."""
        with self._save_lock:
            with self._lock:
                changed = dict(self._changed)
                self._changed.clear()
            if not changed:
                return
            try:
                self._write(changed)
            except OSError:
                with self._lock:  # keep them for the next try
                    for key, value in changed.items():
                        self._changed.setdefault(key, value)
                raise

    def _write(self, changed: dict[tuple[str, str], _Label | _Read | None]) -> None:
        with exclusive_lock(lock_path(self.path)):
            self._merge_and_replace(changed)

    def _merge_and_replace(self, changed: dict[tuple[str, str], _Label | _Read | None]) -> None:
        """Inside the lock: re-read the file, apply ``changed`` on top, write it back atomically."""
        document = self._read_file()
        servers = _dict(document.get("servers"))
        section = _dict(servers.get(self.server))
        labels = _labels_from(section.get("labels"))
        reads = _reads_from(section.get("read"))
        for (kind, conversation_id), entry in changed.items():
            target: dict[str, Any] = labels if kind == "labels" else reads
            if entry is None:
                target.pop(conversation_id, None)
            else:
                target[conversation_id] = entry
        with self._lock:  # what another copy saved shows here too; changes made meanwhile win
            merged_labels, merged_reads = dict(labels), dict(reads)
            for (kind, conversation_id), entry in self._changed.items():
                merged: dict[str, Any] = merged_labels if kind == "labels" else merged_reads
                if entry is None:
                    merged.pop(conversation_id, None)
                else:
                    merged[conversation_id] = entry
            self._labels, self._read = merged_labels, merged_reads
        servers[self.server] = {
            "labels": {k: {"label": v.label, "at": v.at} for k, v in _newest(labels).items()},
            "read": {k: {"read": v.read, "messages": v.messages, "at": v.at} for k, v in _newest(reads).items()},
        }
        payload = json.dumps({"version": VERSION, "servers": servers}, ensure_ascii=False, indent=1)
        write_atomic(self.path, payload.encode("utf-8"))


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _valid_id(conversation_id: Any) -> bool:
    return isinstance(conversation_id, str) and 0 < len(conversation_id) <= _MAX_ID


def _number(value: Any) -> float:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0


def _labels_from(raw: Any) -> dict[str, _Label]:
    out: dict[str, _Label] = {}
    for key, value in _dict(raw).items():
        value = _dict(value)
        label = value.get("label")
        if _valid_id(key) and isinstance(label, str) and _LABEL.match(label):
            out[key] = _Label(label, _number(value.get("at")))
    return out


def _reads_from(raw: Any) -> dict[str, _Read]:
    out: dict[str, _Read] = {}
    for key, value in _dict(raw).items():
        value = _dict(value)
        read = value.get("read")
        if _valid_id(key) and isinstance(read, bool):
            out[key] = _Read(read, int(_number(value.get("messages"))), _number(value.get("at")))
    return out


def _newest(entries: dict[str, Any]) -> dict[str, Any]:
    if len(entries) <= MAX_ENTRIES:
        return entries
    kept = sorted(entries.items(), key=lambda item: item[1].at)[-MAX_ENTRIES:]
    return dict(kept)
