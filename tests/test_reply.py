"""Replying, driven like a user would, against the real local server."""

from __future__ import annotations

import asyncio
import contextlib
import time
from pathlib import Path

import pytest
from helpers import clock_for, make_app, make_settings, screen_text, settle

from unibox_tui.api import Conversation, ReachkitClient
from unibox_tui.api.client import RetryPolicy
from unibox_tui.render.signature import prepare_signature
from unibox_tui.store.drafts import DELIVERY_UNKNOWN, Draft
from unibox_tui.ui.app import UniboxApp
from unibox_tui.ui.screens.drafts import DraftsScreen
from unibox_tui.ui.screens.help import binding_sections
from unibox_tui.ui.screens.send_anyway import SendAnywayScreen
from unibox_tui.ui.widgets.composer import Composer
from unibox_tui.ui.widgets.conversation_list import ConversationList
from unibox_tui.ui.widgets.thread_view import ThreadView

REPLY = r"/reply$"


def composer(app) -> Composer:
    return app.screen.query_one(Composer)


def listed_ids(app) -> list[str]:
    return [row.id for row in app.screen.query_one(ConversationList).rows]


def thread_text(app) -> str:
    return "\n".join(line.text for line in app.screen.query_one(ThreadView).document.lines())


def app_with_short_timeouts(server, **settings) -> tuple[UniboxApp, ReachkitClient]:
    client = ReachkitClient(
        server.key, server.base_url, timeout=0.6, retry=RetryPolicy(attempts=2, base_delay=0.05, max_delay=0.1)
    )
    return UniboxApp(make_settings(server, **settings), client=client, clock=clock_for(server)), client


async def open_composer(pilot, row: int = 0) -> Composer:
    await settle(pilot)
    listing = pilot.app.screen.query_one(ConversationList)
    listing.cursor = row
    await pilot.press("r")
    await settle(pilot)
    widget = composer(pilot.app)
    assert widget.is_open and pilot.app.focused is widget.text_area
    return widget


async def paste(pilot, text: str) -> None:
    """Put text in the composer as a paste does (typing each key costs ~0.1 s in Pilot)."""
    composer(pilot.app).text_area.insert(text)
    await pilot.pause()


async def wait_until(pilot, predicate, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await pilot.pause(0.05)


async def test_send_posts_once_with_the_escaped_html_and_the_reply_shows_up(demo_server):
    ids = demo_server.state.conversation_ids(folder="primary")
    app = make_app(demo_server)
    async with app.run_test(size=(140, 44), notifications=True) as pilot:
        widget = await open_composer(pilot, row=3)
        cid = widget.conversation_id
        assert cid == ids[3]
        await paste(pilot, "Hi **there**, see [our page](https://lanternfish.io)\n\n- ")
        await pilot.press(*"<script>", "enter", *"- *two*")  # typed, as the SDR would
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert demo_server.count("POST", REPLY) == 1
        (reply,) = demo_server.state.replies(cid)
        html = reply["html_body"]
        assert "<strong>there</strong>" in html and '<a href="https://lanternfish.io">our page</a>' in html
        assert "<li>&lt;script&gt;</li>" in html and "<script>" not in html
        assert "<li><em>two</em></li>" in html
        assert not widget.is_open and app.drafts.load(cid) is None
        # The reply is in the thread, and its conversation leads the list as on the server.
        assert "our page" in thread_text(app)
        assert listed_ids(app)[0] == cid
        assert "was sent" in screen_text(app)


async def test_a_500_keeps_the_draft_and_the_server_saw_one_post(demo_server):
    demo_server.faults.fail_next(1, status=500, method="POST", path=REPLY)
    app = make_app(demo_server)
    async with app.run_test(size=(140, 44), notifications=True) as pilot:
        widget = await open_composer(pilot)
        cid = widget.conversation_id
        await paste(pilot, "Worth a try")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert demo_server.count("POST", REPLY) == 1 and demo_server.state.replies(cid) == []
        # A 500 may come after the server stored it: the text is kept, locked, "delivery unknown".
        assert widget.is_open and widget.mode == "unknown" and widget.text_area.text == "Worth a try"
        assert app.drafts.load(cid).text == "Worth a try"
        assert "HTTP 500" in screen_text(app)
        # ctrl+s does not resend: it says what is known and asks; only "send anyway" sends again.
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, SendAnywayScreen)
        assert "twice" in screen_text(app) and "checked" in screen_text(app)
        assert demo_server.count("POST", REPLY) == 1
        await pilot.press("y")
        await settle(pilot)
        assert demo_server.count("POST", REPLY) == 2 and len(demo_server.state.replies(cid)) == 1


