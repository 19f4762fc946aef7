"""The key bar along the bottom of a screen: the keys that work here, drawn as one line.

Textual's ``Footer`` is a row of widgets that it rebuilds whenever the bindings change, which
is every focus change (``enter`` into the thread, ``escape`` back to the list): ~100 ms each on
a busy two-core machine, and the replaced key widgets were never freed (their message loops
lived on: ~90 per focus change, 170 MB over 100 pages). This is one widget that redraws one
line instead; it shows the same keys (the focused widget's and its ancestors', as configured
in the key map), dims disabled ones, and a click on a key presses it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import events
from textual.content import Content
from textual.widget import Widget

if TYPE_CHECKING:
    from textual.binding import Binding
    from textual.screen import Screen

__all__ = ["KeyBar"]

#: (first cell, last cell + 1, key to press, enabled) of each key drawn.
_Span = tuple[int, int, str, bool]


class KeyBar(Widget):
    """``⏎ Open  l Label  / Search …`` along the bottom, the command palette key on the right."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES = {"key-bar--key", "key-bar--description", "key-bar--palette"}

    #: The look of the component classes above, in theme variables (as Textual's DataTable keeps it).
    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
        .key-bar--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        .key-bar--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        .key-bar--palette {
            color: $foreground 20%;
        }
        &:hover {
            pointer: pointer;
        }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._spans: list[_Span] = []

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def _bindings_changed(self, screen: Screen) -> None:
        self.refresh()

    def _keys(self) -> tuple[list[tuple[Binding, bool]], tuple[Binding, bool] | None]:
        """The bindings to show, one per action (as Textual's footer does), and the palette's."""
        active = self.screen.active_bindings
        shown: dict[str, tuple[Binding, bool]] = {}
        for _node, binding, enabled, _tooltip in active.values():
            if binding.show and binding.action not in shown:
                shown[binding.action] = (binding, enabled)
        palette = None
        if self.app.ENABLE_COMMAND_PALETTE and self.app.COMMAND_PALETTE_BINDING in active:
            _node, binding, enabled, _tooltip = active[self.app.COMMAND_PALETTE_BINDING]
            palette = (binding, enabled)
        return list(shown.values()), palette

    def render(self) -> Content:
        key_style = self.get_visual_style("key-bar--key")
        text_style = self.get_visual_style("key-bar--description")
        width = self.size.width
        keys, palette = self._keys()
        right = Content("")
        if palette is not None:
            binding, _enabled = palette
            right = (
                Content.styled("▏", self.get_visual_style("key-bar--palette"))
                + Content.styled(self.app.get_key_display(binding), key_style)
                + Content.styled(f" {binding.description} ", text_style)
            )
        room = max(0, width - right.cell_length)
        parts: list[Content] = []
        spans: list[_Span] = []
        x = 0
        for binding, enabled in keys:
            item = Content.styled(f" {self.app.get_key_display(binding)} ", key_style)
            if binding.description:
                item += Content.styled(f"{binding.description} ", text_style)
            if not enabled:
                item = item.stylize("dim")
            if x + item.cell_length > room:
                break  # whole keys only: the rest are on the ? screen
            spans.append((x, x + item.cell_length, binding.key, enabled))
            parts.append(item)
            x += item.cell_length
        line = Content("").join(parts)
        if palette is not None:
            line += Content(" " * (room - x)) + right
            spans.append((room, width, palette[0].key, palette[1]))
        self._spans = spans
        return line

    def on_click(self, event: events.Click) -> None:
        for start, end, key, enabled in self._spans:
            if start <= event.x < end:
                if enabled:
                    self.app.simulate_key(key)
                else:
                    self.app.bell()
                return
