"""The inbox model, drawn: each change it announces goes to the widgets that show it.

The list, the status line and the folder bar only get data here; the thread pane and the triage
keys are told about the changes that concern them. Nothing here decides anything.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...domain.inbox_model import ChangeKind, InboxModel, ModelChange
from ...render.formatting import label_name
from .inbox_pages import OTHERS_HINT

if TYPE_CHECKING:
    from .inbox import InboxScreen

__all__ = ["InboxView"]


class InboxView:
    """Subscribed to the inbox model; draws what changed, and only that."""

    def __init__(self, screen: InboxScreen, model: InboxModel) -> None:
        self.screen = screen
        self.model = model
        #: The model's cursor when the list was last put on it: a change of marks alone must
        #: not pull the list's cursor back to a model cursor that has not caught up yet.
        self._cursor_shown: str | None = None
        model.subscribe(self.changed)

    def changed(self, change: ModelChange) -> None:
        kind = change.kind
        if kind is ChangeKind.PAGE:
            self._page_shown()
        elif kind is ChangeKind.POSITION:
            self._show_position()
        elif kind in (ChangeKind.ROWS, ChangeKind.CONTENT):
            self._rows_changed(change.ids)
            self.screen.thread.changed(change.ids, content=kind is ChangeKind.CONTENT)
        elif kind is ChangeKind.COUNTS:
            counts = self.model.counts()
            self.screen.status.unread, self.screen.status.to_triage = counts.unread, counts.to_triage
        elif kind is ChangeKind.FOLDERS:
            self._show_folder_counts(change.ids)
        elif kind is ChangeKind.SELECTION:
            self._rows_changed(change.ids)  # (a mark is drawn on its row)
            self.screen.status.marked = len(self.model.marked())
            if self.model.cursor_id != self._cursor_shown:
                self.show_selection()

    def _page_shown(self) -> None:
        screen, model = self.screen, self.model
        listing = screen.conversation_list
        if model.rows:
            listing.set_rows(model.rows, cursor=model.cursor_id or 0)
        else:
            listing.show_message(screen.loader.empty_text())
            screen.thread.clear("Nothing to read here.")
        screen.status.filter = label_name(model.label_filter) if model.label_filter else ""
        self._show_position()
        screen.triage_keys.page_shown()

    def _show_position(self) -> None:
        counts, status = self.model.counts(), self.screen.status
        status.page, status.total_pages, status.total_count = counts.page, counts.total_pages, counts.total_count
        status.search = counts.search
        status.unread, status.to_triage = counts.unread, counts.to_triage

    def _rows_changed(self, ids: frozenset[str]) -> None:
        listing = self.screen.conversation_list
        changed = []
        for conversation_id in ids:
            row, index = self.model.row(conversation_id), listing.index_of(conversation_id)
            if row is not None and index >= 0 and listing.rows[index] != row:
                changed.append(row)
        listing.update_rows(changed)

    def _show_folder_counts(self, folders: frozenset[str]) -> None:
        folder_bar = self.screen.folder_bar
        for folder in folders:
            count = self.model.folder_counts.get(folder)
            folder_bar.set_count(folder, count)
            if folder == "others":
                folder_bar.set_hint("others", OTHERS_HINT if count == 0 else "")

    def select(self, conversation_id: str) -> None:
        """Move the cursor (the model's, and the list's even if it had drifted) to a conversation."""
        self.model.select(conversation_id)
        self.show_selection()

    def show_selection(self) -> None:
        """The list's cursor on the model's (when it is not there already)."""
        listing, wanted = self.screen.conversation_list, self.model.cursor_id
        self._cursor_shown = wanted
        current = listing.current_row
        if wanted is not None and (current is None or current.id != wanted):
            index = listing.index_of(wanted)
            if index >= 0:
                listing.cursor = index
