"""A table of records (campaigns, inboxes, blocklist entries) drawn line by line.

Like the conversation list, a line-API widget: cells are plain, already-cleaned strings put on
the terminal as segments (never markup), the flexible column takes what the fixed ones leave,
low-priority columns drop out on narrow terminals, and 10,000 rows cost what the screen shows.
The header stays put while the rows scroll; a message (loading, empty, an error) can stand in
for the rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.cells import cell_len
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ..strips import Part, fit, line_strip, wrap_line

__all__ = ["Cell", "Column", "RecordTable", "Row"]

#: Tones a cell can take; each is a component class ``record-table--<tone>`` styled in DEFAULT_CSS below.
TONES = ("good", "warn", "bad", "muted", "accent")


@dataclass(frozen=True, slots=True)
class Column:
    """``width`` 0 makes the column flexible (up to ``max_width``, so numbers stay near their
    names on a wide terminal); the lowest ``keep`` columns are dropped first."""

    title: str
    width: int = 0
    align: str = "left"
    min_width: int = 8
    max_width: int = 1000
    keep: int = 9


@dataclass(frozen=True, slots=True)
class Cell:
    text: str
    tone: str = ""


@dataclass(frozen=True, slots=True)
class Row:
    key: str
    cells: tuple[Cell | str, ...]
    #: Drawn dimmed (a disabled variant, a paused campaign...).
    dim: bool = False
    data: object = field(default=None, compare=False)


class RecordTable(ScrollView, can_focus=True):
    """Rows under a fixed header with a cursor; posts ``Highlighted``/``Selected``, decides nothing."""

    COMPONENT_CLASSES = {
        "record-table--header",
        "record-table--cursor",
        "record-table--cursor-blurred",
        "record-table--dim",
        "record-table--placeholder",
        "record-table--error",
        *(f"record-table--{tone}" for tone in TONES),
    }

    #: The look of the component classes above, in theme variables (as Textual's DataTable keeps it).
    DEFAULT_CSS = """
    RecordTable {
        height: auto;
        background: $surface;
        scrollbar-size-vertical: 1;
        overflow-x: hidden;
        & > .record-table--header {
            text-style: bold;
            color: $text-muted;
            background: $panel;
        }
        & > .record-table--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
        }
        & > .record-table--cursor-blurred {
            background: $block-cursor-blurred-background;
        }
        & > .record-table--dim {
            color: $text-disabled;
        }
        & > .record-table--placeholder {
            color: $text-muted;
        }
        & > .record-table--error {
            color: $text-error;
        }
        & > .record-table--good {
            color: $text-success;
        }
        & > .record-table--warn {
            color: $text-warning;
        }
        & > .record-table--bad {
            color: $text-error;
            text-style: bold;
        }
        & > .record-table--muted {
            color: $text-muted;
        }
        & > .record-table--accent {
            color: $text-accent;
        }
    }
    """

    BINDINGS = [
        Binding("down,j", "cursor_down", "Down", show=False, id="table.down"),
        Binding("up,k", "cursor_up", "Up", show=False, id="table.up"),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("home,g", "first", "First", show=False, id="table.first"),
        Binding("end,G", "last", "Last", show=False, id="table.last"),
        Binding("enter", "select", "Open", show=False, id="table.select"),
    ]

    cursor: reactive[int] = reactive(0, always_update=True, init=False)

    @dataclass
    class Highlighted(Message):
        table: RecordTable
        row: Row | None

        @property
        def control(self) -> RecordTable:
            return self.table

    @dataclass
    class Selected(Message):
        table: RecordTable
        row: Row

        @property
        def control(self) -> RecordTable:
            return self.table

    def __init__(self, columns: list[Column], *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.columns = columns
        self.rows: list[Row] = []
        self.placeholder = ""
        self.placeholder_is_error = False
        self._widths: list[int] = []
        self._cache: dict[tuple[int, int, bool, bool], Strip] = {}

    # -- data in --

    def set_rows(self, rows: list[Row], *, cursor_key: str | None = None) -> None:
        """Replace the rows, keeping the cursor on ``cursor_key`` (or the current row's key)."""
        keep = cursor_key if cursor_key is not None else (self.current_row.key if self.current_row else None)
        self.rows = list(rows)
        self.placeholder = ""
        self._cache.clear()
        self._measure()
        self.virtual_size = Size(self.size.width, len(self.rows) + 1)
        self._refresh_scrollbars()  # else the cursor's scroll waits for a layout that may not come (see ThreadView)
        index = self.index_of(keep) if keep is not None else 0
        self.cursor = max(0, index)
        self.refresh()

    def update_row(self, row: Row) -> None:
        index = self.index_of(row.key)
        if index >= 0:
            self.rows[index] = row
            self._cache.clear()
            self.refresh()

    def show_message(self, text: str, *, error: bool = False) -> None:
        """A message instead of rows: loading, nothing there, or what went wrong."""
        self.rows = []
        self.placeholder = text
        self.placeholder_is_error = error
        self._cache.clear()
        self.virtual_size = Size(self.size.width, 1)
        self.cursor = 0
        self.refresh()

    def index_of(self, key: str | None) -> int:
        for index, row in enumerate(self.rows):
            if row.key == key:
                return index
        return -1

    @property
    def current_row(self) -> Row | None:
        if 0 <= self.cursor < len(self.rows):
            return self.rows[self.cursor]
        return None

    # -- cursor --

    def watch_cursor(self, old: int, new: int) -> None:
        self._cache.clear()
        self.refresh()
        self._scroll_to_cursor()
        self.post_message(self.Highlighted(self, self.current_row))

    def _scroll_to_cursor(self) -> None:
        visible = max(1, self.size.height - 1)
        top = round(self.scroll_offset.y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + visible:
            self.scroll_to(y=self.cursor - visible + 1, animate=False, immediate=True)

    def action_cursor_down(self) -> None:
        if self.rows and self.cursor < len(self.rows) - 1:
            self.cursor += 1

    def action_cursor_up(self) -> None:
        if self.rows and self.cursor > 0:
            self.cursor -= 1

    def action_page_down(self) -> None:
        if self.rows:
            self.cursor = min(len(self.rows) - 1, self.cursor + max(1, self.size.height - 2))

    def action_page_up(self) -> None:
        if self.rows:
            self.cursor = max(0, self.cursor - max(1, self.size.height - 2))

    def action_first(self) -> None:
        if self.rows:
            self.cursor = 0

    def action_last(self) -> None:
        if self.rows:
            self.cursor = len(self.rows) - 1

    def action_select(self) -> None:
        row = self.current_row
        if row is not None:
            self.post_message(self.Selected(self, row))

    async def _on_click(self, event: events.Click) -> None:
        if event.y == 0:
            return
        index = event.y - 1 + round(self.scroll_offset.y)
        if 0 <= index < len(self.rows):
            if index == self.cursor or event.chain > 1:
                self.cursor = index
                self.action_select()
            else:
                self.cursor = index

    def on_resize(self, event: events.Resize) -> None:
        self._measure()
        self._cache.clear()
        self.virtual_size = Size(event.size.width, len(self.rows) + 1)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._cache.clear()

    # -- drawing --

    def _measure(self) -> None:
        """Column widths for the current width: drop low-``keep`` columns until the rest fit."""
        width = max(1, self.size.width - 1)
        shown = list(range(len(self.columns)))

        def needed(indexes: list[int]) -> int:
            return sum((self.columns[i].width or self.columns[i].min_width) + 1 for i in indexes)

        while len(shown) > 1 and needed(shown) > width:
            droppable = [i for i in shown if self.columns[i].width]
            if not droppable:
                break
            shown.remove(min(droppable, key=lambda i: (self.columns[i].keep, -i)))
        flexible = [i for i in shown if not self.columns[i].width]
        spare = width - sum(self.columns[i].width + 1 for i in shown if self.columns[i].width) - len(flexible)
        widths = [0] * len(self.columns)
        for i in shown:
            widths[i] = self.columns[i].width
        for n, i in enumerate(flexible):
            share = spare // len(flexible) + (1 if n < spare % len(flexible) else 0)
            widths[i] = max(1, min(share, self.columns[i].max_width))
        self._widths = widths

    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(f"record-table--{name}", partial=True)

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self.rich_style
        if not self._widths:
            self._measure()
        if not self.rows:
            return self._placeholder_line(y, width, base)
        if y == 0:
            return self._header(width, base)
        index = y - 1 + round(self.scroll_offset.y)
        if index >= len(self.rows):
            return Strip.blank(width, base)
        is_cursor = index == self.cursor
        key = (index, width, is_cursor, self.has_focus)
        strip = self._cache.get(key)
        if strip is None:
            strip = self._render_row(self.rows[index], width, is_cursor)
            if len(self._cache) > 400:
                self._cache.clear()
            self._cache[key] = strip
        return strip

    def _header(self, width: int, base: Style) -> Strip:
        parts: list[Part] = [(" ", None)]
        for column, cells in zip(self.columns, self._widths, strict=False):
            if cells:
                parts.append((fit(column.title, cells, align=column.align), None))
                parts.append((" ", None))
        return line_strip(parts, width, base + self._style("header"))

    def _render_row(self, row: Row, width: int, is_cursor: bool) -> Strip:
        base = self.rich_style
        if row.dim:
            base = base + self._style("dim")
        if is_cursor and self.has_focus:
            base = base + self._style("cursor")
        elif is_cursor:
            # Not partial: the blurred cursor's translucent background must be blended, not dropped.
            base = base + self.get_component_rich_style("record-table--cursor-blurred", partial=False)
        parts: list[Part] = [(" ", None)]
        for column, cells, value in zip(self.columns, self._widths, row.cells, strict=False):
            if not cells:
                continue
            cell = value if isinstance(value, Cell) else Cell(value)
            style = self._style(cell.tone) if cell.tone in TONES else None
            parts.append((fit(cell.text, cells, align=column.align), style))
            parts.append((" ", None))
        return line_strip(parts, width, base)

    def _placeholder_line(self, y: int, width: int, base: Style) -> Strip:
        room = max(10, min(width - 4, 76))
        lines: list[str] = []
        for paragraph in self.placeholder.split("\n"):
            lines.extend(wrap_line(paragraph, room))
        top = max(0, min(2, self.size.height // 2 - len(lines) // 2))
        if self.placeholder and top <= y < top + len(lines):
            text = lines[y - top]
            pad = max(0, (width - cell_len(text)) // 2)
            style = self._style("error" if self.placeholder_is_error else "placeholder")
            return line_strip([(" " * pad + text, style)], width, base)
        return Strip.blank(width, base)
