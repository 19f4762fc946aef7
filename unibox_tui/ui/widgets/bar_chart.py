"""A small daily chart: a title, bars of eighth blocks, and the first and last date underneath."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from textual.content import Content
from textual.widget import Widget

from ...render.chart import bar_rows, plan
from ...render.formatting import human_count
from ...render.sanitize import clean_line

__all__ = ["BarChart"]


class BarChart(Widget):
    """``title`` over one bar per day (or per bucket of days when there are more days than cells).

    Dates and numbers come from the server: they are cleaned and drawn as text.
    """

    COMPONENT_CLASSES = {"bar-chart--title", "bar-chart--bars", "bar-chart--axis"}

    #: The look of the component classes above, in theme variables (as Textual's DataTable keeps it).
    DEFAULT_CSS = """
    BarChart {
        & > .bar-chart--bars {
            color: $accent;
        }
        & > .bar-chart--axis {
            color: $text-muted;
        }
        &.-secondary > .bar-chart--bars {
            color: $success;
        }
        &.-danger > .bar-chart--bars {
            color: $error;
        }
    }
    """

    def __init__(
        self,
        title: str,
        *,
        rows: int = 3,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.title = title
        self.rows = rows
        self.values: list[int] = []
        self.labels: list[str] = []
        self.styles.height = rows + 2

    def set_data(self, values: Sequence[int], labels: Sequence[str]) -> None:
        """One value a day, with that day's label (``YYYY-MM-DD`` or a weekday)."""
        self.values = [max(0, int(v)) for v in values]
        self.labels = [clean_line(label, max_chars=12) for label in labels]
        self.refresh()

    def render(self) -> Content:
        width = max(4, self.content_region.width or self.size.width)
        bars_style = self.get_visual_style("bar-chart--bars", partial=True)
        axis_style = self.get_visual_style("bar-chart--axis", partial=True)
        if not self.values:
            lines = [Content.styled(self.title, "bold"), Content.styled("no data for these days", "$text-muted")]
            return Content("\n").join(lines)
        layout = plan(self.values, width)
        total = sum(self.values)
        peak = max(layout.values)
        days = len(self.values)
        facts = f"  total {human_count(total)} · peak {human_count(peak)}"
        if layout.per_bar > 1:
            facts += f" · a bar = {layout.per_bar} days"
        title = Content.assemble((self.title, "bold"), (facts, "$text-muted")).truncate(width, ellipsis=True)
        lines = [title]
        lines.extend(Content(row).stylize(bars_style) for row in bar_rows(layout, self.rows))
        lines.append(self._axis(layout.used_width, days).stylize(axis_style))
        return Content("\n").join(lines)

    def _axis(self, used: int, days: int) -> Content:
        """First and last label under the bars (all of them for a week, when they fit)."""
        if not self.labels:
            return Content("")
        first, last = self.labels[0], self.labels[-1]
        layout = plan(self.values, max(4, self.content_region.width or self.size.width))
        if days <= 7 and layout.per_bar == 1 and layout.bar_width >= 3:
            cells = []
            for label in self.labels[:days]:
                piece = _weekday(label)
                cells.append(piece.center(layout.bar_width)[: layout.bar_width])
            return Content((" " * layout.gap).join(cells))
        if used < len(first) + len(last) + 2:
            return Content(first[:used])
        return Content(first + " " * (used - len(first) - len(last)) + last)


def _weekday(label: str) -> str:
    """``2026-05-28`` -> ``Thu``; anything else as it is."""
    try:
        return date.fromisoformat(label).strftime("%a")
    except ValueError:
        return label
