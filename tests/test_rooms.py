"""The rooms next to the inbox, driven like a user would, against the real local server.

Lead context in the thread pane, the campaigns, inboxes and blocklist screens, confirmations
before every change, the disconnected-inbox warning and the referral hand-off.
"""

from __future__ import annotations

import pytest
from helpers import help_text, make_app, screen_text, settle
from textual.widgets import Input, Select, TextArea

from unibox_tui.render.rooms import humanise, parse_variables
from unibox_tui.ui.screens.add_lead import AddLeadScreen
from unibox_tui.ui.screens.blocklist import BlocklistScreen
from unibox_tui.ui.screens.campaigns import CampaignsScreen
from unibox_tui.ui.screens.confirm import ConfirmScreen
from unibox_tui.ui.screens.inbox import InboxScreen
from unibox_tui.ui.screens.inboxes import InboxesScreen
from unibox_tui.ui.widgets.conversation_list import ConversationList
from unibox_tui.ui.widgets.folder_bar import FolderBar
from unibox_tui.ui.widgets.inbox_alert import InboxAlert
from unibox_tui.ui.widgets.lead_context import LeadContext
from unibox_tui.ui.widgets.record_table import RecordTable


def lead_text(app) -> str:
    return app.screen.query_one(LeadContext).render().plain


async def open_conversation(pilot, conversation_id: str) -> None:
    """Put the list cursor on a conversation of the first page and let the thread follow."""
    listing = pilot.app.screen.query_one(ConversationList)
    index = listing.index_of(conversation_id)
    assert index >= 0, "the conversation is not on the first page"
    listing.cursor = index
    await pilot.press("enter")
    await settle(pilot)


def table_keys(app, selector: str) -> list[str]:
    return [row.key for row in app.screen.query_one(selector, RecordTable).rows]


# -- lead context -------------------------------------------------------------------------------------------


async def test_lead_context_shows_the_leads_campaign_and_status(demo_server):
    state = demo_server.state
    primary = state.conversation_ids(folder="primary")
    conversation = next(state.conversation(cid) for cid in primary if state.conversation(cid).campaign_id)
    campaign = state.campaign(conversation.campaign_id)
    lead = state.lead(campaign.id, conversation.lead_id)
    app = make_app(demo_server, page_size=100)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await open_conversation(pilot, conversation.id)
        context = app.screen.query_one(LeadContext)
        assert context.state == "found"
        assert [(m.campaign.id, m.lead.id) for m in context.matches] == [(campaign.id, lead.id)]
        text = lead_text(app)
        assert campaign.name in text and f"({campaign.status})" in text
        assert humanise(lead.status) in text
        assert ("bounced" in text) is lead.is_bounced and ("unsubscribed" in text) is lead.is_unsubscribed
        assert campaign.name[:20] in screen_text(app)
        await pilot.press("i")  # details: every campaign, the status line and the variables
        await settle(pilot)
        expanded = lead_text(app)
        assert len(expanded.splitlines()) == 3
        assert f"company {lead.variables['company']}" in expanded
        await pilot.press("i")
        assert len(lead_text(app).splitlines()) == 1


async def test_lead_context_is_looked_up_once_per_address(demo_server):
    state = demo_server.state
    primary = state.conversation_ids(folder="primary")
    first, second = [cid for cid in primary if state.conversation(cid).campaign_id][:2]
    app = make_app(demo_server, page_size=100)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await open_conversation(pilot, first)
        await open_conversation(pilot, second)
        lookups = demo_server.count("GET", r"/leads$")
        await open_conversation(pilot, first)
        await open_conversation(pilot, second)
        assert demo_server.count("GET", r"/leads$") == lookups  # both answers came from the cache
        assert lead_text(app).startswith("Lead ")
    assert demo_server.count("GET", r"/campaigns$") == 1


