"""The commands typed at the pipe prompt, newest first, per profile: ``up`` brings them back.

A small JSON list in ``<data dir>/<profile>/pipe-history.json`` (0600: a command line can hold
a path or a token of the user's), bounded, written atomically. A damaged file starts a fresh
history and says so once (``problem``) instead of failing the prompt.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Final

from ..config import data_dir, valid_profile_name
from .atomic import write_atomic

__all__ = ["FILE_NAME", "MAX_COMMAND_CHARS", "MAX_ENTRIES", "PipeHistory"]

FILE_NAME: Final = "pipe-history.json"
MAX_ENTRIES: Final = 50
MAX_COMMAND_CHARS: Final = 2000


class PipeHistory:
    """Typed pipe commands of one profile, newest first, without duplicates."""

    def __init__(self, path: Path, *, limit: int = MAX_ENTRIES) -> None:
        self.path = path
        self.limit = limit
        self.problem = ""
        self._entries: list[str] = self._load()

    @classmethod
    def for_profile(cls, profile: str) -> PipeHistory:
        if not valid_profile_name(profile):
            raise ValueError(f"Not a valid profile name: {profile!r}")
        return cls(data_dir() / profile / FILE_NAME)

    @property
    def entries(self) -> list[str]:
        return list(self._entries)

    def add(self, command: str) -> None:
        """Remember ``command`` as the newest (once); the oldest go past ``limit``. Saved at once."""
        command = command.strip()
        if not command or "\n" in command or len(command) > MAX_COMMAND_CHARS:
            return
        self._entries = [command, *(entry for entry in self._entries if entry != command)][: self.limit]
        data = json.dumps({"version": 1, "commands": self._entries}, ensure_ascii=False, indent=1)
        write_atomic(self.path, data.encode("utf-8"), mode=0o600, durable=False)

    def _load(self) -> list[str]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return []
        except (OSError, UnicodeDecodeError, ValueError) as error:
            self.problem = f"The pipe history {self.path} could not be read ({type(error).__name__}); starting a new one."
            return []
        commands = data.get("commands") if isinstance(data, dict) else None
        if not isinstance(commands, list):
            self.problem = f"The pipe history {self.path} is damaged; starting a new one."
            return []
        kept = [c for c in commands if isinstance(c, str) and c.strip() and "\n" not in c and len(c) <= MAX_COMMAND_CHARS]
        return list(dict.fromkeys(kept))[: self.limit]
