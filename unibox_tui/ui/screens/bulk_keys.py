"""Marks and bulk actions in the inbox: ``m``/``M``/``esc``, and the triage keys on every marked row.

The work is the domain's: ``Batch`` (domain/triage_batch.py) shows every change at once, sends
the requests paced through the ``TriageService`` and is one undo entry. Here: which rows a key
marks, the progress in the status line, the words at the end, and the conversations the server
refused, which stay marked so the same key can try them again.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from textual.app import SystemCommand
from textual.binding import Binding
from textual.content import Content
from textual.markup import escape

from ...domain.bulk import NAMES_IN_SUMMARY, BulkChange, BulkKind, Outcome
from ...domain.triage import actionable, block_targets
from ...domain.triage_batch import Batch
from ...render.sanitize import clean_line
from ..keys import bound_key, display_keys

if TYPE_CHECKING:
    from ...domain.inbox_model import InboxModel
    from ...domain.triage_service import TriageService
    from .inbox import InboxScreen

__all__ = ["BULK_BINDINGS", "BulkKeys"]

BULK_BINDINGS = [
    Binding("m", "toggle_mark", "Mark / unmark (then down)", show=False, id="bulk.mark",
            tooltip="Mark the highlighted conversation for a bulk action"),
    Binding("M", "mark_page", "Mark every conversation shown", show=False, id="bulk.mark_page",
            tooltip="Mark every conversation the page and filter show"),
]

HELP_NOTES: list[tuple[str, str]] = [
    ("esc", "Clear the marks (before esc's other meanings: filter, search)"),
    ("with marks", "1-9, l, a, 0, N and B act on every marked conversation: shown at once, sent 5 a"
     " second, a progress line below the list; u undoes the whole batch."),
    ("refused", "Conversations the server refused stay marked: press the key again to retry them."),
    ("N on marks", "Marks them all read if any is unread, else all unread."),
    ("M", "Marks every row the page (and the label filter) shows; when all are marked, unmarks them."),
]


class BulkKeys:
    """What ``m``, ``M`` and the triage keys do while conversations are marked."""

    BINDINGS = BULK_BINDINGS
    HELP_NOTES = HELP_NOTES

    def __init__(self, screen: InboxScreen, service: TriageService, model: InboxModel) -> None:
        self.screen = screen
        self.service = service
        self.model = model
        #: The batch running now, else the last one (its report stays until the next).
        self.last: Batch | None = None

    def _say(self, text: str, **kwargs: object) -> None:
        self.screen.unibox.say(text, **kwargs)  # type: ignore[arg-type]

    @property
    def active(self) -> bool:
        """Conversations are marked: the triage keys act on them."""
        return bool(self.model.marked())

    @property
    def running(self) -> bool:
        return self.last is not None and not self.last.finished

    # -- marking ------------------------------------------------------------------------------------

    def toggle_mark(self) -> None:
        """Mark or unmark the row under the cursor, then move down one (as mail clients do)."""
        listing = self.screen.conversation_list
        row = listing.current_row
        if row is None or not actionable(row.id):
            return
        self.model.toggle_mark(row.id)
        if listing.cursor < len(listing.rows) - 1:  # never past the edge: that would load a page
            listing.cursor += 1

    def mark_page(self) -> None:
        """Mark every row shown (page and filter); when all are marked already, unmark them."""
        shown = [row.id for row in self.model.rows if actionable(row.id)]
        if not shown:
            return
        if all(self.model.is_marked(i) for i in shown):
            self.model.unmark(*shown)
            return
        self.model.mark(*shown)

    def clear_marks(self) -> bool:
        """Escape's first job; ``True`` if there were marks."""
        if not self.active:
            return False
        self.model.clear_marks()
        return True

    # -- the triage keys on marks ---------------------------------------------------------------------

    def label(self, label: str | None) -> None:
        self.start(BulkChange(BulkKind.LABEL, label=label) if label else BulkChange(BulkKind.CLEAR_LABEL))

    def accept_label(self) -> None:
        self.start(BulkChange(BulkKind.ACCEPT_AI))

    def toggle_read(self) -> None:
        """Read if any marked one is unread, else all unread: one key, the likelier wish."""
        shown = [self.model.conversation(i) for i in self.model.marked()]
        unread = any(c is not None and c.unread for c in shown)
        self.start(BulkChange(BulkKind.READ if unread else BulkKind.UNREAD))

    def pick_label(self) -> None:
        from .label_picker import CLEAR, LabelPicker

        keys = self.screen.unibox.settings.keys
        count = len(self.model.marked())
        picker = LabelPicker(who=f"{count} marked", keymap=keys, clear_key=keys.get("triage.clear_label", "0"))

        def picked(choice: str | None) -> None:
            if choice is not None:
                self.label(None if choice == CLEAR else choice)

        self.screen.app.push_screen(picker, picked)

    def block(self) -> None:
        """Block every marked conversation's sender (addresses only), after a confirmation."""
        from .confirm import ConfirmScreen

        addresses = []
        for conversation_id in self.model.marked():
            conversation = self.model.conversation(conversation_id)
            address = block_targets(conversation.lead_email).address if conversation is not None else None
            if address and address not in addresses:
                addresses.append(address)
        if not addresses:
            self._say("None of the marked conversations has a sender address that can be blocked.", severity="warning")
            return
        shown = ", ".join(clean_line(a, max_chars=60) for a in addresses[:5]) + (" …" if len(addresses) > 5 else "")
        body = Content.assemble(
            f"Put {len(addresses)} sender address{'es' if len(addresses) != 1 else ''} on your Reachkit blocklist: ",
            (shown, "bold"),
            "\n\nWhole domains are blocked one conversation at a time (B without marks). u undoes it.",
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self.start(BulkChange(BulkKind.BLOCK), block_value=lambda c: block_targets(c.lead_email).address)

        self.screen.app.push_screen(ConfirmScreen("Block senders", body, "Block", danger=True), answered)

    # -- running a batch --------------------------------------------------------------------------------

    def start(self, change: BulkChange, **options: object) -> None:
        if self.running:
            self._say(f"A bulk action is still running ({self.last.progress_line()}); u stops and undoes it.",  # type: ignore[union-attr]
                      severity="warning", timeout=4)
            return
        if not self.service.connected:
            self._say("Not connected: nothing can be changed on the server.", severity="warning")
            return
        marked = self.model.marked()
        batch = Batch.start(self.service, change, marked, **options)  # type: ignore[arg-type]
        self.model.clear_marks()  # the refused ones come back marked at the end
        self.run(batch)

    def run(self, batch: Batch) -> None:
        """Run ``batch`` in the background with its progress under the list (also an undo's)."""
        self.last = batch
        batch.changed.connect(self._progress)
        self.screen.run_worker(self._execute(batch), group="triage", exit_on_error=False,
                               description="Bulk action")

    async def _execute(self, batch: Batch) -> None:
        try:
            await batch.execute()
        finally:
            self.screen.triage_keys.save_local()
        self._finished(batch)

    def _progress(self, batch: Batch) -> None:
        if batch is self.last and self.screen.is_attached:
            self.screen.status.progress = "" if batch.finished else batch.progress_line()

    def _finished(self, batch: Batch) -> None:
        refused = batch.refused_ids()
        if refused:
            self.model.mark(*refused)
        results = batch.run.results if batch.run is not None else ()
        unlisted = sum(1 for r in results if r.outcome is not Outcome.APPLIED) > NAMES_IN_SUMMARY
        line = batch.summary_line()
        if refused:
            line += f" The {len(refused)} refused stay marked: the same key tries again."
        if unlisted:
            line += " Palette (ctrl+p): “Bulk report” lists every one."
        if batch.undoing is None and batch.run is not None and batch.run.undo() is not None:
            line += " u undoes the batch."
        self._say(line, title="Bulk action", severity="warning" if refused else "information", timeout=12)

    def show_report(self) -> None:
        from .bulk_report import BulkReport

        if self.last is None or self.last.run is None:
            self._say("No bulk action yet in this session.", timeout=3)
            return
        self.screen.app.push_screen(BulkReport(self.last.summary_line(), self.last.run.results))

    # -- the command palette ----------------------------------------------------------------------------

    def commands(self) -> Iterable[SystemCommand]:
        screen = self.screen
        if self.active:
            keys = escape(display_keys(bound_key(screen.unibox.settings.keys, "inbox.back", "escape")))
            yield SystemCommand("Clear marks", f"Unmark every conversation ({keys})", self.clear_marks)
        if self.last is not None:
            yield SystemCommand("Bulk report", "Every conversation of the last bulk action, and what became of it", self.show_report)
