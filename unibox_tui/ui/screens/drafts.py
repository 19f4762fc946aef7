"""The Drafts room: every reply of this workspace not sent yet, newest first; enter reopens it."""

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

from ...domain.reply_session import Mode
from ...render.compose import split_trailing_quote
from ...render.sanitize import clean_line
from ...render.thread import person
from ...store.drafts import DELIVERY_UNKNOWN, SENDING, Draft, DraftError

if TYPE_CHECKING:
    from ...domain.reply_session import ReplySession
    from ...domain.workspace import Workspace
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


def _state(draft: Draft, session: ReplySession | None) -> tuple[str, str]:
    """What became of the draft's last attempt: the live session's word, else the file's."""
    mode = session.mode if session is not None else None
    if mode == Mode.COUNTDOWN:
        return (f"sending in {session.countdown_left()} s · ", "bold $warning")  # type: ignore[union-attr]
    if mode == Mode.SENDING:
        return ("sending · ", "bold $warning")
    if mode == Mode.CHECKING:
        return ("checking delivery · ", "bold $warning")
    if draft.state == DELIVERY_UNKNOWN or mode == Mode.UNKNOWN:
        checks = f" ({draft.checks} checks)" if draft.checks > 1 else ""
        return (f"delivery unknown{checks} · ", "bold $error")
    if draft.state == SENDING:
        return ("sending interrupted · ", "bold $warning")
    if draft.note:
        return ("not sent · ", "bold $warning")
    return ("", "")


def draft_prompt(draft: Draft, now: float, session: ReplySession | None = None) -> Content:
    """Two lines: lead · subject · age, then the state and the first words."""
    lead = person(draft.to_name, draft.to_email, max_chars=60) if (draft.to_name or draft.to_email) else "(unknown lead)"
    subject = clean_line(draft.subject, max_chars=120) or "(no subject)"
    words = clean_line(split_trailing_quote(draft.text)[0], max_chars=70) or "(only a quote)"
    state = _state(draft, session)
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
    """The drafts of one workspace; dismisses with the conversation id to reopen, or ``None``."""

    BINDINGS = [
        Binding("escape,q", "dismiss(None)", "Close", id="drafts.close"),
        Binding("enter", "open", "Open", id="drafts.open"),
        Binding("d,delete", "delete", "Delete", id="drafts.delete"),
    ]

    def __init__(self, workspace: Workspace) -> None:
        super().__init__()
        self.workspace = workspace
        self.drafts: list[Draft] = []
        self._armed: tuple[str, float] | None = None

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
        store = self.workspace.drafts
        drafts = await asyncio.to_thread(store.list)
        self._show(drafts, store.take_problems())

    def _live(self, draft: Draft) -> tuple[Draft, ReplySession | None]:
        """The draft as its live session has it (typed, not yet saved; counting down...)."""
        session = self.workspace.sessions.get(draft.conversation_id)
        return (session.draft, session) if session is not None else (draft, None)

    def _show(self, drafts: list[Draft], problems: list[str]) -> None:
        live = [self._live(draft) for draft in drafts]
        self.drafts = drafts = [draft for draft, _ in live]
        listing = self.query_one(OptionList)
        highlighted = listing.highlighted
        listing.clear_options()
        now = time.time()
        listing.add_options(Option(draft_prompt(draft, now, session)) for draft, session in live)
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
            self._say(f"Press d again to delete this draft.{warning}", "Delete draft", "warning")
            return
        self._armed = None
        self.workspace.sessions.discard(draft.conversation_id)  # its countdown or rechecks end with it
        try:
            self.workspace.drafts.delete(draft.conversation_id, revision=draft.revision + 1)
        except DraftError as error:
            self._say(str(error), "Delete draft", "error")
            return
        self._say("Draft deleted.", "Drafts")
        self._load()

    def _say(self, text: str, title: str, severity: str = "information") -> None:
        self.notify(clean_line(text, max_chars=400), title=title, severity=severity, markup=False)  # type: ignore[arg-type]


def open_drafts(app: UniboxApp) -> None:
    """Show the current workspace's Drafts room; choosing one reopens its conversation with the composer."""
    from .inbox import InboxScreen

    def reopen(conversation_id: str | None) -> None:
        inbox = app.screen if isinstance(app.screen, InboxScreen) else None
        if inbox is None:
            return
        if conversation_id:
            inbox.reply_to(conversation_id)
        inbox.count_drafts()

    if not isinstance(app.screen, DraftsScreen):
        app.push_screen(DraftsScreen(app.workspace), reopen)
