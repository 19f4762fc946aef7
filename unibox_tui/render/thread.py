"""A conversation as display lines: list rows, message headers, bodies with quotes folded.

Pure and Textual-free, so the thread's behaviour (what is folded, what shows, in what order)
is tested without a terminal. Every string here has already been through the sanitiser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import NamedTuple

from ..api.models import Attachment, Conversation, Message
from .formatting import compact_date, full_date, human_size, label_name
from .sanitize import clean_line

__all__ = [
    "BodyView",
    "ConversationRow",
    "DocLine",
    "ThreadDocument",
    "build_row",
    "convert_body",
    "convert_parts",
    "message_snippet",
    "person",
    "row_with_local",
    "row_with_triage",
    "poses_as_address",
    "sender_label",
]

#: Messages shown open by default at the end of a thread, plus the latest unread ones (capped:
#: a 2,000-message thread must open in well under a second).
OPEN_LATEST = 3
OPEN_UNREAD_MAX = 10
SNIPPET_CHARS = 160

_ATTRIBUTION = re.compile(
    r"^\s*(>|On .{0,200}wrote:?\s*$|-{2,}\s*Original Message|_{10,}|From:\s)", re.IGNORECASE
)


_AT_SIGNS = ("@", "\uff20", "\ufe6b")  # and the full-width and small look-alikes


def poses_as_address(name: str, address: str) -> bool:
    """True for a display name that looks like an address other than the sender's own.

    ``"support@bank.com" <attacker@evil.example>`` shows as support@bank.com wherever only the
    name is shown: such a name must never stand in for the address.
    """
    if not any(at in name for at in _AT_SIGNS):
        return False
    return not address or address.lower() not in name.lower()


def person(name: str, address: str, *, max_chars: int = 80) -> str:
    """``Dana Lee <dana@x.io>``, or just the address; cleaned for one line.

    A name posing as another address comes after the real address, in quotes.
    """
    name = clean_line(name, max_chars=max_chars)
    address = clean_line(address, max_chars=max_chars)
    if name and poses_as_address(name, address):
        return f'{address or "(no address)"} ("{name}")'
    if name and address and name.lower() != address.lower():
        return f"{name} <{address}>"
    return name or address or "(unknown)"


def sender_label(name: str, address: str, *, max_chars: int = 60) -> str:
    """Who, in one short field (a list row, a collapsed message): the name unless it lies."""
    name = clean_line(name, max_chars=max_chars)
    address = clean_line(address, max_chars=120)
    if name and not poses_as_address(name, address):
        return name
    return address


def message_snippet(message: Message | None, max_chars: int = SNIPPET_CHARS) -> str:
    """The first words of what a message says new: quotes and attributions cut, one line."""
    if message is None:
        return ""
    from .html import html_to_plain, looks_like_html

    text = message.text_body
    if not text.strip() and message.html_body:
        text = html_to_plain(message.html_body)
    elif not message.html_body and looks_like_html(text):
        text = html_to_plain(text)  # as the body shows it: converted, not as tags
    text = text[: 8 * max_chars + 2000]
    kept: list[str] = []
    length = 0
    for line in text.splitlines():
        if _ATTRIBUTION.match(line):
            break
        stripped = line.strip()
        if stripped:
            kept.append(stripped)
            length += len(stripped)
            if length > max_chars:
                break
    return clean_line(" ".join(kept), max_chars=max_chars)


_REPLY_PREFIXES = re.compile(r"^(\s*(re|fwd?|aw|sv|antw|wg|tr)(\[\d+\])?\s*:\s*)+", re.IGNORECASE)


def _bare_subject(subject: str) -> str:
    """A subject without its Re:/Fwd: prefixes, for "is this the same subject?"."""
    return _REPLY_PREFIXES.sub("", clean_line(subject, max_chars=300)).strip().lower()


@dataclass(frozen=True, slots=True)
class ConversationRow:
    """What one list row shows, computed once per page (all strings already clean)."""

    id: str
    lead: str
    lead_email: str
    subject: str
    snippet: str
    date: str
    unread: bool
    attachments: bool
    closed: bool
    label: str
    label_manual: bool
    label_local: bool = False
    damaged: bool = False
    count: int = 0
    #: Follow-ups (our own words): why a snoozed or reminded conversation came back
    #: ("snooze ended", "new reply", "no reply since 29 Nov"), and an out-of-office lead's
    #: return ("back 14 Dec"). Set by the inbox model's overlay, never from the disk cache.
    woken: str = ""
    away: str = ""
    #: Marked for an action on several conversations at once (``m``); the model sets it.
    marked: bool = False


def _triage_fields(conversation: Conversation, local_label: str | None) -> dict[str, object]:
    """The parts of a row that triage changes: the label shown, whose it is, unread."""
    return {
        "unread": conversation.unread,
        "label": clean_line(label_name(local_label or conversation.effective_label), max_chars=30),
        "label_manual": bool(local_label or conversation.label_override),
        "label_local": bool(local_label),
    }


def row_with_triage(row: ConversationRow, conversation: Conversation, local_label: str | None = None) -> ConversationRow:
    """``row`` with ``conversation``'s label and read state; nothing else recomputed (cheap)."""
    return replace(row, **_triage_fields(conversation, local_label))  # type: ignore[arg-type]


