"""The demo workspace in memory: records, lock-protected mutations, and their API (JSON) shapes.

Generated conversations keep only a recipe for their bodies (``Message.body``) which the dataset's
renderer turns into HTML/text on demand, with a small LRU cache; this is what lets 20,000
conversations fit in a few tens of megabytes. Anything that changes later (read flags, labels,
replies) is stored on the records themselves, never in the cached bodies.

The server thread and test code both call in, so every public method takes ``self.lock``.
"""

from __future__ import annotations

import copy
import html as _html
import json
import math
import random
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from unibox_tui.demo import files
from unibox_tui.demo.mailers import html_to_text

LABELS = frozenset({
    "interested", "left_company", "meeting_requested", "needs_more_info", "neutral",
    "not_interested", "not_now", "out_of_office", "question", "referral", "unsubscribe",
    "wrong_person",
})
FOLDERS = ("primary", "others")
_MISSING: Any = object()
_EMAIL = re.compile(r"^[^@\s<>\"(),;:]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+$")
_DOMAIN = re.compile(r"^@?([A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+)$")
_RE_PREFIX = re.compile(r"^\s*((re|aw|sv|fw|fwd)\s*:\s*)+", re.IGNORECASE)


class NotFound(LookupError):
    """The addressed record does not exist (HTTP 404)."""


class Invalid(ValueError):
    """A request's data does not validate (HTTP 422); ``str(exc)`` names the parameter."""


def iso(ts: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(ts)))


def is_email(value: object) -> bool:
    return isinstance(value, str) and len(value) <= 254 and bool(_EMAIL.match(value))


def reply_subject(subject: str) -> str:
    return "Re: " + _RE_PREFIX.sub("", subject or "")


# --- records -----------------------------------------------------------------------------------------

@dataclass(slots=True, eq=False)
class Attachment:
    id: str
    filename: str
    content_type: str
    size: int
    content: bytes | None = None  # small generated files (.ics, .csv); None: filler bytes

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "filename": self.filename, "content_type": self.content_type,
                "size": self.size}


@dataclass(slots=True, eq=False)
class Message:
    direction: str
    subject: str
    from_email: str
    to_email: str
    ts: float
    is_read: bool
    attachments: tuple[Attachment, ...] = ()
    body: Any = None  # the dataset's recipe, rendered lazily; None: html/text below are the bodies
    html: str | None = ""
    text: str | None = ""


@dataclass(slots=True, eq=False)
class Conversation:
    id: str
    folder: str
    status: str
    messages: list[Message]
    created: float
    updated: float
    search: str  # lower-cased subject, addresses, names and message text
    label: str | None = None
    label_override: str | None = None
    inbox_email: str = ""
    contact_email: str = ""
    contact_name: str = ""
    lead_id: str | None = None
    campaign_id: str | None = None
    kind: str = ""
    seed: int = 0


@dataclass(slots=True, eq=False)
class RawConversation:
    """A conversation served exactly as a test or dataset gave it, whatever its shape."""

    key: str | None
    raw: Any
    folder: str
    position: int
    seq: int
    search: str
    replies: list[dict[str, Any]] = field(default_factory=list)


@dataclass(slots=True, eq=False)
class Inbox:
    id: str
    email: str
    domain: str
    provider_type: str
    connection_type: str
    connection_status: str
    first_name: str
    last_name: str
    reply_to: str
    signature: str
    signature_text: str
    is_active: bool
    is_warming: bool
    daily_campaign_limit: int
    daily_warmup_limit: int
    domain_records_status: str
    created: float
    updated: float
    warmup_seed: int = 0
    ramp_up_progress: int = 0

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


@dataclass(slots=True, eq=False)
class Variant:
    id: str
    letter: str
    enabled: bool
    subject: str
    paras: tuple[str, ...]


@dataclass(slots=True, eq=False)
class Step:
    id: str
    step: int
    variants: list[Variant]


@dataclass(slots=True, eq=False)
class Lead:
    id: str
    campaign_id: str
    email: str
    first_name: str
    last_name: str
    status: str  # uncontacted, contacted, no_reply, replied
    is_bounced: bool
    is_unsubscribed: bool
    provider: str
    variables: dict[str, Any]
    created: float
    updated: float
    sends: tuple[tuple[int, int, float], ...] = ()  # (step index, variant index, time)
    replied_at: float | None = None


@dataclass(slots=True, eq=False)
class Campaign:
    id: str
    name: str
    status: str
    inbox_ids: list[str]
    created: float
    updated: float
    steps: list[Step]
    leads: list[Lead] = field(default_factory=list)
    more_leads: Callable[[], list[Lead]] | None = None  # leads without conversations, made on demand
    start: float = 0.0  # first send
    end: float | None = None  # last send (completed/paused), None while running