async def test_no_lead_and_a_failed_lookup_are_one_quiet_line(demo_server):
    state = demo_server.state
    other = state.conversation_ids(folder="others")[0]
    app = make_app(demo_server, page_size=100)
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        await open_conversation(pilot, other)
        assert "not in any campaign" in lead_text(app)
        await pilot.press("c")
        await settle(pilot)
        demo_server.faults.fail_next(20, status=500, method="GET", path=r"/leads$")
        campaign_conversation = [c for c in state.conversation_ids(folder="primary")
                                 if state.conversation(c).campaign_id][-1]  # not looked up yet
        await open_conversation(pilot, campaign_conversation)
        await settle(pilot, timeout=20)
        assert "could not be looked up" in lead_text(app)
        assert "server error" not in screen_text(app).lower()  # no toast for a side panel
        demo_server.faults.clear()
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert app.screen.query_one(LeadContext).state == "found"


# -- campaigns ------------------------------------------------------------------------------------------------


async def open_campaigns(pilot) -> CampaignsScreen:
    await pilot.press("C")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, CampaignsScreen)
    return screen


async def test_campaigns_list_shows_status_and_numbers(demo_server):
    state = demo_server.state
    app = make_app(demo_server)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = await open_campaigns(pilot)
        assert set(table_keys(app, "#campaign-table")) == {c.id for c in state.campaigns}
        text = screen_text(app)
        for campaign in state.campaigns:
            summary = state.analytics(campaign.id)["summary"]
            row = next(line for line in text.splitlines() if campaign.name[:24] in line)
            assert campaign.status in row
            assert f"{summary['total_sent']:,}" in row and f"{summary['reply_rate']:.1f}%" in row
            assert f"{summary['progress']}%" in row
        shown = state.campaign(screen.shown_id)
        assert "Sent per day" in text and "Replies per day" in text and "Sequence" in text
        steps = state.sequences(shown.id)
        assert table_keys(app, "#variant-table") == [v["id"] for s in steps for v in s["variants"]]


async def test_pause_and_resume_reach_the_server_only_after_confirmation(demo_server):
    state = demo_server.state
    app = make_app(demo_server)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = await open_campaigns(pilot)
        campaign_id = screen.table.current_row.key
        campaign = state.campaign(campaign_id)
        assert campaign.status == "active"
        await pilot.press("P")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        text = screen_text(app)
        assert "Pause this campaign?" in text and campaign.name in text and "active → paused" in text
        assert demo_server.count("PATCH") == 0
        await pilot.press("n")  # cancel
        await settle(pilot)
        assert app.screen is screen and demo_server.count("PATCH") == 0 and campaign.status == "active"
        await pilot.press("P")
        await settle(pilot)
        await pilot.press("escape")  # cancel, the other way
        await settle(pilot)
        assert demo_server.count("PATCH") == 0
        await pilot.press("P")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert demo_server.count("PATCH", rf"/campaigns/{campaign_id}$") == 1
        assert campaign.status == "paused"
        assert "paused" in screen_text(app).splitlines()[2]
        await pilot.press("P")  # now it offers to resume
        await settle(pilot)
        assert "Resume this campaign?" in screen_text(app) and "paused → active" in screen_text(app)
        await pilot.press("enter")  # the confirm button has the focus
        await settle(pilot)
        assert campaign.status == "active"
        patches = [r.json for r in demo_server.requests if r.method == "PATCH"]
        assert patches == [{"status": "paused"}, {"status": "active"}]


async def test_a_completed_campaign_cannot_be_paused(demo_server):
    state = demo_server.state
    completed = next(c for c in state.campaigns if c.status == "completed")
    app = make_app(demo_server)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        screen = await open_campaigns(pilot)
        screen.table.cursor = screen.table.index_of(completed.id)
        await pilot.press("P")
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmScreen)
        assert "Only an active or paused campaign" in screen_text(app)
    assert demo_server.count("PATCH") == 0


