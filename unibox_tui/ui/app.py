"""The Textual application: holds the current workspace and the clock; screens carry the behaviour."""

from __future__ import annotations

import gc
import logging
import os
from collections.abc import Iterable
from typing import TYPE_CHECKING

from textual import on
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.markup import escape
from textual.screen import ModalScreen, Screen

from ..api.errors import ReachkitError
from ..clock import Clock, system_clock
from ..config import ENV_API_KEY, ProfileInfo, Settings, profile_infos
from ..domain.workspace import ClientFactory, Workspace, make_client
from .keys import bound_key, display_keys
from .messages import OpenRoom, ShowError
from .notices import say
from .palette import palette_commands
from .reply_news import tell
from .scheduling import TextualScheduler
from .screens.inbox import InboxScreen
from .stylesheet import OneParseStylesheet
from .widgets.composer import Composer
from .workspace import FIRST_MODE, DemoLauncher, Workspaces, workspace_label

if TYPE_CHECKING:
    from ..api.client import ReachkitClient
    from ..api.lead_lookup import LeadFinder
    from ..domain.reply_session import ReplyEvent
    from ..store.drafts import DraftStore
    from ..store.inbox_directory import InboxDirectory
    from ..store.local_triage import LocalTriageStore

__all__ = ["UniboxApp", "make_client"]

log = logging.getLogger(__name__)

#: Quitting with a reply in flight waits this long for its answer (then it stays "sending" on
#: disk, and is checked at the next start).
QUIT_SEND_GRACE = 8.0
#: Rooms need a session: without one the palette does not offer them.
ROOM_BINDINGS = ("app.campaigns", "app.inboxes", "app.blocklist")


