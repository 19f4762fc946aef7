"""Typed, lenient models of Reachkit's JSON: a stranger's server must not be able to crash us.

Parsing rules, the same for every model: unknown fields are ignored, missing fields take a
default, wrong types are coerced where that is safe (``"42"`` -> 42, ``"yes"`` -> True), dates
that do not parse are kept as raw text, and one damaged record in a list never fails the list:
it comes back marked ``damaged`` with the reason in ``problems``.

Strings are returned exactly as the server sent them (after type coercion): they are untrusted,
and ``unibox_tui.render`` must clean them before display.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

__all__ = [
    "LABELS",
    "Attachment",
    "BlocklistEntry",
    "Campaign",
    "CampaignAnalytics",
    "CampaignRef",
    "CampaignSummary",
    "Conversation",
    "DailyStat",
    "Inbox",
    "InboxRef",
    "Lead",
    "Message",
    "Page",
    "SequenceStep",
    "Variant",
    "WarmupDay",
    "WarmupStats",
    "parse_date",
    "split_address",
]

#: Manual labels the newer PATCH accepts (api-notes.md); the AI may use the same names.
LABELS: tuple[str, ...] = (
    "interested",
    "meeting_requested",
    "question",
    "needs_more_info",
    "referral",
    "not_now",
    "out_of_office",
    "neutral",
    "not_interested",
    "wrong_person",
    "left_company",
    "unsubscribe",
)

T = TypeVar("T")

# --- lenient coercion -------------------------------------------------------------------------


def as_str(value: Any, default: str = "") -> str:
    """A string from whatever came: numbers become text, containers and null the default."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float) and not (isinstance(value, float) and not math.isfinite(value)):
        return str(value)
    return default


def as_opt_str(value: Any) -> str | None:
    """Like :func:`as_str` but null (or an empty string) stays ``None``."""
    text = as_str(value)
    return text or None


def as_int(value: Any, default: int | None = None) -> int | None:
    """An int from an int, an integral float or a numeric string; otherwise ``default``."""
    if isinstance(value, bool):
        return default
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if math.isfinite(value) else default
    if isinstance(value, str):
        text = value.strip().replace(",", "").replace("_", "")
        try:
            number = float(text)
        except ValueError:
            return default
        return int(number) if math.isfinite(number) else default
    return default


def as_float(value: Any, default: float | None = None) -> float | None:
    """A finite float from a number or numeric string (``"12.5%"`` too); otherwise ``default``."""
    if isinstance(value, bool):
        return default
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip().rstrip("%").replace(",", ""))
        except ValueError:
            return default
    else:
        return default
    return number if math.isfinite(number) else default


_TRUE = {"true", "yes", "y", "1", "on", "read", "t"}
_FALSE = {"false", "no", "n", "0", "off", "unread", "f", ""}


