"""Untrusted content to safe text, and typed replies to HTML: pure functions, no UI imports.

Names load on first use (PEP 562): the sanitiser is needed at start-up, html2text and
markdown-it only when a body is converted or a reply written.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_names

_WHERE = {
    **dict.fromkeys(("compose_html", "quote_for_reply", "reply_subject"), ".compose"),
    **dict.fromkeys(("NO_CONTENT", "Body", "HtmlText", "best_body", "html_to_plain", "html_to_text"), ".html"),
    **dict.fromkeys(("Segment", "split_quoted"), ".quotes"),
    **dict.fromkeys(("clean_line", "clean_text"), ".sanitize"),
}


__getattr__ = lazy_names(__name__, globals(), _WHERE)


if TYPE_CHECKING:
    from .compose import compose_html, quote_for_reply, reply_subject
    from .html import NO_CONTENT, Body, HtmlText, best_body, html_to_plain, html_to_text
    from .quotes import Segment, split_quoted
    from .sanitize import clean_line, clean_text

__all__ = [
    "NO_CONTENT",
    "Body",
    "HtmlText",
    "Segment",
    "best_body",
    "clean_line",
    "clean_text",
    "compose_html",
    "html_to_plain",
    "html_to_text",
    "quote_for_reply",
    "reply_subject",
    "split_quoted",
]
