"""Words and checks for the rooms next to the inbox (campaigns, inboxes, leads, the blocklist).

Pure helpers: what a status is called, how a lead's variables read on one line, whether typed
input is an address, a ``@domain`` or a ``name: value`` list. Server strings come out cleaned.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, Final

from ..api.models import Conversation
from .sanitize import clean_line

__all__ = [
    "block_entry_error",
    "humanise",
    "lead_address",
    "normalise_block_entry",
    "parse_variables",
    "percent",
    "progress_bar",
    "valid_email",
    "variable_pairs",
]

_EMAIL: Final = re.compile(r"^[^@\s<>\"(),;:\[\]]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]{1,63})+$")
_DOMAIN: Final = re.compile(r"^@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]{1,63})+$")
_VARIABLE_NAME: Final = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,63}$")
_ACRONYMS: Final = {"spf": "SPF", "dkim": "DKIM", "dmarc": "DMARC", "mx": "MX", "dns": "DNS", "smtp": "SMTP",
                    "imap": "IMAP", "oauth": "OAuth"}
MAX_VARIABLES: Final = 50


def percent(value: float | None) -> str:
    """``4.5%``; unknown as ``–``."""
    if value is None:
        return "–"
    return f"{value:.1f}%"


def progress_bar(value: int | float | None, width: int) -> str:
    """``██████░░░░`` for a 0-100 value, in ``width`` cells (eighths for the last cell)."""
    width = max(1, width)
    if value is None:
        return "·" * width
    eighths = round(max(0.0, min(100.0, float(value))) / 100 * width * 8)
    full, rest = divmod(eighths, 8)
    partial = " ▏▎▍▌▋▊▉"[rest] if rest and full < width else ""
    bar = "█" * full + partial
    return bar + "░" * (width - len(bar))


def humanise(value: str, *, max_chars: int = 40) -> str:
    """``missing_dmarc`` -> ``missing DMARC``, ``no_reply`` -> ``no reply``; cleaned, one line."""
    words = clean_line(value, max_chars=max_chars).replace("_", " ").replace("-", " ").split()
    return " ".join(_ACRONYMS.get(word.lower(), word) for word in words)


def lead_address(conversation: Conversation) -> str:
    """The lead of a conversation: whom our campaign wrote to, else who wrote to us.

    The first outgoing message goes to the lead; a bounce notice comes *from* a mailer daemon,
    so the latest incoming sender is only the fallback.
    """
    for message in conversation.messages:
        if message.outgoing and message.to_email:
            return message.to_email.split(",")[0].strip()
    return conversation.lead_email


def variable_pairs(
    variables: Mapping[str, Any], *, max_items: int = 12, max_value: int = 60
) -> list[tuple[str, str]]:
    """A lead's custom variables as cleaned ``(name, value)`` pairs; empty values skipped."""
    pairs: list[tuple[str, str]] = []
    for raw_key, raw_value in list(variables.items())[: max_items * 4]:
        key = clean_line(str(raw_key), max_chars=30)
        if isinstance(raw_value, str):
            value = raw_value
        elif raw_value is None:
            value = ""
        elif isinstance(raw_value, bool | int | float):
            value = json.dumps(raw_value)
        else:
            try:
                value = json.dumps(raw_value, ensure_ascii=False, separators=(",", ":"), default=str)[:400]
            except (TypeError, ValueError):
                value = ""
        value = clean_line(value, max_chars=max_value)
        if key and value:
            pairs.append((key, value))
        if len(pairs) >= max_items:
            break
    return pairs


def valid_email(value: str) -> bool:
    return len(value) <= 254 and bool(_EMAIL.match(value))


def normalise_block_entry(value: str) -> str | None:
    """An address or ``@domain`` ready to block (trimmed, lower case), or ``None`` if neither."""
    text = value.strip().lower()
    if text.startswith("@"):
        return text if _DOMAIN.match(text) else None
    return text if valid_email(text) else None


def block_entry_error(value: str) -> str:
    """Why ``value`` cannot be blocked, phrased for the form (empty when it can)."""
    text = value.strip()
    if not text:
        return "Type an address (jane@acme.io) or a whole domain (@acme.io)."
    if normalise_block_entry(text) is not None:
        return ""
    if "@" not in text and "." in text:
        return f"To block a whole domain, write it with an @: @{text.lower()}"
    return "That is neither an address (jane@acme.io) nor a domain (@acme.io)."


def parse_variables(text: str) -> tuple[dict[str, str], str]:
    """``name: value`` (or ``name = value``) lines into a dict, and the first problem found."""
    variables: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        separator = min((i for i in (line.find(":"), line.find("=")) if i >= 0), default=-1)
        if separator < 0:
            return variables, f"Line {number}: write it as name: value."
        name, value = line[:separator].strip(), line[separator + 1 :].strip()
        if not _VARIABLE_NAME.match(name):
            return variables, f"Line {number}: a name is letters, digits and _ (not {clean_line(name, max_chars=20)!r})."
        if name in variables:
            return variables, f"Line {number}: {name} is given twice."
        variables[name] = value
        if len(variables) > MAX_VARIABLES:
            return variables, f"At most {MAX_VARIABLES} variables."
    return variables, ""