def as_bool(value: Any, default: bool = False) -> bool:
    """A bool from a bool, 0/1, or words like ``"yes"``/``"false"``; otherwise ``default``."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value != 0
    if isinstance(value, str):
        word = value.strip().lower()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
    return default


def as_list(value: Any) -> list[Any]:
    """A list, or an empty one for null or anything that is not a list."""
    return value if isinstance(value, list) else []


def as_dict(value: Any) -> dict[str, Any]:
    """A dict, or an empty one for anything that is not a JSON object."""
    return value if isinstance(value, dict) else {}


def parse_date(value: Any) -> datetime | None:
    """An aware datetime from ISO 8601 text or epoch seconds/milliseconds; ``None`` if unusable.

    Naive timestamps are taken as UTC (the API's examples are UTC).
    """
    moment: datetime | None = None
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        if not math.isfinite(value):
            return None
        seconds = value / 1000 if abs(value) > 1e11 else value
        try:
            moment = datetime.fromtimestamp(seconds, tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    elif isinstance(value, str):
        text = value.strip()
        if not text or len(text) > 64:
            return None
        if text[-1:] in "zZ":
            text = text[:-1] + "+00:00"
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            return None
    else:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment


_ADDRESS = re.compile(r'^\s*"?(?P<name>[^<>]*?)"?\s*<(?P<addr>[^<>]*)>\s*$')


def split_address(value: str) -> tuple[str, str]:
    """Split ``"Dana Lee <dana@x.io>"`` into ``("Dana Lee", "dana@x.io")``; a bare address has no name."""
    match = _ADDRESS.match(value)
    if match:
        return match.group("name").strip(), match.group("addr").strip()
    return "", value.strip()


def _date_pair(raw: Mapping[str, Any], key: str) -> tuple[datetime | None, str]:
    value = raw.get(key)
    return parse_date(value), as_str(value)


def _first_str(raw: Mapping[str, Any], *keys: str) -> str:
    for key in keys:
        text = as_str(raw.get(key))
        if text:
            return text
    return ""


# --- Unibox --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Attachment:
    """A file attached to a message; ``size`` is ``None`` when the server did not say."""

    id: str
    filename: str
    content_type: str = ""
    size: int | None = None

    @classmethod
    def from_api(cls, raw: Any) -> Attachment | None:
        if not isinstance(raw, dict):
            return None
        size = as_int(raw.get("size"))
        return cls(
            id=as_str(raw.get("id")),
            filename=as_str(raw.get("filename")) or as_str(raw.get("name")),
            content_type=as_str(raw.get("content_type")) or as_str(raw.get("mime_type")),
            size=size if size is None or size >= 0 else None,
        )


_DIRECTIONS = {
    "incoming": "incoming",
    "inbound": "incoming",
    "received": "incoming",
    "in": "incoming",
    "outgoing": "outgoing",
    "outbound": "outgoing",
    "sent": "outgoing",
    "out": "outgoing",
}


@dataclass(frozen=True)
class Message:
    """One email of a conversation. ``direction`` is ``incoming``, ``outgoing`` or ``unknown``."""

    direction: str = "unknown"
    subject: str = ""
    text_body: str = ""
    html_body: str = ""
    from_email: str = ""
    from_name: str = ""
    to_email: str = ""
    to_name: str = ""
    email_date: datetime | None = None
    email_date_raw: str = ""
    is_read: bool = True
    attachments: tuple[Attachment, ...] = ()
    id: str = ""
    direction_raw: str = ""

    @property
    def incoming(self) -> bool:
        return self.direction == "incoming"

    @property
    def outgoing(self) -> bool:
        return self.direction == "outgoing"

    @classmethod
    def from_api(cls, raw: Any) -> Message | None:
        if not isinstance(raw, dict):
            return None
        direction_raw = as_str(raw.get("direction"))
        from_name, from_email = split_address(as_str(raw.get("from_email")))
        to_name, to_email = split_address(as_str(raw.get("to_email")))
        email_date, email_date_raw = _date_pair(raw, "email_date")
        attachments = tuple(
            a for a in (Attachment.from_api(item) for item in as_list(raw.get("attachments"))) if a
        )
        return cls(
            direction=_DIRECTIONS.get(direction_raw.strip().lower(), "unknown"),
            direction_raw=direction_raw,
            subject=as_str(raw.get("subject")),
            text_body=as_str(raw.get("text_body")),
            html_body=as_str(raw.get("html_body")),
            from_email=from_email,
            from_name=_first_str(raw, "from_name", "sender_name") or from_name,
            to_email=to_email,
            to_name=_first_str(raw, "to_name", "recipient_name") or to_name,
            email_date=email_date,
            email_date_raw=email_date_raw,
            # A missing read flag must not flood the inbox with false "unread" markers.
            is_read=as_bool(raw.get("is_read"), default=True),
            attachments=attachments,
            id=as_str(raw.get("id")),
        )


def _sort_messages(messages: list[Message]) -> tuple[Message, ...]:
    """Oldest first by date when every date parses; otherwise keep the server's order."""
    if messages and all(m.email_date is not None for m in messages):
        return tuple(sorted(messages, key=lambda m: m.email_date))  # type: ignore[arg-type,return-value]
    return tuple(messages)


@dataclass(frozen=True)
class Conversation:
    """A Unibox thread: the lead's replies and our emails, oldest first."""

    id: str
    status: str = "open"
    messages: tuple[Message, ...] = ()
    created_at: datetime | None = None
    created_at_raw: str = ""
    updated_at: datetime | None = None
    updated_at_raw: str = ""
    label: str | None = None
    label_override: str | None = None
    damaged: bool = False
    problems: tuple[str, ...] = ()

    # -- what the UI asks of a conversation --

    @property
    def effective_label(self) -> str | None:
        """The manual label if set, else the AI's."""
        return self.label_override or self.label

    @property
    def latest(self) -> Message | None:
        return self.messages[-1] if self.messages else None

    @property
    def latest_incoming(self) -> Message | None:
        for message in reversed(self.messages):
            if message.incoming:
                return message
        return None

    @property
    def lead_email(self) -> str:
        """The other party: who wrote to us, else whom we wrote to."""
        incoming = self.latest_incoming
        if incoming is not None and incoming.from_email:
            return incoming.from_email
        for message in self.messages:
            if message.outgoing and message.to_email:
                return message.to_email
        for message in self.messages:
            if message.from_email:
                return message.from_email
        return ""

    @property
    def lead_name(self) -> str:
        incoming = self.latest_incoming
        if incoming is not None and incoming.from_name:
            return incoming.from_name
        for message in self.messages:
            if message.outgoing and message.to_name:
                return message.to_name
        return ""

    @property
    def inbox_email(self) -> str:
        """Our connected inbox: where the lead wrote to, else what we sent from."""
        incoming = self.latest_incoming
        if incoming is not None and incoming.to_email:
            return incoming.to_email
        for message in reversed(self.messages):
            if message.outgoing and message.from_email:
                return message.from_email
        return ""

    @property
    def subject(self) -> str:
        for message in self.messages:
            if message.subject:
                return message.subject
        return ""

    @property
    def unread(self) -> bool:
        return any(m.incoming and not m.is_read for m in self.messages)

    @property
    def has_attachments(self) -> bool:
        return any(m.attachments for m in self.messages)

    @property
    def attachments(self) -> tuple[tuple[Message, Attachment], ...]:
        return tuple((m, a) for m in self.messages for a in m.attachments)

    @property
    def activity_at(self) -> datetime | None:
        """When this conversation last moved: its latest message, else ``updated_at``."""
        dates = [m.email_date for m in self.messages if m.email_date is not None]
        return max(dates) if dates else (self.updated_at or self.created_at)

    def with_read(self, is_read: bool) -> Conversation:
        """A copy with every incoming message marked read (or unread), as the PATCH does."""
        if is_read:
            messages = tuple(replace(m, is_read=True) if m.incoming else m for m in self.messages)
        else:
            # Unread puts the conversation back into triage: its latest incoming message is unread.
            latest = self.latest_incoming
            messages = tuple(replace(m, is_read=False) if m is latest else m for m in self.messages)
        return replace(self, messages=messages)

    @classmethod
    def from_api(cls, raw: Any, *, fallback_id: str = "") -> Conversation:
        """Parse one conversation; never raises (a broken record comes back ``damaged``)."""
        try:
            return cls._parse(raw, fallback_id)
        except Exception as error:  # noqa: BLE001 - one bad record must not fail a page
            ident = as_str(raw.get("id")) if isinstance(raw, dict) else ""
            return cls(
                id=ident or fallback_id,
                damaged=True,
                problems=(f"unreadable record ({type(error).__name__})",),
            )

    @classmethod
    def _parse(cls, raw: Any, fallback_id: str) -> Conversation:
        if not isinstance(raw, dict):
            return cls(id=fallback_id, damaged=True, problems=("not a JSON object",))
        problems: list[str] = []
        ident = as_str(raw.get("id"))
        if not ident:
            problems.append("no id")
        raw_messages = raw.get("messages")
        if raw_messages is not None and not isinstance(raw_messages, list):
            problems.append("messages is not a list")
        messages: list[Message] = []
        for item in as_list(raw_messages):
            message = Message.from_api(item)
            if message is None:
                problems.append("a message is not a JSON object")
            else:
                messages.append(message)
        created_at, created_raw = _date_pair(raw, "created_at")
        updated_at, updated_raw = _date_pair(raw, "updated_at")
        label = as_opt_str(raw.get("label"))
        override = as_opt_str(raw.get("label_override"))
        return cls(
            id=ident or fallback_id,
            status=as_str(raw.get("status")) or "open",
            messages=_sort_messages(messages),
            created_at=created_at,
            created_at_raw=created_raw,
            updated_at=updated_at,
            updated_at_raw=updated_raw,
            label=label.lower() if label else None,
            label_override=override.lower() if override else None,
            damaged=bool(problems),
            problems=tuple(problems),
        )


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a paginated list, with the server's pagination metadata (or our best guess)."""

    items: tuple[T, ...]
    page: int
    page_size: int
    total_count: int
    total_pages: int

    @property
    def has_next(self) -> bool:
        return self.page < self.total_pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @classmethod
    def from_api(
        cls,
        body: Mapping[str, Any],
        parse: Callable[[Any, int], T],
        *,
        page: int,
        page_size: int,
    ) -> Page[T]:
        items = tuple(parse(item, index) for index, item in enumerate(as_list(body.get("data"))))
        meta = as_dict(body.get("metadata")) or as_dict(body.get("meta"))
        got_page = as_int(meta.get("page")) or page
        got_size = as_int(meta.get("page_size")) or page_size
        got_size = max(1, got_size)
        total = as_int(meta.get("total_count"))
        if total is None or total < 0:
            total = (got_page - 1) * got_size + len(items)
        pages = as_int(meta.get("total_pages"))
        if pages is None or pages < 0:
            pages = math.ceil(total / got_size)
        return cls(items, max(1, got_page), got_size, total, pages)


# --- inboxes, blocklist ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CampaignRef:
    id: str
    name: str = ""
    status: str = ""

    @classmethod
    def from_api(cls, raw: Any) -> CampaignRef | None:
        if not isinstance(raw, dict):
            return None
        return cls(as_str(raw.get("id")), as_str(raw.get("name")), as_str(raw.get("status")))


@dataclass(frozen=True)
class Inbox:
    """A connected sending inbox: where replies arrive and what they go out from."""

    id: str
    email: str
    domain: str = ""
    provider_type: str = ""
    connection_type: str = ""
    connection_status: str = ""
    first_name: str = ""
    last_name: str = ""
    reply_to: str = ""
    signature: str = ""
    is_active: bool = True
    is_warming: bool = False
    daily_campaign_limit: int | None = None
    daily_warmup_limit: int | None = None
    domain_records_status: str = ""
    campaigns: tuple[CampaignRef, ...] = ()
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def display_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)

    @property
    def disconnected(self) -> bool:
        """True when the connection is known to be broken (wording varies between servers)."""
        status = self.connection_status.strip().lower()
        return status not in ("", "connected", "active", "ok", "healthy")

    @classmethod
    def from_api(cls, raw: Any, index: int = 0) -> Inbox:
        raw = as_dict(raw)
        return cls(
            id=as_str(raw.get("id")),
            email=as_str(raw.get("email")),
            domain=as_str(raw.get("domain")),
            provider_type=as_str(raw.get("provider_type")),
            connection_type=as_str(raw.get("connection_type")),
            connection_status=as_str(raw.get("connection_status")),
            first_name=as_str(raw.get("first_name")),
            last_name=as_str(raw.get("last_name")),
            reply_to=as_str(raw.get("reply_to")),
            signature=as_str(raw.get("signature")),
            is_active=as_bool(raw.get("is_active"), default=True),
            is_warming=as_bool(raw.get("is_warming")),
            daily_campaign_limit=as_int(raw.get("daily_campaign_limit")),
            daily_warmup_limit=as_int(raw.get("daily_warmup_limit")),
            domain_records_status=as_str(raw.get("domain_records_status")),
            campaigns=tuple(
                c for c in map(CampaignRef.from_api, as_list(raw.get("campaigns"))) if c
            ),
            created_at=parse_date(raw.get("created_at")),
            updated_at=parse_date(raw.get("updated_at")),
        )


