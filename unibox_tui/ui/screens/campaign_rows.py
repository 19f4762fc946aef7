"""How the Campaigns room draws campaigns and variants: columns, status marks and tones, variant rows."""

from __future__ import annotations

from ...api import SequenceStep, Variant
from ...render.formatting import human_count
from ...render.rooms import percent
from ...render.sanitize import clean_line
from ..widgets.record_table import Cell, Column, Row

__all__ = ["CAMPAIGN_COLUMNS", "VARIANT_COLUMNS", "status_mark", "status_tone", "tone_style", "variant_row"]

CAMPAIGN_COLUMNS = [
    Column("", width=1, keep=9),
    Column("Campaign", min_width=14, max_width=56),
    Column("Status", width=9, keep=8),
    Column("Sent", width=7, align="right", keep=7),
    Column("Replies", width=7, align="right", keep=6),
    Column("Rate", width=6, align="right", keep=7),
    Column("Progress", width=14, keep=5),
]
VARIANT_COLUMNS = [
    Column("Step", width=5, keep=9),
    Column("Variant", width=7, keep=9),
    Column("State", width=8, keep=9),
    Column("Sent", width=7, align="right", keep=8),
    Column("Replies", width=7, align="right", keep=7),
    Column("Rate", width=6, align="right", keep=6),
]


def status_tone(status: str) -> str:
    return {"active": "good", "paused": "warn", "completed": "muted", "draft": "muted"}.get(status.lower(), "")


def status_mark(status: str) -> str:
    return {"active": "●", "paused": "‖", "completed": "✓", "draft": "○"}.get(status.lower(), "·")


def variant_row(step: SequenceStep, variant: Variant) -> Row:
    state = Cell("on", "good") if variant.enabled else Cell("off", "muted")
    return Row(
        variant.id,
        (
            str(step.step),
            clean_line(variant.letter, max_chars=4) or "?",
            state,
            human_count(variant.sent),
            human_count(variant.replies),
            percent(variant.reply_rate),
        ),
        dim=not variant.enabled,
        data=(step, variant),
    )


def tone_style(tone: str) -> str:
    return {"good": "bold $text-success", "warn": "bold $text-warning", "bad": "bold $text-error"}.get(
        tone, "$text-muted"
    )