async def test_a_timeout_after_the_server_stored_it_ends_as_sent_without_a_second_post(demo_server):
    demo_server.faults.hang_seconds = 5
    demo_server.faults.fail_next(1, method="POST", path=REPLY, kind="hang", after_commit=True)
    app, client = app_with_short_timeouts(demo_server)
    try:
        async with app.run_test(size=(140, 44), notifications=True) as pilot:
            widget = await open_composer(pilot, row=2)
            cid = widget.conversation_id
            await paste(pilot, "Slow network, same reply")
            await pilot.press("ctrl+s", "ctrl+s")
            await settle(pilot, timeout=20)
            await wait_until(pilot, lambda: demo_server.count("POST", REPLY) >= 1)
            assert not widget.is_open and app.drafts.load(cid) is None
            assert "was sent" in screen_text(app)
            assert "Slow network, same reply" in thread_text(app)
        assert demo_server.count("POST", REPLY) == 1 and len(demo_server.state.replies(cid)) == 1
    finally:
        await client.aclose()


async def test_delivery_unknown_locks_the_draft_until_a_check_finds_the_reply(demo_server):
    app, client = app_with_short_timeouts(demo_server)
    try:
        async with app.run_test(size=(140, 44), notifications=True) as pilot:
            widget = await open_composer(pilot, row=1)
            cid = widget.conversation_id
            await paste(pilot, "Is anyone there?")
            demo_server.faults.fail_next(1, method="POST", path=REPLY, kind="drop", after_commit=True)
            demo_server.faults.fail_next(2, status=503, method="GET", path=f"/conversations/{cid}$", retry_after=0)
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert widget.mode == "unknown" and widget.text_area.read_only
            assert app.drafts.load(cid).state == DELIVERY_UNKNOWN
            assert "Delivery unknown" in screen_text(app)
            await pilot.press(*"more")  # locked: nothing changes
            assert widget.text_area.text == "Is anyone there?"
            await pilot.press("ctrl+s")  # checks, does not resend
            await settle(pilot)
            assert not widget.is_open and app.drafts.load(cid) is None
        assert demo_server.count("POST", REPLY) == 1 and len(demo_server.state.replies(cid)) == 1
    finally:
        await client.aclose()


async def test_a_second_ctrl_s_while_sending_does_nothing(demo_server, monkeypatch):
    app = make_app(demo_server)
    gate = asyncio.Event()
    real_reply = app.client.reply

    async def held_reply(*args, **kwargs):
        await gate.wait()  # the request is "in flight" until the test lets it go
        return await real_reply(*args, **kwargs)

    monkeypatch.setattr(app.client, "reply", held_reply)
    async with app.run_test(size=(140, 44)) as pilot:
        widget = await open_composer(pilot)
        await pilot.press(*"Once")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: widget.mode == "sending")
        assert widget.text_area.read_only
        await pilot.press("ctrl+s", "ctrl+s", *"more")
        assert widget.text_area.text == "Once"
        gate.set()
        await settle(pilot)
        assert not widget.is_open
    assert demo_server.count("POST", REPLY) == 1


