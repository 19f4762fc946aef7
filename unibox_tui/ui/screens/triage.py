"""Triage on the inbox screen: labels, read state, block sender, undo, a label filter, moving on.

Every action is optimistic: the row and the thread header change at once and the request runs
in a worker; a refusal rolls back what that request alone changed and says why. Requests about
one conversation (or one blocklist address) run in the order they were made, so "label, then
undo" can never land reversed. When the server has no PATCH for conversations (404/405), labels
and read marks go to a local store instead, shown as "local", and the app says so once.
"""

from __future__ import annotations

import asyncio
import itertools
import time
import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING

from textual.app import SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.worker import Worker

from ...api import Conversation, Page, ReachkitError, UnsupportedError
from ...api.errors import NotFoundError
from ...api.models import LABELS
from ...render.formatting import label_name
from ...render.sanitize import clean_line
from ...render.thread import ConversationRow, row_with_triage
from ...domain.triage import (
    DIRECT_LABELS,
    PICKER_LABELS,
    TRIAGE_RULE,
    Change,
    Pending,
    actionable,
    apply_change,
    block_targets,
    conversation_needs_triage,
    first_needing_triage,
    next_needing_triage,
)
from ..widgets.thread_header import ThreadHeader
from ..widgets.thread_view import ThreadView

if TYPE_CHECKING:
    from ...store.page_cache import PageCache
    from ..app import UniboxApp
    from ..widgets.conversation_list import ConversationList
    from ..widgets.list_status import ListStatus

__all__ = ["HELP_NOTES", "TriageMixin"]

#: Undo reaches back this many actions.
UNDO_DEPTH = 50
#: How long quitting waits for changes still on their way to the server.
QUIT_GRACE_SECONDS = 4.0

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


@dataclass(slots=True)
class UndoEntry:
    """One action that ``u`` can take back: re-apply ``before``, and/or delete a blocklist entry."""

    kind: str  # "label", "read" or "block"
    conversation_id: str
    before: Change
    what: str
    page: int
    raw: Conversation
    seq: int = 0
    block_value: str = ""
    block_ids: list[str] = field(default_factory=list)
    #: The address was on the blocklist already: undo must not delete someone else's entry.
    already_blocked: bool = False


