"""The app's clock is injected, and the suite can run with the wall clock shifted (--clock-shift)."""

from __future__ import annotations

import datetime as dt
import os
import time

from helpers import make_app, settle, widget_text

from unibox_tui.clock import FixedClock, SystemClock, TickingClock
from unibox_tui.ui.widgets.conversation_list import ConversationList


def test_a_ticking_clock_starts_at_its_anchor_runs_and_can_jump():
    anchor = dt.datetime(2026, 5, 28, 15, 30, tzinfo=dt.UTC)
    clock = TickingClock(anchor)
    assert 0 <= clock.time() - anchor.timestamp() < 1
    assert clock.now().tzinfo is not None
    clock.advance(3600)
    assert 3600 <= (clock.now() - anchor).total_seconds() < 3601
    assert abs(SystemClock().time() - time.time()) < 1


def test_a_fixed_clock_stands_still_until_advanced():
    anchor = dt.datetime(2026, 5, 28, 15, 30, tzinfo=dt.UTC)
    clock = FixedClock(anchor)
    first = clock.time()
    time.sleep(0.01)
    assert clock.time() == first == anchor.timestamp() and clock.now() == anchor
    clock.advance(60)
    assert clock.now() == anchor + dt.timedelta(minutes=1)


def test_the_shift_asked_for_is_in_effect(pytestconfig, tmp_path):
    """The file system's clock is the machine's real one: with a shift, Python's differs by it."""
    days = pytestconfig.getoption("--clock-shift")
    probe = tmp_path / "probe"
    probe.write_text("x")
    real = os.stat(probe).st_mtime
    assert abs((time.time() - real) - days * 86400) < 120


async def test_the_list_shows_dates_as_of_the_apps_clock_not_the_machines(make_demo_server):
    """Demo data 'from this morning' reads as today's times whatever day the machine thinks it is."""
    server = make_demo_server()
    app = make_app(server)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        text = widget_text(app.screen.query_one(ConversationList))
    today = app.clock.now().astimezone()
    assert str(today.year) not in text  # no row of a few days ago is shown with a full date
    assert any(f"{hour:02d}:" in text for hour in range(24))  # today's rows show a time