async def test_variant_toggle_reaches_the_server_only_after_confirmation(demo_server):
    state = demo_server.state
    app = make_app(demo_server)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = await open_campaigns(pilot)
        campaign = state.campaign(screen.shown_id)
        variant = campaign.steps[0].variants[0]
        before = variant.enabled
        await pilot.press("enter")  # into the sequence
        await settle(pilot)
        assert screen.variant_table.has_focus and screen.variant_table.current_row.key == variant.id
        await pilot.press("t")
        await settle(pilot)
        text = screen_text(app)
        verb = "Disable" if before else "Enable"
        assert f"{verb} variant {variant.letter} of step 1?" in text
        assert campaign.name in text
        await pilot.press("escape")
        await settle(pilot)
        assert demo_server.count("PATCH") == 0 and variant.enabled is before
        await pilot.press("t")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert demo_server.count("PATCH", rf"/variants/{variant.id}$") == 1
        assert variant.enabled is (not before)
        row = screen.variant_table.rows[0]
        assert row.key == variant.id and row.cells[2].text == ("on" if variant.enabled else "off")


async def test_campaigns_that_fail_to_load_say_so_and_ctrl_r_recovers(demo_server):
    demo_server.faults.fail_next(10, status=500, method="GET", path=r"/campaigns$")
    app = make_app(demo_server)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("C")
        await settle(pilot, timeout=20)
        text = screen_text(app)
        assert "Could not load campaigns" in text and "ctrl+r" in text
        demo_server.faults.clear()
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert len(table_keys(app, "#campaign-table")) == len(demo_server.state.campaigns)


async def test_hostile_campaign_names_are_shown_literally(demo_server):
    evil = "[@click=app.quit]Evil[/] \x1b]0;pwned\x07 Q3 [b]push[/b]"
    demo_server.state.campaigns[0].name = evil
    app = make_app(demo_server)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        screen = await open_campaigns(pilot)
        screen.table.cursor = screen.table.index_of(demo_server.state.campaigns[0].id)
        await pilot.press("enter")
        await settle(pilot)
        text = screen_text(app)
        assert "[@click=app.quit]Evil[/]" in text and "Q3 [b]push[/b]" in text
        assert "\x1b" not in text and "pwned\x07" not in text
        await pilot.click(RecordTable, offset=(10, 1))
        await settle(pilot)
        assert app.is_running


# -- inboxes ----------------------------------------------------------------------------------------------------


async def test_a_disconnected_inbox_is_flagged_on_the_main_screen_and_opens_the_inboxes_room(demo_server):
    broken = next(i for i in demo_server.state.inboxes if i.connection_status == "disconnected")
    app = make_app(demo_server)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        alert = app.screen.query_one(InboxAlert)
        assert alert.display
        assert f"1 inbox disconnected: {broken.email}" in screen_text(app)
        await pilot.click(InboxAlert)
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, InboxesScreen)
        assert screen.table.current_row.key == broken.id
        text = screen_text(app)
        assert "disconnected: nothing is sent from this inbox" in text
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, InboxScreen)


async def test_no_warning_when_every_inbox_is_connected(demo_server):
    for inbox in demo_server.state.inboxes:
        inbox.connection_status = "connected"
    app = make_app(demo_server)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert not app.screen.query_one(InboxAlert).display
        assert "disconnected" not in screen_text(app)
        demo_server.state.inboxes[1].connection_status = "disconnected"
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert f"disconnected: {demo_server.state.inboxes[1].email}" in screen_text(app)


async def test_inboxes_room_shows_limits_records_and_warmup(demo_server):
    state = demo_server.state
    warming = next(i for i in state.inboxes if i.is_warming and i.connection_status == "connected")
    stats = state.warmup_stats(warming.id)
    app = make_app(demo_server)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("I")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, InboxesScreen)
        assert set(table_keys(app, "#inbox-table")) == {i.id for i in state.inboxes}
        screen.table.cursor = screen.table.index_of(warming.id)
        await pilot.press("enter")
        await settle(pilot)
        text = screen_text(app)
        assert f"Health {stats['summary']['health_score']}/100" in text
        assert f"Saved from spam {stats['summary']['saved_from_spam']}" in text
        assert "Warmup emails sent per day" in text and "Landed in spam per day" in text
        assert f"campaigns {warming.daily_campaign_limit}" in text
        assert humanise(warming.domain_records_status) in text
        assert demo_server.count("GET", rf"/inboxes/{warming.id}/warmup/stats$") == 1


