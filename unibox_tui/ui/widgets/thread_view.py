"""The open conversation, drawn line by line: cheap for a 1 MB email or a 2,000-message thread.

Bodies are converted (html2text, quote splitting) in a thread worker, newest message first;
older messages stay collapsed to one line until opened, so only what is read gets converted.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from rich.style import Style
from textual import events, work
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.selection import Selection
from textual.strip import Strip
from textual.worker import get_current_worker

from ...render.body_process import BodyProcess
from ...render.thread import DocLine, ThreadDocument
from ..strips import line_strip, selected_strip
from .thread_rows import Converted, Row, RowWrapper, convert_in_batches

__all__ = ["ThreadView"]

class ThreadView(ScrollView, can_focus=True):
    """Messages oldest first, the newest in view; quotes folded; messages open and close."""

    ALLOW_SELECT = True

    COMPONENT_CLASSES = {
        "thread-view--header",
        "thread-view--header-current",
        "thread-view--meta",
        "thread-view--collapsed",
        "thread-view--body",
        "thread-view--quote",
        "thread-view--fold",
        "thread-view--attachment",
        "thread-view--notice",
        "thread-view--placeholder",
    }

    #: The look of the component classes above, in theme variables (as Textual's DataTable keeps it).
    DEFAULT_CSS = """
    ThreadView {
        padding: 0 1;
        background: $surface;
        scrollbar-size-vertical: 1;
        & > .thread-view--header {
            text-style: bold;
            color: $text;
        }
        & > .thread-view--header-current {
            color: $accent;
        }
        & > .thread-view--meta {
            color: $text-muted;
        }
        & > .thread-view--collapsed {
            color: $text-muted;
        }
        & > .thread-view--body {
            color: $text;
        }
        & > .thread-view--quote {
            color: $text-muted;
        }
        & > .thread-view--fold {
            color: $text-secondary;
            text-style: italic;
        }
        & > .thread-view--attachment {
            color: $accent;
        }
        & > .thread-view--notice {
            color: $warning;
            text-style: italic;
        }
        & > .thread-view--placeholder {
            color: $text-muted;
        }
    }
    """

    BINDINGS = [
        Binding("down,j", "scroll_down", "Scroll down", show=False),
        Binding("up,k", "scroll_up", "Scroll up", show=False),
        Binding("space,pagedown", "page_down", "Page down", show=False),
        Binding("b,pageup", "page_up", "Page up", show=False),
        Binding("home", "scroll_home", "Top", show=False),
        Binding("end", "scroll_end", "Bottom", show=False),
        Binding("n", "next_message", "Next msg", id="thread.next_message"),
        Binding("p", "previous_message", "Prev msg", id="thread.previous_message"),
        Binding("x,enter", "toggle_message", "Open/close msg", id="thread.toggle_message"),
        Binding("z", "toggle_quotes", "Quotes", id="thread.toggle_quotes"),
        Binding("X", "toggle_all", "Open all", show=False, id="thread.toggle_all"),
    ]

    @dataclass
    class CurrentChanged(Message):
        """The message under the reading cursor changed."""

        view: ThreadView
        index: int

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.document: ThreadDocument | None = None
        self.placeholder = "Select a conversation to read it."
        self.current = -1
        self._rows: list[Row] = []
        self._starts: dict[int, int] = {}
        #: (width, document generation) once the whole document is laid out, else None.
        self.laid_out_for: tuple[int, int] | None = None
        #: A body arriving in a long thread re-lays out only what changed (see thread_rows.py).
        self._wrapper = RowWrapper()
        self._cache: dict[tuple[int, int, bool], Strip] = {}
        self._follow_newest = True
        self._generation = 0
        #: Bumped by every layout: a layout still finishing in slices for an older one stops.
        self._layout_token = 0
        self._anchor: tuple[int, int] | None = None
        #: Big bodies convert in a helper process: in a thread they would starve the event loop.
        self._converter = BodyProcess()

    # -- data in --

    def show_document(self, document: ThreadDocument | None, *, keep_position: bool = False) -> None:
        """Show a conversation (or the placeholder); opens at the newest message."""
        same = (
            keep_position
            and self.document is not None
            and document is not None
            and self.document is document
        )
        self.document = document
        self._generation += 1
        if not same:
            self._converter.stop()  # a big body still converting for the last document
            self.current = len(document.messages) - 1 if document else -1
            self._follow_newest = True
        self._anchor = None
        self._relayout()
        self._convert_pending()

    def show_placeholder(self, text: str) -> None:
        self.placeholder = text
        self.show_document(None)

    def refresh_document(self) -> None:
        """The document changed (fold state, new body): re-lay it out, keeping the view still."""
        self._relayout_in_place()
        self._convert_pending()

    def _relayout_in_place(self) -> None:
        anchor_line = self.scroll_offset.y
        anchor_message = self._message_at(anchor_line)
        offset_in_message = anchor_line - self._starts.get(anchor_message, 0) if anchor_message >= 0 else 0
        self._anchor = (anchor_message, max(0, offset_in_message)) if anchor_message >= 0 else None
        self._relayout()

    # -- layout --

    def _relayout(self) -> None:
        """Wrap the document into rows; ``_anchor`` (message, rows into it), if set, stays in view.

        A big body is thousands of lines to wrap (~100 ms for 1 MB of HTML): past
        ``LAYOUT_SLICE`` the rest is laid out in slices between which the UI answers. The
        first slice is on screen at once (what the eye reads first is at the top of a message).
        """
        width = max(10, self.scrollable_content_region.width - 1)
        self._cache.clear()
        self._layout_token += 1
        if self.document is None:
            self._rows = []
            self._starts = {}
            self.virtual_size = Size(width, 0)
            self.refresh()
            return
        self._wrapper.at_width(width)
        lines = self.document.lines()
        rows: list[Row] = []
        starts: dict[int, int] = {}
        position = self._wrapper.lay_out(lines, 0, rows, starts, width)
        self._publish(rows, starts, width, complete=position == len(lines))
        if position < len(lines):
            self._finish_layout(lines, position, rows, starts, width, self._layout_token)

    # (A description: by default Textual builds one from the repr of every argument, which for
    # a 1 MB body's lines or document cost tens of milliseconds of the UI's time.)
    @work(exclusive=True, group="thread-layout", exit_on_error=False, description="Laying out the conversation")
    async def _finish_layout(
        self, lines: list[DocLine], position: int, rows: list[Row], starts: dict[int, int], width: int, token: int
    ) -> None:
        while position < len(lines):
            await asyncio.sleep(0)  # input and frames go first
            if token != self._layout_token:
                return  # laid out again meanwhile (a new body, a fold, a resize)
            position = self._wrapper.lay_out(lines, position, rows, starts, width)
            self._publish(rows, starts, width, complete=position == len(lines))

    def _publish(self, rows: list[Row], starts: dict[int, int], width: int, *, complete: bool) -> None:
        """Show the rows laid out so far (all of them when ``complete``), scrolled as the reader expects."""
        first = self._rows is not rows
        self._rows = rows
        self._starts = starts
        self.laid_out_for = (width, self._generation) if complete else None
        self.virtual_size = Size(width, len(rows))
        # Textual scrolls a widget only once its scrollbar shows, which a layout decides later:
        # rows that just outgrew the pane would not scroll (the view was left at its first line).
        self._refresh_scrollbars()
        height = self.scrollable_content_region.height
        if self._follow_newest:
            if self.current in starts:
                self._scroll_to_message(self.current)
        elif self._anchor is not None:
            message, offset = self._anchor
            # Scrolled there once its rows exist (earlier, the scroll would be clamped short).
            if message in starts and (complete or len(rows) >= starts[message] + offset + height):
                self._anchor = None
                self.scroll_to(y=starts[message] + offset, animate=False, immediate=True)
        if first or complete:
            self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        self._anchor = None
        self._relayout()

    def on_unmount(self) -> None:
        self._converter.close()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._cache.clear()

    # -- conversion --

    def _convert_pending(self) -> None:
        document = self.document
        if document is None:
            return
        pending = document.pending()
        if pending:
            self._convert(document, pending, self._generation)

    @work(thread=True, exclusive=True, group="thread-render", exit_on_error=False, description="Converting bodies")
    def _convert(self, document: ThreadDocument, indices: list[int], generation: int) -> None:
        """Convert bodies in this thread; each batch is shown on the event loop (see thread_rows.py)."""
        worker = get_current_worker()
        convert_in_batches(
            document,
            indices,
            self._converter,
            deliver=lambda batch, last: self.app.call_from_thread(self._converted, document, batch, generation, last),
            stale=lambda: worker.is_cancelled or generation != self._generation,
            cancelled=lambda: worker.is_cancelled,
        )

    def _converted(
        self, document: ThreadDocument, batch: list[Converted], generation: int, last: bool
    ) -> None:
        if document is not self.document or generation != self._generation:
            return  # a stale conversion: the user has moved on
        for index, body, error in batch:
            if body is None:
                document.set_failed(index, error)
            else:
                document.set_body(index, body)
        self._relayout_in_place()
        if last:  # (not before: a new worker would cancel this one, and batches would be of one)
            self._convert_pending()  # what the user opened meanwhile

    # -- reading cursor --

    def _message_at(self, row: int) -> int:
        if 0 <= row < len(self._rows):
            return self._rows[row].message
        return -1

    def _scroll_to_message(self, index: int) -> None:
        if index in self._starts:
            self.scroll_to(y=self._starts[index], animate=False, immediate=True)

    def _set_current(self, index: int, *, scroll: bool = True) -> None:
        if self.document is None or not 0 <= index < len(self.document.messages):
            return
        self.current = index
        self._cache.clear()
        if scroll:
            self._scroll_to_message(index)
        self.refresh()
        self.post_message(self.CurrentChanged(self, index))

    def action_next_message(self) -> None:
        self._follow_newest = False
        self._set_current(self.current + 1)

    def action_previous_message(self) -> None:
        self._follow_newest = False
        self._set_current(self.current - 1)

    def action_toggle_message(self) -> None:
        if self.document is None or self.current < 0:
            return
        self._follow_newest = False
        self.document.toggle_message(self.current)
        self.refresh_document()
        self._scroll_to_message(self.current)

    def action_toggle_quotes(self) -> None:
        if self.document is None or self.current < 0:
            return
        self._follow_newest = False
        if self.current not in self.document.expanded:
            self.document.toggle_message(self.current)
        self.document.toggle_quotes(self.current)
        self.refresh_document()

    def action_toggle_all(self) -> None:
        if self.document is None:
            return
        self._follow_newest = False
        everything = len(self.document.expanded) == len(self.document.messages)
        self.document.set_all_expanded(not everything)
        self.refresh_document()

    def _user_scrolled(self) -> None:
        self._follow_newest = False
        message = self._message_at(self.scroll_offset.y)
        if message >= 0 and message != self.current:
            self.current = message
            self._cache.clear()
            self.post_message(self.CurrentChanged(self, message))

    def action_scroll_down(self) -> None:
        self.scroll_down(animate=False, immediate=True)
        self._user_scrolled()

    def action_scroll_up(self) -> None:
        self.scroll_up(animate=False, immediate=True)
        self._user_scrolled()

    def action_page_down(self) -> None:
        self.scroll_page_down(animate=False)
        self.call_after_refresh(self._user_scrolled)

    def action_page_up(self) -> None:
        self.scroll_page_up(animate=False)
        self.call_after_refresh(self._user_scrolled)

    def action_scroll_home(self) -> None:
        self.scroll_home(animate=False)
        self.call_after_refresh(self._user_scrolled)

    def action_scroll_end(self) -> None:
        self.scroll_end(animate=False)
        self.call_after_refresh(self._user_scrolled)

    def _on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        self._follow_newest = False

    def _on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        self._follow_newest = False

    async def _on_click(self, event: events.Click) -> None:
        row_index = event.y + self.scroll_offset.y
        if not 0 <= row_index < len(self._rows) or self.document is None:
            return
        row = self._rows[row_index]
        self._follow_newest = False
        if row.message >= 0:
            self._set_current(row.message, scroll=False)
        if row.kind in ("collapsed", "header"):
            self.document.toggle_message(row.message)
            self.refresh_document()
        elif row.kind in ("fold", "quote") and row.segment >= 0:
            self.document.toggle_segment(row.message, row.segment)
            self.refresh_document()

    # -- selection (copy text with the mouse) --

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        text = "\n".join(row.text for row in self._rows)
        return selection.extract(text), "\n"

    def selection_updated(self, selection: Selection | None) -> None:
        self._cache.clear()
        self.refresh()

    # -- drawing --

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        base = self.rich_style
        if self.document is None:
            if y == max(0, self.size.height // 2 - 1):
                placeholder = self.placeholder
                pad = max(0, (width - len(placeholder)) // 2)
                return line_strip(
                    [(" " * pad + placeholder, self.get_component_rich_style("thread-view--placeholder"))],
                    width,
                    base,
                )
            return Strip.blank(width, base)
        if index >= len(self._rows):
            return Strip.blank(width, base)
        row = self._rows[index]
        is_current = row.message == self.current and row.kind == "header"
        selection = self.text_selection
        key = (index, width, is_current)
        strip = None if selection is not None else self._cache.get(key)
        if strip is None:
            strip = self._render_row(row, width, is_current, base, index, selection)
            if selection is None:
                if len(self._cache) > 2000:
                    self._cache.clear()
                self._cache[key] = strip
        return strip.apply_offsets(scroll_x, index)

    def _render_row(
        self, row: Row, width: int, is_current: bool, base: Style, index: int, selection: Selection | None
    ) -> Strip:
        name = f"thread-view--{row.kind}" if row.kind != "blank" else "thread-view--body"
        style = self.get_component_rich_style(name, partial=True)
        if is_current and self.has_focus:
            style = style + self.get_component_rich_style("thread-view--header-current", partial=True)
        span = selection.get_span(index) if selection is not None else None
        if span is not None:
            selected = self.screen.get_component_rich_style("screen--selection")
            return selected_strip(row.text, span, style, selected, width, base)
        return line_strip([(row.text, style)], width, base)

    def on_focus(self) -> None:
        self._cache.clear()
        self.refresh()

    def on_blur(self) -> None:
        self._cache.clear()
        self.refresh()
