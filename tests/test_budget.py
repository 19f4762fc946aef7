"""The client-wide request budget (issue 16, item 5), against the local server's real rate limiter.

What a user would notice: a reply (or a triage PATCH) sent while lead lookups and scans are
running goes out ahead of them, not after; and once the server says "too many requests", the
whole client slows down, so the 429s stop instead of piling up.
"""

from __future__ import annotations

import asyncio

import pytest

from unibox_tui.api import ReachkitClient, ReachkitError
from unibox_tui.api.budget import Priority, RequestBudget, background, priority
from unibox_tui.api import lead_lookup
from unibox_tui.api.lead_lookup import LeadFinder, sending_from_first
from unibox_tui.api.models import Campaign, InboxRef
from unibox_tui.demo.ratelimit import parse_rate


def limited(server) -> list:
    return [r for r in server.requests if r.fault == "rate_limit"]


async def background_reads(client: ReachkitClient, count: int) -> list[object]:
    """``count`` list requests from background workers at once (as lookups and scans make them)."""

    async def one(number: int) -> object:
        with background():
            try:
                return await client.list_conversations(page=1 + number % 3, page_size=5)
            except ReachkitError as error:
                return error

    return await asyncio.gather(*(one(n) for n in range(count)))


async def test_a_reply_goes_out_ahead_of_background_lookups_queued_before_it(make_demo_server):
    server = make_demo_server(rate_limit=10.0)
    target = server.state.conversation_ids()[0]
    async with ReachkitClient(server.key, server.base_url, budget=RequestBudget(rate=10, burst=10)) as client:
        lookups = asyncio.create_task(background_reads(client, 20))
        while client.budget.granted < 3:  # the lookups have the budget's burst; the rest queue
            await asyncio.sleep(0.01)
        message = await client.reply(target, "<p>Tuesday works.</p>")
        await lookups
    assert "Tuesday" in message.html_body
    records = server.requests
    reply_at = next(i for i, r in enumerate(records) if r.method == "POST")
    assert records[reply_at].status == 201
    later_lookups = [r for r in records[reply_at + 1:] if r.method == "GET"]
    # It did not wait for the lookups queued before it: nearly all of them reached the server after it.
    assert len(later_lookups) >= 12


async def test_after_one_429_every_request_waits_and_the_429s_stop(make_demo_server):
    server = make_demo_server(rate_limit=5.0)
    # A budget faster than the server allows: the server's limit is found by its 429s.
    async with ReachkitClient(server.key, server.base_url, budget=RequestBudget(rate=8, burst=8)) as client:
        answers = await background_reads(client, 20)
        budgeted_429s = len(limited(server))
        assert client.budget.limited >= 1  # it met the limit, and slowed down for everyone
    server.clear_requests()
    server.rate_limit.configure(5.0)
    # The same requests with no budget to speak of: every worker for itself.
    async with ReachkitClient(server.key, server.base_url, budget=RequestBudget(rate=10_000, burst=10_000)) as free:
        free.budget.back_off = lambda retry_after: None  # type: ignore[method-assign]
        await background_reads(free, 20)
    unbudgeted_429s = len(limited(server))
    assert all(not isinstance(a, ReachkitError) for a in answers), answers  # every read got its page
    assert budgeted_429s * 4 <= unbudgeted_429s, (budgeted_429s, unbudgeted_429s)


async def test_a_429_s_retry_after_pauses_the_requests_that_did_not_meet_it():
    budget = RequestBudget(rate=100, burst=100)
    budget.back_off(0.3)
    assert budget.paused_for > 0.2
    order: list[str] = []

    async def go(name: str, level: Priority) -> None:
        await budget.acquire(level)
        order.append(name)

    tasks = [asyncio.create_task(go("lookup", Priority.BACKGROUND)), asyncio.create_task(go("batch", Priority.BULK))]
    await asyncio.sleep(0.05)
    assert order == []  # nobody goes during the pause, whatever its priority
    tasks.append(asyncio.create_task(go("reply", Priority.USER)))
    await asyncio.gather(*tasks)
    assert order == ["reply", "batch", "lookup"]  # and when it ends, the user's request goes first


async def test_the_priority_is_inherited_by_the_tasks_a_worker_starts():
    seen: list[Priority] = []
    budget = RequestBudget()
    real = budget.acquire

    async def spy(level: Priority | None = None) -> None:
        from unibox_tui.api.budget import current_priority

        seen.append(current_priority() if level is None else level)
        await real(level)

    budget.acquire = spy  # type: ignore[method-assign]
    with priority(Priority.BULK):
        await asyncio.gather(budget.acquire(), asyncio.create_task(budget.acquire()))
    await budget.acquire()
    assert seen == [Priority.BULK, Priority.BULK, Priority.USER]


def test_campaigns_sending_from_the_inbox_the_lead_wrote_to_are_asked_first():
    campaigns = [
        Campaign("c1", "Other", inboxes=(InboxRef("i1", "sam@acme.io"),)),
        Campaign("c2", "Q3 outreach", inboxes=(InboxRef("i2", "Jo@Acme.io"), InboxRef("i1", "sam@acme.io"))),
        Campaign("c3", "Listed by the inbox"),
        Campaign("c4", "Also jo", inboxes=(InboxRef("i2", "jo@acme.io"),)),
    ]
    senders = {"jo@acme.io": frozenset({"c3"})}
    assert [c.id for c in sending_from_first(campaigns, " jo@acme.io", senders)] == ["c2", "c3", "c4", "c1"]
    assert sending_from_first(campaigns, "") == campaigns


async def test_a_lead_lookup_asks_the_campaigns_sending_from_the_lead_s_inbox_first(demo_server, monkeypatch):
    monkeypatch.setattr(lead_lookup, "CONCURRENCY", 1)  # one at a time: the order they are asked in is seen
    async with ReachkitClient(demo_server.key, demo_server.base_url) as client:
        inboxes = {i.email.lower(): {c.id for c in i.campaigns} for i in await client.list_inboxes()}
        campaigns = await client.list_campaigns()
        conversation = next(
            c for c in (await client.list_conversations(page_size=50)).items
            if 0 < len(inboxes.get(c.inbox_email.lower(), ())) < len(campaigns) - 1
        )
        sending = inboxes[conversation.inbox_email.lower()]
        demo_server.clear_requests()
        await LeadFinder(client).find(conversation.lead_email, inbox=conversation.inbox_email)
    searched = [r.path.split("/")[-2] for r in demo_server.requests if r.path.endswith("/leads")]
    assert len(searched) == len(campaigns)
    assert set(searched[: len(sending)]) == sending


def test_the_demo_server_reads_its_rate_limit_flag():
    assert parse_rate("10/s") == 10.0
    assert parse_rate("120/min") == 2.0
    with pytest.raises(ValueError):
        parse_rate("0/s")
