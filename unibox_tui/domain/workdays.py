"""Working days and mornings: where "back on Saturday" and "until Friday" land on the calendar.

Apart from the out-of-office parser so that the snooze picker can use them without compiling
the parser's patterns. Public holidays are not known: Monday to Friday are working days.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo

__all__ = ["next_working_day", "next_working_morning"]


def next_working_day(day: date) -> date:
    """The first Monday-to-Friday strictly after ``day``."""
    day += timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def next_working_morning(day: date, tz: tzinfo, hour: int = 9) -> datetime:
    """``hour``:00 local time on the first Monday-to-Friday on or after ``day``, as an aware time.

    The wall-clock time is kept across daylight-saving changes; a time that does not exist that
    night (clocks jumping forward) comes out as the equivalent instant after the jump.
    """
    while day.weekday() >= 5:
        day += timedelta(days=1)
    local = datetime.combine(day, time(hour), tzinfo=tz)
    return local.astimezone(tz)
