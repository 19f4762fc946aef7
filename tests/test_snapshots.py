"""The main screens as pictures, at 80x24, 120x40 and 200x60: a layout regression is seen, not guessed.

Each test is one user's path through a few screens (one app run, several pictures), from the demo
server's seeded data and a clock that stands still. See tests/snapshots.py for how pictures are
compared and how to write them anew (``--snapshot-update``).
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from helpers import TEST_NOW, keep_notifications, make_settings, settle

from unibox_tui.api import Conversation
from unibox_tui.clock import FixedClock
from unibox_tui.ui.app import UniboxApp
from unibox_tui.ui.screens import inbox_thread
from unibox_tui.ui.widgets import downloads_panel
from unibox_tui.ui.widgets.composer import Composer
from unibox_tui.ui.widgets.conversation_list import ConversationList
from unibox_tui.ui.widgets.thread_view import ThreadView

SIZES = [(80, 24), (120, 40), (200, 60)]

pytestmark = [pytest.mark.usefixtures("utc"), pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")]


@pytest.fixture(autouse=True)
def reread_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The open thread's re-read from the server happens at once, not 1.5 s after it opens: every
    picture waits for it (see ``inbox_ready``), and nothing else depends on the delay."""
    monkeypatch.setattr(inbox_thread, "REFRESH_DELAY", 0.05)


def snap_app(server: Any = None, **overrides: Any) -> UniboxApp:
    """The real app on the demo's data, named "demo" in the header (not the server's random port)."""
    if server is not None:
        overrides.setdefault("demo", True)
    clock = FixedClock(server.state.now if server is not None else TEST_NOW)
    return keep_notifications(UniboxApp(make_settings(server, **overrides), clock=clock))


