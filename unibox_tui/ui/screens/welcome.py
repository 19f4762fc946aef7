"""The first screen without a working key: paste one (checked, then stored owner-only), or try the demo.

Also shown over the inbox when the server refuses the stored key, and when switching to a profile
that has no key yet. The key is checked in a worker with a hard time limit, exactly as
``unibox-tui login`` checks it; it is typed into a password input, so it is never drawn (nor in
screenshots), and it is stored only once Reachkit has accepted it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Button, Header, Input, Static

from ... import APP_NAME
from ...api.errors import AuthenticationError, InsecureURLError, ReachkitError
from ...api.keycheck import explain_key_error, verify_key
from ...config import (
    Overrides,
    Settings,
    SettingsFileError,
    clean_key,
    env_key_note,
    load_settings,
    save_profile_setting,
    store_key,
)
from ...domain.workspace import workspace_label
from ...render.sanitize import clean_line, clean_text
from ..widgets.key_bar import KeyBar

if TYPE_CHECKING:
    from ...api.client import ReachkitClient
    from ..app import UniboxApp

__all__ = ["WelcomeScreen"]

log = logging.getLogger(__name__)

INTRO = (
    "unibox-tui needs a Reachkit API key (on a plan that includes API access) to read your Unibox.\n"
    "Create one in Reachkit: Settings > Integrations > Add API Key, and paste it below."
)
#: Under the input until something else needs saying there.
PROMISE = "It is checked with Reachkit before it is stored, readable only by you."


class WelcomeScreen(Screen[None]):
    """Paste a key for ``settings``' workspace, or start the demo; never a traceback, never a hang."""

    AUTO_FOCUS = "#welcome-key"
    VERTICAL_BREAKPOINTS = [(0, "-short"), (32, "-tall")]

    BINDINGS = [
        Binding("ctrl+t", "demo", "Try the demo", id="welcome.demo"),
        Binding("escape", "back", "Back", id="welcome.back"),
    ]

    def __init__(self, settings: Settings, reason: str = "") -> None:
        super().__init__()
        #: The workspace the key is for (the app's, or the profile being switched to).
        self.settings = settings
        self.reason = reason

    @property
    def unibox(self) -> UniboxApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="✉")
        with Vertical(id="welcome"):
            title = "unibox-tui needs a working API key" if self.reason else "Welcome to unibox-tui"
            yield Static(Content.styled(title, "bold $accent"), id="welcome-title")
            yield Static(Content(INTRO), id="welcome-intro")
            if self.reason:
                yield Static(Content(clean_text(self.reason)), id="welcome-reason")
            yield Static(
                Content.assemble(
                    ("Profile ", "$text-muted"),
                    (clean_line(self.settings.profile), "bold"),
                    ("  ·  ", "$text-muted"),
                    clean_line(self.settings.base_url),
                ),
                id="welcome-where",
            )
            yield Input(
                password=True,
                placeholder="Paste your Reachkit API key, then press enter",
                max_length=4096,
                id="welcome-key",
            )
            yield Static(Content.styled(PROMISE, "$text-muted"), id="welcome-status")
            with Horizontal(id="welcome-buttons"):
                yield Button("Use this key", variant="primary", id="welcome-submit")
                if self.unibox.workspaces.demo_launcher is not None:
                    yield Button("Try the demo (ctrl+t)", id="welcome-demo")
            yield Static(Content(self._hint()), id="welcome-hint")
        yield KeyBar()

    def _hint(self) -> str:
        lines = [f"From a shell instead: {APP_NAME} login --profile {self.settings.profile}"]
        if self.unibox.workspaces.demo_launcher is None:
            lines.append(f"Just looking? {APP_NAME} --demo runs a local demo workspace.")
        note = env_key_note(self.settings)
        if note:
            lines.append(note)
        lines.append("ctrl+q quits.")
        return "\n".join(lines)

    def on_mount(self) -> None:
        self.sub_title = workspace_label(self.settings)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "back":
            return len(self.app.screen_stack) > 1  # nothing to go back to on the first screen
        if action == "demo":
            return self.unibox.workspaces.demo_launcher is not None
        return True

    # -- messages under the input --------------------------------------------------------------------

    def _status(self, text: str, style: str = "$text-muted") -> None:
        self.query_one("#welcome-status", Static).update(Content.styled(clean_text(text), style))

    # -- pasting a key -----------------------------------------------------------------------------------

    @on(Input.Submitted, "#welcome-key")
    @on(Button.Pressed, "#welcome-submit")
    def _submit(self) -> None:
        try:
            key = clean_key(self.query_one("#welcome-key", Input).value)
        except ValueError as error:
            self._status(str(error), "$error")
            return
        self._status(f"Checking the key with {self.settings.base_url} …")
        self._check_key(key)

    @work(exclusive=True, group="welcome", exit_on_error=False, description="Checking the key")
    async def _check_key(self, key: str) -> None:
        """Check, then store and adopt; every failure ends in words under the input (enter retries)."""
        app = self.unibox
        candidate = dataclasses.replace(
            self.settings, api_key=key, api_key_source="profile", demo=False, warnings=[]
        )
        try:
            client = app.client_factory(candidate)
        except Exception as error:  # noqa: BLE001 - never leave "Checking the key" on screen
            self._check_failed(error, self.settings.base_url)
            return
        try:
            await verify_key(client)
        except asyncio.CancelledError:
            await client.aclose()
            raise
        except Exception as error:  # noqa: BLE001 - a bug in a lower layer must not hang this screen
            await self._close_quietly(client)
            self._check_failed(error, client.base_url)
            return
        self.query_one("#welcome-key", Input).value = ""
        try:
            path = store_key(candidate.profile, key)
        except (OSError, ValueError) as error:
            log.warning("could not store the key of profile %s: %s", candidate.profile, error)
            note = f"The key works but could not be stored ({error}); it is used until you quit."
            app.say(note, title="Key not stored", severity="warning", timeout=12)
        else:
            log.info("stored the key of profile %s in %s", candidate.profile, path)
            app.say(f"Key accepted and stored for profile {candidate.profile!r}.", title="Signed in")
            self._remember_base_url(candidate, client.base_url)
        app.workspaces.adopt(candidate, client)

    def _check_failed(self, error: BaseException, base_url: str) -> None:
        """Say why the key was not taken; the key stays in the field so enter tries again."""
        if not isinstance(error, ReachkitError | ValueError):
            log.warning("the key check failed unexpectedly: %r", error)
        words = explain_key_error(error, base_url)
        retry_is_offered = "try again" in words.lower()
        if not retry_is_offered and not isinstance(error, AuthenticationError | InsecureURLError | ValueError):
            words += " Press enter to try again."
        self._status(words, "$error")
        if isinstance(error, AuthenticationError):
            self.query_one("#welcome-key", Input).value = ""  # a refused key is re-pasted, not edited

    @staticmethod
    async def _close_quietly(client: ReachkitClient) -> None:
        try:
            await client.aclose()
        except Exception as error:  # noqa: BLE001 - the check's own failure is what matters here
            log.debug("closing the checking client failed: %r", error)

    def _remember_base_url(self, settings: Settings, base_url: str) -> None:
        """A key belongs to its server: keep a --base-url in the profile, as ``login`` does.

        Nothing is saved when the profile (or ``REACHKIT_BASE_URL``) already leads there.
        """
        if load_settings(Overrides(profile=settings.profile)).base_url == settings.base_url:
            return
        try:
            save_profile_setting(settings.profile, "base_url", base_url)
        except (SettingsFileError, ValueError) as error:
            self.unibox.say(str(error), title="Base URL not saved", severity="warning", timeout=12)

    # -- the demo and going back --------------------------------------------------------------------------

    @on(Button.Pressed, "#welcome-demo")
    def action_demo(self) -> None:
        if self.unibox.workspaces.demo_launcher is None:
            self._status(f"Start the demo from a shell: {APP_NAME} --demo")
            return
        self._status("Starting the demo workspace …")
        self._start_demo()

    @work(exclusive=True, group="welcome", exit_on_error=False, description="Starting the demo")
    async def _start_demo(self) -> None:
        app = self.unibox
        launcher = app.workspaces.demo_launcher
        if launcher is None:
            return
        try:
            base_url, key = await asyncio.to_thread(launcher)
            settings = dataclasses.replace(
                self.settings, base_url=base_url, api_key=key, api_key_source="demo", demo=True, warnings=[]
            )
            client = app.client_factory(settings)
        except asyncio.CancelledError:
            raise
        except Exception as error:  # noqa: BLE001 - any failure becomes words on this screen
            log.warning("the demo did not start: %r", error)
            self._status(f"Could not start the demo: {error}", "$error")
            return
        app.workspaces.adopt(settings, client)

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.dismiss()
