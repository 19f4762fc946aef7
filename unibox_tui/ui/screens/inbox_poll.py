"""New mail: page 1 of the folder on screen, checked in the background on a schedule.

The schedule survives every failure (the server's errors and surprises alike): the next check
backs off and the status line says when it comes. A polled page is merged into the model without
moving the user's cursor; an answer for a folder the user has left only updates that folder.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from textual.timer import Timer

from ...api.budget import background
from ...api.errors import ReachkitError
from ...api.models import Conversation, Page
from ...domain.inbox_model import InboxModel, PageKey

if TYPE_CHECKING:
    from ...api.client import ReachkitClient
    from .inbox import InboxScreen

__all__ = ["MAX_POLL_BACKOFF", "Poller"]

log = logging.getLogger(__name__)

MAX_POLL_BACKOFF = 600.0


class Poller:
    """Checks for new mail every ``poll_interval`` seconds (0: never)."""

    def __init__(self, screen: InboxScreen, model: InboxModel, client: Callable[[], ReachkitClient | None]) -> None:
        self.screen = screen
        self.model = model
        self._client = client
        self._timer: Timer | None = None
        #: A check is scheduled or running (``start`` does not add a second schedule).
        self._active = False
        self._delay = 0.0
        #: The status note this poller wrote, cleared once a check works again.
        self._note = ""

    def _interval(self) -> float:
        return self.screen.unibox.settings.poll_interval

    def start(self) -> None:
        """Start the schedule, unless it runs already (or polling is switched off)."""
        if not self._active:
            self._schedule()

    def _schedule(self) -> None:
        interval = self._interval()
        self._active = interval > 0
        if self._active:
            self._timer = self.screen.set_timer(self._delay or interval, self._run)

    def _run(self) -> None:
        self.screen.run_worker(
            self._poll, group="poll", exclusive=True, exit_on_error=False, description="Checking for new mail"
        )

    async def _poll(self) -> None:
        try:
            keep_going = await self._check()
        except asyncio.CancelledError:
            self._active = False
            raise
        except Exception as error:  # noqa: BLE001 - a surprise merging the answer: said, and polling goes on
            self._failed(error)
            keep_going = True
        if keep_going:
            self._schedule()
        else:
            self._active = False

    async def _check(self) -> bool:
        """One check; ``False`` stops the schedule (no session, or the key was refused)."""
        client = self._client()
        if client is None or self._interval() <= 0:
            return False
        key = self.model.key(1)
        asked = self.model.monotonic()
        try:
            with background():  # a check for new mail yields to what the user is doing
                page = await client.list_conversations(
                    page=1, page_size=key.page_size, search=key.search or None, folder=key.folder
                )
        except asyncio.CancelledError:
            raise
        except Exception as error:  # noqa: BLE001 - whatever went wrong, the next check comes
            if isinstance(error, ReachkitError) and self.screen.unibox.workspaces.key_refused(error):
                return False  # the welcome screen takes a new key; ctrl+r (or the new inbox) restarts
            self._failed(error)
            return True
        self._delay = 0.0
        status = self.screen.status
        if self._note and status.note == self._note:
            status.note = ""
        self._note = ""
        self._absorb(key, page, asked)
        return True

    def _failed(self, error: BaseException) -> None:
        """Back off (doubling, at most ``MAX_POLL_BACKOFF``; longer if the server asked) and say so."""
        interval = self._interval()
        self._delay = min(MAX_POLL_BACKOFF, max(interval, self._delay or interval) * 2)
        retry_after = getattr(error, "retry_after", None)
        if isinstance(retry_after, int | float) and retry_after > 0:
            self._delay = max(self._delay, min(MAX_POLL_BACKOFF, retry_after))
        if isinstance(error, ReachkitError):
            note = f"offline? checking again in {int(self._delay)} s"
        else:
            log.warning("checking for new mail failed", exc_info=error)
            note = f"new mail check failed ({type(error).__name__}); trying again in {int(self._delay)} s"
        self.screen.status.note = self._note = note

    def _absorb(self, key: PageKey, page: Page[Conversation], asked: float) -> None:
        """Merge a polled first page without moving the user's cursor off their conversation."""
        before = self.model.pages.get(key)
        result = self.model.absorb_poll(key, page, asked_at=asked)
        self.screen.followups.polled(key, before.value if before is not None else None, page)
        if not result.current:
            return  # the user switched folder or search since: cached and counted, not shown
        if result.repaint:
            self.screen.loader.paint(key, page, None)
        if result.fresh:
            noun = "conversation" if result.fresh == 1 else "conversations"
            self.screen.unibox.say(f"{result.fresh} new or updated {noun} in {key.folder.title()}.", title="New mail")
        open_id = self.screen.open_id
        if open_id and open_id in result.updated:
            self.screen.thread.reload(open_id)  # the open thread has grown