async def until(pilot: Any, condition: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the screen never got there"
        await pilot.pause(0.05)


async def inbox_ready(pilot: Any, server: Any) -> None:
    """The first page painted, and the thread pane showing the highlighted conversation as
    re-read from the server (the re-read lands a moment after the thread opens)."""
    await settle(pilot)
    await thread_caught_up(pilot, server)


async def thread_caught_up(pilot: Any, server: Any) -> None:
    """The thread pane shows the highlighted conversation as re-read from the server: after the
    cursor moves, the pane's picture depends on whether that re-read has landed yet."""
    screen = pilot.app.screen
    listing = screen.query_one(ConversationList)
    highlighted = listing.rows[listing.cursor].id
    await until(pilot, lambda: screen.thread.open_id == highlighted)
    await until(pilot, lambda: server.count("GET", rf"/unibox/conversations/{highlighted}$") > 0)
    await settle(pilot)


async def test_the_inbox_reading_a_conversation_labels_the_composer_drafts_and_help(demo_server, snapshots, size):
    app = snap_app(demo_server)
    w, h = size
    async with app.run_test(size=size) as pilot:
        await inbox_ready(pilot, demo_server)
        await snapshots.take(pilot, f"inbox-{w}x{h}")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.focused is app.screen.query_one(ThreadView)
        await snapshots.take(pilot, f"reading-{w}x{h}")
        await pilot.press("l")
        await settle(pilot)
        await snapshots.take(pilot, f"label-picker-{w}x{h}")
        await pilot.press("escape", "r")
        await settle(pilot)
        composer = app.screen.query_one(Composer)
        assert composer.is_open
        await snapshots.take(pilot, f"composer-{w}x{h}")
        composer.text_area.insert("Thanks, Thursday at 10 works for me.")
        await pilot.press("escape", "D")
        await settle(pilot)
        await snapshots.take(pilot, f"drafts-{w}x{h}")
        await pilot.press("escape", "question_mark")
        await settle(pilot)
        await snapshots.take(pilot, f"help-{w}x{h}")
    snapshots.verify()


async def test_the_rooms(demo_server, snapshots, size):
    app = snap_app(demo_server)
    w, h = size
    async with app.run_test(size=size) as pilot:
        await inbox_ready(pilot, demo_server)
        for key, room in (("C", "campaigns"), ("I", "inboxes"), ("K", "blocklist")):
            await pilot.press(key)
            await settle(pilot)
            await snapshots.take(pilot, f"{room}-{w}x{h}")
            await pilot.press("escape")
            await settle(pilot)
    snapshots.verify()


async def test_the_attachment_picker_and_the_downloads_panel(demo_server, snapshots, size, monkeypatch, isolated_env):
    # Transfer rates are bytes over real seconds: with the panel's clock stopped, none is drawn.
    monkeypatch.setattr(downloads_panel, "time", _Stopped())
    ids = demo_server.state.conversation_ids(folder="primary")[:20]
    with_files = next(
        cid for cid in ids if Conversation.from_api(demo_server.state.get_conversation_dict(cid)).has_attachments
    )
    app = snap_app(demo_server, download_dir=isolated_env.home / "Downloads")
    w, h = size
    async with app.run_test(size=size) as pilot:
        await inbox_ready(pilot, demo_server)
        listing = app.screen.query_one(ConversationList)
        listing.cursor = listing.index_of(with_files)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        await snapshots.take(pilot, f"attachment-picker-{w}x{h}")
        await pilot.press("a")
        await settle(pilot)
        await pilot.press("S")
        await settle(pilot)
        await snapshots.take(pilot, f"downloads-{w}x{h}")
    snapshots.verify()


async def test_the_welcome_screen(snapshots, size):
    app = snap_app(None)
    w, h = size
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await snapshots.take(pilot, f"welcome-{w}x{h}")
    snapshots.verify()


class _Stopped:
    """A ``time`` module whose monotonic clock stands still."""

    @staticmethod
    def monotonic() -> float:
        return 1000.0


async def test_the_follow_ups_the_snooze_picker_the_snoozed_view_and_the_waiting_queue(demo_server, snapshots, size):
    from unibox_tui.ui.widgets.folder_bar import FolderBar

    app = snap_app(demo_server)
    w, h = size
    async with app.run_test(size=size) as pilot:
        await inbox_ready(pilot, demo_server)
        await pilot.press("h")
        await settle(pilot)
        await snapshots.take(pilot, f"snooze-picker-{w}x{h}")
        await pilot.press("1")
        await settle(pilot)
        await pilot.press("h", "2")  # two snoozed: one in an hour, one tomorrow morning
        await settle(pilot)
        folders = app.screen.query_one(FolderBar)
        folders.post_message(FolderBar.Selected(folders, "snoozed"))
        await settle(pilot)
        await snapshots.take(pilot, f"snoozed-{w}x{h}")
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("w")
        await settle(pilot)
        await snapshots.take(pilot, f"waiting-{w}x{h}")
    snapshots.verify()


async def test_reply_faster_snippets_marks_and_the_day_summary(demo_server, snapshots, size):
    from unibox_tui.domain.snippets import Snippet

    snippets = (
        Snippet("calendar", "Grab a slot that suits you, {first_name}: https://cal.example/me", ()),
        Snippet("pricing", "Our plans start at 49 a month; the details are attached.", ()),
    )
    # The summary names the export folder: one that reads the same in every run (nothing is exported).
    app = snap_app(demo_server, snippets=snippets, download_dir="/home/sdr/Downloads")
    w, h = size
    async with app.run_test(size=size) as pilot:
        await inbox_ready(pilot, demo_server)
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("ctrl+n")
        await settle(pilot)
        await snapshots.take(pilot, f"snippet-picker-{w}x{h}")
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("escape")  # the composer closes, the list has the focus again
        await settle(pilot)
        await pilot.press("m", "m", "m")
        await settle(pilot)
        await thread_caught_up(pilot, demo_server)
        await snapshots.take(pilot, f"marked-{w}x{h}")
        await pilot.press("escape", "T")
        await settle(pilot)
        await snapshots.take(pilot, f"day-summary-{w}x{h}")
    snapshots.verify()


async def test_a_pipe_prompt_and_its_output(demo_server, snapshots, size, monkeypatch):
    from types import SimpleNamespace

    from unibox_tui.domain import pipes
    from unibox_tui.domain.pipes import PipeCommand
    from unibox_tui.ui.screens.pipe_view import PipeView

    monkeypatch.setattr(pipes, "time", SimpleNamespace(monotonic=lambda: 0.0))  # "exit 0 · 0.0 s" on any machine

    # The first bytes of the conversation's JSON: the same in every run (the lead, which may or
    # may not be known yet, comes last).
    app = snap_app(demo_server, commands=(PipeCommand("peek", "head -c 240"),))
    w, h = size
    async with app.run_test(size=size) as pilot:
        await inbox_ready(pilot, demo_server)
        await pilot.press("|")
        await settle(pilot)
        await snapshots.take(pilot, f"pipe-prompt-{w}x{h}")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, PipeView) and not app.screen.running)
        await settle(pilot)
        await snapshots.take(pilot, f"pipe-output-{w}x{h}")
    snapshots.verify()
