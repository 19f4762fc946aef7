"""A yes/no question before anything that changes Reachkit: says exactly what will change."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Static

__all__ = ["ConfirmScreen"]


class ConfirmScreen(ModalScreen[bool]):
    """Dismissed with True only by the confirm button or ``y``; ``n``, escape or Cancel say False.

    ``body`` is a ``Content`` built by the caller (server strings inserted as text, never markup).
    """

    BINDINGS = [
        Binding("y", "confirm", "Confirm", id="confirm.yes"),
        Binding("n,escape", "cancel", "Cancel", id="confirm.no"),
        Binding("left,right", "switch_button", "Other button", show=False),
    ]

    def __init__(self, title: str, body: Content, confirm_label: str, *, danger: bool = False) -> None:
        super().__init__()
        self.title_text = title
        self.body = body
        self.confirm_label = confirm_label
        self.danger = danger

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static(Content.styled(self.title_text, "bold"), id="confirm-title")
            yield Static(self.body, id="confirm-body")
            with Horizontal(id="confirm-buttons"):
                yield Button(
                    Content(f"{self.confirm_label}  y"),
                    id="confirm-yes",
                    variant="error" if self.danger else "primary",
                )
                yield Button(Content("Cancel  n"), id="confirm-no")

    def on_mount(self) -> None:
        self.query_one("#confirm-yes", Button).focus()

    @on(Button.Pressed, "#confirm-yes")
    def action_confirm(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#confirm-no")
    def action_cancel(self) -> None:
        self.dismiss(False)

    def action_switch_button(self) -> None:
        yes, no = self.query_one("#confirm-yes", Button), self.query_one("#confirm-no", Button)
        (no if yes.has_focus else yes).focus()
