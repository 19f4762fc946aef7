"""Which Reachkit workspace the app shows, and changing it: a whole new workspace, a fresh inbox.

A workspace (``domain.workspace.Workspace``) is a profile's settings and everything they own: the
client, drafts and replies on their way, inbox directory, local labels, lead answers. Changing it
(a key pasted on the welcome screen, the demo, "Switch profile") builds a new one and hands it to
``UniboxApp.adopt_workspace``, which stops the old one and opens a new ``InboxScreen``: the inbox
keeps its page cache, so a new instance is a clean slate and no page of one workspace can be
painted into another. A new key for the same workspace (after a refused one) keeps it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual.screen import Screen

from ..api.errors import AuthenticationError, ReachkitError
from ..api.keycheck import explain_key_error
from ..config import ENV_API_KEY, Settings, profile_settings
from ..domain.workspace import workspace_label
from .screens.inbox import InboxScreen
from .screens.welcome import WelcomeScreen

if TYPE_CHECKING:
    from ..api.client import ReachkitClient
    from .app import UniboxApp

__all__ = ["FIRST_MODE", "DemoLauncher", "Workspaces", "workspace_label"]

#: Each workspace lives in its own screen-stack mode; the app starts in the first one.
MODE_PREFIX = "workspace-"
FIRST_MODE = f"{MODE_PREFIX}0"

#: Starts (or finds) the local demo server and returns its base URL and key. Built by cli.py, the
#: one module allowed to join the demo and the UI.
DemoLauncher = Callable[[], tuple[str, str]]


def refuses_the_key(error: BaseException) -> bool:
    """A 401 anywhere, or a 403 on the conversation list: the key itself no longer works.

    Other 403s may concern one resource (an inbox the key may not send from) and stay errors.
    """
    if not isinstance(error, AuthenticationError):
        return False
    return error.status == 401 or (error.method == "GET" and error.path == "/unibox/conversations")


class Workspaces:
    """The app's workspace switching; ``UniboxApp.workspaces``."""

    def __init__(self, app: UniboxApp, demo_launcher: DemoLauncher | None) -> None:
        self.app = app
        self.demo_launcher = demo_launcher
        self._shown_warnings: set[str] = set()
        self._generation = 0

    def first_screen(self) -> Screen:
        """The inbox when there is a client, else the welcome screen saying why not."""
        if not self.app.has_session:
            return WelcomeScreen(self.app.settings, reason=self.app.startup_error)
        return InboxScreen()

    def apply_look(self, settings: Settings) -> None:
        """Theme and key bindings of ``settings``; its settings-file warnings."""
        app = self.app
        if settings.theme in app.available_themes:
            app.theme = settings.theme
        app.set_keymap(settings.keys)
        self.show_warnings(settings)

    def show_warnings(self, settings: Settings) -> None:
        """Problems in the settings file, each shown once per run (not again at every switch)."""
        for warning in settings.warnings:
            if warning not in self._shown_warnings:
                self._shown_warnings.add(warning)
                self.app.say(warning, title="Settings", severity="warning", timeout=12)

    def adopt(self, settings: Settings, client: ReachkitClient) -> None:
        """Talk to ``client`` for ``settings`` from now on.

        Same workspace with a new key (after a refused key): the workspace and its inbox stay, and
        the inbox reloads. Any other change: a new workspace (``UniboxApp.adopt_workspace``).
        """
        app = self.app
        inbox = next((s for s in app.screen_stack if isinstance(s, InboxScreen)), None)
        if not app.workspace.same_place(settings) or inbox is None:
            app.adopt_workspace(app.build_workspace(settings, client, owns_client=True))
            return
        old_client = app.workspace.change_key(settings, client)
        while app.screen is not inbox and isinstance(app.screen, WelcomeScreen):
            app.pop_screen()
        inbox.action_refresh()
        self.apply_look(settings)
        if old_client is not None:
            app.run_worker(old_client.aclose(), group="close-client", exit_on_error=False)

    def open_fresh_inbox(self) -> None:
        """Replace every screen with a new inbox: a new screen-stack mode, the old one removed.

        A mode (not ``switch_screen``) because Textual cannot switch away the first screen of a
        stack (issue #2650); removing the old mode removes its screens, timers and workers.
        """
        app = self.app
        old_mode = app.current_mode
        self._generation += 1
        mode = f"{MODE_PREFIX}{self._generation}"
        app.add_mode(mode, InboxScreen)
        app.switch_mode(mode)
        app.remove_mode(old_mode)

    def key_refused(self, error: BaseException) -> bool:
        """Offer the welcome screen when the server refuses the key; True when handled.

        Handled once: while a welcome screen is open, further refusals (polls, prefetches) are
        not stacked on top of it, so there is no error loop.
        """
        app = self.app
        if not refuses_the_key(error) or app.settings.demo:
            return False
        if not any(isinstance(screen, WelcomeScreen) for screen in app.screen_stack):
            reason = explain_key_error(error, app.settings.base_url)
            if app.settings.api_key_source == "env":
                reason += f" It came from {ENV_API_KEY}: unset it, or the refused key comes back next time."
            app.push_screen(WelcomeScreen(app.settings, reason=reason))
        return True

    def switch_profile(self, name: str) -> None:
        """Open profile ``name``: its settings and key, a fresh inbox.

        ``REACHKIT_API_KEY`` is used only if the profile's address is the one the app started with
        (``config.profile_settings``): the environment's key never goes to another server.

        ``--insecure`` holds for the whole session; ``--base-url`` and the other flags were for the
        profile the app started with. A profile without a key asks for one first, on top of the
        current workspace, which stays until the new key is accepted.
        """
        app = self.app
        if app.replies_hold_the_workspace():
            return
        settings = profile_settings(name, app.settings)  # REACHKIT_API_KEY only at the start-up address
        if not settings.api_key:
            self.show_warnings(settings)
            app.push_screen(WelcomeScreen(settings, reason=f"Profile {name!r} has no stored key yet."))
            return
        try:
            client = app.client_factory(settings)
        except (ReachkitError, ValueError) as error:
            app.say(str(error), title=f"Cannot open profile {name}", severity="error", timeout=12)
            return
        self.adopt(settings, client)
        app.say(f"Now in {workspace_label(settings)}.", title="Switched profile")
