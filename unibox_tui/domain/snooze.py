"""When a snoozed conversation comes back: the picker's presets and the times people type.

Everything is computed from an injected "now" and the viewer's time zone, so a test (or a
laptop crossing a DST change) gets the same answer as the user's wall clock. Hours and minutes
are elapsed time ("2h" is two hours later, also across a DST change); days, weeks and named
days keep the wall-clock time ("1d" at 10:00 is 10:00 tomorrow, 23 or 25 hours away twice a
year). A local time that does not exist (clocks jumping forward) becomes the instant after the
jump; one that happens twice (clocks going back) is the first.

Slashed dates are read month-first only when they cannot be anything else ("12/24"); "12/11"
is refused with both readings spelled out rather than guessed, because a snooze that wakes a
month early or late is worse than one more keystroke.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Final

from ..render.formatting import wake_time
from ..render.sanitize import clean_line
from .durations import parse_span
from .workdays import next_working_morning

__all__ = ["MAX_AHEAD", "SnoozeChoice", "SnoozeError", "parse_wake_time", "preset_choices", "preset_wake"]

#: A snooze further away than this is a typing mistake ("2026" for "2027" or the reverse).
MAX_AHEAD: Final = timedelta(days=366)
EXAMPLES: Final = "3d, 2h, 90m, fri 14:00, tomorrow 8:30, 2026-12-24 09:00 or 24.12. 9:00"


class SnoozeError(ValueError):
    """A time that cannot be used; ``str()`` is a sentence for the user."""


@dataclass(frozen=True, slots=True)
class SnoozeChoice:
    """One line of the snooze picker: its key, what it is, when it wakes (in words and as a time)."""

    key: str
    label: str
    when: str
    wake_at: datetime


_WEEKDAYS: Final = {
    name: number
    for number, names in enumerate(
        ("mon monday", "tue tues tuesday", "wed wednesday", "thu thur thurs thursday", "fri friday", "sat saturday",
         "sun sunday")
    )
    for name in names.split()
}
_MONTHS: Final = {
    name: number
    for number, names in enumerate(
        ("jan january", "feb february", "mar march", "apr april", "may", "jun june", "jul july", "aug august",
         "sep sept september", "oct october", "nov november", "dec december"),
        start=1,
    )
    for name in names.split()
}
_TIME = re.compile(
    r"(?:^|\s)(?:at\s+)?(?:(?P<h>\d{1,2}):(?P<m>\d{2})\s*(?P<ampm>am|pm)?|(?P<h2>\d{1,2})\s*(?P<ampm2>am|pm)"
    r"|(?P<h3>\d{1,2})h(?P<m3>\d{2})?)$"
)
_ISO = re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})")
_DOTTED = re.compile(r"(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.?(?:(?P<y>\d{4}|\d{2}))?")
_SLASHED = re.compile(r"(?P<a>\d{1,2})/(?P<b>\d{1,2})(?:/(?P<y>\d{4}|\d{2}))?")
_NAMED = re.compile(r"(?:(?P<d>\d{1,2})\s*(?P<mon>[a-z]+)|(?P<mon2>[a-z]+)\s*(?P<d2>\d{1,2}))(?:\s+(?P<y>\d{4}))?")


# --- presets --------------------------------------------------------------------------------------


def preset_wake(key: str, now: datetime, tz: tzinfo, *, morning: int = 9, back_on: date | None = None) -> datetime:
    """The wake time of preset ``key``: ``1`` in an hour, ``2`` tomorrow morning, ``3`` next
    Monday morning, ``4`` the first working morning the lead is back (needs ``back_on``)."""
    local = now.astimezone(tz)
    if key == "1":
        return _elapsed(now, timedelta(hours=1), tz)
    if key == "2":
        return _at(local.date() + timedelta(days=1), time(morning), tz)
    if key == "3":
        ahead = (0 - local.weekday()) % 7 or 7
        return _at(local.date() + timedelta(days=ahead), time(morning), tz)
    if key == "4" and back_on is not None:
        wake = next_working_morning(back_on, tz, morning)
        while wake.astimezone(UTC) <= now.astimezone(UTC):  # back today, the morning has gone
            wake = next_working_morning(wake.date() + timedelta(days=1), tz, morning)
        return wake
    raise SnoozeError("That snooze choice is not available.")


def preset_choices(now: datetime, tz: tzinfo, *, morning: int = 9, back_on: date | None = None) -> list[SnoozeChoice]:
    """The picker's lines; ``4`` only when the lead's return date is known."""
    names = {"1": "in 1 hour", "2": f"tomorrow {morning}:00", "3": f"next Monday {morning}:00", "4": "when the lead is back"}
    keys = ["1", "2", "3"] + (["4"] if back_on is not None else [])
    choices = []
    for key in keys:
        wake = preset_wake(key, now, tz, morning=morning, back_on=back_on)
        choices.append(SnoozeChoice(key, names[key], wake_time(wake, now, tz, dated=True), wake))
    return choices


# --- typed times ----------------------------------------------------------------------------------


def parse_wake_time(text: str, now: datetime, tz: tzinfo, *, morning: int = 9) -> datetime:
    """The aware wake time (in ``tz``) that ``text`` means; ``SnoozeError`` with a sentence if none.

    A day without a time means ``morning``:00; a time in the past is refused.
    """
    words = " ".join(text.lower().replace(",", " ").split())
    if words.startswith("in "):
        words = words[3:]
    if not words:
        raise SnoozeError(f"Type when it should come back: {EXAMPLES}.")
    span = parse_span(words)
    if span is not None:
        if not span:
            raise SnoozeError("A snooze of no time at all: type something like 2h or 3d.")
        wake = _elapsed(_calendar_days(now, span.days, tz), timedelta(seconds=span.seconds), tz)
    else:
        wake = _named_time(words, text, now, tz, morning)
    return _checked(wake, now, tz)


def _named_time(words: str, text: str, now: datetime, tz: tzinfo, morning: int) -> datetime:
    day_words, clock = _split_time(words, text)
    today = now.astimezone(tz).date()
    if day_words in ("", "today"):
        if clock is None:
            raise _unreadable(text)
        wake = _at(today, clock, tz)
        if day_words == "" and wake.astimezone(UTC) <= now.astimezone(UTC):  # its next occurrence
            wake = _at(today + timedelta(days=1), clock, tz)
        return wake
    if day_words in ("tomorrow", "tmr", "tmrw"):
        return _at(today + timedelta(days=1), clock or time(morning), tz)
    weekday = _WEEKDAYS.get(day_words.removeprefix("next "))
    if weekday is not None:
        return _on_weekday(weekday, clock, now, tz, morning, skip_this_week=day_words.startswith("next "))
    day = _date(day_words, text, today)
    return _at(day, clock or time(morning), tz)


def _split_time(words: str, text: str) -> tuple[str, time | None]:
    match = _TIME.search(words)
    if match is None:
        return words, None
    hour = int(match.group("h") or match.group("h2") or match.group("h3"))
    minute = int(match.group("m") or match.group("m3") or 0)
    ampm = match.group("ampm") or match.group("ampm2")
    if ampm:
        if not 1 <= hour <= 12:
            raise SnoozeError(f"{hour}{ampm} is not a time: with am/pm the hour goes from 1 to 12.")
        hour = hour % 12 + (12 if ampm == "pm" else 0)
    if hour > 23 or minute > 59:
        raise SnoozeError(f"{_echo(text)} has no such time of day: use 0:00 to 23:59.")
    return words[: match.start()].strip(), time(hour, minute)


def _on_weekday(weekday: int, clock: time | None, now: datetime, tz: tzinfo, morning: int, *, skip_this_week: bool) -> datetime:
    """"fri 14:00": the first Friday 14:00 still ahead; "friday": next Friday's morning."""
    today = now.astimezone(tz).date()
    ahead = (weekday - today.weekday()) % 7
    if clock is None or skip_this_week:
        ahead = ahead or 7
    wake = _at(today + timedelta(days=ahead), clock or time(morning), tz)
    if wake.astimezone(UTC) > now.astimezone(UTC):
        return wake
    return _at(today + timedelta(days=ahead + 7), clock or time(morning), tz)


