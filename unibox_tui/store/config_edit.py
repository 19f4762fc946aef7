"""Adding, editing and removing snippets in config.toml from the app, keeping the user's file.

The file is the user's: hand-written comments, blank lines, key order and quoting must survive an
edit made from the app. ``tomlkit`` edits the parsed document in place and writes back everything
it did not touch byte for byte (``tomllib`` only reads; a rewrite from a dict would lose every
comment). The write is atomic (temporary file in the same folder, rename) and keeps the file's
permissions; a symlinked config.toml (a dotfiles repository) is written through to its target.

Nothing is written when the file does not parse now: the user is told to fix it first, and the
snippet is not lost (the caller still holds it). After editing, the new text is parsed again with
``tomllib`` and must hold exactly the snippet asked for; an unusual layout the edit cannot handle
(``snippets`` as dotted keys, say) is refused rather than guessed.
"""

from __future__ import annotations

import os
import stat
import tempfile
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..config import _toml_error_message, config_file
from ..domain.snippets import MAX_NAME_CHARS, valid_snippet_name
from .atomic import fsync_directory

__all__ = ["ConfigEditError", "remove_snippet", "save_snippet"]


class ConfigEditError(Exception):
    """The settings file was not changed; ``str()`` says why and what to do."""


def save_snippet(
    name: str,
    text: str,
    labels: Sequence[str] = (),
    *,
    old_name: str | None = None,
    path: Path | None = None,
) -> Path:
    """Add snippet ``name``, or edit it (``old_name``: rename it, keeping its place in the file).

    Comments inside an edited snippet's table stay; ``labels`` is removed when empty.
    """
    from ..api.models import LABELS

    text = text.replace("\r\n", "\n").replace("\r", "\n")  # TOML reads a multi-line string's CRLF as LF
    if not valid_snippet_name(name):
        raise ConfigEditError(f"A snippet name is one line of 1 to {MAX_NAME_CHARS} characters.")
    if not text.strip():
        raise ConfigEditError("A snippet needs some text.")
    unknown = [label for label in labels if label not in LABELS]
    if unknown:
        raise ConfigEditError(f"Unknown label {unknown[0]!r}; labels are: {', '.join(LABELS)}.")
    target, document = _open(path)
    snippets = _snippets_table(document, create=True)
    previous = old_name if old_name is not None else name
    if old_name is not None and old_name != name and name in snippets:
        raise ConfigEditError(f"There is already a snippet named {name!r}.")
    if previous in snippets:
        _update(snippets, previous, name, text, list(labels))
    else:
        snippets[name] = _new_table(text, list(labels))
    _write(target, document, lambda data: _holds(data, name, text, list(labels)) and _gone(data, old_name, name))
    return target


def remove_snippet(name: str, *, path: Path | None = None) -> Path:
    """Remove snippet ``name``; ``ConfigEditError`` when there is none by that name."""
    target, document = _open(path)
    snippets = _snippets_table(document, create=False)
    if snippets is None or name not in snippets:
        raise ConfigEditError(f"There is no snippet named {name!r} in {target}.")
    del snippets[name]
    _write(target, document, lambda data: _gone(data, name, None))
    return target


# --- the document -----------------------------------------------------------------------------------


def _open(path: Path | None) -> tuple[Path, Any]:
    """The file to write (a symlink's target) and its parsed document; refuses a broken file."""
    import tomlkit

    target = (path or config_file()).expanduser()
    if target.is_symlink():
        target = target.resolve()
    try:
        text = target.read_bytes().decode("utf-8")
    except FileNotFoundError:
        text = ""
    except UnicodeDecodeError:
        raise ConfigEditError(f"{target} is not UTF-8 text: fix it first; nothing was saved.") from None
    except OSError as error:
        raise ConfigEditError(f"Could not read {target}: {error.strerror}; nothing was saved.") from None
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        reason = _toml_error_message(target, error).split(". Using the built-in")[0]
        raise ConfigEditError(f"{reason}. Fix the file first; nothing was saved.") from None
    return target, tomlkit.parse(text)


def _snippets_table(document: Any, *, create: bool) -> Any:
    import tomlkit

    if "snippets" not in document:
        if not create:
            return None
        document.add(tomlkit.nl())
        document["snippets"] = tomlkit.table(is_super_table=True)
    snippets = document["snippets"]
    if not isinstance(snippets, dict) or any(not isinstance(value, dict) for value in snippets.values()):
        raise ConfigEditError("`snippets` in the settings file is not a table of [snippets.NAME] tables; edit it by hand.")
    return snippets


def _text_item(text: str) -> Any:
    import tomlkit

    return tomlkit.string(text, multiline="\n" in text)


def _new_table(text: str, labels: list[str]) -> Any:
    import tomlkit

    table = tomlkit.table()
    table["text"] = _text_item(text)
    if labels:
        table["labels"] = labels
    table.add(tomlkit.nl())
    return table


def _update(snippets: Any, previous: str, name: str, text: str, labels: list[str]) -> None:
    """Change a snippet's table in place (its comments stay), renamed at the same place."""
    table = snippets[previous]
    table["text"] = _text_item(text)
    if labels:
        table["labels"] = labels
    elif "labels" in table:
        del table["labels"]
    if previous == name:
        return
    keys = list(snippets.keys())
    after = [(key, snippets[key]) for key in keys[keys.index(previous) + 1 :]]
    for key, _ in after:
        del snippets[key]
    del snippets[previous]
    snippets[name] = table
    for key, value in after:
        snippets[key] = value


def _holds(data: dict[str, Any], name: str, text: str, labels: list[str]) -> bool:
    entry = data.get("snippets", {}).get(name)
    return isinstance(entry, dict) and entry.get("text") == text and entry.get("labels", []) == labels


def _gone(data: dict[str, Any], old: str | None, kept: str | None) -> bool:
    return old is None or old == kept or old not in data.get("snippets", {})


def _write(target: Path, document: Any, check: Any) -> None:
    """Check the edited text says what was asked, then replace the file atomically (same mode)."""
    import tomlkit

    updated = tomlkit.dumps(document)
    try:
        ok = check(tomllib.loads(updated))
    except tomllib.TOMLDecodeError:
        ok = False
    if not ok:
        raise ConfigEditError(f"Could not update {target} safely (an unusual layout); edit it by hand.")
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        mode = 0o600
    try:
        _replace(target, updated.encode("utf-8"), mode)
    except OSError as error:
        raise ConfigEditError(f"Could not write {target}: {error.strerror}; nothing was saved.") from None


def _replace(target: Path, data: bytes, mode: int) -> None:
    """Temporary file beside ``target`` (born 0600, then given ``mode``), fsync, rename.

    Not ``atomic.write_atomic``: that one also makes the folder owner-only, which is right for the
    config folder but not for the folder of a dotfiles repository a symlink points into.
    """
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), mode)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, target)
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise
    fsync_directory(target.parent)
