"""Our models back to Reachkit's JSON: what a pipe's command reads on stdin (``domain/pipes.py``).

The models do not keep the JSON they were parsed from, so this writes it again in the API's
shape (reachkit-api.txt), such that ``Conversation.from_api(conversation_to_api(c)) == c``:

- dates are written as the server sent them when that text parses back to the same moment
  (epoch numbers as numbers), else as ISO 8601 UTC (``...Z``); text that never parsed is passed
  through as it came;
- a ``null`` string field comes back as ``""`` (the models do not tell them apart; the API
  documents strings);
- ``from_email`` / ``to_email`` hold the bare address, and ``from_name`` / ``to_name`` are added
  when a display name is known (the parser reads them back);
- ``label`` / ``label_override`` (the local server's and Reachkit's newer fields) are included;
  ``damaged`` / ``problems`` are ours, not the API's, and are left out.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from .models import _DIRECTIONS, Attachment, Conversation, Lead, Message, parse_date

__all__ = ["attachment_to_api", "conversation_to_api", "lead_to_api", "message_to_api"]


def conversation_to_api(conversation: Conversation) -> dict[str, Any]:
    """The conversation as ``GET /unibox/conversations/:id`` returns it."""
    return {
        "id": conversation.id,
        "status": conversation.status,
        "messages": [message_to_api(message) for message in conversation.messages],
        "created_at": _date(conversation.created_at, conversation.created_at_raw),
        "updated_at": _date(conversation.updated_at, conversation.updated_at_raw),
        "label": conversation.label,
        "label_override": conversation.label_override,
    }


def message_to_api(message: Message) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if message.id:
        data["id"] = message.id
    data.update(
        direction=_direction(message),
        subject=message.subject,
        text_body=message.text_body,
        html_body=message.html_body,
        from_email=message.from_email,
        to_email=message.to_email,
        email_date=_date(message.email_date, message.email_date_raw),
        is_read=message.is_read,
        attachments=[attachment_to_api(attachment) for attachment in message.attachments],
    )
    if message.from_name:
        data["from_name"] = message.from_name
    if message.to_name:
        data["to_name"] = message.to_name
    return data


def attachment_to_api(attachment: Attachment) -> dict[str, Any]:
    return {
        "id": attachment.id,
        "filename": attachment.filename,
        "content_type": attachment.content_type,
        "size": attachment.size,
    }


def lead_to_api(lead: Lead) -> dict[str, Any]:
    """The lead as ``GET /campaigns/:id/leads/:id`` returns it, plus ``campaign_id`` (ours)."""
    return {
        "id": lead.id,
        "email": lead.email,
        "first_name": lead.first_name,
        "last_name": lead.last_name,
        "status": lead.status,
        "is_bounced": lead.is_bounced,
        "is_unsubscribed": lead.is_unsubscribed,
        "provider": lead.provider,
        "variables": dict(lead.variables),
        "created_at": _date(lead.created_at, ""),
        "updated_at": _date(lead.updated_at, ""),
        "campaign_id": lead.campaign_id,
    }


def _direction(message: Message) -> str:
    """The server's own word when it reads back as the same direction, else ours."""
    raw = message.direction_raw
    if message.direction == "unknown" or _DIRECTIONS.get(raw.strip().lower()) == message.direction:
        return raw
    return message.direction


def _date(moment: datetime | None, raw: str) -> str | int | float | None:
    """The server's text when it reads back the same; epoch numbers stay numbers; else ISO UTC."""
    if moment is None:
        return raw or None
    if raw and parse_date(raw) == moment:
        return raw
    number = _number(raw)
    if number is not None and parse_date(number) == moment:
        return number
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _number(raw: str) -> int | float | None:
    """``"1716000000"`` -> 1716000000 (the parser turned the server's number into this text)."""
    try:
        return int(raw)
    except ValueError:
        pass
    try:
        return float(raw)
    except ValueError:
        return None
