"""Durations typed by people ("90m", "2h30m", "3d", "1w"): one reader for settings and snoozes.

Days and weeks are kept apart from hours and minutes because they mean different things across
a daylight-saving change: "1d" is the same time tomorrow (23 or 25 hours away twice a year),
"24h" is exactly 24 hours of elapsed time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

__all__ = ["Span", "format_span", "parse_span"]

_UNIT_DAYS = {"w": 7, "wk": 7, "wks": 7, "week": 7, "weeks": 7, "d": 1, "day": 1, "days": 1}
_UNIT_SECONDS = {
    "h": 3600, "hr": 3600, "hrs": 3600, "hour": 3600, "hours": 3600,
    "m": 60, "min": 60, "mins": 60, "minute": 60, "minutes": 60,
}
_PART = re.compile(r"\s*(\d{1,4})\s*([a-z]+)\s*,?", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Span:
    """``days`` of calendar time (same wall-clock time later) plus ``seconds`` of elapsed time."""

    days: int = 0
    seconds: int = 0

    def as_timedelta(self) -> timedelta:
        """For thresholds (how long a reply has waited), where a day is simply 24 hours."""
        return timedelta(days=self.days, seconds=self.seconds)

    def __bool__(self) -> bool:
        return bool(self.days or self.seconds)


def parse_span(text: str) -> Span | None:
    """``"2h30m"`` -> ``Span(0, 9000)``; ``None`` when the text is not a duration."""
    text = text.strip().lower()
    if not text or len(text) > 40:
        return None
    days = seconds = 0
    position = 0
    while position < len(text):
        match = _PART.match(text, position)
        if match is None:
            return None
        count, unit = int(match.group(1)), match.group(2)
        if unit in _UNIT_DAYS:
            days += count * _UNIT_DAYS[unit]
        elif unit in _UNIT_SECONDS:
            seconds += count * _UNIT_SECONDS[unit]
        else:
            return None
        position = match.end()
    return Span(days, seconds)


def format_span(span: Span) -> str:
    """The short form a settings file would hold: ``"1w"``, ``"2d"``, ``"1h30m"``."""
    parts = []
    weeks, days = divmod(span.days, 7)
    hours, rest = divmod(span.seconds, 3600)
    for count, unit in ((weeks, "w"), (days, "d"), (hours, "h"), (rest // 60, "m")):
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts) or "0m"
