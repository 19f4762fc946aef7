"""The Textual application: owns the client and settings; screens carry the behaviour."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from ..api import ReachkitClient, ReachkitError
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

    def open_room(self, key: str) -> None:
        self.say(f"{key.title()} is not available yet.")

    # -- actions and commands --

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
            yield SystemCommand("Save attachments", "Save files of the open conversation (s)", screen.action_save_attachments)
            yield SystemCommand("Downloads", "Show the downloads panel: cancel, retry, open (D)", screen.action_toggle_downloads)
        yield SystemCommand("Keys", "Every key binding (?)", self.action_help)
