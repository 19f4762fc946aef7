"""Attachment names chosen by strangers -> one safe, portable file name inside the download folder.

``pathvalidate`` does the portable part (characters Windows/macOS/Linux refuse, reserved device
names, trailing dots and spaces); on top of it we remove what it lets through: directory parts,
escape sequences and control characters, bidi overrides and zero-width characters, leading dots
(hidden files) and dashes (``-rf`` in a shell glob), ``CONIN$``-style names, and names that are
too long in UTF-8 bytes. The result is the name shown in the thread and the picker, and the name
the file gets (before `` (1)`` is added for duplicates).
"""

from __future__ import annotations

import mimetypes
import re
import unicodedata
from typing import Final

from pathvalidate import sanitize_filename

from .sanitize import clean_line

__all__ = [
    "DEFAULT_MAX_BYTES",
    "display_name",
    "extension_for",
    "safe_filename",
    "short_type",
    "split_extension",
]

#: Leaves room under the usual 255-byte limit for `` (9999)`` and ``.part``.
DEFAULT_MAX_BYTES: Final = 200
_MIN_BYTES: Final = 24
#: Only the end of a very long name matters (its last path component and its extension).
_MAX_INPUT_CHARS: Final = 8192

# Characters that look like path separators: harmless to the file system, misleading to a reader.
_LOOKALIKE_SLASHES: Final = str.maketrans(dict.fromkeys("\u2044\u2215\u29f8\u29f9\uff0f\uff3c", "_"))
_SEPARATORS: Final = re.compile(r"[/\\]")
_LEADING_JUNK: Final = " .-"
_TRAILING_JUNK: Final = " ."
# Windows device names, reserved with any extension (``con.tar.gz``) and with trailing spaces.
_RESERVED: Final = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$", "CLOCK$"}
    | {f"{port}{n}" for port in ("COM", "LPT") for n in (*"0123456789", "\u00b9", "\u00b2", "\u00b3")}
)
_EXTENSION: Final = re.compile(r"(\.tar)?\.[A-Za-z0-9]{1,12}$", re.ASCII)
_ID_CHARS: Final = re.compile(r"[^A-Za-z0-9_-]+", re.ASCII)
# Our own choices where the system's mime.types would give something surprising (.jpe, .ksh...).
_PREFERRED_EXTENSIONS: Final = {
    "application/pdf": ".pdf",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "text/plain": ".txt",
    "text/csv": ".csv",
    "text/calendar": ".ics",
    "text/html": ".html",
    "application/zip": ".zip",
    "application/gzip": ".gz",
    "application/json": ".json",
    "video/mp4": ".mp4",
    "audio/mpeg": ".mp3",
    "application/msword": ".doc",
    "application/vnd.ms-excel": ".xls",
    "application/vnd.ms-powerpoint": ".ppt",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ".pptx",
}
#: Types that say nothing about the content: no extension is better than a misleading one.
_NO_EXTENSION: Final = frozenset({"", "application/octet-stream", "binary/octet-stream", "application/unknown"})


