"""The inbox screen, driven like a user would, against the real local server."""

from __future__ import annotations

from helpers import help_text, make_app, screen_text, settle, widget_text

from unibox_tui.api import Conversation
from unibox_tui.domain.inbox_model import ChangeKind, ModelChange
from unibox_tui.ui.screens.inbox import InboxScreen
from unibox_tui.ui.widgets.conversation_list import ConversationList
from unibox_tui.ui.widgets.list_status import ListStatus
from unibox_tui.ui.widgets.thread_view import ThreadView


def listed_ids(app) -> list[str]:
    return [row.id for row in app.screen.query_one(ConversationList).rows]


def status_text(app) -> str:
    return str(app.screen.query_one(ListStatus).render())


async def test_folders_show_their_own_conversations_and_counts(demo_server):
    primary = demo_server.state.conversation_ids(folder="primary")
    others = demo_server.state.conversation_ids(folder="others")
    app = make_app(demo_server, page_size=10)
    async with app.run_test(size=(150, 40)) as pilot:
        await settle(pilot)
        assert listed_ids(app) == primary[:10]
        text = screen_text(app)
        assert f"Primary {len(primary)}" in text and f"Others {len(others)}" in text
        assert f"page 1 of {-(-len(primary) // 10)} · {len(primary)} conversations" in status_text(app)
        await pilot.press("c")
        await settle(pilot)
        assert listed_ids(app) == others[:10]
        assert f"{len(others)} conversation" in status_text(app)
        await pilot.press("c")
        await settle(pilot)
        assert listed_ids(app) == primary[:10]


async def test_paging_forward_and_back_shows_the_servers_pages(demo_server):
    primary = demo_server.state.conversation_ids(folder="primary")
    app = make_app(demo_server, page_size=7)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert listed_ids(app) == primary[7:14]
        assert "page 2 of" in status_text(app)
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert listed_ids(app) == primary[14:21]
        await pilot.press("left_square_bracket", "left_square_bracket")
        await settle(pilot)
        assert listed_ids(app) == primary[:7]
        # Moving past the last row loads the next page and lands on its first row...
        await pilot.press(*["down"] * 7)
        await settle(pilot)
        listing = app.screen.query_one(ConversationList)
        assert listed_ids(app) == primary[7:14] and listing.cursor == 0
        # ...and moving above the first row goes back, landing on the last row.
        await pilot.press("up")
        await settle(pilot)
        assert listed_ids(app) == primary[:7] and listing.cursor == 6


async def test_rapid_page_turns_paint_only_the_last_page(demo_server):
    primary = demo_server.state.conversation_ids(folder="primary")
    demo_server.faults.latency_ms = 2000  # slower than any burst of key presses, even on a loaded machine
    app = make_app(demo_server, page_size=5)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, InboxScreen)
        painted: list[int] = []

        def spy(change: ModelChange) -> None:
            if change.kind is ChangeKind.PAGE:
                painted.append(screen.model.page_number)

        screen.model.subscribe(spy)
        screen.model.pages.clear()  # nothing prefetched: every turn must wait for the network
        await pilot.press(*["right_square_bracket"] * 4)
        await settle(pilot)
        assert listed_ids(app) == primary[20:25]
    assert painted and painted[-1] == 5
    assert painted == sorted(painted)  # no stale page was painted after a newer one
    assert 2 not in painted and 3 not in painted


async def test_search_narrows_and_escape_restores_the_position(demo_server):
    primary = demo_server.state.conversation_ids(folder="primary")
    app = make_app(demo_server, page_size=10)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("right_square_bracket")
        await settle(pilot)
        await pilot.press("down", "down", "down")
        await settle(pilot)
        before = app.screen.query_one(ConversationList).current_row.id
        target = Conversation.from_api(demo_server.state.get_conversation_dict(primary[2]))
        term = target.lead_email
        await pilot.press("slash")
        await pilot.press(*list(term))
        await pilot.press("enter")
        await settle(pilot)
        assert primary[2] in listed_ids(app)
        assert len(listed_ids(app)) < 10
        assert "search:" in status_text(app) and term[:20] in status_text(app)
        search_request = [r for r in demo_server.requests
                          if r.query.get("search") and r.path.endswith("/unibox/conversations")][-1]
        assert search_request.query["search"] == term and search_request.query["folder"] == "primary"
        await pilot.press("escape")
        await settle(pilot)
        assert listed_ids(app) == primary[10:20]
        assert app.screen.query_one(ConversationList).current_row.id == before
        assert "search:" not in status_text(app)


async def test_opening_a_conversation_shows_text_with_quotes_folded(demo_server):
    app = make_app(demo_server, page_size=20)
    async with app.run_test(size=(140, 50)) as pilot:
        await settle(pilot)
        listing = app.screen.query_one(ConversationList)
        # Find a conversation whose latest message quotes an earlier one.
        for index, row in enumerate(listing.rows):  # noqa: B007 - the index found is used below
            conversation = app.screen.conversation(row.id)
            html = conversation.latest.html_body if conversation.latest else ""
            if "gmail_quote" in html or "divRplyFwdMsg" in html:
                break
        else:
            raise AssertionError("the demo data has no quoted reply on the first page")
        listing.cursor = index
        await pilot.press("enter")
        await settle(pilot)
        thread = app.screen.query_one(ThreadView)
        assert app.focused is thread
        text = widget_text(thread)
        assert "<div" not in text and "<br" not in text and "&lt;" not in text
        assert "··· " in text and "z shows" in text  # the quote is folded
        document_text = "\n".join(line.text for line in thread.document.lines())
        assert "wrote:" not in document_text.split("···")[0][-200:] or "···" in document_text
        await pilot.press("z")
        await settle(pilot)
        unfolded = "\n".join(line.text for line in thread.document.lines())
        assert any(line.kind == "quote" for line in thread.document.lines())
        assert len(unfolded) > len(document_text)
        await pilot.press("escape")
        assert app.focused is listing


