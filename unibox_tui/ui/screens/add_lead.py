"""The referral hand-off: a lead form prefilled from the latest reply, sent once, never retried.

The reply's new text (quotes after it) is scanned for addresses and the names written next to
them; the campaign defaults to the one the current lead is in, and ``referred_by`` to the
current lead. Creating is a POST, never repeated on a guess: a lost answer is settled by reading the
campaign's leads (``domain/lead_creation.py``) before anything is offered.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Select, Static, TextArea

from ...api import Campaign, Conversation, Lead, ReachkitError
from ...api.lead_lookup import LeadMatch
from ...domain.lead_creation import CreateStatus, LeadCreator, NewLead
from ...domain.referral import Candidate, find_referrals
from ...render.rooms import humanise, lead_address, parse_variables, valid_email
from ...render.sanitize import clean_line
from ...render.thread import convert_body, person

if TYPE_CHECKING:
    from ..app import UniboxApp

__all__ = ["AddLeadScreen", "reply_text"]

MAX_NAME = 100


def reply_text(conversation: Conversation) -> str:
    """The latest incoming message's text, what it says new first, its quotes after."""
    message = conversation.latest_incoming
    if message is None:
        return ""
    body = convert_body(message)
    fresh = [text for text, quoted, _summary, _fold in body.segments if not quoted]
    quoted = [text for text, is_quoted, _summary, _fold in body.segments if is_quoted]
    return "\n\n".join(fresh + quoted)