@dataclass(frozen=True)
class WarmupDay:
    date: str
    total_sent: int = 0
    spam_count: int = 0


@dataclass(frozen=True)
class WarmupStats:
    """An inbox's warmup over the last 7 days."""

    total_sent: int = 0
    total_received: int = 0
    saved_from_spam: int = 0
    health_score: int | None = None
    ramp_up_progress: int | None = None
    daily_stats: tuple[WarmupDay, ...] = ()

    @classmethod
    def from_api(cls, raw: Any) -> WarmupStats:
        raw = as_dict(raw)
        summary = as_dict(raw.get("summary"))
        days = tuple(
            WarmupDay(
                date=as_str(day.get("date")),
                total_sent=as_int(day.get("total_sent"), 0) or 0,
                spam_count=as_int(day.get("spam_count"), 0) or 0,
            )
            for day in map(as_dict, as_list(raw.get("daily_stats")))
        )
        return cls(
            total_sent=as_int(summary.get("total_sent"), 0) or 0,
            total_received=as_int(summary.get("total_received"), 0) or 0,
            saved_from_spam=as_int(summary.get("saved_from_spam"), 0) or 0,
            health_score=as_int(summary.get("health_score")),
            ramp_up_progress=as_int(raw.get("ramp_up_progress")),
            daily_stats=days,
        )


