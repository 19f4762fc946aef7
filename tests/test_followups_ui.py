"""Follow-ups, driven like a user would, against the real local server: snooze (h) and wake-up,
restarts, a new reply waking a snooze, remind-if-no-reply, return dates, the waiting queue (w)
and new-reply alerts. Time is the app's injected clock, moved on with ``TickingClock.advance``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from collections.abc import Callable

import pytest
from helpers import keep_notifications, make_app, make_settings, notifications, screen_text, settle, widget_text

from unibox_tui.api.models import Conversation
from unibox_tui.clock import TickingClock
from unibox_tui.domain.waiting import no_answer_reason
from unibox_tui.config import data_dir
from unibox_tui.ui.app import UniboxApp
from unibox_tui.ui.screens.help import binding_sections
from unibox_tui.ui.screens.inbox import InboxScreen
from unibox_tui.ui.screens.snooze_picker import SnoozePicker
from unibox_tui.ui.screens.snoozed import SnoozedScreen
from unibox_tui.ui.screens.waiting import WaitingScreen
from unibox_tui.ui.widgets.composer import Composer
from unibox_tui.ui.widgets.conversation_list import ConversationList
from unibox_tui.ui.widgets.folder_bar import FolderBar
from unibox_tui.ui.widgets.list_status import ListStatus
from unibox_tui.ui.widgets.thread_header import ThreadHeader

HOUR = 3600.0
DAY = 24 * HOUR


@pytest.fixture(autouse=True)
def utc_viewer(monkeypatch: pytest.MonkeyPatch) -> None:
    """The viewer's zone is UTC, so "tomorrow 9:00" is the same instant on every machine."""
    monkeypatch.setenv("TZ", "UTC")


def listed_ids(app) -> list[str]:
    return [row.id for row in app.screen.query_one(ConversationList).rows]


def list_text(app) -> str:
    return widget_text(app.screen.query_one(ConversationList))


def folder_text(app) -> str:
    return str(app.screen.query_one(FolderBar).render())


def status_text(app) -> str:
    return str(app.screen.query_one(ListStatus).render())