async def test_undo_during_the_send_delay_sends_nothing(demo_server):
    app = make_app(demo_server, send_delay=60)
    async with app.run_test(size=(140, 44), notifications=True) as pilot:
        widget = await open_composer(pilot)
        await paste(pilot, "Wait, not yet")
        await pilot.press("ctrl+s")
        assert widget.mode == "countdown" and widget.text_area.read_only
        assert "Sending in" in screen_text(app) and "to undo" in screen_text(app)
        await pilot.press("ctrl+s")  # no second countdown
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert widget.mode == "editing" and widget.text_area.text == "Wait, not yet"
        assert not widget.text_area.read_only
        assert "back in the editor" in screen_text(app)
        # Escape during the countdown undoes too (it never closes a reply that is about to leave).
        await pilot.press("ctrl+s", "escape")
        assert widget.mode == "editing" and widget.is_open
        assert demo_server.count("POST", REPLY) == 0
        # Without undo, it goes out when the countdown ends.
        app.settings.send_delay = 0.3
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: demo_server.count("POST", REPLY) == 1)
        await settle(pilot)
        assert not widget.is_open


async def test_from_to_subject_and_signature_match_the_conversation_and_inbox(demo_server):
    app = make_app(demo_server)
    async with app.run_test(size=(160, 50)) as pilot:
        widget = await open_composer(pilot, row=4)
        conversation = Conversation.from_api(demo_server.state.get_conversation_dict(widget.conversation_id))
        inbox = next(i for i in demo_server.state.inboxes if i.email == conversation.inbox_email)
        text = screen_text(app)
        assert f"From  {inbox.first_name} {inbox.last_name} <{inbox.email}>" in text
        to = conversation.lead_email if not conversation.lead_name else f"{conversation.lead_name} <{conversation.lead_email}>"
        assert f"To    {to}" in text
        bare = conversation.subject.removeprefix("Re: ")
        assert f"Subj  Re: {bare}" in text and "Re: Re:" not in text
        for line in prepare_signature(inbox.signature).text.splitlines():
            assert line in text
        # The signature goes out (as safe HTML) and can be removed.
        await paste(pilot, "With signature")
        await pilot.press("ctrl+s")
        await settle(pilot)
        sent = demo_server.state.replies(conversation.id)[-1]["html_body"]
        assert f"<b>{inbox.first_name} {inbox.last_name}</b>" in sent and "style=" not in sent.split("With signature")[1]
        await open_composer(pilot, row=5)
        await pilot.press(*"Without")
        await pilot.press("ctrl+g")
        assert "Signature removed" in screen_text(app)
        await pilot.press("ctrl+s")
        await settle(pilot)
        cid = listed_ids(app)[0]
        assert demo_server.state.replies(cid)[-1]["html_body"] == "<div><p>Without</p></div>"


async def test_hostile_names_subject_and_signature_are_shown_as_text(make_demo_server):
    server = make_demo_server(conversations=5)
    inbox = server.state.inboxes[0]
    inbox.signature = '<b>[@click=app.quit]Maya[/]</b><script>alert(1)</script>\x1b]0;pwned\x07<img src=x onerror=y>'
    server.state.add_raw_conversation(
        {
            "id": "hostile-1",
            "status": "open",
            "messages": [
                {
                    "direction": "incoming",
                    "subject": "Re: RE: [@click=app.quit]Free[/] \x1b[31moffer",
                    "from_email": "[b]Boss[/b] \u202egnp.exe <boss@evil.example>",
                    "to_email": inbox.email,
                    "text_body": "Hello",
                    "html_body": "",
                    "email_date": "2026-05-28T09:00:00Z",
                    "is_read": False,
                    "attachments": [],
                }
            ],
        },
        position=0,
    )
    app = make_app(server)
    async with app.run_test(size=(160, 44)) as pilot:
        await open_composer(pilot, row=0)
        text = screen_text(app)
        assert "To    [b]Boss[/b] gnp.exe <boss@evil.example>" in text
        assert "Subj  Re: [@click=app.quit]Free[/] offer" in text
        assert "[@click=app.quit]Maya[/]" in text
        assert "\x1b" not in text and "\u202e" not in text and "alert" not in text
        await pilot.press(*"ok", "ctrl+s")
        await settle(pilot)
        assert app.is_running
        html = server.state.replies("hostile-1")[0]["html_body"]
        assert "<script" not in html and "onerror" not in html and "\x1b" not in html
        assert "<b>[@click=app.quit]Maya[/]</b>" in html


