"""Snoozes, "remind me if no reply" and "back" marks: local state the API has no field for.

One JSON file per profile (``<data dir>/<profile>/followups.json``; the demo workspace keeps its
own under ``.demo``, which no profile can be called), one section per server, because
conversation ids are only unique within a server. Like ``local_triage.py``: two terminals may
share the file, so a save re-reads it under an exclusive lock, merges our changes into what the
other copy saved, and replaces it atomically. Nothing here ever sends a request.

A snooze must never be lost, so nothing is dropped quietly: a file that cannot be parsed is
renamed aside (``followups.json.corrupt-<time>``), a file with some unreadable entries is copied
aside before they are left out, and a file that cannot be read at all stops the save (our
changes wait for the next one) rather than being replaced. Each case leaves a sentence in
``problems``.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any, Final, Literal

from ..clock import Clock, system_clock
from .atomic import write_atomic
from .locking import exclusive_lock, lock_path

__all__ = [
    "DEMO_FOLDER",
    "FILE_NAME",
    "BackKind",
    "BackMark",
    "FollowupStore",
    "Reminder",
    "Snooze",
]

FILE_NAME: Final = "followups.json"
#: The demo's own folder: a leading dot is not a valid profile name, so it never meets one.
DEMO_FOLDER: Final = ".demo"
#: The demo server's port changes every run; its conversations do not.
DEMO_SERVER: Final = "demo"
VERSION: Final = 1
#: Nobody snoozes 16 MB of conversations: a bigger file is not ours.
MAX_FILE_BYTES: Final = 16 * 1024 * 1024
#: "Back" marks pile up when conversations are never opened; the oldest go first past this.
MAX_BACK_MARKS: Final = 10_000
_MAX_ID: Final = 200
_MAX_FOLDER: Final = 40
_MAX_REASON: Final = 200

BackKind = Literal["snooze_ended", "new_reply", "no_reply"]
_BACK_KINDS: Final = ("snooze_ended", "new_reply", "no_reply")
_SECTIONS: Final = ("snoozes", "reminders", "back")


def _stamp(moment: float) -> datetime:
    return datetime.fromtimestamp(moment, UTC)


@dataclass(frozen=True, slots=True)
class Snooze:
    """A conversation out of the list until ``wake_at`` (or until a new incoming message)."""

    conversation_id: str
    wake_at: datetime
    snoozed_at: datetime
    folder: str = ""
    #: Our own short words ("until back 14 Dec"), never a server string.
    reason: str = ""
    #: Incoming messages the conversation had when snoozed: one more wakes it.
    incoming: int = 0


@dataclass(frozen=True, slots=True)
class Reminder:
    """Bring the conversation back at ``due_at`` unless the lead answers first."""

    conversation_id: str
    due_at: datetime
    #: Our last outgoing message ("no reply since <this>").
    last_outgoing_at: datetime
    #: Incoming messages when it was set: one more means the lead answered.
    incoming: int
    set_at: datetime
    folder: str = ""


@dataclass(frozen=True, slots=True)
class BackMark:
    """A woken conversation, marked until it is opened; ``why`` says what brought it back."""

    conversation_id: str
    kind: BackKind
    at: datetime
    #: For ``no_reply``: the date of our last outgoing message.
    since: datetime | None = None
    folder: str = ""

    def why(self, tz: tzinfo) -> str:
        """``snooze ended``, ``new reply`` or ``no reply since 14 Dec`` (in the viewer's zone)."""
        if self.kind == "no_reply" and self.since is not None:
            day = self.since.astimezone(tz)
            return f"no reply since {day.day} {day.strftime('%b')}"
        return {"snooze_ended": "snooze ended", "new_reply": "new reply", "no_reply": "no reply"}[self.kind]


Entry = Snooze | Reminder | BackMark


class FollowupStore:
    """The follow-ups of one profile on one server. Thread-safe: ``save`` may run in a thread."""

    def __init__(self, path: Path, server: str, *, profile: str = "", clock: Clock = system_clock) -> None:
        self.path = Path(path)
        self.server = server
        self.profile = profile
        self.clock = clock
        self._entries: dict[str, dict[str, Any]] = {section: {} for section in _SECTIONS}
        #: (section, id) changed since the last save; ``None`` values are deletions.
        self._changed: dict[tuple[str, str], Entry | None] = {}
        self._lock = threading.RLock()
        self._save_lock = threading.Lock()
        self._copied_version: tuple[int, int] | None = None
        #: Sentences about damaged or unreadable files, newest last (see ``take_problems``).
        self.problems: list[str] = []

    @classmethod
    def for_profile(cls, profile: str, server: str, *, demo: bool = False, clock: Clock = system_clock) -> FollowupStore:
        """The store of ``profile`` (a validated name) for ``server``, loaded from disk."""
        from ..config import data_dir

        folder = DEMO_FOLDER if demo else profile
        store = cls(data_dir() / folder / FILE_NAME, DEMO_SERVER if demo else server, profile=folder, clock=clock)
        store.load()
        return store

    # -- reading ----------------------------------------------------------------------------------

    def load(self) -> None:
        """Read our server's section (a damaged file is set aside and reported, never trusted)."""
        try:
            entries = self._read_section()
        except OSError:
            return  # reported; keep what we have
        with self._lock:
            self._entries = entries
            for (section, conversation_id), entry in self._changed.items():
                _put(self._entries[section], conversation_id, entry)

    def snoozes(self) -> list[Snooze]:
        """Every snooze, the next to wake first (the Snoozed view)."""
        with self._lock:
            return sorted(self._entries["snoozes"].values(), key=lambda s: s.wake_at)

    def snooze_of(self, conversation_id: str) -> Snooze | None:
        with self._lock:
            return self._entries["snoozes"].get(conversation_id)

    def is_snoozed(self, conversation_id: str) -> bool:
        return self.snooze_of(conversation_id) is not None

    def reminders(self) -> list[Reminder]:
        with self._lock:
            return sorted(self._entries["reminders"].values(), key=lambda r: r.due_at)

    def reminder_of(self, conversation_id: str) -> Reminder | None:
        with self._lock:
            return self._entries["reminders"].get(conversation_id)

    def back_marks(self) -> list[BackMark]:
        """Conversations marked back, the most recently woken first."""
        with self._lock:
            return sorted(self._entries["back"].values(), key=lambda b: b.at, reverse=True)

    def back_mark(self, conversation_id: str) -> BackMark | None:
        with self._lock:
            return self._entries["back"].get(conversation_id)

    def take_problems(self) -> list[str]:
        """Problems not yet shown to the user (each is returned once)."""
        with self._lock:
            problems, self.problems = self.problems, []
        return problems

    # -- changing -----------------------------------------------------------------------------------

    def snooze(self, conversation_id: str, wake_at: datetime, *, incoming: int, folder: str = "", reason: str = "") -> Snooze:
        """Snooze until ``wake_at`` (aware); an earlier "back" mark goes, the conversation is handled.

        ``incoming`` is the conversation's incoming messages now (``domain.wakeup.incoming_count``):
        required, because a wrong count wakes the snooze at the next poll or never.
        """
        entry = Snooze(
            _checked_id(conversation_id), _aware(wake_at), self.clock.now(), _short(folder, _MAX_FOLDER),
            _short(reason, _MAX_REASON), max(0, int(incoming)),
        )
        with self._lock:
            self._set("snoozes", conversation_id, entry)
            self._set("back", conversation_id, None)
        return entry

    def unsnooze(self, conversation_id: str) -> None:
        """Forget a snooze without marking the conversation back (the user changed their mind)."""
        with self._lock:
            self._set("snoozes", conversation_id, None)

    def wake_now(self, conversation_id: str) -> BackMark | None:
        """End a snooze at once (``H`` in the Snoozed view): back, marked "snooze ended"."""
        with self._lock:
            snooze = self._entries["snoozes"].get(conversation_id)
            if snooze is None:
                return None
            mark = BackMark(conversation_id, "snooze_ended", self.clock.now(), folder=snooze.folder)
            self._set("snoozes", conversation_id, None)
            self._set("back", conversation_id, mark)
        return mark

    def remind(
        self, conversation_id: str, due_at: datetime, *, last_outgoing_at: datetime, incoming: int, folder: str = ""
    ) -> Reminder:
        """Bring the conversation back at ``due_at`` if no incoming message arrives by then."""
        entry = Reminder(
            _checked_id(conversation_id), _aware(due_at), _aware(last_outgoing_at), max(0, int(incoming)),
            self.clock.now(), _short(folder, _MAX_FOLDER),
        )
        with self._lock:
            self._set("reminders", conversation_id, entry)
        return entry

    def cancel_reminder(self, conversation_id: str) -> None:
        with self._lock:
            self._set("reminders", conversation_id, None)

    def mark_back(self, mark: BackMark) -> None:
        _checked_id(mark.conversation_id)
        with self._lock:
            self._set("back", mark.conversation_id, mark)

    def clear_back(self, conversation_id: str) -> None:
        """The conversation was opened: it is no longer "back"."""
        with self._lock:
            if conversation_id in self._entries["back"]:
                self._set("back", conversation_id, None)

    def apply(self, woken: Iterable[str] = (), done_reminders: Iterable[str] = (), marks: Iterable[BackMark] = ()) -> None:
        """Apply a wake-up round (``domain.wakeup.Wakeups``): snoozes and reminders go, marks come."""
        with self._lock:
            for conversation_id in woken:
                self._set("snoozes", conversation_id, None)
            for conversation_id in done_reminders:
                self._set("reminders", conversation_id, None)
            for mark in marks:
                self._set("back", mark.conversation_id, mark)

    def _set(self, section: str, conversation_id: str, entry: Entry | None) -> None:
        _put(self._entries[section], conversation_id, entry)
        self._changed[(section, conversation_id)] = entry

    @property
    def dirty(self) -> bool:
        with self._lock:
            return bool(self._changed)

    # -- writing ------------------------------------------------------------------------------------

    def save(self) -> None:
        """Write our changes, merged into what the file holds now. Raises ``OSError`` (changes kept)."""
        with self._save_lock:
            with self._lock:
                changed = dict(self._changed)
                self._changed.clear()
            if not changed:
                return
            try:
                with exclusive_lock(lock_path(self.path)):
                    self._merge_and_replace(changed)
            except OSError:
                with self._lock:  # keep them for the next try; newer changes win
                    for key, value in changed.items():
                        self._changed.setdefault(key, value)
                raise

    def _merge_and_replace(self, changed: dict[tuple[str, str], Entry | None]) -> None:
        """Inside the lock: re-read, apply ``changed`` on top, write back atomically."""
        document = self._read_document()
        servers = document.get("servers") if isinstance(document.get("servers"), dict) else {}
        bad: list[str] = []
        entries = _section_entries(servers.get(self.server), bad)
        if bad:  # about to be left out of the file: keep a copy first (no copy, no write)
            self._copy_aside(len(bad))
        for (section, conversation_id), entry in changed.items():
            _put(entries[section], conversation_id, entry)
        with self._lock:  # what another copy saved shows here too; changes made meanwhile win
            merged = {section: dict(values) for section, values in entries.items()}
            for (section, conversation_id), entry in self._changed.items():
                _put(merged[section], conversation_id, entry)
            self._entries = merged
        entries["back"] = _newest_marks(entries["back"])
        servers[self.server] = {section: {k: _to_json(v) for k, v in values.items()} for section, values in entries.items()}
        payload = json.dumps({"version": VERSION, "servers": servers}, ensure_ascii=False, indent=1)
        write_atomic(self.path, payload.encode("utf-8"))

    # -- the file -------------------------------------------------------------------------------------

    def _read_section(self) -> dict[str, dict[str, Any]]:
        document = self._read_document()
        servers = document.get("servers") if isinstance(document.get("servers"), dict) else {}
        bad: list[str] = []
        entries = _section_entries(servers.get(self.server), bad)
        if bad:
            try:
                self._copy_aside(len(bad))
            except OSError:
                pass  # reported; the file itself is left as it is
        return entries

    def _read_document(self) -> dict[str, Any]:
        """The whole file; ``{}`` when missing or set aside. ``OSError`` when it cannot be read."""
        try:
            with open(self.path, "rb", opener=_no_follow) as handle:
                raw = handle.read(MAX_FILE_BYTES + 1)
        except FileNotFoundError:
            return {}
        except OSError as error:
            self._problem(f"Could not read the follow-ups file {self.path}: {error.strerror}. Snoozes are not saved until it can be read.")
            raise
        try:
            if len(raw) > MAX_FILE_BYTES:
                raise ValueError("too large")
            document = json.loads(raw.decode("utf-8"))
            if not isinstance(document, dict) or document.get("version") != VERSION:
                raise ValueError("unknown format")
        except (ValueError, UnicodeDecodeError):
            self._set_aside()
            return {}
        return document

    def _aside_name(self) -> Path:
        stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime(self.clock.time()))
        target = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        number = 1
        while target.exists():
            number += 1
            target = self.path.with_name(f"{self.path.name}.corrupt-{stamp}-{number}")
        return target

    def _set_aside(self) -> None:
        target = self._aside_name()
        try:
            os.replace(self.path, target)
        except OSError as error:
            self._problem(f"The follow-ups file {self.path} is damaged and could not be moved aside: {error.strerror}.")
            raise
        self._problem(
            f"The follow-ups file was damaged; it was kept aside as {target} (snoozes and reminders in it are not "
            "shown until it is repaired)."
        )

    def _copy_aside(self, count: int) -> None:
        try:
            version = os.stat(self.path).st_mtime_ns, os.stat(self.path).st_size
            if version == self._copied_version:
                return  # this very file is copied already (loaded, now saving)
            target = self._aside_name()
            shutil.copyfile(self.path, target)
            os.chmod(target, 0o600)
            self._copied_version = version
        except OSError as error:
            self._problem(f"{count} follow-up(s) in {self.path} could not be read, and the file could not be copied aside: {error.strerror}.")
            raise
        self._problem(f"{count} follow-up(s) in {self.path.name} could not be read; the whole file was copied to {target}.")

    def _problem(self, text: str) -> None:
        with self._lock:
            self.problems.append(text)


