"""A server that stores a reply after the client gave up: the reply still goes out exactly once."""

from __future__ import annotations

import time

from helpers import clock_for, keep_notifications, make_settings, notifications, settle

from unibox_tui.api import ReachkitClient
from unibox_tui.api.client import RetryPolicy
from unibox_tui.store.drafts import DELIVERY_UNKNOWN
from unibox_tui.ui.app import UniboxApp
from unibox_tui.ui.widgets.composer import Composer
from unibox_tui.ui.widgets.conversation_list import ConversationList

REPLY = r"/reply$"
#: Longer than the client's timeout below: the POST times out, the reply lands a moment later.
COMMIT_DELAY = 1.5
TIMEOUT = 0.6


def app_with_short_timeouts(server) -> tuple[UniboxApp, ReachkitClient]:
    client = ReachkitClient(
        server.key, server.base_url, timeout=TIMEOUT, retry=RetryPolicy(attempts=2, base_delay=0.05, max_delay=0.1)
    )
    app = UniboxApp(make_settings(server), client=client, clock=clock_for(server))
    return keep_notifications(app), client


async def wait_until(pilot, predicate, timeout: float = 10.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not met in time")
        await pilot.pause(0.05)


async def press_ctrl_s_whenever_allowed(pilot, composer: Composer, seconds: float) -> int:
    """The impatient user: ``ctrl+s`` each time the composer lets them write, for ``seconds``."""
    presses = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and composer.is_open:
        if pilot.app.screen is not composer.screen:
            await pilot.press("escape")  # a question popped up: they keep waiting, never "send anyway"
        elif composer.mode in ("editing", "unknown"):
            presses += 1
            await pilot.press("ctrl+s")
        await pilot.pause(0.1)
    return presses


async def test_a_reply_committed_after_the_timeout_is_sent_once_however_often_ctrl_s_is_pressed(demo_server):
    demo_server.faults.reply_commit_delay = COMMIT_DELAY
    app, client = app_with_short_timeouts(demo_server)
    try:
        async with app.run_test(size=(140, 44), notifications=True) as pilot:
            await settle(pilot)
            app.screen.query_one(ConversationList).cursor = 1
            await pilot.press("r")
            await settle(pilot)
            composer = app.screen.query_one(Composer)
            cid = composer.conversation_id
            composer.text_area.insert("Thursday at 10 works for me.")
            await pilot.pause()
            await pilot.press("ctrl+s")
            # The POST times out; the first look finds nothing (the server has not stored it yet).
            await wait_until(pilot, lambda: composer.mode == "unknown", what="delivery unknown")
            assert app.drafts.load(cid).state == DELIVERY_UNKNOWN
            await press_ctrl_s_whenever_allowed(pilot, composer, COMMIT_DELAY + 1.0)
            assert demo_server.state.replies(cid), "the late commit has landed by now"
            # A later check finds it, with or without the composer open: sent, the user told.
            await wait_until(pilot, lambda: not composer.is_open, timeout=20, what="the recheck to find the reply")
            await settle(pilot)
            assert app.drafts.load(cid) is None
            assert any(n.title == "Sent" and "was sent" in n.message for n in notifications(app))
            await pilot.pause(COMMIT_DELAY + 0.5)  # a second POST, had one left, would have landed by now
        assert demo_server.count("POST", REPLY) == 1
        assert len(demo_server.state.replies(cid)) == 1
    finally:
        await client.aclose()
