"""Reply drafts on disk: one small JSON file per conversation, written so a crash never loses one.

Every write goes to a temporary file in the same folder (created 0600, never following a
planted link), is flushed and fsynced, renamed over the old file with ``os.replace``, and the
folder is fsynced: after ``save`` returns, the draft survives ``kill -9`` and a power cut, and
a reader never sees half a file. File names are a hash of the conversation id, which comes from
the server and must not choose a path. A file that cannot be read is renamed aside
(``*.corrupt-<time>``), reported in ``problems``, and never stops the app.

A draft also carries the send state of ``store.outbox``: ``editing``, ``sending`` (the exact
HTML and when the attempt started, written *before* the request leaves) or
``delivery_unknown`` (the request may have arrived; nothing is resent until a check finds it or
the user explicitly sends it anyway), with how many checks were made and what the last one said.
"""

from __future__ import annotations

import errno
import hashlib
import json
import logging
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any, Final, Literal

from .atomic import fsync_directory, write_atomic

__all__ = [
    "DELIVERY_UNKNOWN",
    "DEMO_FOLDER",
    "EDITING",
    "SENDING",
    "Draft",
    "DraftError",
    "DraftStore",
    "SendState",
    "draft_folder",
]

log = logging.getLogger(__name__)

SendState = Literal["editing", "sending", "delivery_unknown"]
EDITING: Final = "editing"
SENDING: Final = "sending"
DELIVERY_UNKNOWN: Final = "delivery_unknown"
_STATES: Final = (EDITING, SENDING, DELIVERY_UNKNOWN)
#: ``Draft.remind`` values (config.REMIND_AFTER_CHOICES; not imported: the store stays light).
REMIND_CHOICES: Final = ("off", "2d", "4d", "1w")

FORMAT_VERSION: Final = 1
SUFFIX: Final = ".json"
#: A draft file bigger than this is not a draft (nobody types 8 MB into a reply).
MAX_FILE_BYTES: Final = 8 * 1024 * 1024
#: Temporary files older than this are leftovers of a crash mid-write.
STALE_TEMP_SECONDS: Final = 600.0


class DraftError(Exception):
    """A draft could not be written (disk full, no permission...); ``str()`` says so in words."""


