"""Build terminal lines (``Strip``) from already-sanitised text, cell-accurately.

The line-API widgets render only the rows on screen, which keeps a 100-row page or a 2,000-
message thread cheap. Text goes in as plain ``Segment`` text, so nothing is parsed as markup.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

__all__ = ["Part", "fit", "fit_middle", "line_strip", "selected_strip", "wrap_line"]

Part = tuple[str, Style | None]


def fit(text: str, width: int, *, align: str = "left") -> str:
    """``text`` cropped (with an ellipsis) or padded to exactly ``width`` cells."""
    if width <= 0:
        return ""
    length = cell_len(text)
    if length > width:
        return set_cell_size(text, width - 1) + "…" if width > 1 else "…"
    if length == width:
        return text
    pad = " " * (width - length)
    return pad + text if align == "right" else text + pad


def fit_middle(text: str, width: int) -> str:
    """Exactly ``width`` cells, cut in the middle so the end (a file's extension) stays visible."""
    if cell_len(text) <= width:
        return fit(text, width)
    tail = text[-min(len(text), max(4, width // 3)):]
    head = set_cell_size(text, max(1, width - 1 - cell_len(tail)))
    return fit(head + "…" + tail, width)


def line_strip(parts: Iterable[Part], width: int, base: Style) -> Strip:
    """One line of ``width`` cells: the parts in order, each on top of ``base``, cropped/padded."""
    segments: list[Segment] = []
    used = 0
    for text, style in parts:
        if not text or used >= width:
            continue
        length = cell_len(text)
        if used + length > width:
            text = set_cell_size(text, width - used)
            length = width - used
        segments.append(Segment(text, base + style if style else base))
        used += length
    if used < width:
        segments.append(Segment(" " * (width - used), base))
    return Strip(segments, width)


def selected_strip(text: str, span: tuple[int, int], style: Style, selected: Style, width: int, base: Style) -> Strip:
    """A line with the cells of ``span`` (start, end; end -1: to the end) drawn as selected by the mouse."""
    start, end = span
    end = len(text) if end == -1 else end
    return line_strip([(text[:start], style), (text[start:end], style + selected), (text[end:], style)], width, base)


def wrap_line(text: str, width: int, indent: str = "") -> list[str]:
    """Greedy word wrap by terminal cells; long words are split. Fast for plain ASCII.

    ``indent`` is prefixed to continuation lines (and counted in their width).
    """
    if width <= 4:
        width = 4
    if text.isascii():
        if len(text) <= width:
            return [text]
        measure = len
    else:
        if cell_len(text) <= width:
            return [text]
        measure = cell_len
    lines: list[str] = []
    rest = text
    first = True
    while rest:
        room = width if first else max(4, width - measure(indent))
        prefix = "" if first else indent
        if measure(rest) <= room:
            lines.append(prefix + rest)
            break
        if measure is len:
            cut = rest.rfind(" ", 0, room + 1)
            if cut <= room // 3:
                cut = room
                piece, rest = rest[:cut], rest[cut:]
            else:
                piece, rest = rest[:cut], rest[cut + 1 :]
        else:
            piece = set_cell_size(rest, room).rstrip("\0")
            # set_cell_size pads wide characters that do not fit with a space: trim to chars.
            chars = len(piece)
            while chars and cell_len(rest[:chars]) > room:
                chars -= 1
            chars = max(1, chars)
            space = rest.rfind(" ", 0, chars + 1)
            if space > chars // 3:
                piece, rest = rest[:space], rest[space + 1 :]
            else:
                piece, rest = rest[:chars], rest[chars:]
        lines.append(prefix + piece.rstrip())
        first = False
    return lines or [""]
