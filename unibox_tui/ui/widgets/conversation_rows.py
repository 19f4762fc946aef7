"""The parts of one conversation-list row: marks, lead, follow-up tags, subject, label, date.

Kept apart from the widget so the list reads as "which lines, which cache" and this as "what a
row says": given a row (sanitised plain strings), the column widths and a lookup of the list's
component styles, each function returns ``(text, style)`` parts for ``strips.line_strip``.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.cells import cell_len
from rich.style import Style

from ...render.thread import ConversationRow
from ..strips import Part, fit

__all__ = ["StyleOf", "centre", "one_line", "two_lines"]

#: ``name`` -> the style of the list's component class ``conversation-list--{name}``.
StyleOf = Callable[[str], Style]

#: Label -> tone (the component class that colours it).
LABEL_TONES = {
    "Interested": "positive",
    "Meeting": "positive",
    "Question": "info",
    "More info": "info",
    "Referral": "info",
    "Not now": "neutral",
    "Out of office": "neutral",
    "Neutral": "neutral",
    "Not interested": "negative",
    "Wrong person": "negative",
    "Left company": "negative",
    "Unsubscribe": "negative",
}

#: (lead width, label width, date width) for the page on screen.
Columns = tuple[int, int, int]


def one_line(row: ConversationRow, width: int, columns: Columns, style_of: StyleOf) -> list[Part]:
    """One line: mark, marker, lead, subject — snippet, label, attachment mark, date."""
    lead_width, label_width, date_width = columns
    parts: list[Part] = [_mark_column(row, style_of), _marker(row, style_of),
                         (fit(row.lead, lead_width), _lead_style(row, style_of)), ("  ", None)]
    right = _right_columns(row, label_width, date_width, style_of)
    middle = max(0, width - (3 + lead_width + 2) - sum(cell_len(text) for text, _ in right))
    return parts + _subject_and_snippet(row, middle, style_of) + right


def two_lines(row: ConversationRow, width: int, columns: Columns, style_of: StyleOf, line: int) -> list[Part]:
    """Narrow lists: who, label and date (``line`` 0); then subject — snippet underneath (1)."""
    _, label_width, date_width = columns
    if line == 0:
        right = _right_columns(row, label_width, date_width, style_of)
        room = max(0, width - 3 - sum(cell_len(text) for text, _ in right))
        return [_mark_column(row, style_of), _marker(row, style_of),
                (fit(row.lead, room), _lead_style(row, style_of)), *right]
    return [_mark_column(row, style_of), ("  ", None), *_subject_and_snippet(row, max(0, width - 4), style_of)]


def centre(text: str, width: int) -> str:
    text = fit(text, width) if cell_len(text) > width else text
    pad = max(0, (width - cell_len(text)) // 2)
    return " " * pad + text


def _mark_column(row: ConversationRow, style_of: StyleOf) -> Part:
    """The first cell: a bar on marked rows (``m``), so a batch's reach is seen at a glance."""
    return ("▌", style_of("mark")) if row.marked else (" ", None)


def _marker(row: ConversationRow, style_of: StyleOf) -> Part:
    if row.damaged:
        return ("⚠ ", style_of("damaged"))
    if row.unread:
        return ("● ", style_of("marker"))
    if row.closed:
        return ("✓ ", style_of("closed"))
    return ("  ", None)


def _lead_style(row: ConversationRow, style_of: StyleOf) -> Style:
    style = style_of("lead")
    return style + style_of("unread") if row.unread else style


def _right_columns(row: ConversationRow, label_width: int, date_width: int, style_of: StyleOf) -> list[Part]:
    """Label, attachment mark and date: the right-hand end of a row."""
    right: list[Part] = [(" ", None)]
    if label_width and row.label:
        label_style = style_of(f"label-{LABEL_TONES.get(row.label, 'info')}")
        if not row.label_manual:
            label_style = label_style + style_of("label-ai")
        elif row.label_local:
            label_style = label_style + style_of("label-local")
        right.append((fit(row.label, label_width), label_style))
        right.append((" ", None))
    elif label_width:
        right.append((" " * (label_width + 1), None))
    right.append(("📎" if row.attachments else "  ", style_of("marker")))
    right.append((" ", None))
    right.append((fit(row.date, date_width, align="right"), style_of("date")))
    right.append((" ", None))
    return right


def _follow_up_tags(row: ConversationRow, room: int, style_of: StyleOf) -> list[Part]:
    """"↩ back · new reply" and "back 14 Dec" before the subject (follow-ups, our own words)."""
    tags: list[Part] = []
    for text, name in ((f"↩ {row.woken}" if row.woken else "", "woken"), (row.away, "away")):
        if text and room - sum(cell_len(t) for t, _ in tags) > cell_len(text) + 8:
            tags.append((text, style_of(name)))
            tags.append(("  ", None))
    return tags


def _subject_and_snippet(row: ConversationRow, room: int, style_of: StyleOf) -> list[Part]:
    tags = _follow_up_tags(row, room, style_of) if row.woken or row.away else []
    room -= sum(cell_len(text) for text, _ in tags)
    unread = style_of("unread") if row.unread else None
    subject_cells = cell_len(row.subject)
    if subject_cells >= room - 1:
        return [*tags, (fit(row.subject, room), unread)]
    snippet = f" — {row.snippet}" if row.snippet else ""
    return [*tags, (row.subject, unread), (fit(snippet, room - subject_cells), style_of("snippet"))]
