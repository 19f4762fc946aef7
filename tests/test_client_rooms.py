"""Every endpoint beyond the Unibox through the client, against the real local server.

Inboxes, warmup stats, the blocklist, campaigns, analytics, sequences and leads: the documented
shapes, pagination and errors, and which requests are (and are not) retried.
"""

from __future__ import annotations

import json

import httpx
import pytest

from unibox_tui.api import (
    AuthenticationError,
    NotFoundError,
    ProtocolError,
    ReachkitClient,
    RetryPolicy,
    ServerError,
    ValidationError,
)
from unibox_tui.api.lead_lookup import LeadFinder
from unibox_tui.demo.store import lead_dict

FAST = RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.05, max_retry_after=5)


def client_for(server, **kwargs) -> ReachkitClient:
    kwargs.setdefault("retry", FAST)
    return ReachkitClient(server.key, server.base_url, **kwargs)


# -- inboxes --------------------------------------------------------------------------------------------


async def test_inboxes_index_and_show_match_the_workspace(demo_server):
    state = demo_server.state
    async with client_for(demo_server) as client:
        inboxes = await client.list_inboxes()
        assert [i.id for i in inboxes] == [i.id for i in state.inboxes]
        for inbox, record in zip(inboxes, state.inboxes, strict=True):
            assert (inbox.email, inbox.domain, inbox.connection_status) == (
                record.email, record.domain, record.connection_status)
            assert (inbox.daily_campaign_limit, inbox.daily_warmup_limit) == (
                record.daily_campaign_limit, record.daily_warmup_limit)
            assert inbox.is_warming is record.is_warming and inbox.is_active is record.is_active
            assert inbox.domain_records_status == record.domain_records_status
            assert {c.id for c in inbox.campaigns} == {c.id for c in state.campaigns if record.id in c.inbox_ids}
            assert await client.get_inbox(inbox.id) == inbox
        assert [i.email for i in inboxes if i.disconnected] == [
            i.email for i in state.inboxes if i.connection_status == "disconnected"]
        with pytest.raises(NotFoundError):
            await client.get_inbox("no-such-inbox")


async def test_warmup_stats_cover_seven_days_and_add_up(demo_server):
    async with client_for(demo_server) as client:
        for inbox in await client.list_inboxes():
            stats = await client.inbox_warmup_stats(inbox.id)
            assert len(stats.daily_stats) == 7
            assert stats.total_sent == sum(d.total_sent for d in stats.daily_stats)
            assert stats.saved_from_spam == sum(d.spam_count for d in stats.daily_stats)
            assert stats.health_score is not None and 0 <= stats.health_score <= 100
            assert stats.ramp_up_progress is not None and 0 <= stats.ramp_up_progress <= 100
            if not inbox.is_warming or inbox.disconnected:
                assert stats.total_sent == 0
        with pytest.raises(NotFoundError):
            await client.inbox_warmup_stats("no-such-inbox")


# -- blocklist ------------------------------------------------------------------------------------------


async def test_blocklist_index_create_check_delete(demo_server):
    state = demo_server.state
    async with client_for(demo_server) as client:
        entries = await client.list_blocklist()
        assert [(e.id, e.email) for e in entries] == [(b.id, b.email) for b in state.blocklist]
        assert all(e.created_at is not None for e in entries)
        (added,) = await client.add_to_blocklist("  Spam@Example.org ")
        assert added.email == "spam@example.org" and not added.is_domain
        (again,) = await client.add_to_blocklist("spam@example.org")
        assert again.id == added.id  # blocking twice keeps one entry
        (domain,) = await client.add_to_blocklist("@blocked.example")
        assert domain.is_domain and domain.email == "@blocked.example"
        assert await client.check_blocklist("spam@example.org")
        assert await client.check_blocklist("Anyone@Blocked.example")
        assert not await client.check_blocklist("friend@example.org")
        listed = {e.email for e in await client.list_blocklist()}
        assert {"spam@example.org", "@blocked.example"} <= listed
        await client.delete_blocklist_entry(added.id)
        assert not await client.check_blocklist("spam@example.org")
        assert added.id not in {b.id for b in state.blocklist}
        with pytest.raises(NotFoundError):
            await client.delete_blocklist_entry(added.id)


