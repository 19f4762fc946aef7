"""Snooze times: the picker's presets and what people type, in the viewer's zone, across DST."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from unibox_tui.clock import TickingClock
from unibox_tui.domain.snooze import SnoozeError, parse_wake_time, preset_choices, preset_wake

BERLIN = ZoneInfo("Europe/Berlin")
KIRITIMATI = ZoneInfo("Pacific/Kiritimati")  # UTC+14
HONOLULU = ZoneInfo("Pacific/Honolulu")  # UTC-10

#: Thursday 28 May 2026, 15:30 in Berlin (CEST, UTC+2).
THURSDAY = datetime(2026, 5, 28, 15, 30, tzinfo=BERLIN)


def at(*parts: int, tz: ZoneInfo = BERLIN) -> datetime:
    return datetime(*parts, tzinfo=tz)


def elapsed(start: datetime, end: datetime) -> timedelta:
    """Real time between two instants (``-`` on one zone's datetimes is wall-clock time)."""
    return end.astimezone(UTC) - start.astimezone(UTC)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("3d", at(2026, 5, 31, 15, 30)),
        ("2h", at(2026, 5, 28, 17, 30)),
        ("90m", at(2026, 5, 28, 17, 0)),
        ("1w", at(2026, 6, 4, 15, 30)),
        ("in 2 hours", at(2026, 5, 28, 17, 30)),
        ("1d 4h", at(2026, 5, 29, 19, 30)),
        ("fri 14:00", at(2026, 5, 29, 14, 0)),
        ("friday", at(2026, 5, 29, 9, 0)),
        ("Friday", at(2026, 5, 29, 9, 0)),
        ("tomorrow 8:30", at(2026, 5, 29, 8, 30)),
        ("tomorrow", at(2026, 5, 29, 9, 0)),
        ("mon", at(2026, 6, 1, 9, 0)),
        ("thu 16:00", at(2026, 5, 28, 16, 0)),  # today, still ahead
        ("thu 15:00", at(2026, 6, 4, 15, 0)),  # today's has gone: next week's
        ("thursday", at(2026, 6, 4, 9, 0)),  # a named day is never today
        ("next thu", at(2026, 6, 4, 9, 0)),
        ("14:00", at(2026, 5, 29, 14, 0)),  # a bare time: its next occurrence
        ("today 17:00", at(2026, 5, 28, 17, 0)),
        ("2026-12-24 09:00", at(2026, 12, 24, 9, 0)),
        ("2026-12-24", at(2026, 12, 24, 9, 0)),
        ("24.12. 9:00", at(2026, 12, 24, 9, 0)),
        ("24.12.2026 9:00", at(2026, 12, 24, 9, 0)),
        ("12/24 9am", at(2026, 12, 24, 9, 0)),
        ("24/12 5:15pm", at(2026, 12, 24, 17, 15)),
        ("24 dec", at(2026, 12, 24, 9, 0)),
        ("Dec 24 at 10:00", at(2026, 12, 24, 10, 0)),
        ("3.2.", at(2027, 2, 3, 9, 0)),  # no year: the next 3 February
        ("14h30", at(2026, 5, 29, 14, 30)),
    ],
)
def test_typed_times(typed: str, expected: datetime) -> None:
    wake = parse_wake_time(typed, THURSDAY, BERLIN)
    assert wake == expected and wake.tzinfo is BERLIN


@pytest.mark.parametrize(
    ("typed", "sentence"),
    [
        ("2026-05-01 10:00", "has already passed"),
        ("today 9:00", "has already passed"),
        ("28.5. 9:00", "has already passed"),
        ("12/11", "could be 11 December or 12 November"),
        ("2028-01-01", "more than a year"),
        ("31.02.", "is not a date on the calendar"),
        ("25:00", "no such time of day"),
        ("13pm", "from 1 to 12"),
        ("0m", "no time at all"),
        ("", "Type when it should come back"),
        ("soonish", "Could not read"),
        ("fri 14", "Could not read"),
    ],
)
def test_refusals_are_sentences(typed: str, sentence: str) -> None:
    with pytest.raises(SnoozeError) as caught:
        parse_wake_time(typed, THURSDAY, BERLIN)
    assert sentence in str(caught.value)
    assert str(caught.value).endswith(".")


def test_a_hostile_typed_text_is_echoed_clean_and_short() -> None:
    with pytest.raises(SnoozeError) as caught:
        parse_wake_time("\x1b]0;owned\x07" + "x" * 300 + "\n$(rm -rf /)", THURSDAY, BERLIN)
    message = str(caught.value)
    assert "\x1b" not in message and "\x07" not in message and "\n" not in message
    assert len(message) < 200


def test_presets() -> None:
    assert preset_wake("1", THURSDAY, BERLIN) == at(2026, 5, 28, 16, 30)
    assert preset_wake("2", THURSDAY, BERLIN) == at(2026, 5, 29, 9, 0)
    assert preset_wake("3", THURSDAY, BERLIN) == at(2026, 6, 1, 9, 0)
    assert preset_wake("2", THURSDAY, BERLIN, morning=7) == at(2026, 5, 29, 7, 0)
    # Back on Saturday 6 June: the next working morning is Monday 8 June.
    assert preset_wake("4", THURSDAY, BERLIN, back_on=date(2026, 6, 6)) == at(2026, 6, 8, 9, 0)


