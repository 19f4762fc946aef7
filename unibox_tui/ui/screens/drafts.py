"""The Drafts room: every reply not sent yet, newest first; enter reopens it in its conversation."""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ...render.compose import split_trailing_quote
from ...render.sanitize import clean_line
from ...render.thread import person
from ...store.drafts import DELIVERY_UNKNOWN, SENDING, Draft, DraftError

if TYPE_CHECKING:
    from ..app import UniboxApp

__all__ = ["DraftsScreen", "draft_prompt", "open_drafts"]

#: Pressing delete twice within this many seconds removes a draft.
CONFIRM_SECONDS = 4.0


def _age(updated_at: float, now: float) -> str:
    """``just now``, ``12 min ago``, ``3 h ago``, ``4 d ago``."""
    seconds = max(0.0, now - updated_at)
    if seconds < 45:
        return "just now"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min ago"
    hours = round(minutes / 60)
    return f"{hours} h ago" if hours < 48 else f"{round(hours / 24)} d ago"


def draft_prompt(draft: Draft, now: float) -> Content:
    """Two lines: lead · subject · age, then the state and the first words."""
    lead = person(draft.to_name, draft.to_email, max_chars=60) if (draft.to_name or draft.to_email) else "(unknown lead)"
    subject = clean_line(draft.subject, max_chars=120) or "(no subject)"
    words = clean_line(split_trailing_quote(draft.text)[0], max_chars=70) or "(only a quote)"
    if draft.state == DELIVERY_UNKNOWN:
        state: tuple[str, str] = ("delivery unknown · ", "bold $error")
    elif draft.state == SENDING:
        state = ("sending interrupted · ", "bold $warning")
    elif draft.note:
        state = ("not sent · ", "bold $warning")
    else:
        state = ("", "")
    return Content.assemble(
        (lead, "bold"),
        ("  ", ""),
        subject,
        ("  ·  " + _age(draft.updated_at, now), "$text-muted"),
        "\n  ",
        state,
        (words, "$text-muted"),
    )


class DraftsScreen(ModalScreen[str | None]):
    """A list of drafts; dismisses with the conversation id to reopen, or ``None``."""

    BINDINGS = [
        Binding("escape,q", "dismiss(None)", "Close", id="drafts.close"),
        Binding("enter", "open", "Open", id="drafts.open"),
        Binding("d,delete", "delete", "Delete", id="drafts.delete"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.drafts: list[Draft] = []
        self._armed: tuple[str, float] | None = None

    @property
    def unibox(self) -> UniboxApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        with Vertical(id="drafts-body"):
            yield Static(Content.styled("Drafts", "bold"), id="drafts-title")
            yield Static(id="drafts-notice")
            yield OptionList(id="drafts-list")
            yield Static(
                Content.styled("enter reopens · d twice deletes · esc closes", "$text-muted"),
                id="drafts-hint",
            )

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()
        self._load()

    @work(exclusive=True, group="drafts", exit_on_error=False, description="Reading drafts")
    async def _load(self) -> None:
        store = self.unibox.drafts
        drafts = await asyncio.to_thread(store.list)
        self._show(drafts, store.take_problems())

    def _show(self, drafts: list[Draft], problems: list[str]) -> None:
        self.drafts = drafts
        listing = self.query_one(OptionList)
        highlighted = listing.highlighted
        listing.clear_options()
        now = time.time()
        listing.add_options(Option(draft_prompt(draft, now)) for draft in drafts)
        if drafts:
            listing.highlighted = min(highlighted or 0, len(drafts) - 1)
        notice = self.query_one("#drafts-notice", Static)
        lines = [Content.styled(clean_line(p, max_chars=300), "$text-warning") for p in problems]
        if not drafts:
            lines.append(Content.styled("No drafts. A reply you start and close (esc) waits here.", "$text-muted"))
        notice.update(Content("\n").join(lines))
        notice.display = bool(lines)

    def _current(self) -> Draft | None:
        index = self.query_one(OptionList).highlighted
        if index is None or not 0 <= index < len(self.drafts):
            return None
        return self.drafts[index]

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        draft = self._current()
        if draft is not None:
            self.dismiss(draft.conversation_id)

    def action_delete(self) -> None:
        draft = self._current()
        if draft is None:
            return
        now = time.monotonic()
        if self._armed is None or self._armed[0] != draft.conversation_id or now - self._armed[1] > CONFIRM_SECONDS:
            self._armed = (draft.conversation_id, now)
            warning = " It may already have been sent: this only forgets the draft." if draft.pending else ""
            self.unibox.say(f"Press d again to delete this draft.{warning}", title="Delete draft", severity="warning")
            return
        self._armed = None
        try:
            self.unibox.drafts.delete(draft.conversation_id, revision=draft.revision + 1)
        except DraftError as error:
            self.unibox.say(str(error), title="Delete draft", severity="error")
            return
        self.unibox.say("Draft deleted.", title="Drafts")
        self._load()


def open_drafts(app: UniboxApp) -> None:
    """Show the Drafts room; choosing one reopens its conversation with the composer."""

    def reopen(conversation_id: str | None) -> None:
        reply_to = getattr(app.screen, "reply_to", None)
        if conversation_id and callable(reply_to):
            reply_to(conversation_id)
        counter = getattr(app.screen, "count_drafts", None)
        if callable(counter):
            counter()

    if not isinstance(app.screen, DraftsScreen):
        app.push_screen(DraftsScreen(), reopen)
