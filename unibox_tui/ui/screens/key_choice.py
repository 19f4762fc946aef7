"""A small modal menu where every line has its own key: press it, or move and press enter.

The base of the label picker and the block confirmation. Every line is ``Content`` (never a
markup string): some of them carry a stranger's name or address.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

__all__ = ["Choice", "KeyChoiceScreen"]


@dataclass(frozen=True, slots=True)
class Choice:
    """One line: ``key`` picks it at once; ``value`` is what the screen returns."""

    key: str
    value: str
    text: Content
    note: Content | None = None
    disabled: bool = False


class KeyChoiceScreen(ModalScreen[str | None]):
    """Returns the chosen ``value``, or ``None`` when cancelled (escape, or a click outside)."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", show=False),
        Binding("j", "move(1)", "Down", show=False),
        Binding("k", "move(-1)", "Up", show=False),
    ]

    def __init__(
        self,
        title: Content,
        choices: Sequence[Choice],
        *,
        intro: Content | None = None,
        highlighted: str | None = None,
        footer: Content | None = None,
        box_id: str = "key-choice",
    ) -> None:
        super().__init__()
        self.title_content = title
        self.choices = list(choices)
        self.intro = intro
        self.footer = footer or Content.styled("enter picks the highlighted line · esc cancels", "$text-muted")
        self.box_id = box_id
        self._by_key = {choice.key: choice for choice in self.choices if choice.key and not choice.disabled}
        enabled = [c.value for c in self.choices if not c.disabled]
        self._initial = highlighted if highlighted in enabled else (enabled[0] if enabled else None)

    def compose(self) -> ComposeResult:
        width = max((len(choice.key) for choice in self.choices), default=1)
        options = [
            Option(self._prompt(choice, width), id=choice.value, disabled=choice.disabled)
            for choice in self.choices
        ]
        with Vertical(id=self.box_id, classes="key-choice"):
            yield Static(self.title_content, classes="key-choice--title")
            if self.intro is not None:
                yield Static(self.intro, classes="key-choice--intro")
            yield OptionList(*options, classes="key-choice--options")
            yield Static(self.footer, classes="key-choice--footer")

    @staticmethod
    def _prompt(choice: Choice, width: int) -> Content:
        parts: list[Content | tuple[str, str] | str] = [(choice.key.rjust(width), "bold $accent"), "  ", choice.text]
        if choice.note is not None:
            parts.extend(["  ", choice.note])
        return Content.assemble(*parts)

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        if self._initial is not None:
            options.highlighted = options.get_option_index(self._initial)
        options.focus()

    def on_key(self, event: events.Key) -> None:
        choice = self._by_key.get(event.character or "") or self._by_key.get(event.key)
        if choice is not None:
            event.stop()
            event.prevent_default()
            self.dismiss(choice.value)

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_move(self, step: int) -> None:
        options = self.query_one(OptionList)
        if step > 0:
            options.action_cursor_down()
        else:
            options.action_cursor_up()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def on_click(self, event: events.Click) -> None:
        # A click on the dimmed background (outside the box) cancels, as escape does.
        if event.widget is self:
            self.dismiss(None)