@dataclass(frozen=True)
class BlocklistEntry:
    """A blocked address, or a whole domain (``@acme.com``)."""

    id: str
    email: str
    created_at: datetime | None = None

    @property
    def is_domain(self) -> bool:
        return self.email.startswith("@") or "@" not in self.email

    @classmethod
    def from_api(cls, raw: Any, index: int = 0) -> BlocklistEntry:
        raw = as_dict(raw)
        return cls(
            id=as_str(raw.get("id")),
            email=as_str(raw.get("email")) or as_str(raw.get("domain")),
            created_at=parse_date(raw.get("created_at")),
        )


# --- campaigns, sequences, leads ---------------------------------------------------------------------


@dataclass(frozen=True)
class InboxRef:
    id: str
    email: str = ""


@dataclass(frozen=True)
class Campaign:
    id: str
    name: str = ""
    status: str = ""
    inboxes: tuple[InboxRef, ...] = ()
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @classmethod
    def from_api(cls, raw: Any, index: int = 0) -> Campaign:
        raw = as_dict(raw)
        inboxes = tuple(
            InboxRef(as_str(item.get("id")), as_str(item.get("email")))
            for item in map(as_dict, as_list(raw.get("inboxes")))
        )
        return cls(
            id=as_str(raw.get("id")),
            name=as_str(raw.get("name")),
            status=as_str(raw.get("status")),
            inboxes=inboxes,
            created_at=parse_date(raw.get("created_at")),
            updated_at=parse_date(raw.get("updated_at")),
        )


