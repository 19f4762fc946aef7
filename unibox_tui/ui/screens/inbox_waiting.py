"""The waiting queue behind ``w`` and the status line's hot count: unanswered replies of the
folder on screen, from the pages loaded plus a bounded background scan of its first pages.

The scan is ``domain.waiting.plan_scan``'s: at most 3 requests of 100 conversations, at most
once every 5 minutes (``scan_due``), started when the queue opens and after a poll; ``ctrl+r`` in
the queue scans again at once. Replies sent since a page came count through the model's fresh
copies, and snoozed conversations are left out.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING

from ...api.budget import background
from ...api.models import Conversation, Page
from ...domain.inbox_model import InboxModel, PageKey
from ...domain.waiting import SCAN_PAGE_SIZE, SCAN_PAGES, Waiting, merge_pages, plan_scan, scan_due, summarise, waiting_queue
from ...render.formatting import compact_wait

if TYPE_CHECKING:
    from datetime import tzinfo

    from ...api.client import ReachkitClient
    from ...store.followups import FollowupStore
    from .inbox import InboxScreen

__all__ = ["Reach", "Scan", "WaitingQueue"]


@dataclass(slots=True)
class Scan:
    """What the last background scan of a folder's first pages saw."""

    at: datetime
    conversations: list[Conversation] = field(default_factory=list)
    #: Conversation id -> its place in the folder (0 = newest activity).
    positions: dict[str, int] = field(default_factory=dict)
    requests: int = 0
    reach: int = 0
    error: str = ""


@dataclass(frozen=True, slots=True)
class Reach:
    """How far the waiting queue looked, for the line under it."""

    folder: str
    text: str


class WaitingQueue:
    """The inbox screen's waiting queue (``InboxScreen.followups.waiting``)."""

    def __init__(
        self, screen: InboxScreen, model: InboxModel, client: Callable[[], ReachkitClient | None],
        store: FollowupStore, zone: tzinfo,
    ) -> None:
        self.screen = screen
        self.model = model
        self._client = client
        self.store = store
        self.zone = zone
        self.clock = screen.unibox.clock
        self._scans: dict[str, Scan] = {}

    def view(self) -> None:
        """``w``."""
        from .waiting import WaitingScreen

        if not isinstance(self.screen.app.screen, WaitingScreen):
            self.screen.app.push_screen(WaitingScreen(self))

    def _loaded(self, folder: str) -> list[tuple[PageKey, Page[Conversation]]]:
        return [(key, page) for key, page in self.model.pages.items()
                if isinstance(key, PageKey) and key.folder == folder and not key.search]

    def queue(self) -> list[Waiting]:
        """The folder on screen's unanswered replies: loaded pages, the last scan, fresher copies."""
        folder = self.model.folder
        scan = self._scans.get(folder)
        merged = merge_pages(
            (c for _, page in self._loaded(folder) for c in page.items), scan.conversations if scan else ()
        )
        listed = {c.id for c in merged}
        fresher = [c for c in self.model.fresh_copies() if c.id in listed]  # a reply sent since, a re-read
        merged = merge_pages(merged, fresher)
        return waiting_queue(
            merged, self.clock.now(), reply_within=timedelta(seconds=self.screen.unibox.settings.reply_within),
            label_of=lambda c: self.model.local_label(c.id), skip={s.conversation_id for s in self.store.snoozes()},
        )

    def count_hot(self) -> None:
        """The status line's "3 hot waiting": hot replies waiting longer than ``reply_within``."""
        self.screen.status.hot_waiting = summarise(self.queue()).urgent

    def reply_within_text(self) -> str:
        return compact_wait(self.screen.unibox.settings.reply_within)

    def reach(self) -> Reach:
        """How far the queue looked: the loaded pages, and the last scan."""
        folder = self.model.folder
        loaded = len({c.id for _, page in self._loaded(folder) for c in page.items})
        scan = self._scans.get(folder)
        name = folder.title()
        if scan is None:
            text = (f"Looked at the {loaded} conversations of the loaded pages; scanning the first "
                    f"{SCAN_PAGE_SIZE * SCAN_PAGES} of {name}…")
        elif scan.error and not scan.conversations:
            text = (f"Looked at the {loaded} conversations of the loaded pages only: the scan failed "
                    f"({scan.error}). ctrl+r tries again.")
        else:
            when = scan.at.astimezone(self.zone)
            requests = f"{scan.requests} request{'s' if scan.requests != 1 else ''}"
            # Short enough for 80 columns; the footer says ctrl+r scans again.
            text = (f"Looked at the newest {scan.reach} of {name} + loaded pages ({requests}, "
                    f"{when.hour}:{when.minute:02d})")
        return Reach(name, text)

    # -- the scan ----------------------------------------------------------------------------------

    def scan(self, *, force: bool, then: Callable[[], None] | None = None) -> None:
        """The bounded scan of the folder's first pages, when due (or ``force``)."""
        folder = self.model.folder
        last = self._scans.get(folder)
        if self._client() is None or not (force or scan_due(last.at if last else None, self.clock.now())):
            self.count_hot()
            if then is not None:
                then()
            return
        self.screen.run_worker(partial(self._scan, folder, then), group="waiting-scan", exclusive=True,
                               exit_on_error=False, description="Scanning for unanswered replies")

    async def _scan(self, folder: str, then: Callable[[], None] | None) -> None:
        client = self._client()
        if client is None:
            return
        loaded = {key.page for key, _ in self._loaded(folder) if key.page_size == SCAN_PAGE_SIZE}
        plan = plan_scan(folder, loaded=loaded)
        scan = Scan(self.clock.now())
        total: int | None = None
        for number in plan.pages:
            if total is not None and number > total:
                break
            try:
                with background():  # the scan yields to replies, triage and pages asked for
                    page = await client.list_conversations(page=number, page_size=plan.page_size, folder=folder)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001 - the queue says the scan failed; the app goes on
                scan.error = str(error) or type(error).__name__
                break
            scan.requests += 1
            total = page.total_pages
            scan.reach = min(plan.reach, page.total_count) if page.total_count else len(scan.conversations) + len(page.items)
            for index, conversation in enumerate(page.items):
                scan.positions.setdefault(conversation.id, (number - 1) * plan.page_size + index)
            scan.conversations.extend(page.items)
        previous = self._scans.get(folder)
        if scan.error and not scan.conversations and previous is not None:
            previous.error = scan.error  # keep what the last scan saw, and say this one failed
        else:
            self._scans[folder] = scan
        self.count_hot()
        if then is not None:
            then()

    # -- going there -------------------------------------------------------------------------------

    def go_to(self, conversation: Conversation) -> None:
        """``enter`` in the queue: back in the inbox, on that conversation (its page loaded)."""
        screen, model = self.screen, self.model
        screen.conversation_list.focus()
        if model.index_of(conversation.id) >= 0:
            screen.view.select(conversation.id)
            return
        if model.server_copy(conversation.id) is None:
            model.remember(conversation)
        position = self._position(conversation.id)
        if position is not None:
            screen.load_page(position // model.page_size + 1, cursor=conversation.id)
        screen.open_conversation(conversation.id)

    def _position(self, conversation_id: str) -> int | None:
        for key, page in self._loaded(self.model.folder):
            for index, conversation in enumerate(page.items):
                if conversation.id == conversation_id:
                    return (key.page - 1) * key.page_size + index
        scan = self._scans.get(self.model.folder)
        return scan.positions.get(conversation_id) if scan is not None else None
