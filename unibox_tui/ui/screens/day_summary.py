"""``T``: today's and this week's triage as a small table with bars; ``e`` exports CSV and Markdown.

The numbers are ``domain/summary.py``'s, from the journal the triage service and the reply
sessions write (``store/journal.py``), the conversations loaded in the inbox (still waiting) and
the follow-ups store (snoozed). Reading the files happens in a thread; exports go to the
download folder, never over an existing file (``store/exports.py``).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from ...clock import local_zone
from ...domain.summary import (
    DaySummary,
    Numbers,
    export_name,
    figure_rows,
    now_rows,
    summarize,
    to_csv,
    to_markdown,
    week_days,
)
from ...store.downloads import FolderError
from ...store.exports import save_export
from ..widgets.bar_chart import BarChart

if TYPE_CHECKING:
    from pathlib import Path

    from ...api.models import Conversation
    from ...domain.inbox_model import InboxModel
    from ...domain.workspace import Workspace

__all__ = ["DaySummaryScreen", "summary_table"]

#: The widest inline bar of a label row (cells).
BAR_CELLS = 12


@dataclass(frozen=True, slots=True)
class _Loaded:
    summary: DaySummary
    days: list[Numbers]


def summary_table(summary: DaySummary) -> Content:
    """The figures as aligned lines; label rows get a bar scaled to the week's largest label."""
    rows = figure_rows(summary)
    width = max(len(name) for name, _, _ in rows) + 2
    peak = max((count for _, count in summary.week.labelled), default=0)
    lines = [Content.assemble(("".ljust(width), ""), ("today".rjust(8), "bold"), ("this week".rjust(11), "bold"))]
    for name, today, week in rows:
        bar = ""
        if name.startswith("Labelled ") and not name.endswith("(all)") and peak:
            bar = "█" * max(1, round(BAR_CELLS * int(week) / peak)) if int(week) else ""
        lines.append(Content.assemble(name.ljust(width), (today.rjust(8), "bold"), week.rjust(11), "  ",
                                      (bar, "$accent")))
    lines.append(Content(""))
    lines.append(Content.styled("Right now (the pages loaded in the inbox)", "bold"))
    for name, value in now_rows(summary):
        lines.append(Content.assemble(name.ljust(width), (value.rjust(8), "bold")))
    if summary.problem:
        lines += [Content(""), Content.styled(summary.problem, "$text-warning")]
    return Content("\n").join(lines)


class DaySummaryScreen(ModalScreen[None]):
    """Loads in a thread, then shows the table and this week's bars; ``e`` exports."""

    #: Below 110 columns the two charts stand one under the other (side by side, their titles were cut).
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]

    BINDINGS = [
        Binding("escape,q", "dismiss", "Close", id="summary.close"),
        Binding("e", "export", "Export CSV and Markdown", id="summary.export"),
    ]

    def __init__(self, workspace: Workspace, model: InboxModel) -> None:
        super().__init__()
        self.workspace = workspace
        self.model = model
        self.summary: DaySummary | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="summary-box"):
            yield Static(Content.styled("Day summary", "bold"), id="summary-title")
            with VerticalScroll(id="summary-body"):
                yield Static(Content.styled("Reading the journal…", "$text-muted"), id="summary-table")
                with Horizontal(id="summary-charts"):
                    yield BarChart("Labelled a day", rows=3, id="summary-labelled")
                    yield BarChart("Replies sent a day", rows=3, id="summary-replies")
            yield Static(id="summary-foot")

    def on_mount(self) -> None:
        self._foot()
        self._load(self.model.loaded_conversations())

    def _foot(self, note: Content | None = None) -> None:
        hint = Content.styled(f"e exports CSV and Markdown to {self.workspace.settings.downloads} · esc closes",
                              "$text-muted")
        self.query_one("#summary-foot", Static).update(Content("\n").join([note, hint]) if note else hint)

    @work(group="summary", exclusive=True, exit_on_error=False, description="Reading the journal")
    async def _load(self, conversations: list[Conversation]) -> None:
        loaded = await asyncio.to_thread(self._read, conversations)
        self.summary = loaded.summary
        self._show(loaded)

    def _read(self, conversations: list[Conversation]) -> _Loaded:
        workspace = self.workspace
        journal = workspace.journal.read()
        try:
            snoozed = workspace.snoozed_count()
        except OSError:
            snoozed = 0  # the follow-ups file could not be read: it says so where snoozes are shown
        now, zone = workspace.clock.now(), local_zone()
        problem = " ".join(p for p in (journal.problem, workspace.journal_problem) if p)
        summary = summarize(journal.entries, conversations, now=now, zone=zone, snoozed=snoozed, problem=problem)
        return _Loaded(summary, week_days(journal.entries, now=now, zone=zone))

    def _show(self, loaded: _Loaded) -> None:
        summary = loaded.summary
        now = summary.now
        title = Content.assemble(("Day summary", "bold"), (f"  {now:%A} {now.day} {now:%B %Y}, {now:%H:%M}", "$text-muted"))
        self.query_one("#summary-title", Static).update(title)
        self.query_one("#summary-table", Static).update(summary_table(summary))
        labels = [_iso(day.period.start.date()) for day in loaded.days]
        self.query_one("#summary-labelled", BarChart).set_data([d.labelled_total for d in loaded.days], labels)
        self.query_one("#summary-replies", BarChart).set_data([d.replies_sent for d in loaded.days], labels)

    # -- export ------------------------------------------------------------------------------------------

    def action_export(self) -> None:
        if self.summary is not None:
            self._export(self.summary)

    @work(group="summary-export", exclusive=True, exit_on_error=False, description="Exporting the summary")
    async def _export(self, summary: DaySummary) -> None:
        folder = self.workspace.settings.downloads
        try:
            saved = await asyncio.to_thread(self._write, summary, folder)
        except FolderError as error:
            self._foot(Content.styled(f"Not exported: {error}", "$text-error"))
            return
        where = " and ".join(str(path) for path in saved)
        self._foot(Content.styled(f"Exported to {where}", "$text-success"))
        self.notify(f"Day summary saved: {where}", title="Exported", markup=False)

    @staticmethod
    def _write(summary: DaySummary, folder: Path) -> list[Path]:
        return [
            save_export(folder, export_name(summary, "csv"), to_csv(summary)),
            save_export(folder, export_name(summary, "md"), to_markdown(summary)),
        ]


def _iso(day: date) -> str:
    return day.isoformat()
