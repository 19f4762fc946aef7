"""The inbox's state in one owner: pages, fresh copies, unsaved triage, local marks, selection.

UI-free (no Textual). The inbox screen feeds it what the server answered and what the user did,
and redraws what the model says changed (``subscribe``). Like aerc's message store, the list,
the thread header and the status line only read it; triage changes it through ``TriageService``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from enum import Enum

from ..api.models import Conversation, Page
from ..clock import Clock
from ..render.formatting import label_name
from ..render.thread import ConversationRow, build_row, row_with_local, row_with_triage
from ..store.local_triage import LocalTriageStore
from ..store.page_cache import PageCache
from .triage import (
    Change,
    Pending,
    conversation_needs_triage,
    first_needing_triage,
    needs_triage,
    next_needing_triage,
)

__all__ = [
    "FOLDERS",
    "ChangeKind",
    "InboxModel",
    "ModelChange",
    "PageCounts",
    "PageKey",
    "PollResult",
    "RowNote",
]

FOLDERS = ("primary", "others")
#: Fresher copies of single conversations kept (the oldest go first).
FRESH_LIMIT = 200
#: The order every batch of changes is announced in: rows exist before anyone moves onto them.
_ORDER = ("page", "position", "content", "rows", "counts", "folders", "selection")


@dataclass(frozen=True, slots=True)
class PageKey:
    """One page of one folder (and search), at one page size: what a list request asks for."""

    folder: str
    search: str
    page: int
    page_size: int

    def at(self, page: int) -> PageKey:
        return PageKey(self.folder, self.search, page, self.page_size)


class ChangeKind(Enum):
    """What a ``ModelChange`` is about (its ``ids`` say which conversations, or folders)."""

    #: Another page (or the same one afresh, or the filter changed) is shown: every row replaced,
    #: and with them the position and the counts.
    PAGE = "page"
    #: The page on screen, its totals or the search changed, the rows did not.
    POSITION = "position"
    #: A fresher server copy of these conversations arrived: their messages may differ.
    CONTENT = "content"
    #: These conversations' triage state changed (label, read state, blocked, pending).
    ROWS = "rows"
    #: The loaded page's unread and to-triage counts may have changed.
    COUNTS = "counts"
    #: These folders' totals changed (``ids`` are folder keys).
    FOLDERS = "folders"
    #: The cursor or the marks moved (``ids``: the conversations whose selection changed).
    SELECTION = "selection"


@dataclass(frozen=True, slots=True)
class ModelChange:
    """One change signal: what kind, and which ids. Immutable: listeners may keep it."""

    kind: ChangeKind
    ids: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class PageCounts:
    """What the status line says about the page on screen (``None``: not known)."""

    page: int
    total_pages: int
    total_count: int | None
    search: str
    unread: int | None
    to_triage: int | None


@dataclass(frozen=True, slots=True)
class PollResult:
    """What a polled first page means for the screen."""

    #: The result is about the folder and search on screen (else it was only cached and counted).
    current: bool
    #: The page on screen is this one and its rows changed: paint it again (cursor kept).
    repaint: bool = False
    #: Conversations new or updated since the last copy of this page (to announce).
    fresh: int = 0
    #: Conversations already listed whose activity moved (the open thread may have grown).
    updated: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class RowNote:
    """Follow-up words on a row: why it came back, and when an out-of-office lead returns."""

    woken: str = ""
    away: str = ""


_NO_NOTE = RowNote()


@dataclass(slots=True)
class _Mark:
    """Where a marked conversation was last seen: its folder and its activity (the sort key)."""

    folder: str
    activity: datetime | None


class InboxModel:
    """Every piece of state a conversation has in the inbox, and one signal when any changes.

    ``conversation(id)`` is the conversation as the user should see it: the freshest server
    copy, with changes not yet confirmed by the server and marks kept on this machine applied.
    ``rows`` are the list rows of the page on screen, label filter applied.
    """

    def __init__(
        self,
        *,
        page_size: int,
        local: LocalTriageStore,
        clock: Clock,
        monotonic: Callable[[], float] = time.monotonic,
        cached_pages: int = 12,
    ) -> None:
        self.page_size = page_size
        self.local = local
        self.clock = clock
        self.monotonic = monotonic
        #: Where the user is: the folder and the search the next page request asks for.
        self.folder = FOLDERS[0]
        self.search = ""
        self.pages: PageCache[Page[Conversation]] = PageCache(capacity=cached_pages, monotonic=monotonic)
        #: The page asked for last (it may still be loading), and the one on screen.
        self.wanted: PageKey | None = None
        self.painted: PageKey | None = None
        self.current_page: Page[Conversation] | None = None
        self.page_number = 1
        #: The rows on screen came from the disk cache: no conversation behind them yet.
        self.from_disk = False
        self.label_filter: str | None = None
        self.cursor_id: str | None = None
        self.folder_counts: dict[str, int] = {}
        self._count_as_of: dict[str, float] = {}
        self._disk_totals: tuple[int, int] = (0, 0)
        self._fresh: dict[str, Conversation] = {}
        self._pending: dict[str, Pending] = {}
        self._blocked: set[str] = set()
        self._marks: dict[str, _Mark] = {}
        #: The follow-ups overlay (see ``set_overlay``): snoozed ids out of every list, conversations
        #: back from a snooze or a reminder pinned atop page 1 of their folder, notes on rows.
        self._hidden: frozenset[str] = frozenset()
        self._pinned: dict[str, tuple[str, ...]] = {}
        self._notes: dict[str, RowNote] = {}
        self._all_rows: list[ConversationRow] = []
        self.rows: list[ConversationRow] = []
        self._listeners: list[Callable[[ModelChange], None]] = []
        self._batch_depth = 0
        self._queued: dict[str, set[str]] = {}

    # -- the change signal ---------------------------------------------------------------------

    def subscribe(self, listener: Callable[[ModelChange], None]) -> Callable[[], None]:
        """Call ``listener`` with every change from now on; returns the call that stops it."""
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Announce the changes made inside as one signal per kind, when the block ends."""
        self._batch_depth += 1
        try:
            yield
        finally:
            self._batch_depth -= 1
            if not self._batch_depth:
                queued, self._queued = self._queued, {}
                for kind in _ORDER:
                    if kind in queued:
                        self._send(ModelChange(ChangeKind(kind), frozenset(queued[kind])))

    def _emit(self, kind: ChangeKind, ids: frozenset[str] | set[str] | tuple[str, ...] = ()) -> None:
        if self._batch_depth:
            self._queued.setdefault(kind.value, set()).update(ids)
        else:
            self._send(ModelChange(kind, frozenset(ids)))

    def _send(self, change: ModelChange) -> None:
        for listener in list(self._listeners):
            listener(change)

    # -- where the user is -------------------------------------------------------------------------

    def key(self, page: int) -> PageKey:
        """The request for ``page`` of the folder and search the user is in."""
        return PageKey(self.folder, self.search, max(1, page), self.page_size)

    @property
    def total_pages(self) -> int:
        return self.current_page.total_pages if self.current_page is not None else 0

    # -- pages -------------------------------------------------------------------------------------

    def page_arrived(self, key: PageKey, page: Page[Conversation]) -> None:
        """A page came from the server (shown or not): cache it, and see what it says about marks."""
        self.pages.put(key, page)
        self._track_marks(key, page)

    def show_page(self, key: PageKey, page: Page[Conversation], cursor: int | str = 0) -> bool:
        """Put ``page`` on screen with the cursor on ``cursor`` (an index, or an id: 0 if absent).

        ``False`` when the page lies past the end of a folder that shrank: nothing changes, and
        the caller asks for the real last page.
        """
        if page.items == () and key.page > 1 and page.total_pages and key.page > page.total_pages:
            return False
        self.current_page = page
        self.page_number = key.page
        self.painted = key
        self.from_disk = False
        now = self.clock.now()
        items = self._with_pinned(key, page.items)
        self._all_rows = [self._build_row(conversation, now) for conversation in items]
        self._show_rows(cursor)
        if not key.search:
            cached = self.pages.get(key)
            self.set_folder_count(key.folder, page.total_count, asked_at=cached.fetched_at if cached else self.monotonic())
        return True

    def show_cached_rows(self, key: PageKey, rows: list[ConversationRow], total_count: int, total_pages: int) -> bool:
        """Page 1 as it was last seen (the disk cache), with this machine's marks, until the network answers.

        Refused (``False``) for any other page, while changes are unsaved (a row from disk
        cannot show them), or when the label filter hides every row.
        """
        if key.page != 1 or key.search or self._pending:
            return False
        marked = [
            self._noted(row_with_local(row, self.local.label(row.id), self.local.read_state(row.id, row.count)))
            for row in rows
        ]
        pinned = self._pinned.get(key.folder, ())
        marked.sort(key=lambda row: pinned.index(row.id) if row.id in pinned else len(pinned))  # (stable)
        if not self._visible(marked):
            return False
        self.current_page = None
        self.painted = None
        self.page_number = 1
        self.from_disk = True
        self._disk_totals = (total_pages, total_count)
        self._all_rows = marked
        self._show_rows(0)
        self.set_folder_count(key.folder, total_count, asked_at=0.0)
        return True

    def show_position(self, key: PageKey, page: Page[Conversation]) -> None:
        """The page on screen came again with the same rows: only its totals may have moved."""
        self.current_page = page
        self.painted = key
        self._emit(ChangeKind.POSITION)
        if not key.search:
            self.set_folder_count(key.folder, page.total_count, asked_at=self.monotonic())

    def repaint(self, cursor: int | str = 0) -> None:
        """Show the loaded page again (the label filter changed)."""
        if self.painted is not None and self.current_page is not None:
            self.show_page(self.painted, self.current_page, cursor)

    def same_rows(self, page: Page[Conversation]) -> bool:
        """Whether ``page`` would draw the rows on screen (same conversations, dates, read, labels)."""
        current = self.current_page
        if current is None:
            return False
        return [(c.id, c.updated_at_raw, c.unread, c.effective_label) for c in current.items] == [
            (c.id, c.updated_at_raw, c.unread, c.effective_label) for c in page.items
        ]

    def absorb_poll(self, key: PageKey, page: Page[Conversation], *, asked_at: float) -> PollResult:
        """A polled first page: cached and counted (for *its* folder); what it means for the screen.

        A result for a folder or search the user has left since the poll was asked is stale for
        the screen: it is kept (the page and its folder's count), never painted or announced.
        """
        before = self.pages.get(key)
        self.page_arrived(key, page)
        if not key.search:
            self.set_folder_count(key.folder, page.total_count, asked_at=asked_at)
        if (key.folder, key.search) != (self.folder, self.search):
            return PollResult(current=False)
        old = {c.id: c.updated_at_raw for c in (before.value.items if before else ())}
        if not old and self.painted == key and self.current_page is not None:
            old = {c.id: c.updated_at_raw for c in self.current_page.items}
        new = [c.id for c in page.items if old and c.id not in old]
        updated = frozenset(c.id for c in page.items if old and c.id in old and old[c.id] != c.updated_at_raw)
        repaint = self.painted == key and not self.same_rows(page)
        return PollResult(current=True, repaint=repaint, fresh=len(new) + len(updated), updated=updated)

    def forget_copies(self) -> None:
        """Every cached page and fresh copy dropped (ctrl+r): the next reads come from the server."""
        self.pages.clear()
        self._fresh.clear()

    def page_is_fresh(self, seconds: float) -> bool:
        """The page on screen came from the server less than ``seconds`` ago."""
        cached = self.pages.get(self.painted) if self.painted is not None else None
        return cached is not None and cached.age < seconds

    # -- folder counts -------------------------------------------------------------------------------

    def set_folder_count(self, folder: str, count: int, *, asked_at: float) -> bool:
        """``folder``'s total, as the server said for a request asked at ``asked_at`` (monotonic).

        An answer to an older request than the count already shown is dropped (``False``): a
        slow poll must not put back a number that a newer request has replaced.
        """
        if asked_at < self._count_as_of.get(folder, float("-inf")):
            return False
        self._count_as_of[folder] = asked_at
        if self.folder_counts.get(folder) != count:
            self.folder_counts[folder] = count
            self._emit(ChangeKind.FOLDERS, (folder,))
        return True

    # -- conversations -------------------------------------------------------------------------------

    def server_copy(self, conversation_id: str) -> Conversation | None:
        """The freshest copy the server sent: a re-read, else the page on screen, else any cached page."""
        fresh = self._fresh.get(conversation_id)
        if fresh is not None:
            return fresh
        if self.current_page is not None:
            for conversation in self.current_page.items:
                if conversation.id == conversation_id:
                    return conversation
        return next((c for page in self.pages.values() for c in page.items if c.id == conversation_id), None)

    def freshest(self, conversation_ids: Iterable[str]) -> dict[str, Conversation]:
        """For each id, of every copy held (a re-read, the page on screen, cached pages), the one
        that knows most: the most messages, then the latest activity. ``server_copy`` prefers a
        re-read even when a poll has since brought a page with a newer message in it."""
        wanted = set(conversation_ids)
        best: dict[str, Conversation] = {}
        pages = [self.current_page] if self.current_page is not None else []
        for copy in (*self._fresh.values(), *(c for page in [*pages, *self.pages.values()] for c in page.items)):
            if copy.id in wanted and (copy.id not in best or _knows_more(copy, best[copy.id])):
                best[copy.id] = copy
        return best

    def fresh_copies(self) -> list[Conversation]:
        """The single conversations re-read (or replied to) since their page came, oldest first."""
        return list(self._fresh.values())

    def conversation(self, conversation_id: str) -> Conversation | None:
        """The conversation as the user should see it (``None`` if no copy is loaded)."""
        raw = self.server_copy(conversation_id)
        return self.shown(raw) if raw is not None else None

    def shown(self, conversation: Conversation) -> Conversation:
        """``conversation`` with the changes not yet confirmed and the read marks kept here applied."""
        pending = self._pending.get(conversation.id)
        if pending is not None:
            if pending.expired(conversation, self.monotonic()):
                del self._pending[conversation.id]
            else:
                conversation = pending.apply(conversation)
        read = self.local.read_state(conversation.id, len(conversation.messages))
        if read is not None and conversation.unread == read:
            conversation = conversation.with_read(read)
        return conversation

    def local_label(self, conversation_id: str) -> str | None:
        """A label kept on this machine because the server cannot store labels."""
        return self.local.label(conversation_id)

    def manual_label(self, conversation_id: str) -> str | None:
        """The label the user chose (kept here or on the server), as shown; ``None``: the AI's shows."""
        local = self.local.label(conversation_id)
        if local:
            return local
        shown = self.conversation(conversation_id)
        return shown.label_override if shown is not None else None

    def remember(self, conversation: Conversation) -> None:
        """A fresher copy of one conversation (a re-read, a reply sent): its row and thread follow."""
        self._fresh.pop(conversation.id, None)
        self._fresh[conversation.id] = conversation
        while len(self._fresh) > FRESH_LIMIT:
            self._fresh.pop(next(iter(self._fresh)))
        position = self._row_position(conversation.id)
        if position is not None:
            self._replace_row(position, self._build_row(conversation, self.clock.now()))
        self._note_activity(conversation)
        with self.batch():
            self._emit(ChangeKind.CONTENT, (conversation.id,))
            self._emit(ChangeKind.COUNTS)

    def store_saved(self, conversation: Conversation) -> None:
        """A copy the server confirmed (after a triage change): put it wherever one is kept."""

        def swap(page: Page[Conversation]) -> Page[Conversation]:
            if not any(c.id == conversation.id for c in page.items):
                return page
            return replace(page, items=tuple(conversation if c.id == conversation.id else c for c in page.items))

        if conversation.id in self._fresh:
            self._fresh[conversation.id] = conversation
        if self.current_page is not None:
            self.current_page = swap(self.current_page)
        self.pages.map_values(swap)
        self.restyle(conversation.id)

    def gone(self, conversation_id: str) -> None:
        """The server says this conversation no longer exists: no mark or fresh copy of it stays."""
        self._fresh.pop(conversation_id, None)
        self.unmark(conversation_id)

    # -- triage state (changed by TriageService) -------------------------------------------------

    @property
    def has_pending(self) -> bool:
        return bool(self._pending)

    def pending(self, conversation_id: str) -> Pending | None:
        return self._pending.get(conversation_id)

    def add_pending(self, conversation: Conversation, change: Change, seq: int) -> None:
        """Show ``change`` at once, before the server confirms it (request ``seq``)."""
        pending = self._pending.setdefault(conversation.id, Pending(len(conversation.messages)))
        pending.add(change, seq, len(conversation.messages))
        self.restyle(conversation.id)

    def settle_pending(self, conversation_id: str, seq: int, *, ok: bool) -> None:
        """Request ``seq`` finished; a failed one takes back only what no later request set."""
        pending = self._pending.get(conversation_id)
        if pending is not None:
            pending.done(seq, self.monotonic(), ok=ok)
            if not ok and pending.empty:
                del self._pending[conversation_id]
        self.restyle(conversation_id)

    def keep_locally(self, conversation: Conversation, change: Change) -> None:
        """Record ``change`` on this machine; what equals the server's own state is forgotten."""
        if change.set_label:
            same = change.label == conversation.label_override
            self.local.set_label(conversation.id, None if same or change.label is None else change.label)
        if change.read is not None:
            same = change.read != conversation.unread
            self.local.set_read(conversation.id, None if same else change.read, len(conversation.messages))
        self.restyle(conversation.id)

    def drop_local_label(self, conversation_id: str) -> bool:
        """Forget a label kept here (the server keeps labels now); ``True`` if there was one."""
        if not self.local.label(conversation_id):
            return False
        self.local.set_label(conversation_id, None)
        self.restyle(conversation_id)
        return True

    @property
    def blocked(self) -> frozenset[str]:
        """Conversations whose sender was blocked in this session (they count as triaged)."""
        return frozenset(self._blocked)

    def set_blocked(self, conversation_id: str, blocked: bool) -> None:
        if blocked:
            self._blocked.add(conversation_id)
        else:
            self._blocked.discard(conversation_id)
        self.restyle(conversation_id)

    def restyle(self, conversation_id: str) -> None:
        """Announce that one conversation's triage state changed; its row is patched, not rebuilt."""
        position = self._row_position(conversation_id)
        raw = self.server_copy(conversation_id)
        if position is not None and raw is not None:
            row = self._all_rows[position]
            patched = row_with_triage(row, self.shown(raw), self.local.label(conversation_id))
            if patched != row:
                self._replace_row(position, patched)
        with self.batch():
            self._emit(ChangeKind.ROWS, (conversation_id,))
            self._emit(ChangeKind.COUNTS)

    def needs_triage(self, conversation_id: str) -> bool:
        conversation = self.conversation(conversation_id)
        if conversation is None:
            return False
        label = self.local.label(conversation_id) or conversation.label_override
        return conversation_needs_triage(conversation, label, self._blocked)

    def counts(self) -> PageCounts:
        """Where the page on screen is, and its unread and to-triage counts (the API has neither)."""
        page = self.current_page
        if page is not None:
            search = self.painted.search if self.painted is not None else self.search
            if not page.items:
                return PageCounts(self.page_number, page.total_pages, page.total_count, search, None, None)
            shown = [(self.shown(c), self.local.label(c.id)) for c in page.items if c.id not in self._hidden]
            unread = sum(1 for c, _ in shown if c.unread)
            to_triage = sum(
                1 for c, local in shown if conversation_needs_triage(c, local or c.label_override, self._blocked)
            )
            return PageCounts(self.page_number, page.total_pages, page.total_count, search, unread, to_triage)
        if self.from_disk:
            total_pages, total_count = self._disk_totals
            unread = sum(1 for row in self.rows if row.unread)
            to_triage = sum(1 for row in self.rows if needs_triage(row, self._blocked))
            return PageCounts(1, total_pages, total_count, "", unread, to_triage)
        return PageCounts(self.page_number, 0, None, self.search, None, None)

    # -- the label filter --------------------------------------------------------------------------

    def set_label_filter(self, label: str | None, cursor: int | str = 0) -> None:
        """Show only ``label`` on the loaded page (``None``: everything)."""
        self.label_filter = label
        self.repaint(cursor)

    # -- the follow-ups overlay ----------------------------------------------------------------------

    def set_overlay(
        self,
        *,
        hidden: Iterable[str] = (),
        pinned: Mapping[str, Sequence[str]] | None = None,
        notes: Mapping[str, RowNote] | None = None,
    ) -> None:
        """Snoozed conversations leave every list; those back from a snooze or a reminder go atop
        page 1 of their folder (``pinned``: folder -> ids, first on top); ``notes`` go on rows.

        Like the label filter, an overlay on what the server sent: the rows re-flow, and a cursor
        whose conversation was hidden moves on to the next row (the previous one at the end). A
        pin taken away waits for the next paint. Nothing is announced when nothing changed.
        """
        hidden = frozenset(hidden)
        pinned_now = {folder: tuple(ids) for folder, ids in (pinned or {}).items() if ids}
        notes_now = {cid: note for cid, note in (notes or {}).items() if note != _NO_NOTE}
        # A conversation unpinned (opened, no longer "back") stays where it is until the next paint:
        # the row the user just opened must not jump away from under the cursor.
        added = any(cid not in self._pinned.get(folder, ()) for folder, ids in pinned_now.items() for cid in ids)
        reflow = hidden != self._hidden or added
        renoted = {cid for cid in set(notes_now) | set(self._notes) if notes_now.get(cid) != self._notes.get(cid)}
        cursor = self._cursor_after_hiding(hidden)
        self._hidden, self._pinned, self._notes = hidden, pinned_now, notes_now
        if reflow:
            self._reflow(cursor)
        elif renoted:
            self._renote(renoted)

    def repin(self) -> None:
        """Pinned conversations whose copy arrived after page 1 was painted join its top."""
        key = self.painted
        if key is None or key.page != 1 or key.search:
            return
        late = [
            cid for cid in self._pinned.get(key.folder, ())
            if cid not in self._hidden and self._row_position(cid) is None and self.server_copy(cid) is not None
        ]
        if late:
            self._reflow(self.cursor_id or 0)

    def is_hidden(self, conversation_id: str) -> bool:
        return conversation_id in self._hidden

    def note(self, conversation_id: str) -> RowNote:
        return self._notes.get(conversation_id, _NO_NOTE)

    def _cursor_after_hiding(self, hidden: frozenset[str]) -> str | int:
        """Where the cursor goes when its row is hidden: the next row still shown, else the one before."""
        current = self.cursor_id
        if current is None or current not in hidden:
            return current if current is not None else 0
        start = self.index_of(current)
        after = [row.id for row in self.rows[start + 1:] if row.id not in hidden]
        before = [row.id for row in self.rows[:max(0, start)] if row.id not in hidden]
        return after[0] if after else (before[-1] if before else 0)

    def _reflow(self, cursor: str | int) -> None:
        if self.painted is not None and self.current_page is not None:
            self.show_page(self.painted, self.current_page, cursor)
        elif self._all_rows:
            self._all_rows = [self._noted(row) for row in self._all_rows]
            self._show_rows(cursor)

    def _renote(self, conversation_ids: set[str]) -> None:
        changed = []
        for position, row in enumerate(self._all_rows):
            if row.id in conversation_ids:
                noted = self._noted(row)
                if noted != row:
                    self._replace_row(position, noted)
                    changed.append(row.id)
        if changed:
            self._emit(ChangeKind.ROWS, changed)

    def _with_pinned(self, key: PageKey, items: Sequence[Conversation]) -> Sequence[Conversation]:
        """Page 1 of a folder (no search) starts with the conversations pinned to it."""
        pinned = self._pinned.get(key.folder, ()) if key.page == 1 and not key.search else ()
        if not pinned:
            return items
        on_page = {c.id: c for c in items}
        first = []
        for conversation_id in pinned:
            copy = on_page.get(conversation_id) or self.server_copy(conversation_id)
            if copy is not None and copy.id not in {c.id for c in first}:
                first.append(copy)
        ids = {c.id for c in first}
        return [*first, *(c for c in items if c.id not in ids)]

    # -- rows ---------------------------------------------------------------------------------------

    def row(self, conversation_id: str) -> ConversationRow | None:
        return next((row for row in self.rows if row.id == conversation_id), None)

    def index_of(self, conversation_id: str | None) -> int:
        return next((i for i, row in enumerate(self.rows) if row.id == conversation_id), -1)

    def _build_row(self, conversation: Conversation, now: datetime) -> ConversationRow:
        return self._noted(build_row(self.shown(conversation), now, local_label=self.local.label(conversation.id)))

    def _noted(self, row: ConversationRow) -> ConversationRow:
        """``row`` with what only this model knows: its follow-up note and its bulk mark."""
        note = self._notes.get(row.id, _NO_NOTE)
        if (row.woken, row.away) != (note.woken, note.away):
            row = replace(row, woken=note.woken, away=note.away)
        return self._with_mark(row)

    def _with_mark(self, row: ConversationRow) -> ConversationRow:
        marked = row.id in self._marks
        return row if row.marked == marked else replace(row, marked=marked)

    def _visible(self, rows: list[ConversationRow]) -> list[ConversationRow]:
        rows = [row for row in rows if row.id not in self._hidden]
        if not self.label_filter:
            return rows
        name = label_name(self.label_filter)
        return [row for row in rows if row.label == name]

    def _show_rows(self, cursor: int | str) -> None:
        self.rows = self._visible(self._all_rows)
        if isinstance(cursor, str):
            index = max(0, self.index_of(cursor))
        else:
            index = cursor if cursor >= 0 else len(self.rows) + cursor
        index = max(0, min(index, len(self.rows) - 1))
        self.cursor_id = self.rows[index].id if self.rows else None
        self._emit(ChangeKind.PAGE, tuple(row.id for row in self.rows))  # (its counts with it)

    def _row_position(self, conversation_id: str) -> int | None:
        return next((i for i, row in enumerate(self._all_rows) if row.id == conversation_id), None)

    def _replace_row(self, position: int, row: ConversationRow) -> None:
        old = self._all_rows[position]
        self._all_rows[position] = row
        self.rows = [row if shown is old else shown for shown in self.rows]

    # -- selection: the cursor and marks ------------------------------------------------------------

    def select(self, conversation_id: str | None) -> None:
        """Move the cursor to ``conversation_id`` (the list follows)."""
        if conversation_id == self.cursor_id:
            return
        before, self.cursor_id = self.cursor_id, conversation_id
        self._emit(ChangeKind.SELECTION, {i for i in (before, conversation_id) if i is not None})

    def next_needing_triage(self, after: str) -> str | None:
        """The next row needing triage after ``after`` on this page (wrapping round), if any."""
        start = self.index_of(after)
        if start < 0:
            start = max(0, self.index_of(self.cursor_id))
        index = next_needing_triage(self.rows, start, self._blocked)
        return self.rows[index].id if index is not None else None

    def first_needing_triage(self) -> str | None:
        index = first_needing_triage(self.rows, self._blocked)
        return self.rows[index].id if index is not None else None

    def mark(self, *conversation_ids: str) -> None:
        """Mark conversations for an action on several at once; marks survive page turns."""
        added = [i for i in conversation_ids if i and i not in self._marks]
        for conversation_id in added:
            known = self.server_copy(conversation_id)
            self._marks[conversation_id] = _Mark(self.folder, known.updated_at if known is not None else None)
        if added:
            self._restyle_marks(added)
            self._emit(ChangeKind.SELECTION, added)

    def unmark(self, *conversation_ids: str) -> None:
        removed = [i for i in conversation_ids if self._marks.pop(i, None) is not None]
        if removed:
            self._restyle_marks(removed)
            self._emit(ChangeKind.SELECTION, removed)

    def toggle_mark(self, conversation_id: str) -> bool:
        """Mark ``conversation_id``, or unmark it if it was; ``True`` when it is marked now."""
        if conversation_id in self._marks:
            self.unmark(conversation_id)
            return False
        self.mark(conversation_id)
        return True

    def _restyle_marks(self, conversation_ids: list[str]) -> None:
        """The rows of these conversations drawn with (or without) their mark."""
        for conversation_id in conversation_ids:
            position = self._row_position(conversation_id)
            if position is not None:
                row = self._all_rows[position]
                patched = self._with_mark(row)
                if patched is not row:
                    self._replace_row(position, patched)

    def clear_marks(self) -> None:
        self.unmark(*self._marks)

    def marked(self) -> tuple[str, ...]:
        """The marked conversations, in the order they were marked."""
        return tuple(self._marks)

    def is_marked(self, conversation_id: str) -> bool:
        return conversation_id in self._marks

    def loaded_conversations(self) -> list[Conversation]:
        """Every conversation a copy is loaded of (each once, as the user sees it): for counts over them."""
        seen: dict[str, Conversation] = {}
        for page in [self.current_page, *self.pages.values()]:
            for conversation in page.items if page is not None else ():
                seen.setdefault(conversation.id, conversation)
        seen.update(self._fresh)
        return [self.shown(conversation) for conversation in seen.values()]

    def _note_activity(self, conversation: Conversation) -> None:
        mark = self._marks.get(conversation.id)
        if mark is not None and conversation.updated_at is not None:
            mark.activity = conversation.updated_at

    def _track_marks(self, key: PageKey, page: Page[Conversation]) -> None:
        """Marks follow what pages say; a conversation gone from its folder loses its mark.

        Gone means: seen in another folder, or missing from a fresh first page that must hold
        it. Activity only grows and pages run newest first, so a conversation last seen newer
        than the oldest on page 1 is on page 1 while it is in the folder (and when page 1 is
        the whole folder, anything missing from it has left).
        """
        if not self._marks:
            return
        here = {c.id: c for c in page.items}
        gone = []
        for conversation_id, mark in self._marks.items():
            seen = here.get(conversation_id)
            if seen is not None:
                if seen.updated_at is not None:
                    mark.activity = seen.updated_at
                if key.folder != mark.folder:
                    gone.append(conversation_id)
            elif key.page == 1 and not key.search and key.folder == mark.folder and _must_be_on(mark, page, key.page_size):
                gone.append(conversation_id)
        self.unmark(*gone)


def _knows_more(candidate: Conversation, known: Conversation) -> bool:
    if len(candidate.messages) != len(known.messages):
        return len(candidate.messages) > len(known.messages)
    a, b = candidate.activity_at, known.activity_at
    try:
        return a is not None and (b is None or a > b)
    except TypeError:  # a naive date against an aware one
        return False


def _must_be_on(mark: _Mark, first_page: Page[Conversation], page_size: int) -> bool:
    """Whether a conversation still in the folder would be on this first page.

    A short first page is the whole folder (a full one may be a guess: a server without
    pagination metadata makes "one page" of any full page).
    """
    if first_page.total_pages <= 1 and len(first_page.items) < page_size:
        return True
    dates = [c.updated_at for c in first_page.items if c.updated_at is not None]
    if mark.activity is None or not dates:
        return False
    try:
        return mark.activity > min(dates)
    except TypeError:  # a naive date against an aware one: cannot tell
        return False
