"""The triage keys of the inbox: which conversation a key is about, pickers, words for outcomes.

The work is ``TriageService``'s (domain/): it changes the model at once and hands back the
requests still to make, which run here as workers; each outcome is put into words. After a
label or a block the cursor moves on to the next conversation needing triage, on the next page
when this one is done.
"""

from __future__ import annotations

import asyncio
from functools import partial
from typing import TYPE_CHECKING

from textual.binding import Binding
from textual.worker import Worker

from ...api.errors import NotFoundError
from ...domain.inbox_model import InboxModel
from ...domain.triage import DIRECT_LABELS, PICKER_LABELS, TRIAGE_RULE, actionable, block_targets
from ...domain.triage_service import Action, Outcome, OutcomeKind, Refusal, Request, TriageService, UndoEntry, who
from ...render.formatting import label_name
from ..widgets.thread_view import ThreadView

if TYPE_CHECKING:
    from .inbox import InboxScreen

__all__ = ["HELP_NOTES", "TRIAGE_BINDINGS", "TriageKeys"]

#: How long quitting waits for changes still on their way to the server.
QUIT_GRACE_SECONDS = 4.0

TRIAGE_BINDINGS = [
    Binding("l", "pick_label", "Label", id="triage.pick_label", tooltip="Pick a label for the conversation"),
    Binding("a", "accept_label", "Accept AI label", show=False, id="triage.accept", tooltip="Make the AI's guess your label"),
    *[
        Binding(key, f"label('{label}')", f"Label: {label_name(label)}", show=False, id=f"triage.label_{label}")
        for key, label in DIRECT_LABELS
    ],
    Binding("0", "clear_label", "Clear label (back to the AI's)", show=False, id="triage.clear_label",
            tooltip="Back to the AI's label"),
    Binding("N", "toggle_read", "Mark read / unread", show=False, id="triage.toggle_read",
            tooltip="Toggle the conversation's read state"),
    Binding("B", "block", "Block sender…", show=False, id="triage.block",
            tooltip="Add the sender or their domain to the blocklist"),
    Binding("u", "undo", "Undo", show=False, id="triage.undo", tooltip="Take back the last triage action"),
    Binding("f", "filter", "Filter page by label", show=False, id="triage.filter",
            tooltip="Show one label on the loaded page"),
]

#: Lines for the ``?`` screen's Triage section: what the bindings alone cannot say.
HELP_NOTES: list[tuple[str, str]] = [
    ("l, then " + "/".join(key for key, _ in PICKER_LABELS), ", ".join(label_name(label) for _, label in PICKER_LABELS)),
    ("moving on", "After a label or a block the cursor goes to the next conversation needing triage"
     " on this page, then on the next page."),
    ("needs triage", TRIAGE_RULE),
    ("read", "Opening a conversation (enter), labelling it or blocking its sender marks it read,"
     " unless mark_read_on_open = false; previewing it under the cursor does not."),
    ("filter", "f filters the loaded page only (the API cannot filter by label); esc clears it."),
    ("local", "Underlined labels are kept on this computer: the server cannot store labels."),
]

_REFUSALS: dict[Refusal, tuple[str, float]] = {
    Refusal.NO_OWN_LABEL: ("No label of your own to clear: the AI's label shows.", 3),
    Refusal.NO_AI_LABEL: ("The AI has no label you can take over here: pick one with l, or 1-9.", 4),
    Refusal.NOTHING_TO_MARK_UNREAD: ("Nothing to mark unread: the lead has not written yet.", 3),
    Refusal.NOTHING_TO_UNDO: ("Nothing to undo.", 3),
}


