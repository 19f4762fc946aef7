"""What the SDR types (Markdown-lite) to the HTML the API sends, plus reply quoting and subjects."""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING, Final

from unibox_tui.render.sanitize import clean_line, clean_text

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.renderer import RendererHTML
    from markdown_it.token import Token
    from markdown_it.utils import EnvType, OptionsDict

__all__ = [
    "compose_html",
    "compose_reply_html",
    "html_words",
    "quote_for_reply",
    "reply_subject",
    "split_trailing_quote",
    "text_words",
]

MAX_QUOTED_CHARS: Final = 100_000
#: How much of a body is read when comparing a sent reply with what the server holds.
MAX_COMPARED_CHARS: Final = 1_000_000
#: Between the reply and the signature: a blank line, as Reachkit's web editor writes it.
SIGNATURE_SEPARATOR: Final = "<div><br></div>"
_ALLOWED_SCHEMES: Final = ("http:", "https:", "mailto:")
# The look Gmail gives quoted text, so the recipient's client shows it as a quote.
_BLOCKQUOTE_STYLE: Final = "margin:0 0 0 .8ex;border-left:1px #ccc solid;padding-left:1ex"

# Prefixes a reply adds, in the languages mail clients write them, with "Re[2]:" counters.
_REPLY_PREFIX = re.compile(
    r"^\s*(?:(?:re|aw|sv|vs|antw|antwort|odp|rif|res|ynt|отв|回复|答复|返信)"
    r"\s*(?:\[\d+\]|\(\d+\))?\s*[:：]\s*)+",
    re.IGNORECASE,
)


def _allowed_link(url: str) -> bool:
    """Only web and mail links survive: no javascript:, data:, file: or relative targets."""
    return url.strip().lower().startswith(_ALLOWED_SCHEMES)


def _blockquote_open(
    renderer: RendererHTML, tokens: list[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    tokens[idx].attrSet("style", _BLOCKQUOTE_STYLE)
    return renderer.renderToken(tokens, idx, options, env)


@functools.cache
def _markdown() -> MarkdownIt:
    """A Markdown-lite parser: paragraphs, line breaks, emphasis, links, lists, quotes.

    Built once, on first use: markdown-it is only needed when a reply is sent or previewed.
    Raw HTML is escaped, never passed through. Headings, code blocks, tables and images stay
    off: "#1 priority" or an indented line in a reply must come out as typed.
    """
    from markdown_it import MarkdownIt

    md = MarkdownIt("zero", {"breaks": True, "html": False, "linkify": True})
    rules = ["paragraph", "newline", "emphasis", "link", "list", "blockquote", "autolink"]
    md.enable([*rules, "escape", "backticks", "entity"])
    # Bare URLs become links when linkify-it-py is there (Textual depends on it, via
    # markdown-it-py[linkify]); only with a scheme, so "report.py" stays text.
    if md.linkify is not None:
        md.enable("linkify")
        md.linkify.set({"fuzzy_link": False})
    md.validateLink = _allowed_link  # type: ignore[method-assign]
    md.add_render_rule("blockquote_open", _blockquote_open)
    return md


def compose_html(text: str) -> str:
    """Turn the reply the SDR typed into the HTML `content` the API sends.

    A single newline is a line break, a blank line a new paragraph; `**bold**`, `*italic*`,
    `[text](https://...)`, bare `https://` URLs, e-mail addresses, `-`/`1.` lists and `> `
    quotes are understood. Typed HTML is sent as text (`<b>` arrives as "<b>").
    """
    text = clean_text(text).strip("\n")
    if not text.strip():
        return ""
    html: str = _markdown().render(text)
    return "<div>" + html.strip() + "</div>"


def quote_for_reply(text: str, author: str, date_text: str) -> str:
    """Markdown-lite for quoting a message under a reply: an attribution, then `> ` lines."""
    author = clean_line(author, max_chars=200) or "someone"
    date_text = clean_line(date_text, max_chars=100)
    head = f"On {date_text}, {author} wrote:" if date_text else f"{author} wrote:"
    body = clean_text(text, max_chars=MAX_QUOTED_CHARS).strip("\n")
    if not body:
        return head
    lines: list[str] = []
    depth = 0
    for line in body.split("\n"):
        level = len(line) - len(line.lstrip(">"))
        if line.strip(" >") and level < depth:
            # A shallower line right after a deeper one would be read as the deeper quote's
            # continuation (Markdown's "lazy" lines): close the deeper quote first.
            lines.append(">" * (level + 1))
        if line.strip(" >"):
            depth = level
        lines.append(">" + line if line.startswith(">") else ("> " + line).rstrip())
    return head + "\n" + "\n".join(lines)


def reply_subject(subject: str | None) -> str:
    """The subject of a reply: "Re: " added once, whatever reply prefixes were there.

    "RE: x", "Re: Re: x", "AW: x" and "Re[2]: x" all give "Re: x"; "Fwd: x" gives
    "Re: Fwd: x" (as Gmail and Outlook write it).
    """
    rest = _REPLY_PREFIX.sub("", clean_line(subject))
    return f"Re: {rest}" if rest else "Re:"


_QUOTED_LINE = re.compile(r" {0,3}>")
_ATTRIBUTION_LINE = re.compile(r".{0,600}\bwrote:\s*$")
_WORD = re.compile(r"\w+")


def split_trailing_quote(text: str) -> tuple[str, str]:
    """Split a draft into what the SDR wrote and the quote block at its end (if any).

    The quote block is the run of `>` lines (blank lines allowed inside) that ends the text,
    with the "... wrote:" line just above it: what `quote_for_reply` inserts.
    """
    lines = text.rstrip().split("\n")
    start = len(lines)
    seen_quote = False
    while start > 0:
        line = lines[start - 1]
        if _QUOTED_LINE.match(line):
            seen_quote = True
        elif line.strip():
            break
        start -= 1
    if not seen_quote:
        return text, ""
    while start < len(lines) and not lines[start].strip():
        start += 1  # blank lines above the quote belong to the body
    if start > 0 and _ATTRIBUTION_LINE.match(lines[start - 1]):
        start -= 1
    return "\n".join(lines[:start]).rstrip(), "\n".join(lines[start:])


def compose_reply_html(text: str, signature_html: str = "") -> str:
    """The whole reply as sent: the SDR's text, the signature, then a quote kept at the end.

    The signature goes between the reply and the quoted message, where Gmail and Outlook put
    it. ``signature_html`` must already be safe (see `render.signature.prepare_signature`).
    """
    body, quote = split_trailing_quote(text)
    parts = [compose_html(body)]
    if signature_html:
        parts.append(SIGNATURE_SEPARATOR + signature_html)
    if quote:
        parts.append(compose_html(quote))
    return "".join(part for part in parts if part)


def text_words(text: str | None) -> str:
    """A text's words, case-folded, one space apart: what survives any server's reformatting."""
    if not text:
        return ""
    return " ".join(_WORD.findall(text[:MAX_COMPARED_CHARS].casefold()))


def html_words(html: str | None) -> str:
    """The visible words of an HTML body (tags dropped, entities decoded), as `text_words`."""
    if not html:
        return ""
    from unibox_tui.render.html import _strip_tags

    return text_words(_strip_tags(html[:MAX_COMPARED_CHARS]))