def row_with_local(row: ConversationRow, local_label: str | None, read: bool | None) -> ConversationRow:
    """A row painted without its conversation (the start-up cache), with this machine's marks:
    a label kept locally, a read state set locally (``None``: none)."""
    changes: dict[str, object] = {}
    if local_label:
        changes.update(label=clean_line(label_name(local_label), max_chars=30), label_manual=True, label_local=True)
    if read is not None and row.unread == read:
        changes["unread"] = not read
    return replace(row, **changes) if changes else row  # type: ignore[arg-type]


def build_row(
    conversation: Conversation, now: datetime | None = None, *, local_label: str | None = None
) -> ConversationRow:
    address = clean_line(conversation.lead_email, max_chars=120)
    return ConversationRow(
        id=conversation.id,
        lead=sender_label(conversation.lead_name, conversation.lead_email) or "(unknown sender)",
        lead_email=address,
        subject=clean_line(conversation.subject, max_chars=300) or "(no subject)",
        snippet=message_snippet(conversation.latest),
        date=compact_date(
            conversation.activity_at,
            now,
            raw=conversation.updated_at_raw or (conversation.latest.email_date_raw if conversation.latest else ""),
        ),
        attachments=conversation.has_attachments,
        closed=conversation.status.strip().lower() == "closed",
        damaged=conversation.damaged,
        count=len(conversation.messages),
        **_triage_fields(conversation, local_label),  # type: ignore[arg-type]
    )


@dataclass(frozen=True, slots=True)
class BodyView:
    """A converted message body, split into new text and quoted history."""

    #: (text, quoted, summary, folded by default)
    segments: tuple[tuple[str, bool, str, bool], ...]
    source: str = "text"  # "html", "text" or "none"
    truncated: bool = False


def convert_body(message: Message) -> BodyView:
    """The heavy part (html2text on big bodies): call it from a thread worker."""
    return convert_parts(message.html_body, message.text_body)


def convert_parts(html_body: str | None, text_body: str | None) -> BodyView:
    """`convert_body` on a message's two bodies (what the helper process receives)."""
    from .html import best_body
    from .quotes import split_quoted

    body = best_body(html_body, text_body)
    if body.source == "none":
        return BodyView(segments=(), source="none", truncated=body.truncated)
    segments = tuple(
        (segment.text, segment.quoted, clean_line(segment.summary, max_chars=200), segment.fold)
        for segment in split_quoted(body.text)
    )
    return BodyView(segments=segments, source=body.source, truncated=body.truncated)


class DocLine(NamedTuple):
    """One logical (unwrapped) line of the thread and what it belongs to.

    A named tuple, not a dataclass: a 1 MB body is ~13,000 of them, built and hashed (as keys of
    the wrap cache) on the UI's thread, and a tuple does both in about half the time.
    """

    text: str
    kind: str  # header | meta | collapsed | body | quote | fold | attachment | notice | blank
    message: int = -1
    segment: int = -1