async def test_blocklist_refuses_what_is_neither_address_nor_domain(demo_server):
    async with client_for(demo_server) as client:
        with pytest.raises(ValidationError) as caught:
            await client.add_to_blocklist("not an address")
        assert caught.value.status == 422 and "domain" in str(caught.value)
        with pytest.raises(ValidationError):
            await client.check_blocklist("nobody")
        with pytest.raises(ValueError):
            await client.add_to_blocklist("   ")
    assert demo_server.count("POST", r"/blocklist$") == 1  # the blank one never left


async def test_adding_to_the_blocklist_is_never_retried(demo_server):
    demo_server.faults.fail_next(3, status=503, method="POST", path=r"/blocklist$")
    async with client_for(demo_server) as client:
        with pytest.raises(ServerError):
            await client.add_to_blocklist("once@example.org")
    assert demo_server.count("POST", r"/blocklist$") == 1


# -- campaigns, analytics, sequences ------------------------------------------------------------------------


async def test_campaigns_index_and_show(demo_server):
    state = demo_server.state
    async with client_for(demo_server) as client:
        campaigns = await client.list_campaigns()
        assert [(c.id, c.name, c.status) for c in campaigns] == [(c.id, c.name, c.status) for c in state.campaigns]
        assert all(c.created_at and c.updated_at and not c.inboxes for c in campaigns)  # the index has no inboxes
        for campaign, record in zip(campaigns, state.campaigns, strict=True):
            detail = await client.get_campaign(campaign.id)
            assert detail.name == campaign.name
            assert [i.id for i in detail.inboxes] == [i.id for i in state.inboxes if i.id in record.inbox_ids]
            assert all(i.email for i in detail.inboxes)
        with pytest.raises(NotFoundError):
            await client.get_campaign("no-such-campaign")


async def test_pause_and_resume_reach_the_server(demo_server):
    state = demo_server.state
    campaign = next(c for c in state.campaigns if c.status == "active")
    async with client_for(demo_server) as client:
        assert await client.set_campaign_status(campaign.id, "paused") == "paused"
        assert state.campaign(campaign.id).status == "paused"
        assert (await client.get_campaign(campaign.id)).status == "paused"
        assert await client.set_campaign_status(campaign.id, "active") == "active"
        assert state.campaign(campaign.id).status == "active"
        with pytest.raises(ValueError):
            await client.set_campaign_status(campaign.id, "completed")
        with pytest.raises(NotFoundError):
            await client.set_campaign_status("no-such-campaign", "paused")
    patches = [r for r in demo_server.requests if r.method == "PATCH"]
    assert [r.json for r in patches] == [{"status": "paused"}, {"status": "active"}, {"status": "paused"}]


async def test_a_status_change_is_retried_because_it_sets_an_absolute_value(demo_server):
    campaign = next(c for c in demo_server.state.campaigns if c.status == "active")
    demo_server.faults.fail_next(1, status=503, method="PATCH")
    async with client_for(demo_server) as client:
        assert await client.set_campaign_status(campaign.id, "paused") == "paused"
    assert demo_server.count("PATCH", r"/campaigns/") == 2
    assert demo_server.state.campaign(campaign.id).status == "paused"


async def test_analytics_add_up_to_the_days_and_the_variants(demo_server):
    async with client_for(demo_server) as client:
        for campaign in await client.list_campaigns():
            analytics = await client.campaign_analytics(campaign.id)
            summary = analytics.summary
            assert summary.total_sent == sum(d.sent for d in analytics.daily_stats)
            assert summary.total_replies == sum(d.replies for d in analytics.daily_stats)
            variants = [v for step in analytics.sequence_stats for v in step.variants]
            assert summary.total_sent == sum(v.sent for v in variants)
            assert summary.sequence_steps == len(analytics.sequence_stats)
            assert 0 <= summary.progress <= 100
            if summary.total_sent:
                assert summary.reply_rate == pytest.approx(100 * summary.total_replies / summary.total_sent, abs=0.01)
            dates = [d.date for d in analytics.daily_stats]
            assert dates == sorted(dates) and all(len(d) == 10 for d in dates)
        with pytest.raises(NotFoundError):
            await client.campaign_analytics("no-such-campaign")