async def test_a_server_error_is_shown_and_ctrl_r_recovers(demo_server):
    demo_server.faults.fail_next(8, status=500, method="GET", path="/unibox/conversations$")
    app = make_app(demo_server)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot, timeout=20)
        assert app.is_running
        text = screen_text(app)
        assert "server error" in text.lower() and "ctrl+r" in text
        demo_server.faults.clear() if hasattr(demo_server.faults, "clear") else None
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert listed_ids(app)[:3] == demo_server.state.conversation_ids(folder="primary")[:3]


async def test_markup_and_escape_sequences_are_shown_literally(make_demo_server):
    server = make_demo_server(conversations=5)
    server.state.add_raw_conversation(
        {
            "id": "hostile-1",
            "status": "open",
            "messages": [
                {
                    "direction": "incoming",
                    "subject": "[@click=app.quit]Free[/] \x1b]0;pwned\x07offer Re: [/] total",
                    "from_email": "[b]Boss[/b] \u202egnp.exe <boss@evil.example>",
                    "to_email": "me@ours.example",
                    "text_body": "Hello [red]world[/red] \x1b[31mred\x1b[0m \x1b]8;;http://evil\x07link\x1b]8;;\x07",
                    "html_body": "",
                    "email_date": "2026-11-26T09:00:00Z",
                    "is_read": False,
                    "attachments": [],
                }
            ],
        },
        position=0,
    )
    app = make_app(server)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        assert listed_ids(app)[0] == "hostile-1"
        await pilot.press("enter")
        await settle(pilot)
        text = screen_text(app)
        assert "[@click=app.quit]Free[/]" in text
        assert "Re: [/] total" in text
        assert "[b]Boss[/b]" in text
        assert "Hello [red]world[/red]" in text
        assert "\x1b" not in text and "\u202e" not in text and "pwned\x07" not in text
        # Clicking the subject runs nothing.
        await pilot.click(ConversationList, offset=(40, 0))
        await settle(pilot)
        assert app.is_running


async def test_narrow_terminal_switches_between_list_and_thread(demo_server):
    app = make_app(demo_server)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        thread_pane = screen.query_one("#thread-pane")
        assert screen.has_class("-narrow") and not thread_pane.display or thread_pane.region.width == 0
        text = screen_text(app)
        assert "Primary" in text and "page 1 of" in text
        first = listed_ids(app)[0]
        await pilot.press("enter")
        await settle(pilot)
        assert screen.has_class("-reading")
        assert app.focused is screen.query_one(ThreadView)
        assert screen.query_one(ThreadView).document.conversation.id == first
        await pilot.press("escape")
        await settle(pilot)
        assert not screen.has_class("-reading")
        assert app.focused is screen.query_one(ConversationList)


async def test_wide_terminal_shows_folders_list_and_thread_side_by_side(demo_server):
    app = make_app(demo_server)
    async with app.run_test(size=(200, 60)) as pilot:
        await settle(pilot)
        screen = app.screen
        folders = screen.query_one("#folders").region
        listing = screen.query_one("#list-pane").region
        thread = screen.query_one("#thread-pane").region
        assert folders.right <= listing.x and listing.right <= thread.x
        assert thread.width > 60 and listing.width > 60
        assert screen.query_one(ThreadView).document is not None  # follows the cursor


async def test_new_mail_is_announced_without_moving_the_cursor(demo_server):
    primary = demo_server.state.conversation_ids(folder="primary")
    app = make_app(demo_server, page_size=10, poll_interval=0.4)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("down", "down")
        await settle(pilot)
        listing = app.screen.query_one(ConversationList)
        reading = listing.current_row.id
        assert reading == primary[2]
        demo_server.state.add_incoming_message(primary[6], text="Actually, can we talk tomorrow?")
        for _ in range(40):
            await pilot.pause(0.1)
            if listed_ids(app)[0] == primary[6]:
                break
        await settle(pilot)
        assert listed_ids(app)[0] == primary[6]
        assert listing.current_row.id == reading  # still on the conversation being read
        assert "1 new or updated conversation" in screen_text(app)


async def test_an_empty_others_folder_explains_itself(make_demo_server):
    server = make_demo_server(conversations=6)
    with server.state.lock:  # a workspace that does not store non-campaign mail
        for conversation_id in server.state.conversation_ids(folder="others"):
            server.state.find(conversation_id).folder = "primary"
        server.state._order.clear()
    app = make_app(server)
    async with app.run_test(size=(150, 40)) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        text = screen_text(app)
        assert "Others is empty" in text
        assert "switch off" in text


async def test_an_unreachable_server_is_explained_and_the_app_keeps_running(make_demo_server):
    server = make_demo_server(conversations=3)
    app = make_app(server)
    server.stop()
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        await settle(pilot, timeout=20)
        assert app.is_running
        text = screen_text(app)
        assert "Could not reach" in text and "ctrl+r" in text


async def test_help_lists_every_key(demo_server):
    app = make_app(demo_server)
    async with app.run_test(size=(100, 120)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        text = help_text(app)
        for expected in ("Search", "Next page", "Refresh", "Next msg", "Quotes", "Command palette"):
            assert expected in text
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, InboxScreen)
