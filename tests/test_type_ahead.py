"""Type-ahead: keys typed right after a key that opens a composer, a search, a picker or a prompt
belong to what it opened, however fast they come.

Each burst is posted to the app in one go, with no pause between the keys, as a fast typist or a
terminal's paste of keystrokes delivers them (``pilot.press`` waits after every key, which hides
the race: Textual dispatches the next key before the opening key's action has run).
"""

from __future__ import annotations

import time

import pytest
from helpers import make_app, screen_text, settle
from textual import events
from textual.widgets import Input

from unibox_tui.domain.snippets import Snippet
from unibox_tui.domain.triage import PICKER_LABELS
from unibox_tui.ui.screens.inbox import InboxScreen
from unibox_tui.ui.screens.pipe_prompt import PipePrompt
from unibox_tui.ui.screens.snippet_picker import SnippetPicker
from unibox_tui.ui.widgets.composer import Composer
from unibox_tui.ui.widgets.conversation_list import ConversationList
from unibox_tui.ui.widgets.folder_bar import FolderBar

#: Printable keys whose Textual name is not the character itself.
KEY_NAMES = {" ": "space", "/": "slash", "|": "vertical_line", "?": "question_mark"}
#: Named keys and the character a terminal sends with them.
CHARACTERS = {"enter": "\r", "space": " ", "escape": "\x1b"}


@pytest.fixture(autouse=True)
def utc_viewer(monkeypatch: pytest.MonkeyPatch) -> None:
    """The snooze picker's "in 1 hour" is the same instant on every machine."""
    monkeypatch.setenv("TZ", "UTC")


def burst(app, *keys: str) -> None:
    """Every key queued for the app before it handles the first (a single character is typed text)."""
    for key in keys:
        if len(key) == 1:
            event = events.Key(KEY_NAMES.get(key, key), key)
        else:
            event = events.Key(key, CHARACTERS.get(key))
        event.set_sender(app)
        app.post_message(event)


async def until(pilot, condition, what: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not reached in time")
        await pilot.pause(0.05)


def writes(server, since: int) -> list:
    """Every request after the first ``since`` that changes something on the server."""
    return [r for r in server.requests[since:] if r.method in ("PATCH", "POST", "PUT", "DELETE")]


def listing(app) -> ConversationList:
    return app.screen.query_one(ConversationList)


async def test_r_then_typing_writes_the_reply_and_labels_nothing(demo_server):
    ids = demo_server.state.conversation_ids(folder="primary")
    app = make_app(demo_server)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        listing(app).cursor = 2
        await settle(pilot)
        before = len(demo_server.requests)
        burst(app, "r", *"1 pm")
        composer = app.screen.query_one(Composer)
        await until(pilot, lambda: composer.is_open and "pm" in composer.text_area.text, "the reply typed")
        await settle(pilot)
        assert composer.conversation_id == ids[2]
        assert composer.text_area.text == "1 pm"
        assert not [r for r in writes(demo_server, before) if r.method == "PATCH" and "label" in str(r.json)]
        assert app.screen.model.manual_label(ids[2]) is None


async def test_slash_then_typing_searches_and_triages_nothing(demo_server):
    app = make_app(demo_server)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        before = len(demo_server.requests)
        burst(app, "/", *"acme", "enter")
        await until(pilot, lambda: screen.model.search == "acme", "the search")
        await settle(pilot)
        searches = [r.query.get("search") for r in demo_server.requests[before:] if r.query.get("search")]
        assert searches == ["acme"]
        assert writes(demo_server, before) == []  # no `a` (accept the AI's label), nothing marked read
        assert screen.model.folder == "primary"  # no `c` (next folder)
        assert not screen.model.marked()  # no `m` (mark)


async def test_l_then_a_letter_labels_with_the_picker(demo_server):
    ids = demo_server.state.conversation_ids(folder="primary")
    key, label = PICKER_LABELS[0]
    app = make_app(demo_server)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        before = len(demo_server.requests)
        burst(app, "l", key)
        await until(pilot, lambda: writes(demo_server, before), "the label's request")
        await settle(pilot)
        assert isinstance(app.screen, InboxScreen)  # the picker closed with the letter
        changes = writes(demo_server, before)
        assert [(r.method, r.path.rsplit("/", 1)[-1]) for r in changes] == [("PATCH", ids[0])]
        assert label in str(changes[0].json)


async def test_h_then_1_snoozes_for_an_hour_and_does_nothing_else(demo_server):
    ids = demo_server.state.conversation_ids(folder="primary")
    app = make_app(demo_server)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        listing(app).cursor = 1
        await settle(pilot)
        before = len(demo_server.requests)
        burst(app, "h", "1")
        folders = app.screen.query_one(FolderBar)
        await until(pilot, lambda: "Snoozed 1" in str(folders.render()), "the snooze")
        await settle(pilot)
        assert isinstance(app.screen, InboxScreen)
        assert ids[1] not in [row.id for row in listing(app).rows]
        assert writes(demo_server, before) == []  # `1` did not label anything Interested
        assert "until 16:30" in " ".join(n.message for n in app.seen_notifications)  # 15:30 + 1 hour


async def test_pipe_then_typing_fills_the_command_line(demo_server):
    app = make_app(demo_server)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        before = len(demo_server.requests)
        burst(app, "|", *"wc -c")
        await until(pilot, lambda: isinstance(app.screen, PipePrompt), "the prompt")
        await settle(pilot)
        assert app.screen.query_one(Input).value == "wc -c"
        assert writes(demo_server, before) == []  # `c` did not cycle, nothing else ran


async def test_ctrl_n_then_typing_filters_the_snippets(demo_server):
    snippets = (Snippet("calendar", "Grab a slot: https://cal.example", ()), Snippet("pricing", "Our plans.", ()))
    app = make_app(demo_server, snippets=snippets)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        composer = app.screen.query_one(Composer)
        await until(pilot, lambda: composer.is_open, "the composer")
        await settle(pilot)
        burst(app, "ctrl+n", *"pric")
        await until(pilot, lambda: isinstance(app.screen, SnippetPicker), "the picker")
        await settle(pilot)
        picker = app.screen
        assert picker.query_one("#snippet-filter", Input).value == "pric"
        assert "Our plans." in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert composer.text_area.text == ""  # nothing typed into the reply behind the picker


async def test_an_openers_key_stays_the_focused_widgets_own_where_it_binds_it(demo_server):
    """``h``/``l`` move in the folder bar (they are its keys), they neither snooze nor label there."""
    app = make_app(demo_server)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        folders = app.screen.query_one(FolderBar)
        folders.focus()
        await settle(pilot)
        before, start = len(demo_server.requests), folders.highlighted
        burst(app, "l", "l", "h")
        await settle(pilot)
        assert isinstance(app.screen, InboxScreen) and folders.has_focus  # no picker opened
        assert folders.highlighted == start + 1  # two down, one up
        assert writes(demo_server, before) == []
        assert not app.workspace.followups.snoozes()
