"""The conversation list: one page of rows, drawn line by line (only what is on screen).

A line-API widget rather than a ``DataTable``: rows are painted from sanitised plain strings
(never markup), columns flex with the width, and a page of 100 repaints in a few ms.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ...render.thread import ConversationRow
from ..strips import line_strip, wrap_line
from .conversation_rows import centre, one_line, two_lines

__all__ = ["ConversationList"]



class ConversationList(ScrollView, can_focus=True):
    """Rows of conversations with a cursor; posts messages, decides nothing itself."""

    COMPONENT_CLASSES = {
        "conversation-list--cursor",
        "conversation-list--cursor-blurred",
        "conversation-list--unread",
        "conversation-list--lead",
        "conversation-list--snippet",
        "conversation-list--date",
        "conversation-list--marker",
        "conversation-list--closed",
        "conversation-list--damaged",
        "conversation-list--label-positive",
        "conversation-list--label-info",
        "conversation-list--label-neutral",
        "conversation-list--label-negative",
        "conversation-list--label-ai",
        "conversation-list--label-local",
        "conversation-list--placeholder",
        "conversation-list--woken",
        "conversation-list--away",
        "conversation-list--mark",
        "conversation-list--marked",
    }

    #: The look of the component classes above, in theme variables (as Textual's DataTable keeps it).
    DEFAULT_CSS = """
    ConversationList {
        background: $surface;
        scrollbar-size-vertical: 1;
        & > .conversation-list--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
        }
        & > .conversation-list--cursor-blurred {
            background: $block-cursor-blurred-background;
        }
        & > .conversation-list--unread {
            text-style: bold;
        }
        & > .conversation-list--lead {
            color: $text;
        }
        & > .conversation-list--snippet {
            color: $text-muted;
        }
        & > .conversation-list--date {
            color: $text-muted;
        }
        & > .conversation-list--marker {
            color: $accent;
        }
        & > .conversation-list--closed {
            color: $text-disabled;
        }
        & > .conversation-list--damaged {
            color: $warning;
        }
        & > .conversation-list--label-positive {
            color: $success;
        }
        & > .conversation-list--label-info {
            color: $primary-lighten-2;
        }
        & > .conversation-list--label-neutral {
            color: $warning;
        }
        & > .conversation-list--label-negative {
            color: $error;
        }
        & > .conversation-list--label-ai {
            text-style: italic dim;
        }
        & > .conversation-list--label-local {
            text-style: underline;
        }
        & > .conversation-list--mark {
            color: $accent;
            text-style: bold;
        }
        & > .conversation-list--marked {
            background: $accent 15%;
        }
        & > .conversation-list--placeholder {
            color: $text-muted;
        }
        & > .conversation-list--woken {
            color: $text-accent;
            text-style: bold;
        }
        & > .conversation-list--away {
            color: $text-warning;
        }
    }
    """

    BINDINGS = [
        Binding("down,j", "cursor_down", "Down", show=False, id="list.down"),
        Binding("up,k", "cursor_up", "Up", show=False, id="list.up"),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("home,g", "first", "First", show=False, id="list.first"),
        Binding("end,G", "last", "Last", show=False, id="list.last"),
        Binding("enter", "select", "Open", id="list.open"),
    ]

    cursor: reactive[int] = reactive(0, always_update=True, init=False, repaint=False)  # watch_cursor redraws two rows

    @dataclass
    class Highlighted(Message):
        """The cursor moved to ``row`` (``None`` when the list is empty)."""

        list: ConversationList
        row: ConversationRow | None
        index: int

        @property
        def control(self) -> ConversationList:
            return self.list

    @dataclass
    class Selected(Message):
        """The user opened ``row`` (enter or a click on the cursor row)."""

        list: ConversationList
        row: ConversationRow
        index: int

        @property
        def control(self) -> ConversationList:
            return self.list

    @dataclass
    class PastEdge(Message):
        """The user moved past the last row (``+1``) or above the first (``-1``)."""

        list: ConversationList
        direction: int

        @property
        def control(self) -> ConversationList:
            return self.list

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.rows: list[ConversationRow] = []
        self.placeholder = ""
        self._cache: dict[tuple[int, int, int, bool, bool], Strip] = {}
        self._columns: tuple[int, int, int] = (0, 0, 0)
        #: Two lines a row (who/label/date, then subject/snippet) when the list is narrow.
        self.row_height = 1
        self._when_painted: Callable[[], object] | None = None

    # -- data in --

    def set_rows(self, rows: list[ConversationRow], *, cursor: int | str | None = 0) -> None:
        """Replace every row; ``cursor`` is a row index, a conversation id, or ``None`` (keep)."""
        previous = self.current_row.id if self.current_row else None
        self.rows = list(rows)
        self.placeholder = ""
        self._measure()
        index = 0
        if isinstance(cursor, str):
            index = self.index_of(cursor)
            index = 0 if index < 0 else index
        elif cursor is None and previous is not None:
            index = max(0, self.index_of(previous))
        elif isinstance(cursor, int):
            index = cursor if cursor >= 0 else len(self.rows) + cursor
        self._cache.clear()
        self.virtual_size = Size(self.size.width, len(self.rows) * self.row_height)
        self._refresh_scrollbars()  # else the cursor's scroll waits for a layout that may not come (see ThreadView)
        self.cursor = max(0, min(index, len(self.rows) - 1)) if self.rows else 0
        self.refresh()

    def when_painted(self, callback: Callable[[], object]) -> None:
        """Run ``callback`` once rows have been drawn (after that frame is written): start-up
        work that can wait, such as building the client, never delays the first rows."""
        self._when_painted = callback

    def update_row(self, row: ConversationRow) -> None:
        self.update_rows([row])

    def update_rows(self, rows: list[ConversationRow]) -> None:
        """Replace the rows with these ids (others untouched); one measure and one repaint for all."""
        changed = False
        for row in rows:
            index = self.index_of(row.id)
            if index >= 0:
                self.rows[index] = row
                changed = True
        if changed:
            self._measure()
            self._cache.clear()
            self.refresh()

    def show_message(self, text: str) -> None:
        """A centred message instead of rows (empty folder, an error...)."""
        self.rows = []
        self.placeholder = text
        self._cache.clear()
        self.virtual_size = Size(self.size.width, 0)
        self.cursor = 0
        self.refresh()

    def _placeholder_lines(self, width: int) -> list[str]:
        """The message wrapped to the list's width (it can be long: an error, an explanation)."""
        room = max(10, min(width - 4, 72))
        lines: list[str] = []
        for paragraph in self.placeholder.split("\n"):
            lines.extend(wrap_line(paragraph, room))
        return lines

    def index_of(self, conversation_id: str) -> int:
        for index, row in enumerate(self.rows):
            if row.id == conversation_id:
                return index
        return -1

    @property
    def current_row(self) -> ConversationRow | None:
        if 0 <= self.cursor < len(self.rows):
            return self.rows[self.cursor]
        return None

    # -- cursor --

    def watch_cursor(self, old: int, new: int) -> None:
        # Only the two rows whose look changed are drawn again (the line cache is keyed by
        # cursor-ness): redrawing a whole 100-row page on every j/k made a held key lag.
        height = self.row_height
        for index in {old, new}:
            if 0 <= index < len(self.rows):
                self.refresh_lines(index * height, height)
        if self.rows:
            self.scroll_to_region(Region(0, new * height, 1, height), animate=False, immediate=True)
        self.post_message(self.Highlighted(self, self.current_row, new))

    def action_cursor_down(self) -> None:
        if not self.rows:
            return
        if self.cursor >= len(self.rows) - 1:
            self.post_message(self.PastEdge(self, +1))
        else:
            self.cursor += 1

    def action_cursor_up(self) -> None:
        if not self.rows:
            return
        if self.cursor <= 0:
            self.post_message(self.PastEdge(self, -1))
        else:
            self.cursor -= 1

    def action_page_down(self) -> None:
        if self.rows:
            self.cursor = min(len(self.rows) - 1, self.cursor + self._rows_per_screen())

    def action_page_up(self) -> None:
        if self.rows:
            self.cursor = max(0, self.cursor - self._rows_per_screen())

    def _rows_per_screen(self) -> int:
        return max(1, self.size.height // self.row_height - 1)

    def action_first(self) -> None:
        if self.rows:
            self.cursor = 0

    def action_last(self) -> None:
        if self.rows:
            self.cursor = len(self.rows) - 1

    def action_select(self) -> None:
        row = self.current_row
        if row is not None:
            self.post_message(self.Selected(self, row, self.cursor))

    async def _on_click(self, event: events.Click) -> None:
        index = (event.y + self.scroll_offset.y) // self.row_height
        if 0 <= index < len(self.rows):
            if index == self.cursor or event.chain > 1:
                self.cursor = index
                self.action_select()
            else:
                self.cursor = index

    def on_resize(self, event: events.Resize) -> None:
        self._measure()
        self._cache.clear()
        self.virtual_size = Size(event.size.width, len(self.rows) * self.row_height)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._cache.clear()

    # -- drawing --

    def _measure(self) -> None:
        """Column widths for this page: date and label fit the widest value on the page."""
        date_width = max((len(row.date) for row in self.rows), default=5)
        label_width = min(14, max((len(row.label) for row in self.rows), default=0))
        self.row_height = 1 if self.size.width >= 90 else 2
        if self.row_height == 1:
            lead_width = max(12, min(28, int(self.size.width / 3.3)))
        else:
            lead_width = max(12, self.size.width - label_width - date_width - 12)
        self._columns = (lead_width, label_width, max(5, date_width))

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        index, line = divmod(y + self.scroll_offset.y, self.row_height)
        base = self.rich_style
        if not self.rows:
            lines = self._placeholder_lines(width)
            top = max(0, self.size.height // 2 - len(lines) // 2 - 1)
            if self.placeholder and top <= y < top + len(lines):
                style = self.get_component_rich_style("conversation-list--placeholder", partial=True)
                return line_strip([(centre(lines[y - top], width), style)], width, base)
            return Strip.blank(width, base)
        if index >= len(self.rows):
            return Strip.blank(width, base)
        if self._when_painted is not None and not self.app._batch_count:
            # (A frame drawn while the app batches updates, as during its mount, is dropped.)
            self.call_later(self._when_painted)  # handled after this frame is on the terminal
            self._when_painted = None
        is_cursor = index == self.cursor
        key = (index, line, width, is_cursor, self.has_focus)
        strip = self._cache.get(key)
        if strip is None:
            if self.row_height == 1:
                strip = self._render_row(self.rows[index], width, is_cursor)
            else:
                strip = self._render_two_line_row(self.rows[index], width, is_cursor, line)
            if len(self._cache) > 500:
                self._cache.clear()
            self._cache[key] = strip
        return strip

    def _base(self, is_cursor: bool, marked: bool = False) -> Style:
        base = self.rich_style
        if marked:
            base = base + self._style_of("marked")
        if is_cursor:
            base = base + self._style_of("cursor" if self.has_focus else "cursor-blurred")
        return base

    def _style_of(self, name: str) -> Style:
        """The style of component class ``conversation-list--{name}``."""
        return self.get_component_rich_style(f"conversation-list--{name}", partial=True)

    def _render_row(self, row: ConversationRow, width: int, is_cursor: bool) -> Strip:
        return line_strip(one_line(row, width, self._columns, self._style_of), width, self._base(is_cursor, row.marked))

    def _render_two_line_row(self, row: ConversationRow, width: int, is_cursor: bool, line: int) -> Strip:
        parts = two_lines(row, width, self._columns, self._style_of, line)
        return line_strip(parts, width, self._base(is_cursor, row.marked))