# -- blocklist ------------------------------------------------------------------------------------------------


async def open_blocklist(pilot) -> BlocklistScreen:
    await pilot.press("K")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, BlocklistScreen)
    return screen


async def test_blocklist_lists_filters_and_checks(demo_server):
    state = demo_server.state
    app = make_app(demo_server)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = await open_blocklist(pilot)
        assert set(table_keys(app, "#block-table")) == {b.id for b in state.blocklist}
        await pilot.press("slash")
        await pilot.press(*list("competitor"))
        await settle(pilot)
        assert [row.data.email for row in screen.table.rows] == ["@competitor-intel.example"]
        assert demo_server.count("GET", r"/blocklist") == 1  # the filter asks nothing of the server
        await pilot.press("escape")  # clears the filter
        await settle(pilot)
        assert len(screen.table.rows) == len(state.blocklist)
        await pilot.press(*list("ceo@competitor-intel.example"), "enter")
        await settle(pilot)
        assert "is blocked (by @competitor-intel.example)" in screen_text(app)
        assert [row.data.email for row in screen.table.rows] == ["@competitor-intel.example"]  # the rule
        assert demo_server.count("GET", r"/blocklist/[^/]+/check$") == 1


async def test_blocklist_add_and_remove_with_confirmation(demo_server):
    state = demo_server.state
    app = make_app(demo_server)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = await open_blocklist(pilot)
        await pilot.press("a")
        await settle(pilot)
        await pilot.press(*list("acme.io"), "enter")  # not an address, not a @domain
        await settle(pilot)
        assert "@acme.io" in screen_text(app) and demo_server.count("POST") == 0
        field = app.screen.query_one("#block-value", Input)
        field.value = ""
        await pilot.press(*list("Spam@Example.org"), "enter")
        await settle(pilot)
        assert app.screen is screen
        assert demo_server.count("POST", r"/blocklist$") == 1
        entry = next(b for b in state.blocklist if b.email == "spam@example.org")
        assert screen.table.current_row.key == entry.id
        await pilot.press("d")
        await settle(pilot)
        assert "Remove from the blocklist?" in screen_text(app) and "spam@example.org" in screen_text(app)
        await pilot.press("n")
        await settle(pilot)
        assert demo_server.count("DELETE") == 0 and entry in state.blocklist
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert demo_server.count("DELETE", rf"/blocklist/{entry.id}$") == 1
        assert entry not in state.blocklist
        assert entry.id not in table_keys(app, "#block-table")


# -- the referral hand-off -------------------------------------------------------------------------------


def all_leads(state) -> dict[str, tuple[str, str]]:
    return {lead.id: (c.id, lead.email) for c in state.campaigns for lead in state.leads_of(c.id)}


async def test_referral_hand_off_creates_exactly_the_lead_shown_in_the_form(demo_server):
    state = demo_server.state
    referral = next(c for c in state.conversations() if c.kind == "referral")
    before = all_leads(state)
    app = make_app(demo_server, page_size=100)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        await open_conversation(pilot, referral.id)
        await pilot.press("A")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, AddLeadScreen)
        email = form.query_one("#lead-email", Input).value
        first = form.query_one("#lead-first", Input).value
        last = form.query_one("#lead-last", Input).value
        campaign_id = form.query_one("#lead-campaign", Select).value
        variables, problem = parse_variables(form.query_one("#lead-variables", TextArea).text)
        assert not problem
        # Prefilled from the reply: someone other than the lead, with a name, in the lead's campaign.
        assert email and email != referral.contact_email and email.endswith(referral.contact_email.split("@")[1])
        assert first and last
        assert campaign_id == referral.campaign_id
        assert variables["referred_by"] == referral.contact_email
        assert demo_server.count("POST") == 0
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, InboxScreen)
        assert "Lead added" in screen_text(app)
    after = all_leads(state)
    new = {k: v for k, v in after.items() if k not in before}
    assert list(new.values()) == [(campaign_id, email)]
    (lead_id,) = new
    lead = state.lead(campaign_id, lead_id)
    assert (lead.first_name, lead.last_name, lead.variables) == (first, last, variables)
    assert demo_server.count("POST", rf"/campaigns/{campaign_id}/leads$") == 1


