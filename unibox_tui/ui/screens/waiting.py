"""The waiting queue (``w``): replies nobody has answered yet, the longest wait first.

Each line says how long the lead has waited ("3h 12m"), the label, who and what; hot replies
(interested, meeting requested, question, more info) waiting longer than ``reply_within`` are
highlighted. Replies that need no answer (unsubscribes, "not interested", auto-replies, bounces,
closed conversations) are set apart: counted by reason on the second line, listed under the others
(muted, the reason in the label column) only after ``n``. The API has no "unanswered" filter: the
queue is what the loaded pages and a bounded scan of the folder's first pages show, and the line
under it says how far it looked. ``enter`` goes back to the inbox, on that conversation; ``ctrl+r``
scans again.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Static

from ...domain.waiting import Waiting, summarise
from ...render.formatting import label_name
from ...render.sanitize import clean_line
from ...render.thread import sender_label
from ..widgets.record_table import Cell, Column, RecordTable, Row
from .room import RoomScreen

if TYPE_CHECKING:
    from .inbox_waiting import WaitingQueue

__all__ = ["WaitingScreen"]

COLUMNS = [
    Column("Waited", width=8, align="right"),
    Column("Lead", min_width=12, max_width=28),
    Column("Label", width=14, keep=6),
    Column("Subject", min_width=16, keep=7),
]


def _row(entry: Waiting) -> Row:
    conversation = entry.conversation
    tone = "bad" if entry.urgent else ("warn" if entry.hot else "")
    lead = sender_label(conversation.lead_name, conversation.lead_email) or "(unknown sender)"
    label = clean_line(label_name(entry.label), max_chars=20) if entry.label else "-"
    if entry.apart:  # set apart: muted, and why it needs no answer
        label, tone = entry.apart, "muted"
    subject = clean_line(conversation.subject, max_chars=200) or "(no subject)"
    return Row(
        conversation.id,
        (
            Cell(entry.wait_text, tone or "muted"),
            Cell(lead, "bad" if entry.urgent else ("muted" if entry.apart else "")),
            Cell(label, tone or "muted"),
            Cell(subject, "muted" if entry.apart else ""),
        ),
        data=entry,
    )


class WaitingScreen(RoomScreen):
    """Unanswered replies of the folder on screen, oldest wait first."""

    ROOM = "waiting"
    ROOM_TITLE = "Waiting for you"

    BINDINGS = [
        Binding("enter", "open", "Open in the inbox", id="waiting.open"),
        Binding("n", "toggle_apart", "No-answer ones", id="waiting.apart",
                tooltip="Show or hide the replies that need no answer (unsubscribes, auto-replies, bounces)"),
    ]
    HELP_NOTES = [("ctrl+r", "Scan the folder's first pages again (3 requests at most)")]

    def __init__(self, pane: WaitingQueue) -> None:
        super().__init__()
        self.pane = pane
        #: Whether the replies that need no answer are listed (under the others).
        self.show_apart = False

    def compose_room(self) -> ComposeResult:
        with Vertical(id="room-body"):
            yield Static(id="waiting-reach", classes="room-status")
            yield Static(id="waiting-apart", classes="room-status")
            yield RecordTable(COLUMNS, id="waiting-table", classes="room-table -fill")
            yield Static(id="waiting-status", classes="room-status")

    @property
    def table(self) -> RecordTable:
        return self.query_one("#waiting-table", RecordTable)

    def on_mount(self) -> None:
        self.title = "unibox-tui"
        self.sub_title = f"{self.ROOM_TITLE} · {self.unibox.workspace_label}"
        self.table.focus()
        self.paint()  # the loaded pages, at once; the scan's finds when it is back
        self.pane.scan(force=False, then=self.paint)

    def action_reload(self) -> None:
        """ctrl+r: scan the folder's first pages again now."""
        self.pane.scan(force=True, then=self.paint)

    def paint(self) -> None:
        if not self.is_attached:
            return
        queue = self.pane.queue()
        listed = [w for w in queue if not w.apart] + ([w for w in queue if w.apart] if self.show_apart else [])
        if listed:
            table = self.table
            # On the top row the queue stays on its top (a scan may add longer waits above it).
            top = listed[0].conversation.id if table.cursor == 0 else None
            table.set_rows([_row(entry) for entry in listed], cursor_key=top)
        else:
            self.table.show_message("Nobody is waiting for an answer in what was looked at.")
        self._say_reach(queue)

    def action_toggle_apart(self) -> None:
        """n: list the replies that need no answer under the others, or hide them again."""
        self.show_apart = not self.show_apart
        self.paint()

    def _say_reach(self, queue: list[Waiting]) -> None:
        reach = self.pane.reach()
        summary = summarise(queue)
        within = self.pane.reply_within_text()
        first: list[str | tuple[str, str]] = [f"{summary.waiting} waiting in {reach.folder}, the longest wait first"]
        if summary.urgent:
            first.append(("  ·  ", "$text-muted"))
            first.append((f"{summary.urgent} hot waiting over {within}", "bold $text-error"))
        self.query_one("#waiting-reach", Static).update(Content.assemble(*first))
        apart = self.query_one("#waiting-apart", Static)
        apart.display = bool(summary.apart)
        if summary.apart:
            how = "n hides" if self.show_apart else "n lists"  # listed last; short for 80 columns
            apart.update(Content.styled(f"{summary.apart_text} ({how})", "$text-muted"))
        self.query_one("#waiting-status", Static).update(Content.styled(reach.text, "$text-muted"))

    def _current(self) -> Waiting | None:
        row = self.table.current_row
        return row.data if row is not None and isinstance(row.data, Waiting) else None

    def action_open(self) -> None:
        entry = self._current()
        if entry is not None:
            self.action_back()
            self.pane.go_to(entry.conversation)

    @on(RecordTable.Selected, "#waiting-table")
    def _selected(self, event: RecordTable.Selected) -> None:
        event.stop()
        self.action_open()

    def room_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand("Open in the inbox", "The highlighted conversation, back in the inbox (enter)", self.action_open)
        yield SystemCommand("Scan again", "Look at the folder's first pages again (ctrl+r)", self.action_reload)
        yield SystemCommand("Back to the inbox", "Leave the waiting queue (esc)", self.action_back)

