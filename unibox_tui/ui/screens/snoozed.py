"""The Snoozed view (the folder bar's "Snoozed N"): every snoozed conversation, the next to wake first.

``h`` changes the highlighted one's wake-up time, ``H`` wakes it now (back atop its folder),
``enter`` opens it in the inbox (it stays snoozed), ``esc`` goes back. Snoozes live on this
machine, so the view works offline; conversations no loaded page holds are fetched to name them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Static

from ...domain.followups import SnoozedEntry
from ...render.formatting import compact_date
from ...render.sanitize import clean_line
from ...render.thread import sender_label
from ..widgets.record_table import Cell, Column, RecordTable, Row
from .room import RoomScreen

if TYPE_CHECKING:
    from .inbox_followups import InboxFollowups

__all__ = ["SnoozedScreen"]

COLUMNS = [
    Column("Wakes", width=20),
    Column("Lead", min_width=12, max_width=28),
    Column("Subject", min_width=16, keep=8),
    Column("Snoozed", width=8, align="right", keep=6),
    Column("For", min_width=14, max_width=36, keep=5),
]


def _row(entry: SnoozedEntry, now: datetime) -> Row:
    conversation = entry.conversation
    if conversation is None:
        lead, subject = Cell("(not loaded)", "muted"), Cell("", "muted")
    else:
        lead = Cell(sender_label(conversation.lead_name, conversation.lead_email) or "(unknown sender)")
        subject = Cell(clean_line(conversation.subject, max_chars=200) or "(no subject)")
    why = clean_line(entry.snooze.reason, max_chars=60)
    since = compact_date(entry.snooze.snoozed_at, now)
    cells = (Cell(entry.wakes, "accent"), lead, subject, Cell(since, "muted"), Cell(why, "muted"))
    return Row(entry.snooze.conversation_id, cells)


class SnoozedScreen(RoomScreen):
    """The snoozed conversations of this workspace, with their wake-up times."""

    ROOM = "snoozed"
    ROOM_TITLE = "Snoozed"

    BINDINGS = [
        Binding("h", "change", "Change wake-up time", id="snoozed.change"),
        Binding("H", "wake", "Wake now", id="snoozed.wake"),
        Binding("enter", "open", "Open", id="snoozed.open"),
    ]

    def __init__(self, pane: InboxFollowups) -> None:
        super().__init__()
        self.pane = pane

    def compose_room(self) -> ComposeResult:
        with Vertical(id="room-body"):
            yield RecordTable(COLUMNS, id="snoozed-table", classes="room-table -fill")
            yield Static(id="snoozed-status", classes="room-status")

    @property
    def table(self) -> RecordTable:
        return self.query_one("#snoozed-table", RecordTable)

    def on_mount(self) -> None:
        self.title = "unibox-tui"
        self.sub_title = f"{self.ROOM_TITLE} · {self.unibox.workspace_label}"
        self.table.focus()
        self.action_reload()

    def action_reload(self) -> None:
        """Snoozes are on this machine (shown offline too); conversations not loaded are fetched to name them."""
        self.paint()
        self.pane.name_snoozed(then=self.paint)

    def paint(self) -> None:
        """The list as the store has it now (called again when names arrive or a snooze changes)."""
        if not self.is_attached:
            return
        entries = self.pane.service.snoozed()
        if entries:
            now = self.unibox.clock.now()
            self.table.set_rows([_row(entry, now) for entry in entries])
        else:
            self.table.show_message("Nothing is snoozed. In the inbox, h snoozes the highlighted conversation.")
        count = len(entries)
        noun = "conversation" if count == 1 else "conversations"
        self.query_one("#snoozed-status", Static).update(
            Content.assemble(
                f"{count} snoozed {noun}, next to wake first",
                # The footer names h, H and esc; this says what it cannot, short enough for 80 columns.
                (" · enter opens it (still snoozed)", "$text-muted"),
            )
        )

    def _current(self) -> str | None:
        row = self.table.current_row
        return row.key if row is not None else None

    def action_change(self) -> None:
        conversation_id = self._current()
        if conversation_id is not None:
            self.pane.change_snooze(conversation_id, self.paint)

    def action_wake(self) -> None:
        conversation_id = self._current()
        if conversation_id is not None:
            self.pane.wake_now(conversation_id)
            self.paint()

    def action_open(self) -> None:
        conversation_id = self._current()
        if conversation_id is not None:
            self.action_back()
            self.pane.open_elsewhere(conversation_id)

    @on(RecordTable.Selected, "#snoozed-table")
    def _selected(self, event: RecordTable.Selected) -> None:
        event.stop()
        self.action_open()

    def room_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand("Change wake-up time", "A new time for the highlighted snooze (h)", self.action_change)
        yield SystemCommand("Wake now", "Bring the highlighted conversation back now (H)", self.action_wake)
        yield from super().room_commands()