class TriageKeys:
    """What the triage keys do on the inbox screen (its ``action_*`` methods call these)."""

    BINDINGS = TRIAGE_BINDINGS
    HELP_NOTES = HELP_NOTES

    def __init__(self, screen: InboxScreen, service: TriageService, model: InboxModel) -> None:
        self.screen = screen
        self.service = service
        self.model = model
        #: Moving on reached the end of the page: the next page, once painted, gets the cursor.
        self._advance_page: int | None = None
        self._quitting = False

    def _say(self, text: str, **kwargs: object) -> None:
        self.screen.unibox.say(text, **kwargs)  # type: ignore[arg-type]

    # -- which conversation ------------------------------------------------------------------------

    def _target(self) -> str | None:
        """What a key is about: the open thread when reading it, else the list's cursor row."""
        screen = self.screen
        listing = screen.conversation_list
        if self._advance_page is not None and not listing.rows:
            self._say("Loading the next page…", timeout=2)  # the thread still shows the last one
            return None
        reading = isinstance(screen.focused, ThreadView) or screen.has_class("-reading")
        row = listing.current_row
        conversation_id = screen.open_id if reading else (row.id if row else None)
        if not conversation_id or self.model.server_copy(conversation_id) is None:
            # A row painted from the start-up cache has no conversation until the page arrives.
            self._say("One moment: this page is still loading." if conversation_id else "No conversation is selected.", timeout=3)
            return None
        if not actionable(conversation_id):
            self._say("The server sent this conversation without an id: it cannot be changed.", severity="warning")
            return None
        return conversation_id

    # -- actions -------------------------------------------------------------------------------------

    def label(self, label: str | None) -> None:
        conversation_id = self._target()
        if conversation_id is not None:
            self._run(self.service.set_label(conversation_id, label), conversation_id)

    def accept_label(self) -> None:
        conversation_id = self._target()
        if conversation_id is not None:
            self._run(self.service.accept_label(conversation_id), conversation_id)

    def toggle_read(self) -> None:
        conversation_id = self._target()
        if conversation_id is not None:
            self._run(self.service.toggle_read(conversation_id), conversation_id)

    def opened(self, conversation_id: str) -> None:
        """The user opened a conversation (enter): marked read, as Reachkit's web app does."""
        self._run(self.service.opened(conversation_id), conversation_id)

    def pick_label(self) -> None:
        from .label_picker import CLEAR, LabelPicker  # (pickers load when first used, not at start-up)

        conversation_id = self._target()
        raw = self.model.server_copy(conversation_id) if conversation_id else None
        if conversation_id is None or raw is None:
            return
        local = self.model.local_label(conversation_id)
        keys = self.screen.unibox.settings.keys
        picker = LabelPicker(
            who=who(raw),
            current=self.model.manual_label(conversation_id),
            ai_label=raw.label,
            local=bool(local),
            keymap=keys,
            clear_key=keys.get("triage.clear_label", "0"),
        )

        def picked(choice: str | None) -> None:
            if choice is not None:
                self._run(self.service.set_label(conversation_id, None if choice == CLEAR else choice), conversation_id)

        self.screen.app.push_screen(picker, picked)

    def block(self) -> None:
        from .block_confirm import BLOCK_DOMAIN, BlockConfirm

        conversation_id = self._target()
        raw = self.model.server_copy(conversation_id) if conversation_id else None
        if conversation_id is None or raw is None:
            return
        targets = block_targets(raw.lead_email)
        if targets.address is None:
            self._say(targets.problem, severity="warning")
            return

        def confirmed(choice: str | None) -> None:
            if choice is None:
                return
            value = targets.domain if choice == BLOCK_DOMAIN and targets.domain else targets.address
            if value:
                self._run(self.service.block(conversation_id, value), conversation_id)

        self.screen.app.push_screen(BlockConfirm(targets, who=who(raw)), confirmed)

    def undo(self) -> None:
        action = self.service.undo()
        if action.batch is not None:  # a whole batch: undone as a batch too (paced, with progress)
            self.screen.bulk.run(action.batch)
            return
        self._run(action, None)
        entry = action.undone
        if entry is None:
            return
        self._show_again(entry)
        if entry.kind != "block":
            self._say(f"Undone: {entry.what}.", timeout=3)
        elif entry.already_blocked:
            self._say(f"{entry.block_value} was blocked before: it stays blocked.", timeout=4)

    def _show_again(self, entry: UndoEntry) -> None:
        """Put the cursor back on the conversation the undone action was about."""
        if self.model.index_of(entry.conversation_id) >= 0:
            self.screen.view.select(entry.conversation_id)
        elif entry.page != self.model.page_number:
            self._advance_page = None
            self.screen.load_page(entry.page, cursor=entry.conversation_id)

    # -- the label filter ----------------------------------------------------------------------------

    def pick_filter(self) -> None:
        from .label_picker import CLEAR, LabelPicker

        keys = self.screen.unibox.settings.keys
        picker = LabelPicker(
            filtering=True, current=self.model.label_filter, keymap=keys, clear_key=keys.get("triage.clear_label", "0")
        )

        def picked(choice: str | None) -> None:
            if choice is not None:
                self.set_filter(None if choice == CLEAR else choice)

        self.screen.app.push_screen(picker, picked)

    def set_filter(self, label: str | None) -> None:
        """Show only ``label`` on the loaded page (``None``: everything). Client-side: the status says so."""
        current = self.screen.conversation_list.current_row
        self.screen.status.filter = label_name(label) if label else ""
        self.model.set_label_filter(label, cursor=current.id if current is not None else 0)

    def clear_filter(self) -> bool:
        """Escape's first job in the list when a filter is on; ``True`` if there was one."""
        if not self.model.label_filter:
            return False
        self.set_filter(None)
        return True

    # -- running an action, and its outcomes in words -----------------------------------------------

    def _run(self, action: Action, conversation_id: str | None) -> None:
        if action.refused is not None:
            text = _REFUSALS.get(action.refused)
            if text is not None:
                self._say(text[0], timeout=text[1])
            return
        for request in action.requests:
            self.screen.run_worker(partial(self._settle, request), group="triage", exit_on_error=False, description="Saving triage")
        self.save_local()
        if action.advance and conversation_id is not None:
            self._advance_from(conversation_id)

    async def _settle(self, request: Request) -> None:
        outcome = await request()
        self._tell(outcome)
        self.save_local()

    def _tell(self, outcome: Outcome) -> None:
        kind, what, error = outcome.kind, outcome.what, outcome.error
        app = self.screen.unibox
        if kind is OutcomeKind.FAILED and isinstance(error, NotFoundError):
            self._say(f"Not saved ({what}): this conversation no longer exists on the server.", severity="error")
        elif kind is OutcomeKind.FAILED:
            app.show_error(error, f"Not saved, rolled back: {what}")
        elif kind is OutcomeKind.LOCAL and outcome.first_local:
            self._say(
                "This Reachkit server cannot store labels or read marks (its API has no PATCH for "
                "conversations). They are kept on this computer instead, marked “local”.",
                title="Labels kept locally", severity="warning", timeout=12,
            )
        elif kind is OutcomeKind.ALREADY_BLOCKED:
            self._say(f"{what} was already on your blocklist.", title="Block", timeout=5)
        elif kind is OutcomeKind.NOT_BLOCKED:
            app.show_error(error, f"Not blocked: {what}")
        elif kind is OutcomeKind.BLOCKED:
            self._say(f"Blocked {what}. u undoes it.", title="Blocked", timeout=5)
        elif kind is OutcomeKind.STILL_BLOCKED:
            app.show_error(error, f"Still blocked: {what}")
        elif kind is OutcomeKind.UNBLOCKED:
            self._say(f"Unblocked {what}.", title="Undone", timeout=4)

    def save_local(self) -> None:
        """Labels kept on this machine are written (in a thread) whenever some changed."""
        if self.service.local_dirty:
            self.screen.run_worker(self._write_local, thread=True, group="triage-save", exit_on_error=False, description="Saving labels")

    def _write_local(self) -> None:
        try:
            self.service.save_local()
        except OSError as error:
            path = self.model.local.path
            self.screen.app.call_from_thread(
                self._say,
                f"Could not save local labels to {path}: {error.strerror or error}. They stay until you quit.",
                title="Labels not saved",
                severity="error",
            )

    # -- moving on -------------------------------------------------------------------------------------

    def _advance_from(self, conversation_id: str) -> None:
        """To the next conversation needing triage: on this page, else the next page."""
        following_id = self.model.next_needing_triage(conversation_id)
        if following_id is not None:
            self.screen.view.select(following_id)
            return
        number, total = self.model.page_number, self.model.total_pages
        if self.model.current_page is not None and number < total:
            following = number + 1
            self._say(f"Page {number} triaged; on to page {following}.", timeout=3)
            self._advance_page = following
            self.screen.load_page(following, cursor=0)
            if self.model.page_number != following:  # not cached: no stale row may take the next key
                self.screen.conversation_list.show_message(f"Page {number} triaged. Loading page {following}…")
        else:
            self._say("Page triaged: nothing left here needs you.", title="Triage", timeout=5)

    def page_shown(self) -> None:
        """A page was just painted: finish a move to the next page, say what the filter hides."""
        listing, model = self.screen.conversation_list, self.model
        page = model.current_page
        if model.label_filter and not listing.rows and page is not None and page.items:
            listing.show_message(
                f"No {label_name(model.label_filter)} conversations on this page. ] next page · esc clears the filter"
            )
        if self._advance_page is not None:
            if self._advance_page == model.page_number and listing.rows:
                first = model.first_needing_triage()
                if first is None:
                    self._say(f"Nothing to triage on page {model.page_number} either.", timeout=4)
                else:
                    self.screen.view.select(first)
            self._advance_page = None

    # -- quitting ------------------------------------------------------------------------------------

    def quit_when_saved(self) -> bool:
        """Quit once changes on their way to the server land (a few seconds at most).

        ``False`` when there is nothing to wait for, or when asked twice (the user insists):
        the caller quits at once.
        """
        screen = self.screen
        saving = [w for w in screen.workers if w.node is screen and w.group == "triage" and w.is_running]
        if not saving or self._quitting:
            return False
        self._quitting = True
        noun = "change" if len(saving) == 1 else "changes"
        self._say(f"Saving {len(saving)} {noun} before quitting… (q again quits now)", timeout=QUIT_GRACE_SECONDS)
        screen.run_worker(partial(self._quit_after, saving), group="quit", exit_on_error=False)
        return True

    async def _quit_after(self, saving: list[Worker[None]]) -> None:
        async def finished(worker: Worker[None]) -> None:
            try:
                await worker.wait()
            except Exception:  # noqa: BLE001 - failed or cancelled: either way, no longer pending
                pass

        await asyncio.wait([asyncio.ensure_future(finished(w)) for w in saving], timeout=QUIT_GRACE_SECONDS)
        self.screen.app.exit()
