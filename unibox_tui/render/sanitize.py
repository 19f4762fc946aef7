"""Make untrusted server text safe to put on a terminal: no escape sequences, no invisible tricks.

Every string that comes from the server (subjects, names, addresses, bodies, filenames) passes
through `clean_text` (multi-line) or `clean_line` (one-line fields) before it is displayed.

Sanitising is not escaping: the result can still contain `[`, `]`, `$`, `@click=...` and other
Textual/Rich markup syntax. Display code must ALSO render these strings as text (a `Content` or
`rich.text.Text` object, or `markup=False`), never feed them to a markup parser.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["ELLIPSIS", "TRUNCATION_MARKER", "clean_line", "clean_text"]

ELLIPSIS: Final = "…"
TRUNCATION_MARKER: Final = "\n… (truncated)"
DEFAULT_LINE_CHARS: Final = 500

# An unterminated string sequence (OSC, DCS, ...) swallows at most this many characters: a
# terminal would eat everything up to the next terminator, but a hostile body must not be able to
# hide the rest of a 5 MB message behind one stray introducer.
_MAX_STRING_SEQ: Final = 4096

# Terminal control sequences, removed whole so no "[31m" debris is left behind. Written as
# bounded, non-overlapping character classes: no backtracking, linear time on any input.
_ESCAPE_SEQUENCE = re.compile(
    # CSI: ESC [ or 8-bit CSI, parameter bytes, intermediate bytes, one final byte.
    r"(?:\x1b\[|\x9b)[\x30-\x3f]{0,256}[\x20-\x2f]{0,32}[\x40-\x7e]?"
    # String sequences: OSC, DCS, SOS, PM, APC (7- and 8-bit introducers) up to BEL or ST;
    # CAN/SUB/ESC abort them in real terminals, so the payload stops there as well.
    rf"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x18\x1a\x1b\x9c]{{0,{_MAX_STRING_SEQ}}}"
    r"(?:\x07|\x1b\\|\x9c)?"
    # Any other escape: ESC, intermediates, one final byte (charset designations, ESC c, ...).
    r"|\x1b[\x20-\x2f]{0,32}[\x30-\x7e]?"
)

# Characters that can start an escape sequence; `in` on each is much faster than a regex scan.
_ESCAPE_STARTERS: Final = "\x1b\x9b\x9d\x90\x98\x9e\x9f"

# Unicode category Cf (format characters: zero-width, bidi controls, soft hyphen, tag
# characters, ...) as of Unicode 14-16, minus ZWNJ/ZWJ which emoji sequences and Indic/Persian
# text need. Split by plane: a class with only BMP characters is matched with a bitmap, about
# twice as fast as one that also lists astral ranges, and most text has no astral characters to
# look at. tests/test_render_sanitize.py checks these lists against the running `unicodedata`.
_CF_BMP_NO_JOINERS: Final = (
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e"
    "\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
)
_CF_ASTRAL: Final = (
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0000-\U000e007f"
)
_JOINERS: Final = "\u200c\u200d"
# Invisible letters (Hangul fillers, Khmer inherent vowels) that render as blank space and are
# used to fake empty or look-alike sender names; harmless inside a body.
_INVISIBLE_LETTERS: Final = "\u115f\u1160\u17b4\u17b5\u3164\uffa0"
# C0 except TAB/LF/CR (handled separately), DEL, C1, and lone surrogates (a str from JSON can
# hold them; they make the terminal's UTF-8 encoder raise).
_CONTROLS: Final = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff"

_DROP_BMP_IN_TEXT = re.compile(f"[{_CONTROLS}{_CF_BMP_NO_JOINERS}]+")
_DROP_BMP_IN_LINE = re.compile(f"[{_CONTROLS}{_CF_BMP_NO_JOINERS}{_JOINERS}{_INVISIBLE_LETTERS}]+")
# Only the planes that hold astral Cf characters; emoji (plane 1, U+1F000 up) are outside it.
_ASTRAL_SUSPECT = re.compile("[\U00011000-\U0001dfff\U000e0000-\U000e007f]")
_DROP_ASTRAL = re.compile(f"[{_CF_ASTRAL}]+")
# For pure-ASCII input, str.translate with an ASCII table is ~15x faster than a regex pass.
_ASCII_DROP: Final = {c: None for c in (*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F)}
_TAB_SIZE: Final = 8


def _strip_controls(s: str, drop_bmp: re.Pattern[str]) -> str:
    """Remove escape sequences, then every banned character; keeps TAB, LF and CR."""
    if s.isascii():
        if "\x1b" in s:
            s = _ESCAPE_SEQUENCE.sub("", s)
        return s.translate(_ASCII_DROP)
    if any(c in s for c in _ESCAPE_STARTERS):
        s = _ESCAPE_SEQUENCE.sub("", s)
    s = drop_bmp.sub("", s)
    if _ASTRAL_SUSPECT.search(s) is not None:
        s = _DROP_ASTRAL.sub("", s)
    return s


def _precut(s: str, max_chars: int | None) -> tuple[str, bool]:
    """Cut far-too-long input before the expensive passes; True if something was cut.

    The margin leaves room for what cleaning removes, so the visible result is normally the
    same as cleaning everything and cutting afterwards.
    """
    if max_chars is None:
        return s, False
    limit = 2 * max_chars + 2 * _MAX_STRING_SEQ
    if len(s) <= limit:
        return s, False
    return s[:limit], True


def clean_text(s: str | None, *, max_chars: int | None = None) -> str:
    """Return multi-line text (a body) that is safe to show on a terminal.

    Keeps newlines, turns CR/CRLF and U+2028/U+2029 into LF and expands tabs (a raw tab's width
    depends on the widget). Keeps ZWJ/ZWNJ, which emoji and Indic/Persian script need. With
    `max_chars`, the result is at most that long and ends with a visible marker when cut.
    """
    if not s:
        return ""
    s, cut = _precut(s, max_chars)
    s = _strip_controls(s, _DROP_BMP_IN_TEXT)
    if "\r" in s:
        s = s.replace("\r\n", "\n").replace("\r", "\n")
    if not s.isascii():
        s = s.replace("\u2028", "\n").replace("\u2029", "\n")
    if "\t" in s:
        s = s.expandtabs(_TAB_SIZE)
    if max_chars is not None and (cut or len(s) > max_chars):
        keep = max(0, max_chars - len(TRUNCATION_MARKER))
        s = (s[:keep].rstrip() + TRUNCATION_MARKER)[: max(0, max_chars)]
    return s


def clean_line(s: str | None, *, max_chars: int = DEFAULT_LINE_CHARS) -> str:
    """Return a one-line field (subject, name, address, snippet) that is safe and honest.

    On top of `clean_text`'s rules, drops ZWJ/ZWNJ and invisible letters too (in a sender name
    they can make two different strings look the same), collapses every whitespace run and line
    break to one space, and caps the length with an ellipsis.
    """
    if not s:
        return ""
    s, cut = _precut(s, max_chars)
    # str.split() with no argument splits on exactly the Unicode whitespace `\\s` knows, in C.
    s = " ".join(_strip_controls(s, _DROP_BMP_IN_LINE).split())
    if cut or len(s) > max_chars:
        if max_chars <= len(ELLIPSIS):
            return ELLIPSIS[:max_chars]
        s = s[: max_chars - len(ELLIPSIS)].rstrip() + ELLIPSIS
    return s
