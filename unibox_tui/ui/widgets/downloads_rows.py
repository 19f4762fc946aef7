"""What the downloads panel draws: a row per download (icon, name, bar, numbers or outcome) and its title."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from rich.cells import cell_len
from rich.style import Style

from ...domain.transfers import Transfer, TransferState
from ...render.formatting import human_size
from ...render.sanitize import clean_line
from ..strips import Part, fit, fit_middle

__all__ = ["panel_title", "row_parts"]

_ICONS = {
    TransferState.QUEUED: "… ",
    TransferState.RUNNING: "↓ ",
    TransferState.DONE: "✓ ",
    TransferState.FAILED: "✗ ",
    TransferState.CANCELLED: "⊘ ",
}


def panel_title(transfers: list[Transfer], key: str, *, focused: bool) -> str:
    """``Downloads · 2 running, 1 done · S hides``: the border's title."""
    counts: dict[TransferState, int] = {}
    for transfer in transfers:
        counts[transfer.state] = counts.get(transfer.state, 0) + 1
    parts = [
        f"{counts[state]} {state.value}"
        for state in (TransferState.RUNNING, TransferState.QUEUED, TransferState.DONE,
                      TransferState.FAILED, TransferState.CANCELLED)
        if counts.get(state)
    ]
    summary = " · " + ", ".join(parts) if parts else ""
    return f"Downloads{summary} · " + (f"{key} hides" if focused else f"{key} to manage")


def row_parts(transfer: Transfer, width: int, style: Callable[[str], Style]) -> list[Part]:
    """One download's row: icon, name, then its bar and numbers, or what became of it."""
    muted = style("muted")
    name_style = style("name")
    state = transfer.state
    name_width = max(12, min(48, (width - 2) * 2 // 5))
    rest = width - 2 - name_width - 1
    # Running rows: the bar and as many of bytes, rate, time left as fit (in that order).
    columns = [("bytes", 17), ("rate", 10), ("eta", 14)]
    while columns and rest - sum(w + 1 for _, w in columns) < 8:
        columns.pop()
    bar_width = max(4, min(24, rest - sum(w + 1 for _, w in columns)))
    icon_style = {
        TransferState.DONE: style("done"),
        TransferState.FAILED: style("error"),
    }.get(state, muted)
    parts: list[Part] = [(_ICONS[state], icon_style), (fit_middle(transfer.name, name_width), name_style), (" ", None)]
    if state is TransferState.RUNNING:
        parts.extend(_bar(transfer, bar_width, style))
        texts = {"bytes": transfer.bytes_text(), "rate": transfer.rate_text(), "eta": transfer.eta_text()}
        for key, column_width in columns:
            parts.append((" " + fit(texts[key], column_width, align="right"), muted))
    elif state is TransferState.QUEUED:
        size = human_size(transfer.attachment.size) if transfer.attachment.size is not None else ""
        parts.append(("queued" + (f" · {size}" if size else ""), muted))
    elif state is TransferState.DONE and transfer.path is not None:
        rate = transfer.rate_text()
        saved = f"saved {human_size(transfer.done)}" + (f" at {rate}" if rate else "") + " → "
        room = width - sum(cell_len(text) for text, _ in parts) - cell_len(saved)
        path = clean_line(_short_path(transfer.path), max_chars=1000)
        parts.append((saved, muted))
        parts.append((fit_middle(path, max(8, room)).rstrip(), icon_style))
    elif state is TransferState.FAILED:
        parts.append((f"failed: {transfer.error} · r retries", icon_style))
    else:
        parts.append((f"cancelled after {human_size(transfer.done)} · r retries", muted))
    return parts


def _bar(transfer: Transfer, width: int, style: Callable[[str], Style]) -> list[Part]:
    full = style("bar")
    empty = style("bar-empty")
    fraction = transfer.fraction
    if fraction is None:  # size unknown: a moving pulse says "still alive"
        position = int(time.monotonic() * 8) % max(1, width - 3)
        return [("━" * position, empty), ("━━━", full), ("━" * (width - position - 3), empty)]
    filled = int(round(fraction * width))
    return [("━" * filled, full), ("━" * (width - filled), empty)]


def _short_path(path: Path) -> str:
    """``~/Downloads/deck.pdf`` for paths under the home folder."""
    try:
        return "~/" + str(path.relative_to(Path.home()))
    except ValueError:
        return str(path)