# --- entries <-> JSON ---------------------------------------------------------------------------------


def _no_follow(path: str, flags: int) -> int:
    return os.open(path, flags | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0))


def _put(target: dict[str, Any], conversation_id: str, entry: Entry | None) -> None:
    if entry is None:
        target.pop(conversation_id, None)
    else:
        target[conversation_id] = entry


def _checked_id(conversation_id: Any) -> str:
    if not _valid_id(conversation_id):
        raise ValueError("not a conversation id this store keeps")
    return conversation_id


def _valid_id(value: Any) -> bool:
    return isinstance(value, str) and 0 < len(value) <= _MAX_ID


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("follow-up times must be aware")
    return moment.astimezone(UTC)


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _short(text: str, limit: int) -> str:
    return _CONTROL.sub("", str(text))[:limit]


def _time(value: Any) -> datetime:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError("not a time")
    try:
        return _stamp(float(value))
    except (OverflowError, OSError, ValueError):
        raise ValueError("not a time") from None


def _text(value: Any, limit: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > limit:
        raise ValueError("not a short text")
    return value


def _count(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError("not a count")
    return value


def _from_json(section: str, conversation_id: str, raw: Any) -> Entry:
    if not _valid_id(conversation_id) or not isinstance(raw, dict):
        raise ValueError("not an entry")
    folder = _text(raw.get("folder"), _MAX_FOLDER)
    if section == "snoozes":
        return Snooze(conversation_id, _time(raw.get("wake_at")), _time(raw.get("snoozed_at")), folder,
                      _text(raw.get("reason"), _MAX_REASON), _count(raw.get("incoming", 0)))
    if section == "reminders":
        return Reminder(conversation_id, _time(raw.get("due_at")), _time(raw.get("last_outgoing_at")),
                        _count(raw.get("incoming")), _time(raw.get("set_at")), folder)
    kind = raw.get("kind")
    if kind not in _BACK_KINDS:
        raise ValueError("unknown kind")
    since = raw.get("since")
    return BackMark(conversation_id, kind, _time(raw.get("at")), None if since is None else _time(since), folder)


def _to_json(entry: Entry) -> dict[str, Any]:
    if isinstance(entry, Snooze):
        return {"wake_at": entry.wake_at.timestamp(), "snoozed_at": entry.snoozed_at.timestamp(), "folder": entry.folder,
                "reason": entry.reason, "incoming": entry.incoming}
    if isinstance(entry, Reminder):
        return {"due_at": entry.due_at.timestamp(), "last_outgoing_at": entry.last_outgoing_at.timestamp(),
                "incoming": entry.incoming, "set_at": entry.set_at.timestamp(), "folder": entry.folder}
    data: dict[str, Any] = {"kind": entry.kind, "at": entry.at.timestamp(), "folder": entry.folder}
    if entry.since is not None:
        data["since"] = entry.since.timestamp()
    return data


def _section_entries(raw: Any, bad: list[str]) -> dict[str, dict[str, Any]]:
    """Our server's entries by section; the ids of unreadable ones are added to ``bad``."""
    section = raw if isinstance(raw, dict) else {}
    entries: dict[str, dict[str, Any]] = {}
    for name in _SECTIONS:
        values = section.get(name, {})
        entries[name] = {}
        if not isinstance(values, dict):
            bad.append(name)
            continue
        for conversation_id, value in values.items():
            try:
                entries[name][conversation_id] = _from_json(name, conversation_id, value)
            except ValueError:
                bad.append(str(conversation_id)[:_MAX_ID])
    return entries


def _newest_marks(marks: dict[str, BackMark]) -> dict[str, BackMark]:
    if len(marks) <= MAX_BACK_MARKS:
        return marks
    return dict(sorted(marks.items(), key=lambda item: item[1].at)[-MAX_BACK_MARKS:])