@dataclass
class ThreadDocument:
    """The open conversation's display state: which messages are open, which quotes unfolded."""

    conversation: Conversation
    now: datetime | None = None
    expanded: set[int] = field(default_factory=set)
    unfolded: set[tuple[int, int]] = field(default_factory=set)
    bodies: dict[int, BodyView] = field(default_factory=dict)
    failed: dict[int, str] = field(default_factory=dict)
    _lines: list[DocLine] | None = field(default=None, repr=False)
    _starts: dict[int, int] = field(default_factory=dict, repr=False)
    #: Per message: its collapsed line, and the lines above and below its body. They depend on the
    #: message alone, and rebuilding them for every body that arrives made opening all 2,000
    #: messages of a thread quadratic.
    _collapsed: dict[int, DocLine] = field(default_factory=dict, repr=False)
    _heads: dict[int, tuple[list[DocLine], list[DocLine]]] = field(default_factory=dict, repr=False)
    #: Per open message: its body's lines, for that body and those unfolded quotes. A 1 MB body
    #: is ~13,000 lines; rebuilding them whenever any other message changes was ~20 ms a time.
    _body_cache: dict[int, tuple[BodyView, frozenset[int], list[DocLine]]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if not self.expanded:
            self.expanded = self.default_expanded()

    @property
    def messages(self) -> tuple[Message, ...]:
        return self.conversation.messages

    def default_expanded(self) -> set[int]:
        count = len(self.messages)
        opened = set(range(max(0, count - OPEN_LATEST), count))
        unread = [i for i, m in enumerate(self.messages) if m.incoming and not m.is_read]
        opened.update(unread[-OPEN_UNREAD_MAX:])
        return opened

    def pending(self) -> list[int]:
        """Open messages whose body still needs converting, newest first (what the eye goes to)."""
        return sorted(
            (i for i in self.expanded if i not in self.bodies and i not in self.failed),
            reverse=True,
        )

    def set_body(self, index: int, body: BodyView) -> None:
        self.bodies[index] = body
        self._lines = None

    def set_failed(self, index: int, reason: str) -> None:
        self.failed[index] = reason
        self._lines = None

    def adopt(self, conversation: Conversation) -> None:
        """Take a fresher copy of the same conversation, keeping what the user opened."""
        old = self.conversation
        same = len(conversation.messages) >= len(old.messages) and all(
            a.email_date_raw == b.email_date_raw and a.html_body == b.html_body and a.text_body == b.text_body
            for a, b in zip(old.messages, conversation.messages, strict=False)
        )
        self.conversation = conversation
        self._collapsed.clear()
        self._heads.clear()
        if not same:
            self.bodies.clear()
            self._body_cache.clear()
            self.failed.clear()
            self.unfolded.clear()
            self.expanded = self.default_expanded()
        else:
            # New messages at the end open like they would in a fresh view.
            for index in range(len(old.messages), len(conversation.messages)):
                self.expanded.add(index)
        self._lines = None

    def toggle_message(self, index: int) -> None:
        if not 0 <= index < len(self.messages):
            return
        self.expanded.symmetric_difference_update({index})
        self._lines = None

    def set_all_expanded(self, expanded: bool) -> None:
        self.expanded = set(range(len(self.messages))) if expanded else self.default_expanded()
        self._lines = None

    def toggle_quotes(self, index: int) -> None:
        """Unfold every quote of a message, or fold them all back."""
        body = self.bodies.get(index)
        if body is None:
            return
        quoted = {(index, s) for s, (_, q, _, _) in enumerate(body.segments) if q}
        if quoted and quoted <= self.unfolded:
            self.unfolded -= quoted
        else:
            self.unfolded |= quoted
        self._lines = None

    def toggle_segment(self, index: int, segment: int) -> None:
        self.unfolded.symmetric_difference_update({(index, segment)})
        self._lines = None

    def message_start(self, index: int) -> int:
        self.lines()
        return self._starts.get(index, 0)

    def message_at(self, line: int) -> int:
        lines = self.lines()
        if 0 <= line < len(lines):
            return lines[line].message
        return -1

    def lines(self) -> list[DocLine]:
        if self._lines is None:
            self._lines, self._starts = self._build()
        return self._lines

    # -- building --

    def _build(self) -> tuple[list[DocLine], dict[int, int]]:
        out: list[DocLine] = []
        starts: dict[int, int] = {}
        if self.conversation.damaged:
            problems = ", ".join(self.conversation.problems) or "unreadable"
            out.append(DocLine(f"⚠ Parts of this conversation could not be read ({problems}).", "notice"))
        if not self.messages:
            out.append(DocLine("This conversation has no messages.", "notice"))
            return out, starts
        for index, message in enumerate(self.messages):
            starts[index] = len(out)
            if index not in self.expanded:
                collapsed = self._collapsed.get(index)
                if collapsed is None:
                    collapsed = self._collapsed[index] = DocLine(self._collapsed_text(message), "collapsed", index)
                out.append(collapsed)
                continue
            out.extend(self._message_lines(index, message))
            out.append(DocLine("", "blank", index))
        return out, starts

    def _collapsed_text(self, message: Message) -> str:
        who = sender_label(message.from_name, message.from_email, max_chars=40)
        when = compact_date(message.email_date, self.now, raw=message.email_date_raw)
        snippet = message_snippet(message, 120)
        clip = " 📎" if message.attachments else ""
        return f"▸ {who or '(unknown)'} · {when}{clip} · {snippet}"

    def _message_lines(self, index: int, message: Message) -> list[DocLine]:
        parts = self._heads.get(index)
        if parts is None:
            files = [DocLine(self._attachment_text(a), "attachment", index) for a in message.attachments]
            parts = self._heads[index] = (self._head_lines(index, message), files)
        head, files = parts
        lines = list(head)
        if index in self.failed:
            lines.append(DocLine(f"  Could not show this message: {self.failed[index]}", "notice", index))
        body = self.bodies.get(index)
        if body is None and index not in self.failed:
            lines.append(DocLine("  Rendering…", "notice", index))
        elif body is not None:
            unfolded = frozenset(segment for message, segment in self.unfolded if message == index)
            cached = self._body_cache.get(index)
            if cached is None or cached[0] is not body or cached[1] != unfolded:
                cached = self._body_cache[index] = (body, unfolded, self._body_lines(index, body))
            lines.extend(cached[2])
        lines.extend(files)
        return lines

    def _head_lines(self, index: int, message: Message) -> list[DocLine]:
        """Who to whom, when, and the subject if it changed: what stands above a body."""
        lines: list[DocLine] = []
        arrow = {"incoming": "received", "outgoing": "sent"}.get(message.direction, "direction unknown")
        sender = person(message.from_name, message.from_email)
        recipient = person(message.to_name, message.to_email)
        lines.append(DocLine(f"▾ {sender}  →  {recipient}", "header", index))
        meta = f"  {full_date(message.email_date, message.email_date_raw)} · {arrow}"
        if message.incoming and not message.is_read:
            meta += " · unread"
        lines.append(DocLine(meta, "meta", index))
        subject = clean_line(message.subject, max_chars=300)
        if subject and _bare_subject(subject) != _bare_subject(self.conversation.subject):
            lines.append(DocLine(f"  Subject: {subject}", "meta", index))
        lines.append(DocLine("", "blank", index))
        return lines

    def _body_lines(self, index: int, body: BodyView) -> list[DocLine]:
        lines: list[DocLine] = []
        if not body.segments:
            return [DocLine("(no content)", "notice", index)]
        for seg_index, (text, quoted, summary, fold) in enumerate(body.segments):
            if quoted and fold and (index, seg_index) not in self.unfolded:
                count = text.count("\n") + 1
                what = summary or f"({count} quoted line{'s' if count != 1 else ''})"
                lines.append(DocLine(f"··· {what} · z shows", "fold", index, seg_index))
                continue
            kind = "quote" if quoted else "body"
            lines.extend(DocLine(line, kind, index, seg_index) for line in text.split("\n"))
        if body.truncated:
            lines.append(DocLine("… (this message is very large; the rest is not shown)", "notice", index))
        return lines

    @staticmethod
    def _attachment_text(attachment: Attachment) -> str:
        # The sender's name as text (cleaned: it is only shown), and the name it will be saved
        # under when that differs (directory parts, reserved names, hidden dots...).
        from .filenames import display_name, safe_filename, short_type  # (pathvalidate: loaded when needed)

        shown = clean_line(attachment.filename, max_chars=200)
        safe = safe_filename(attachment.filename, attachment_id=attachment.id, content_type=attachment.content_type)
        kind = short_type(attachment.content_type)
        text = f"📎 {display_name(shown or safe)} · {kind} · {human_size(attachment.size)}"
        if shown != safe:
            text += f" · saves as {display_name(safe)}"
        return text
