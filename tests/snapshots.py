"""Pictures of the screens (SVG), compared with the ones kept in ``tests/snapshots/``.

In the style of Posting's and Harlequin's snapshot suites: each picture is the whole terminal as
Textual exports it, taken from the demo's fixed data with a clock that stands still, the cursor
not blinking, no toasts and no spinner, in UTC. A layout change shows as a changed file.

``python -m pytest tests/test_snapshots.py --snapshot-update`` writes them anew: look at what
changed (an SVG opens in a browser; ``git diff --stat`` says which) before committing.

Our own small comparison rather than pytest-textual-snapshot: that plugin pins syrupy 4.8,
which needs pytest < 9, and the suite runs on pytest 9; and here one app run can take several
pictures (a user's path through the screens), which keeps the suite cheap.
"""

from __future__ import annotations

import difflib
import html
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from textual.widgets import Input, TextArea

SNAPSHOTS = Path(__file__).parent / "snapshots"
CELL_WIDTH = 12.2


def _text_of(svg: str) -> list[str]:
    """The characters of an exported screen, row by row (for a readable failure message).

    Rich writes each run of text at its x in pixels, 12.2 a cell (0.61 of its 20 px font).
    """
    rows: dict[float, dict[int, str]] = {}
    for match in re.finditer(r'<text class="[^"]*" x="([\d.]+)" y="([\d.]+)"[^>]*>(.*?)</text>', svg):
        x, y, chunk = match.groups()
        rows.setdefault(float(y), {})[round(float(x) / CELL_WIDTH)] = html.unescape(chunk).replace("\xa0", " ")
    lines = []
    for _, cells in sorted(rows.items()):
        line = ""
        for column, text in sorted(cells.items()):
            line = line.ljust(column) + text
        lines.append(line.rstrip())
    return lines


@dataclass
class Snapshots:
    """Takes and compares the pictures of one test; ``verify`` fails with every difference at once."""

    update: bool
    failures: Path
    problems: list[str] = field(default_factory=list)

    async def take(self, pilot: Any, name: str) -> None:
        app = pilot.app
        for widget in app.screen.query("Input, TextArea"):
            if isinstance(widget, Input | TextArea):
                widget.cursor_blink = False  # a blinking cursor is on or off by chance
        await pilot.pause()
        svg = app.export_screenshot(title="unibox-tui")
        kept = SNAPSHOTS / f"{name}.svg"
        if self.update:
            kept.write_text(svg, encoding="utf-8")
            return
        if kept.exists() and kept.read_text(encoding="utf-8") == svg:
            return
        self.failures.mkdir(parents=True, exist_ok=True)
        actual = self.failures / f"{name}.svg"
        actual.write_text(svg, encoding="utf-8")
        if not kept.exists():
            self.problems.append(f"{name}: no snapshot kept yet (run with --snapshot-update); this run's is {actual}")
            return
        diff = difflib.unified_diff(_text_of(kept.read_text(encoding="utf-8")), _text_of(svg), "kept", "now", lineterm="", n=1)
        words = "\n".join(diff) or "(the same characters: colours or styles changed)"
        self.problems.append(f"{name}: the screen differs from {kept.name}; this run's is {actual}\n{words}")

    def verify(self) -> None:
        assert not self.problems, "\n\n".join(self.problems)
