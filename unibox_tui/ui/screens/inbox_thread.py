"""The thread pane of the inbox: follows the list's cursor, opens, re-reads, shows triage changes.

What it shows comes from the inbox model (the conversation as the user should see it); a
conversation is re-read from the server in the background, and a failure to load or re-read is
said in the pane itself, with ctrl+r to retry.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from textual.timer import Timer

from ...api.errors import NotFoundError, ReachkitError
from ...api.models import Conversation
from ...domain.inbox_model import InboxModel
from ...render.thread import ConversationRow, ThreadDocument
from ..widgets.composer import Composer
from ..widgets.lead_context import LeadContext
from ..widgets.thread_header import ThreadHeader
from .inbox_pages import FRESH_SECONDS

if TYPE_CHECKING:
    from ...api.client import ReachkitClient
    from .inbox import InboxScreen

__all__ = ["FOLLOW_DELAY", "REFRESH_DELAY", "ThreadPane"]

log = logging.getLogger(__name__)

#: Delay between the list cursor moving and the thread pane following it.
FOLLOW_DELAY = 0.12
#: How long after opening a conversation from a fresh page it is re-read from the server.
REFRESH_DELAY = 1.5


class ThreadPane:
    """Header, lead context and thread of the open conversation (``open_id``)."""

    def __init__(self, screen: InboxScreen, model: InboxModel, client: Callable[[], ReachkitClient | None]) -> None:
        self.screen = screen
        self.model = model
        self._client = client
        self.open_id: str | None = None
        self.document: ThreadDocument | None = None
        self.follow_timer: Timer | None = None
        self._refresh_timer: Timer | None = None

    @property
    def header(self) -> ThreadHeader:
        return self.screen.query_one(ThreadHeader)

    @property
    def lead(self) -> LeadContext:
        return self.screen.query_one(LeadContext)

    # -- what the list asks -----------------------------------------------------------------------

    def follow(self, row: ConversationRow | None) -> None:
        """The cursor moved: show its conversation a moment later (a held key does not open each)."""
        if self.follow_timer is not None:
            self.follow_timer.stop()
        if row is None or row.id == self.open_id:
            return
        conversation_id = row.id
        self.follow_timer = self.screen.set_timer(FOLLOW_DELAY, lambda: self.open(conversation_id))

    def select(self, row: ConversationRow) -> None:
        """Enter on a row: open it now."""
        if self.follow_timer is not None:
            self.follow_timer.stop()  # else it reopens the thread (folding all) after this
        if self.model.conversation(row.id) is None:
            self._open_from_server(row)  # a row from the disk cache: no conversation yet
        elif row.id != self.open_id:
            self.open(row.id)

    def open(self, conversation_id: str) -> None:
        """Show what we already have at once, then refresh it from the server."""
        conversation = self.model.conversation(conversation_id)
        if conversation is None:
            return
        self.open_id = conversation_id
        self.screen.query_one(Composer).follow(conversation_id)
        self.document = ThreadDocument(conversation, now=self.model.clock.now())
        self.header.show(conversation, local_label=self.model.local_label(conversation_id))
        self.lead.show_for(conversation)
        self.screen.thread_view.show_document(self.document)
        if self._refresh_timer is not None:
            self._refresh_timer.stop()
        if self.model.page_is_fresh(FRESH_SECONDS):
            # The list's copy is seconds old: show it, and re-read the conversation a moment
            # later so the re-read never competes with rendering what is already here.
            self._refresh_timer = self.screen.set_timer(REFRESH_DELAY, lambda: self._refresh_if_open(conversation_id))
        else:
            self.reload(conversation_id)

    def clear(self, placeholder: str) -> None:
        """Nothing to read (an empty page): the pane says so."""
        self.screen.thread_view.show_placeholder(placeholder)
        self.header.show(None)
        self.lead.show_for(None)
        self.open_id = None
        self.document = None

    def refresh(self) -> None:
        """ctrl+r: read the open conversation again (or again try opening it)."""
        if self.open_id is None:
            return
        if self.document is None:
            self._fetch_to_open(self.open_id)
        else:
            self.reload(self.open_id)

    def add_lead(self, own_addresses: tuple[str, ...]) -> None:
        """``A``: the open conversation's referral, as a new lead (the form is filled from its latest reply)."""
        conversation = self.model.conversation(self.open_id) if self.open_id else None
        if conversation is None or self._client() is None:
            self.screen.unibox.say("Open a conversation first: the lead form is filled from its latest reply.")
            return
        from .add_lead import AddLeadScreen

        matches = self.lead.matches_for(conversation)
        self.screen.app.push_screen(AddLeadScreen(conversation, matches=matches, own_addresses=own_addresses))

    # -- the model changed ------------------------------------------------------------------------

    def changed(self, ids: frozenset[str], *, content: bool) -> None:
        """Conversations changed in the model: the open one's header and thread follow.

        A fresher copy (``content``) is adopted whole; a triage change is cheap on purpose (it
        runs on every key and every answer): the thread is laid out again only when its read
        marks changed.
        """
        conversation_id, document = self.open_id, self.document
        if conversation_id is None or conversation_id not in ids or document is None:
            return
        shown = self.model.conversation(conversation_id)
        if shown is None:
            return
        local = self.model.local_label(conversation_id)
        if content:
            document.adopt(shown)
            self.header.show(shown, local_label=local)
            self.screen.thread_view.refresh_document()
            return
        header, before = self.header, self.header.conversation
        if (
            before is None
            or before.id != conversation_id
            or header.local_label != local
            or (before.label, before.label_override) != (shown.label, shown.label_override)
        ):
            header.show(shown, local_label=local)
        if [m.is_read for m in document.conversation.messages] != [m.is_read for m in shown.messages]:
            document.adopt(shown)
            self.screen.thread_view.refresh_document()
        else:
            document.conversation = shown

    # -- the network -------------------------------------------------------------------------------

    async def fetch(self, conversation_id: str) -> Conversation | BaseException | None:
        """The conversation from the server, the error that stopped it, or ``None`` with no session."""
        client = self._client()
        if client is None:
            return None
        try:
            return await client.get_conversation(conversation_id)
        except asyncio.CancelledError:
            raise
        except Exception as error:  # noqa: BLE001 - a surprise too is said by the caller, never a crash
            if isinstance(error, NotFoundError):
                self.model.gone(conversation_id)
            return error

    def _open_from_server(self, row: ConversationRow) -> None:
        """Enter on a row painted from the disk cache: fetch its conversation, then open it."""
        self.open_id = row.id
        self.document = None
        self.header.show(None)
        self.lead.show_for(None)
        self.screen.thread_view.show_placeholder("Loading the conversation…")
        self._fetch_to_open(row.id)

    def _fetch_to_open(self, conversation_id: str) -> None:
        self.screen.run_worker(
            partial(self._open_fetched, conversation_id),
            group="thread-open", exclusive=True, exit_on_error=False, description="Opening the conversation",
        )

    async def _open_fetched(self, conversation_id: str) -> None:
        conversation = await self.fetch(conversation_id)
        if conversation is None:
            return
        if isinstance(conversation, BaseException):
            if conversation_id == self.open_id and self.document is None:
                self.screen.thread_view.show_placeholder("Could not load this conversation: ctrl+r retries.")
                self.screen.unibox.show_error(conversation, "Opening the conversation")
            return
        if conversation_id != self.open_id:
            return  # the user has moved on
        self.model.remember(conversation)
        self.open(conversation_id)
        self.screen.triage_keys.opened(conversation_id)

    def _refresh_if_open(self, conversation_id: str) -> None:
        if conversation_id == self.open_id:
            self.reload(conversation_id)

    def reload(self, conversation_id: str) -> None:
        """Re-read a conversation in the background (a newer re-read cancels this one, and so does
        this one a delayed re-read still to come: it would only undo what this one finds)."""
        if self._refresh_timer is not None:
            self._refresh_timer.stop()
            self._refresh_timer = None
        self.screen.run_worker(
            partial(self._reload, conversation_id), group="thread", exclusive=True, exit_on_error=False,
            description="Loading conversation",
        )

    async def _reload(self, conversation_id: str) -> None:
        conversation = await self.fetch(conversation_id)
        if conversation is None:
            return
        if isinstance(conversation, BaseException):
            known = self.model.conversation(conversation_id)
            if conversation_id == self.open_id and known is not None:
                self.header.show(
                    known, local_label=self.model.local_label(conversation_id), note="could not refresh; ctrl+r retries"
                )
                log.info("conversation %s refresh failed: %s", conversation_id, conversation)
                if not isinstance(conversation, ReachkitError):
                    self.screen.unibox.show_error(conversation, "Loading conversation")
            return
        if conversation_id != self.open_id or self.document is None:
            return
        self.model.remember(conversation)
