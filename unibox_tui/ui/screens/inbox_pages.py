"""Pages into the inbox model: from memory, from the disk cache at start-up, or from the server.

Page loads run in an exclusive worker (a newer request cancels the older one, and a stale result
is never painted); the neighbouring pages are prefetched so a page turn does not wait for the
network; the folder not on screen still shows its count.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING

from ...api.budget import background
from ...api.errors import ReachkitError
from ...api.models import Conversation, Page
from ...domain.inbox_model import FOLDERS, InboxModel, PageKey
from ...render.thread import build_row
from ...store.row_cache import RowCache
from ..failures import describe
from ..widgets.search_bar import SearchBar

if TYPE_CHECKING:
    from ...api.client import ReachkitClient
    from .inbox import InboxScreen

__all__ = ["FRESH_SECONDS", "OTHERS_EMPTY", "OTHERS_HINT", "PageLoader"]

log = logging.getLogger(__name__)

OTHERS_HINT = "Non-campaign mail; empty when the workspace does not store it."
OTHERS_EMPTY = (
    "Others is empty.\n"
    "It holds mail that is not about a campaign, and a workspace can switch off "
    "storing that mail, so an empty Others is normal."
)
#: How long a cached page is shown without asking the server again.
FRESH_SECONDS = 30.0


class PageLoader:
    """Loads the pages the inbox screen asks for into its model (which the screen draws)."""

    def __init__(
        self,
        screen: InboxScreen,
        model: InboxModel,
        client: Callable[[], ReachkitClient | None],
        row_cache: Callable[[], RowCache | None],
    ) -> None:
        self.screen = screen
        self.model = model
        self._client = client
        self._row_cache = row_cache
        #: The page whose load failed last: what ctrl+r retries (None once another load starts).
        self.retry: PageKey | None = None
        self._side_loads_started = False
        #: Per folder, the page 1 last written to the disk cache (not written twice).
        self._saved_first: dict[str, Page[Conversation]] = {}
        #: Where the user was (page, conversation) when a search started: escape goes back there.
        self._saved_position: tuple[int, str | None] | None = None

    def start(self) -> None:
        """The first page: last time's rows at once if we have them, the network after that frame."""
        key = self.model.key(1)
        if self._paint_from_disk(key):
            # Building the client (which imports httpx) waits until those rows are on the terminal.
            self.model.wanted = key
            self.screen.conversation_list.when_painted(lambda: self.fetch(key, None))
        else:
            self.load(1)

    def load(self, page: int, *, cursor: int | str | None = 0, force: bool = False) -> None:
        """Show ``page``: from the cache at once if we have it, else fetched (stale ones dropped)."""
        key = self.model.key(page)
        self.model.wanted = key
        failed, self.retry = self.retry, None
        cached = None if force else self.model.pages.get(key)
        status = self.screen.status
        if cached is not None:
            # What was asked is on screen: a load still on its way for another page is stale now.
            status.loading = False
            if failed is not None:
                status.note = ""
            self.paint(key, cached.value, cursor)
            if cached.age > FRESH_SECONDS:
                status.stale = True
                # Already painted at ``cursor``: a changed page keeps the row the user is on by then.
                self.fetch(key, None, repaint_only_if_changed=True)
            else:
                self._prefetch_around(key, cached.value)
            return
        if not force and self._paint_from_disk(key):
            self.fetch(key, None)  # the network page replaces it, on the same conversation
            return
        status.loading = True
        status.page = key.page
        if not self.screen.conversation_list.rows:
            self.screen.conversation_list.show_message("Loading conversations…")
        self.fetch(key, cursor)

    def reload(self, cursor: int | str) -> None:
        """ctrl+r: the page that failed last, else the page on screen, from the server."""
        page = self.retry.page if self.retry is not None else self.model.page_number
        self.load(page, cursor=cursor, force=True)

    def paint(self, key: PageKey, page: Page[Conversation], cursor: int | str | None) -> None:
        """Put ``page`` in the model (the screen draws it); ``cursor=None`` keeps the row the user is on."""
        if cursor is None:
            current = self.screen.conversation_list.current_row
            cursor = current.id if current is not None else 0
        if not self.model.show_page(key, page, cursor):
            self.load(page.total_pages, cursor=-1)  # past the end (the folder shrank): the real last page
            return
        self._save_first_page(key, page)

    def empty_text(self) -> str:
        key = self.model.painted
        snoozed = self._snoozed_on_page()
        if snoozed:  # the status line counts them: say where they went
            one, many = ("match", "matches") if key is not None and key.search else ("conversation", "conversations")
            what = f"The only {one} here is" if snoozed == 1 else f"All {snoozed} {many} here are"
            return f"{what} snoozed: Z lists them."
        if key is not None and key.search:
            return f"No conversations match this search in {key.folder.title()}."
        if key is not None and key.folder == "others":
            return OTHERS_EMPTY
        return "No conversations yet."

    def _snoozed_on_page(self) -> int:
        page = self.model.current_page
        return sum(self.model.is_hidden(c.id) for c in page.items) if page is not None else 0

    # -- paging ------------------------------------------------------------------------------------

    def step(self, direction: int) -> None:
        """``]`` / ``[``: counted from the page asked for last (a page still loading counts)."""
        wanted = self.model.wanted.page if self.model.wanted else self.model.page_number
        if direction > 0:
            total = self.model.total_pages
            if total and wanted >= total:
                self.screen.unibox.say("This is the last page.")
                return
            self.load(wanted + 1, cursor=0)
        elif wanted <= 1:
            self.screen.unibox.say("This is the first page.")
        else:
            self.load(wanted - 1, cursor=0)

    def past_edge(self, direction: int) -> None:
        """The cursor went past the last row (next page, first row) or the first (previous, last row)."""
        number = self.model.page_number
        if direction > 0 and number < self.model.total_pages:
            self.load(number + 1, cursor=0)
        elif direction < 0 and number > 1:
            self.load(number - 1, cursor=-1)

    # -- folders and search ------------------------------------------------------------------------

    def switch_folder(self, folder: str) -> None:
        model, screen = self.model, self.screen
        if folder not in FOLDERS or (folder == model.folder and not model.search):
            return
        model.folder, model.search = folder, ""
        self._saved_position = None
        screen.query_one(SearchBar).display = False
        screen.folder_bar.select(folder)
        screen.update_titles()
        self.load(1)
        self.count_other_folders()

    def search(self, query: str, *, final: bool) -> None:
        """Search the folder (page 1 of the results); escape later comes back to where the user was."""
        if not query:
            self.clear_search()
            return
        if self._saved_position is None:
            current = self.screen.conversation_list.current_row
            self._saved_position = (self.model.page_number, current.id if current else None)
        self.model.search = query
        self.load(1)
        if final:
            self.screen.query_one(SearchBar).display = False
            self.screen.conversation_list.focus()

    def clear_search(self) -> None:
        bar = self.screen.query_one(SearchBar)
        bar.value = ""
        bar.display = False
        if not self.model.search:
            return
        self.model.search = ""
        page, conversation_id = self._saved_position or (1, None)
        self._saved_position = None
        self.load(page, cursor=conversation_id if conversation_id else 0)
        self.screen.conversation_list.focus()

    # -- the network -----------------------------------------------------------------------------------

    def fetch(self, key: PageKey, cursor: int | str | None, repaint_only_if_changed: bool = False) -> None:
        self.screen.run_worker(
            partial(self._fetch, key, cursor, repaint_only_if_changed),
            group="list", exclusive=True, exit_on_error=False, description="Loading conversations",
        )

    async def _fetch(self, key: PageKey, cursor: int | str | None, repaint_only_if_changed: bool) -> None:
        client = self._client()
        if client is None:
            return
        status = self.screen.status
        try:
            page = await client.list_conversations(
                page=key.page, page_size=key.page_size, search=key.search or None, folder=key.folder
            )
        except asyncio.CancelledError:
            raise
        except Exception as error:  # noqa: BLE001 - any failure is said, and ctrl+r retries
            if key == self.model.wanted:
                status.loading = False
                status.stale = self.model.from_disk
                self._failed(key, error)
            self._start_side_loads()
            return
        self.model.page_arrived(key, page)
        self._start_side_loads()
        if key != self.model.wanted:
            return  # the user has moved on: never paint a stale page
        status.loading, status.stale, status.note = False, False, ""
        if repaint_only_if_changed and self.model.painted == key and self.model.same_rows(page):
            self.model.show_position(key, page)
        else:
            self.paint(key, page, cursor)
        self._prefetch_around(key, page)

    def _start_side_loads(self) -> None:
        if not self._side_loads_started:
            self._side_loads_started = True
            self.screen.start_side_loads()

    def _failed(self, key: PageKey, error: BaseException) -> None:
        """Say so; ctrl+r retries ``key``, and ``]``/``[`` count from the page still on screen."""
        self.retry = key
        listing, status = self.screen.conversation_list, self.screen.status
        if not listing.rows:
            listing.show_message(f"{describe(error)} Press ctrl+r to retry.")
            status.note = "could not load; ctrl+r retries"
        else:
            painted = self.model.painted
            if painted is not None:
                self.model.wanted = painted
                status.page = painted.page
            status.note = f"page {key.page} could not load; ctrl+r retries"
        self.screen.unibox.show_error(error, "Loading conversations")

    def _prefetch_around(self, key: PageKey, page: Page[Conversation]) -> None:
        wanted = []
        if key.page < page.total_pages:
            wanted.append(key.at(key.page + 1))
        if key.page > 1:
            wanted.append(key.at(key.page - 1))
        missing = [k for k in wanted if k not in self.model.pages]
        if missing:
            self.screen.run_worker(
                partial(self._prefetch, missing), group="prefetch", exclusive=True, exit_on_error=False, description="Prefetching"
            )

    async def _prefetch(self, keys: list[PageKey]) -> None:
        client = self._client()
        if client is None:
            return
        for key in keys:
            try:
                with background():  # a page nobody asked for yet never delays one they did
                    page = await client.list_conversations(
                    page=key.page, page_size=key.page_size, search=key.search or None, folder=key.folder
                )
            except asyncio.CancelledError:
                raise
            except ReachkitError:
                return  # a prefetch failing is not the user's problem
            except Exception:  # noqa: BLE001 - nor is a surprise in one; the page loads when asked for
                log.warning("prefetch of page %s failed", key.page, exc_info=True)
                return
            self.model.page_arrived(key, page)

    def count_other_folders(self) -> None:
        """The folder we are not in still shows its count (one cheap request)."""
        self.screen.run_worker(self._count_other_folders, group="counts", exit_on_error=False, description="Counting folders")

    async def _count_other_folders(self) -> None:
        client = self._client()
        if client is None:
            return
        for folder in FOLDERS:
            if folder == self.model.folder:
                continue
            asked = self.model.monotonic()
            try:
                with background():
                    page = await client.list_conversations(page=1, page_size=1, folder=folder)
            except asyncio.CancelledError:
                raise
            except ReachkitError:
                continue  # the list and the poller already speak for the network
            except Exception as error:  # noqa: BLE001 - said; the next folder is still counted
                self.screen.unibox.show_error(error, "Counting folders")
                continue
            self.model.set_folder_count(folder, page.total_count, asked_at=asked)

    # -- the disk cache of first pages -----------------------------------------------------------------

    def _paint_from_disk(self, key: PageKey) -> bool:
        """Page 1 as it was last seen, marked "cached, refreshing" until the network answers."""
        if key.page != 1 or key.search or self.model.has_pending:
            return False
        cache = self._row_cache()
        cached = cache.load(key.folder, key.page_size, now=self.model.clock.now()) if cache is not None else None
        if cached is None or not cached.rows:
            return False
        if not self.model.show_cached_rows(key, cached.rows, cached.total_count, cached.total_pages):
            return False
        self.screen.status.stale = True
        return True

    def _save_first_page(self, key: PageKey, page: Page[Conversation]) -> None:
        """Keep page 1 of a folder (no search) on disk for the next start: rows as the server sent them."""
        if key.page != 1 or key.search or self._saved_first.get(key.folder) is page:
            return
        cache = self._row_cache()
        if cache is None:
            return
        self._saved_first[key.folder] = page
        self.screen.run_worker(
            partial(self._write_rows, cache, key, page),
            thread=True, group="row-cache", exit_on_error=False, description="Caching the first page",
        )

    def _write_rows(self, cache: RowCache, key: PageKey, page: Page[Conversation]) -> None:
        now = self.model.clock.now()
        rows = [build_row(conversation, now) for conversation in page.items]
        when = [_epoch(conversation.activity_at) for conversation in page.items]
        cache.save(key.folder, key.page_size, rows, page.total_count, page.total_pages, when)


def _epoch(moment: datetime | None) -> float | None:
    try:
        return moment.timestamp() if moment is not None else None
    except (OverflowError, ValueError, OSError):
        return None