async def test_sequences_and_variant_toggle(demo_server):
    state = demo_server.state
    campaign = state.campaigns[0]
    async with client_for(demo_server) as client:
        steps = await client.list_sequences(campaign.id)
        assert [s.step for s in steps] == [s.step for s in campaign.steps]
        for step, record in zip(steps, campaign.steps, strict=True):
            assert [(v.id, v.letter, v.enabled) for v in step.variants] == [
                (v.id, v.letter, v.enabled) for v in record.variants]
        variant = steps[0].variants[0]
        assert await client.set_variant_enabled(campaign.id, variant.id, not variant.enabled) is (not variant.enabled)
        assert campaign.steps[0].variants[0].enabled is (not variant.enabled)
        again = await client.list_sequences(campaign.id)
        assert again[0].variants[0].enabled is (not variant.enabled)
        with pytest.raises(NotFoundError):
            await client.set_variant_enabled(campaign.id, "no-such-variant", True)
        with pytest.raises(NotFoundError):
            await client.list_sequences("no-such-campaign")


# -- leads ----------------------------------------------------------------------------------------------------


async def test_leads_page_through_a_campaign(demo_server):
    campaign = demo_server.state.campaigns[0]
    expected = [lead.id for lead in demo_server.state.leads_of(campaign.id)]
    seen: list[str] = []
    async with client_for(demo_server) as client:
        page_number = 1
        while True:
            page = await client.list_leads(campaign.id, page=page_number, page_size=7)
            assert page.page == page_number and page.page_size == 7
            assert page.total_count == len(expected)
            assert page.total_pages == -(-len(expected) // 7)
            assert all(lead.campaign_id == campaign.id for lead in page.items)
            seen.extend(lead.id for lead in page.items)
            if not page.has_next:
                break
            page_number += 1
        past = await client.list_leads(campaign.id, page=page.total_pages + 1, page_size=7)
        assert past.items == () and not past.has_next
        capped = await client.list_leads(campaign.id, page_size=500)
        assert capped.page_size == 100
    assert seen == expected
    sizes = [r.query.get("page_size") for r in demo_server.requests if "/leads" in r.path]
    assert "500" not in sizes and "100" in sizes


async def test_leads_search_sort_and_filters(demo_server):
    campaign = demo_server.state.campaigns[0]
    leads = demo_server.state.leads_of(campaign.id)
    target = leads[0]
    async with client_for(demo_server) as client:
        found = await client.list_leads(campaign.id, search=target.email.upper(), page_size=100)
        assert target.id in [lead.id for lead in found.items]
        by_email = await client.list_leads(campaign.id, sort_by="email", sort_order="DESC", page_size=100)
        emails = [lead.email.lower() for lead in by_email.items]
        assert emails == sorted(emails, reverse=True)
        replied = await client.list_leads(campaign.id, filters={"status": "replied"}, page_size=100)
        assert replied.items and all(lead.status == "replied" for lead in replied.items)
        assert replied.total_count == sum(1 for lead in leads if lead.status == "replied")
        bounced = await client.list_leads(campaign.id, filters={"is_bounced": True}, page_size=100)
        assert all(lead.is_bounced for lead in bounced.items)
        assert bounced.total_count == sum(1 for lead in leads if lead.is_bounced)
        with pytest.raises(NotFoundError):
            await client.list_leads("no-such-campaign")
    sent = [r.query for r in demo_server.requests if r.query.get("filters[is_bounced]")]
    assert sent and sent[0]["filters[is_bounced]"] == "true"
    assert any(r.query.get("sort_order") == "desc" for r in demo_server.requests)


async def test_lead_show_create_and_delete(demo_server):
    state = demo_server.state
    campaign = state.campaigns[1]
    existing = state.leads_of(campaign.id)[0]
    async with client_for(demo_server) as client:
        shown = await client.get_lead(campaign.id, existing.id)
        assert (shown.email, shown.status, dict(shown.variables)) == (
            existing.email, existing.status, existing.variables)
        assert shown.is_bounced is existing.is_bounced and shown.is_unsubscribed is existing.is_unsubscribed
        created = await client.create_lead(
            campaign.id, email="zoe.adler@example.net", first_name="Zoë", last_name="Adler",
            variables={"referred_by": existing.email, "seats": 12},
        )
        assert (created.email, created.first_name, created.last_name, created.status) == (
            "zoe.adler@example.net", "Zoë", "Adler", "uncontacted")
        assert dict(created.variables) == {"referred_by": existing.email, "seats": 12}
        stored = next(lead for lead in state.leads_of(campaign.id) if lead.id == created.id)
        assert lead_dict(stored)["variables"] == {"referred_by": existing.email, "seats": 12}
        assert (await client.get_lead(campaign.id, created.id)).email == created.email
        with pytest.raises(ValidationError) as duplicate:
            await client.create_lead(campaign.id, email="ZOE.ADLER@example.net")
        assert duplicate.value.status == 422 and "already been taken" in str(duplicate.value)
        with pytest.raises(ValidationError):
            await client.create_lead(campaign.id, email="not-an-address")
        with pytest.raises(ValueError):
            await client.create_lead(campaign.id, email=" ")
        await client.delete_lead(campaign.id, created.id)
        with pytest.raises(NotFoundError):
            await client.get_lead(campaign.id, created.id)
        with pytest.raises(NotFoundError):
            await client.delete_lead(campaign.id, created.id)
        with pytest.raises(NotFoundError):
            await client.create_lead("no-such-campaign", email="x@example.net")


async def test_creating_a_lead_is_never_retried(demo_server):
    campaign = demo_server.state.campaigns[0]
    before = len(demo_server.state.leads_of(campaign.id))
    demo_server.faults.fail_next(3, status=500, method="POST", path=r"/leads$")
    async with client_for(demo_server) as client:
        with pytest.raises(ServerError):
            await client.create_lead(campaign.id, email="once@example.net")
    assert demo_server.count("POST", r"/leads$") == 1
    assert len(demo_server.state.leads_of(campaign.id)) == before


async def test_every_room_endpoint_needs_the_key(demo_server):
    campaign = demo_server.state.campaigns[0]
    async with ReachkitClient("wrong", demo_server.base_url, retry=FAST) as client:
        for call in (client.list_inboxes(), client.list_blocklist(), client.list_campaigns(),
                     client.campaign_analytics(campaign.id), client.list_leads(campaign.id)):
            with pytest.raises(AuthenticationError):
                await call


async def test_server_errors_on_room_reads_are_retried(demo_server):
    demo_server.faults.fail_next(2, status=503, method="GET", path=r"/campaigns$")
    async with client_for(demo_server) as client:
        assert await client.list_campaigns()
    assert demo_server.count("GET", r"/campaigns$") == 3


# -- the lead lookup across campaigns -------------------------------------------------------------------


async def test_lead_finder_finds_the_campaign_of_a_conversations_lead_and_caches_it(demo_server):
    state = demo_server.state
    conversation = next(c for c in state.conversations() if c.campaign_id and c.kind == "interested")
    campaign = state.campaign(conversation.campaign_id)
    async with client_for(demo_server) as client:
        finder = LeadFinder(client)
        matches = await finder.find(conversation.contact_email.upper())
        assert [(m.campaign.id, m.lead.id) for m in matches] == [(campaign.id, conversation.lead_id)]
        assert matches[0].lead.status == state.lead(campaign.id, conversation.lead_id).status
        before = len(demo_server.requests)
        assert await finder.find(conversation.contact_email) == matches
        assert len(demo_server.requests) == before  # cached: no request at all
        assert await finder.find("nobody@nowhere.example") == ()
        finder.note_campaign(campaign.id, status="paused")
        assert finder.cached(conversation.contact_email)[0].campaign.status == "paused"
    campaign_lists = demo_server.count("GET", r"/campaigns$")
    assert campaign_lists == 1  # campaigns listed once for both lookups


async def test_a_failed_lookup_raises_the_servers_error_and_caches_nothing(demo_server):
    conversation = next(c for c in demo_server.state.conversations() if c.campaign_id)
    demo_server.faults.fail_next(20, status=500, method="GET", path=r"/leads$")
    async with client_for(demo_server) as client:
        finder = LeadFinder(client)
        with pytest.raises(ServerError):
            await finder.find(conversation.contact_email)
        assert finder.cached(conversation.contact_email) is None
        demo_server.faults.clear()
        matches = await finder.find(conversation.contact_email)
        assert [m.campaign.id for m in matches] == [conversation.campaign_id]


async def test_a_lookup_that_failed_half_way_asks_only_the_campaigns_that_did_not_answer(demo_server):
    conversation = next(c for c in demo_server.state.conversations() if c.campaign_id)
    async with client_for(demo_server) as client:
        listed = await client.list_campaigns()
        campaigns, last = len(listed), listed[-1].id
        assert campaigns > 4  # more than are searched at once: some answer before the last starts
        # The last campaign's search is refused (422: not retried) after others have answered.
        demo_server.faults.fail_next(1, status=422, method="GET", path=rf"/campaigns/{last}/leads$")
        finder = LeadFinder(client)
        with pytest.raises(ValidationError):
            await finder.find(conversation.contact_email)
        answered = len(finder._partial)
        assert answered > 0
        before = demo_server.count("GET", r"/leads$")
        matches = await finder.find(conversation.contact_email)
        asked_again = demo_server.count("GET", r"/leads$") - before
    assert [m.campaign.id for m in matches] == [conversation.campaign_id]
    assert asked_again == campaigns - answered  # the answered ones were not asked twice
    assert finder._partial == {}  # the whole answer is cached now, the parts dropped


async def test_lead_finder_keeps_a_bounded_cache(demo_server):
    async with client_for(demo_server) as client:
        finder = LeadFinder(client, capacity=3)
        for n in range(5):
            await finder.find(f"nobody{n}@nowhere.example")
        assert finder.cached("nobody0@nowhere.example") is None
        assert finder.cached("nobody4@nowhere.example") == ()


# -- shapes a stranger's server may send --------------------------------------------------------------------


def _mock_client(handler) -> ReachkitClient:
    return ReachkitClient("key", "https://reachkit.test", transport=httpx.MockTransport(handler), retry=FAST)


async def test_an_index_that_is_not_a_list_is_a_protocol_error_not_an_empty_room():
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"data": {"campaigns": []}})

    async with _mock_client(handler) as client:
        for call in (client.list_campaigns(), client.list_inboxes(), client.list_blocklist(),
                     client.list_leads("c1"), client.list_sequences("c1")):
            with pytest.raises(ProtocolError):
                await call


