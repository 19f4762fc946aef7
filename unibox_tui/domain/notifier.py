"""Desktop notifications through the system's own tool: ``notify-send`` (Linux) or ``osascript`` (macOS).

A lead's name and a subject are a stranger's text, so they never pass through a shell or into
a script's source: ``notify-send`` gets them as arguments after ``--``; ``osascript`` runs a
fixed script that reads them from ``argv``. They are sanitised again here (no escape
sequences, one line, bounded) and a leading ``-`` is replaced, so no tool can take them for an
option; in ``notify-send``'s body, which daemons read as markup, angle brackets become look-alike
quotes. The tool runs with a timeout; ``notify`` blocks, so the UI calls it from a thread
worker. Without either tool (or on Windows) there is no desktop notice; the terminal bell is
the UI's job.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
from collections.abc import Callable
from typing import Final

from ..render.sanitize import clean_line

__all__ = ["OSASCRIPT_SOURCE", "Notifier"]

TIMEOUT: Final = 5.0
MAX_TITLE: Final = 100
MAX_BODY: Final = 200
#: The whole AppleScript: constant, the texts arrive as ``argv`` (never spliced into the source).
OSASCRIPT_SOURCE: Final = (
    "on run argv",
    "display notification (item 2 of argv) with title (item 1 of argv)",
    "end run",
)


class Notifier:
    """Shows one desktop notification at a time; ``last_error`` says why one did not show."""

    def __init__(
        self,
        *,
        platform: str = sys.platform,
        which: Callable[[str], str | None] = shutil.which,
        timeout: float = TIMEOUT,
        app_name: str = "unibox-tui",
    ) -> None:
        self.platform = platform
        self.timeout = timeout
        self.app_name = app_name
        self._which = which
        self._busy = threading.Lock()
        self.last_error = ""

    @property
    def tool(self) -> str | None:
        """The notification tool found on this system (a full path), or ``None``."""
        if self.platform == "darwin":
            return self._which("osascript")
        if self.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
            return self._which("notify-send")
        return None

    @property
    def available(self) -> bool:
        return self.tool is not None

    def command(self, title: str, body: str) -> list[str] | None:
        """The argument list ``notify`` runs (no shell), or ``None`` without a tool."""
        tool = self.tool
        if tool is None:
            return None
        title, body = _safe(title, MAX_TITLE) or self.app_name, _safe(body, MAX_BODY)
        if self.platform == "darwin":
            script = [part for line in OSASCRIPT_SOURCE for part in ("-e", line)]
            return [tool, *script, title, body]
        return [tool, f"--app-name={self.app_name}", "--", title, _no_tags(body)]

    def notify(self, title: str, body: str) -> bool:
        """Show a notification; False (and ``last_error``) when it could not. Blocks: use a thread."""
        command = self.command(title, body)
        if command is None:
            self.last_error = "No desktop notification tool (notify-send or osascript) was found."
            return False
        if not self._busy.acquire(blocking=False):
            self.last_error = "A notification is still being shown."
            return False
        try:
            return self._run(command)
        finally:
            self._busy.release()

    def _run(self, command: list[str]) -> bool:
        name = command[0].rsplit("/", 1)[-1]
        try:
            result = subprocess.run(
                command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                timeout=self.timeout, check=False, shell=False, close_fds=True,
            )
        except subprocess.TimeoutExpired:
            self.last_error = f"{name} did not answer within {self.timeout:g} s."
            return False
        except OSError as error:
            self.last_error = f"{name} could not be started: {error.strerror or error}."
            return False
        if result.returncode != 0:
            detail = clean_line(result.stderr.decode("utf-8", "replace"), max_chars=120)
            self.last_error = f"{name} failed (exit {result.returncode})" + (f": {detail}" if detail else ".")
            return False
        self.last_error = ""
        return True


def _no_tags(body: str) -> str:
    """notify-send's body is markup to most daemons (``<a href>``, ``<img src>``): a stranger's angle
    brackets become look-alike quotes, which read the same with or without markup support."""
    return body.replace("<", "\u2039").replace(">", "\u203a")


def _safe(text: str, limit: int) -> str:
    """One clean line, bounded, that no tool can read as an option."""
    line = clean_line(text, max_chars=limit)
    return "\u2010" + line[1:] if line.startswith("-") else line