async def until(pilot, condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Wait for what the user would wait for (polls run on their own schedule)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the screen never got there")
        await pilot.pause(0.05)


def server_now(server) -> dt.datetime:
    return dt.datetime.fromtimestamp(server.state.now, dt.UTC)


def app_at(server, clock: TickingClock, **settings) -> UniboxApp:
    return keep_notifications(UniboxApp(make_settings(server, **settings), clock=clock))


async def test_a_snooze_hides_the_conversation_wakes_at_its_time_and_survives_a_restart(demo_server):
    primary = demo_server.state.conversation_ids(folder="primary")
    clock = TickingClock(demo_server.state.now)  # Thu 28 May 2026, 15:30 UTC
    app = app_at(demo_server, clock, page_size=10)
    async with app.run_test(size=(150, 40)) as pilot:
        await settle(pilot)
        await pilot.press("down", "h")
        await settle(pilot)
        assert isinstance(app.screen, SnoozePicker)
        picker = screen_text(app)
        for line in ("in 1 hour", "16:30", "tomorrow 9:00", "next Monday 9:00", "Mon 1 Jun 9:00", "a time you type"):
            assert line in picker
        assert "when the lead is back" not in picker  # no return date known for this one
        assert "Fri 29 May 9:00" in picker and picker.count("tomorrow 9:00") == 1  # the time, not the label again
        await pilot.press("escape")  # cancelled: nothing happens
        await settle(pilot)
        assert primary[1] in listed_ids(app) and "Snoozed 1" not in folder_text(app)
        await pilot.press("h", "1")
        await settle(pilot)
        # Gone from the list, the cursor on the next one, counted in the folder bar.
        assert primary[1] not in listed_ids(app)
        assert app.screen.query_one(ConversationList).current_row.id == primary[2]
        assert "Snoozed 1" in folder_text(app)
        assert any("until 16:30" in n.message for n in notifications(app))

        clock.advance(HOUR + 60)
        await pilot.press("ctrl+r")  # a refresh looks at the clock too (and the timer does, within a minute)
        await settle(pilot)
        assert listed_ids(app)[0] == primary[1]  # back at the top of its folder, marked
        assert "↩ back · snooze ended" in list_text(app)
        assert "Snoozed 1" not in folder_text(app)

        assert app.screen.query_one(ConversationList).current_row.id == primary[2]  # still where the user was
        await pilot.press("down", "h", "2")  # primary[3] until tomorrow 9:00
        await settle(pilot)
        assert primary[3] not in listed_ids(app)
        await pilot.press("right_square_bracket")
        await settle(pilot)
        await pilot.press("h", "3")  # primary[10], on page 2, until next Monday 9:00
        await settle(pilot)
        assert "Snoozed 2" in folder_text(app)
    journal = next((data_dir() / "test").glob("journal-*.jsonl")).read_text().splitlines()
    assert [json.loads(line)["kind"] for line in journal] == ["snoozed"] * 3

    # Next start, on Tuesday: the snoozes whose time passed while the app was closed are back atop
    # page 1 (primary[10] fetched for it), and the first one still carries its mark (never opened).
    later = TickingClock(server_now(demo_server) + dt.timedelta(days=5))
    app = app_at(demo_server, later, page_size=10)
    async with app.run_test(size=(150, 40)) as pilot:
        await settle(pilot)
        assert listed_ids(app)[:3] == [primary[10], primary[3], primary[1]]  # the most recently woken first
        assert list_text(app).count("↩ back · snooze ended") == 3
        assert "Snoozed" in folder_text(app) and "Snoozed 1" not in folder_text(app)
        assert any(n.title == "Follow-ups" and "Back:" in n.message for n in notifications(app))
        listing = app.screen.query_one(ConversationList)
        opened = listing.current_row.id
        await pilot.press("enter")  # opened: no longer "back"
        await settle(pilot)
        assert listing.rows[listing.index_of(opened)].woken == ""
        assert list_text(app).count("↩ back · snooze ended") == 2


async def test_a_new_reply_wakes_a_snoozed_conversation_and_one_alert_rings_per_poll(demo_server, tmp_path, monkeypatch):
    calls = tmp_path / "notify-send-calls"
    tools = tmp_path / "bin"
    tools.mkdir()
    spy = tools / "notify-send"
    spy.write_text(f'#!/bin/sh\nfor a in "$@"; do printf "%s\\n" "$a" >> "{calls}"; done\necho --- >> "{calls}"\n')
    spy.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tools}{os.pathsep}{os.environ.get('PATH', '')}")
    primary = demo_server.state.conversation_ids(folder="primary")
    polls = lambda: sum(1 for r in demo_server.requests if r.path.endswith("/conversations") and r.query.get("page") == "1")  # noqa: E731

    app = make_app(demo_server, page_size=10, poll_interval=0.3)
    rings: list[int] = []
    app.bell = lambda: rings.append(1)  # type: ignore[method-assign]
    async with app.run_test(size=(150, 40)) as pilot:
        await settle(pilot)
        await pilot.press("down", "down", "down", "h", "3")  # primary[3] until next Monday
        await settle(pilot)
        assert primary[3] not in listed_ids(app)
        seen = polls()
        await until(pilot, lambda: polls() >= seen + 2)
        assert rings == [] and not calls.exists()  # nothing new: no bell (and never for the first load)

        with demo_server.state.lock:  # two replies, found by one poll
            demo_server.state.add_incoming_message(primary[3], text="Any news on this? We are deciding this week.")
            demo_server.state.add_incoming_message(primary[4], text="Yes, let's talk on Tuesday.")
        await until(pilot, lambda: primary[3] in listed_ids(app) and "back · new reply" in list_text(app))
        assert listed_ids(app)[0] == primary[3]  # woken at once, atop its folder, marked
        seen = polls()
        await until(pilot, lambda: polls() >= seen + 2)
        assert rings == [1]
        notices = calls.read_text().split("---\n")[:-1]
        assert len(notices) == 1  # one desktop notification for the poll: a summary
        leads = [app.screen.model.conversation(cid).lead_name for cid in (primary[3], primary[4])]
        assert "2 new replies" in notices[0] and all(lead in notices[0] for lead in leads)


