"""The inbox's side of replies: a reply to a conversation not on this page, what a sent reply
changes in the list and the thread, the drafts count in the folder bar.

The composer shows a ``ReplySession`` (domain/); the app tells the inbox when one was sent
(``ReplySent``); this puts it where the user expects it, as the server did.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING

from ...api.models import Conversation, Message
from ...domain.inbox_model import InboxModel
from ..widgets.composer import Composer

if TYPE_CHECKING:
    from textual.widget import Widget

    from ...domain.snippet_source import SnippetSource
    from ...domain.snippets import Snippet

    from .inbox import InboxScreen

__all__ = ["Replies"]


class Replies:
    """What replies change on the inbox screen (its handlers call these)."""

    def __init__(self, screen: InboxScreen, model: InboxModel) -> None:
        self.screen = screen
        self.model = model

    def open_composer(self, conversation_id: str) -> None:
        """The composer on ``conversation_id``'s reply, with the snippet tied to its label if the draft is empty."""
        screen = self.screen
        conversation = screen.conversation(conversation_id)
        if conversation is None:
            self.fetch_then_reply(conversation_id)
            return
        if conversation_id != screen.open_id:
            screen.open_conversation(conversation_id)
        composer = screen.query_one(Composer)
        focused = screen.focused
        refocus = focused if focused is not None and composer not in focused.ancestors_with_self else None
        session = screen.unibox.workspace.sessions.open(conversation)
        label = self.model.manual_label(conversation_id) or conversation.label  # (manual over the AI's)
        opened = composer.open(session, conversation, lookup=screen.conversation, refocus=refocus,
                               remind_default=screen.unibox.settings.remind_after, snippets=screen.snippets, label=label)
        if opened and screen.has_class("-narrow"):
            screen.add_class("-reading")

    def closed(self, refocus: Widget | None) -> None:
        """Focus back where the user was before the composer (or somewhere shown)."""
        screen = self.screen
        if refocus is screen.conversation_list and screen.has_class("-narrow"):
            screen.remove_class("-reading")
        if refocus is not None and refocus.is_attached and refocus.display:
            refocus.focus()
        elif screen.focused is None or not screen.focused.display:
            screen.thread_view.focus() if screen.open_id else screen.conversation_list.focus()

    def choose_snippet(self, source: SnippetSource, conversation: Conversation,
                       done: Callable[[Snippet | None], None]) -> None:
        """The composer's ``ctrl+n``: the picker is a screen, so the screen's side opens it."""
        from .snippet_picker import SnippetPicker

        self.screen.app.push_screen(SnippetPicker(source, conversation), done)

    def fetch_then_reply(self, conversation_id: str) -> None:
        """A draft's conversation that is not on this page: fetched first, then the composer opens.

        Its own group: the open thread's background re-read must not cancel what the user asked for.
        """
        self.screen.run_worker(
            partial(self._fetch_then_reply, conversation_id),
            group="reply-open", exclusive=True, exit_on_error=False, description="Opening the conversation",
        )

    async def _fetch_then_reply(self, conversation_id: str) -> None:
        conversation = await self.screen.thread.fetch(conversation_id)
        if conversation is None:
            return
        if isinstance(conversation, BaseException):
            self.screen.unibox.show_error(conversation, "Opening the draft's conversation")
            return
        self.model.remember(conversation)
        self.screen.reply_to(conversation_id)

    def sent(self, conversation_id: str, message: Message | None, conversation: Conversation | None) -> None:
        """Show the reply in the thread and move its conversation to the top, as the server did."""
        screen = self.screen
        conversation = conversation or self._with_reply(conversation_id, message)
        if conversation is not None:
            self.model.remember(conversation)
        self.model.pages.clear()
        listing = screen.conversation_list
        index = listing.index_of(conversation_id)
        if self.model.page_number == 1 and not self.model.search and index > 0:
            current = listing.current_row
            rows = listing.rows[:]
            rows.insert(0, rows.pop(index))
            listing.set_rows(rows, cursor=current.id if current else 0)
        if self.model.page_number == 1:
            screen.load_page(1, cursor=None, force=True)
        if conversation_id == screen.open_id:
            screen.thread.reload(conversation_id)

    def _with_reply(self, conversation_id: str, message: Message | None) -> Conversation | None:
        conversation = self.model.conversation(conversation_id)
        if conversation is None or message is None:
            return conversation
        if message.email_date is None:
            message = replace(message, email_date=self.model.clock.now())
        return replace(conversation, messages=(*conversation.messages, message), updated_at=message.email_date)

    def count_drafts(self) -> None:
        self.screen.run_worker(self._count_drafts, group="drafts-count", exclusive=True, exit_on_error=False,
                               description="Counting drafts")

    async def _count_drafts(self) -> None:
        count = await asyncio.to_thread(self.screen.unibox.drafts.count)
        self.screen.folder_bar.set_count("drafts", count)
