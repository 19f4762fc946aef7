"""The small form that adds an address or a whole ``@domain`` to the blocklist."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from ...render.rooms import block_entry_error, normalise_block_entry

__all__ = ["AddBlockScreen"]


class AddBlockScreen(ModalScreen[str | None]):
    """Dismissed with the normalised entry (``jane@acme.io`` or ``@acme.io``) or None."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="block_add.cancel")]

    def __init__(self, value: str = "") -> None:
        super().__init__()
        self.value = value

    def compose(self) -> ComposeResult:
        with Vertical(id="block-add-box", classes="form-box"):
            yield Static(Content.styled("Add to the blocklist", "bold"), classes="form-title")
            yield Static(
                Content.styled(
                    "Reachkit sends nothing to a blocked address; @acme.io blocks everyone at acme.io.",
                    "$text-muted",
                ),
                classes="form-help",
            )
            yield Input(self.value, placeholder="jane@acme.io or @acme.io", id="block-value", max_length=254)
            yield Static(id="block-error", classes="form-error")
            with Horizontal(classes="form-buttons"):
                yield Button(Content("Block  enter"), id="block-yes", variant="error")
                yield Button(Content("Cancel  esc"), id="block-no")

    def on_mount(self) -> None:
        self.query_one("#block-value", Input).focus()

    @on(Input.Changed, "#block-value")
    def _changed(self, event: Input.Changed) -> None:
        # Say what is wrong only once it could be right: not on the first keystroke.
        problem = block_entry_error(event.value) if "@" in event.value and "." in event.value.split("@")[-1] else ""
        self.query_one("#block-error", Static).update(Content(problem))

    @on(Input.Submitted, "#block-value")
    @on(Button.Pressed, "#block-yes")
    def _submit(self) -> None:
        value = self.query_one("#block-value", Input).value
        entry = normalise_block_entry(value)
        if entry is None:
            self.query_one("#block-error", Static).update(Content(block_entry_error(value)))
            return
        self.dismiss(entry)

    @on(Button.Pressed, "#block-no")
    def action_cancel(self) -> None:
        self.dismiss(None)