async def test_remind_if_no_reply_is_set_with_ctrl_w_recorded_once_sent_and_brings_it_back(demo_server):
    primary = demo_server.state.conversation_ids(folder="primary")
    clock = TickingClock(demo_server.state.now)
    app = app_at(demo_server, clock, page_size=10, send_delay=0, remind_after="4d")
    async with app.run_test(size=(150, 40)) as pilot:
        await settle(pilot)
        await pilot.press("down", "down", "r")
        await settle(pilot)
        composer = app.screen.query_one(Composer)
        status = lambda: str(composer.query_one("#composer-status").render())  # noqa: E731
        assert "remind if no reply: 4 days" in status()  # the remind_after setting
        await pilot.press("ctrl+w")
        assert "1 week" in status()
        await pilot.press("ctrl+w")
        assert "no reminder" in status()
        await pilot.press("ctrl+w")
        assert "remind if no reply: 2 days" in status()
        composer.text_area.insert("Happy to send the pricing sheet. Does Tuesday work?")
        demo_server.faults.fail_next(1, status=422, method="POST", path=r"/reply$")
        await pilot.press("ctrl+s")  # refused: nothing was sent, so nothing is to be reminded of
        await settle(pilot)
        assert composer.is_open and "remind if no reply: 2 days" in status()
        clock.advance(2 * DAY + 60)
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert "no reply since" not in list_text(app)

        composer.text_area.focus()
        await pilot.press("ctrl+s")  # confirmed this time: the reminder is recorded now
        await settle(pilot)
        assert [r.json for r in demo_server.requests if r.method == "POST"][-1] is not None
        clock.advance(2 * DAY + 60)
        await pilot.press("escape", "ctrl+r")
        await settle(pilot)
        assert listed_ids(app)[0] == primary[2]
        sent_day = server_now(demo_server).strftime("%-d %b")
        assert f"↩ back · no reply since {sent_day}" in list_text(app)


