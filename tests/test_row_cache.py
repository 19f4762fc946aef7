"""The first page on disk: painted at start before the network answers, then replaced by it."""

from __future__ import annotations

import stat
from datetime import UTC, datetime, timedelta

from helpers import make_app, settle

from unibox_tui.config import cache_dir
from unibox_tui.render.thread import ConversationRow
from unibox_tui.store.row_cache import RowCache, workspace_key
from unibox_tui.ui.widgets.conversation_list import ConversationList
from unibox_tui.ui.widgets.list_status import ListStatus
from unibox_tui.ui.widgets.thread_view import ThreadView

SLOW_LIST = r"/unibox/conversations$"


def listed_ids(app) -> list[str]:
    return [row.id for row in app.screen.query_one(ConversationList).rows]


def status_text(app) -> str:
    return str(app.screen.query_one(ListStatus).render())


async def run_once(server, **settings) -> None:
    """A first session: its page 1 lands on disk."""
    app = make_app(server, **settings)
    async with app.run_test(size=(150, 40)) as pilot:
        await settle(pilot)


async def wait_until(pilot, condition, timeout: float = 10.0) -> None:
    for _ in range(int(timeout / 0.02)):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError("condition not met")


async def test_start_paints_the_cached_first_page_before_the_network_then_replaces_it(demo_server):
    primary = demo_server.state.conversation_ids(folder="primary")
    await run_once(demo_server, page_size=10)
    demo_server.faults.path_regex = SLOW_LIST
    demo_server.faults.latency_ms = 1500
    app = make_app(demo_server, page_size=10)
    async with app.run_test(size=(150, 40)) as pilot:
        await pilot.pause()
        # Before any answer: last session's rows, and the status line says they are cached.
        assert listed_ids(app) == primary[:10]
        assert "cached, refreshing" in status_text(app)
        assert f"page 1 of {-(-len(primary) // 10)}" in status_text(app)
        await settle(pilot)
        assert listed_ids(app) == primary[:10]
        assert "cached" not in status_text(app)


async def test_the_network_page_keeps_the_cursor_on_the_same_conversation(demo_server):
    await run_once(demo_server, page_size=10)
    before = demo_server.state.conversation_ids(folder="primary")
    # New mail since: a conversation arrives on top, so every row moves down by one.
    demo_server.state.add_raw_conversation(
        {"id": "new-on-top", "status": "open", "messages": [
            {"direction": "incoming", "subject": "Fresh reply", "text_body": "Just in", "from_email": "new@lead.example",
             "to_email": "us@example.com", "email_date": "2030-01-01T00:00:00Z", "is_read": False}]},
        folder="primary",
        position=0,
    )
    demo_server.faults.path_regex = SLOW_LIST
    demo_server.faults.latency_ms = 1500
    app = make_app(demo_server, page_size=10)
    async with app.run_test(size=(150, 40)) as pilot:
        await pilot.pause()
        listing = app.screen.query_one(ConversationList)
        assert listed_ids(app) == before[:10]
        await pilot.press("down", "down")
        assert listing.current_row.id == before[2]
        await settle(pilot)
        assert listed_ids(app)[0] == "new-on-top"
        assert listing.current_row.id == before[2] and listing.cursor == 3


async def test_enter_on_a_cached_row_opens_its_conversation(demo_server):
    primary = demo_server.state.conversation_ids(folder="primary")
    await run_once(demo_server, page_size=10)
    demo_server.faults.path_regex = SLOW_LIST
    demo_server.faults.latency_ms = 3000
    app = make_app(demo_server, page_size=10)
    async with app.run_test(size=(150, 40)) as pilot:
        await pilot.pause()
        assert "cached, refreshing" in status_text(app)
        await pilot.press("down", "enter")
        thread = app.screen.query_one(ThreadView)
        # Fetched on its own: the slow list page is not needed to read it.
        await wait_until(pilot, lambda: thread.document is not None)
        assert thread.document.conversation.id == primary[1]
        assert "cached, refreshing" in status_text(app)
        assert app.screen.focused is thread
        await settle(pilot)
        assert thread.document.conversation.id == primary[1]


async def test_cached_rows_never_show_for_another_profile_or_server(demo_server, make_demo_server):
    await run_once(demo_server, page_size=10, profile="acme")
    other = make_demo_server(seed=99)
    for server, profile in ((demo_server, "globex"), (other, "acme")):
        server.faults.path_regex = SLOW_LIST
        server.faults.latency_ms = 1500
        app = make_app(server, page_size=10, profile=profile)
        async with app.run_test(size=(150, 40)) as pilot:
            await pilot.pause()
            assert listed_ids(app) == []
            assert "cached" not in status_text(app)
            await settle(pilot)
            assert listed_ids(app) == server.state.conversation_ids(folder="primary")[:10]


async def test_the_cache_file_is_owner_only_and_holds_no_key(demo_server):
    await run_once(demo_server, page_size=10)
    files = list(cache_dir().glob("rows-*.json"))
    assert len(files) == 1
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
    assert demo_server.key.encode() not in files[0].read_bytes()


async def test_no_cache_for_the_demo_workspace(demo_server):
    await run_once(demo_server, page_size=10, demo=True)
    assert not list(cache_dir().glob("rows-*.json"))


async def test_local_labels_and_read_marks_show_on_cached_rows(demo_server):
    primary = demo_server.state.conversation_ids(folder="primary")
    await run_once(demo_server, page_size=10)
    app = make_app(demo_server, page_size=10)
    store = app.local_triage
    store.set_label(primary[0], "not_now")
    store.save()
    demo_server.faults.path_regex = SLOW_LIST
    demo_server.faults.latency_ms = 1500
    async with app.run_test(size=(150, 40)) as pilot:
        await pilot.pause()
        row = app.screen.query_one(ConversationList).rows[0]
        assert row.id == primary[0] and row.label == "Not now" and row.label_local


def test_dates_are_redrawn_for_today_not_replayed(tmp_path):
    cache = RowCache(tmp_path, workspace_key("p", "https://x.example", "k"))
    moment = datetime(2030, 3, 4, 12, 0, tzinfo=UTC)
    row = ConversationRow("c1", "dana@x.example", "dana@x.example", "Hi", "", "12:00", True, False, False, "", False)
    cache.save("primary", 10, [row], 1, 1, [moment.timestamp()])
    later = cache.load("primary", 10, now=moment + timedelta(days=200))
    assert later is not None and later.rows[0].date not in ("12:00", "")
    assert cache.load("others", 10) is None
    assert RowCache(tmp_path, workspace_key("p", "https://x.example", "other key")).load("primary", 10) is None
