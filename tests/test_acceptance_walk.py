"""What a demanding new user ran into, walking issues 17 and 18 against the local server (the
acceptance walk); each test failed before its fix."""

from __future__ import annotations

import pytest
from helpers import help_text, keep_notifications, make_settings, notifications, screen_text, settle, widget_text

from unibox_tui.clock import TickingClock
from unibox_tui.ui.app import UniboxApp
from unibox_tui.ui.screens.snoozed import SnoozedScreen
from unibox_tui.ui.widgets.conversation_list import ConversationList


@pytest.fixture(autouse=True)
def utc_viewer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "UTC")


def app_for(server, **settings) -> UniboxApp:
    return keep_notifications(UniboxApp(make_settings(server, **settings), clock=TickingClock(server.state.now)))


async def test_Z_opens_the_snoozed_view_and_esc_puts_the_user_back_in_the_list(demo_server):
    """Drafts has D, Campaigns C, Inboxes I, Blocklist K; the Snoozed view could only be reached by
    tabbing to the folder bar, after which esc left the focus there (where j/k/h move folders)."""
    app = app_for(demo_server, page_size=10)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("h", "1")
        await settle(pilot)
        await pilot.press("Z")
        await settle(pilot)
        assert isinstance(app.screen, SnoozedScreen)
        assert "1 snoozed conversation" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.focused, ConversationList)
        await pilot.press("shift+tab", "down", "down", "enter")  # through the folder bar, as before
        await settle(pilot)
        assert isinstance(app.screen, SnoozedScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.focused, ConversationList)
        await pilot.press("question_mark")
        await settle(pilot)
        assert "Z       Snoozed" in help_text(app)


async def test_a_search_whose_only_match_is_snoozed_says_so(demo_server):
    """The status line said "1 conversation" while the list said "No conversations match this
    search": the match was snoozed, and nothing told the user where it went."""
    first = demo_server.state.conversation_ids(folder="primary")[0]
    subject = demo_server.state.get_conversation_dict(first)["messages"][0]["subject"]
    app = app_for(demo_server, page_size=10)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("h", "1")
        await settle(pilot)
        await pilot.press("slash", *subject, "enter")
        await settle(pilot)
        listing = widget_text(app.screen.query_one(ConversationList))
        assert first not in [row.id for row in app.screen.query_one(ConversationList).rows]
        assert "snoozed" in listing and "Z" in listing, listing


def test_a_snippet_with_windows_line_ends_is_saved_not_refused_as_an_unusual_layout(tmp_path):
    """A text with CRLF (pasted from a Windows document) was written into a multi-line TOML string,
    which TOML reads back with LF; the check after writing saw a different text and refused with
    "Could not update config.toml safely (an unusual layout)", naming the wrong cause."""
    import tomllib

    from unibox_tui.store.config_edit import save_snippet

    config = tmp_path / "config.toml"
    config.write_text("# mine\n[snippets.calendar]\ntext = \"Hi\"  # keep\n", encoding="utf-8")
    save_snippet("calendar", "Hi {first_name},\r\n\r\nslots: https://cal.example\rbye", ["interested"], path=config)
    saved = tomllib.loads(config.read_text(encoding="utf-8"))["snippets"]["calendar"]
    assert saved["text"] == "Hi {first_name},\n\nslots: https://cal.example\nbye"
    assert config.read_text(encoding="utf-8").startswith("# mine\n")


async def test_u_undoes_a_snooze_of_marked_conversations_as_one_batch(demo_server):
    """Issue 18: with marks, h acts on every marked conversation and "u undoes the whole batch". After
    h on two marked conversations, u said "Nothing to undo." and they stayed hidden (only the
    Snoozed view's H brought them back, one by one and marked "snooze ended")."""
    primary = demo_server.state.conversation_ids(folder="primary")
    app = app_for(demo_server, page_size=10)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("down", "m", "m", "h", "1")
        await settle(pilot)
        ids = [row.id for row in app.screen.query_one(ConversationList).rows]
        assert primary[1] not in ids and primary[2] not in ids
        assert "u undoes" in " ".join(n.message for n in notifications(app))
        await pilot.press("u")
        await settle(pilot)
        rows = app.screen.query_one(ConversationList).rows
        assert [row.id for row in rows][:4] == primary[:4]  # back where they were, not pinned as "back"
        assert not any(row.woken for row in rows)
        assert any("Undone: snooze of 2 conversations" in n.message for n in notifications(app))
        assert "Snoozed 0" not in screen_text(app) and "Snoozed 2" not in screen_text(app)
        await pilot.press("u")  # the snooze was the last action: nothing more
        await settle(pilot)
        assert notifications(app)[-1].message == "Nothing to undo."


async def test_the_search_and_the_filter_stay_visible_on_the_status_line_at_120_columns(demo_server):
    """At 120x40 the status line read "19 hot waiting (w) · 3 unread, 26 to triage on page 1 of 1 ·
    27 conversations  search:" and the term itself was cut off: the user could not see what the list
    was filtered by, nor that esc clears it. What narrows the list now comes before the counts."""
    app = app_for(demo_server, page_size=10)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"forecast", "enter")
        await settle(pilot)
        assert "search: “forecast” (esc clears)" in _visible_status(app)
        await pilot.press("escape")
        await settle(pilot)
        app.screen.triage_keys.set_filter("interested")
        await settle(pilot)
        assert "filter: Interested (this page only)" in _visible_status(app)


def _visible_status(app) -> str:
    from unibox_tui.ui.widgets.list_status import ListStatus

    region = app.screen.query_one(ListStatus).region
    return screen_text(app).splitlines()[region.y][region.x:region.right]
