"""Untrusted content to safe text, and typed replies to HTML: pure functions, no UI imports."""

from unibox_tui.render.compose import compose_html, quote_for_reply, reply_subject
from unibox_tui.render.html import (
    NO_CONTENT,
    Body,
    HtmlText,
    best_body,
    html_to_plain,
    html_to_text,
)
from unibox_tui.render.quotes import Segment, split_quoted
from unibox_tui.render.sanitize import clean_line, clean_text

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
