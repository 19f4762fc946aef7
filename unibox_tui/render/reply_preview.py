"""A reply as its reader will see it, and the quote of a message to reply under (both pure; run in a thread)."""

from __future__ import annotations

from ..api.models import Message
from .compose import compose_reply_html, quote_for_reply
from .formatting import full_date
from .sanitize import clean_text
from .thread import person

__all__ = ["preview_text", "quote_of"]


def preview_text(text: str, signature: str) -> str:
    """The reply as the lead's mail client will show it (html2text: run it in a thread)."""
    from .html import html_to_text

    html = compose_reply_html(text, signature)
    return clean_text(html_to_text(html).text) if html else "(nothing written yet)"


def quote_of(message: Message) -> str:
    """Markdown-lite quoting ``message``: its own words, without the history it quoted."""
    from .thread import convert_body

    body = convert_body(message)
    own = [text.strip("\n") for text, quoted, _summary, _fold in body.segments if not quoted]
    text = "\n\n".join(own) or "\n\n".join(text for text, *_ in body.segments)
    author = person(message.from_name, message.from_email, max_chars=120)
    date = full_date(message.email_date, message.email_date_raw) if message.email_date else ""
    return quote_for_reply(text, author, date)
