"""What the fault session found, each fixed and pinned here against the real local server."""

from __future__ import annotations

import asyncio
import time

import pytest
from helpers import clock_for, keep_notifications, make_app, make_settings, notifications, screen_text, settle

from unibox_tui.api import ReachkitClient, ReachkitError
from unibox_tui.api.client import NO_RETRY
from unibox_tui.store.drafts import DELIVERY_UNKNOWN
from unibox_tui.ui.app import UniboxApp
from unibox_tui.ui.widgets.composer import Composer
from unibox_tui.ui.widgets.conversation_list import ConversationList
from unibox_tui.ui.widgets.list_status import ListStatus

LIST = r"/unibox/conversations$"
REPLY = r"/reply$"


async def wait_for(condition, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition never became true"
        await asyncio.sleep(0.05)


def app_without_retries(server, **settings) -> tuple[UniboxApp, ReachkitClient]:
    """One attempt per request, so a queued fault reaches the UI."""
    client = ReachkitClient(server.key, server.base_url, retry=NO_RETRY)
    return keep_notifications(UniboxApp(make_settings(server, **settings), client=client, clock=clock_for(server))), client


async def test_a_page_that_failed_to_load_is_what_ctrl_r_retries_and_next_page_does_not_skip_it(make_demo_server):
    server = make_demo_server(conversations=60)
    app, client = app_without_retries(server, page_size=10)
    try:
        async with app.run_test(size=(120, 40), notifications=True) as pilot:
            await settle(pilot)
            screen = app.screen
            # Page 2 was prefetched; both the prefetch of page 3 and its own load will fail.
            server.faults.fail_next(2, status=500, method="GET", path=LIST)
            await pilot.press("right_square_bracket")
            await settle(pilot)
            await pilot.press("right_square_bracket")
            await settle(pilot)
            assert screen.page_number == 2
            status = screen.query_one(ListStatus)
            assert status.page == 2 and status.note == "page 3 could not load; ctrl+r retries"
            assert "page 2 of" in screen_text(app) and "HTTP 500" in screen_text(app)
            await pilot.press("ctrl+r")  # what the status line invites: page 3 again
            await settle(pilot)
            assert screen.page_number == 3 and status.note == ""

            server.faults.fail_next(2, status=503, method="GET", path=LIST, retry_after=0)
            await pilot.press("right_square_bracket")  # page 4 was prefetched with page 3... from the cache
            await settle(pilot)
            await pilot.press("right_square_bracket")  # page 5: fails
            await settle(pilot)
            assert screen.page_number == 4
            await pilot.press("right_square_bracket")  # the user asks for the next page again: 5, not 6
            await settle(pilot)
            assert screen.page_number == 5
    finally:
        await client.aclose()


async def test_going_back_to_a_cached_page_while_another_loads_stops_the_loading_spinner(make_demo_server):
    server = make_demo_server(conversations=60)
    app, client = app_without_retries(server, page_size=10)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            server.faults.hang_seconds = 3
            server.faults.fail_next(1, status=500, method="GET", path=LIST)  # the prefetch of page 3
            server.faults.fail_next(1, kind="hang", method="GET", path=LIST)  # page 3 itself: slow
            await pilot.press("right_square_bracket")
            await settle(pilot)
            await pilot.press("right_square_bracket", "left_square_bracket")  # impatient: page 3, back to 2
            status = app.screen.query_one(ListStatus)
            await wait_for(lambda: server.count("GET", LIST) >= 4)  # page 3's answer came (and was dropped)
            await settle(pilot)
            assert app.screen.page_number == 2
            assert not status.loading and "loading" not in screen_text(app)
    finally:
        await client.aclose()


async def test_error_messages_end_with_one_full_stop_when_the_server_already_wrote_one(demo_server):
    demo_server.faults.fail_next(1, status=503, method="GET", retry_after=1)
    demo_server.faults.fail_next(1, status=429, method="GET", retry_after=1)
    demo_server.faults.fail_next(1, status=500, method="GET")
    async with ReachkitClient(demo_server.key, demo_server.base_url, retry=NO_RETRY) as client:
        texts = []
        for _ in range(3):
            with pytest.raises(ReachkitError) as caught:
                await client.list_conversations()
            texts.append(str(caught.value))
    unavailable, limited, broken = texts
    assert unavailable == (
        "Reachkit had a server error (HTTP 503): Service unavailable: "
        "The service is temporarily unavailable. Please try again later."
    )
    assert limited.startswith("Reachkit is rate limiting requests: Too many requests: Rate limit exceeded.")
    assert limited.endswith(" Try again in 1 s.")
    assert broken == "Reachkit had a server error (HTTP 500): Internal server error."
    assert not any(".." in text for text in texts)


async def test_a_reply_never_loses_its_signature_unnoticed_when_the_inboxes_cannot_be_loaded(demo_server):
    app, client = app_without_retries(demo_server)
    try:
        async with app.run_test(size=(140, 44), notifications=True) as pilot:
            await settle(pilot)
            # The inboxes (names and signatures) answer slowly, and with errors, from now on.
            demo_server.faults.latency_ms, demo_server.faults.path_regex = 1500, r"/inboxes$"
            demo_server.faults.fail_next(3, status=503, method="GET", path=r"/inboxes$", retry_after=0)
            await pilot.press("r")
            composer = app.screen.query_one(Composer)
            assert composer.is_open
            cid = composer.conversation_id
            composer.text_area.insert("Quick answer")
            await pilot.press("ctrl+s")  # before the signature has arrived
            await settle(pilot)
            assert demo_server.count("POST", REPLY) == 0
            assert composer.is_open and composer.mode == "editing" and composer.text_area.text == "Quick answer"
            assert composer.status_note.startswith("Not sent: your signature could not be loaded (")
            assert composer.status_note.endswith("ctrl+s tries again; ctrl+g sends it without the signature.")
            assert "the inboxes could not be loaded" in str(composer.query_one("#composer-signature").render())
            assert any(n.title == "Reply not sent" and "signature" in n.message for n in notifications(app))
            assert app.drafts.load(cid).text == "Quick answer"
            await pilot.press("ctrl+s")  # tries again: still no inboxes
            await settle(pilot)
            assert demo_server.count("POST", REPLY) == 0
            await pilot.press("ctrl+g")  # the user chooses to send it without
            assert "Signature removed" in str(composer.query_one("#composer-signature").render())
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert not composer.is_open
        (reply,) = demo_server.state.replies(cid)
        assert reply["html_body"] == "<div><p>Quick answer</p></div>"
    finally:
        await client.aclose()


async def test_a_reply_answered_429_is_looked_for_before_it_is_called_not_sent(demo_server):
    """A limiter may count after the reply was stored: resending on its word would send it twice."""
    app = make_app(demo_server)
    async with app.run_test(size=(140, 44), notifications=True) as pilot:
        await settle(pilot)
        listing = app.screen.query_one(ConversationList)
        sent, refused = listing.rows[1].id, listing.rows[2].id
        for cid, after_commit in ((sent, True), (refused, False)):
            listing.cursor = listing.index_of(cid)
            demo_server.faults.fail_next(1, status=429, method="POST", path=REPLY, after_commit=after_commit, retry_after=1)
            await pilot.press("r")
            composer = app.screen.query_one(Composer)
            composer.text_area.insert(f"Reply to {cid}")
            await pilot.press("ctrl+s")
            await settle(pilot)
        assert len(demo_server.state.replies(sent)) == 1 and app.drafts.load(sent) is None
        assert any(n.title == "Sent" for n in notifications(app))
        # The one the server did refuse stays a draft, and says why; as a 429 may have come after
        # the fact, it stays "delivery unknown" (locked, rechecked) rather than inviting a resend.
        assert demo_server.state.replies(refused) == [] and app.drafts.load(refused).text == f"Reply to {refused}"
        assert composer.is_open and composer.mode == "unknown"
        assert "Reachkit is rate limiting requests" in composer.status_note
        assert app.drafts.load(refused).state == DELIVERY_UNKNOWN
        assert demo_server.count("POST", REPLY) == 2