def test_next_monday_on_a_monday_is_a_week_away() -> None:
    monday = at(2026, 6, 1, 8, 0)
    assert preset_wake("3", monday, BERLIN) == at(2026, 6, 8, 9, 0)


def test_back_today_after_the_morning_wakes_the_next_working_morning() -> None:
    friday_noon = at(2026, 5, 29, 12, 0)
    assert preset_wake("4", friday_noon, BERLIN, back_on=date(2026, 5, 29)) == at(2026, 6, 1, 9, 0)


def test_the_back_preset_is_offered_only_with_a_return_date() -> None:
    assert [c.key for c in preset_choices(THURSDAY, BERLIN)] == ["1", "2", "3"]
    choices = preset_choices(THURSDAY, BERLIN, back_on=date(2026, 6, 6))
    assert [(c.key, c.label, c.when) for c in choices] == [
        ("1", "in 1 hour", "16:30"),
        ("2", "tomorrow 9:00", "Fri 29 May 9:00"),  # the exact time, not the label again
        ("3", "next Monday 9:00", "Mon 1 Jun 9:00"),
        ("4", "when the lead is back", "Mon 8 Jun 9:00"),
    ]
    with pytest.raises(SnoozeError):
        preset_wake("4", THURSDAY, BERLIN)


# --- daylight saving time: Berlin springs forward on 29 March 2026, falls back on 25 October ---


def test_days_keep_the_wall_clock_across_spring_forward() -> None:
    saturday = at(2026, 3, 28, 10, 0)
    wake = parse_wake_time("1d", saturday, BERLIN)
    assert (wake.day, wake.hour, wake.minute) == (29, 10, 0)
    assert elapsed(saturday, wake) == timedelta(hours=23)


def test_hours_are_elapsed_time_across_spring_forward() -> None:
    night = at(2026, 3, 29, 1, 30)
    wake = parse_wake_time("2h", night, BERLIN)
    assert elapsed(night, wake) == timedelta(hours=2)
    assert (wake.hour, wake.minute) == (4, 30)  # 01:30 CET + 2 h = 04:30 CEST


def test_a_time_inside_the_gap_moves_past_it() -> None:
    wake = parse_wake_time("tomorrow 2:30", at(2026, 3, 28, 12, 0), BERLIN)
    assert wake.astimezone(UTC) == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert (wake.hour, wake.minute, wake.utcoffset()) == (3, 30, timedelta(hours=2))


def test_presets_across_spring_forward() -> None:
    saturday_evening = at(2026, 3, 28, 20, 0)
    assert preset_wake("2", saturday_evening, BERLIN).astimezone(UTC) == datetime(2026, 3, 29, 7, 0, tzinfo=UTC)
    assert preset_wake("3", saturday_evening, BERLIN).astimezone(UTC) == datetime(2026, 3, 30, 7, 0, tzinfo=UTC)


def test_days_across_fall_back_and_the_repeated_hour() -> None:
    saturday = at(2026, 10, 24, 10, 0)
    wake = parse_wake_time("1d", saturday, BERLIN)
    assert (wake.hour, elapsed(saturday, wake)) == (10, timedelta(hours=25))
    twice = parse_wake_time("tomorrow 2:30", saturday, BERLIN)
    assert twice.utcoffset() == timedelta(hours=2)  # the first 2:30 (still summer time)


def test_the_zone_decides_what_tomorrow_is() -> None:
    """23:30 UTC: already the next day in Kiritimati, still the afternoon before in Honolulu."""
    now = datetime(2026, 5, 28, 23, 30, tzinfo=UTC)
    assert parse_wake_time("tomorrow", now, KIRITIMATI) == at(2026, 5, 30, 9, 0, tz=KIRITIMATI)
    assert parse_wake_time("tomorrow", now, HONOLULU) == at(2026, 5, 29, 9, 0, tz=HONOLULU)


def test_now_comes_from_an_injected_clock() -> None:
    """The app passes ``clock.now()``: a clock anchored anywhere gives the same answers."""
    clock = TickingClock(THURSDAY)
    clock.advance(7 * 86400)
    wake = parse_wake_time("tomorrow 8:30", clock.now(), BERLIN)
    assert wake == at(2026, 6, 5, 8, 30)


def test_the_viewers_zone_keeps_its_dst_rules(monkeypatch) -> None:
    """A fixed offset would put a snooze across the DST change an hour off; TZ names the rules."""
    from unibox_tui.clock import local_zone

    monkeypatch.setenv("TZ", "Europe/Berlin")
    zone = local_zone()
    assert datetime(2026, 1, 5, 9, tzinfo=zone).utcoffset() == timedelta(hours=1)
    assert datetime(2026, 7, 6, 9, tzinfo=zone).utcoffset() == timedelta(hours=2)
    monkeypatch.setenv("TZ", "Not/A_Zone")
    assert datetime(2026, 7, 6, 9, tzinfo=local_zone()).utcoffset() is not None  # a fallback, never an error
