"""Textual's footer, whose keys are first built once the screen's first frame is on the terminal."""

from __future__ import annotations

from textual.geometry import Region
from textual.screen import Screen
from textual.strip import Strip
from textual.widgets import Footer

__all__ = ["LateFooter"]


class LateFooter(Footer):
    """A ``Footer`` that lets the first frame go out before it builds its keys.

    Its keys are a dozen widgets, rebuilt whenever the bindings change; at start-up a change
    (focus, the key map) rebuilt them before the first frame, which cost a busy machine 40-80 ms
    of the time to the first rows. They follow one frame later instead.
    """

    def __init__(self) -> None:
        super().__init__()
        self._drawn = False
        self._waiting: Screen | None = None

    def bindings_changed(self, screen: Screen) -> None:
        if self._drawn:
            super().bindings_changed(screen)
        else:
            self._waiting = screen

    def render_lines(self, crop: Region) -> list[Strip]:
        # (A frame drawn while the app batches updates, as during its mount, is dropped.)
        if not self._drawn and not self.app._batch_count:
            self._drawn = True
            if self._waiting is not None:
                self.call_later(super().bindings_changed, self._waiting)  # after this frame
                self._waiting = None
        return super().render_lines(crop)
