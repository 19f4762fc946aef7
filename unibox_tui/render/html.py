"""HTML bodies to text a person can read in a terminal, and which body of a message to show."""

from __future__ import annotations

import html as stdlib_html
import re
from dataclasses import dataclass
from typing import Final, Literal

from unibox_tui.render.sanitize import TRUNCATION_MARKER, clean_line, clean_text

__all__ = [
    "NO_CONTENT",
    "Body",
    "HtmlText",
    "best_body",
    "html_to_plain",
    "html_to_text",
    "looks_like_html",
]

NO_CONTENT: Final = "(no content)"
TRUNCATED_NOTE: Final = "… (message cut: too long to show in full)"
DEFAULT_MAX_BYTES: Final = 2_000_000
SNIPPET_SCAN_CHARS: Final = 20_000

_TAG_START = "<"
_BLANKISH_LINE = re.compile(r"[ >]*")
_ALNUM = re.compile(r"\w")
_LOOKS_LIKE_HTML = re.compile(
    r"\s*(?:<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]|<(?:div|p|table|br)\b[^>]*>)",
    re.IGNORECASE,
)

# html_to_plain: a crude but linear-time tag stripper for list snippets.
_SNIPPET_DROP = re.compile(
    r"<!--.*?(?:-->|$)"
    r"|<(script|style|title|head|template|xml|svg|iframe|object|applet)\b[^>]*>.*?(?:</\1\s*>|$)"
    # Hidden preheaders: the hidden element up to its first matching end tag (nested elements
    # of the same name end it early, which only lets a little hidden text through).
    r"|<(div|span|p|td|table|center)\b[^>]{0,2000}?"
    r"(?:display\s*:\s*none|visibility\s*:\s*hidden|mso-hide\s*:\s*all|opacity\s*:\s*0+(?:\.0*)?(?![.\d])"
    r"|(?<=\s)hidden(?=[\s=/>]))[^>]{0,2000}>"
    r".*?(?:</\2\s*>|$)",
    re.IGNORECASE | re.DOTALL,
)
# Block-level tags separate words; inline ones (<a>, <span>, <b>) must not split "a<b>b</b>".
_SNIPPET_BLOCK_TAG = re.compile(
    r"</?(?:p|div|br|hr|li|ul|ol|tr|td|th|table|tbody|thead|h[1-6]|blockquote|pre|section|"
    r"header|footer|article|center|dd|dt|dl|img)\b[^>]*(?:>|$)",
    re.IGNORECASE,
)
_SNIPPET_TAG = re.compile(r"<[a-zA-Z/!?][^>]*(?:>|$)")
# Numeric references to C0 controls and DEL, which html.unescape drops (leaving "[31m" of
# "&#27;[31m" behind) while html2text keeps them: decoded first, the sanitiser then removes the
# whole escape sequence in a snippet exactly as in the message.
_CONTROL_CHARREF = re.compile(r"&#(?:[xX]0*([0-9a-fA-F]{1,2})|0*([0-9]{1,3}));?")


@dataclass(frozen=True, slots=True)
class HtmlText:
    """An HTML body converted for reading.

    `links[i]` is the target of the reference `[i+1]` in `text` (the list is also printed at
    the end of `text`). `image_only` means the visible text came only from image alt texts.
    """

    text: str
    links: tuple[str, ...] = ()
    truncated: bool = False
    image_only: bool = False


@dataclass(frozen=True, slots=True)
class Body:
    """The text to show for a message, and where it came from."""

    text: str
    source: Literal["html", "text", "none"]
    links: tuple[str, ...] = ()
    truncated: bool = False


def _cut_html(html: str, max_bytes: int) -> tuple[str, bool]:
    """Cut HTML over `max_bytes` characters, at a tag start when there is one nearby."""
    if len(html) <= max_bytes:
        return html, False
    cut = html.rfind(_TAG_START, max(0, max_bytes - 4096), max_bytes)
    return html[: cut if cut > 0 else max_bytes], True


def _tidy(text: str) -> str:
    """Strip trailing spaces, collapse runs of blank (or bare `>`) lines, trim the ends."""
    out: list[str] = []
    previous_blank: str | None = None
    for line in text.replace("\xa0", " ").split("\n"):
        line = line.rstrip()
        if _BLANKISH_LINE.fullmatch(line):
            line = line.replace(" ", "")
            if line == previous_blank:
                continue
            previous_blank = line
        else:
            previous_blank = None
        out.append(line)
    return "\n".join(out).strip("\n")