class TriageMixin(Screen[None]):
    """The triage half of the inbox screen.

    A ``Screen`` subclass (not a plain mixin) so that Textual merges its bindings and ``@on``
    handlers into the inbox screen's; everything it needs from that screen is listed below.
    """

    BINDINGS = [
        Binding("l", "pick_label", "Label", id="triage.pick_label"),
        Binding("a", "accept_label", "Accept AI label", show=False, id="triage.accept"),
        *[
            Binding(key, f"label('{label}')", f"Label: {label_name(label)}", show=False, id=f"triage.label_{label}")
            for key, label in DIRECT_LABELS
        ],
        Binding("0", "clear_label", "Clear label (back to the AI's)", show=False, id="triage.clear_label"),
        Binding("N", "toggle_read", "Mark read / unread", show=False, id="triage.toggle_read"),
        Binding("B", "block", "Block sender…", show=False, id="triage.block"),
        Binding("u", "undo", "Undo", show=False, id="triage.undo"),
        Binding("f", "filter", "Filter page by label", show=False, id="triage.filter"),
    ]
    HELP_NOTES = HELP_NOTES

    if TYPE_CHECKING:  # provided by the inbox screen
        unibox: UniboxApp
        conversation_list: ConversationList
        thread_view: ThreadView
        status: ListStatus
        current_page: Page[Conversation] | None
        pages: PageCache[Page[Conversation]]
        page_number: int
        open_id: str | None
        _fresh: dict[str, Conversation]

        def conversation(self, conversation_id: str) -> Conversation | None: ...
        def load_page(self, page: int, *, cursor: int | str | None = 0, force: bool = False) -> None: ...
        def repaint(self) -> None: ...
        def _row(self, conversation: Conversation, now: datetime) -> ConversationRow: ...

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._pending: dict[str, Pending] = {}
        self._seq = itertools.count(1)
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()
        self._undo: list[UndoEntry] = []
        #: Conversations whose sender was blocked in this session: triaged.
        self._blocked: set[str] = set()
        self._label_filter: str | None = None
        self._advance_page: int | None = None
        self._told_local = False
        self._quitting = False

    # -- how a conversation shows ------------------------------------------------------------------

    def triaged(self, conversation: Conversation) -> Conversation:
        """``conversation`` as the user should see it: unsaved changes and local marks applied."""
        pending = self._pending.get(conversation.id)
        if pending is not None:
            if pending.expired(conversation, time.monotonic()):
                del self._pending[conversation.id]
            else:
                conversation = pending.apply(conversation)
        read = self.unibox.local_triage.read_state(conversation.id, len(conversation.messages))
        if read is not None and conversation.unread == read:
            conversation = conversation.with_read(read)
        return conversation

    def manual_label(self, conversation: Conversation) -> str | None:
        """The label the user chose (kept locally or on the server), as shown."""
        return self.unibox.local_label(conversation.id) or self.triaged(conversation).label_override

    def visible_rows(self, rows: list[ConversationRow]) -> list[ConversationRow]:
        """The rows the label filter lets through (all of them without a filter)."""
        if not self._label_filter:
            return rows
        name = label_name(self._label_filter)
        return [row for row in rows if row.label == name]

    def triage_painted(self) -> None:
        """A page was just painted: finish a move to the next page, say what the filter hides."""
        listing = self.conversation_list
        page = self.current_page
        if self._label_filter and not listing.rows and page is not None and page.items:
            listing.show_message(
                f"No {label_name(self._label_filter)} conversations on this page. "
                "] next page · esc clears the filter"
            )
        if self._advance_page is not None:
            if self._advance_page == self.page_number and listing.rows:
                index = first_needing_triage(listing.rows, self._blocked)
                if index is None:
                    self.unibox.say(f"Nothing to triage on page {self.page_number} either.", timeout=4)
                elif index != listing.cursor:
                    listing.cursor = index
            self._advance_page = None
        self._update_triage_status()

    def _update_triage_status(self) -> None:
        """Unread and to-triage counts of the loaded page (the API has no unread count)."""
        page = self.current_page
        status = self.status
        if page is None or not page.items:
            status.unread = None
            status.to_triage = None
            return
        shown = [(self.triaged(c), self.unibox.local_label(c.id)) for c in page.items]
        status.unread = sum(1 for c, _ in shown if c.unread)
        status.to_triage = sum(
            1 for c, local in shown if conversation_needs_triage(c, local or c.label_override, self._blocked)
        )

    def _refresh(self, conversation_id: str) -> None:
        """Repaint what shows one conversation's triage state, and only what changed.

        Cheap on purpose (it runs on every key and every answer): the row is patched rather
        than rebuilt, and the thread is re-laid out only when its read marks changed.
        """
        raw = self._find(conversation_id)
        if raw is None:
            return
        shown = self.triaged(raw)
        local = self.unibox.local_label(conversation_id)
        listing = self.conversation_list
        index = listing.index_of(conversation_id)
        if index >= 0:
            row = row_with_triage(listing.rows[index], shown, local)
            if row != listing.rows[index]:
                listing.update_row(row)
        if conversation_id == self.open_id:
            header = self.query_one(ThreadHeader)
            before = header.conversation
            if (
                before is None
                or before.id != conversation_id
                or header.local_label != local
                or (before.label, before.label_override) != (shown.label, shown.label_override)
            ):
                header.show(shown, local_label=local)
            document = self.thread_view.document
            if document is not None and document.conversation.id == conversation_id:
                if [m.is_read for m in document.conversation.messages] != [m.is_read for m in shown.messages]:
                    document.adopt(shown)
                    self.thread_view.refresh_document()
                else:
                    document.conversation = shown
        self._update_triage_status()

    def _find(self, conversation_id: str) -> Conversation | None:
        """A conversation from the open page, else from any cached page (undo reaches back)."""
        found = self.conversation(conversation_id)
        if found is not None:
            return found
        return next((c for page in self.pages.values() for c in page.items if c.id == conversation_id), None)

    def _store(self, conversation: Conversation) -> None:
        """Put a saved copy everywhere the screen keeps one, so no repaint shows the old state."""

        def swap(page: Page[Conversation]) -> Page[Conversation]:
            if not any(c.id == conversation.id for c in page.items):
                return page
            return replace(page, items=tuple(conversation if c.id == conversation.id else c for c in page.items))

        if conversation.id in self._fresh:
            self._fresh[conversation.id] = conversation
        if self.current_page is not None:
            self.current_page = swap(self.current_page)
        self.pages.map_values(swap)

    # -- which conversation ------------------------------------------------------------------------

    def _target(self) -> Conversation | None:
        """What an action is about: the open thread when reading it, else the list's cursor row."""
        if self._advance_page is not None and not self.conversation_list.rows:
            self.unibox.say("Loading the next page…", timeout=2)  # the thread still shows the last one
            return None
        reading = isinstance(self.focused, ThreadView) or self.has_class("-reading")
        row = self.conversation_list.current_row
        conversation_id = self.open_id if reading else (row.id if row else None)
        conversation = self._find(conversation_id) if conversation_id else None
        if conversation is None:
            # A row painted from the start-up cache has no conversation until the page arrives.
            self.unibox.say("One moment: this page is still loading." if conversation_id else "No conversation is selected.", timeout=3)
            return None
        if not actionable(conversation.id):
            self.unibox.say("The server sent this conversation without an id: it cannot be changed.", severity="warning")
            return None
        return conversation

    def _who(self, conversation: Conversation) -> str:
        return clean_line(conversation.lead_name, max_chars=40) or clean_line(conversation.lead_email, max_chars=60)

    # -- actions -------------------------------------------------------------------------------------

    def action_label(self, label: str) -> None:
        conversation = self._target()
        if conversation is not None:
            self.set_label(conversation, label)

    def action_clear_label(self) -> None:
        conversation = self._target()
        if conversation is not None:
            self.set_label(conversation, None)

    def action_accept_label(self) -> None:
        conversation = self._target()
        if conversation is None:
            return
        ai_label = conversation.label
        if ai_label not in LABELS:  # none, or a label the PATCH would refuse
            self.unibox.say("The AI has no label you can take over here: pick one with l, or 1-9.", timeout=4)
            return
        self.set_label(conversation, ai_label)

    def action_pick_label(self) -> None:
        from .label_picker import CLEAR, LabelPicker  # (pickers load when first used, not at start-up)

        conversation = self._target()
        if conversation is None:
            return
        local = self.unibox.local_label(conversation.id)
        picker = LabelPicker(
            who=self._who(conversation),
            current=local or self.triaged(conversation).label_override,
            ai_label=conversation.label,
            local=bool(local),
            keymap=self.unibox.settings.keys,
            clear_key=self.unibox.settings.keys.get("triage.clear_label", "0"),
        )
        conversation_id = conversation.id

        def picked(choice: str | None) -> None:
            target = self._find(conversation_id)
            if choice is not None and target is not None:
                self.set_label(target, None if choice == CLEAR else choice)

        self.app.push_screen(picker, picked)

    def set_label(self, conversation: Conversation, label: str | None) -> None:
        """Set (or, with ``None``, clear) the manual label; a label also marks read and moves on."""
        shown = self.triaged(conversation)
        before = self.manual_label(conversation)
        mark_read = label is not None and shown.unread and self.unibox.settings.mark_read_on_open
        if before == label and not mark_read:
            if label is None:
                self.unibox.say("No label of your own to clear: the AI's label shows.", timeout=3)
            else:
                self._advance_from(conversation.id)
            return
        change = Change(True, label, True if mark_read else None)
        what = f"{label_name(label)} on {self._who(conversation)}" if label else f"cleared label of {self._who(conversation)}"
        self._change(
            conversation,
            change,
            self._undo_entry("label", conversation, Change(True, before, False if mark_read else None), what),
        )
        if label is not None:
            self._advance_from(conversation.id)

    def action_toggle_read(self) -> None:
        conversation = self._target()
        if conversation is None:
            return
        shown = self.triaged(conversation)
        if not shown.unread and shown.latest_incoming is None:
            self.unibox.say("Nothing to mark unread: the lead has not written yet.", timeout=3)
            return
        read = shown.unread
        what = f"marked {'read' if read else 'unread'}: {self._who(conversation)}"
        self._change(conversation, Change(read=read), self._undo_entry("read", conversation, Change(read=not read), what))

    def triage_opened(self, conversation_id: str) -> None:
        """The user opened a conversation (enter): mark it read, as Reachkit's web app does."""
        if not self.unibox.settings.mark_read_on_open or not actionable(conversation_id):
            return
        conversation = self._find(conversation_id)
        if conversation is not None and self.triaged(conversation).unread:
            self._change(conversation, Change(read=True), None)

    def action_filter(self) -> None:
        from .label_picker import CLEAR, LabelPicker

        picker = LabelPicker(
            filtering=True,
            current=self._label_filter,
            keymap=self.unibox.settings.keys,
            clear_key=self.unibox.settings.keys.get("triage.clear_label", "0"),
        )

        def picked(choice: str | None) -> None:
            if choice is not None:
                self.set_label_filter(None if choice == CLEAR else choice)

        self.app.push_screen(picker, picked)

    def set_label_filter(self, label: str | None) -> None:
        """Show only ``label`` on the loaded pages (``None``: everything). Client-side: say so."""
        self._label_filter = label
        self.status.filter = label_name(label) if label else ""
        self.repaint()

    def clear_label_filter(self) -> bool:
        """Escape's first job in the list when a filter is on; ``True`` if there was one."""
        if not self._label_filter:
            return False
        self.set_label_filter(None)
        return True

    # -- the engine: optimistic change, request, confirm or roll back --------------------------------

    def _undo_entry(self, kind: str, conversation: Conversation, before: Change, what: str) -> UndoEntry:
        return UndoEntry(kind, conversation.id, before, what, self.page_number, conversation)

    def _change(self, conversation: Conversation, change: Change, undo: UndoEntry | None) -> None:
        seq = next(self._seq)
        if undo is not None:
            undo.seq = seq
            self._undo.append(undo)
            del self._undo[:-UNDO_DEPTH]
        if self._patch_missing:
            self._apply_locally(conversation, change)
        else:
            pending = self._pending.setdefault(conversation.id, Pending(len(conversation.messages)))
            pending.add(change, seq, len(conversation.messages))
            self.run_worker(
                self._send(conversation.id, change, seq),
                group="triage",
                exit_on_error=False,
                description="Saving triage",
            )
        self._refresh(conversation.id)

    @property
    def _patch_missing(self) -> bool:
        client = self.unibox.client
        return client is None or client.capabilities.conversation_patch is False

    def _lock(self, key: str) -> asyncio.Lock:
        lock = self._locks.get(key)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[key] = lock
        return lock

    async def _send(self, conversation_id: str, change: Change, seq: int) -> None:
        client = self.unibox.client
        if client is None:
            return
        async with self._lock(conversation_id):
            try:
                result = await client.update_conversation(
                    conversation_id,
                    is_read=change.read,
                    label_override=change.label if change.set_label else None,
                    clear_label=change.set_label and change.label is None,
                )
            except asyncio.CancelledError:
                raise
            except UnsupportedError:
                self._went_local(conversation_id, change, seq)
                return
            except ReachkitError as error:
                self._failed(conversation_id, seq, error)
                return
        self._saved(conversation_id, change, seq, result)

    def _saved(self, conversation_id: str, change: Change, seq: int, result: Conversation | None) -> None:
        raw = self._find(conversation_id)
        if raw is not None:
            self._store(self._server_copy(raw, change, result))
        pending = self._pending.get(conversation_id)
        if pending is not None:
            pending.done(seq, time.monotonic(), ok=True)
        if change.set_label and self.unibox.local_label(conversation_id):
            # The server keeps labels now: a label kept here earlier must not hide it.
            self.unibox.local_triage.set_label(conversation_id, None)
            self._save_local()
        self._refresh(conversation_id)

    @staticmethod
    def _server_copy(raw: Conversation, change: Change, result: Conversation | None) -> Conversation:
        """What to keep after a PATCH: the server's answer when it is a whole conversation."""
        expected = apply_change(raw, change)
        if result is None or result.id != raw.id or len(result.messages) < len(raw.messages):
            return expected
        if change.set_label and result.label is None and result.label_override is None:
            # This server does not report labels at all: keep the one we set.
            result = replace(result, label_override=change.label)
        return result

    def _failed(self, conversation_id: str, seq: int, error: ReachkitError) -> None:
        pending = self._pending.get(conversation_id)
        if pending is not None:
            pending.done(seq, time.monotonic(), ok=False)
            if pending.empty:
                del self._pending[conversation_id]
        entry = next((e for e in self._undo if e.seq == seq), None)
        if entry is not None:
            self._undo.remove(entry)
        self._refresh(conversation_id)
        what = entry.what if entry is not None else "read mark"
        if isinstance(error, NotFoundError):
            self.unibox.say(f"Not saved ({what}): this conversation no longer exists on the server.", severity="error")
            return
        self.unibox.show_error(error, f"Not saved, rolled back: {what}")

    def _went_local(self, conversation_id: str, change: Change, seq: int) -> None:
        """The server has no PATCH: keep this change (and every later one) on this machine."""
        pending = self._pending.get(conversation_id)
        if pending is not None:
            pending.done(seq, time.monotonic(), ok=False)
            if pending.empty:
                del self._pending[conversation_id]
        raw = self._find(conversation_id)
        if raw is not None:
            self._apply_locally(raw, change)
        self._refresh(conversation_id)
        if not self._told_local:
            self._told_local = True
            self.unibox.say(
                "This Reachkit server cannot store labels or read marks (its API has no PATCH for "
                "conversations). They are kept on this computer instead, marked “local”.",
                title="Labels kept locally",
                severity="warning",
                timeout=12,
            )

    def _apply_locally(self, conversation: Conversation, change: Change) -> None:
        """Record ``change`` in the local store; what equals the server's own state is forgotten."""
        store = self.unibox.local_triage
        if change.set_label:
            same = change.label == conversation.label_override
            store.set_label(conversation.id, None if same or change.label is None else change.label)
        if change.read is not None:
            same = change.read != conversation.unread
            store.set_read(conversation.id, None if same else change.read, len(conversation.messages))
        self._save_local()

    def _save_local(self) -> None:
        self.run_worker(self._write_local, thread=True, group="triage-save", exit_on_error=False, description="Saving labels")

    def _write_local(self) -> None:
        try:
            self.unibox.local_triage.save()
        except OSError as error:
            store = self.unibox.local_triage
            self.app.call_from_thread(
                self.unibox.say,
                f"Could not save local labels to {store.path}: {error.strerror or error}. They stay until you quit.",
                title="Labels not saved",
                severity="error",
            )

    # -- moving on -----------------------------------------------------------------------------------

    def _advance_from(self, conversation_id: str) -> None:
        """To the next conversation needing triage: on this page, else the next page."""
        listing = self.conversation_list
        start = listing.index_of(conversation_id)
        index = next_needing_triage(listing.rows, start if start >= 0 else listing.cursor, self._blocked)
        if index is not None:
            listing.cursor = index
            return
        page = self.current_page
        if page is not None and self.page_number < page.total_pages:
            done, following = self.page_number, self.page_number + 1
            self.unibox.say(f"Page {done} triaged; on to page {following}.", timeout=3)
            self._advance_page = following
            self.load_page(following, cursor=0)
            if self.page_number != following:  # not cached: no stale row may take the next key
                listing.show_message(f"Page {done} triaged. Loading page {following}…")
        else:
            self.unibox.say("Page triaged: nothing left here needs you.", title="Triage", timeout=5)

    # -- block sender ---------------------------------------------------------------------------------

    def action_block(self) -> None:
        from .block_confirm import BLOCK_DOMAIN, BlockConfirm

        conversation = self._target()
        if conversation is None:
            return
        targets = block_targets(conversation.lead_email)
        if targets.address is None:
            self.unibox.say(targets.problem, severity="warning")
            return
        conversation_id = conversation.id

        def confirmed(choice: str | None) -> None:
            target = self._find(conversation_id)
            if choice is None or target is None:
                return
            value = targets.domain if choice == BLOCK_DOMAIN and targets.domain else targets.address
            if value:
                self._block(target, value)

        self.app.push_screen(BlockConfirm(targets, who=self._who(conversation)), confirmed)

    def _block(self, conversation: Conversation, value: str) -> None:
        shown = self.triaged(conversation)
        mark_read = shown.unread and self.unibox.settings.mark_read_on_open
        entry = self._undo_entry("block", conversation, Change(read=False if mark_read else None), f"block {value}")
        entry.block_value = value
        self._undo.append(entry)
        del self._undo[:-UNDO_DEPTH]
        self._blocked.add(conversation.id)
        if mark_read:
            self._change(conversation, Change(read=True), None)
        else:
            self._refresh(conversation.id)
        self.run_worker(self._send_block(entry), group="triage", exit_on_error=False, description="Blocking")
        self._advance_from(conversation.id)

    async def _send_block(self, entry: UndoEntry) -> None:
        client = self.unibox.client
        if client is None:
            return
        value = entry.block_value
        async with self._lock("block:" + value.lower()):
            try:
                existing = await client.list_blocklist()
            except asyncio.CancelledError:
                raise
            except ReachkitError:
                existing = []  # cannot tell: block anyway (undo then deletes what the POST returns)
            if any(item.email.strip().lower() == value.lower() for item in existing):
                entry.already_blocked = True
                self.unibox.say(f"{value} was already on your blocklist.", title="Block", timeout=5)
                return
            try:
                created = await client.add_to_blocklist(value)
            except asyncio.CancelledError:
                raise
            except ReachkitError as error:
                self._blocked.discard(entry.conversation_id)
                if entry in self._undo:
                    self._undo.remove(entry)
                self._refresh(entry.conversation_id)
                self.unibox.show_error(error, f"Not blocked: {value}")
                return
            entry.block_ids = [item.id for item in created if item.id]
        self.unibox.say(f"Blocked {value}. u undoes it.", title="Blocked", timeout=5)

    # -- undo ------------------------------------------------------------------------------------------

    def action_undo(self) -> None:
        if not self._undo:
            self.unibox.say("Nothing to undo.", timeout=3)
            return
        entry = self._undo.pop()
        conversation = self._find(entry.conversation_id) or entry.raw
        if entry.kind == "block":
            self._blocked.discard(entry.conversation_id)
            self.run_worker(self._send_unblock(entry), group="triage", exit_on_error=False, description="Unblocking")
        if not entry.before.empty:
            self._change(conversation, entry.before, None)
        else:
            self._refresh(entry.conversation_id)
        self._show_again(entry)
        if entry.kind != "block":
            self.unibox.say(f"Undone: {entry.what}.", timeout=3)
        elif entry.already_blocked:
            self.unibox.say(f"{entry.block_value} was blocked before: it stays blocked.", timeout=4)

    def _show_again(self, entry: UndoEntry) -> None:
        """Put the cursor back on the conversation the undone action was about."""
        listing = self.conversation_list
        index = listing.index_of(entry.conversation_id)
        if index >= 0:
            listing.cursor = index
        elif entry.page != self.page_number:
            self._advance_page = None
            self.load_page(entry.page, cursor=entry.conversation_id)

    async def _send_unblock(self, entry: UndoEntry) -> None:
        client = self.unibox.client
        if client is None:
            return
        async with self._lock("block:" + entry.block_value.lower()):
            if entry.already_blocked or not entry.block_ids:
                return  # nothing of ours to delete (the block failed, or predates us)
            try:
                for entry_id in entry.block_ids:
                    await client.delete_blocklist_entry(entry_id)
            except asyncio.CancelledError:
                raise
            except ReachkitError as error:
                self._blocked.add(entry.conversation_id)
                self._refresh(entry.conversation_id)
                self.unibox.show_error(error, f"Still blocked: {entry.block_value}")
                return
        self.unibox.say(f"Unblocked {entry.block_value}.", title="Undone", timeout=4)

    # -- quitting -------------------------------------------------------------------------------------

    def quit_when_saved(self) -> bool:
        """Quit once changes on their way to the server land (a few seconds at most).

        ``False`` when there is nothing to wait for, or when asked twice (the user insists):
        the caller quits at once.
        """
        saving = [w for w in self.workers if w.node is self and w.group == "triage" and w.is_running]
        if not saving or self._quitting:
            return False
        self._quitting = True
        noun = "change" if len(saving) == 1 else "changes"
        self.unibox.say(f"Saving {len(saving)} {noun} before quitting… (q again quits now)", timeout=QUIT_GRACE_SECONDS)
        self.run_worker(self._quit_after(saving), group="quit", exit_on_error=False)
        return True

    async def _quit_after(self, saving: list[Worker[None]]) -> None:
        async def finished(worker: Worker[None]) -> None:
            try:
                await worker.wait()
            except Exception:  # noqa: BLE001 - failed or cancelled: either way, no longer pending
                pass

        await asyncio.wait([asyncio.ensure_future(finished(w)) for w in saving], timeout=QUIT_GRACE_SECONDS)
        self.app.exit()

    # -- the command palette ------------------------------------------------------------------------

    def triage_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand("Label…", "Pick a label for the conversation (l)", self.action_pick_label)
        yield SystemCommand("Accept the AI's label", "Make the AI's guess your label (a)", self.action_accept_label)
        yield SystemCommand("Clear label", "Back to the AI's label (0)", self.action_clear_label)
        yield SystemCommand("Mark read / unread", "Toggle the conversation's read state (N)", self.action_toggle_read)
        yield SystemCommand("Block sender…", "Add the sender or their domain to the blocklist (B)", self.action_block)
        yield SystemCommand("Undo", "Take back the last triage action (u)", self.action_undo)
        yield SystemCommand("Filter by label…", "Show one label on the loaded page (f)", self.action_filter)
