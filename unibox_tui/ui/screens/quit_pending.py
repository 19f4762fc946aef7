"""Quitting while a reply counts down or is in flight: send now, keep it as a draft, or stay."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from ...domain.reply_session import Mode

if TYPE_CHECKING:
    from ...clock import Clock
    from ...domain.reply_session import ReplySession

__all__ = ["QuitPendingScreen"]


def _line(session: ReplySession) -> Content:
    if session.mode == Mode.COUNTDOWN:
        state = f"would leave in {session.countdown_left()} s (paused while you choose)"
    else:
        state = "being sent: waiting for the server's answer"
    return Content.assemble("• your reply to ", (session.lead, "bold"), f": {state}")


class QuitPendingScreen(ModalScreen[str | None]):
    """Dismissed with "send", "keep", or ``None`` (do not quit)."""

    BINDINGS = [
        Binding("s", "choose('send')", "Send now", id="quit_pending.send"),
        Binding("k", "choose('keep')", "Keep as draft", id="quit_pending.keep"),
        Binding("escape,c", "choose('')", "Cancel", id="quit_pending.cancel"),
        Binding("left,right", "switch_button", "Other button", show=False),
    ]

    def __init__(self, sessions: list[ReplySession], clock: Clock) -> None:
        super().__init__()
        self.sessions = sessions
        self.clock = clock

    def compose(self) -> ComposeResult:
        noun = "A reply is" if len(self.sessions) == 1 else f"{len(self.sessions)} replies are"
        with Vertical(id="quit-box"):
            yield Static(Content.styled(f"{noun} still on its way", "bold"), id="quit-title")
            yield Static(Content("\n").join(_line(s) for s in self.sessions), id="quit-list")
            yield Static(
                Content.styled(
                    "Send now: what is counting down leaves at once. Keep as draft: the countdown stops "
                    "and the text stays a draft. Either way, a reply already in flight gets a few seconds "
                    "for the server's answer (if none comes, it is checked at the next start).",
                    "$text-muted",
                ),
                id="quit-help",
            )
            with Horizontal(id="quit-buttons"):
                yield Button(Content("Send now  s"), id="quit-send", variant="primary")
                yield Button(Content("Keep as draft  k"), id="quit-keep")
                yield Button(Content("Cancel  esc"), id="quit-cancel")

    def on_mount(self) -> None:
        self.query_one("#quit-cancel", Button).focus()
        self.set_interval(0.5, self._redraw)

    def _redraw(self) -> None:
        self.query_one("#quit-list", Static).update(Content("\n").join(_line(s) for s in self.sessions))

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_choose({"quit-send": "send", "quit-keep": "keep"}.get(event.button.id or "", ""))

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice or None)

    def action_switch_button(self) -> None:
        buttons = list(self.query(Button))
        focused = next((i for i, b in enumerate(buttons) if b.has_focus), 0)
        buttons[(focused + 1) % len(buttons)].focus()
