"""Above the thread: subject, lead, label, status and message count of the open conversation."""

from __future__ import annotations

from collections.abc import Callable

from textual.content import Content
from textual.widget import Widget

from ...api.models import Conversation
from ...render.formatting import label_name
from ...render.sanitize import clean_line
from ...render.thread import person

__all__ = ["ThreadHeader"]

SUBJECT_LINES = 2


class ThreadHeader(Widget):
    """Two lines that say what is open; every server string cleaned and shown as text."""

    DEFAULT_CSS = """
    ThreadHeader {
        height: auto;
        max-height: 4;
        padding: 0 1;
        background: $panel;
    }
    """

    def __init__(self, *, id: str | None = None, notes: Callable[[str], str] | None = None) -> None:
        super().__init__(id=id)
        #: Follow-up words for a conversation ("back 14 Dec", "snoozed until tomorrow 9:00"): our own.
        self.notes = notes
        self.conversation: Conversation | None = None
        self.local_label: str | None = None
        self.note = ""
        self._height = -1

    def show(self, conversation: Conversation | None, *, local_label: str | None = None, note: str = "") -> None:
        self.conversation = conversation
        self.local_label = local_label
        self.note = note
        # A new layout of the whole screen only when the header's height changes (a one-line
        # subject after a two-line one): following the cursor must not re-lay out every step.
        height = self._lines_needed()
        self.refresh(layout=height < 0 or height != self._height)
        self._height = height

    def _lines_needed(self) -> int:
        if self.conversation is None:
            return 0
        width = self.content_region.width
        if width <= 0:
            return -1
        return min(SUBJECT_LINES, len(_subject(self.conversation).wrap(width))) + 2

    def on_resize(self) -> None:
        self._height = -1  # the subject may wrap differently now

    def render(self) -> Content:
        conversation = self.conversation
        if conversation is None:
            return Content("")
        width = max(10, self.content_region.width or self.size.width)
        lead = person(conversation.lead_name, conversation.lead_email)
        count = len(conversation.messages)
        status = clean_line(conversation.status, max_chars=20) or "open"
        facts: list[str | tuple[str, str]] = [
            (f"{count} message{'s' if count != 1 else ''} · {status}", "$text-muted")
        ]
        label = self.local_label or conversation.effective_label
        if label:
            manual = bool(self.local_label or conversation.label_override)
            tag = clean_line(label_name(label), max_chars=30)
            where = " (local)" if self.local_label else ("" if manual else " (AI)")
            facts.append(("  ·  ", "$text-muted"))
            facts.append((f"{tag}{where}", "bold $text-success" if manual else "italic $text-secondary"))
        if self.note:
            facts.append(("  ·  " + clean_line(self.note, max_chars=60), "$text-warning"))
        # Each fact cut to the width, the subject to two lines: a 10,000-character subject must
        # not push the sender or the thread off the screen.
        return Content("\n").join(
            [
                self._subject_lines(_subject(conversation)),
                self._lead_line(conversation, lead).truncate(width, ellipsis=True),
                Content.assemble(*facts).truncate(width, ellipsis=True),
            ]
        )

    def _lead_line(self, conversation: Conversation, lead: str) -> Content:
        """The lead, then follow-up news in our own words ("back 14 Dec", "snoozed until …")."""
        followup = self.notes(conversation.id) if self.notes is not None and conversation.id else ""
        if not followup:
            return Content.styled(lead, "$accent")
        return Content.assemble((lead, "$accent"), ("  ·  " + clean_line(followup, max_chars=80), "bold $text-accent"))

    def _subject_lines(self, styled: Content) -> Content:
        """The subject on at most two lines: a longer one must not push the sender out of view."""
        width = self.content_region.width
        if width <= 0:
            return styled
        lines = styled.wrap(width)
        if len(lines) <= SUBJECT_LINES:
            return styled
        last = Content.assemble(lines[SUBJECT_LINES - 1], " ", *lines[SUBJECT_LINES:SUBJECT_LINES + 1])
        return Content("\n").join([*lines[: SUBJECT_LINES - 1], last.truncate(width, ellipsis=True)])


def _subject(conversation: Conversation) -> Content:
    """The subject as shown: cleaned, bold, "(no subject)" when there is none."""
    return Content.styled(clean_line(conversation.subject, max_chars=300) or "(no subject)", "bold")