@dataclass(slots=True)
class Draft:
    """One reply being written. Server strings (subject, names, addresses) are stored raw."""

    conversation_id: str
    text: str = ""
    subject: str = ""
    to_email: str = ""
    to_name: str = ""
    from_email: str = ""
    from_name: str = ""
    signature: bool = True
    updated_at: float = 0.0
    state: SendState = EDITING
    #: While sending / delivery unknown: the exact HTML that was (maybe) sent, and when.
    sent_html: str = ""
    started_at: float | None = None
    #: Fingerprints of the outgoing messages the conversation had before the attempt: the reply
    #: is recognised as "an outgoing message not among these", whatever the two clocks say.
    baseline: list[str] | None = None
    #: The newest message date (server clock, epoch seconds) the conversation had then.
    baseline_newest: float | None = None
    #: The last problem, in words (shown in the composer and the Drafts list).
    note: str = ""
    #: While delivery is unknown: how many times the server was asked, when last (epoch), and
    #: what that look found, in words (the composer says all three before "send anyway").
    checks: int = 0
    checked_at: float | None = None
    check_result: str = ""
    #: Grows with every change; a save never replaces a newer revision with an older one.
    revision: int = 0
    #: "Remind me if no reply" for this reply (``off``, ``2d``, ``4d``, ``1w``); ``None``: the
    #: ``remind_after`` setting. Kept with the draft: a reply confirmed only at the next start
    #: still gets its reminder.
    remind: str | None = None

    @property
    def pending(self) -> bool:
        """An attempt whose outcome is not settled: no new POST until it is checked."""
        return self.state != EDITING

    @property
    def is_blank(self) -> bool:
        return not self.text.strip() and self.state == EDITING

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["version"] = FORMAT_VERSION
        return data

    @classmethod
    def from_json(cls, data: Any) -> Draft:
        """Parse a draft file's JSON; raises ``ValueError`` when it is not a draft."""
        if not isinstance(data, dict) or not isinstance(data.get("conversation_id"), str):
            raise ValueError("not a draft")
        values = {f.name: data[f.name] for f in fields(cls) if f.name in data}
        for name in ("text", "subject", "to_email", "to_name", "from_email", "from_name", "sent_html", "note",
                     "check_result"):
            if not isinstance(values.get(name, ""), str):
                raise ValueError(f"{name} is not text")
        if values.get("state", EDITING) not in _STATES:
            raise ValueError("unknown send state")
        for name in ("updated_at", "started_at", "baseline_newest", "checked_at"):
            value = values.get(name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
                raise ValueError(f"{name} is not a time")
        baseline = values.get("baseline")
        if baseline is not None and (
            not isinstance(baseline, list) or not all(isinstance(item, str) for item in baseline)
        ):
            raise ValueError("baseline is not a list of text")
        values["signature"] = bool(values.get("signature", True))
        if values.get("remind") is not None and values["remind"] not in REMIND_CHOICES:
            values["remind"] = None  # an unknown choice falls back to the setting, never a wrong date
        for name in ("revision", "checks"):
            number = values.get(name, 0)
            values[name] = number if isinstance(number, int) and not isinstance(number, bool) and number >= 0 else 0
        draft = cls(**values)
        if draft.state == SENDING and not draft.sent_html:
            raise ValueError("sending without the sent content")
        return draft


#: The demo workspace's own folder under the data dir (no profile can be named ``.demo``): its
#: drafts and local labels never mix with a real profile's.
DEMO_FOLDER: Final = ".demo"


def draft_folder(profile: str, *, demo: bool = False) -> Path:
    """Where a profile's drafts live; the demo's go under ``<data dir>/.demo/drafts``."""
    from ..config import data_dir, drafts_dir

    return data_dir() / DEMO_FOLDER / "drafts" if demo else drafts_dir(profile)


def file_name(conversation_id: str) -> str:
    """The draft's file name: a hash, so an id like ``../../x`` cannot pick a path."""
    return hashlib.sha256(conversation_id.encode("utf-8", "surrogatepass")).hexdigest()[:40] + SUFFIX


class DraftStore:
    """The drafts of one profile, in one folder. Thread-safe: saves may run in worker threads."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self._lock = threading.Lock()
        self._revisions: dict[str, int] = {}
        #: Sentences about files that could not be read (and were set aside), newest last.
        self.problems: list[str] = []

    def path_for(self, conversation_id: str) -> Path:
        return self.directory / file_name(conversation_id)

    # -- reading --

    def load(self, conversation_id: str) -> Draft | None:
        """The draft of a conversation, or ``None``. A damaged file is set aside, never raised."""
        path = self.path_for(conversation_id)
        draft = self._read(path)
        if draft is None:
            return None
        if draft.conversation_id != conversation_id:
            # Not ours (a hash clash or a file copied in): leave it alone.
            log.warning("draft file %s belongs to another conversation", path.name)
            return None
        with self._lock:
            self._revisions[conversation_id] = max(self._revisions.get(conversation_id, 0), draft.revision)
        return draft

    def list(self) -> list[Draft]:
        """Every readable draft, most recently changed first."""
        drafts = []
        for path in self._files():
            draft = self._read(path)
            if draft is not None and path.name == file_name(draft.conversation_id):
                drafts.append(draft)
        self._sweep_temporaries()
        return sorted(drafts, key=lambda d: d.updated_at, reverse=True)

    def count(self) -> int:
        return sum(1 for _ in self._files())

    def _files(self) -> Iterator[Path]:
        try:
            entries = list(os.scandir(self.directory))
        except FileNotFoundError:
            return
        except OSError as error:
            self._problem(f"Cannot read the drafts folder {self.directory}: {error.strerror}.")
            return
        for entry in entries:
            if entry.name.endswith(SUFFIX) and not entry.name.startswith(".") and entry.is_file(follow_symlinks=False):
                yield Path(entry.path)

    def _read(self, path: Path) -> Draft | None:
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0))
        except FileNotFoundError:
            return None
        except OSError as error:
            if error.errno == errno.ELOOP:
                self._set_aside(path, "is a symbolic link")
            else:
                self._problem(f"Cannot read the draft {path.name}: {error.strerror}.")
            return None
        try:
            with os.fdopen(fd, "rb") as handle:
                raw = handle.read(MAX_FILE_BYTES + 1)
                mtime = os.fstat(handle.fileno()).st_mtime
        except OSError as error:
            self._problem(f"Cannot read the draft {path.name}: {error.strerror}.")
            return None
        if len(raw) > MAX_FILE_BYTES:
            self._set_aside(path, "is too large to be a draft")
            return None
        try:
            # surrogatepass: a lone surrogate pasted into a draft must read back, not "damage" it.
            draft = Draft.from_json(json.loads(raw.decode("utf-8", "surrogatepass")))
        except (ValueError, TypeError, UnicodeDecodeError):
            self._set_aside(path, "is damaged")
            return None
        if not draft.updated_at:
            draft.updated_at = mtime
        return draft

    def _set_aside(self, path: Path, why: str) -> None:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        target = path.with_name(f"{path.name}.corrupt-{stamp}")
        try:
            os.replace(path, target)
        except OSError as error:
            self._problem(f"The draft file {path} {why} and could not be moved aside: {error.strerror}.")
            return
        self._problem(f"A draft file {why}; it was kept aside as {target} (nothing else was lost).")

    def _problem(self, text: str) -> None:
        log.warning("%s", text)
        self.problems.append(text)

    def take_problems(self) -> list[str]:
        """Problems not yet shown to the user (each is returned once)."""
        problems, self.problems = self.problems, []
        return problems

    # -- writing --

    def save(self, draft: Draft) -> bool:
        """Write ``draft`` durably. Returns False (and writes nothing) if a newer revision is on disk.

        Raises ``DraftError`` when the disk refuses: the caller must tell the user.
        """
        with self._lock:
            latest = self._revisions.get(draft.conversation_id, -1)
            if draft.revision < latest:
                return False
            data = json.dumps(draft.to_json(), ensure_ascii=False, separators=(",", ":")).encode(
                "utf-8", "surrogatepass"
            )
            try:
                write_atomic(self.path_for(draft.conversation_id), data)
            except OSError as error:
                raise DraftError(_disk_problem(error, self.directory)) from None
            self._revisions[draft.conversation_id] = draft.revision
            return True

    def delete(self, conversation_id: str, *, revision: int | None = None) -> None:
        """Forget a draft (sent, or emptied by the user). Missing is fine.

        With ``revision``, a save of an older revision still in flight cannot bring it back.
        """
        with self._lock:
            if revision is not None:
                self._revisions[conversation_id] = max(self._revisions.get(conversation_id, 0), revision)
            path = self.path_for(conversation_id)
            try:
                os.unlink(path)
            except FileNotFoundError:
                return
            except OSError as error:
                raise DraftError(_disk_problem(error, self.directory)) from None
            fsync_directory(self.directory)

    def bump(self, draft: Draft, **changes: Any) -> Draft:
        """A copy of ``draft`` with ``changes``, a newer revision and a fresh ``updated_at``."""
        with self._lock:
            revision = max(draft.revision, self._revisions.get(draft.conversation_id, 0)) + 1
        return replace(draft, **changes, revision=revision, updated_at=time.time())

    def _sweep_temporaries(self) -> None:
        try:
            entries = list(os.scandir(self.directory))
        except OSError:
            return
        now = time.time()
        for entry in entries:
            if entry.name.startswith(".") and entry.name.endswith(".tmp"):
                try:
                    if now - entry.stat(follow_symlinks=False).st_mtime > STALE_TEMP_SECONDS:
                        os.unlink(entry.path)
                except OSError:
                    pass


def _disk_problem(error: OSError, directory: Path) -> str:
    if error.errno == errno.ENOSPC:
        return "The disk is full: the draft could not be saved."
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"No permission to save drafts in {directory}."
    return f"The draft could not be saved: {error.strerror or error}."
