"""The demo's out-of-office replies write their return date in their own language, with a weekday that
matches the date, and the app's OOO parser reads every one of them (acceptance: "Ich bin bis zum
Monday 30 May nicht im Büro" mixed languages, and a weekend date was printed as "Monday")."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from unibox_tui.demo.datasets import DatasetParams, get
from unibox_tui.domain.ooo import return_date

EN_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
EN_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
             "October", "November", "December")
DE_DAYS = ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag")
DE_MONTHS = ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
             "Oktober", "November", "Dezember")
EN_DATE = re.compile(rf"\b({'|'.join(EN_DAYS)}),? (\d{{1,2}}) ({'|'.join(EN_MONTHS)})\b")
DE_DATE = re.compile(rf"\b({'|'.join(DE_DAYS)}), (\d{{1,2}})\. ({'|'.join(DE_MONTHS)})\b")


def _ooo_texts(now: dt.datetime) -> list[tuple[str, dt.datetime]]:
    ws = get("default")(DatasetParams(conversations=300, seed=3, now=now.timestamp()))
    out = []
    for conv in ws.conversations():
        raw = ws.get_conversation_dict(conv.id)
        for message in raw["messages"]:
            text = message.get("text_body") or ""
            if message["direction"] == "incoming" and ("nicht im Büro" in text or "out of the office until" in text
                                                       or "will be back on" in text):
                sent = dt.datetime.strptime(message["email_date"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
                out.append((text, sent))
    return out


def _check(match: re.Match[str], days: tuple[str, ...], months: tuple[str, ...], sent: dt.datetime) -> dt.date:
    weekday, day, month = match.group(1), int(match.group(2)), months.index(match.group(3)) + 1
    year = sent.year + (1 if month < sent.month else 0)
    when = dt.date(year, month, day)
    assert days[when.weekday()] == weekday, f"{match.group(0)!r} is a {EN_DAYS[when.weekday()]}"
    assert when.weekday() < 5, f"{match.group(0)!r}: nobody comes back to work on a weekend"
    return when


@pytest.mark.parametrize("weekday", range(7))
def test_demo_ooo_dates_are_in_the_texts_language_with_the_right_weekday(weekday: int) -> None:
    now = dt.datetime(2026, 5, 25 + weekday, 15, 30, tzinfo=dt.UTC)  # Monday 25 May .. Sunday 31 May
    texts = _ooo_texts(now)
    german = [(t, s) for t, s in texts if "nicht im Büro" in t]
    assert german and len(texts) > len(german)
    for text, sent in texts:
        german_part = text.split("\n\n")[0] if "nicht im Büro" in text else ""
        if german_part:
            english_only = [w for w in EN_DAYS + EN_MONTHS if w not in DE_MONTHS]
            assert not any(w in german_part for w in english_only), german_part
            (match,) = DE_DATE.finditer(german_part)
            when = _check(match, DE_DAYS, DE_MONTHS, sent)
        else:
            (match,) = EN_DATE.finditer(text)
            when = _check(match, EN_DAYS, EN_MONTHS, sent)
        back = return_date(text, sent, dt.UTC)
        assert back is not None and when <= back <= when + dt.timedelta(days=3), (text, back)