async def test_escape_keeps_the_draft_and_r_brings_it_back(demo_server):
    app = make_app(demo_server)
    async with app.run_test(size=(140, 44)) as pilot:
        widget = await open_composer(pilot, row=2)
        cid = widget.conversation_id
        await paste(pilot, "Half a thought")
        await pilot.press("escape")
        assert not widget.is_open and app.focused is app.screen.query_one(ConversationList)
        assert app.drafts.load(cid).text == "Half a thought"
        await settle(pilot)
        assert "Drafts 1" in screen_text(app)
        await open_composer(pilot, row=2)
        assert widget.text_area.text == "Half a thought"
        # Emptying it and closing forgets the draft.
        await pilot.press("ctrl+a", "shift+end", "backspace", "escape")
        await settle(pilot)
        assert app.drafts.load(cid) is None
        assert demo_server.count("POST", REPLY) == 0


async def test_the_drafts_room_lists_drafts_and_reopens_one_off_the_page(demo_server):
    ids = demo_server.state.conversation_ids(folder="primary")
    far = ids[-1]  # not on the first page
    app = make_app(demo_server, page_size=10)
    conversation = Conversation.from_api(demo_server.state.get_conversation_dict(far))
    app.drafts.save(
        app.drafts.bump(Draft(far, text="Following up on pricing", subject="Re: Pricing", to_email=conversation.lead_email))
    )
    async with app.run_test(size=(140, 44)) as pilot:
        await settle(pilot)
        assert "Drafts 1" in screen_text(app)
        await pilot.press("D")
        await settle(pilot)
        assert isinstance(app.screen, DraftsScreen)
        text = screen_text(app)
        assert conversation.lead_email in text and "Re: Pricing" in text and "Following up on pricing" in text
        assert "just now" in text
        await pilot.press("enter")
        await settle(pilot)
        widget = composer(app)
        assert widget.is_open and widget.conversation_id == far
        assert widget.text_area.text == "Following up on pricing"


async def test_a_damaged_draft_file_is_set_aside_and_the_app_keeps_going(demo_server):
    app = make_app(demo_server)
    cid = demo_server.state.conversation_ids(folder="primary")[0]
    path = app.drafts.path_for(cid)
    path.parent.mkdir(parents=True)
    path.write_text('{"conversation_id": "' + cid + '", "text": ')
    async with app.run_test(size=(140, 44), notifications=True) as pilot:
        widget = await open_composer(pilot, row=0)
        assert widget.text_area.text == ""
        assert "kept aside" in screen_text(app)
        assert any(".corrupt-" in p.name for p in path.parent.iterdir())


async def test_quote_and_preview(demo_server):
    app = make_app(demo_server)
    async with app.run_test(size=(160, 50)) as pilot:
        widget = await open_composer(pilot, row=3)
        await paste(pilot, "Answer on top")
        await pilot.press("ctrl+t")
        await settle(pilot)
        text = widget.text_area.text
        assert text.startswith("Answer on top\n\nOn ") and "wrote:\n> " in text
        await pilot.press("ctrl+o")
        await settle(pilot)
        shown = screen_text(app)
        assert "What the lead will read" in shown and "Answer on top" in shown and "> " in shown
        await pilot.press("ctrl+o", "ctrl+s")
        await settle(pilot)
        html = demo_server.state.replies(widget.conversation_id or listed_ids(app)[0])[-1]["html_body"]
        assert html.index("Answer on top") < html.index("<b>") < html.index("<blockquote")


