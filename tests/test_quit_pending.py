"""Quitting with a reply on its way asks first; a reply left unsettled is checked at the next start."""

from __future__ import annotations

import asyncio
import time

from helpers import make_app, notifications, screen_text, settle

from unibox_tui.api import Conversation
from unibox_tui.render.compose import compose_html
from unibox_tui.render.thread import person
from unibox_tui.store.drafts import DELIVERY_UNKNOWN, EDITING, SENDING, Draft
from unibox_tui.store.outbox import baseline_of
from unibox_tui.ui.screens.quit_pending import QuitPendingScreen
from unibox_tui.ui.widgets.composer import Composer
from unibox_tui.ui.widgets.conversation_list import ConversationList

REPLY = r"/reply$"


async def wait_until(pilot, predicate, timeout: float = 15.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not met in time")
        await pilot.pause(0.05)


async def start_a_reply(pilot, text: str, row: int = 0) -> Composer:
    await settle(pilot)
    pilot.app.screen.query_one(ConversationList).cursor = row
    await pilot.press("r")
    await settle(pilot)
    composer = pilot.app.screen.query_one(Composer)
    composer.text_area.insert(text)
    await pilot.pause()
    await pilot.press("ctrl+s")
    return composer


def lead_of(server, conversation_id: str) -> str:
    conversation = Conversation.from_api(server.state.get_conversation_dict(conversation_id))
    return person(conversation.lead_name, conversation.lead_email, max_chars=60)


async def test_quitting_during_the_send_delay_asks_and_keep_as_draft_keeps_it(demo_server):
    app = make_app(demo_server, send_delay=60)
    async with app.run_test(size=(120, 40)) as pilot:
        composer = await start_a_reply(pilot, "Counting down when I quit")
        cid = composer.conversation_id
        assert composer.mode == "countdown"
        await pilot.press("ctrl+q")
        await settle(pilot)
        text = screen_text(app)
        assert "still on its way" in text and "Send now" in text and "Keep as draft" in text and "Cancel" in text
        assert lead_of(demo_server, cid) in text
        left = composer.session.countdown_left()
        await pilot.pause(1.2)
        assert composer.session.countdown_left() == left > 50  # paused while the question is open
        await pilot.press("escape")  # cancel: nothing changes, the countdown carries on
        await settle(pilot)
        assert app.is_running and composer.mode == "countdown"
        app.screen.query_one(ConversationList).focus()
        await pilot.press("q")  # the plain q asks too
        await settle(pilot)
        assert "Keep as draft" in screen_text(app)
        await pilot.press("k")
        await wait_until(pilot, lambda: not app.is_running, what="the app to quit")
    assert demo_server.count("POST", REPLY) == 0
    kept = app.drafts.load(cid)
    assert kept.state == EDITING and kept.text == "Counting down when I quit"


async def test_quitting_during_the_send_delay_with_send_now_sends_it_before_quitting(demo_server):
    app = make_app(demo_server, send_delay=60)
    async with app.run_test(size=(120, 40)) as pilot:
        composer = await start_a_reply(pilot, "Send it on my way out", row=2)
        cid = composer.conversation_id
        await pilot.press("ctrl+q")
        await settle(pilot)
        await pilot.press("s")
        await wait_until(pilot, lambda: not app.is_running, what="the app to quit")
    assert demo_server.count("POST", REPLY) == 1
    assert [r["html_body"] for r in demo_server.state.replies(cid)][0].count("Send it on my way out") == 1
    assert app.drafts.load(cid) is None


async def test_quitting_mid_post_waits_for_the_answer(demo_server, monkeypatch):
    app = make_app(demo_server)
    gate = asyncio.Event()
    real_reply = app.client.reply

    async def held_reply(*args, **kwargs):
        await gate.wait()  # in flight until the test lets it go
        return await real_reply(*args, **kwargs)

    monkeypatch.setattr(app.client, "reply", held_reply)
    async with app.run_test(size=(120, 40)) as pilot:
        composer = await start_a_reply(pilot, "In flight when I quit", row=1)
        cid = composer.conversation_id
        await wait_until(pilot, lambda: composer.mode == "sending", what="the POST to start")
        await pilot.press("ctrl+q")
        await wait_until(pilot, lambda: isinstance(app.screen, QuitPendingScreen), what="the question")
        await pilot.pause(0.1)
        assert "being sent" in screen_text(app)
        await pilot.press("k")
        await pilot.pause(0.3)
        assert app.is_running  # waiting for the answer...
        gate.set()
        await wait_until(pilot, lambda: not app.is_running, what="the app to quit")  # ...then gone
    assert demo_server.count("POST", REPLY) == 1 and app.drafts.load(cid) is None


async def test_unsettled_replies_are_checked_at_start_up_and_the_user_is_told(demo_server):
    ids = demo_server.state.conversation_ids(folder="primary")
    arrived, lost = ids[3], ids[4]
    app = make_app(demo_server)
    # Left by the last run: one whose POST did arrive (the app died before the answer), one that never did.
    for cid, text, state in ((arrived, "It did arrive", SENDING), (lost, "It never arrived", DELIVERY_UNKNOWN)):
        known = Conversation.from_api(demo_server.state.get_conversation_dict(cid))
        baseline, newest = baseline_of(known)
        html = compose_html(text)
        draft = app.drafts.bump(Draft(cid, text=text, to_email=known.lead_email, to_name=known.lead_name), state=state,
                                sent_html=html, started_at=time.time() - 60, baseline=baseline, baseline_newest=newest)
        app.drafts.save(draft)
    demo_server.state.reply(arrived, compose_html("It did arrive"))
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await wait_until(pilot, lambda: app.drafts.load(arrived) is None, what="the start-up check")
        await wait_until(pilot, lambda: any(lead_of(demo_server, lost) in n.message for n in notifications(app)),
                         what="a word about the other one")
        await settle(pilot)
        shown = notifications(app)
        assert any(n.title == "Sent" and lead_of(demo_server, arrived) in n.message for n in shown)
        about_lost = [n for n in shown if lead_of(demo_server, lost) in n.message]
        assert about_lost and "not" in about_lost[-1].message and about_lost[-1].severity == "warning"
        assert not app.screen.query_one(Composer).is_open  # told, without opening the composer
        assert app.drafts.load(lost).state == DELIVERY_UNKNOWN
    assert demo_server.count("POST", REPLY) == 0
    assert len(demo_server.state.replies(arrived)) == 1 and demo_server.state.replies(lost) == []