class UniboxApp(App[None]):
    """unibox-tui. Built by ``cli.main`` and by the tests the same way: settings in, workspace made here."""

    CSS_PATH = "app.tcss"
    DEFAULT_MODE = FIRST_MODE  # one screen-stack mode per workspace (see ui/workspace.py)
    TITLE = "unibox-tui"
    ENABLE_COMMAND_PALETTE = True

    BINDINGS = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("question_mark", "help", "Help", id="app.help", tooltip="Every key binding"),
        Binding("W", "switch_profile", "Switch profile", show=False, id="app.switch_profile",
                tooltip="Open another workspace; add one with: unibox-tui login --profile NAME"),
        Binding("C", "open_room('campaigns')", "Campaigns", show=False, id="app.campaigns",
                tooltip="Status, numbers, pause/resume, sequence variants"),
        Binding("I", "open_room('inboxes')", "Inboxes", show=False, id="app.inboxes",
                tooltip="Connection, warmup, limits, DNS records"),
        Binding("K", "open_room('blocklist')", "Blocklist", show=False, id="app.blocklist",
                tooltip="Blocked addresses and domains: add, remove, check"),
    ]
    #: The palette's name for ``?`` (Textual's own "Keys" shows the focused widget's keys).
    PALETTE_NAMES = {"app.help": "Keys"}

    def __init__(
        self,
        settings: Settings,
        *,
        client: ReachkitClient | None = None,
        client_factory: ClientFactory = make_client,
        demo_launcher: DemoLauncher | None = None,
        clock: Clock = system_clock,
    ) -> None:
        super().__init__()
        #: Every "now" the UI shows or compares with (tests inject one: no test depends on the date).
        self.clock = clock
        self.stylesheet = OneParseStylesheet(variables=self.get_css_variables())
        self.client_factory = client_factory
        self.scheduler = TextualScheduler(self)
        #: Everything the current Reachkit workspace owns; replaced only by ``adopt_workspace``.
        self.workspace = self.build_workspace(settings, client, owns_client=client is None)
        self.workspace.sessions.events.connect(self._reply_event)
        self._quitting_with_replies = False
        self.workspaces = Workspaces(self, demo_launcher)
        self.add_mode(FIRST_MODE, self.workspaces.first_screen)

    def build_workspace(self, settings: Settings, client: ReachkitClient | None, *, owns_client: bool = True) -> Workspace:
        """A workspace for ``settings`` with this app's clock, scheduler and client factory."""
        return Workspace(settings, clock=self.clock, scheduler=self.scheduler, client=client,
                         owns_client=owns_client, client_factory=self.client_factory)

    def adopt_workspace(self, workspace: Workspace) -> None:
        """Swap the whole workspace: the old one's timers, rechecks and client end; a fresh inbox opens.

        The one place that changes workspace (a key pasted on the welcome screen, the demo,
        "Switch profile"): nothing of the old one can be shown, saved or sent in the new one.
        """
        old = self.workspace
        old.sessions.events.disconnect(self._reply_event)
        old.stop()
        self.workspace = workspace
        workspace.sessions.events.connect(self._reply_event)
        self.workspaces.open_fresh_inbox()
        self.workspaces.apply_look(workspace.settings)
        self.run_worker(old.aclose(), group="close-client", exit_on_error=False, description="Closing the old workspace")
        self.call_after_refresh(self._resume_replies)

    # -- what the workspace owns, under the names every screen uses --

    @property
    def settings(self) -> Settings:
        return self.workspace.settings

    @property
    def client(self) -> ReachkitClient | None:
        """The workspace's client, made on first use; ``None`` without a usable key and address."""
        return self.workspace.client

    @property
    def has_session(self) -> bool:
        return self.workspace.has_session

    @property
    def startup_error(self) -> str:
        return self.workspace.startup_error

    @property
    def drafts(self) -> DraftStore:
        return self.workspace.drafts

    @property
    def inboxes(self) -> InboxDirectory:
        return self.workspace.inboxes

    # -- lifecycle --

    def on_mount(self) -> None:
        self.workspaces.apply_look(self.settings)

    def on_ready(self) -> None:
        """The first frame is drawn: the garbage collector (paused for start-up, cli.py) resumes, and
        replies the last run left unsettled are looked for."""
        gc.enable()
        self._resume_replies()

    def _resume_replies(self) -> None:
        if self.workspace.has_session:
            self.run_worker(self.workspace.sessions.resume_pending(), group="reply-resume",
                            exit_on_error=False, description="Checking unsettled replies")

    def _reply_event(self, event: ReplyEvent) -> None:
        tell(self, event)

    async def on_unmount(self) -> None:
        await self.workspace.aclose()

    # -- what screens ask of the app --

    @property
    def workspace_label(self) -> str:
        return workspace_label(self.settings)

    @property
    def local_triage(self) -> LocalTriageStore:
        """Labels and read marks kept on this machine for the current workspace (see domain/workspace.py)."""
        store = self.workspace.local_triage
        problem = self.workspace.untold_local_triage_problem()
        if problem:
            self.say(problem, title="Local labels", severity="warning")
        return store

    def local_label(self, conversation_id: str) -> str | None:
        """A label kept on this machine when the server cannot store it (see ui/screens/triage.py)."""
        return self.local_triage.label(conversation_id)

    def say(
        self,
        text: str,
        *,
        title: str = "",
        severity: str = "information",
        timeout: float | None = None,
    ) -> None:
        """A notification whose text is always shown literally (never parsed as markup)."""
        say(self, text, title=title, severity=severity, timeout=timeout)

    def show_error(self, error: BaseException | None, context: str = "") -> None:
        """The one place errors become words on screen: never a traceback, never a crash."""
        if error is not None and self.workspaces.key_refused(error):
            return  # the welcome screen explains it and takes a new key
        if isinstance(error, ReachkitError):
            text = str(error)
        elif error is None:
            text = "Unknown error."
        else:
            log.exception("unexpected error in %s", context, exc_info=error)
            text = f"Unexpected {type(error).__name__}; the app keeps running."
        self.say(text, title=context or "Error", severity="error", timeout=8)

    @property
    def lead_finder(self) -> LeadFinder | None:
        """Campaign-lead lookups of the current workspace, tied to its client."""
        return self.workspace.lead_finder

    def open_room(self, key: str, *, select: str | None = None) -> None:
        """Show a room over the inbox; from another room, replace it (escape always leads home)."""
        from .screens.blocklist import BlocklistScreen
        from .screens.campaigns import CampaignsScreen
        from .screens.inboxes import InboxesScreen
        from .screens.room import RoomScreen

        if key == "drafts":
            from .screens.drafts import open_drafts

            open_drafts(self)
            return
        if isinstance(self.screen, ModalScreen):
            return
        if isinstance(self.screen, RoomScreen) and self.screen.ROOM == key:
            return
        if key == "campaigns":
            room: RoomScreen = CampaignsScreen()
        elif key == "inboxes":
            room = InboxesScreen(select=select)
        elif key == "blocklist":
            room = BlocklistScreen()
        else:
            self.say(f"{key.title()} is not available yet.")
            return
        if isinstance(self.screen, RoomScreen):
            self.switch_screen(room)
        else:
            self.push_screen(room)

    # -- actions and commands --

    def action_open_room(self, key: str) -> None:
        self.open_room(key)

    @on(OpenRoom)
    def _room_asked_for(self, event: OpenRoom) -> None:
        self.open_room(event.room, select=event.select)

    @on(ShowError)
    def _error_posted(self, event: ShowError) -> None:
        self.show_error(event.error, event.context)

    async def action_quit(self) -> None:
        """Quit; a reply on its way is asked about first, labels still being saved get a moment."""
        from .screens.quit_pending import QuitPendingScreen

        if isinstance(self.screen, QuitPendingScreen):
            return
        leaving = self.workspace.sessions.on_its_way()
        if leaving and not self._quitting_with_replies:
            self.workspace.sessions.hold_countdowns()  # nothing leaves while the question is asked
            self.push_screen(QuitPendingScreen(leaving, self.clock), self._quit_answered)
            return
        self._quit_when_saved()

    def _quit_when_saved(self) -> None:
        if not any(isinstance(screen, InboxScreen) and screen.quit_when_saved() for screen in self.screen_stack):
            self.exit()

    def _quit_answered(self, choice: str | None) -> None:
        """"send" or "keep" (the countdowns are undone); either way a reply in flight gets a moment."""
        sessions = self.workspace.sessions
        if choice is None:
            sessions.resume_countdowns()
            return
        self._quitting_with_replies = True  # q again now quits at once
        if choice == "send":
            sessions.send_all_now()
        else:
            sessions.undo_all_countdowns()
        self.run_worker(self._quit_after_replies(), group="quit", exit_on_error=False, description="Quitting")

    async def _quit_after_replies(self) -> None:
        sessions = self.workspace.sessions
        if any(s.working for s in sessions):
            self.say("Waiting for the server's answer before quitting… (q again quits now)", title="Quitting",
                     timeout=QUIT_SEND_GRACE)
        await sessions.wait_until_sent(QUIT_SEND_GRACE)
        self._quit_when_saved()

    @on(Composer.DeliveryQuestion)
    def _delivery_question(self, event: Composer.DeliveryQuestion) -> None:
        """ctrl+s on a reply whose delivery is unknown: what is known, and "send anyway" behind a confirmation."""
        from .screens.send_anyway import SendAnywayScreen

        session = event.session
        if isinstance(self.screen, SendAnywayScreen):
            return

        def answered(send: bool | None) -> None:
            if send:
                session.send_anyway()

        self.push_screen(SendAnywayScreen(session, self.clock), answered)

    def replies_hold_the_workspace(self) -> bool:
        """A reply counting down or in flight keeps the workspace: switching would cut it off (said)."""
        leaving = self.workspace.sessions.on_its_way()
        if leaving:
            self.say(f"Your reply to {leaving[0].lead} is still on its way: switch once it has left, or undo it "
                     "(ctrl+z) first.", title="Switch profile", severity="warning")
        return bool(leaving)

    def action_switch_profile(self) -> None:
        """Pick another profile; the app then reloads everything for it."""
        from .screens.profile_picker import ProfilePicker

        if isinstance(self.screen, ProfilePicker) or self.replies_hold_the_workspace():
            return
        profiles = profile_infos()
        if self.settings.profile not in {info.name for info in profiles}:  # --profile NEW, not saved yet
            here = ProfileInfo(self.settings.profile, self.settings.base_url, False, False)
            profiles = sorted([*profiles, here], key=lambda info: info.name)
        env_key = bool(os.environ.get(ENV_API_KEY, "").strip())

        def picked(name: str | None) -> None:
            if name is not None and (name != self.settings.profile or self.settings.demo):
                self.workspaces.switch_profile(name)

        self.push_screen(ProfilePicker(profiles, "" if self.settings.demo else self.settings.profile, env_key=env_key), picked)

    def action_help(self) -> None:
        from .screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.settings.keys))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Textual's own commands, every binding meant for the palette (see ui/palette.py), and the
        few commands that are not a key: a folder by name, removing the lead added last."""
        yield from super().get_system_commands(screen)
        keymap = self.settings.keys
        yield from palette_commands(self, screen, keymap, hide=() if self.has_session else ROOM_BINDINGS)
        if isinstance(screen, InboxScreen):
            cycle = display_keys(bound_key(keymap, "inbox.folder_cycle", "c"))
            yield SystemCommand("Folder: Primary", f"Campaign replies ({escape(cycle)} cycles folders)",
                                lambda: screen.switch_folder("primary"))
            yield SystemCommand("Folder: Others", f"Non-campaign mail ({escape(cycle)} cycles folders)",
                                lambda: screen.switch_folder("others"))
            yield from screen.commands_without_keys()
            finder = self.lead_finder
            if finder is not None and finder.added:
                from .screens.remove_lead import remove_added_lead

                # Palette help text is parsed as markup: no server string goes in it.
                yield SystemCommand("Remove added lead", "Undo the last lead added from this app (asks first)",
                                    lambda: remove_added_lead(self))