async def test_a_paginated_blocklist_is_followed_to_its_last_page():
    pages = {1: ["a@x.io", "b@x.io"], 2: ["c@x.io", "@y.io"], 3: ["d@x.io"]}
    asked: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params.get("page", "1"))
        asked.append(request.url.params.get("page", "-"))
        data = [{"id": email, "email": email, "created_at": "2026-05-01T10:00:00Z"} for email in pages[page]]
        return httpx.Response(200, json={"data": data, "metadata": {"page": page, "page_size": 2,
                                                                    "total_count": 5, "total_pages": 3}})

    async with _mock_client(handler) as client:
        entries = await client.list_blocklist()
    assert [e.email for e in entries] == ["a@x.io", "b@x.io", "c@x.io", "@y.io", "d@x.io"]
    assert asked == ["-", "2", "3"]


async def test_a_created_lead_whose_answer_is_empty_is_reported_as_sent():
    def handler(request: httpx.Request) -> httpx.Response:
        assert json.loads(request.content) == {"email": "jane@acme.io", "first_name": "Jane"}
        return httpx.Response(201, json={"data": None})

    async with _mock_client(handler) as client:
        lead = await client.create_lead("c1", email="jane@acme.io", first_name="Jane")
    assert (lead.email, lead.first_name, lead.campaign_id) == ("jane@acme.io", "Jane", "c1")