@dataclass(frozen=True)
class Variant:
    id: str
    letter: str = ""
    enabled: bool = True
    sent: int = 0
    replies: int = 0
    reply_rate: float = 0.0

    @classmethod
    def from_api(cls, raw: Any, index: int = 0) -> Variant:
        raw = as_dict(raw)
        return cls(
            id=as_str(raw.get("id")),
            letter=as_str(raw.get("letter")) or chr(ord("A") + index % 26),
            enabled=as_bool(raw.get("enabled"), default=True),
            sent=as_int(raw.get("sent"), 0) or 0,
            replies=as_int(raw.get("replies"), 0) or 0,
            reply_rate=as_float(raw.get("reply_rate"), 0.0) or 0.0,
        )


@dataclass(frozen=True)
class SequenceStep:
    id: str
    step: int = 0
    variants: tuple[Variant, ...] = ()

    @classmethod
    def from_api(cls, raw: Any, index: int = 0) -> SequenceStep:
        raw = as_dict(raw)
        return cls(
            id=as_str(raw.get("id")),
            step=as_int(raw.get("step"), index + 1) or index + 1,
            variants=tuple(
                Variant.from_api(v, i) for i, v in enumerate(as_list(raw.get("variants")))
            ),
        )


@dataclass(frozen=True)
class DailyStat:
    date: str
    sent: int = 0
    replies: int = 0