def html_to_text(html: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> HtmlText:
    """Convert an HTML body to terminal-friendly text (run it in a worker: ~0.5 s per MB).

    Links become numbered references listed at the end; a link whose text looks like a
    different address shows its real target inline. Hidden text, scripts, styles, tracking
    pixels and image URLs are dropped. The result has been through `clean_text`.
    `max_bytes` counts characters (the body is already decoded).
    """
    if not html:
        return HtmlText("")
    html, truncated = _cut_html(html, max_bytes)
    # Imported here: html2text costs ~60 ms at start-up and is only needed to open a message.
    from unibox_tui.render._h2t import TerminalHTML2Text

    parser = TerminalHTML2Text()
    try:
        raw = parser.handle(html)
        references = tuple(clean_line(url, max_chars=4096) for url in parser.references)
    except Exception:  # noqa: BLE001 - one hostile body must not take the app down
        raw, references = _strip_tags(html), ()
    text = _tidy(clean_text(raw))
    if truncated:
        text += "\n\n" + TRUNCATED_NOTE
    if references:
        # Last, after everything: the quote folder keeps a trailing reference list visible.
        text += "\n\n" + "\n".join(f"[{n}]: {url}" for n, url in enumerate(references, 1))
    image_only = parser.alt_chars > 0 and parser.text_chars == 0
    return HtmlText(text, references, truncated, image_only)


def _strip_tags(html: str) -> str:
    """Tags out, entities decoded: the fallback when real conversion is not possible."""
    text = _SNIPPET_BLOCK_TAG.sub(" ", _SNIPPET_DROP.sub(" ", html))
    text = _SNIPPET_TAG.sub("", text)
    if "&#" in text:
        text = _CONTROL_CHARREF.sub(_control_charref, text)
    return stdlib_html.unescape(text)


def _control_charref(match: re.Match[str]) -> str:
    code = int(match.group(1), 16) if match.group(1) is not None else int(match.group(2))
    return chr(code) if 0 < code < 0x20 or code == 0x7F else match.group(0)


def looks_like_html(text: str) -> bool:
    """True for a text part that is really HTML (some senders put HTML in the plain-text part)."""
    return _LOOKS_LIKE_HTML.match(text[:2000]) is not None


def html_to_plain(html: str | None, *, max_chars: int = 300) -> str:
    """One line of text from an HTML body, for snippets in a list: cheap, never slow.

    Looks at the first ~20 KB only; hidden preheaders are skipped on a best-effort basis.
    """
    if not html:
        return ""
    return clean_line(_strip_tags(html[:SNIPPET_SCAN_CHARS]), max_chars=max_chars)


def _has_words(text: str) -> bool:
    """True if the text holds at least one letter or digit (not just whitespace or marks)."""
    return _ALNUM.search(text) is not None


def _plain_body(text: str) -> tuple[str, bool]:
    """A text/plain body, sanitised and tidied; True if it had to be cut."""
    cleaned = clean_text(text, max_chars=DEFAULT_MAX_BYTES)
    return _tidy(cleaned), cleaned.endswith(TRUNCATION_MARKER) and len(text) > DEFAULT_MAX_BYTES


def best_body(html_body: str | None, text_body: str | None) -> Body:
    """Choose what to show for a message: the HTML converted, or the plain-text part.

    HTML wins when it has real text; the text part is used when the HTML is missing, empty or
    only images (and the text part says more). Both empty gives `NO_CONTENT`, source "none".
    A text part that is really HTML (some senders do that) is converted too.
    """
    if text_body and not html_body and looks_like_html(text_body):
        html_body, text_body = text_body, None
    converted = html_to_text(html_body) if html_body and html_body.strip() else None
    if converted is not None and _has_words(converted.text) and not converted.image_only:
        return Body(converted.text, "html", converted.links, converted.truncated)
    plain, plain_cut = _plain_body(text_body) if text_body else ("", False)
    if _has_words(plain):
        return Body(plain, "text", truncated=plain_cut)
    if converted is not None and converted.text.strip():
        return Body(converted.text, "html", converted.links, converted.truncated)
    if plain.strip():
        return Body(plain, "text", truncated=plain_cut)
    return Body(NO_CONTENT, "none")
