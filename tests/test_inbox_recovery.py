"""Background work on the inbox screen never stops for good: polling, the thread, the lead, counts.

Against the real local server. An *unexpected* failure (an exception outside the client's error
tree, which no server answer can produce once the client maps every transport error) is made by
wrapping one client method so that it raises once: the seam is the client, never httpx.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from helpers import clock_for, keep_notifications, make_app, make_settings, notifications, screen_text, settle

from unibox_tui.api import ReachkitClient
from unibox_tui.ui.screens.inbox_thread import REFRESH_DELAY
from unibox_tui.ui.app import UniboxApp
from unibox_tui.ui.widgets.conversation_list import ConversationList
from unibox_tui.ui.widgets.folder_bar import FolderBar
from unibox_tui.ui.widgets.lead_context import LeadContext
from unibox_tui.ui.widgets.list_status import ListStatus
from unibox_tui.ui.widgets.thread_header import ThreadHeader
from unibox_tui.ui.widgets.thread_view import ThreadView

LIST = r"/unibox/conversations$"


async def wait_for(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition never became true"
        await asyncio.sleep(0.05)


class Surprise:
    """Make ``client.<method>`` raise ``error`` once, the next time it is armed and ``when`` holds."""

    def __init__(self, client: ReachkitClient, method: str, error: BaseException,
                 when: Callable[[tuple[Any, ...], dict[str, Any]], bool] = lambda args, kwargs: True) -> None:
        self.armed = False
        self.raised = 0
        real = getattr(client, method)

        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            if self.armed and when(args, kwargs):
                self.armed = False
                self.raised += 1
                raise error
            return await real(*args, **kwargs)

        setattr(client, method, wrapper)


def app_with_client(server, **settings) -> tuple[UniboxApp, ReachkitClient]:
    client = ReachkitClient(server.key, server.base_url)
    app = UniboxApp(make_settings(server, **settings), client=client, clock=clock_for(server))
    return keep_notifications(app), client


def folder_text(app) -> str:
    return str(app.screen.query_one(FolderBar).render())


def status_text(app) -> str:
    return str(app.screen.query_one(ListStatus).render())


def notices(app) -> list[str]:
    return [f"{n.title} {n.message}" for n in notifications(app)]


async def test_a_poll_answered_after_a_folder_switch_counts_only_its_own_folder(demo_server):
    primary = demo_server.state.conversation_ids(folder="primary")
    others = demo_server.state.conversation_ids(folder="others")
    assert len(primary) != len(others)
    app = make_app(demo_server, page_size=10, poll_interval=0.5)
    async with app.run_test(size=(150, 40)) as pilot:
        await settle(pilot)
        # The next poll (of Primary) is held at the server while the user goes to Others.
        demo_server.faults.hang_seconds = 2.0
        demo_server.faults.fail_next(1, kind="hang", method="GET", path=LIST)
        await wait_for(lambda: demo_server.faults.pending() == 0)
        await pilot.press("c")
        await wait_for(lambda: [r.id for r in app.screen.query_one(ConversationList).rows] == others[:10])
        await wait_for(lambda: any(r.fault == "hang" for r in demo_server.requests))  # the poll's answer
        await settle(pilot)
        shown = folder_text(app)
        assert f"Others {len(others)}" in shown and f"Primary {len(primary)}" in shown
        assert f"{len(others)} conversation" in status_text(app)


async def test_polling_keeps_its_schedule_after_an_unexpected_error_and_says_so(demo_server):
    primary = demo_server.state.conversation_ids(folder="primary")
    app, client = app_with_client(demo_server, page_size=10, poll_interval=0.4)
    surprise = Surprise(client, "list_conversations", ValueError("a body nobody expected"),
                        when=lambda args, kwargs: kwargs.get("page") == 1 and kwargs.get("page_size") == 10)
    try:
        async with app.run_test(size=(150, 40), notifications=True) as pilot:
            await settle(pilot)
            surprise.armed = True  # the next check for new mail meets it
            await wait_for(lambda: surprise.raised == 1)
            await wait_for(lambda: "new mail check failed (ValueError)" in status_text(app))
            assert app.is_running
            demo_server.state.add_incoming_message(primary[5], text="Still interested, call me.")
            listing = app.screen.query_one(ConversationList)
            await wait_for(lambda: bool(listing.rows) and listing.rows[0].id == primary[5])  # a later check ran
            await wait_for(lambda: "new mail check failed" not in status_text(app))
            await settle(pilot)
            assert any("1 new or updated conversation" in text for text in notices(app))
    finally:
        await client.aclose()


async def test_a_thread_refresh_that_fails_unexpectedly_says_so_and_ctrl_r_recovers(demo_server):
    primary = demo_server.state.conversation_ids(folder="primary")
    app, client = app_with_client(demo_server, page_size=10)
    surprise = Surprise(client, "get_conversation", RuntimeError("surprise"))
    try:
        async with app.run_test(size=(150, 40), notifications=True) as pilot:
            await settle(pilot)
            await pilot.press("enter")
            await settle(pilot)
            demo_server.state.add_incoming_message(primary[0], text="One more thing from me.")
            surprise.armed = True
            await pilot.press("ctrl+r")
            await settle(pilot)
            # The re-read that opening scheduled (REFRESH_DELAY after enter) has no business undoing
            # what ctrl+r just found: under load it used to land here and wipe the note.
            await pilot.pause(REFRESH_DELAY + 0.1)
            await settle(pilot)
            header = app.screen.query_one(ThreadHeader)
            assert surprise.raised == 1 and header.note == "could not refresh; ctrl+r retries"
            assert "could not refresh" in str(header.render())
            assert any("Unexpected RuntimeError" in text for text in notices(app))
            await pilot.press("ctrl+r")
            await settle(pilot)
            assert "could not refresh" not in str(header.render())
            thread = app.screen.query_one(ThreadView)
            assert "One more thing from me." in "\n".join(line.text for line in thread.document.lines())
    finally:
        await client.aclose()


async def test_opening_a_cached_row_that_fails_unexpectedly_says_so_and_ctrl_r_opens_it(demo_server):
    primary = demo_server.state.conversation_ids(folder="primary")
    first = make_app(demo_server, page_size=10)
    async with first.run_test(size=(150, 40)) as pilot:
        await settle(pilot)  # page 1 is on disk now
    app, client = app_with_client(demo_server, page_size=10)
    surprise = Surprise(client, "get_conversation", RuntimeError("surprise"))
    surprise.armed = True
    demo_server.faults.hang_seconds = 2.0
    demo_server.faults.fail_next(1, kind="hang", method="GET", path=LIST)  # the list stays on last time's rows
    try:
        async with app.run_test(size=(150, 40), notifications=True) as pilot:
            listing = app.screen.query_one(ConversationList)
            await wait_for(lambda: bool(listing.rows) and app.screen.query_one(ListStatus).stale)
            await pilot.press("enter")  # a row from disk: its conversation is fetched first
            thread = app.screen.query_one(ThreadView)
            await wait_for(lambda: "Could not load this conversation: ctrl+r retries." in screen_text(app))
            assert any("Unexpected RuntimeError" in text for text in notices(app))
            await settle(pilot)
            await pilot.press("ctrl+r")
            await settle(pilot)
            assert thread.document is not None and thread.document.conversation.id == primary[0]
    finally:
        await client.aclose()


async def test_a_lead_lookup_that_fails_unexpectedly_says_so_and_ctrl_r_looks_again(demo_server):
    app, client = app_with_client(demo_server, page_size=10)
    surprise = Surprise(client, "list_campaigns", RuntimeError("surprise"))
    surprise.armed = True
    try:
        async with app.run_test(size=(150, 40)) as pilot:
            await settle(pilot)
            await pilot.press("enter")
            await settle(pilot)
            lead = app.screen.query_one(LeadContext)
            assert surprise.raised == 1
            assert lead.state == "error" and "could not be looked up (ctrl+r tries again)" in str(lead.render())
            await pilot.press("ctrl+r")
            await settle(pilot)
            assert lead.state in ("found", "none") and "looked up" not in str(lead.render())
    finally:
        await client.aclose()


async def test_a_folder_count_that_fails_unexpectedly_says_so_and_ctrl_r_counts_again(demo_server):
    others = demo_server.state.conversation_ids(folder="others")
    app, client = app_with_client(demo_server, page_size=10)
    surprise = Surprise(client, "list_conversations", RuntimeError("surprise"),
                        when=lambda args, kwargs: kwargs.get("page_size") == 1)
    surprise.armed = True
    try:
        async with app.run_test(size=(150, 40), notifications=True) as pilot:
            await settle(pilot)
            assert surprise.raised == 1 and f"Others {len(others)}" not in folder_text(app)
            assert any(text.startswith("Counting folders") and "Unexpected RuntimeError" in text for text in notices(app))
            await pilot.press("ctrl+r")
            await settle(pilot)
            assert f"Others {len(others)}" in folder_text(app)
    finally:
        await client.aclose()
