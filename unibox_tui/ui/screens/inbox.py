"""The main screen: folders, one page of conversations, and the open thread.

The screen owns an ``InboxModel`` (domain/) and draws what it says changed; pages come in
through ``PageLoader`` (inbox_pages.py), new mail through ``Poller`` (inbox_poll.py), the
thread pane is ``ThreadPane`` (inbox_thread.py) and the triage keys ``TriageKeys``
(triage_keys.py), all of them over the same model.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.containers import Horizontal, Vertical
from textual.events import Resize, ScreenResume
from textual.screen import Screen
from textual.widgets import Header
from textual.worker import Worker, WorkerState

from ...api.models import Conversation
from ...domain.inbox_model import FOLDERS, InboxModel
from ...domain.snippet_source import SnippetSource
from ...domain.triage_service import TriageService
from ...store.page_cache import PageCache
from ..messages import OpenRoom
from ..widgets.composer import Composer
from ..widgets.conversation_list import ConversationList
from ..widgets.downloads_panel import DownloadsPanel
from ..widgets.folder_bar import Folder, FolderBar
from ..widgets.inbox_alert import InboxAlert
from ..widgets.key_bar import KeyBar
from ..widgets.lead_context import LeadContext
from ..widgets.list_status import ListStatus
from ..widgets.search_bar import SearchBar
from ..widgets.thread_header import ThreadHeader
from ..widgets.thread_view import ThreadView
from .inbox_bindings import INBOX_BINDINGS, INBOX_PALETTE_NAMES
from .inbox_followups import InboxFollowups
from .inbox_pages import PageLoader
from .inbox_poll import Poller
from .inbox_replies import Replies
from .inbox_thread import ThreadPane
from .bulk_keys import BULK_BINDINGS, BulkKeys
from .inbox_view import InboxView
from .triage_keys import TRIAGE_BINDINGS, TriageKeys
from .type_ahead import OpenerGate, eager

if TYPE_CHECKING:
    from ...api.client import ReachkitClient
    from ...api.models import Page
    from ..app import UniboxApp

__all__ = ["InboxScreen"]

log = logging.getLogger(__name__)


class InboxScreen(Screen[None]):
    """Folders -> conversations -> thread; everything the SDR triages from."""

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-medium"), (140, "-wide")]
    BINDINGS = eager([*INBOX_BINDINGS, *TRIAGE_BINDINGS, *BULK_BINDINGS])  # openers act before the next key (type_ahead.py)
    #: What the ``?`` screen lists under "Inbox" (triage's keys have their own section).
    HELP_BINDINGS = INBOX_BINDINGS
    #: Palette names longer than the key bar's (the rest use the binding's description).
    PALETTE_NAMES = INBOX_PALETTE_NAMES

    #: Where the folder bar becomes a one-line strip.
    STRIP_BELOW = 140

    def __init__(self) -> None:
        super().__init__()
        # The width classes Textual adds on the first resize, added now: restyling the whole
        # screen for them after mount cost a busy machine ~20 ms of start-up.
        width = self.app.size.width
        self.add_class(next(name for edge, name in reversed(self.HORIZONTAL_BREAKPOINTS) if width >= edge))
        # The workspace's services are read here, once (a new screen is built per workspace),
        # and handed down; the client is asked each time (built after the first frame, and
        # replaced when a refused key is replaced).
        app = self.unibox
        self._workspace = app.workspace
        self.model = InboxModel(page_size=app.settings.page_size, local=app.local_triage, clock=app.clock)
        self.triage = TriageService(self.model, self._client, mark_read_on_open=lambda: app.settings.mark_read_on_open,
                                    journal=self._workspace.record)
        self.snippets = SnippetSource(lambda: app.settings.snippets, lambda: app.lead_finder, self._workspace.inboxes,
                                      self._client, adopt=lambda chosen: setattr(app.settings, "snippets", chosen))
        self.loader = PageLoader(self, self.model, self._client, lambda: self._workspace.row_cache)  # asked per load
        self.poller = Poller(self, self.model, self._client)
        self.thread = ThreadPane(self, self.model, self._client)
        self.triage_keys = TriageKeys(self, self.triage, self.model)
        self.bulk = BulkKeys(self, self.triage, self.model)
        self.view = InboxView(self, self.model)
        self.followups = InboxFollowups(self, self.model, self._client)
        self.replies = Replies(self, self.model)
        self.openers = OpenerGate(self, lambda: app.settings.keys)

    @property
    def unibox(self) -> UniboxApp:
        return self.app  # type: ignore[return-value]

    def _client(self) -> ReachkitClient | None:
        """This screen's workspace's client; none once another workspace took over: a timer or a
        worker of this screen still running while it is removed must not ask the new server."""
        app = self.unibox
        return app.client if app.workspace is self._workspace else None

    # -- layout ------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="✉")
        with Horizontal(id="body"):
            yield FolderBar(
                [
                    Folder("primary", "Primary"),
                    Folder("others", "Others"),
                    Folder("snoozed", "Snoozed"),
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
                yield InboxAlert(self._client, id="inbox-alert")
                yield ListStatus(id="list-status")
            with Vertical(id="thread-pane"):
                yield ThreadHeader(id="thread-header", notes=self.followups.header_note)
                yield LeadContext(lambda: self.unibox.lead_finder if self._client() else None, id="lead-context")
                yield ThreadView(id="thread")
                yield Composer(id="composer", keymap=self.unibox.settings.keys, choose_snippet=self.replies.choose_snippet)
        # Where attachments go is asked at each save (the workspace's settings of the moment).
        yield DownloadsPanel(self._client, lambda: self.unibox.settings.downloads, keymap=self.unibox.settings.keys,
                             id="downloads")
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
        self.folder_bar.select(self.model.folder)
        self.conversation_list.focus()
        self.update_titles()
        self.followups.start()
        if self.unibox.has_session:  # else the welcome screen (pushed by the app) asks for a key
            self.loader.start()

    def start_side_loads(self) -> None:
        """After the first page: drafts, folder counts, the inbox check, polling (called once)."""
        self.count_drafts()
        self.loader.count_other_folders()
        self.query_one(InboxAlert).check()
        self.poller.start()
        self.followups.online()

    def on_unmount(self) -> None:
        self.followups.stop()

    def on_resize(self, event: Resize) -> None:
        self.folder_bar.set_class(event.size.width < self.STRIP_BELOW, "-strip")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """An opener's key is the inbox's unless the user is typing or the focused widget binds it."""
        return self.openers.allows(action)

    async def run_chosen(self, action: str) -> None:
        await self.openers.run_chosen(action)  # the palette: asked for by name

    def update_titles(self) -> None:
        self.title = "unibox-tui"
        where = "Primary" if self.model.folder == "primary" else "Others"
        self.sub_title = f"{where} · {self.unibox.workspace_label}"

    # -- what other code asks of the inbox (names kept from before the model) ------------------------

    @property
    def pages(self) -> PageCache[Page[Conversation]]:
        return self.model.pages

    @property
    def page_number(self) -> int:
        return self.model.page_number

    @property
    def search(self) -> str:
        return self.model.search

    @property
    def open_id(self) -> str | None:
        return self.thread.open_id

    def conversation(self, conversation_id: str) -> Conversation | None:
        """The conversation as the user sees it (server copy, unsaved changes, local marks)."""
        return self.model.conversation(conversation_id)

    def load_page(self, page: int, *, cursor: int | str | None = 0, force: bool = False) -> None:
        self.loader.load(page, cursor=cursor, force=force)

    def open_conversation(self, conversation_id: str) -> None:
        self.thread.open(conversation_id)

    def replace_conversation(self, conversation: Conversation) -> None:
        """A fresher copy of a conversation: its row and, if open, its thread follow."""
        self.model.remember(conversation)

    # -- paging and folders --------------------------------------------------------------------------

    def action_next_page(self) -> None:
        self.loader.step(+1)

    def action_previous_page(self) -> None:
        self.loader.step(-1)

    @on(ConversationList.PastEdge)
    def _past_edge(self, event: ConversationList.PastEdge) -> None:
        self.loader.past_edge(event.direction)

    def action_cycle_folder(self) -> None:
        self.loader.switch_folder(FOLDERS[(FOLDERS.index(self.model.folder) + 1) % len(FOLDERS)])

    @on(FolderBar.Selected)
    def _folder_selected(self, event: FolderBar.Selected) -> None:
        if event.key in FOLDERS:
            self.switch_folder(event.key)
            self.conversation_list.focus()
        elif event.key == "snoozed":
            self.conversation_list.focus()  # where esc comes back to (j/k/h would move folders)
            self.followups.snoozed_view()
        else:
            self.post_message(OpenRoom(event.key))

    def switch_folder(self, folder: str) -> None:
        self.loader.switch_folder(folder)

    def action_search(self) -> None:
        bar = self.query_one(SearchBar)
        bar.display = True
        bar.value = self.model.search
        self.set_focus(bar)  # now, not after a refresh: the keys typed next are the search's

    @on(SearchBar.Search)
    def _run_search(self, event: SearchBar.Search) -> None:
        self.loader.search(event.query, final=event.final)

    @on(SearchBar.Cancelled)
    def _search_cancelled(self, event: SearchBar.Cancelled) -> None:
        self.query_one(SearchBar).display = False
        self.conversation_list.focus()

    # -- the thread pane ----------------------------------------------------------------------------

    @on(ConversationList.Highlighted)
    def _highlighted(self, event: ConversationList.Highlighted) -> None:
        current = self.conversation_list.current_row
        if event.row is not None and current is not None and current.id == event.row.id:
            # (Only while it is news: a message the list has moved past since must not
            # pull the model's cursor, and with it the list's, back.)
            self.model.select(event.row.id)
        self.thread.follow(event.row)

    @on(ConversationList.Selected)
    def _selected(self, event: ConversationList.Selected) -> None:
        self.thread.select(event.row)
        self.triage_keys.opened(event.row.id)
        self.followups.opened(event.row.id)
        if self.has_class("-narrow"):
            self.add_class("-reading")
        self.thread_view.focus()

    # -- triage keys (the actions live in triage_keys.py; on marked rows, bulk_keys.py) -------------

    def _triage(self) -> TriageKeys | BulkKeys:
        return self.bulk if self.bulk.active else self.triage_keys

    def action_label(self, label: str) -> None:
        self._triage().label(label)

    def action_clear_label(self) -> None:
        self._triage().label(None)

    def action_accept_label(self) -> None:
        self._triage().accept_label()

    def action_pick_label(self) -> None:
        self._triage().pick_label()

    def action_toggle_read(self) -> None:
        self._triage().toggle_read()

    def action_block(self) -> None:
        self._triage().block()

    def action_toggle_mark(self) -> None:
        self.bulk.toggle_mark()

    def action_mark_page(self) -> None:
        self.bulk.mark_page()

    def action_undo(self) -> None:
        self.triage_keys.undo()

    def action_filter(self) -> None:
        self.triage_keys.pick_filter()

    def action_snooze(self) -> None:
        self.followups.snooze()

    def action_waiting(self) -> None:
        self.followups.waiting.view()

    def quit_when_saved(self) -> bool:
        return self.triage_keys.quit_when_saved()

    def commands_without_keys(self) -> Iterable[SystemCommand]:
        """Palette entries that are no key of this screen (the keys come from the bindings)."""
        from .snippet_form import SnippetForm

        yield from self.bulk.commands()
        yield SystemCommand("New snippet…", "A canned reply with variables, saved in config.toml",
                            lambda: self.app.push_screen(SnippetForm(self.snippets)))

    # -- pipes and the day summary (their screens do the work) ---------------------------------------

    def action_pipe(self) -> None:
        from .pipe_prompt import start_pipe

        start_pipe(self)

    def action_day_summary(self) -> None:
        from .day_summary import DaySummaryScreen

        self.app.push_screen(DaySummaryScreen(self.unibox.workspace, self.model))

    # -- replies ------------------------------------------------------------------------------------

    def action_reply(self) -> None:
        """Reply to the highlighted conversation from the list, else to the open one."""
        row = self.conversation_list.current_row
        target = row.id if row is not None and (self.focused is self.conversation_list or not self.open_id) else self.open_id
        if target is not None:
            self.reply_to(target)

    def action_snoozed(self) -> None:
        self.followups.snoozed_view()

    def action_drafts(self) -> None:
        self.post_message(OpenRoom("drafts"))

    def reply_to(self, conversation_id: str) -> None:
        """Open the composer on a conversation (fetched first if it is not on this page)."""
        self.replies.open_composer(conversation_id)

    @on(Composer.Sent)
    def _reply_sent(self, event: Composer.Sent) -> None:
        self.replies.sent(event.conversation_id, event.message, event.conversation)

    @on(Composer.Closed)
    def _composer_closed(self, event: Composer.Closed) -> None:
        self.replies.closed(event.refocus)

    @on(Composer.DraftsChanged)
    def count_drafts(self) -> None:
        self.replies.count_drafts()

    # -- attachments --------------------------------------------------------------------------------

    def action_save_attachments(self) -> None:
        """``s``: the picker over the conversation on screen; the downloads panel saves the picks."""
        row = self.conversation_list.current_row
        conversation_id = row.id if row is not None and self.focused is self.conversation_list else self.open_id
        conversation = self.conversation(conversation_id) if conversation_id else None
        from .attachment_picker import pick_attachments  # (pickers load when first used)

        panel = self.query_one(DownloadsPanel)
        pick_attachments(self.unibox, conversation, connected=self._client() is not None, save=panel.save)

    def action_toggle_downloads(self) -> None:
        self.query_one(DownloadsPanel).toggle()

    # -- refresh, the lead, back ----------------------------------------------------------------------

    def action_refresh(self) -> None:
        self.model.forget_copies()
        current = self.conversation_list.current_row
        self.loader.reload(cursor=current.id if current else 0)
        self.thread.refresh()
        self.loader.count_other_folders()
        self.query_one(InboxAlert).check()
        self.query_one(LeadContext).refresh_lookup()
        self.poller.start()  # after a refused key was replaced, polling had stopped
        self.followups.retry()

    @on(ScreenResume)
    def _lead_context_resume(self, event: ScreenResume) -> None:
        self.query_one(LeadContext).revalidate()

    def action_lead_details(self) -> None:
        self.query_one(LeadContext).toggle()

    def action_add_lead(self) -> None:
        self.thread.add_lead(self.query_one(InboxAlert).addresses)

    @on(InboxAlert.OpenInboxes)
    def _open_inboxes(self, event: InboxAlert.OpenInboxes) -> None:
        self.post_message(OpenRoom("inboxes", select=event.select))

    def action_back(self) -> None:
        """Marks first (wherever the list shows), then back to the list, the filter, the search."""
        if not self.has_class("-reading") and self.bulk.clear_marks():
            return
        focused = self.focused
        if isinstance(focused, ThreadView) or self.has_class("-reading"):
            self.remove_class("-reading")
            self.conversation_list.focus()
            return
        if self.triage_keys.clear_filter():
            return
        if self.model.search:
            self.loader.clear_search()

    @on(Worker.StateChanged)
    def _worker_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            error = event.worker.error
            if event.worker.group == "list":
                self.status.loading = False
            self.unibox.show_error(error, event.worker.description or "A background task")

