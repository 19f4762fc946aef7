"""What the SDR did, kept on this machine for the day summary: labels, replies sent, snoozes.

The API keeps no history of who labelled what when, so the app writes its own: one JSON object
per line in ``<data dir>/<profile>/journal-<server hash>.jsonl`` (0600; one file per profile and
server, since conversation ids are only unique within a server). Lines are only ever appended:
each append is a single ``write`` on an ``O_APPEND`` descriptor, so two terminals on one profile
interleave whole lines. A line cut short by a crash is skipped when read (and reported), and the
next append starts on a fresh line so it is not damaged with it.

The file is rotated to ``.1`` past ``MAX_BYTES`` (years of ordinary use); reading takes ``.1``
then the current file, which always covers more than the week the summary needs.

Line shapes (``at``, ``until``, ``answered_at``: epoch seconds from the app's clock)::

    {"kind": "labelled", "id": "c1", "label": "interested", "at": 1780000000.0}
    {"kind": "unlabelled", "id": "c1", "at": ...}          an undo of the last label
    {"kind": "replied", "id": "c1", "at": ..., "answered_at": ... | null, "answered_label": ... | null}
    {"kind": "snoozed", "ids": ["c1", "c2"], "until": ..., "at": ...}
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from ..config import data_dir, valid_profile_name
from .atomic import private_directory

__all__ = ["MAX_BYTES", "Entry", "Journal", "JournalRead", "Labelled", "Replied", "Snoozed", "Unlabelled"]

MAX_BYTES: Final = 8 * 1024 * 1024
_LABEL = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_MAX_ID = 200
_MAX_IDS = 1000


@dataclass(frozen=True, slots=True)
class Labelled:
    conversation_id: str
    label: str | None  # None: the SDR's label was cleared (back to the AI's)
    at: float


@dataclass(frozen=True, slots=True)
class Unlabelled:
    """``u`` took back the last label set on this conversation."""

    conversation_id: str
    at: float


@dataclass(frozen=True, slots=True)
class Replied:
    """A reply the server confirmed; what it answered: when that message arrived, its label."""

    conversation_id: str
    at: float
    answered_at: float | None = None
    answered_label: str | None = None


@dataclass(frozen=True, slots=True)
class Snoozed:
    conversation_ids: tuple[str, ...]
    until: float
    at: float


Entry = Labelled | Unlabelled | Replied | Snoozed


@dataclass(frozen=True, slots=True)
class JournalRead:
    """The entries, oldest first, and the line numbers of damaged lines that were skipped."""

    entries: tuple[Entry, ...]
    damaged_lines: tuple[int, ...] = ()

    @property
    def problem(self) -> str:
        """A sentence for the screen, or ``""``."""
        if not self.damaged_lines:
            return ""
        count = len(self.damaged_lines)
        shown = ", ".join(map(str, self.damaged_lines[:5])) + (", …" if count > 5 else "")
        lines = "line was" if count == 1 else "lines were"
        return f"{count} damaged journal {lines} skipped (line {shown}); the summary counts the rest."


class Journal:
    """The journal of one profile and server."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def for_workspace(cls, profile: str, server: str) -> Journal:
        if not valid_profile_name(profile):
            raise ValueError(f"Not a valid profile name: {profile!r}")
        digest = hashlib.sha256(server.rstrip("/").lower().encode("utf-8", "replace")).hexdigest()[:16]
        return cls(data_dir() / profile / f"journal-{digest}.jsonl")

    @property
    def rotated(self) -> Path:
        return self.path.with_name(self.path.name + ".1")

    # -- writing -----------------------------------------------------------------------------

    def append(self, entry: Entry) -> None:
        """Add one line; raises ``OSError`` (the caller says it in words, the action stands)."""
        line = json.dumps(_to_json(entry), ensure_ascii=False, separators=(",", ":")) + "\n"
        private_directory(self.path.parent)
        self._rotate_if_large()
        flags = os.O_RDWR | os.O_APPEND  # read: the last byte, to check for a torn line
        flags = flags | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
        fd = os.open(self.path, flags, 0o600)
        try:
            data = line.encode("utf-8", "surrogatepass")
            if not _ends_with_newline(fd):
                data = b"\n" + data  # a line cut short by a crash must not swallow this one
            os.write(fd, data)
        finally:
            os.close(fd)

    def _rotate_if_large(self) -> None:
        try:
            if self.path.stat().st_size > MAX_BYTES:
                os.replace(self.path, self.rotated)
        except FileNotFoundError:
            pass

    # -- reading -------------------------------------------------------------------------------

    def read(self) -> JournalRead:
        """Every readable entry (``.1`` first); damaged lines are skipped and numbered."""
        entries: list[Entry] = []
        damaged: list[int] = []
        offset = 0
        for path in (self.rotated, self.path):
            try:
                raw = path.read_bytes()
            except FileNotFoundError:
                continue
            lines = raw.split(b"\n")
            if lines and lines[-1] == b"":
                lines.pop()
            for number, line in enumerate(lines, offset + 1):
                entry = _parse_line(line)
                if entry is None:
                    if line.strip():
                        damaged.append(number)
                else:
                    entries.append(entry)
            offset += len(lines)
        return JournalRead(tuple(entries), tuple(damaged))


def _ends_with_newline(fd: int) -> bool:
    size = os.fstat(fd).st_size
    return size == 0 or os.pread(fd, 1, size - 1) == b"\n"


def _to_json(entry: Entry) -> dict[str, Any]:
    if isinstance(entry, Labelled):
        return {"kind": "labelled", "id": entry.conversation_id, "label": entry.label, "at": entry.at}
    if isinstance(entry, Unlabelled):
        return {"kind": "unlabelled", "id": entry.conversation_id, "at": entry.at}
    if isinstance(entry, Replied):
        return {
            "kind": "replied", "id": entry.conversation_id, "at": entry.at,
            "answered_at": entry.answered_at, "answered_label": entry.answered_label,
        }
    return {"kind": "snoozed", "ids": list(entry.conversation_ids), "until": entry.until, "at": entry.at}


def _parse_line(line: bytes) -> Entry | None:
    """One entry, or ``None`` for anything that is not exactly a known, well-formed line."""
    try:
        data = json.loads(line)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(data, dict):
        return None
    kind, at = data.get("kind"), _time(data.get("at"))
    if at is None:
        return None
    if kind == "snoozed":
        ids, until = data.get("ids"), _time(data.get("until"))
        if until is None or not isinstance(ids, list) or not 0 < len(ids) <= _MAX_IDS or not all(map(_valid_id, ids)):
            return None
        return Snoozed(tuple(ids), until, at)
    ident = data.get("id")
    if not _valid_id(ident):
        return None
    if kind == "labelled":
        label = data.get("label")
        return Labelled(ident, label, at) if label is None or _valid_label(label) else None
    if kind == "unlabelled":
        return Unlabelled(ident, at)
    if kind == "replied":
        answered_at, label = data.get("answered_at"), data.get("answered_label")
        if answered_at is not None and _time(answered_at) is None:
            return None
        if label is not None and not _valid_label(label):
            return None
        return Replied(ident, at, _time(answered_at), label)
    return None


def _time(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value) if 0 <= value < 1e11 else None


def _valid_id(value: Any) -> bool:
    return isinstance(value, str) and 0 < len(value) <= _MAX_ID


def _valid_label(value: Any) -> bool:
    return isinstance(value, str) and bool(_LABEL.match(value))

