"""The add-lead form after an ambiguous answer: look in the campaign first, never create twice.

Against the real local server with after-commit faults on ``POST /campaigns/:id/leads``: the
server stores the lead, then answers 500, 429, garbage, a cut connection or nothing in time.
"""

from __future__ import annotations

import pytest
from helpers import clock_for, keep_notifications, make_settings, notifications, settle
from test_rooms import open_conversation
from textual.widgets import Button, Input, Select

from unibox_tui.api import ReachkitClient, RetryPolicy
from unibox_tui.ui.app import UniboxApp
from unibox_tui.ui.screens.add_lead import AddLeadScreen
from unibox_tui.ui.screens.inbox import InboxScreen

LEADS_POST = r"/campaigns/[^/]+/leads$"
FAST = RetryPolicy(attempts=2, base_delay=0.01, max_delay=0.02, max_retry_after=2)


def app_for(server, *, read_timeout: float = 20.0) -> UniboxApp:
    """The app with a client that retries fast (and times out sooner): the app owns and closes it."""
    import httpx

    def client_factory(settings) -> ReachkitClient:
        return ReachkitClient(
            settings.api_key, settings.base_url, retry=FAST, timeout=httpx.Timeout(read_timeout, connect=5.0)
        )

    settings = make_settings(server, page_size=100)
    return keep_notifications(UniboxApp(settings, client_factory=client_factory, clock=clock_for(server)))


def leads_with(state, email: str) -> int:
    return sum(1 for c in state.campaigns for lead in state.leads_of(c.id) if lead.email.lower() == email.lower())


async def open_form(pilot, server) -> tuple[str, str]:
    referral = next(c for c in server.state.conversations() if c.kind == "referral")
    await settle(pilot)
    await open_conversation(pilot, referral.id)
    await pilot.press("A")
    await settle(pilot)
    form = pilot.app.screen
    assert isinstance(form, AddLeadScreen)
    return form.query_one("#lead-email", Input).value, form.query_one("#lead-campaign", Select).value


def form_says(app) -> str:
    return " ".join(str(app.screen.query_one("#lead-error").render()).split())


@pytest.mark.parametrize(
    "fault",
    [
        {"kind": "status", "status": 500},
        {"kind": "status", "status": 503},
        {"kind": "status", "status": 429, "retry_after": 1},
        {"kind": "malformed"},
        {"kind": "bad_gzip"},
        {"kind": "drop"},
    ],
    ids=["500", "503", "429", "garbage", "bad-gzip", "dropped"],
)
async def test_a_lead_stored_before_an_ambiguous_answer_is_found_not_sent_again(demo_server, fault):
    app = app_for(demo_server)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        email, _ = await open_form(pilot, demo_server)
        demo_server.faults.fail_next(1, method="POST", path=LEADS_POST, after_commit=True, **fault)
        await pilot.press("ctrl+s")
        await settle(pilot, timeout=20)
        assert isinstance(app.screen, InboxScreen)  # the check found it: done, nothing to resend
        assert any(n.title == "Lead added" for n in notifications(app))
        await pilot.press("ctrl+s")  # a user pressing again changes nothing
        await settle(pilot)
    assert demo_server.count("POST", LEADS_POST) == 1
    assert leads_with(demo_server.state, email) == 1


async def test_a_timeout_after_the_server_stored_the_lead_is_checked(demo_server):
    app = app_for(demo_server, read_timeout=1.0)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        email, _ = await open_form(pilot, demo_server)
        demo_server.faults.hang_seconds = 3
        demo_server.faults.fail_next(1, method="POST", path=LEADS_POST, kind="hang", after_commit=True)
        await pilot.press("ctrl+s")
        await settle(pilot, timeout=20)
        assert isinstance(app.screen, InboxScreen)
        assert any(n.title == "Lead added" for n in notifications(app))
    assert demo_server.count("POST", LEADS_POST) == 1
    assert leads_with(demo_server.state, email) == 1


async def test_a_lead_that_did_not_arrive_is_said_so_and_ctrl_s_sends_it_again(demo_server):
    app = app_for(demo_server)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        email, _ = await open_form(pilot, demo_server)
        demo_server.faults.fail_next(1, method="POST", path=LEADS_POST, status=500)  # before commit
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, AddLeadScreen)
        assert "did not arrive" in form_says(app) and "ctrl+s sends it again" in form_says(app)
        assert demo_server.count("GET", LEADS_POST) >= 1  # it looked before saying so
        assert leads_with(demo_server.state, email) == 0
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, InboxScreen)
    assert demo_server.count("POST", LEADS_POST) == 2
    assert leads_with(demo_server.state, email) == 1


async def test_when_the_check_fails_nothing_is_resent_until_a_check_answers(demo_server):
    app = app_for(demo_server)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        email, campaign_id = await open_form(pilot, demo_server)
        demo_server.faults.fail_next(1, method="POST", path=LEADS_POST, status=500, after_commit=True)
        demo_server.faults.fail_next(4, method="GET", path=LEADS_POST, status=503, retry_after=0)
        await pilot.press("ctrl+s")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, AddLeadScreen)
        assert "could not be asked" in form_says(app) and "Nothing more is sent" in form_says(app)
        assert "Check again" in str(form.query_one("#lead-create", Button).label)
        await pilot.press("ctrl+s")  # still failing: a check, not a POST
        await settle(pilot)
        assert demo_server.count("POST", LEADS_POST) == 1 and isinstance(app.screen, AddLeadScreen)
        assert "could not be asked" in form_says(app)
        # Closing and opening the form again does not make it forget.
        await pilot.press("escape")
        await settle(pilot)
        assert any(n.title == "Lead not confirmed" for n in notifications(app))
        await pilot.press("A")
        await settle(pilot)
        assert isinstance(app.screen, AddLeadScreen)
        app.screen.query_one("#lead-email", Input).value = email
        app.screen.query_one("#lead-campaign", Select).value = campaign_id
        await pilot.press("ctrl+s")  # the server answers now: the check finds the lead
        await settle(pilot)
        assert isinstance(app.screen, InboxScreen)
        assert any(n.title == "Lead added" for n in notifications(app))
    assert demo_server.count("POST", LEADS_POST) == 1
    assert leads_with(demo_server.state, email) == 1


async def test_a_search_that_cannot_rule_the_address_out_leaves_the_outcome_unknown():
    """Five full pages of near matches and no exact one: not proof that the lead did not arrive."""
    import httpx

    from unibox_tui.domain.lead_creation import CreateStatus, LeadCreator, NewLead

    posts: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            posts.append(request.url.path)
            raise httpx.ReadTimeout("no answer")
        page = int(request.url.params.get("page", "1"))
        near = [{"id": f"l{page}-{i}", "email": f"jane.doe{page}{i}@acme.io"} for i in range(100)]
        return httpx.Response(200, json={"data": near, "metadata": {"page": page, "page_size": 100, "total_pages": 50}})

    unsettled: set[tuple[str, str]] = set()
    async with ReachkitClient("k", "https://reachkit.example", transport=httpx.MockTransport(handler), retry=FAST) as client:
        creator = LeadCreator(client, unsettled)
        lead = NewLead("c1", "Jane@acme.io")
        outcome = await creator.create(lead)
        assert outcome.status is CreateStatus.UNKNOWN and "more than 5 pages" in outcome.message
        again = await creator.create(lead)  # a check, not a second POST
    assert again.status is CreateStatus.UNKNOWN and not again.posted
    assert posts == ["/api/v1/campaigns/c1/leads"] and unsettled == {("c1", "jane@acme.io")}
