"""The Textual application: owns the client and settings; screens carry the behaviour."""

from __future__ import annotations

import gc
import logging
import os
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import ModalScreen, Screen

from ..api.errors import ReachkitError
from ..api.urls import normalise_base_url
from ..clock import Clock, system_clock
from ..config import ENV_API_KEY, ProfileInfo, Settings, profile_infos
from ..redact import scrub
from ..render.sanitize import clean_line
from ..store.drafts import DraftStore, draft_folder
from ..store.inbox_directory import InboxDirectory
from ..store.local_triage import LocalTriageStore
from .screens.inbox import InboxScreen
from .stylesheet import OneParseStylesheet
from .workspace import FIRST_MODE, DemoLauncher, Workspaces, workspace_label

if TYPE_CHECKING:
    from ..api.client import ReachkitClient
    from ..api.lead_lookup import LeadFinder

__all__ = ["UniboxApp", "make_client"]

log = logging.getLogger(__name__)

ClientFactory = Callable[[Settings], "ReachkitClient"]


def make_client(settings: Settings) -> ReachkitClient:
    """The client for these settings (raises ``InsecureURLError`` for plain http to a remote)."""
    from ..api.client import ReachkitClient  # httpx loads here, after the first frame

    if not settings.api_key:
        raise ValueError("no API key")
    return ReachkitClient(
        settings.api_key, settings.base_url, allow_insecure=settings.insecure, trust_env=settings.trust_env
    )