async def test_ctrl_e_hands_the_draft_to_the_editor_and_reads_it_back(demo_server, tmp_path, monkeypatch):
    editor = tmp_path / "editor.sh"
    editor.write_text('#!/bin/sh\nprintf "%s\\n\\nWritten in the editor" "$(cat "$1")" > "$1"\n')
    editor.chmod(0o755)
    monkeypatch.setenv("VISUAL", str(editor))
    app = make_app(demo_server)
    async with app.run_test(size=(140, 44)) as pilot:
        monkeypatch.setattr(app, "suspend", contextlib.nullcontext)  # headless: nothing to suspend
        widget = await open_composer(pilot)
        await pilot.press(*"Typed here")
        await pilot.press("ctrl+e")
        await settle(pilot)
        assert widget.text_area.text == "Typed here\n\nWritten in the editor"
        assert app.drafts.load(widget.conversation_id).text == "Typed here\n\nWritten in the editor"
        assert not [p for p in app.drafts.directory.iterdir() if p.name.startswith(".edit-")]


async def test_narrow_terminal_composes_full_screen_and_escape_returns_to_the_list(demo_server):
    app = make_app(demo_server)
    async with app.run_test(size=(80, 24)) as pilot:
        widget = await open_composer(pilot)
        screen = app.screen
        assert screen.has_class("-reading") and screen.has_class("-composing")
        assert widget.region.width >= 78 and widget.region.height >= 18
        assert not screen.query_one(ThreadView).display or screen.query_one(ThreadView).region.height == 0
        await pilot.press("ctrl+f")
        assert screen.maximized is widget
        await pilot.press("escape")  # restores first
        assert screen.maximized is None and widget.is_open
        await pilot.press("escape")
        await settle(pilot)
        assert not widget.is_open and not screen.has_class("-reading")
        assert app.focused is screen.query_one(ConversationList)


async def test_quitting_with_the_composer_open_saves_what_was_typed(demo_server):
    app = make_app(demo_server)
    async with app.run_test(size=(140, 44)) as pilot:
        widget = await open_composer(pilot)
        cid = widget.conversation_id
        await paste(pilot, "Typed just before quitting")
        await pilot.press("ctrl+q")
    assert app.drafts.load(cid).text == "Typed just before quitting"


async def test_the_keys_are_in_the_help_screen_and_the_palette(demo_server):
    app = make_app(demo_server)
    async with app.run_test(size=(140, 60)) as pilot:
        await open_composer(pilot)
        commands = [command.title for command in app.get_system_commands(app.screen)]
        assert {"Reply", "Drafts", "Reply: send", "Reply: preview", "Reply: quote last message"} <= set(commands)
    sections = dict(binding_sections())
    rows = dict(sections["Reply composer"])
    assert rows["ctrl+s"] == "Send" and rows["esc"] == "Close (keep draft)" and rows["ctrl+z"] == "Undo send"
    assert {"$EDITOR", "Preview", "Quote last", "Signature", "Maximise"} <= set(rows.values())
    assert dict(sections["Drafts"])["enter"] == "Open"
    # A remapped key shows as remapped.
    assert dict(dict(binding_sections({"composer.preview": "f2"}))["Reply composer"])["f2"] == "Preview"


@pytest.mark.parametrize("size", [(80, 24), (200, 60)])
async def test_the_composer_fits_small_and_large_terminals(demo_server, size):
    app = make_app(demo_server)
    async with app.run_test(size=size) as pilot:
        widget = await open_composer(pilot)
        text = screen_text(app)
        assert "From  " in text and "Subj  Re: " in text
        assert widget.text_area.region.height >= 3
        assert widget.region.right <= size[0] and widget.region.bottom <= size[1]


def test_drafts_folder_is_under_the_data_dir(isolated_env):
    assert Path(make_app().drafts.directory).is_relative_to(isolated_env.data)


async def test_moving_to_another_conversation_puts_the_draft_away(demo_server):
    app = make_app(demo_server)
    async with app.run_test(size=(160, 44), notifications=True) as pilot:
        widget = await open_composer(pilot, row=0)
        cid = widget.conversation_id
        await paste(pilot, "Parked for later")
        listing = app.screen.query_one(ConversationList)
        listing.focus()
        await pilot.press("down")
        await settle(pilot)
        assert not widget.is_open and not app.screen.has_class("-composing")
        assert app.drafts.load(cid).text == "Parked for later"
        assert "kept as a draft" in screen_text(app)
