"""The main screen: folders, one page of conversations, and the open thread.

Page loads run in an exclusive worker (a newer request cancels the older one, and a stale
result is never painted); the next page is prefetched so a page turn does not wait for the
network; the first page is polled in the background for new replies.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.events import Resize, ScreenResume
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Header
from textual.worker import Worker, WorkerState

from ...api.errors import ReachkitError
from ...api.models import Conversation, Message, Page
from ...render.thread import ConversationRow, ThreadDocument, build_row, row_with_local
from ...render.triage import needs_triage
from ...store.page_cache import PageCache
from ...store.row_cache import RowCache, workspace_key
from ..widgets.composer import Composer
from ..widgets.conversation_list import ConversationList
from ..widgets.downloads_panel import DownloadsPanel
from ..widgets.folder_bar import Folder, FolderBar
from ..widgets.key_bar import KeyBar
from ..widgets.inbox_alert import InboxAlert
from ..widgets.lead_context import LeadContext
from ..widgets.list_status import ListStatus
from ..widgets.search_bar import SearchBar
from ..widgets.thread_header import ThreadHeader
from ..widgets.thread_view import ThreadView
from .triage import TriageMixin

if TYPE_CHECKING:
    from ..app import UniboxApp

__all__ = ["InboxScreen"]

log = logging.getLogger(__name__)

FOLDERS = ("primary", "others")
OTHERS_HINT = "Non-campaign mail; empty when the workspace does not store it."
OTHERS_EMPTY = (
    "Others is empty.\n"
    "It holds mail that is not about a campaign, and a workspace can switch off "
    "storing that mail, so an empty Others is normal."
)
#: How long a cached page is shown without asking the server again.
FRESH_SECONDS = 30.0
#: Delay between the list cursor moving and the thread pane following it.
FOLLOW_DELAY = 0.12
MAX_POLL_BACKOFF = 600.0
#: How long after opening a conversation from a fresh page it is re-read from the server.
REFRESH_DELAY = 1.5


@dataclass(frozen=True, slots=True)
class PageKey:
    folder: str
    search: str
    page: int
    page_size: int

    def at(self, page: int) -> PageKey:
        return PageKey(self.folder, self.search, page, self.page_size)


class InboxScreen(TriageMixin, Screen[None]):
    """Folders -> conversations -> thread; everything the SDR triages from (triage: TriageMixin)."""

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-medium"), (140, "-wide")]

    BINDINGS = [
        Binding("slash", "search", "Search", id="inbox.search"),
        Binding("right_square_bracket", "next_page", "Next page", id="inbox.next_page"),
        Binding("left_square_bracket", "previous_page", "Prev page", id="inbox.previous_page"),
        Binding("ctrl+r", "refresh", "Refresh", id="inbox.refresh"),
        Binding("s", "save_attachments", "Save files", id="inbox.save_attachments"),
        Binding("S", "toggle_downloads", "Downloads", show=False, id="inbox.downloads"),
        Binding("escape", "back", "Back", show=False, id="inbox.back"),
        Binding("c", "cycle_folder", "Next folder (Primary / Others)", show=False, id="inbox.folder_cycle"),
        Binding("r", "reply", "Reply", id="inbox.reply"),
        Binding("D", "drafts", "Drafts", show=False, id="inbox.drafts"),
        Binding("A", "add_lead", "Add lead", show=False, id="inbox.add_lead"),
        Binding("i", "lead_details", "Lead details", show=False, id="inbox.lead_details"),
    ]

    #: Where the folder bar becomes a one-line strip.
    STRIP_BELOW = 140

    def __init__(self) -> None:
        super().__init__()
        # The width classes Textual adds on the first resize, added now: restyling the whole
        # screen for them after mount cost a busy machine ~20 ms of start-up.
        width = self.app.size.width
        self.add_class(next(name for edge, name in reversed(self.HORIZONTAL_BREAKPOINTS) if width >= edge))
        self.folder = "primary"
        self.search = ""
        self.page_number = 1
        self.current_page: Page[Conversation] | None = None
        self.pages: PageCache[Page[Conversation]] = PageCache(capacity=12)
        self.document: ThreadDocument | None = None
        self.open_id: str | None = None
        self._wanted: PageKey | None = None
        self._painted: PageKey | None = None
        #: The page whose load failed last: what ctrl+r retries (None once another load starts).
        self._retry: PageKey | None = None
        self._saved_position: tuple[int, str | None] | None = None
        self._follow_timer: Timer | None = None
        self._refresh_timer: Timer | None = None
        self._poll_timer: Timer | None = None
        self._poll_delay = 0.0
        self._fresh: dict[str, Conversation] = {}
        self._first_ids: dict[str, tuple[str, ...]] = {}
        #: The rows on screen came from the disk cache: no conversation behind them yet.
        self._from_disk = False
        self._side_loads_started = False
        #: Per folder, the page 1 last written to the disk cache (not written twice).
        self._saved_first: dict[str, Page[Conversation]] = {}

    @property
    def unibox(self) -> UniboxApp:
        return self.app  # type: ignore[return-value]

    # -- layout ------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="✉")
        with Horizontal(id="body"):
            yield FolderBar(
                [
                    Folder("primary", "Primary"),
                    Folder("others", "Others"),
                    Folder("drafts", "Drafts", group=1),
                    Folder("campaigns", "Campaigns", group=1),
                    Folder("inboxes", "Inboxes", group=1),
                    Folder("blocklist", "Blocklist", group=1),
                ],
                id="folders",
                classes="-strip" if self.app.size.width < self.STRIP_BELOW else None,
            )
            with Vertical(id="list-pane"):
                yield SearchBar(id="search")
                yield ConversationList(id="conversations")
                yield InboxAlert(id="inbox-alert")
                yield ListStatus(id="list-status")
            with Vertical(id="thread-pane"):
                yield ThreadHeader(id="thread-header")
                yield LeadContext(id="lead-context")
                yield ThreadView(id="thread")
                yield Composer(id="composer")
        yield DownloadsPanel(id="downloads")
        yield KeyBar()

    @property
    def conversation_list(self) -> ConversationList:
        return self.query_one(ConversationList)

    @property
    def thread_view(self) -> ThreadView:
        return self.query_one(ThreadView)

    @property
    def status(self) -> ListStatus:
        return self.query_one(ListStatus)

    @property
    def folder_bar(self) -> FolderBar:
        return self.query_one(FolderBar)

    def on_mount(self) -> None:
        self.folder_bar.select(self.folder)
        self.conversation_list.focus()
        self._update_titles()
        if not self.unibox.has_session:
            return  # the welcome screen (pushed by the app) asks for a key
        key = self._key(1)
        if self._paint_from_disk(key):
            # The first frame shows last time's rows; the network (and building the client,
            # which imports httpx) waits until that frame is on the terminal.
            self._wanted = key
            self.conversation_list.when_painted(lambda: self._fetch_page(key, None))
        else:
            self.load_page(1)

    def _start_side_loads(self) -> None:
        """After the first page: folder counts, drafts, the inbox check, polling (never before it)."""
        if self._side_loads_started:
            return
        self._side_loads_started = True
        self.count_drafts()
        self._load_other_counts()
        self.query_one(InboxAlert).check()
        self._schedule_poll()

    def on_resize(self, event: Resize) -> None:
        self.folder_bar.set_class(event.size.width < self.STRIP_BELOW, "-strip")

    def _update_titles(self) -> None:
        self.title = "unibox-tui"
        where = "Primary" if self.folder == "primary" else "Others"
        self.sub_title = f"{where} · {self.unibox.workspace_label}"

    # -- loading pages -----------------------------------------------------------------------------

    def _key(self, page: int) -> PageKey:
        return PageKey(self.folder, self.search, page, self.unibox.settings.page_size)

    def load_page(self, page: int, *, cursor: int | str | None = 0, force: bool = False) -> None:
        """Show ``page``: from the cache at once if we have it, else fetched (stale ones dropped)."""
        page = max(1, page)
        key = self._key(page)
        self._wanted = key
        failed, self._retry = self._retry, None
        cached = None if force else self.pages.get(key)
        if cached is not None:
            # What was asked is on screen: a load still on its way for another page is stale now.
            self.status.loading = False
            if failed is not None:
                self.status.note = ""
            self._paint(key, cached.value, cursor)
            if cached.age > FRESH_SECONDS:
                self.status.stale = True
                # Already painted at ``cursor``: a changed page keeps the row the user is on by then.
                self._fetch_page(key, None, repaint_only_if_changed=True)
            else:
                self._prefetch_around(key, cached.value)
            return
        if not force and self._paint_from_disk(key):
            self._fetch_page(key, None)  # the network page replaces it, on the same conversation
            return
        self.status.loading = True
        self.status.page = page
        if not self.conversation_list.rows:
            self.conversation_list.show_message("Loading conversations…")
        self._fetch_page(key, cursor)

    def _row_cache(self) -> RowCache | None:
        """This workspace's first pages on disk; none for the demo (a new server every run)."""
        settings = self.unibox.settings
        if settings.demo or not settings.api_key:
            return None
        from ...config import cache_dir

        server = self.unibox._normalised_base_url()
        return RowCache(cache_dir(), workspace_key(settings.profile, server, settings.api_key))

    def _paint_from_disk(self, key: PageKey) -> bool:
        """Page 1 as it was last seen, marked "cached, refreshing" until the network answers.

        Not while triage changes are unsaved: a row from disk cannot show them.
        """
        if key.page != 1 or key.search or self._pending:
            return False
        cache = self._row_cache()
        cached = cache.load(key.folder, key.page_size, now=self.unibox.clock.now()) if cache is not None else None
        if cached is None or not cached.rows:
            return False
        local = self.unibox.local_triage
        rows = self.visible_rows(
            [row_with_local(row, local.label(row.id), local.read_state(row.id, row.count)) for row in cached.rows]
        )
        if not rows:
            return False  # the label filter hides them all: wait for the real page
        self.current_page = None
        self._painted = None
        self.page_number = 1
        self._from_disk = True
        self.conversation_list.set_rows(rows, cursor=0)
        status = self.status
        status.page = 1
        status.total_pages = cached.total_pages
        status.total_count = cached.total_count
        status.search = ""
        status.unread = sum(1 for row in rows if row.unread)
        status.to_triage = sum(1 for row in rows if needs_triage(row, self._blocked))
        status.stale = True
        self.folder_bar.set_count(key.folder, cached.total_count)
        return True

    def _save_first_page(self, key: PageKey, page: Page[Conversation]) -> None:
        """Keep page 1 of a folder (no search) on disk for the next start: rows as the server sent them."""
        if key.page != 1 or key.search or self._saved_first.get(key.folder) is page:
            return
        cache = self._row_cache()
        if cache is None:
            return
        self._saved_first[key.folder] = page
        self._write_rows(cache, key, page)

    @work(thread=True, group="row-cache", exit_on_error=False, description="Caching the first page")
    def _write_rows(self, cache: RowCache, key: PageKey, page: Page[Conversation]) -> None:
        now = self.unibox.clock.now()
        rows = [build_row(conversation, now) for conversation in page.items]
        when = [_epoch(conversation.activity_at) for conversation in page.items]
        cache.save(key.folder, key.page_size, rows, page.total_count, page.total_pages, when)

    @work(exclusive=True, group="list", exit_on_error=False, description="Loading conversations")
    async def _fetch_page(
        self, key: PageKey, cursor: int | str | None, repaint_only_if_changed: bool = False
    ) -> None:
        client = self.unibox.client
        if client is None:
            return
        try:
            page = await client.list_conversations(
                page=key.page, page_size=key.page_size, search=key.search or None, folder=key.folder
            )
        except asyncio.CancelledError:
            raise
        except ReachkitError as error:
            if key == self._wanted:
                self.status.loading = False
                self.status.stale = self._from_disk
                self._list_failed(key, error)
            self._start_side_loads()
            return
        self.pages.put(key, page)
        self._start_side_loads()
        if key != self._wanted:
            return  # the user has moved on: never paint a stale page
        self.status.loading = False
        self.status.stale = False
        self.status.note = ""
        if repaint_only_if_changed and self._painted == key and self._same_rows(page):
            self._update_counts(key, page)
        else:
            self._paint(key, page, cursor)
        self._prefetch_around(key, page)

    def _same_rows(self, page: Page[Conversation]) -> bool:
        current = self.current_page
        if current is None:
            return False
        return [(c.id, c.updated_at_raw, c.unread, c.effective_label) for c in current.items] == [
            (c.id, c.updated_at_raw, c.unread, c.effective_label) for c in page.items
        ]

    def _paint(self, key: PageKey, page: Page[Conversation], cursor: int | str | None) -> None:
        if page.items == () and key.page > 1 and page.total_pages and key.page > page.total_pages:
            # Past the end (the folder shrank): go to the real last page instead.
            self.load_page(page.total_pages, cursor=-1)
            return
        self.current_page = page
        self.page_number = key.page
        self._painted = key
        self._from_disk = False
        self._save_first_page(key, page)
        now = self.unibox.clock.now()
        rows = self.visible_rows([self._row(conversation, now) for conversation in page.items])
        listing = self.conversation_list
        if rows:
            listing.set_rows(rows, cursor=cursor)
        else:
            listing.show_message(self._empty_text(key))
            self.thread_view.show_placeholder("Nothing to read here.")
            self.query_one(ThreadHeader).show(None)
            self.query_one(LeadContext).show_for(None)
            self.open_id = None
        self._update_counts(key, page)
        self.triage_painted()

    def repaint(self) -> None:
        """Paint the loaded page again (the label filter changed), keeping the cursor's row."""
        if self._painted is not None and self.current_page is not None:
            self._paint(self._painted, self.current_page, None)

    def _row(self, conversation: Conversation, now: datetime) -> ConversationRow:
        return build_row(self.triaged(conversation), now, local_label=self.unibox.local_label(conversation.id))

    def _empty_text(self, key: PageKey) -> str:
        if key.search:
            return f"No conversations match this search in {key.folder.title()}."
        if key.folder == "others":
            return OTHERS_EMPTY
        return "No conversations yet."

    def _update_counts(self, key: PageKey, page: Page[Conversation]) -> None:
        status = self.status
        status.page = key.page
        status.total_pages = page.total_pages
        status.total_count = page.total_count
        status.search = key.search
        if not key.search:
            self.folder_bar.set_count(key.folder, page.total_count)
            if key.folder == "others":
                self.folder_bar.set_hint("others", OTHERS_HINT if page.total_count == 0 else "")

    def _list_failed(self, key: PageKey, error: ReachkitError) -> None:
        """Say so; ctrl+r retries ``key``, and ``]``/``[`` count from the page still on screen."""
        self._retry = key
        if not self.conversation_list.rows:
            self.conversation_list.show_message(f"{error} Press ctrl+r to retry.")
            self.status.note = "could not load; ctrl+r retries"
        else:
            if self._painted is not None:
                self._wanted = self._painted
                self.status.page = self._painted.page
            self.status.note = f"page {key.page} could not load; ctrl+r retries"
        self.unibox.show_error(error, "Loading conversations")

    def _prefetch_around(self, key: PageKey, page: Page[Conversation]) -> None:
        wanted = []
        if key.page < page.total_pages:
            wanted.append(key.at(key.page + 1))
        if key.page > 1:
            wanted.append(key.at(key.page - 1))
        missing = [k for k in wanted if k not in self.pages]
        if missing:
            self._prefetch(missing)

    @work(exclusive=True, group="prefetch", exit_on_error=False, description="Prefetching")
    async def _prefetch(self, keys: list[PageKey]) -> None:
        client = self.unibox.client
        if client is None:
            return
        for key in keys:
            try:
                page = await client.list_conversations(
                    page=key.page, page_size=key.page_size, search=key.search or None, folder=key.folder
                )
            except ReachkitError:
                return  # a prefetch failing is not the user's problem
            self.pages.put(key, page)

    @work(group="counts", exit_on_error=False, description="Counting folders")
    async def _load_other_counts(self) -> None:
        """The folder we are not in still shows its count (one cheap request)."""
        client = self.unibox.client
        if client is None:
            return
        for folder in FOLDERS:
            if folder == self.folder:
                continue
            try:
                page = await client.list_conversations(page=1, page_size=1, folder=folder)
            except ReachkitError:
                continue
            self.folder_bar.set_count(folder, page.total_count)
            if folder == "others":
                self.folder_bar.set_hint("others", OTHERS_HINT if page.total_count == 0 else "")

    # -- paging and folders --------------------------------------------------------------------------

    def action_next_page(self) -> None:
        wanted = self._wanted.page if self._wanted else self.page_number
        total = self.current_page.total_pages if self.current_page else 0
        if total and wanted >= total:
            self.unibox.say("This is the last page.")
            return
        self.load_page(wanted + 1, cursor=0)

    def action_previous_page(self) -> None:
        wanted = self._wanted.page if self._wanted else self.page_number
        if wanted <= 1:
            self.unibox.say("This is the first page.")
            return
        self.load_page(wanted - 1, cursor=0)

    @on(ConversationList.PastEdge)
    def _past_edge(self, event: ConversationList.PastEdge) -> None:
        total = self.current_page.total_pages if self.current_page else 0
        if event.direction > 0 and self.page_number < total:
            self.load_page(self.page_number + 1, cursor=0)
        elif event.direction < 0 and self.page_number > 1:
            self.load_page(self.page_number - 1, cursor=-1)

    def action_cycle_folder(self) -> None:
        self.switch_folder(FOLDERS[(FOLDERS.index(self.folder) + 1) % len(FOLDERS)])

    @on(FolderBar.Selected)
    def _folder_selected(self, event: FolderBar.Selected) -> None:
        if event.key in FOLDERS:
            self.switch_folder(event.key)
            self.conversation_list.focus()
        else:
            self.unibox.open_room(event.key)

    def switch_folder(self, folder: str) -> None:
        if folder not in FOLDERS:
            return
        if folder == self.folder and not self.search:
            return
        self.folder = folder
        self.search = ""
        self._saved_position = None
        self.query_one(SearchBar).display = False
        self.folder_bar.select(folder)
        self._update_titles()
        self.load_page(1)
        self._load_other_counts()

    # -- search ---------------------------------------------------------------------------------------

    def action_search(self) -> None:
        bar = self.query_one(SearchBar)
        bar.display = True
        bar.value = self.search
        bar.focus()

    @on(SearchBar.Search)
    def _run_search(self, event: SearchBar.Search) -> None:
        query = event.query
        if not query:
            self._clear_search()
            return
        if self._saved_position is None:
            current = self.conversation_list.current_row
            self._saved_position = (self.page_number, current.id if current else None)
        self.search = query
        self.load_page(1)
        if event.final:
            self.query_one(SearchBar).display = False
            self.conversation_list.focus()

    @on(SearchBar.Cancelled)
    def _search_cancelled(self, event: SearchBar.Cancelled) -> None:
        self.query_one(SearchBar).display = False
        self.conversation_list.focus()

    def _clear_search(self) -> None:
        bar = self.query_one(SearchBar)
        bar.value = ""
        bar.display = False
        if not self.search:
            return
        self.search = ""
        page, conversation_id = self._saved_position or (1, None)
        self._saved_position = None
        self.load_page(page, cursor=conversation_id if conversation_id else 0)
        self.conversation_list.focus()

    # -- the thread pane ----------------------------------------------------------------------------

    @on(ConversationList.Highlighted)
    def _highlighted(self, event: ConversationList.Highlighted) -> None:
        if self._follow_timer is not None:
            self._follow_timer.stop()
        if event.row is None:
            return
        conversation_id = event.row.id
        if conversation_id == self.open_id:
            return
        self._follow_timer = self.set_timer(FOLLOW_DELAY, lambda: self.open_conversation(conversation_id))

    @on(ConversationList.Selected)
    def _selected(self, event: ConversationList.Selected) -> None:
        if self._follow_timer is not None:
            self._follow_timer.stop()  # else it reopens the thread (folding all) after this
        if self.conversation(event.row.id) is None:
            self._open_from_server(event.row)  # a row from the disk cache: no conversation yet
        elif event.row.id != self.open_id:
            self.open_conversation(event.row.id)
        self.triage_opened(event.row.id)
        if self.has_class("-narrow"):
            self.add_class("-reading")
        self.thread_view.focus()

    def conversation(self, conversation_id: str) -> Conversation | None:
        fresh = self._fresh.get(conversation_id)
        if fresh is not None:
            return fresh
        if self.current_page is not None:
            for conversation in self.current_page.items:
                if conversation.id == conversation_id:
                    return conversation
        return None

    @property
    def open_conversation_model(self) -> Conversation | None:
        return self.conversation(self.open_id) if self.open_id else None

    def open_conversation(self, conversation_id: str) -> None:
        """Show what we already have at once, then refresh it from the server."""
        conversation = self.conversation(conversation_id)
        if conversation is None:
            return
        conversation = self.triaged(conversation)
        self.open_id = conversation_id
        self.query_one(Composer).follow(conversation_id)
        self.document = ThreadDocument(conversation, now=self.unibox.clock.now())
        self.query_one(ThreadHeader).show(conversation, local_label=self.unibox.local_label(conversation_id))
        self.query_one(LeadContext).show_for(conversation)
        self.thread_view.show_document(self.document)
        if self._refresh_timer is not None:
            self._refresh_timer.stop()
        if self._page_is_fresh():
            # The list's copy is seconds old: show it, and re-read the conversation a moment
            # later so the re-read never competes with rendering what is already here.
            self._refresh_timer = self.set_timer(
                REFRESH_DELAY, lambda: self._refresh_if_open(conversation_id)
            )
        else:
            self._load_conversation(conversation_id)

    def _open_from_server(self, row: ConversationRow) -> None:
        """Enter on a row painted from the disk cache: fetch its conversation, then open it."""
        self.open_id = row.id
        self.document = None
        self.query_one(ThreadHeader).show(None)
        self.query_one(LeadContext).show_for(None)
        self.thread_view.show_placeholder("Loading the conversation…")
        self._fetch_to_open(row.id)

    async def _get_conversation(self, conversation_id: str) -> Conversation | ReachkitError | None:
        """The conversation from the server, the error that stopped it, or ``None`` with no session."""
        client = self.unibox.client
        if client is None:
            return None
        try:
            return await client.get_conversation(conversation_id)
        except ReachkitError as error:
            return error

    @work(exclusive=True, group="thread-open", exit_on_error=False, description="Opening the conversation")
    async def _fetch_to_open(self, conversation_id: str) -> None:
        conversation = await self._get_conversation(conversation_id)
        if conversation is None:
            return
        if isinstance(conversation, ReachkitError):
            if conversation_id == self.open_id and self.document is None:
                self.thread_view.show_placeholder("Could not load this conversation: ctrl+r retries.")
                self.unibox.show_error(conversation, "Opening the conversation")
            return
        if conversation_id != self.open_id:
            return  # the user has moved on
        self._fresh[conversation_id] = conversation
        self.open_conversation(conversation_id)
        self.triage_opened(conversation_id)

    def _refresh_if_open(self, conversation_id: str) -> None:
        if conversation_id == self.open_id:
            self._load_conversation(conversation_id)

    def _page_is_fresh(self) -> bool:
        cached = self.pages.get(self._painted) if self._painted is not None else None
        return cached is not None and cached.age < FRESH_SECONDS

    @work(exclusive=True, group="thread", exit_on_error=False, description="Loading conversation")
    async def _load_conversation(self, conversation_id: str) -> None:
        conversation = await self._get_conversation(conversation_id)
        if conversation is None:
            return
        if isinstance(conversation, ReachkitError):
            known = self.conversation(conversation_id)
            if conversation_id == self.open_id and known is not None:
                self.query_one(ThreadHeader).show(
                    self.triaged(known),
                    local_label=self.unibox.local_label(conversation_id),
                    note="could not refresh; ctrl+r retries",
                )
                log.info("conversation %s refresh failed: %s", conversation_id, conversation)
            return
        if conversation_id != self.open_id or self.document is None:
            return
        self.replace_conversation(conversation)

    def replace_conversation(self, conversation: Conversation) -> None:
        """A fresher copy of a conversation: update its row and, if open, its thread."""
        self._fresh[conversation.id] = conversation
        if len(self._fresh) > 200:
            self._fresh.pop(next(iter(self._fresh)))
        self.conversation_list.update_row(self._row(conversation, self.unibox.clock.now()))
        if conversation.id == self.open_id and self.document is not None:
            shown = self.triaged(conversation)
            self.document.adopt(shown)
            self.query_one(ThreadHeader).show(shown, local_label=self.unibox.local_label(conversation.id))
            self.thread_view.refresh_document()

    # -- replies ------------------------------------------------------------------------------------

    def action_reply(self) -> None:
        """Reply to the highlighted conversation from the list, else to the open one."""
        row = self.conversation_list.current_row
        target = row.id if row is not None and (self.focused is self.conversation_list or not self.open_id) else self.open_id
        if target is not None:
            self.reply_to(target)

    def action_drafts(self) -> None:
        self.unibox.open_room("drafts")

    def reply_to(self, conversation_id: str) -> None:
        """Open the composer on a conversation (fetched first if it is not on this page)."""
        conversation = self.conversation(conversation_id)
        if conversation is None:
            self._fetch_for_reply(conversation_id)
            return
        if conversation_id != self.open_id:
            self.open_conversation(conversation_id)
        composer = self.query_one(Composer)
        focused = self.focused
        refocus = focused if focused is not None and composer not in focused.ancestors_with_self else None
        session = self.unibox.workspace.sessions.open(conversation)
        if composer.open(session, conversation, lookup=self.conversation, refocus=refocus) and self.has_class("-narrow"):
            self.add_class("-reading")

    @work(exclusive=True, group="reply-open", exit_on_error=False, description="Opening the conversation")
    async def _fetch_for_reply(self, conversation_id: str) -> None:
        """Its own group: the open thread's background re-read must not cancel what the user asked for."""
        conversation = await self._get_conversation(conversation_id)
        if conversation is None:
            return
        if isinstance(conversation, ReachkitError):
            self.unibox.show_error(conversation, "Opening the draft's conversation")
            return
        self._fresh[conversation_id] = conversation
        self.reply_to(conversation_id)

    @on(Composer.Sent)
    def _reply_sent(self, event: Composer.Sent) -> None:
        """Show the reply in the thread and move its conversation to the top, as the server did."""
        conversation = event.conversation or self._with_reply(event.conversation_id, event.message)
        if conversation is not None:
            self.replace_conversation(conversation)
        self.pages.clear()
        listing = self.conversation_list
        index = listing.index_of(event.conversation_id)
        if self.page_number == 1 and not self.search and index > 0:
            current = listing.current_row
            rows = listing.rows[:]
            rows.insert(0, rows.pop(index))
            listing.set_rows(rows, cursor=current.id if current else 0)
        if self.page_number == 1:
            self.load_page(1, cursor=None, force=True)
        if event.conversation_id == self.open_id:
            self._load_conversation(event.conversation_id)

    def _with_reply(self, conversation_id: str, message: Message | None) -> Conversation | None:
        conversation = self.conversation(conversation_id)
        if conversation is None or message is None:
            return conversation
        if message.email_date is None:
            message = replace(message, email_date=self.unibox.clock.now())
        return replace(conversation, messages=(*conversation.messages, message), updated_at=message.email_date)

    @on(Composer.Closed)
    def _composer_closed(self, event: Composer.Closed) -> None:
        refocus = event.refocus
        if refocus is self.conversation_list and self.has_class("-narrow"):
            self.remove_class("-reading")
        if refocus is not None and refocus.is_attached and refocus.display:
            refocus.focus()
        elif self.focused is None or not self.focused.display:
            self.thread_view.focus() if self.open_id else self.conversation_list.focus()

    @on(Composer.DraftsChanged)
    def _drafts_changed(self, event: Composer.DraftsChanged) -> None:
        self.count_drafts()

    @work(group="drafts-count", exclusive=True, exit_on_error=False, description="Counting drafts")
    async def count_drafts(self) -> None:
        count = await asyncio.to_thread(self.unibox.drafts.count)
        self.folder_bar.set_count("drafts", count)
    # -- attachments --------------------------------------------------------------------------------

    def action_save_attachments(self) -> None:
        """``s``: the picker over the conversation on screen; the downloads panel saves the picks."""
        row = self.conversation_list.current_row
        conversation_id = row.id if row is not None and self.focused is self.conversation_list else self.open_id
        conversation = self.conversation(conversation_id) if conversation_id else None
        self.query_one(DownloadsPanel).pick_and_save(conversation)

    def action_toggle_downloads(self) -> None:
        self.query_one(DownloadsPanel).toggle()

    # -- refresh and polling ------------------------------------------------------------------------

    def action_refresh(self) -> None:
        self.pages.clear()
        self._fresh.clear()
        current = self.conversation_list.current_row
        page = self._retry.page if self._retry is not None else self.page_number
        self.load_page(page, cursor=current.id if current else 0, force=True)
        if self.open_id:
            self._load_conversation(self.open_id)
        self._load_other_counts()
        self.query_one(InboxAlert).check()
        self.query_one(LeadContext).refresh_lookup()

    # -- the lead: context and referrals ------------------------------------------------------------

    @on(ScreenResume)
    def _lead_context_resume(self, event: ScreenResume) -> None:
        self.query_one(LeadContext).revalidate()

    def action_lead_details(self) -> None:
        self.query_one(LeadContext).toggle()

    def action_add_lead(self) -> None:
        conversation = self.open_conversation_model
        if conversation is None or self.unibox.client is None:
            self.unibox.say("Open a conversation first: the lead form is filled from its latest reply.")
            return
        from .add_lead import AddLeadScreen

        matches = self.query_one(LeadContext).matches_for(conversation)
        self.app.push_screen(
            AddLeadScreen(conversation, matches=matches, own_addresses=self.query_one(InboxAlert).addresses)
        )

    def _schedule_poll(self) -> None:
        interval = self.unibox.settings.poll_interval
        if interval <= 0:
            return
        delay = self._poll_delay or interval
        self._poll_timer = self.set_timer(delay, self._poll)

    @work(exclusive=True, group="poll", exit_on_error=False, description="Checking for new mail")
    async def _poll(self) -> None:
        client = self.unibox.client
        interval = self.unibox.settings.poll_interval
        if client is None or interval <= 0:
            return
        key = self._key(1)
        try:
            page = await client.list_conversations(
                page=1, page_size=key.page_size, search=key.search or None, folder=key.folder
            )
        except ReachkitError as error:
            if self.unibox.workspaces.key_refused(error):
                return  # the welcome screen takes a new key; polling resumes with the new session
            self._poll_delay = min(MAX_POLL_BACKOFF, max(interval, self._poll_delay or interval) * 2)
            retry_after = getattr(error, "retry_after", None)
            if retry_after:
                self._poll_delay = max(self._poll_delay, min(MAX_POLL_BACKOFF, retry_after))
            self.status.note = f"offline? checking again in {int(self._poll_delay)} s"
            self._schedule_poll()
            return
        self._poll_delay = 0.0
        if self.status.note.startswith("offline"):
            self.status.note = ""
        self._absorb_poll(key, page)
        self._schedule_poll()

    def _absorb_poll(self, key: PageKey, page: Page[Conversation]) -> None:
        """Merge a polled first page without moving the user's cursor off their conversation."""
        before = self.pages.get(key)
        self.pages.put(key, page)
        old = {c.id: c.updated_at_raw for c in (before.value.items if before else ())}
        if self._painted is not None and self._painted.page == 1 and self.current_page is not None:
            old = old or {c.id: c.updated_at_raw for c in self.current_page.items}
        changed = [c for c in page.items if old and c.id not in old]
        updated = [c for c in page.items if old and c.id in old and old[c.id] != c.updated_at_raw]
        if self._painted == key and not self._same_rows(page):
            self._paint(key, page, None)
        elif self._painted is not None and self._painted != key:
            self._update_counts_only(page)
        fresh = len(changed) + len(updated)
        if fresh:
            noun = "conversation" if fresh == 1 else "conversations"
            self.unibox.say(f"{fresh} new or updated {noun} in {key.folder.title()}.", title="New mail")
        # The open thread may have grown.
        if self.open_id and any(c.id == self.open_id for c in updated):
            self._load_conversation(self.open_id)

    def _update_counts_only(self, page: Page[Conversation]) -> None:
        if not self.search:
            self.folder_bar.set_count(self.folder, page.total_count)

    # -- focus and back -----------------------------------------------------------------------------

    def action_back(self) -> None:
        focused = self.focused
        if isinstance(focused, ThreadView) or self.has_class("-reading"):
            self.remove_class("-reading")
            self.conversation_list.focus()
            return
        if self.clear_label_filter():
            return
        if self.search:
            self._clear_search()

    @on(Worker.StateChanged)
    def _worker_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            error = event.worker.error
            self.status.loading = False
            self.unibox.show_error(error, event.worker.description or "A background task")


def _epoch(moment: datetime | None) -> float | None:
    try:
        return moment.timestamp() if moment is not None else None
    except (OverflowError, ValueError, OSError):
        return None