def _date(words: str, text: str, today: date) -> date:
    """A calendar day from ``2026-12-24``, ``24.12.``, ``12/24``, ``24 dec``; the next one if no year."""
    if match := _ISO.fullmatch(words):
        return _valid(int(match["y"]), int(match["m"]), int(match["d"]), text)
    if match := _DOTTED.fullmatch(words):
        return _yearless(int(match["d"]), int(match["m"]), match["y"], today, text)
    if match := _SLASHED.fullmatch(words):
        a, b = int(match["a"]), int(match["b"])
        if a <= 12 and b <= 12 and a != b:
            raise SnoozeError(
                f"{a}/{b} could be {b} {_month_name(a)} or {a} {_month_name(b)}: type {b}.{a}. or {a}.{b}. "
                "(day.month.), or a date like 2026-12-24."
            )
        day, month = (a, b) if a > 12 else (b, a)
        return _yearless(day, month, match["y"], today, text)
    if match := _NAMED.fullmatch(words):
        month = _MONTHS.get(match["mon"] or match["mon2"] or "")
        if month is not None:
            return _yearless(int(match["d"] or match["d2"]), month, match["y"], today, text)
    raise _unreadable(text)


def _yearless(day: int, month: int, year: str | None, today: date, text: str) -> date:
    if year:
        return _valid(int(year) + (2000 if len(year) == 2 else 0), month, day, text)
    this_year = _valid(today.year, month, day, text) if (month, day) != (2, 29) else None
    if this_year is not None and this_year >= today:
        return this_year
    for offset in range(1, 5):  # 29 February waits for its year
        try:
            return date(today.year + offset, month, day)
        except ValueError:
            continue
    raise _unreadable(text)