class UniboxApp(App[None]):
    """unibox-tui. Built by ``cli.main`` and by the tests the same way: settings in, client made here."""

    CSS_PATH = "app.tcss"
    DEFAULT_MODE = FIRST_MODE  # one screen-stack mode per workspace (see ui/workspace.py)
    TITLE = "unibox-tui"
    ENABLE_COMMAND_PALETTE = True

    BINDINGS = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("W", "switch_profile", "Switch profile", show=False, id="app.switch_profile"),
        Binding("C", "open_room('campaigns')", "Campaigns", show=False, id="app.campaigns"),
        Binding("I", "open_room('inboxes')", "Inboxes", show=False, id="app.inboxes"),
        Binding("K", "open_room('blocklist')", "Blocklist", show=False, id="app.blocklist"),
    ]

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
        self.settings = settings
        self.client_factory = client_factory
        self._client: ReachkitClient | None = client
        self._owns_client = client is None
        self.drafts = DraftStore(draft_folder(settings.profile, demo=settings.demo))
        self.inboxes = InboxDirectory()
        self._lead_finder: LeadFinder | None = None
        self.startup_error: str = ""
        self._local_triage: LocalTriageStore | None = None
        self.workspaces = Workspaces(self, demo_launcher)
        self.add_mode(FIRST_MODE, self.workspaces.first_screen)
        if client is None and settings.api_key:
            # Check the address now (cheap); build the client (and import httpx) on first use,
            # which is after the first frame: start-up paints cached rows without waiting.
            try:
                normalise_base_url(settings.base_url, allow_insecure=settings.insecure)
            except (ReachkitError, ValueError) as error:
                self.startup_error = str(error)

    @property
    def client(self) -> ReachkitClient | None:
        """The session's client, made on first use; ``None`` without a usable key and address."""
        if self._client is None and self.has_session:
            try:
                self._client = self.client_factory(self.settings)
            except (ReachkitError, ValueError) as error:
                self.startup_error = str(error)
        return self._client

    @client.setter
    def client(self, client: ReachkitClient | None) -> None:
        self._client = client

    @property
    def has_session(self) -> bool:
        """A key and an acceptable address: the inbox can load (the client may not exist yet)."""
        return self._client is not None or (bool(self.settings.api_key) and not self.startup_error)

    # -- lifecycle --

    def on_mount(self) -> None:
        self.workspaces.apply_look(self.settings)

    def on_ready(self) -> None:
        """The first frame is drawn: the garbage collector, paused for start-up (cli.py), resumes."""
        gc.enable()

    async def on_unmount(self) -> None:
        if self._local_triage is not None and self._local_triage.dirty:
            try:
                self._local_triage.save()
            except OSError as error:
                log.warning("local labels not saved: %s", error)
        if self._client is not None and self._owns_client:
            await self._client.aclose()

    # -- what screens ask of the app --

    def _normalised_base_url(self) -> str:
        """The base URL as the client will have it, without building the client (start-up)."""
        try:
            return normalise_base_url(self.settings.base_url, allow_insecure=True)
        except (ReachkitError, ValueError):
            return self.settings.base_url

    @property
    def workspace_label(self) -> str:
        return workspace_label(self.settings)

    @property
    def local_triage(self) -> LocalTriageStore:
        """Labels and read marks kept on this machine for the current profile and server.

        Read once per workspace: switching profile (or server) saves the old store and opens the
        new one, so one workspace's labels never show in another.
        """
        server = self._client.base_url if self._client is not None else self._normalised_base_url()
        store = self._local_triage
        if store is None or (store.profile, store.server) != (self.settings.profile, server):
            if store is not None and store.dirty:
                try:
                    store.save()
                except OSError as error:
                    log.warning("local labels not saved: %s", error)
            store = self._local_triage = LocalTriageStore.for_profile(self.settings.profile, server)
            if store.problem:
                self.say(store.problem, title="Local labels", severity="warning")
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
        self.notify(
            clean_line(scrub(text), max_chars=400),
            title=clean_line(title, max_chars=60),
            severity=severity,  # type: ignore[arg-type]
            timeout=timeout,
            markup=False,
        )

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
        """Campaign-lead lookups shared by every screen, tied to the current client."""
        from ..api.lead_lookup import LeadFinder

        if self.client is None:
            return None
        if self._lead_finder is None or self._lead_finder.client is not self.client:
            self._lead_finder = LeadFinder(self.client)
        return self._lead_finder

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

    async def action_quit(self) -> None:
        """Quit; labels and read marks still on their way to the server get a moment first."""
        if not any(isinstance(screen, InboxScreen) and screen.quit_when_saved() for screen in self.screen_stack):
            self.exit()

    def action_switch_profile(self) -> None:
        """Pick another profile; the app then reloads everything for it."""
        from .screens.profile_picker import ProfilePicker

        if isinstance(self.screen, ProfilePicker):
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
            self.push_screen(HelpScreen())

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if isinstance(screen, InboxScreen):
            yield SystemCommand("Refresh", "Reload the list and the open conversation (ctrl+r)", screen.action_refresh)
            yield SystemCommand("Search", "Search the current folder (/)", screen.action_search)
            yield SystemCommand("Next page", "Show the next page (])", screen.action_next_page)
            yield SystemCommand("Previous page", "Show the previous page ([)", screen.action_previous_page)
            yield SystemCommand("Folder: Primary", "Campaign replies (c cycles folders)", lambda: screen.switch_folder("primary"))
            yield SystemCommand("Folder: Others", "Non-campaign mail (c cycles folders)", lambda: screen.switch_folder("others"))
            yield from screen.triage_commands()
            yield SystemCommand("Reply", "Reply to the open conversation (r)", screen.action_reply)
            yield SystemCommand("Drafts", "Replies not sent yet (D)", screen.action_drafts)
            from .widgets.composer import composer_commands

            yield from composer_commands(screen)
            yield SystemCommand("Save attachments", "Save files of the open conversation (s)", screen.action_save_attachments)
            yield SystemCommand("Downloads", "Show the downloads panel: cancel, retry, open (S)", screen.action_toggle_downloads)
            yield SystemCommand("Add lead", "A referral from the open conversation, as a new lead (A)", screen.action_add_lead)
            yield SystemCommand("Lead details", "Show or hide the lead's campaigns and variables (i)", screen.action_lead_details)
            finder = self.lead_finder
            if finder is not None and finder.added:
                from .screens.remove_lead import remove_added_lead

                # Palette help text is parsed as markup: no server string goes in it.
                yield SystemCommand("Remove added lead", "Undo the last lead added from this app (asks first)",
                                    lambda: remove_added_lead(self))
        if self.has_session:
            yield SystemCommand("Campaigns", "Status, numbers, pause/resume, sequence variants (C)", lambda: self.open_room("campaigns"))
            yield SystemCommand("Inboxes", "Connection, warmup, limits, DNS records (I)", lambda: self.open_room("inboxes"))
            yield SystemCommand("Blocklist", "Blocked addresses and domains: add, remove, check (K)", lambda: self.open_room("blocklist"))
        from .screens.room import RoomScreen

        if isinstance(screen, RoomScreen):
            yield from screen.room_commands()
        yield SystemCommand(
            "Switch profile",
            "Open another workspace (W); add one with: unibox-tui login --profile NAME",
            self.action_switch_profile,
        )
        yield SystemCommand("Keys", "Every key binding (?)", self.action_help)
