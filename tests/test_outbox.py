"""The send state machine against the real local server: one POST at most, no draft ever lost."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from unibox_tui.api import Conversation, ReachkitClient
from unibox_tui.api.client import RetryPolicy
from unibox_tui.render.compose import compose_html
from unibox_tui.store.drafts import DELIVERY_UNKNOWN, EDITING, SENDING, Draft, DraftStore
from unibox_tui.store.outbox import Outbox, SendStatus, baseline_of

REPLY = r"/reply$"


@pytest.fixture
def store(tmp_path: Path) -> DraftStore:
    return DraftStore(tmp_path / "drafts")


def client_for(server, timeout: float = 1.0) -> ReachkitClient:
    return ReachkitClient(
        server.key, server.base_url, timeout=timeout, retry=RetryPolicy(attempts=2, base_delay=0.05, max_delay=0.1)
    )


def new_draft(store: DraftStore, conversation_id: str, text: str) -> Draft:
    draft = store.bump(Draft(conversation_id, text=text))
    store.save(draft)
    return draft


def wait_for(predicate, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.05)


def replies_with(server, conversation_id: str, words: str) -> int:
    return sum(words in reply["html_body"] for reply in server.state.replies(conversation_id))


async def test_success_posts_once_and_deletes_the_draft(demo_server, store):
    cid = demo_server.state.conversation_ids()[0]
    draft = new_draft(store, cid, "Thanks, *Tuesday* works.")
    async with client_for(demo_server) as client:
        outcome = await Outbox(client, store).send(draft, compose_html(draft.text))
    assert outcome.status == SendStatus.SENT and outcome.posted
    assert outcome.message is not None and outcome.message.outgoing
    assert demo_server.count("POST", REPLY) == 1
    assert store.load(cid) is None


async def test_a_500_keeps_the_draft_locked_after_exactly_one_post(demo_server, store):
    """A 5xx may come after the server stored the reply: not found yet is not "not sent"."""
    cid = demo_server.state.conversation_ids()[0]
    draft = new_draft(store, cid, "Sending into a failing server")
    demo_server.faults.fail_next(1, status=500, method="POST", path=REPLY)
    async with client_for(demo_server) as client:
        outcome = await Outbox(client, store).send(draft, compose_html(draft.text))
    assert outcome.status == SendStatus.UNKNOWN and "HTTP 500" in outcome.detail
    assert demo_server.count("POST", REPLY) == 1
    kept = store.load(cid)
    assert kept.state == DELIVERY_UNKNOWN and kept.text == draft.text and "HTTP 500" in kept.note
    assert kept.checks == 1 and kept.check_result.startswith("the reply is not in the conversation")
    assert demo_server.state.replies(cid) == []


async def test_a_500_after_the_server_stored_it_counts_as_sent(demo_server, store):
    cid = demo_server.state.conversation_ids()[1]
    draft = new_draft(store, cid, "Stored, then the proxy failed")
    demo_server.faults.fail_next(1, status=502, method="POST", path=REPLY, after_commit=True)
    async with client_for(demo_server) as client:
        outcome = await Outbox(client, store).send(draft, compose_html(draft.text))
    assert outcome.status == SendStatus.SENT and outcome.conversation is not None
    assert demo_server.count("POST", REPLY) == 1 and len(demo_server.state.replies(cid)) == 1
    assert store.load(cid) is None


@pytest.mark.parametrize("kind", ["hang", "drop", "malformed"])
async def test_an_ambiguous_failure_after_commit_ends_sent_without_a_second_post(demo_server, store, kind):
    cid = demo_server.state.conversation_ids()[2]
    draft = new_draft(store, cid, f"Ambiguous {kind}")
    demo_server.faults.hang_seconds = 5
    demo_server.faults.fail_next(1, method="POST", path=REPLY, kind=kind, after_commit=True)
    async with client_for(demo_server, timeout=0.5) as client:
        outcome = await Outbox(client, store).send(draft, compose_html(draft.text))
    assert outcome.status == SendStatus.SENT
    wait_for(lambda: demo_server.count("POST", REPLY) >= 1)  # a hung request is logged when it ends
    time.sleep(0.2)
    assert demo_server.count("POST", REPLY) == 1
    assert replies_with(demo_server, cid, f"Ambiguous {kind}") == 1
    assert store.load(cid) is None


@pytest.mark.parametrize("kind", ["hang", "drop"])
async def test_an_ambiguous_failure_that_did_not_arrive_keeps_the_draft_locked(demo_server, store, kind):
    cid = demo_server.state.conversation_ids()[3]
    draft = new_draft(store, cid, f"Lost on the way {kind}")
    demo_server.faults.hang_seconds = 5
    demo_server.faults.fail_next(1, method="POST", path=REPLY, kind=kind, after_commit=False)
    async with client_for(demo_server, timeout=0.5) as client:
        outbox = Outbox(client, store)
        outcome = await outbox.send(draft, compose_html(draft.text))
        # It may still arrive (a late commit looks exactly like this): unknown, and sending only looks.
        assert outcome.status == SendStatus.UNKNOWN and "not in the conversation" in outcome.detail
        again = await outbox.send(outcome.draft, compose_html(draft.text))
    assert again.status == SendStatus.UNKNOWN and not again.posted and again.draft.checks == 2
    kept = store.load(cid)
    assert kept.state == DELIVERY_UNKNOWN and kept.text == draft.text
    assert demo_server.state.replies(cid) == [] and demo_server.count("POST", REPLY) == 1


async def test_a_late_commit_is_found_by_a_later_check_and_never_posted_twice(demo_server, store):
    cid = demo_server.state.conversation_ids()[8]
    draft = new_draft(store, cid, "Stored after the client gave up")
    html = compose_html(draft.text)
    demo_server.faults.reply_commit_delay = 1.0
    async with client_for(demo_server, timeout=0.4) as client:
        outbox = Outbox(client, store)
        first = await outbox.send(draft, html)
        assert first.status == SendStatus.UNKNOWN and first.posted  # timed out; the first look finds nothing
        assert demo_server.state.replies(cid) == []
        wait_for(lambda: len(demo_server.state.replies(cid)) == 1)
        later = await outbox.send(first.draft, html)  # what ctrl+s does now: look again, never POST
    assert later.status == SendStatus.SENT and not later.posted
    assert demo_server.count("POST", REPLY) == 1 and len(demo_server.state.replies(cid)) == 1
    assert store.load(cid) is None


async def test_send_anyway_is_one_new_post_after_the_users_choice(demo_server, store):
    cid = demo_server.state.conversation_ids()[9]
    draft = new_draft(store, cid, "Really lost")
    html = compose_html(draft.text)
    demo_server.faults.fail_next(1, method="POST", path=REPLY, kind="drop", after_commit=False)
    async with client_for(demo_server) as client:
        outbox = Outbox(client, store)
        unknown = await outbox.send(draft, html)
        assert unknown.status == SendStatus.UNKNOWN
        anyway = await outbox.send_anyway(unknown.draft, html)
    assert anyway.status == SendStatus.SENT and anyway.posted
    assert demo_server.count("POST", REPLY) == 2 and len(demo_server.state.replies(cid)) == 1
    assert store.load(cid) is None


async def test_delivery_unknown_blocks_a_resend_until_checked(demo_server, store):
    cid = demo_server.state.conversation_ids()[4]
    draft = new_draft(store, cid, "Did this arrive?")
    html = compose_html(draft.text)
    demo_server.faults.fail_next(1, method="POST", path=REPLY, kind="drop", after_commit=True)
    demo_server.faults.fail_next(4, status=503, method="GET", path=f"/conversations/{cid}$", retry_after=0)
    async with client_for(demo_server) as client:
        outbox = Outbox(client, store)
        known = Conversation.from_api(demo_server.state.get_conversation_dict(cid))
        outcome = await outbox.send(draft, html, known=known)
        assert outcome.status == SendStatus.UNKNOWN
        assert store.load(cid).state == DELIVERY_UNKNOWN
        # Still down: the next send only asks, it does not POST.
        again = await outbox.send(outcome.draft, html)
        assert again.status == SendStatus.UNKNOWN and not again.posted
        assert demo_server.count("POST", REPLY) == 1
        # The server is back: the check finds the reply; nothing is sent twice.
        settled = await outbox.send(again.draft, html)
    assert settled.status == SendStatus.SENT and not settled.posted
    assert demo_server.count("POST", REPLY) == 1 and len(demo_server.state.replies(cid)) == 1
    assert store.load(cid) is None


async def test_an_attempt_interrupted_by_a_crash_is_checked_before_anything_is_sent(demo_server, store):
    ids = demo_server.state.conversation_ids()
    html_sent = compose_html("Sent just before the crash")
    known = Conversation.from_api(demo_server.state.get_conversation_dict(ids[5]))
    async with client_for(demo_server) as client:
        await client.reply(ids[5], html_sent)
        # The app died after the POST left: the draft says "sending".
        baseline, newest = baseline_of(known)
        crashed = store.bump(Draft(ids[5], text="Sent just before the crash"), state=SENDING, sent_html=html_sent,
                             started_at=time.time(), baseline=baseline, baseline_newest=newest)
        store.save(crashed)
        outcome = await Outbox(client, store).send(store.load(ids[5]), html_sent)
        assert outcome.status == SendStatus.SENT and not outcome.posted
        # The app died around the POST, which never left: the check finds nothing, and that is not
        # proof it never left (nor that it will not land later): no POST until the user says so.
        html_lost = compose_html("Never left")
        lost = store.bump(Draft(ids[6], text="Never left"), state=SENDING, sent_html=html_lost, started_at=time.time(),
                          baseline=[], baseline_newest=None)
        store.save(lost)
        second = await Outbox(client, store).send(store.load(ids[6]), html_lost)
        assert second.status == SendStatus.UNKNOWN and not second.posted
        assert store.load(ids[6]).state == DELIVERY_UNKNOWN
        third = await Outbox(client, store).send_anyway(second.draft, html_lost)
    assert third.status == SendStatus.SENT and third.posted
    assert demo_server.count("POST", REPLY) == 2
    assert len(demo_server.state.replies(ids[5])) == 1 and len(demo_server.state.replies(ids[6])) == 1


async def test_the_same_words_sent_earlier_are_not_mistaken_for_this_attempt(demo_server, store):
    cid = demo_server.state.conversation_ids()[7]
    html = compose_html("Thanks!")
    async with client_for(demo_server) as client:
        await client.reply(cid, html)  # an earlier "Thanks!" in the thread
        known = await client.get_conversation(cid)
        draft = new_draft(store, cid, "Thanks!")
        demo_server.faults.fail_next(1, method="POST", path=REPLY, kind="drop", after_commit=False)
        outcome = await Outbox(client, store).send(draft, html, known=known)
    assert outcome.status == SendStatus.UNKNOWN  # the earlier "Thanks!" is not taken for this one
    assert store.load(cid).text == "Thanks!"


async def test_a_refused_reply_and_an_unreachable_server_keep_the_draft(make_demo_server, store):
    server = make_demo_server(conversations=5)
    cid = server.state.conversation_ids()[0]
    draft = new_draft(store, cid, "Refused")
    server.faults.fail_next(1, status=422, method="POST", path=REPLY)
    async with client_for(server) as client:
        refused = await Outbox(client, store).send(draft, compose_html("Refused"))
    assert refused.status == SendStatus.FAILED and store.load(cid).state == EDITING
    base_url = server.base_url
    server.stop()
    known = Conversation.from_api(server.state.get_conversation_dict(cid))
    async with ReachkitClient(server.key, base_url, timeout=1.0, retry=RetryPolicy(attempts=1)) as client:
        down = await Outbox(client, store).send(store.load(cid), compose_html("Refused"))
        # With the conversation known, the POST itself is refused before any byte left: provably
        # not sent, so it stays editable and may be sent again.
        refused_connect = await Outbox(client, store).send(store.load(cid), compose_html("Refused"), known=known)
    assert down.status == SendStatus.NOT_DELIVERED and not down.posted
    assert refused_connect.status == SendStatus.NOT_DELIVERED and refused_connect.posted
    assert store.load(cid).text == "Refused" and store.load(cid).state == EDITING