def _valid(year: int, month: int, day: int, text: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise SnoozeError(f"{_echo(text)} is not a date on the calendar.") from None


def _month_name(month: int) -> str:
    return date(2000, month, 1).strftime("%B")


# --- time arithmetic --------------------------------------------------------------------------------


def _at(day: date, clock: time, tz: tzinfo) -> datetime:
    """``clock`` on ``day`` in ``tz``; a time inside a DST gap moves to the instant after it."""
    return datetime.combine(day, clock, tzinfo=tz).astimezone(UTC).astimezone(tz)


def _elapsed(moment: datetime, delta: timedelta, tz: tzinfo) -> datetime:
    """``delta`` of real time later (aware arithmetic in one zone would add wall-clock time)."""
    return (moment.astimezone(UTC) + delta).astimezone(tz)


def _calendar_days(now: datetime, days: int, tz: tzinfo) -> datetime:
    local = now.astimezone(tz)
    return _at(local.date() + timedelta(days=days), local.time(), tz)


def _checked(wake: datetime, now: datetime, tz: tzinfo) -> datetime:
    # In UTC: two times of one zone compare by wall clock, which the repeated DST hour fools.
    if wake.astimezone(UTC) <= now.astimezone(UTC):
        raise SnoozeError(f"{wake_time(wake, now, tz)} has already passed: pick a later time.")
    if wake.astimezone(UTC) - now.astimezone(UTC) > MAX_AHEAD:
        raise SnoozeError("That is more than a year away: a snooze can be at most a year.")
    return wake


def _echo(text: str) -> str:
    return f'"{clean_line(text, max_chars=40)}"'


def _unreadable(text: str) -> SnoozeError:
    return SnoozeError(f"Could not read {_echo(text)} as a time. Try {EXAMPLES}.")