async def test_a_refused_lead_keeps_the_form_open_with_the_reason(demo_server):
    state = demo_server.state
    referral = next(c for c in state.conversations() if c.kind == "referral")
    app = make_app(demo_server, page_size=100)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await open_conversation(pilot, referral.id)
        await pilot.press("A")
        await settle(pilot)
        form = app.screen
        email_field = form.query_one("#lead-email", Input)
        email_field.value = referral.contact_email  # already a lead of this campaign
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert "already been taken" in screen_text(app)
        email_field.value = "not an address"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "does not look right" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, InboxScreen)
    assert demo_server.count("POST") == 1  # the invalid address never left


async def test_a_lead_whose_answer_is_lost_is_checked_not_sent_twice(demo_server):
    state = demo_server.state
    referral = next(c for c in state.conversations() if c.kind == "referral")
    app = make_app(demo_server, page_size=100)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        await open_conversation(pilot, referral.id)
        await pilot.press("A")
        await settle(pilot)
        email = app.screen.query_one("#lead-email", Input).value
        demo_server.faults.fail_next(1, method="POST", path=r"/leads$", kind="drop", after_commit=True)
        await pilot.press("ctrl+s")
        await settle(pilot, timeout=20)
        assert isinstance(app.screen, InboxScreen)  # the check found it: done
        assert "Lead added" in screen_text(app)
    assert demo_server.count("POST", r"/leads$") == 1
    assert sum(1 for c in state.campaigns for lead in state.leads_of(c.id) if lead.email == email) == 1


# -- every room at two sizes ------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_rooms_render_at_small_and_large_sizes(demo_server, size):
    state = demo_server.state
    broken = next(i for i in state.inboxes if i.connection_status == "disconnected")
    referral = next(c for c in state.conversations() if c.kind == "referral")
    app = make_app(demo_server, page_size=100)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("C")
        await settle(pilot)
        text = screen_text(app)
        assert state.campaigns[0].name[:12] in text and "Campaign" in text and "Status" in text
        assert "Sent" in text
        await pilot.press("I")  # straight from one room to another
        await settle(pilot)
        assert broken.email in screen_text(app) and "disconnected" in screen_text(app)
        await pilot.press("K")
        await settle(pilot)
        assert state.blocklist[-1].email in screen_text(app) or state.blocklist[0].email in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, InboxScreen) and len(app.screen_stack) == 1
        await open_conversation(pilot, referral.id)
        await pilot.press("A")
        await settle(pilot)
        text = screen_text(app)
        assert "Add a lead" in text and "Create lead" in text and "Campaign" in text
        assert app.is_running


async def test_rooms_are_in_the_sidebar_the_palette_and_help(demo_server):
    app = make_app(demo_server)
    async with app.run_test(size=(150, 160)) as pilot:
        await settle(pilot)
        bar = app.screen.query_one(FolderBar)
        assert [f.key for f in bar.folders][-3:] == ["campaigns", "inboxes", "blocklist"]
        bar.highlighted = [f.key for f in bar.folders].index("blocklist")
        bar.action_select()
        await settle(pilot)
        assert isinstance(app.screen, BlocklistScreen)
        commands = [c.title for c in app.get_system_commands(app.screen)]
        assert {"Add to blocklist", "Remove from blocklist", "Campaigns", "Inboxes"} <= set(commands)
        await pilot.press("escape")
        await settle(pilot)
        commands = [c.title for c in app.get_system_commands(app.screen)]
        assert {"Campaigns", "Inboxes", "Blocklist", "Add lead", "Lead details"} <= set(commands)
        await pilot.press("question_mark")
        await settle(pilot)
        text = help_text(app)
        for expected in ("Campaigns", "Inboxes", "Blocklist", "Add lead", "Pause/resume", "Variant on/off"):
            assert expected in text


