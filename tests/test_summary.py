"""The day summary: a local journal of what the SDR did, counted per local day and week."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from unibox_tui.api.models import Conversation
from unibox_tui.clock import Clock
from unibox_tui.domain.summary import (
    duration_text,
    export_name,
    periods,
    reply_entry,
    summarize,
    to_csv,
    to_markdown,
)
from unibox_tui.store import journal as journal_module
from unibox_tui.store.downloads import FolderError
from unibox_tui.store.exports import save_export
from unibox_tui.store.journal import Journal, Labelled, Replied, Snoozed, Unlabelled

PARIS = ZoneInfo("Europe/Paris")  # UTC+2 in June
LOS_ANGELES = ZoneInfo("America/Los_Angeles")  # UTC-7 in June


class FixedClock(Clock):
    """A clock that stands still where a test puts it (never today's date)."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def time(self) -> float:
        return self.moment.timestamp()


def paris(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in Paris, 2026-05-``day`` (31 is a Sunday; June days as 32, 33...)."""
    return datetime(2026, 5, 1, hour, minute, tzinfo=PARIS) + timedelta(days=day - 1)


def at(moment: datetime) -> float:
    return moment.timestamp()


def incoming(conversation_id: str, arrived: datetime, label: str | None = None) -> Conversation:
    return Conversation.from_api(
        {
            "id": conversation_id,
            "label": label,
            "messages": [
                {"direction": "outgoing", "email_date": (arrived - timedelta(days=2)).isoformat()},
                {"direction": "incoming", "email_date": arrived.isoformat()},
            ],
        }
    )


#: A scripted session around the Sunday -> Monday midnight in Paris (also a week boundary).
SESSION = [
    Labelled("c1", "interested", at(paris(31, 22, 0))),  # Sunday evening
    Labelled("c9", "not_now", at(paris(27, 10, 0))),  # Wednesday: this week until Sunday night
    Replied("c1", at(paris(31, 22, 30)), at(paris(31, 21, 0)), "interested"),  # 1h30 after
    Labelled("c2", "not_now", at(paris(32, 0, 10))),  # Monday, 10 past midnight
    Labelled("c3", "interested", at(paris(32, 0, 12))),
    Labelled("c3", "meeting_requested", at(paris(32, 0, 13))),  # relabelled: counts once, last label
    Labelled("c4", "question", at(paris(32, 0, 14))),
    Unlabelled("c4", at(paris(32, 0, 15))),  # undone: not counted
    Labelled("c5", "interested", at(paris(32, 0, 16))),
    Labelled("c5", None, at(paris(32, 0, 17))),  # cleared back to the AI's: not counted
    Replied("c3", at(paris(32, 0, 20)), at(paris(31, 23, 50)), "meeting_requested"),  # 30 min
    Replied("c6", at(paris(32, 0, 25)), at(paris(32, 0, 15)), "question"),  # 10 min
    Replied("c7", at(paris(32, 0, 26)), at(paris(30, 0, 26)), "not_now"),  # not hot: no time counted
    Snoozed(("c8",), at(paris(33, 9, 0)), at(paris(32, 0, 27))),
]


def test_today_and_this_week_split_at_local_midnight_and_monday_in_paris():
    clock = FixedClock(paris(32, 0, 30))  # Monday 00:30 in Paris, Sunday 22:30 UTC
    summary = summarize(SESSION, [], now=clock.now(), zone=PARIS, snoozed=1)
    assert summary.today.period.start == paris(32, 0) and summary.week.period.start == paris(32, 0)
    assert summary.today.labelled == (("meeting_requested", 1), ("not_now", 1))
    assert summary.week.labelled == summary.today.labelled  # Sunday's labels were last week
    assert summary.today.replies_sent == 3
    assert summary.today.hot_answered == 2
    assert summary.today.median_answer == 20 * 60  # 30 and 10 minutes
    assert summary.today.worst_answer == 30 * 60
    assert summary.snoozed == 1


def test_one_minute_before_midnight_sunday_still_belongs_to_last_week():
    summary = summarize(SESSION, [], now=paris(31, 23, 59), zone=PARIS)
    assert summary.today.labelled == (("interested", 1),)
    assert summary.week.labelled == (("interested", 1), ("not_now", 1))  # c9 on Wednesday
    assert summary.week.period.start == paris(25, 0)  # Monday 25 May
    assert (summary.today.replies_sent, summary.week.replies_sent) == (1, 1)
    assert summary.today.worst_answer == 90 * 60


def test_the_same_session_seen_from_los_angeles_is_all_sunday():
    now = paris(32, 0, 30).astimezone(LOS_ANGELES)  # Sunday 15:30 in Los Angeles
    summary = summarize(SESSION, [], now=now, zone=LOS_ANGELES)
    assert summary.now.tzinfo is LOS_ANGELES and summary.now.hour == 15
    assert summary.today.period.start == datetime(2026, 5, 31, tzinfo=LOS_ANGELES)
    assert summary.week.period.start == datetime(2026, 5, 25, tzinfo=LOS_ANGELES)
    assert dict(summary.today.labelled) == {"interested": 1, "not_now": 1, "meeting_requested": 1}
    assert dict(summary.week.labelled) == {"interested": 1, "not_now": 2, "meeting_requested": 1}
    assert summary.today.replies_sent == 4
    assert summary.today.median_answer == 30 * 60  # 90, 30 and 10 minutes
    assert summary.today.worst_answer == 90 * 60


def test_periods_follow_daylight_saving_time():
    today, week = periods(datetime(2026, 3, 29, 12, tzinfo=UTC), PARIS)  # the spring-forward Sunday
    assert today.end.timestamp() - today.start.timestamp() == 23 * 3600
    assert week.start == datetime(2026, 3, 23, tzinfo=PARIS)
    assert week.end == datetime(2026, 3, 30, tzinfo=PARIS)


def test_still_waiting_counts_unanswered_incoming_replies_and_the_longest_hot_wait():
    now = paris(32, 12, 0)
    conversations = [
        incoming("w1", now - timedelta(hours=3, minutes=12), "interested"),
        incoming("w2", now - timedelta(minutes=20), "question"),
        incoming("w3", now - timedelta(days=2), "not_interested"),
        Conversation.from_api({"id": "answered", "messages": [{"direction": "incoming"}, {"direction": "outgoing"}]}),
    ]
    summary = summarize([], conversations, now=now, zone=PARIS)
    # "Not interested" waits for no answer: the summary agrees with the waiting queue (it said 3).
    assert (summary.waiting, summary.hot_waiting) == (2, 2)
    assert duration_text(summary.longest_hot_wait) == "3h 12m"


def test_the_longest_hot_wait_counts_from_the_first_unanswered_message():
    """A lead who wrote twice since our last message has waited since the first (as in ``w``)."""
    now = paris(32, 12, 0)
    first, second = now - timedelta(hours=5), now - timedelta(minutes=10)
    twice = Conversation.from_api(
        {
            "id": "twice",
            "label": "interested",
            "messages": [
                {"direction": "outgoing", "email_date": (first - timedelta(days=1)).isoformat()},
                {"direction": "incoming", "email_date": first.isoformat()},
                {"direction": "incoming", "email_date": second.isoformat()},
            ],
        }
    )
    summary = summarize([], [twice], now=now, zone=PARIS)
    assert duration_text(summary.longest_hot_wait) == "5h 0m"


def test_reply_entry_records_what_the_reply_answered():
    arrived = paris(31, 21, 0)
    conversation = incoming("c1", arrived, "interested")
    assert reply_entry(conversation, at(paris(31, 22))) == Replied("c1", at(paris(31, 22)), at(arrived), "interested")
    assert reply_entry(Conversation(id="x"), 5.0) == Replied("x", 5.0, None, None)


def test_exports_as_csv_and_markdown():
    summary = summarize(SESSION, [incoming("w", paris(32, 0, 0), "interested")], now=paris(32, 0, 30), zone=PARIS, snoozed=1)
    rows = list(csv.reader(io.StringIO(to_csv(summary))))
    assert rows == [
        ["figure", "today (2026-06-01)", "week from 2026-06-01"],
        ["Labelled Meeting", "1", "1"],
        ["Labelled Not now", "1", "1"],
        ["Labelled (all)", "2", "2"],
        ["Replies sent", "3", "3"],
        ["Hot replies answered", "2", "2"],
        ["Median time to answer a hot reply", "20m", "20m"],
        ["Worst time to answer a hot reply", "30m", "30m"],
        ["Still waiting for an answer", "1", ""],
        ["Hot replies waiting", "1", ""],
        ["Longest hot reply waiting", "30m", ""],
        ["Snoozed", "1", ""],
    ]
    markdown = to_markdown(summary)
    assert markdown.startswith("# Day summary, Monday 1 June 2026\n\nAt 00:30 (CEST); the week started on Monday 2026-06-01.\n")
    assert "| Labelled Meeting | 1 | 1 |" in markdown and "| Snoozed | 1 |" in markdown
    assert export_name(summary, "csv") == "unibox-summary-2026-06-01.csv"


@pytest.mark.parametrize("seconds, text", [(None, "–"), (45, "45s"), (600, "10m"), (3 * 3600 + 720, "3h 12m"), (2 * 86400 + 4 * 3600, "2d 4h")])
def test_durations_read_like_the_waiting_queue(seconds, text):
    assert duration_text(seconds) == text


# --- the journal on disk -------------------------------------------------------------------------------------


def test_the_journal_round_trips_per_profile_and_server(isolated_env):
    journal = Journal.for_workspace("acme", "https://reachkit.ai")
    for entry in SESSION:
        journal.append(entry)
    assert journal.read().entries == tuple(SESSION)
    assert journal.read().problem == ""
    assert stat.S_IMODE(journal.path.stat().st_mode) == 0o600
    assert Journal.for_workspace("acme", "https://reachkit.ai/").path == journal.path
    assert Journal.for_workspace("acme", "http://127.0.0.1:8765").read().entries == ()
    assert Journal.for_workspace("other", "https://reachkit.ai").read().entries == ()


def test_damaged_lines_are_skipped_and_reported_and_a_torn_line_does_not_eat_the_next(isolated_env):
    journal = Journal.for_workspace("acme", "https://reachkit.ai")
    journal.append(SESSION[0])
    with open(journal.path, "ab") as handle:
        handle.write(b"not json\n")
        handle.write(json.dumps({"kind": "labelled", "id": "c1", "label": "[@click=app.quit]", "at": 1.0}).encode() + b"\n")
        handle.write(b'{"kind": "replied", "id": "c2", "at": 17')  # a crash mid-write: no newline
    journal.append(SESSION[1])
    read = journal.read()
    assert read.entries == (SESSION[0], SESSION[1])
    assert read.damaged_lines == (2, 3, 4)
    assert read.problem == "3 damaged journal lines were skipped (line 2, 3, 4); the summary counts the rest."


def test_a_large_journal_is_rotated_and_both_parts_are_read(isolated_env, monkeypatch):
    sizing = Journal.for_workspace("sizing", "https://reachkit.ai")
    for entry in SESSION:
        sizing.append(entry)
    monkeypatch.setattr(journal_module, "MAX_BYTES", int(sizing.path.stat().st_size * 0.6))  # one rotation
    journal = Journal.for_workspace("acme", "https://reachkit.ai")
    for entry in SESSION:
        journal.append(entry)
    assert journal.rotated.exists() and journal.path.stat().st_size < journal.rotated.stat().st_size
    assert journal.read().entries == tuple(SESSION)


def test_two_writers_interleave_whole_lines(isolated_env):
    first = Journal.for_workspace("acme", "https://reachkit.ai")
    second = Journal.for_workspace("acme", "https://reachkit.ai")
    for index in range(200):
        (first if index % 2 else second).append(Labelled(f"c{index}", "interested", float(index)))
    assert [entry.conversation_id for entry in first.read().entries] == [f"c{i}" for i in range(200)]


# --- the export file -----------------------------------------------------------------------------------------


def test_exports_never_overwrite_and_never_follow_a_planted_link(tmp_path):
    folder = tmp_path / "downloads"
    canary = tmp_path / "canary" / "important.txt"
    canary.parent.mkdir()
    canary.write_text("keep me")
    first = save_export(folder, "unibox-summary-2026-06-01.csv", "a,b\n")
    second = save_export(folder, "unibox-summary-2026-06-01.csv", "c,d\n")
    (folder / "unibox-summary-2026-06-01 (2).csv").symlink_to(canary)
    third = save_export(folder, "unibox-summary-2026-06-01.csv", "e,f\n")
    assert [p.name for p in (first, second, third)] == [
        "unibox-summary-2026-06-01.csv", "unibox-summary-2026-06-01 (1).csv", "unibox-summary-2026-06-01 (3).csv",
    ]
    assert first.read_text() == "a,b\n" and third.read_text() == "e,f\n"
    assert canary.read_text() == "keep me"


def test_an_unusable_export_folder_is_a_sentence(tmp_path):
    blocker = tmp_path / "here" / "file"
    blocker.parent.mkdir()
    blocker.write_text("x")
    with pytest.raises(FolderError, match="exists but is not a folder"):
        save_export(blocker, "x.csv", "")
    assert os.listdir(blocker.parent) == ["file"]


def test_export_name_is_made_safe():
    summary = summarize([], [], now=paris(32, 9), zone=PARIS)
    assert export_name(summary, "md") == "unibox-summary-2026-06-01.md"
    assert Path(export_name(summary, "../../x")).name == export_name(summary, "../../x")