class AddLeadScreen(ModalScreen[Lead | None]):
    """Dismissed with the created lead, or None when cancelled."""

    #: On a short terminal the form scrolls in fewer rows, so the message and buttons stay in view.
    VERTICAL_BREAKPOINTS = [(0, "-short"), (32, "-tall")]

    BINDINGS = [
        Binding("ctrl+s", "create", "Create lead", id="add_lead.create"),
        Binding("escape", "cancel", "Cancel", id="add_lead.cancel"),
    ]

    def __init__(
        self,
        conversation: Conversation,
        *,
        matches: tuple[LeadMatch, ...] | None = None,
        own_addresses: tuple[str, ...] = (),
    ) -> None:
        super().__init__()
        self.conversation = conversation
        self.matches = matches or ()
        self.lead_email = lead_address(conversation)
        self.own_addresses = tuple(
            {conversation.inbox_email, *own_addresses,
             *(m.from_email for m in conversation.messages if m.outgoing),
             *(m.to_email for m in conversation.messages if m.incoming)} - {""}
        )
        self.candidates: list[Candidate] = []
        self.campaigns: list[Campaign] = []
        self.creating = False
        #: The last attempt's outcome is unknown: ctrl+s checks, it does not send.
        self.unknown = False
        #: Unsettled creations when the workspace has no lead finder (kept for this form only).
        self._unsettled: set[tuple[str, str]] = set()

    @property
    def unibox(self) -> UniboxApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        who = person(self.conversation.lead_name, self.lead_email)
        with Vertical(id="lead-box", classes="form-box"):
            yield Static(Content.styled("Add a lead", "bold"), classes="form-title")
            with VerticalScroll(id="lead-form"):
                yield Static(
                    Content.assemble(("From the latest reply of ", "$text-muted"), who),
                    id="lead-source",
                    classes="form-help",
                )
                with Grid(id="lead-grid"):
                    yield Static(Content("Found"), classes="form-label")
                    yield Select[int](
                        [], prompt="Reading the reply…", id="lead-candidate", compact=True, allow_blank=True
                    )
                    yield Static(Content("Email"), classes="form-label")
                    yield Input(id="lead-email", placeholder="jane@acme.io", max_length=254, compact=True)
                    yield Static(Content("First name"), classes="form-label")
                    yield Input(id="lead-first", max_length=MAX_NAME, compact=True)
                    yield Static(Content("Last name"), classes="form-label")
                    yield Input(id="lead-last", max_length=MAX_NAME, compact=True)
                    yield Static(Content("Campaign"), classes="form-label")
                    yield Select[str]([], prompt="Loading campaigns…", id="lead-campaign", compact=True)
                    yield Static(Content("Variables"), classes="form-label")
                    yield TextArea(self._default_variables(), id="lead-variables", soft_wrap=True, compact=True)
                yield Static(
                    Content.styled("Variables: one “name: value” a line.", "$text-muted"), classes="form-help"
                )
            yield Static(id="lead-error", classes="form-error")
            with Horizontal(classes="form-buttons"):
                yield Button(Content("Create lead  ctrl+s"), id="lead-create", variant="primary", compact=True)
                yield Button(Content("Cancel  esc"), id="lead-cancel", compact=True)

    def _default_variables(self) -> str:
        lines = []
        if self.lead_email:
            lines.append(f"referred_by: {clean_line(self.lead_email, max_chars=254)}")
        return "\n".join(lines)

    def on_mount(self) -> None:
        self.query_one("#lead-email", Input).focus()
        self._read_reply()
        self._load_campaigns()

    # -- prefilling ---------------------------------------------------------------------------------

    @work(exclusive=True, group="lead-reply", exit_on_error=False, description="Reading the reply")
    async def _read_reply(self) -> None:
        text = await asyncio.to_thread(reply_text, self.conversation)
        self.candidates = find_referrals(text, own_addresses=self.own_addresses, lead_email=self.lead_email)
        select = self.query_one("#lead-candidate", Select)
        source = self.query_one("#lead-source", Static)
        who = person(self.conversation.lead_name, self.lead_email)
        if not self.candidates:
            select.set_options([])
            select.prompt = "no address in the reply"
            select.disabled = True
            source.update(Content.assemble(
                ("No address found in the latest reply of ", "$text-muted"), who, ("; type one.", "$text-muted")
            ))
            return
        select.set_options(
            [(Content(_candidate_label(c)), index) for index, c in enumerate(self.candidates)]
        )
        select.value = 0
        self._fill(self.candidates[0])

    def _fill(self, candidate: Candidate) -> None:
        self.query_one("#lead-email", Input).value = candidate.email
        self.query_one("#lead-first", Input).value = candidate.first_name
        self.query_one("#lead-last", Input).value = candidate.last_name
        who = person(self.conversation.lead_name, self.lead_email)
        parts: list[str | tuple[str, str]] = [("From the latest reply of ", "$text-muted"), who]
        if candidate.context:
            parts.extend([("\n“", "$text-muted"), (candidate.context, "italic"), ("”", "$text-muted")])
        self.query_one("#lead-source", Static).update(Content.assemble(*parts))
        variables = self.query_one("#lead-variables", TextArea)
        company = self._same_company(candidate.email)
        if company and "company:" not in variables.text:
            variables.text = variables.text.rstrip("\n") + f"\ncompany: {company}"

    def _same_company(self, email: str) -> str:
        """The current lead's company when the referral writes from the same domain."""
        if not self.matches or email.rpartition("@")[2].lower() != self.lead_email.rpartition("@")[2].lower():
            return ""
        value = self.matches[0].lead.variables.get("company")
        return clean_line(value, max_chars=100) if isinstance(value, str) else ""

    @on(Select.Changed, "#lead-candidate")
    def _candidate_chosen(self, event: Select.Changed) -> None:
        if isinstance(event.value, int) and 0 <= event.value < len(self.candidates):
            candidate = self.candidates[event.value]
            if self.query_one("#lead-email", Input).value != candidate.email:
                self._fill(candidate)

    @work(exclusive=True, group="lead-campaigns", exit_on_error=False, description="Loading campaigns")
    async def _load_campaigns(self) -> None:
        finder = self.unibox.lead_finder
        select = self.query_one("#lead-campaign", Select)
        if finder is None:
            return
        try:
            campaigns = await finder.campaigns()
        except asyncio.CancelledError:
            raise
        except ReachkitError as error:
            select.prompt = "campaigns could not be loaded"
            self._error(f"Could not load the campaigns: {error} Close and try again.")
            return
        self.campaigns = campaigns
        if not campaigns:
            select.prompt = "no campaigns in this workspace"
            self._error("This workspace has no campaigns to add a lead to.")
            return
        select.set_options([(Content(_campaign_label(c)), c.id) for c in campaigns])
        select.value = self._default_campaign(campaigns)

    def _default_campaign(self, campaigns: list[Campaign]) -> str:
        ids = {c.id for c in campaigns}
        for match in self.matches:
            if match.campaign.id in ids:
                return match.campaign.id
        active = [c for c in campaigns if c.status.lower() == "active"]
        return (active or campaigns)[0].id

    # -- creating ---------------------------------------------------------------------------------

    def _error(self, text: str) -> None:
        self.query_one("#lead-error", Static).update(Content.styled(clean_line(text, max_chars=400), "$text-error"))

    def _note(self, text: str) -> None:
        self.query_one("#lead-error", Static).update(Content.styled(text, "$text-muted"))

    def form_values(self) -> tuple[str, str, str, str, dict[str, str], str]:
        """(campaign id, email, first, last, variables, problem): what the form says now."""
        email = self.query_one("#lead-email", Input).value.strip()
        first = self.query_one("#lead-first", Input).value.strip()
        last = self.query_one("#lead-last", Input).value.strip()
        campaign = self.query_one("#lead-campaign", Select).value
        variables, problem = parse_variables(self.query_one("#lead-variables", TextArea).text)
        if not problem:
            problem = self._problem(email, first, last, campaign)
        return (campaign if isinstance(campaign, str) else "", email, first, last, variables, problem)

    def _problem(self, email: str, first: str, last: str, campaign: object) -> str:
        if not email:
            return "Type the new lead's email address."
        if not valid_email(email):
            return "That email address does not look right."
        if email.lower() in {a.lower() for a in self.own_addresses}:
            return "That is one of your own inboxes, not a lead."
        if len(first) > MAX_NAME or len(last) > MAX_NAME:
            return "Names are at most 100 characters."
        if not isinstance(campaign, str) or not campaign:
            return "Choose a campaign."
        return ""

    @on(Button.Pressed, "#lead-create")
    def action_create(self) -> None:
        """Send the lead; after an unknown outcome, check again instead (never a second POST)."""
        if self.creating:
            return
        campaign_id, email, first, last, variables, problem = self.form_values()
        if problem:
            self._error(problem)
            return
        self.creating = True
        self.query_one("#lead-create", Button).disabled = True
        lead = NewLead(campaign_id, email, first, last, variables)
        creator = self._creator()
        unsettled = creator is not None and creator.is_unsettled(lead)
        self._note("Asking Reachkit whether the lead arrived…" if unsettled else "Creating the lead…")
        self._create(lead)

    def _creator(self) -> LeadCreator | None:
        client, finder = self.unibox.client, self.unibox.lead_finder
        if client is None:
            return None
        unsettled = finder.unsettled if finder is not None else self._unsettled
        return LeadCreator(client, unsettled, on_checking=self._note)

    @work(exclusive=True, group="lead-create", exit_on_error=False, description="Creating the lead")
    async def _create(self, lead: NewLead) -> None:
        creator = self._creator()
        if creator is None:
            self._failed("Not connected: nothing was sent.")
            return
        try:
            outcome = await creator.create(lead)
        except asyncio.CancelledError:
            raise
        except Exception as error:  # noqa: BLE001 - LeadCreator settles; this is a bug's last stop
            creator.unsettled.add(lead.key)
            self._failed(
                f"Something went wrong ({type(error).__name__}); ctrl+s checks whether the lead arrived.",
                action="Check again",
            )
            return
        if outcome.status is CreateStatus.CREATED and outcome.lead is not None:
            self._created(lead.campaign_id, outcome.lead)
        elif outcome.status is CreateStatus.UNKNOWN:
            self._failed(outcome.message, action="Check again")
        else:
            self._failed(outcome.message)

    def _failed(self, text: str, *, action: str = "Create lead") -> None:
        """Back to the form with ``text``; the button (and ctrl+s) says what it will do now."""
        self.creating = False
        self.unknown = action != "Create lead"
        button = self.query_one("#lead-create", Button)
        button.label = Content(f"{action}  ctrl+s")
        button.disabled = False
        self._error(text)

    def _created(self, campaign_id: str, lead: Lead) -> None:
        campaign = next((c for c in self.campaigns if c.id == campaign_id), Campaign(campaign_id))
        finder = self.unibox.lead_finder
        if finder is not None:
            finder.note_added(campaign, lead)
        name = clean_line(campaign.name, max_chars=80) or "the campaign"
        who = person(lead.display_name, lead.email)
        self.unibox.say(
            f"Added {who} to “{name}” as a new lead. To undo: ctrl+p, Remove added lead.", title="Lead added"
        )
        self.dismiss(lead)

    def action_cancel(self) -> None:
        if self.creating:
            self.unibox.say("The lead is being created; wait for Reachkit's answer.")
            return
        if self.unknown:
            self.unibox.say(
                "Whether the lead was created is still unknown. Nothing more was sent; A then ctrl+s "
                "asks Reachkit before anything is sent again.",
                title="Lead not confirmed",
                severity="warning",
                timeout=12,
            )
        self.dismiss(None)

    @on(Button.Pressed, "#lead-cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()


def _candidate_label(candidate: Candidate) -> str:
    return f"{candidate.email} · {candidate.name}" if candidate.name else candidate.email


def _campaign_label(campaign: Campaign) -> str:
    name = clean_line(campaign.name, max_chars=60) or "(unnamed)"
    return f"{name} ({humanise(campaign.status, max_chars=12) or '?'})"
