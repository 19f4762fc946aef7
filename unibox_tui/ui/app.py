"""The Textual application: owns the client and settings; screens carry the behaviour."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import ModalScreen, Screen

from ..api import ReachkitClient, ReachkitError
from ..api.lead_lookup import LeadFinder
from ..config import Settings
from ..render.sanitize import clean_line
from .screens.help import HelpScreen
from .screens.inbox import InboxScreen

__all__ = ["UniboxApp", "make_client"]

log = logging.getLogger(__name__)

ClientFactory = Callable[[Settings], ReachkitClient]


def make_client(settings: Settings) -> ReachkitClient:
    """The client for these settings (raises ``InsecureURLError`` for plain http to a remote)."""
    if not settings.api_key:
        raise ValueError("no API key")
    return ReachkitClient(settings.api_key, settings.base_url, allow_insecure=settings.insecure)


class UniboxApp(App[None]):
    """unibox-tui. Built by ``cli.main`` and by the tests the same way: settings in, client made here."""

    CSS_PATH = "app.tcss"
    TITLE = "unibox-tui"
    ENABLE_COMMAND_PALETTE = True

    BINDINGS = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("question_mark", "help", "Help", id="app.help"),
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
    ) -> None:
        super().__init__()
        self.settings = settings
        self.client_factory = client_factory
        self.client: ReachkitClient | None = client
        self._owns_client = client is None
        self._lead_finder: LeadFinder | None = None
        self.startup_error: str = ""
        if self.client is None and settings.api_key:
            try:
                self.client = client_factory(settings)
            except (ReachkitError, ValueError) as error:
                self.startup_error = str(error)

    # -- lifecycle --

    def get_default_screen(self) -> Screen:
        return InboxScreen()

    def on_mount(self) -> None:
        if self.settings.theme in self.available_themes:
            self.theme = self.settings.theme
        if self.settings.keys:
            self.set_keymap(self.settings.keys)
        for warning in self.settings.warnings:
            self.say(warning, title="Settings", severity="warning", timeout=12)
        if self.startup_error:
            self.say(self.startup_error, title="Cannot connect", severity="error", timeout=20)

    async def on_unmount(self) -> None:
        if self.client is not None and self._owns_client:
            await self.client.aclose()

    # -- what screens ask of the app --

    @property
    def workspace_label(self) -> str:
        if self.settings.demo:
            return "demo"
        host = urlsplit(self.settings.base_url).hostname or self.settings.base_url
        return f"{self.settings.profile} @ {host}"

    def local_label(self, conversation_id: str) -> str | None:
        """A label kept on this machine when the server cannot store it (see triage)."""
        return None

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
            clean_line(text, max_chars=400),
            title=clean_line(title, max_chars=60),
            severity=severity,  # type: ignore[arg-type]
            timeout=timeout,
            markup=False,
        )

    def show_error(self, error: BaseException | None, context: str = "") -> None:
        """The one place errors become words on screen: never a traceback, never a crash."""
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

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if isinstance(screen, InboxScreen):
            yield SystemCommand("Refresh", "Reload the list and the open conversation (ctrl+r)", screen.action_refresh)
            yield SystemCommand("Search", "Search the current folder (/)", screen.action_search)
            yield SystemCommand("Next page", "Show the next page (])", screen.action_next_page)
            yield SystemCommand("Previous page", "Show the previous page ([)", screen.action_previous_page)
            yield SystemCommand("Folder: Primary", "Campaign replies (1)", lambda: screen.switch_folder("primary"))
            yield SystemCommand("Folder: Others", "Non-campaign mail (2)", lambda: screen.switch_folder("others"))
            yield SystemCommand("Add lead", "A referral from the open conversation, as a new lead (A)", screen.action_add_lead)
            yield SystemCommand("Lead details", "Show or hide the lead's campaigns and variables (i)", screen.action_lead_details)
            finder = self.lead_finder
            if finder is not None and finder.added:
                from .screens.remove_lead import remove_added_lead

                # Palette help text is parsed as markup: no server string goes in it.
                yield SystemCommand("Remove added lead", "Undo the last lead added from this app (asks first)",
                                    lambda: remove_added_lead(self))
        if self.client is not None:
            yield SystemCommand("Campaigns", "Status, numbers, pause/resume, sequence variants (C)", lambda: self.open_room("campaigns"))
            yield SystemCommand("Inboxes", "Connection, warmup, limits, DNS records (I)", lambda: self.open_room("inboxes"))
            yield SystemCommand("Blocklist", "Blocked addresses and domains: add, remove, check (K)", lambda: self.open_room("blocklist"))
        from .screens.room import RoomScreen

        if isinstance(screen, RoomScreen):
            yield from screen.room_commands()
        yield SystemCommand("Keys", "Every key binding (?)", self.action_help)
