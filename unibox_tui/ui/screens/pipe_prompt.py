"""``|``: which conversations to pipe, and to which command (one of ``[commands]``, or typed).

A typed command is run without a shell (``|`` and ``>`` in it are plain words) and kept in the
profile's history (``↑``/``↓`` in the prompt). The run itself is ``PipeView``'s.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from ...domain.pipes import PipeCommand, typed_command
from ...domain.triage_service import who
from ...render.sanitize import clean_line

if TYPE_CHECKING:
    from ...api.models import Conversation
    from .inbox import InboxScreen

__all__ = ["PipePrompt", "start_pipe"]

log = logging.getLogger(__name__)


def start_pipe(screen: InboxScreen) -> None:
    """The marked conversations, else the open one, else the highlighted one: to a command."""
    from ...domain.snippet_source import campaign_lead
    from ...store.pipe_history import PipeHistory
    from .pipe_view import PipeView

    model, app = screen.model, screen.unibox
    marked = model.marked()
    row = screen.conversation_list.current_row
    ids = list(marked) or [i for i in (screen.open_id or (row.id if row else None),) if i]
    conversations = [c for c in (model.conversation(i) for i in ids) if c is not None]
    if not conversations:
        app.say("No conversation to pipe: open one, or mark some with m.", timeout=4)
        return
    settings = app.settings
    try:
        history: PipeHistory | None = PipeHistory.for_profile(settings.profile)
    except ValueError:
        history = None
    if history is not None and history.problem:
        app.say(history.problem, title="Pipe", severity="warning")

    def chosen(command: PipeCommand | None) -> None:
        if command is None:
            return

        def remember() -> None:
            if history is not None and command not in settings.commands:  # typed, not configured
                history.add(command.run)

        async def lead_of(conversation: Conversation):  # noqa: ANN202 - Lead | None
            return await campaign_lead(app.lead_finder, conversation)

        app.push_screen(PipeView(command, conversations, marked=bool(marked), pipe_marked=settings.pipe_marked,
                                 api_key=settings.api_key, lead_of=lead_of, remember=remember))

    what = f"{len(conversations)} marked conversations" if marked else who(conversations[0])
    each = "one run each" if settings.pipe_marked != "array" else "one run, a JSON array"
    app.push_screen(PipePrompt(settings.commands, history.entries if history else [], what,
                               each if marked else ""), chosen)


class PipePrompt(ModalScreen[PipeCommand | None]):
    """Returns the command to run (a configured one, or one typed), or ``None``."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="pipe.cancel"),
        Binding("up", "history(1)", "Older command", show=False, id="pipe.history_older"),
        Binding("down", "history(-1)", "Newer command", show=False, id="pipe.history_newer"),
    ]
    HELP_NOTES = [
        ("[commands]", "Configured in config.toml; run without a shell unless shell = true"),
        ("typed", "Run without a shell; ↑/↓ bring back earlier ones (kept per profile)"),
        ("stdin", "The conversation as the API's JSON, plus \"lead\" when known; marked ones: each, or an array"),
    ]

    def __init__(self, commands: Sequence[PipeCommand], history: Sequence[str], what: str, each: str = "") -> None:
        super().__init__()
        self.commands = tuple(commands)
        self.history = list(history)
        self.what = what
        self.each = each
        self._recalled = -1

    def compose(self) -> ComposeResult:
        title = Content.assemble(("Pipe ", "bold"), (clean_line(self.what, max_chars=60), "bold $accent"),
                                 (" to…", "bold"), (f"  ({self.each})" if self.each else "", "$text-muted"))
        with Vertical(id="pipe-prompt", classes="form-box"):
            yield Static(title, classes="form-title")
            if self.commands:
                yield Static(Content.styled("Your [commands] (↑↓ and enter), or type one below:", "$text-muted"))
                yield OptionList(*[Option(self._line(c), id=c.name) for c in self.commands], id="pipe-commands")
            else:
                yield Static(Content.styled("Name commands in config.toml under [commands] to pick them here.",
                                            "$text-muted"))
            yield Input(placeholder="type a command (run without a shell) · ↑ earlier ones", id="pipe-typed")
            yield Static(Content.styled("enter runs · tab switches · esc cancels", "$text-muted"), classes="form-help")

    @staticmethod
    def _line(command: PipeCommand) -> Content:
        notes = [note for flag, note in ((command.shell, "shell"), (command.each is False, "array"),
                                         (command.each is True, "each")) if flag]
        return Content.assemble((clean_line(command.name, max_chars=30), "bold"), "  ",
                                (clean_line(command.run, max_chars=60), "$text-muted"),
                                (f"  ({', '.join(notes)})" if notes else "", "$text-muted"))

    def on_mount(self) -> None:
        (self.query_one(OptionList) if self.commands else self.query_one(Input)).focus()

    def on_key(self, event: events.Key) -> None:
        """Typing while the list has focus goes to the command line (a letter is not a list key)."""
        if self.commands and self.query_one(OptionList).has_focus and event.is_printable and event.character:
            event.stop()
            field = self.query_one(Input)
            field.focus()
            field.insert_text_at_cursor(event.character)

    def action_history(self, step: int) -> None:
        field = self.query_one(Input)
        if not field.has_focus or not self.history:
            if self.commands:
                options = self.query_one(OptionList)
                options.action_cursor_up() if step > 0 else options.action_cursor_down()
            return
        self._recalled = max(-1, min(len(self.history) - 1, self._recalled + step))
        field.value = self.history[self._recalled] if self._recalled >= 0 else ""
        field.cursor_position = len(field.value)

    @on(Input.Submitted, "#pipe-typed")
    def _typed(self, event: Input.Submitted) -> None:
        event.stop()
        if event.value.strip():
            self.dismiss(typed_command(event.value))

    @on(OptionList.OptionSelected, "#pipe-commands")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(next(c for c in self.commands if c.name == event.option.id))

    def action_cancel(self) -> None:
        self.dismiss(None)
