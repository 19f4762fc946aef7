"""An inbox's signature (HTML from the server) made safe to send and readable on a terminal.

The signature comes from ``GET /inboxes``: HTML we did not write. It is never sent as it came
and never displayed as markup. One pass of the standard library's HTML parser rebuilds it from
a strict allow-list (the look of a signature survives, nothing active does):

- kept: ``b strong i em u br p div span ul ol li``, with no attributes at all, and ``a`` with
  only an ``href`` whose scheme is http, https, mailto or tel;
- dropped with their content: scripts, styles, forms, frames, media, and anything hidden with
  ``display:none``/``visibility:hidden``; dropped, content kept: every other tag;
- images (logos) are dropped: a signature image is a remote URL the lead's client would fetch.

The same pass writes the plain text the composer shows, so the SDR reads exactly what is sent.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Final

from unibox_tui.render.sanitize import clean_line, clean_text

__all__ = ["MAX_SIGNATURE_CHARS", "SafeSignature", "prepare_signature"]

#: A signature longer than this (in HTML characters) is cut: it is a signature, not a newsletter.
MAX_SIGNATURE_CHARS: Final = 20_000
_MAX_DEPTH: Final = 32
_MAX_TEXT_LINES: Final = 12

_KEPT: Final = frozenset("b strong i em u br p div span ul ol li a".split())
_BLOCK: Final = frozenset("p div ul ol li br tr table blockquote h1 h2 h3 h4 h5 h6 hr".split())
_VOID: Final = frozenset("area base br col embed hr img input link meta param source track wbr".split())
_SKIP_CONTENT: Final = frozenset(
    "script style title head template xml svg math object applet embed iframe frame frameset "
    "noscript noembed form textarea select button audio video canvas".split()
)
_HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden|mso-hide\s*:\s*all", re.IGNORECASE)
_LINK_SCHEMES: Final = ("http:", "https:", "mailto:", "tel:")
_URL_JUNK = re.compile(r"[\x00-\x20\x7f]+")


@dataclass(frozen=True, slots=True)
class SafeSignature:
    """``html`` is rebuilt from the allow-list; ``text`` is what the terminal shows."""

    html: str = ""
    text: str = ""

    def __bool__(self) -> bool:
        return bool(self.text.strip())


def _safe_href(value: str | None) -> str | None:
    if not value:
        return None
    url = _URL_JUNK.sub("", value)
    if not url.lower().startswith(_LINK_SCHEMES) or len(url) > 2000:
        return None
    return url


class _Rebuilder(HTMLParser):
    """Streams allowed tags and escaped text out; counts what it skips."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.text: list[str] = []
        #: Open elements as (tag, written?): end tags close only what we opened.
        self.stack: list[tuple[str, bool]] = []
        self.skip_depth = 0  # > 0 while inside a dropped subtree
        self.link_href: str | None = None
        self.link_text: list[str] = []

    # -- text side --

    def _newline(self) -> None:
        if self.text and not self.text[-1].endswith("\n"):
            self.text.append("\n")

    # -- parser callbacks --

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skip_depth:
            if tag not in _VOID:
                self.skip_depth += 1
            return
        style = next((v for k, v in attrs if k == "style" and v), "")
        hidden = any(k == "hidden" for k, _ in attrs) or bool(_HIDDEN.search(style))
        if tag in _SKIP_CONTENT or hidden:
            if tag not in _VOID:
                self.skip_depth = 1
            return
        if tag in _BLOCK:
            self._newline()
        if tag == "li":
            self.text.append("• ")
        if tag in _VOID:
            if tag == "br":
                self.out.append("<br>")
            return
        if tag in ("li", "p") and self.stack and self.stack[-1][0] == tag:
            self._close(*self.stack.pop())  # <li>one<li>two: the second item ends the first
        if len(self.stack) >= _MAX_DEPTH:
            self.stack.append((tag, False))
            return
        written = tag in _KEPT
        if tag == "a":
            href = _safe_href(next((v for k, v in attrs if k == "href"), None))
            if self.link_href is None and href:
                self.out.append(f'<a href="{html.escape(href, quote=True)}">')
                self.link_href, self.link_text = href, []
            else:
                written = False
        elif written:
            self.out.append(f"<{tag}>")
        self.stack.append((tag, written))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.skip_depth:
            if tag not in _VOID:
                self.skip_depth -= 1
            return
        if not any(open_tag == tag for open_tag, _ in self.stack):
            return  # a stray end tag closes nothing of ours
        while self.stack:
            open_tag, written = self.stack.pop()
            self._close(open_tag, written)
            if open_tag == tag:
                break
        if tag in _BLOCK:
            self._newline()

    def _close(self, tag: str, written: bool) -> None:
        if not written:
            return
        self.out.append(f"</{tag}>")
        if tag == "a" and self.link_href is not None:
            shown = "".join(self.link_text).strip()
            target = self.link_href.split(":", 1)[1].lstrip("/")
            if shown and target.lower().rstrip("/") not in shown.lower() and not self.link_href.lower().startswith("tel:"):
                self.text.append(f" <{self.link_href}>")
            self.link_href = None

    def handle_data(self, data: str) -> None:
        if self.skip_depth or not data:
            return
        self.out.append(html.escape(data, quote=False))
        flat = re.sub(r"\s+", " ", data)
        if self.text and self.text[-1].endswith("\n"):
            flat = flat.lstrip()
        self.text.append(flat)
        if self.link_href is not None:
            self.link_text.append(flat)

    def finish(self) -> tuple[str, str]:
        self.close()
        while self.stack:
            self._close(*self.stack.pop())
        return "".join(self.out), "".join(self.text)


def _tidy_text(text: str) -> str:
    lines = [line.strip() for line in clean_text(text).split("\n")]
    kept: list[str] = []
    for line in lines:
        if not line and (not kept or not kept[-1]):
            continue
        kept.append(clean_line(line, max_chars=200))
    while kept and not kept[-1]:
        kept.pop()
    if len(kept) > _MAX_TEXT_LINES:
        kept = [*kept[:_MAX_TEXT_LINES], "…"]
    return "\n".join(kept)


def prepare_signature(signature_html: str | None) -> SafeSignature:
    """Rebuild a server signature from the allow-list; empty when nothing readable is left."""
    if not signature_html or not signature_html.strip():
        return SafeSignature()
    source = signature_html[:MAX_SIGNATURE_CHARS]
    if "<" not in source:
        # Plain text (some servers store it that way): escape it and keep its lines.
        text = _tidy_text(source)
        lines = [html.escape(line, quote=False) for line in text.split("\n")]
        return SafeSignature("<div>" + "<br>".join(lines) + "</div>", text) if text else SafeSignature()
    parser = _Rebuilder()
    try:
        parser.feed(source)
        rebuilt, raw_text = parser.finish()
    except Exception:  # noqa: BLE001 - a hostile signature must not stop a reply
        return SafeSignature()
    text = _tidy_text(raw_text)
    if not text:
        return SafeSignature()
    return SafeSignature("<div>" + clean_text(rebuilt) + "</div>", text)
