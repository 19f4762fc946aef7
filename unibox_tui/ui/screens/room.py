"""What every room next to the inbox shares: header and footer, escape back, ctrl+r reload, errors."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Header
from textual.worker import Worker, WorkerState

from ..widgets.key_bar import KeyBar

if TYPE_CHECKING:
    from ...api.client import ReachkitClient
    from ..app import UniboxApp

__all__ = ["RoomScreen"]


class RoomScreen(Screen[None]):
    """A screen pushed over the inbox; escape pops it and the inbox is exactly as it was left."""

    #: The key ``UniboxApp.open_room`` knows this room by, and its title.
    ROOM: ClassVar[str] = ""
    ROOM_TITLE: ClassVar[str] = ""

    #: The room's main table has the keys when it opens (not, say, the blocklist's filter).
    AUTO_FOCUS = "RecordTable"

    BINDINGS = [
        Binding("escape", "back", "Back", id="room.back", tooltip="Leave this room"),
        Binding("ctrl+r", "reload", "Reload", id="room.reload", tooltip="Load this room again"),
    ]
    PALETTE_NAMES = {"room.back": "Back to the inbox"}

    @property
    def unibox(self) -> UniboxApp:
        return self.app  # type: ignore[return-value]

    @property
    def client(self) -> ReachkitClient | None:
        return self.unibox.client

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="✉")
        yield from self.compose_room()
        yield KeyBar()

    def compose_room(self) -> ComposeResult:
        """The room's own widgets, between the header and the footer."""
        yield from ()

    def on_mount(self) -> None:
        self.title = "unibox-tui"
        self.sub_title = f"{self.ROOM_TITLE} · {self.unibox.workspace_label}"
        if self.client is None:
            self.show_no_client()
            return
        self.action_reload()

    def show_no_client(self) -> None:
        """No key: the room cannot load anything (the inbox explains how to log in)."""

    def action_reload(self) -> None:
        """Load (or load again) everything the room shows."""

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        # Workers catch the errors they expect; anything else is reported, never a crash.
        if event.state == WorkerState.ERROR:
            self.unibox.show_error(event.worker.error, event.worker.description or self.ROOM_TITLE)
