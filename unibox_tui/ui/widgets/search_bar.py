"""The search input (``/``): runs the server-side search on enter, or after a pause in typing."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.binding import Binding
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Input

__all__ = ["SearchBar"]

#: Typing pause after which the search runs without enter.
DEBOUNCE_SECONDS = 0.6
MIN_DEBOUNCED_CHARS = 3


class SearchBar(Input):
    """An input that posts ``Submitted`` (enter or a typing pause) and ``Cancelled`` (escape)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel search", show=False)]

    @dataclass
    class Search(Message):
        bar: SearchBar
        query: str
        final: bool  # enter (True) or a typing pause (False)

        @property
        def control(self) -> SearchBar:
            return self.bar

    @dataclass
    class Cancelled(Message):
        bar: SearchBar

        @property
        def control(self) -> SearchBar:
            return self.bar

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(placeholder="Search this folder (enter to run, esc to cancel)", id=id, max_length=200)
        self._debounce: Timer | None = None
        self._last_sent = ""

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        if self._debounce is not None:
            self._debounce.stop()
        value = event.value.strip()
        if len(value) >= MIN_DEBOUNCED_CHARS:
            self._debounce = self.set_timer(DEBOUNCE_SECONDS, self._pause_search)

    def _pause_search(self) -> None:
        value = self.value.strip()
        if value and value != self._last_sent:
            self._last_sent = value
            self.post_message(self.Search(self, value, final=False))

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self._debounce is not None:
            self._debounce.stop()
        self._last_sent = event.value.strip()
        self.post_message(self.Search(self, event.value.strip(), final=True))

    def action_cancel(self) -> None:
        if self._debounce is not None:
            self._debounce.stop()
        self._last_sent = ""
        self.post_message(self.Cancelled(self))