async def test_the_lead_just_added_can_be_removed_after_a_confirmation(demo_server):
    state = demo_server.state
    referral = next(c for c in state.conversations() if c.kind == "referral")
    app = make_app(demo_server, page_size=100)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await open_conversation(pilot, referral.id)
        await pilot.press("A")
        await settle(pilot)
        email = app.screen.query_one("#lead-email", Input).value
        await pilot.press("ctrl+s")
        await settle(pilot)
        campaign = state.campaign(referral.campaign_id)
        added = next(lead for lead in state.leads_of(campaign.id) if lead.email == email)

        def undo() -> None:
            (command,) = [c for c in app.get_system_commands(app.screen) if c.title == "Remove added lead"]
            command.callback()

        undo()
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert email in screen_text(app) and "uncontacted" in screen_text(app)
        assert demo_server.count("GET", rf"/leads/{added.id}$") == 1  # fetched to say how it stands
        await pilot.press("n")
        await settle(pilot)
        assert demo_server.count("DELETE") == 0 and added in state.leads_of(campaign.id)
        undo()
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert demo_server.count("DELETE", rf"/leads/{added.id}$") == 1
        assert added not in state.leads_of(campaign.id)
        assert not [c for c in app.get_system_commands(app.screen) if c.title == "Remove added lead"]


async def test_pausing_a_campaign_updates_the_lead_context_on_return(demo_server):
    state = demo_server.state
    primary = state.conversation_ids(folder="primary")
    conversation = next(
        state.conversation(cid) for cid in primary
        if state.conversation(cid).campaign_id and state.campaign(state.conversation(cid).campaign_id).status == "active"
    )
    campaign = state.campaign(conversation.campaign_id)
    app = make_app(demo_server, page_size=100)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await open_conversation(pilot, conversation.id)
        assert f"{campaign.name} (active)" in lead_text(app)
        screen = await open_campaigns(pilot)
        screen.table.cursor = screen.table.index_of(campaign.id)
        await pilot.press("P")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, InboxScreen)
        assert f"{campaign.name} (paused)" in lead_text(app)
    assert campaign.status == "paused"


async def test_hostile_lead_variables_blocklist_entries_and_inboxes_are_shown_literally(demo_server):
    state = demo_server.state
    conversation = next(state.conversation(c) for c in state.conversation_ids(folder="primary")
                        if state.conversation(c).campaign_id)
    lead = state.lead(conversation.campaign_id, conversation.lead_id)
    lead.variables = {"[@click=app.quit]k": "[b]v[/b] \x1b[31mred\x1b]8;;http://evil\x07link", "note": "Re: [/] x"}
    state.add_blocklist_entry("[@click=app.quit]@evil.example\x1b]0;t\x07")
    state.inboxes[0].email = "[red]me[/red]@ours.example\u202e"
    app = make_app(demo_server, page_size=100)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        await open_conversation(pilot, conversation.id)
        await pilot.press("i")
        await settle(pilot)
        text = lead_text(app)
        assert "[@click=app.quit]k [b]v[/b] red" in text and "Re: [/] x" in text
        assert "\x1b" not in text
        await pilot.press("K")
        await settle(pilot)
        assert "[@click=app.quit]@evil.example" in screen_text(app)
        await pilot.press("I")
        await settle(pilot)
        text = screen_text(app)
        assert "[red]me[/red]@ours.example" in text and "\u202e" not in text
        await pilot.click(RecordTable, offset=(5, 1))
        await settle(pilot)
        assert app.is_running
