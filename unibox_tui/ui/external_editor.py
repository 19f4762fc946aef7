"""The composer's bridge to ``$VISUAL``/``$EDITOR``: hand the text over, get it back (or a reason why not)."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.app import SuspendNotSupported

if TYPE_CHECKING:
    from textual.app import App

__all__ = ["Edited", "edit_in_editor", "editor_command"]


@dataclass(frozen=True, slots=True)
class Edited:
    """The text as the editor left it (``None``: unchanged or not edited) and what to tell the user."""

    text: str | None
    problem: str = ""
    severity: str = "warning"


def editor_command() -> list[str] | None:
    """``$VISUAL``, else ``$EDITOR`` (split like a shell would), else nano or vi if installed."""
    for variable in ("VISUAL", "EDITOR"):
        value = os.environ.get(variable, "").strip()
        if value:
            try:
                parts = shlex.split(value)
            except ValueError:
                continue
            if parts and shutil.which(parts[0]):
                return parts
    for fallback in ("nano", "vi"):
        found = shutil.which(fallback)
        if found:
            return [found]
    return None


def edit_in_editor(app: App[Any], text: str, folder: Path) -> Edited:
    """Suspend the app, run the editor on ``text`` in a private file under ``folder``, read it back."""
    command = editor_command()
    if command is None:
        return Edited(None, "Set $VISUAL or $EDITOR to write in your own editor.")
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(prefix=".edit-", suffix=".md", dir=folder)
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
    except OSError as error:
        return Edited(None, f"Could not prepare a file for the editor: {error.strerror}.", "error")
    path = Path(name)
    try:
        return _run_and_read(app, command, path, text)
    finally:
        path.unlink(missing_ok=True)
        app.refresh()


def _run_and_read(app: App[Any], command: list[str], path: Path, original: str) -> Edited:
    try:
        with app.suspend():
            status, problem = _run(command, path)  # nothing may raise in here: Textual would stay suspended
    except SuspendNotSupported:
        return Edited(None, "This terminal cannot hand over to an editor.")
    if problem:
        return Edited(None, f"Could not start {command[0]}: {problem}.", "error")
    if status != 0:
        return Edited(None, f"The editor exited with status {status}; the text was kept as it was.")
    try:
        edited = path.read_text(encoding="utf-8", errors="replace")
    except OSError as error:
        return Edited(None, f"Could not read the edited text: {error.strerror}.", "error")
    if not original.endswith("\n") and edited.endswith("\n"):
        edited = edited[:-1]  # editors add a final newline
    return Edited(edited if edited != original else None)


def _run(command: list[str], path: Path) -> tuple[int, str]:
    """Run the editor on ``path``; (exit status, "") or (-1, why it could not start)."""
    try:
        return subprocess.run([*command, str(path)], check=False).returncode, ""
    except (OSError, ValueError) as error:
        return -1, getattr(error, "strerror", None) or str(error)
