"""Small bar charts as text: daily numbers drawn with eighth-block characters, zero-based.

Pure: the widget that shows them only adds colour. A zero stays empty and any non-zero value
gets at least the lowest block, so "a few" never looks like "none".
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["BLOCKS", "ChartLayout", "bar_rows", "plan"]

BLOCKS = " ▁▂▃▄▅▆▇█"
MAX_BAR_WIDTH = 5


@dataclass(frozen=True, slots=True)
class ChartLayout:
    """How ``count`` values fit ``width`` cells: bars of ``bar_width`` with ``gap`` between,
    each bar the sum of ``per_bar`` consecutive values."""

    values: tuple[int, ...]
    bar_width: int
    gap: int
    per_bar: int

    @property
    def used_width(self) -> int:
        n = len(self.values)
        return n * self.bar_width + max(0, n - 1) * self.gap

    def position(self, index: int) -> int:
        """The first cell of bar ``index``."""
        return index * (self.bar_width + self.gap)


def plan(values: Sequence[int], width: int) -> ChartLayout:
    """Fit the values to ``width`` cells: wide bars for a week, one cell a day for a month,
    and days summed into buckets when there are more days than cells."""
    width = max(1, width)
    data = [max(0, int(v)) for v in values]
    if not data:
        return ChartLayout((), 1, 0, 1)
    per_bar = max(1, math.ceil(len(data) / width))
    if per_bar > 1:
        data = [sum(data[i : i + per_bar]) for i in range(0, len(data), per_bar)]
    n = len(data)
    if 2 * n - 1 <= width:
        bar_width = max(1, min(MAX_BAR_WIDTH, (width + 1) // n - 1))
        return ChartLayout(tuple(data), bar_width, 1, per_bar)
    return ChartLayout(tuple(data), 1, 0, per_bar)


def bar_rows(layout: ChartLayout, height: int, *, top: int | None = None) -> list[str]:
    """The chart's rows, top first, each ``layout.used_width`` cells wide.

    ``top`` is the value of a full column (default: the largest value).
    """
    height = max(1, height)
    peak = top if top is not None else max(layout.values, default=0)
    peak = max(1, peak)
    steps = height * 8
    units = []
    for value in layout.values:
        unit = round(value / peak * steps)
        units.append(max(1, min(steps, unit)) if value > 0 else 0)
    rows: list[str] = []
    for row in range(height):
        base = (height - 1 - row) * 8
        cells = []
        for index, unit in enumerate(units):
            level = min(8, max(0, unit - base))
            cells.append(BLOCKS[level] * layout.bar_width)
            if layout.gap and index < len(units) - 1:
                cells.append(" " * layout.gap)
        rows.append("".join(cells))
    return rows
