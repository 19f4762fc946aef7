""""Switch profile": pick a workspace among the configured profiles (never showing a key)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ... import APP_NAME
from ...config import ENV_API_KEY, ProfileInfo
from ...render.sanitize import clean_line

__all__ = ["ProfilePicker"]


class ProfilePicker(ModalScreen[str | None]):
    """A list of profiles; ``enter`` opens the highlighted one, ``escape`` keeps the current one."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Keep this workspace", id="profiles.close")]

    def __init__(self, profiles: list[ProfileInfo], current: str, *, env_key: bool = False) -> None:
        super().__init__()
        self.profiles = profiles
        self.current = current
        self.env_key = env_key

    def compose(self) -> ComposeResult:
        with Vertical(id="profile-picker"):
            yield Static(Content.styled("Switch profile", "bold $accent"), id="profile-picker-title")
            yield OptionList(*(self._option(info) for info in self.profiles), id="profile-list")
            hints = [f"Add one from a shell: {APP_NAME} login --profile NAME [--base-url URL]"]
            if self.env_key:
                hints.append(
                    f"{ENV_API_KEY} is set: it is used only at the address the app started with; "
                    "a profile elsewhere uses its own stored key."
                )
            hints.append("enter opens · esc keeps the current workspace")
            yield Static(Content.styled("\n".join(hints), "$text-muted"), id="profile-picker-hint")

    def _option(self, info: ProfileInfo) -> Option:
        here = info.name == self.current
        prompt = Content.assemble(
            ("● " if here else "  ", "$accent"),
            (clean_line(info.name), "bold"),
            ("  (default)" if info.is_default else "", "$text-muted"),
            "\n    ",
            (clean_line(info.base_url), "$text-muted"),
            ("  ·  ", "$text-muted"),
            ("key stored", "$success") if info.has_key else ("no key yet: you will be asked for one", "$warning"),
        )
        return Option(prompt, id=info.name)

    def on_mount(self) -> None:
        listing = self.query_one(OptionList)
        names = [info.name for info in self.profiles]
        listing.highlighted = names.index(self.current) if self.current in names else 0
        listing.focus()

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)
