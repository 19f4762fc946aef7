"""The last bulk action, conversation by conversation: applied, refused (the server's words), skipped."""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from ...domain.bulk import Outcome, StepResult
from ...render.sanitize import clean_line

__all__ = ["BulkReport"]

_MARKS = {
    Outcome.APPLIED: ("✓", "$text-success"),
    Outcome.REFUSED: ("✗", "$text-error"),
    Outcome.SKIPPED: ("–", "$text-muted"),
}


def report_lines(results: Sequence[StepResult]) -> Content:
    """One line per conversation; names and reasons are strangers' text, drawn as text."""
    lines = []
    for result in results:
        mark, style = _MARKS[result.outcome]
        reason = f": {clean_line(result.reason, max_chars=160)}" if result.reason else ""
        lines.append(Content.assemble((f"{mark} ", style), (clean_line(result.who, max_chars=50), "bold"),
                                      (f"  {result.outcome.value}{reason}", "$text-muted")))
    return Content("\n").join(lines) if lines else Content.styled("Nothing was marked.", "$text-muted")


class BulkReport(ModalScreen[None]):
    """Scrollable; esc (or q) closes."""

    BINDINGS = [Binding("escape,q", "dismiss", "Close", id="bulk_report.close")]

    def __init__(self, summary: str, results: Sequence[StepResult]) -> None:
        super().__init__()
        self.summary = summary
        self.results = tuple(results)

    def compose(self) -> ComposeResult:
        with Vertical(id="bulk-report-box"):
            yield Static(Content.styled("Last bulk action", "bold"), id="bulk-report-title")
            yield Static(Content(clean_line(self.summary, max_chars=400)), id="bulk-report-summary")
            with VerticalScroll(id="bulk-report-body"):
                yield Static(report_lines(self.results))
            yield Static(Content.styled("esc closes", "$text-muted"))