async def test_return_dates_show_in_rows_and_header_and_marked_conversations_snooze_together(demo_server):
    primary = demo_server.state.conversation_ids(folder="primary")
    app = make_app(demo_server, page_size=10)
    async with app.run_test(size=(150, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        # The demo's return dates fall on working days now ("Monday 1 June", "bis zum Montag, 1. Juni":
        # back the day after), no longer "Monday 31 May", a Sunday.
        await until(pilot, lambda: "back 1 Jun" in list_text(app))  # read off the event loop
        rows = {row.id: row for row in screen.query_one(ConversationList).rows}
        assert rows[primary[5]].away == "back 1 Jun" and rows[primary[6]].away == "back 2 Jun"
        assert not rows[primary[0]].away  # not out of office
        screen.query_one(ConversationList).cursor = 5
        await settle(pilot)
        assert "back 1 Jun" in str(screen.query_one(ThreadHeader).render())
        await pilot.press("h")
        await settle(pilot)
        picker = screen_text(app)
        assert "when the lead is back (back 1 Jun)" in picker and "Mon 1 Jun 9:00" in picker
        await pilot.press("4")  # Monday 1 June, at the morning hour
        await settle(pilot)
        assert primary[5] not in listed_ids(app)
        assert any("until Mon 1 Jun 9:00" in n.message for n in notifications(app))

        screen.model.mark(primary[0], primary[2])  # marks (the keys come with bulk actions)
        await pilot.press("h")
        await settle(pilot)
        assert "2 marked conversations" in screen_text(app)
        await pilot.press("2")
        await settle(pilot)
        assert primary[0] not in listed_ids(app) and primary[2] not in listed_ids(app)
        assert screen.model.marked() == () and "Snoozed 3" in folder_text(app)

        screen.query_one(FolderBar).post_message(FolderBar.Selected(screen.query_one(FolderBar), "snoozed"))
        await settle(pilot)
        assert isinstance(app.screen, SnoozedScreen)
        table = app.screen.table
        assert [row.key for row in table.rows] == [primary[0], primary[2], primary[5]]  # next to wake first
        assert [row.cells[0].text for row in table.rows] == ["tomorrow 9:00", "tomorrow 9:00", "Mon 1 Jun 9:00"]
        await pilot.press("down", "H")  # primary[2] wakes now
        await settle(pilot)
        assert [row.key for row in table.rows] == [primary[0], primary[5]]
        await pilot.press("up", "h", "c", *"tue 14:00", "enter")  # a new time for primary[0]
        await settle(pilot)
        assert [row.key for row in table.rows] == [primary[5], primary[0]]
        assert [row.cells[0].text for row in table.rows] == ["Mon 1 Jun 9:00", "Tue 2 Jun 14:00"]
        await pilot.press("down", "enter")  # open primary[0]: read in the inbox, still snoozed
        await settle(pilot)
        assert isinstance(app.screen, InboxScreen) and app.screen.open_id == primary[0]
        assert "snoozed until Tue 2 Jun 14:00" in str(app.screen.query_one(ThreadHeader).render())
        assert listed_ids(app)[0] == primary[2] and "Snoozed 2" in folder_text(app)
        titles = {command.title for command in app.get_system_commands(app.screen)}
        assert {"Snooze…", "Snoozed", "Waiting queue"} <= titles


async def test_a_woken_out_of_office_row_says_back_once_about_the_lead(demo_server):
    """Woken early while the lead is still away: "↩ snooze ended" and "back 1 Jun", never two "back"s."""
    primary = demo_server.state.conversation_ids(folder="primary")
    app = make_app(demo_server, page_size=10)
    async with app.run_test(size=(150, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        await until(pilot, lambda: "back 1 Jun" in list_text(app))
        screen.query_one(ConversationList).cursor = 5
        await settle(pilot)
        await pilot.press("h", "1")
        await settle(pilot)
        assert primary[5] not in listed_ids(app)
        await pilot.press("Z")
        await settle(pilot)
        assert isinstance(app.screen, SnoozedScreen)
        await pilot.press("H", "escape")  # woken now, a week before the lead is back
        await until(pilot, lambda: primary[5] in listed_ids(app))
        rows = {row.id: row for row in screen.query_one(ConversationList).rows}
        assert (rows[primary[5]].woken, rows[primary[5]].away) == ("snooze ended", "back 1 Jun")
        assert "↩ snooze ended" in list_text(app) and "back · snooze ended" not in list_text(app)
        screen.query_one(ConversationList).cursor = listed_ids(app).index(primary[5])
        await until(pilot, lambda: screen.open_id == primary[5])
        header = str(screen.query_one(ThreadHeader).render())
        assert "snooze ended · back 1 Jun" in header and "back · snooze ended" not in header


def test_the_help_screen_lists_the_follow_up_keys():
    sections = dict(binding_sections())
    assert ("h", "Snooze…") in sections["Inbox"] and ("w", "Waiting queue") in sections["Inbox"]
    assert ("ctrl+w", "Remind if no reply") in sections["Reply composer"]
    snoozed = dict(sections["Snoozed (the folder bar's Snoozed N)"])
    assert snoozed["h"] == "Change wake-up time" and snoozed["H"] == "Wake now"
    assert "4" in dict(sections["Snooze picker (h)"]) and "enter" in dict(sections["Waiting queue (w)"])


async def test_the_waiting_queue_lists_unanswered_replies_oldest_first(demo_server):
    folder = data_dir() / "test"
    folder.mkdir(parents=True)
    (folder / "followups.json").write_text('{"version": 1, "servers": {')  # damaged: set aside, said
    state = demo_server.state
    now = server_now(demo_server)
    expected, apart = [], []
    for conversation_id in state.conversation_ids(folder="primary"):
        raw = state.get_conversation_dict(conversation_id)
        messages = raw["messages"]
        if messages[-1]["direction"] != "incoming":
            continue
        parsed = Conversation.from_api(raw)
        if no_answer_reason(parsed, parsed.effective_label):  # unsubscribes, auto-replies, bounces: set apart
            apart.append(conversation_id)
            continue
        first = len(messages) - 1
        while first > 0 and messages[first - 1]["direction"] == "incoming":
            first -= 1
        since = dt.datetime.fromisoformat(messages[first]["email_date"].replace("Z", "+00:00"))
        expected.append((since, conversation_id))
    expected.sort()

    app = make_app(demo_server, page_size=10)
    async with app.run_test(size=(150, 40)) as pilot:
        await settle(pilot)
        warnings = [n.message for n in notifications(app) if n.title == "Follow-ups"]
        assert warnings and "damaged" in warnings[0]
        assert list(folder.glob("followups.json.corrupt-*"))
        before = len(demo_server.requests)
        await pilot.press("w")
        await settle(pilot)
        assert isinstance(app.screen, WaitingScreen)
        table = app.screen.table
        assert [row.key for row in table.rows] == [cid for _, cid in expected]
        # The scan's list requests (a thread read finishing late under load is not the scan's).
        scans = [r.query for r in demo_server.requests[before:] if r.path.endswith("/unibox/conversations")]
        assert scans == [{"page": "1", "page_size": "100", "folder": "primary"}]  # the whole folder fits one
        first = table.rows[0].data
        waited = now - expected[0][0]  # over a year in the demo: "1y 53d" (test_waiting.py pins the format)
        assert first.wait_text == f"{waited.days // 365}y {waited.days % 365}d" and waited.days >= 365
        urgent = [row.key for row in table.rows if row.data.urgent]
        assert urgent and all(row.cells[0].tone == "bad" for row in table.rows if row.data.urgent)
        text = screen_text(app)
        assert f"{len(expected)} waiting in Primary" in text and f"{len(urgent)} hot waiting over 1h" in text
        assert apart and f"{len(apart)} need no answer: " in text
        await pilot.press("n")  # the set-apart ones, listed under the others
        await settle(pilot)
        assert [row.key for row in table.rows][len(expected):] and len(table.rows) == len(expected) + len(apart)
        assert {row.key for row in table.rows[len(expected):]} == set(apart)
        await pilot.press("n")
        await settle(pilot)
        assert len(table.rows) == len(expected)
        await pilot.press("down", "down", "enter")
        await settle(pilot)
        target = expected[2][1]
        assert isinstance(app.screen, InboxScreen)
        assert app.screen.open_id == target
        assert app.screen.query_one(ConversationList).current_row.id == target
        assert f"{len(urgent)} hot waiting" in status_text(app)


async def test_the_snoozed_view_and_the_waiting_queue_say_everything_at_80_columns(demo_server):
    """At 80x24 the lines under and above the tables were cut ("· H" and "(listed"): what only
    they say (enter opens a snoozed one; the key listing the replies set apart) must show whole."""
    app = make_app(demo_server, page_size=10)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("h", "1")
        await settle(pilot)
        await pilot.press("Z")
        await settle(pilot)
        assert isinstance(app.screen, SnoozedScreen)
        assert "1 snoozed conversation, next to wake first · enter opens it (still snoozed)" in screen_text(app)
        await pilot.press("escape", "w")
        await settle(pilot)
        assert isinstance(app.screen, WaitingScreen)
        apart = str(app.screen.query_one("#waiting-apart").render())
        assert apart.endswith("(n lists)") and apart in screen_text(app)
