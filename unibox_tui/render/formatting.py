"""Small, pure presentation helpers: compact dates, human sizes, label names, waits."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo

__all__ = [
    "LABEL_NAMES",
    "back_on",
    "compact_date",
    "compact_wait",
    "full_date",
    "human_count",
    "human_duration",
    "human_rate",
    "human_size",
    "label_name",
    "wake_time",
]

#: Human names for Reachkit's labels; unknown labels are shown title-cased.
LABEL_NAMES: dict[str, str] = {
    "interested": "Interested",
    "meeting_requested": "Meeting",
    "question": "Question",
    "needs_more_info": "More info",
    "referral": "Referral",
    "not_now": "Not now",
    "out_of_office": "Out of office",
    "neutral": "Neutral",
    "not_interested": "Not interested",
    "wrong_person": "Wrong person",
    "left_company": "Left company",
    "unsubscribe": "Unsubscribe",
}


def label_name(label: str | None) -> str:
    if not label:
        return ""
    return LABEL_NAMES.get(label, label.replace("_", " ").strip().capitalize())


def _local(moment: datetime) -> datetime:
    """``moment`` in the viewer's time zone; as sent when that is out of range (year 1, 9999)."""
    try:
        return moment.astimezone()
    except (OverflowError, ValueError, OSError):
        return moment


def compact_date(moment: datetime | None, now: datetime | None = None, raw: str = "") -> str:
    """Mail-client dates: ``14:02`` today, ``Mon`` this week, ``3 Nov`` this year, else ``2024-11-03``.

    Shown in the viewer's local time zone. A date that did not parse shows ``?`` rather than
    the stranger's raw text (which could be anything, of any length).
    """
    if moment is None:
        return "?" if raw else ""
    now = now or datetime.now(UTC)
    local = _local(moment)
    local_now = _local(now)
    if local.date() == local_now.date():
        return local.strftime("%H:%M")
    delta = local_now.date() - local.date()
    if timedelta(0) < delta < timedelta(days=7):
        return local.strftime("%a")
    if local.year == local_now.year and delta >= timedelta(0):
        return f"{local.day} {local.strftime('%b')}"
    return f"{local.year:04d}-{local.month:02d}-{local.day:02d}"  # strftime gives "1" for year 1


def full_date(moment: datetime | None, raw: str = "") -> str:
    """``Mon 3 Nov 2025, 14:02`` in local time; an unparsable date says so."""
    if moment is None:
        return "date unknown" if not raw else "invalid date"
    local = _local(moment)
    return f"{local.strftime('%a')} {local.day} {local.strftime('%b')} {local.year:04d}, {local.strftime('%H:%M')}"


def human_size(size: int | None) -> str:
    """``532 B``, ``14 KB``, ``3.2 MB``, ``200 MB``: decimal units, as file managers show them."""
    if size is None or size < 0:
        return "size unknown"
    if size < 1000:
        return f"{size} B"
    if size >= 1000**6:
        return "over 999 PB"  # a server's absurd number (float() of a 400-digit int would raise)
    value = float(size)
    for unit in ("KB", "MB", "GB", "TB", "PB"):
        value /= 1000
        if value < 1000 or unit == "PB":
            return f"{value:.1f} {unit}" if value < 10 else f"{value:.0f} {unit}"
    return f"{size} B"  # pragma: no cover


def human_rate(bytes_per_second: float) -> str:
    return f"{human_size(int(bytes_per_second))}/s"


def human_duration(seconds: float | None) -> str:
    """``42 s``, ``3 min``, ``1 h 5 min``; unknown as ``--``."""
    if seconds is None or seconds != seconds or seconds < 0:
        return "--"
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, sec = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {sec:02d} s" if minutes < 10 else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"


def human_count(count: int) -> str:
    return f"{count:,}"


def compact_wait(seconds: float | None) -> str:
    """How long a reply has waited, in two units at most: ``45m``, ``3h 12m``, ``2d 4h``, ``1y 157d``.

    A wait under a minute (or a negative one, when the sender's clock runs ahead) is ``<1m``.
    """
    if seconds is None or seconds != seconds:
        return "?"
    minutes = int(seconds // 60)
    if minutes < 1:
        return "<1m"
    if minutes < 60:
        return f"{minutes}m"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours}h {minutes}m" if minutes else f"{hours}h"
    days, hours = divmod(hours, 24)
    if days >= 365:  # a year or more (or a date from 1900): years and days, at most 8 characters
        years, days = divmod(days, 365)
        if years > 99:
            return ">99y"
        return f"{years}y {days}d" if days else f"{years}y"
    return f"{days}d {hours}h" if hours else f"{days}d"


def back_on(day: date) -> str:
    """``back 14 Dec``: the return date of an out-of-office reply, as the row shows it."""
    return f"back {day.day} {day.strftime('%b')}"


def wake_time(moment: datetime, now: datetime, tz: tzinfo, *, dated: bool = False) -> str:
    """When a snooze ends, in the viewer's zone: ``16:30``, ``tomorrow 9:00``, ``Mon 14 Dec 9:00``.

    The year is added when it is not the current one (``Mon 4 Jan 2027 9:00``). ``dated`` writes
    tomorrow as a date too: the snooze picker's exact times, beside a label that already says
    "tomorrow 9:00", must not repeat it.
    """
    local, today = moment.astimezone(tz), now.astimezone(tz).date()
    clock = f"{local.hour}:{local.minute:02d}"
    if local.date() == today:
        return clock
    if local.date() == today + timedelta(days=1) and not dated:
        return f"tomorrow {clock}"
    year = f" {local.year}" if local.year != today.year else ""
    return f"{local.strftime('%a')} {local.day} {local.strftime('%b')}{year} {clock}"