def safe_filename(
    name: str | None,
    *,
    attachment_id: str,
    content_type: str = "",
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> str:
    """A file name that stays inside any folder it is joined to, whatever ``name`` holds.

    Never empty, never ``.``/``..``, no separators, controls, bidi or zero-width characters, no
    leading dot or dash, not a Windows device name, at most ``max_bytes`` in UTF-8 with the
    extension kept. Nothing usable left -> ``attachment-<id><extension from content_type>``.
    The function is idempotent: a safe name comes back unchanged.
    """
    max_bytes = max(_MIN_BYTES, max_bytes)
    text = _portable(name or "", max_bytes)
    if not text:
        text = _portable(_fallback(attachment_id, content_type), max_bytes) or "attachment"
    return text


def display_name(name: str, max_chars: int = 80) -> str:
    """A (safe) file name shortened in the middle for display, so its extension stays visible."""
    if len(name) <= max_chars:
        return name
    tail = max(8, max_chars // 3)
    return name[: max_chars - tail - 1] + "…" + name[-tail:]


def split_extension(name: str) -> tuple[str, str]:
    """``("deck", ".pdf")``, ``("backup", ".tar.gz")``; ``(name, "")`` when there is none.

    A name that is only an extension (``.pdf``) has none: the dot is part of its stem.
    """
    match = _EXTENSION.search(name)
    if match is None or match.start() == 0:
        return name, ""
    return name[: match.start()], match.group(0)


def extension_for(content_type: str) -> str:
    """A sensible extension for a MIME type (``.pdf``), or ``""`` when it says nothing useful."""
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind in _NO_EXTENSION or "/" not in kind:
        return ""
    guessed = _PREFERRED_EXTENSIONS.get(kind) or mimetypes.guess_extension(kind, strict=True) or ""
    return guessed if _EXTENSION.fullmatch(guessed) else ""


_TYPE_NAMES: Final = {
    "application/pdf": "PDF",
    "text/calendar": "calendar invite",
    "application/msword": "Word document",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word document",
    "application/vnd.ms-excel": "Excel spreadsheet",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel spreadsheet",
    "application/vnd.ms-powerpoint": "PowerPoint deck",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "PowerPoint deck",
    "application/zip": "ZIP archive",
}


def short_type(content_type: str) -> str:
    """A MIME type as a reader would say it (``PDF``, ``Excel spreadsheet``, ``image/png``), cleaned."""
    kind = clean_line(content_type.split(";", 1)[0], max_chars=200).lower()
    if not kind:
        return "unknown type"
    return _TYPE_NAMES.get(kind) or clean_line(kind, max_chars=32)


def _portable(raw: str, max_bytes: int) -> str:
    text = unicodedata.normalize("NFC", raw[-_MAX_INPUT_CHARS:])
    # Escape sequences, C0/C1 controls, bidi overrides, zero-width and invisible characters go;
    # newlines and other whitespace runs become one space.
    text = clean_line(text, max_chars=len(text) + 1).translate(_LOOKALIKE_SLASHES)
    parts = [part.strip() for part in _SEPARATORS.split(text)]
    text = next((part for part in reversed(parts) if part), "")
    text = text.lstrip(_LEADING_JUNK)
    if not text:
        return ""
    # Cap first: pathvalidate cuts long names at 255 bytes without keeping the extension.
    text = _cap_bytes(text, max_bytes)
    text = sanitize_filename(text, replacement_text="_", platform="universal")
    text = _defuse_reserved(text)
    return _cap_bytes(text, max_bytes).lstrip(_LEADING_JUNK).rstrip(_TRAILING_JUNK)


def _defuse_reserved(name: str) -> str:
    """``CON.txt`` -> ``CON_.txt``: Windows would open the console, not a file."""
    head, dot, rest = name.partition(".")
    if head.rstrip(" ").upper() in _RESERVED:
        return f"{head.rstrip(' ')}_{dot}{rest}"
    return name


def _cap_bytes(name: str, max_bytes: int) -> str:
    """At most ``max_bytes`` of UTF-8, cut on a character boundary, keeping the extension."""
    if len(name.encode("utf-8")) <= max_bytes:
        return name
    stem, extension = split_extension(name)
    room = max_bytes - len(extension.encode("utf-8"))
    if room < _MIN_BYTES // 2:
        stem, extension, room = name, "", max_bytes
    cut = stem.encode("utf-8")[:room].decode("utf-8", errors="ignore").rstrip(_TRAILING_JUNK)
    return cut + extension


def _fallback(attachment_id: str, content_type: str) -> str:
    ident = _ID_CHARS.sub("", clean_line(attachment_id, max_chars=200))[:40].strip("-")
    base = f"attachment-{ident}" if ident else "attachment"
    return base + extension_for(content_type)