@dataclass(frozen=True)
class CampaignSummary:
    progress: int = 0
    total_sent: int = 0
    total_replies: int = 0
    reply_rate: float = 0.0
    sequence_steps: int = 0


@dataclass(frozen=True)
class CampaignAnalytics:
    summary: CampaignSummary = field(default_factory=CampaignSummary)
    daily_stats: tuple[DailyStat, ...] = ()
    sequence_stats: tuple[SequenceStep, ...] = ()

    @classmethod
    def from_api(cls, raw: Any) -> CampaignAnalytics:
        raw = as_dict(raw)
        summary = as_dict(raw.get("summary"))
        return cls(
            summary=CampaignSummary(
                progress=as_int(summary.get("progress"), 0) or 0,
                total_sent=as_int(summary.get("total_sent"), 0) or 0,
                total_replies=as_int(summary.get("total_replies"), 0) or 0,
                reply_rate=as_float(summary.get("reply_rate"), 0.0) or 0.0,
                sequence_steps=as_int(summary.get("sequence_steps"), 0) or 0,
            ),
            daily_stats=tuple(
                DailyStat(
                    as_str(day.get("date")),
                    as_int(day.get("sent"), 0) or 0,
                    as_int(day.get("replies"), 0) or 0,
                )
                for day in map(as_dict, as_list(raw.get("daily_stats")))
            ),
            sequence_stats=tuple(
                SequenceStep.from_api(s, i) for i, s in enumerate(as_list(raw.get("sequence_stats")))
            ),
        )


@dataclass(frozen=True)
class Lead:
    """A campaign's lead; ``campaign_id`` is filled in by the client (the API omits it)."""

    id: str
    email: str
    first_name: str = ""
    last_name: str = ""
    status: str = ""
    is_bounced: bool = False
    is_unsubscribed: bool = False
    provider: str = ""
    variables: Mapping[str, Any] = field(default_factory=dict)
    created_at: datetime | None = None
    updated_at: datetime | None = None
    campaign_id: str = ""

    @property
    def display_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)

    @classmethod
    def from_api(cls, raw: Any, index: int = 0, *, campaign_id: str = "") -> Lead:
        raw = as_dict(raw)
        return cls(
            id=as_str(raw.get("id")),
            email=as_str(raw.get("email")),
            first_name=as_str(raw.get("first_name")),
            last_name=as_str(raw.get("last_name")),
            status=as_str(raw.get("status")),
            is_bounced=as_bool(raw.get("is_bounced")),
            is_unsubscribed=as_bool(raw.get("is_unsubscribed")),
            provider=as_str(raw.get("provider")),
            variables=as_dict(raw.get("variables")),
            created_at=parse_date(raw.get("created_at")),
            updated_at=parse_date(raw.get("updated_at")),
            campaign_id=campaign_id,
        )


def parse_list(raw: Any, parse: Callable[[Any, int], T]) -> list[T]:
    """Parse each item of a JSON list; items that are not objects are skipped."""
    return [parse(item, index) for index, item in enumerate(as_list(raw)) if isinstance(item, dict)]


def iter_dicts(raw: Any) -> Iterable[dict[str, Any]]:
    return (item for item in as_list(raw) if isinstance(item, dict))