@dataclass(slots=True, eq=False)
class BlockEntry:
    id: str
    email: str  # an address, or "@domain" for a whole domain
    created: float


Renderer = Callable[["Workspace", Conversation], list[tuple[str | None, str | None]]]


# --- the workspace -----------------------------------------------------------------------------------

class Workspace:
    """Everything the server serves. Datasets fill it; the app reads and mutates it."""

    CACHE_SIZE = 256

    def __init__(self, *, seed: int, now: float, renderer: Renderer | None = None,
                 fixed_clock: bool = True) -> None:
        self.lock = threading.RLock()
        self.seed = seed
        self.now = now  # the anchor all generated dates are relative to
        self.renderer = renderer
        self._t0 = time.monotonic()
        self._fixed_clock = fixed_clock
        self.inboxes: list[Inbox] = []
        self.campaigns: list[Campaign] = []
        self.blocklist: list[BlockEntry] = []
        self._convs: dict[str, Conversation] = {}
        self._raws: list[RawConversation] = []
        self._raw_by_key: dict[str, RawConversation] = {}
        self._attachments: dict[tuple[str, str], Attachment] = {}
        self._order: dict[str | None, list[Conversation]] = {}
        self._max_updated = 0.0
        self._bodies: OrderedDict[str, list[tuple[str | None, str | None]]] = OrderedDict()
        self._replies: dict[str, list[dict[str, Any]]] = {}
        self._raw_seq = 0
        self._ids = 0

    # --- time and ids ----------------------------------------------------------------------------

    def clock(self) -> float:
        """Now, for new messages: real time, or time flowing on from a fixed ``now`` anchor."""
        if self._fixed_clock:
            return self.now + (time.monotonic() - self._t0)
        return time.time()

    def new_id(self, prefix: str) -> str:
        """Ids for records created at runtime; distinct from generated (UUID-shaped) ids."""
        with self.lock:
            self._ids += 1
            return f"{prefix}_{self.seed:x}{self._ids:06d}"

    # --- building (datasets) ---------------------------------------------------------------------

    def add_conversation(self, conv: Conversation) -> None:
        with self.lock:
            self._convs[conv.id] = conv
            self._max_updated = max(self._max_updated, conv.updated)
            for message in conv.messages:
                for att in message.attachments:
                    self._attachments[(conv.id, att.id)] = att
            self._order.clear()

    def add_conversations(self, convs: Iterable[Conversation]) -> None:
        with self.lock:
            for conv in convs:
                self._convs[conv.id] = conv
                if conv.updated > self._max_updated:
                    self._max_updated = conv.updated
                for message in conv.messages:
                    for att in message.attachments:
                        self._attachments[(conv.id, att.id)] = att
            self._order.clear()

    def add_raw_conversation(self, raw: Any, folder: str = "primary", position: int = 0) -> None:
        """Serve ``raw`` exactly as given (any shape, damaged records included).

        It is listed in ``folder`` at index ``position`` of the served order (clamped to the end;
        among raws at the same position the later one comes first), found by ``str(raw["id"])``,
        matched by search on its JSON text, and attachments inside it that carry an ``id`` and an
        integer ``size`` are downloadable.
        """
        if folder not in FOLDERS:
            raise ValueError(f"folder must be one of {FOLDERS}")
        with self.lock:
            key = raw.get("id") if isinstance(raw, dict) else None
            key = None if key is None else str(key)
            self._raw_seq += 1
            try:
                search = json.dumps(raw, ensure_ascii=False, default=str).lower()
            except (TypeError, ValueError):
                search = str(raw).lower()
            entry = RawConversation(key, raw, folder, max(0, int(position)), self._raw_seq, search)
            self._raws.append(entry)
            if key is not None:
                self._raw_by_key[key] = entry
                for att in _raw_attachments(raw):
                    self._attachments[(key, att.id)] = att

    def add_attachment(self, conversation_id: str, att: Attachment) -> None:
        """Make ``att`` downloadable from ``conversation_id`` (replacing one with the same id).

        For datasets whose JSON describes an attachment in a way ``add_raw_conversation`` cannot
        serve (a size that is a string, or that lies): the bytes served follow ``att.size``.
        """
        with self.lock:
            self._attachments[(conversation_id, att.id)] = att

    def add_blocklist_entry(self, email: str, created: float | None = None,
                            entry_id: str | None = None) -> BlockEntry:
        """Block ``email`` (an address, or ``@domain``) exactly as given: no validation, for datasets."""
        with self.lock:
            entry = BlockEntry(entry_id or self.new_id("bl"), email, self.clock() if created is None else created)
            self.blocklist.append(entry)
            return entry

    def warm(self) -> None:
        """Sort the conversations now, so the first request does not pay for it."""
        with self.lock:
            for folder in (None, *FOLDERS):
                self._sorted(folder)

    def set_renderer(self, renderer: Renderer) -> None:
        with self.lock:
            self.renderer = renderer
            self._bodies.clear()

    # --- reading conversations ----------------------------------------------------------------------

    def _sorted(self, folder: str | None) -> list[Conversation]:
        order = self._order.get(folder)
        if order is None:
            if None not in self._order:
                self._order[None] = sorted(self._convs.values(), key=lambda c: (-c.updated, c.id))
            everything = self._order[None]
            order = everything if folder is None else [c for c in everything if c.folder == folder]
            self._order[folder] = order
        return order

    def _served(self, folder: str | None, search: str | None) -> list[Conversation | RawConversation]:
        items: list[Conversation | RawConversation] = list(self._sorted(folder))
        needle = search.lower() if search else ""
        if needle:
            items = [c for c in items if needle in c.search]
        raws = [r for r in self._raws if (folder is None or r.folder == folder)
                and (not needle or needle in r.search)]
        for raw in sorted(raws, key=lambda r: (r.position, r.seq)):
            items.insert(min(raw.position, len(items)), raw)
        return items

    def list_conversations(self, folder: str | None = None, search: str | None = None,
                           page: int = 1, page_size: int = 20) -> tuple[list[Any], int]:
        """One page of conversations (API dicts) in served order, and the total count."""
        with self.lock:
            if not search and not self._raws:
                everything = self._sorted(folder)
                total = len(everything)
                chunk: list[Any] = everything[(page - 1) * page_size: page * page_size]
            else:
                served = self._served(folder, search)
                total = len(served)
                chunk = served[(page - 1) * page_size: page * page_size]
            return [self._dict(c) for c in chunk], total

    def conversation_ids(self, folder: str | None = None, search: str | None = None) -> list[Any]:
        """Ids in served order (raw conversations give their ``id`` as given, possibly None)."""
        with self.lock:
            return [c.id if isinstance(c, Conversation) else (c.raw.get("id") if isinstance(c.raw, dict) else None)
                    for c in self._served(folder, search)]

    def find(self, conversation_id: str) -> Conversation | RawConversation:
        with self.lock:
            raw = self._raw_by_key.get(conversation_id)
            if raw is not None:
                return raw
            conv = self._convs.get(conversation_id)
            if conv is None:
                raise NotFound("conversation not found")
            return conv

    def conversation(self, conversation_id: str) -> Conversation:
        """The generated record itself (raises NotFound for unknown or raw ones)."""
        with self.lock:
            conv = self._convs.get(conversation_id)
            if conv is None:
                raise NotFound("conversation not found")
            return conv

    def get_conversation_dict(self, conversation_id: str) -> Any:
        with self.lock:
            return self._dict(self.find(conversation_id))

    def conversations(self) -> list[Conversation]:
        """Generated conversations in served order (raw ones excluded)."""
        with self.lock:
            return list(self._sorted(None))

    def replies(self, conversation_id: str) -> list[dict[str, Any]]:
        """Replies received through the API for a conversation, oldest first."""
        with self.lock:
            return copy.deepcopy(self._replies.get(conversation_id, []))

    def attachment(self, conversation_id: str, attachment_id: str) -> Attachment:
        with self.lock:
            att = self._attachments.get((conversation_id, attachment_id))
            if att is None:
                raise NotFound("attachment not found in this conversation")
            return att

    def attachment_chunks(self, att: Attachment, chunk_size: int = files.BLOCK_SIZE) -> Any:
        if att.content is not None:
            return iter((att.content,)) if att.content else iter(())
        return files.chunks(self.seed, att.id, att.content_type, att.size, chunk_size)

    # --- rendering ---------------------------------------------------------------------------------

    def _bodies_of(self, conv: Conversation) -> list[tuple[str | None, str | None]]:
        bodies = self._bodies.get(conv.id)
        if bodies is not None:
            self._bodies.move_to_end(conv.id)
            return bodies
        if self.renderer is None or all(m.body is None for m in conv.messages):
            bodies = []
        else:
            bodies = self.renderer(self, conv)
        self._bodies[conv.id] = bodies
        if len(self._bodies) > self.CACHE_SIZE:
            self._bodies.popitem(last=False)
        return bodies

    def _dict(self, item: Conversation | RawConversation) -> Any:
        if isinstance(item, RawConversation):
            return _raw_dict(item)
        bodies = self._bodies_of(item)
        messages = []
        for i, m in enumerate(item.messages):
            html, text = bodies[i] if m.body is not None and i < len(bodies) else (m.html, m.text)
            messages.append({
                "direction": m.direction,
                "subject": m.subject,
                "text_body": text,
                "html_body": html,
                "from_email": m.from_email,
                "to_email": m.to_email,
                "email_date": iso(m.ts),
                "is_read": m.is_read,
                "attachments": [a.as_dict() for a in m.attachments],
            })
        return {
            "id": item.id,
            "status": item.status,
            "messages": messages,
            "created_at": iso(item.created),
            "updated_at": iso(item.updated),
            "label": item.label,
            "label_override": item.label_override,
        }

    # --- mutating conversations ------------------------------------------------------------------

    def _bump(self) -> float:
        """A time that sorts above every conversation: replies and new mail go to the top."""
        self._max_updated = max(self.clock(), self._max_updated + 0.001)
        self._order.clear()
        return self._max_updated

    def reply(self, conversation_id: str, content: str) -> dict[str, Any]:
        """Store an outgoing reply (as Reachkit would send it) and return its message dict."""
        with self.lock:
            item = self.find(conversation_id)
            text = html_to_text(content)
            if isinstance(item, RawConversation):
                inbox, contact, subject = _raw_parties(item.raw, self.inboxes)
                now = self.clock()
                message = _message_dict("outgoing", reply_subject(subject), text, content, inbox,
                                        contact, iso(now), True)
                item.replies.append(message)
            else:
                now = self._bump()
                first = item.messages[0].subject if item.messages else ""
                msg = Message("outgoing", reply_subject(first), item.inbox_email, item.contact_email,
                              now, True, (), None, content, text)
                item.messages.append(msg)
                item.updated = now
                item.search += "\n" + text.lower()
                message = _message_dict("outgoing", msg.subject, text, content, msg.from_email,
                                        msg.to_email, iso(now), True)
            self._replies.setdefault(conversation_id, []).append(message)
            return copy.deepcopy(message)

    def add_incoming_message(self, conversation_id: str, text: str = "", html: str | None = None,
                             subject: str | None = None, attachments: Iterable[Attachment] = (),
                             is_read: bool = False) -> dict[str, Any]:
        """New mail from the contact arrives (tests: what polling should discover)."""
        with self.lock:
            conv = self.conversation(conversation_id)
            now = self._bump()
            first = conv.messages[0].subject if conv.messages else ""
            html = html if html is not None else "".join(f"<div>{_esc(p)}</div>" for p in text.split("\n"))
            atts = tuple(attachments)
            msg = Message("incoming", subject if subject is not None else reply_subject(first),
                          conv.contact_email, conv.inbox_email, now, is_read, atts, None, html, text)
            conv.messages.append(msg)
            conv.updated = now
            conv.status = "open"
            conv.search += "\n" + (text or html_to_text(html)).lower()
            for att in atts:
                self._attachments[(conv.id, att.id)] = att
            message: dict[str, Any] = self._dict(conv)["messages"][-1]
            return message

    def patch_conversation(self, conversation_id: str, is_read: Any = _MISSING,
                           label_override: Any = _MISSING) -> Any:
        """Apply the newer PATCH: every message's read flag and/or the manual label."""
        if is_read is not _MISSING and not isinstance(is_read, bool):
            raise Invalid("is_read must be a boolean")
        if label_override is not _MISSING and label_override is not None and label_override not in LABELS:
            raise Invalid("label_override must be null or one of: " + ", ".join(sorted(LABELS)))
        if is_read is _MISSING and label_override is _MISSING:
            raise Invalid("nothing to update: send is_read and/or label_override")
        with self.lock:
            item = self.find(conversation_id)
            if isinstance(item, RawConversation):
                if isinstance(item.raw, dict):
                    if label_override is not _MISSING:
                        item.raw["label_override"] = label_override
                    if is_read is not _MISSING and isinstance(item.raw.get("messages"), list):
                        for m in item.raw["messages"]:
                            if isinstance(m, dict):
                                m["is_read"] = is_read
                return _raw_dict(item)
            if is_read is not _MISSING:
                for m in item.messages:
                    m.is_read = is_read
            if label_override is not _MISSING:
                item.label_override = label_override
            return self._dict(item)

    def set_status(self, conversation_id: str, status: str) -> None:
        with self.lock:
            self.conversation(conversation_id).status = status

    def create_conversation(self, to: Any, subject: Any, content: Any, inbox_id: Any = None) -> Any:
        """Start a new conversation (the newer ``POST /unibox/conversations``)."""
        if not isinstance(to, list) or not to:
            raise Invalid("to must be a non-empty list of {email, name}")
        recipients = []
        for i, r in enumerate(to):
            if not isinstance(r, dict) or not is_email(r.get("email")):
                raise Invalid(f"to[{i}].email must be a valid email address")
            name = r.get("name")
            if name is not None and not isinstance(name, str):
                raise Invalid(f"to[{i}].name must be a string")
            recipients.append((r["email"], name or ""))
        if not isinstance(subject, str) or not subject.strip():
            raise Invalid("subject must be a non-empty string")
        if not isinstance(content, str) or not content.strip():
            raise Invalid("content must be a non-empty string")
        with self.lock:
            if inbox_id is None:
                inbox = next((i for i in self.inboxes if i.connection_status == "connected"),
                             self.inboxes[0] if self.inboxes else None)
            else:
                inbox = next((i for i in self.inboxes if i.id == inbox_id), None)
                if inbox is None:
                    raise Invalid("inbox_id does not name an inbox")
            sender = inbox.email if inbox else ""
            now = self._bump()
            text = html_to_text(content)
            to_email = ", ".join(e for e, _ in recipients)
            msg = Message("outgoing", subject, sender, to_email, now, True, (), None, content, text)
            conv = Conversation(
                id=self.new_id("conv"), folder="primary", status="open", messages=[msg],
                created=now, updated=now,
                search="\n".join([subject, sender, to_email, *(n for _, n in recipients), text]).lower(),
                inbox_email=sender, contact_email=recipients[0][0], contact_name=recipients[0][1],
                kind="manual")
            self._convs[conv.id] = conv
            self._order.clear()
            return self._dict(conv)

    # --- blocklist ---------------------------------------------------------------------------------

    def block(self, value: Any) -> list[dict[str, Any]]:
        """Add an address, or a whole domain (``@acme.com``/``acme.com``); return the entries."""
        values = value if isinstance(value, list) else [value]
        if not values:
            raise Invalid("email must be an email address or a domain")
        normalised = []
        for v in values:
            if is_email(v):
                normalised.append(v.strip().lower())
            elif isinstance(v, str) and (m := _DOMAIN.match(v.strip())) and (v.strip().startswith("@")):
                normalised.append("@" + m.group(1).lower())
            else:
                raise Invalid("email must be an email address or a domain like @example.com")
        with self.lock:
            out = []
            for email in normalised:
                entry = next((b for b in self.blocklist if b.email == email), None)
                if entry is None:
                    entry = self.add_blocklist_entry(email)
                out.append(_block_dict(entry))
            return out

    def block_domain(self, domain: Any) -> list[dict[str, Any]]:
        if not isinstance(domain, str) or not _DOMAIN.match(domain.strip()):
            raise Invalid("domain must be a domain name like example.com")
        return self.block("@" + domain.strip().lstrip("@"))

    def unblock(self, entry_id: str) -> None:
        with self.lock:
            for i, b in enumerate(self.blocklist):
                if b.id == entry_id:
                    del self.blocklist[i]
                    return
            raise NotFound("blocklist entry not found")

    def is_blocked(self, email: Any) -> bool:
        if not isinstance(email, str) or "@" not in email:
            raise Invalid("email must be an email address")
        email = email.strip().lower()
        domain = "@" + email.rsplit("@", 1)[1]
        with self.lock:
            return any(b.email == email or b.email == domain for b in self.blocklist)

    def blocklist_dicts(self) -> list[dict[str, Any]]:
        with self.lock:
            return [_block_dict(b) for b in self.blocklist]

    # --- inboxes ---------------------------------------------------------------------------------------

    def inbox(self, inbox_id: str) -> Inbox:
        with self.lock:
            for inbox in self.inboxes:
                if inbox.id == inbox_id:
                    return inbox
            raise NotFound("inbox not found")

    def inbox_dict(self, inbox: Inbox) -> dict[str, Any]:
        with self.lock:
            return {
                "id": inbox.id, "email": inbox.email, "domain": inbox.domain,
                "provider_type": inbox.provider_type, "connection_type": inbox.connection_type,
                "connection_status": inbox.connection_status, "first_name": inbox.first_name,
                "last_name": inbox.last_name, "reply_to": inbox.reply_to, "signature": inbox.signature,
                "is_active": inbox.is_active, "is_warming": inbox.is_warming,
                "daily_campaign_limit": inbox.daily_campaign_limit,
                "daily_warmup_limit": inbox.daily_warmup_limit,
                "domain_records_status": inbox.domain_records_status,
                "campaigns": [{"id": c.id, "name": c.name, "status": c.status}
                              for c in self.campaigns if inbox.id in c.inbox_ids],
                "created_at": iso(inbox.created), "updated_at": iso(inbox.updated),
            }

    def warmup_stats(self, inbox_id: str) -> dict[str, Any]:
        """Seven days of warm-up numbers, derived from the inbox's seed (none when not warming)."""
        with self.lock:
            inbox = self.inbox(inbox_id)
            rng = random.Random(inbox.warmup_seed)
            day0 = int(self.now // 86400) - 6
            daily: list[dict[str, Any]] = []
            for d in range(7):
                sent = 0
                if inbox.is_warming and inbox.connection_status == "connected":
                    sent = min(inbox.daily_warmup_limit, 4 + d * 3 + rng.randint(0, 4))
                spam = min(sent, rng.choice((0, 0, 0, 1, 1, 2))) if sent else 0
                daily.append({"date": time.strftime("%Y-%m-%d", time.gmtime((day0 + d) * 86400)),
                              "total_sent": sent, "spam_count": spam})
            total = sum(int(d["total_sent"]) for d in daily)
            spam_total = sum(int(d["spam_count"]) for d in daily)
            health = 100 if total == 0 else max(0, round(100 - 100 * spam_total / total * 2))
            return {
                "summary": {"total_sent": total,
                            "total_received": max(0, total - rng.randint(0, max(1, total // 10))) if total else 0,
                            "saved_from_spam": spam_total, "health_score": health},
                "ramp_up_progress": inbox.ramp_up_progress,
                "daily_stats": daily,
            }

    # --- campaigns, sequences, leads ------------------------------------------------------------

    def campaign(self, campaign_id: str) -> Campaign:
        with self.lock:
            for c in self.campaigns:
                if c.id == campaign_id:
                    return c
            raise NotFound("campaign not found")

    def campaign_dict(self, c: Campaign, detail: bool = False) -> dict[str, Any]:
        with self.lock:
            out: dict[str, Any] = {"id": c.id, "name": c.name, "status": c.status}
            if detail:
                out["inboxes"] = [{"id": i.id, "email": i.email} for i in self.inboxes if i.id in c.inbox_ids]
            out["created_at"] = iso(c.created)
            out["updated_at"] = iso(c.updated)
            return out

    def set_campaign_status(self, campaign_id: str, status: Any) -> dict[str, Any]:
        if status not in ("active", "paused"):
            raise Invalid('status must be "active" or "paused"')
        with self.lock:
            c = self.campaign(campaign_id)
            c.status = status
            c.updated = self.clock()
            return {"id": c.id, "status": c.status}

    def set_variant_enabled(self, campaign_id: str, variant_id: str, enabled: Any) -> dict[str, Any]:
        if not isinstance(enabled, bool):
            raise Invalid("enabled must be a boolean")
        with self.lock:
            for step in self.campaign(campaign_id).steps:
                for v in step.variants:
                    if v.id == variant_id:
                        v.enabled = enabled
                        return {"id": v.id, "enabled": v.enabled}
            raise NotFound("variant not found")

    def leads_of(self, campaign_id: str) -> list[Lead]:
        with self.lock:
            c = self.campaign(campaign_id)
            if c.more_leads is not None:
                make, c.more_leads = c.more_leads, None
                c.leads.extend(make())
            return c.leads

    def lead(self, campaign_id: str, lead_id: str) -> Lead:
        with self.lock:
            for lead in self.leads_of(campaign_id):
                if lead.id == lead_id:
                    return lead
            raise NotFound("lead not found")

    def list_leads(self, campaign_id: str, page: int, page_size: int, search: str | None = None,
                   sort_by: str | None = None, sort_order: str = "asc",
                   filters: dict[str, Any] | None = None) -> tuple[list[dict[str, Any]], int]:
        with self.lock:
            leads = list(self.leads_of(campaign_id))
            if search:
                needle = search.lower()
                leads = [lead for lead in leads if needle in _lead_search(lead)]
            for key, wanted in (filters or {}).items():
                leads = [lead for lead in leads if _lead_matches(lead, key, wanted)]
            if sort_by in _LEAD_SORT:
                attr = _LEAD_SORT[sort_by]
                leads.sort(key=lambda lead: (_sort_key(getattr(lead, attr)), lead.id),
                           reverse=sort_order == "desc")
            elif sort_order == "desc":
                leads.reverse()
            total = len(leads)
            return [lead_dict(x) for x in leads[(page - 1) * page_size: page * page_size]], total

    def create_lead(self, campaign_id: str, data: Any) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise Invalid("body must be a JSON object")
        email = data.get("email")
        if email is None or email == "":
            raise Invalid("email is required")
        if not is_email(email):
            raise Invalid("email must be a valid email address")
        for key in ("first_name", "last_name"):
            if data.get(key) is not None and not isinstance(data[key], str):
                raise Invalid(f"{key} must be a string")
        variables = data.get("variables") or {}
        if not isinstance(variables, dict):
            raise Invalid("variables must be an object")
        with self.lock:
            leads = self.leads_of(campaign_id)
            if any(lead.email.lower() == email.lower() for lead in leads):
                raise Invalid("email has already been taken in this campaign")
            now = self.clock()
            lead = Lead(self.new_id("lead"), campaign_id, email, data.get("first_name") or "",
                        data.get("last_name") or "", "uncontacted", False, False, "pending",
                        dict(variables), now, now)
            leads.append(lead)
            return lead_dict(lead)

    def delete_lead(self, campaign_id: str, lead_id: str) -> None:
        with self.lock:
            leads = self.leads_of(campaign_id)
            for i, lead in enumerate(leads):
                if lead.id == lead_id:
                    del leads[i]
                    return
            raise NotFound("lead not found")

    def _variant_counts(self, c: Campaign) -> dict[tuple[int, int], list[int]]:
        counts: dict[tuple[int, int], list[int]] = {}
        for lead in self.leads_of(c.id):
            for s, v, _ in lead.sends:
                counts.setdefault((s, v), [0, 0])[0] += 1
            if lead.status == "replied" and lead.sends:
                s, v, _ = lead.sends[-1]
                counts.setdefault((s, v), [0, 0])[1] += 1
        return counts

    def sequences(self, campaign_id: str) -> list[dict[str, Any]]:
        with self.lock:
            c = self.campaign(campaign_id)
            counts = self._variant_counts(c)
            out = []
            for si, step in enumerate(c.steps):
                variants = []
                for vi, v in enumerate(step.variants):
                    sent, replies = counts.get((si, vi), (0, 0))
                    variants.append({"id": v.id, "letter": v.letter, "sent": sent, "replies": replies,
                                     "reply_rate": _rate(replies, sent), "enabled": v.enabled})
                out.append({"id": step.id, "step": step.step, "variants": variants})
            return out

    def analytics(self, campaign_id: str) -> dict[str, Any]:
        """Summary, daily and per-variant numbers, all computed from the leads so they add up."""
        with self.lock:
            c = self.campaign(campaign_id)
            leads = self.leads_of(campaign_id)
            counts = self._variant_counts(c)
            sent_by_day: dict[int, int] = {}
            replies_by_day: dict[int, int] = {}
            finished = 0
            for lead in leads:
                for _, _, ts in lead.sends:
                    day = int(ts // 86400)
                    sent_by_day[day] = sent_by_day.get(day, 0) + 1
                if lead.status == "replied" and lead.sends:
                    day = int((lead.replied_at or lead.sends[-1][2]) // 86400)
                    replies_by_day[day] = replies_by_day.get(day, 0) + 1
                if lead.status in ("replied", "no_reply") or lead.is_bounced or lead.is_unsubscribed:
                    finished += 1
            total_sent = sum(sent_by_day.values())
            total_replies = sum(replies_by_day.values())
            days = sorted(set(sent_by_day) | set(replies_by_day))
            daily = [{"date": time.strftime("%Y-%m-%d", time.gmtime(d * 86400)),
                      "sent": sent_by_day.get(d, 0), "replies": replies_by_day.get(d, 0)}
                     for d in (range(days[0], days[-1] + 1) if days else ())]
            seq = []
            for si, step in enumerate(c.steps):
                variants = []
                for vi, v in enumerate(step.variants):
                    sent, replies = counts.get((si, vi), (0, 0))
                    variants.append({"id": v.id, "enabled": v.enabled, "sent": sent, "replies": replies,
                                     "reply_rate": _rate(replies, sent)})
                seq.append({"id": step.id, "step": step.step, "variants": variants})
            return {
                "summary": {
                    "progress": math.floor(100 * finished / len(leads)) if leads else 0,
                    "total_sent": total_sent,
                    "total_replies": total_replies,
                    "reply_rate": _rate(total_replies, total_sent),
                    "sequence_steps": len(c.steps),
                },
                "daily_stats": daily,
                "sequence_stats": seq,
            }


# --- helpers -------------------------------------------------------------------------------------------

def _esc(text: str) -> str:
    return _html.escape(text, quote=True)


def _rate(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 2) if whole else 0.0


def _message_dict(direction: str, subject: str, text: str | None, html: str | None, from_email: str,
                  to_email: str, date: str, is_read: bool) -> dict[str, Any]:
    return {"direction": direction, "subject": subject, "text_body": text, "html_body": html,
            "from_email": from_email, "to_email": to_email, "email_date": date, "is_read": is_read,
            "attachments": []}


def _block_dict(b: BlockEntry) -> dict[str, Any]:
    return {"id": b.id, "email": b.email, "created_at": iso(b.created)}


def lead_dict(lead: Lead) -> dict[str, Any]:
    return {
        "id": lead.id, "email": lead.email, "first_name": lead.first_name, "last_name": lead.last_name,
        "status": lead.status, "is_bounced": lead.is_bounced, "is_unsubscribed": lead.is_unsubscribed,
        "provider": lead.provider, "variables": dict(lead.variables),
        "created_at": iso(lead.created), "updated_at": iso(lead.updated),
    }


_LEAD_SORT = {"email": "email", "first_name": "first_name", "last_name": "last_name",
              "status": "status", "provider": "provider", "created_at": "created",
              "updated_at": "updated", "is_bounced": "is_bounced", "is_unsubscribed": "is_unsubscribed"}


def _sort_key(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def _lead_search(lead: Lead) -> str:
    return " ".join((lead.email, lead.first_name, lead.last_name,
                     *(str(v) for v in lead.variables.values()))).lower()


def _lead_matches(lead: Lead, key: str, wanted: Any) -> bool:
    if key in ("email", "first_name", "last_name", "status", "provider"):
        actual: Any = getattr(lead, key)
    elif key in ("is_bounced", "is_unsubscribed"):
        actual = getattr(lead, key)
        if isinstance(wanted, str):
            wanted = wanted.lower() in ("1", "true", "yes")
    elif key in lead.variables:
        actual = lead.variables[key]
    else:
        return True  # unknown filters are ignored, as lenient servers do
    if isinstance(wanted, list):
        return any(_same(actual, w) for w in wanted)
    return _same(actual, wanted)


def _same(actual: Any, wanted: Any) -> bool:
    if isinstance(actual, str) and isinstance(wanted, str):
        return actual.lower() == wanted.lower()
    return bool(actual == wanted)


def _raw_dict(item: RawConversation) -> Any:
    if not item.replies or not isinstance(item.raw, dict) or not isinstance(item.raw.get("messages"), list):
        return item.raw
    out = dict(item.raw)
    out["messages"] = [*item.raw["messages"], *item.replies]
    return out


def _raw_attachments(raw: Any) -> list[Attachment]:
    out = []
    messages = raw.get("messages") if isinstance(raw, dict) else None
    for m in messages if isinstance(messages, list) else ():
        atts = m.get("attachments") if isinstance(m, dict) else None
        for a in atts if isinstance(atts, list) else ():
            if not isinstance(a, dict) or a.get("id") is None:
                continue
            size = a.get("size")
            if not isinstance(size, int) or isinstance(size, bool) or size < 0:
                continue
            ctype = a.get("content_type")
            name = a.get("filename")
            out.append(Attachment(str(a["id"]), name if isinstance(name, str) else "attachment",
                                  ctype if isinstance(ctype, str) else "application/octet-stream", size))
    return out


def _raw_parties(raw: Any, inboxes: list[Inbox]) -> tuple[str, str, str]:
    """(our inbox, the contact, the subject) of a raw conversation, as far as it can be told."""
    ours = {i.email.lower() for i in inboxes}
    inbox = inboxes[0].email if inboxes else ""
    contact = ""
    subject = ""
    messages = raw.get("messages") if isinstance(raw, dict) else None
    for m in messages if isinstance(messages, list) else ():
        if not isinstance(m, dict):
            continue
        if not subject and isinstance(m.get("subject"), str):
            subject = m["subject"]
        for a, b in ((m.get("from_email"), m.get("to_email")), (m.get("to_email"), m.get("from_email"))):
            if isinstance(a, str) and a.lower() in ours:
                inbox = a
                if isinstance(b, str) and not contact:
                    contact = b
    return inbox, contact, subject
