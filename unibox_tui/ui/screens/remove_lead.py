"""Undo the referral hand-off: remove the lead added last from this app, after a confirmation.

The lead is fetched first, so the question can say what Reachkit has done with it since
(an "uncontacted" lead is harmless to remove; a contacted one has already had an email).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.content import Content

from ...api import Lead, NotFoundError, ReachkitError
from ...api.lead_lookup import LeadMatch
from ...render.rooms import humanise
from ...render.sanitize import clean_line
from ...render.thread import person
from .confirm import ConfirmScreen

if TYPE_CHECKING:
    from ..app import UniboxApp

__all__ = ["remove_added_lead"]


def remove_added_lead(app: UniboxApp) -> None:
    """Start the undo of the last lead added here: fetch it, ask, and only then delete it."""
    finder = app.lead_finder
    if finder is None or not finder.added:
        app.say("No lead was added from this app in this session.")
        return
    app.run_worker(
        _fetch_then_ask(app, finder.added[-1]),
        group="remove-lead",
        exclusive=True,
        exit_on_error=False,
        description="Removing the added lead",
    )


async def _fetch_then_ask(app: UniboxApp, match: LeadMatch) -> None:
    client, finder = app.client, app.lead_finder
    if client is None or finder is None:
        return
    campaign_id = match.campaign.id
    try:
        lead = await client.get_lead(campaign_id, match.lead.id)
    except NotFoundError:
        finder.note_removed(match.lead)
        app.say("That lead is no longer in the campaign: nothing to undo.")
        return
    except ReachkitError as error:
        app.show_error(error, "Lead not removed")
        return
    who = person(lead.display_name, lead.email)
    name = clean_line(match.campaign.name, max_chars=100) or "the campaign"
    status = humanise(lead.status, max_chars=20) or "unknown"
    warning = (
        "" if lead.status.lower() in ("", "uncontacted")
        else " Reachkit has already emailed this lead; removing it stops the rest of the sequence."
    )
    body = Content("\n\n").join([
        Content.assemble("Remove ", (who, "bold"), " from “", (name, "bold"), "”? It was added from this app." + warning),
        Content.assemble(("Lead status: ", "$text-muted"), (status, "bold"), ("  ·  in the campaign → removed", "$text-muted")),
    ])

    def decided(confirmed: bool | None) -> None:
        if confirmed:
            app.run_worker(_delete(app, match, lead), group="remove-lead", exit_on_error=False,
                           description="Removing the added lead")

    app.push_screen(ConfirmScreen("Remove the lead you added?", body, "Remove lead", danger=True), decided)


async def _delete(app: UniboxApp, match: LeadMatch, lead: Lead) -> None:
    client, finder = app.client, app.lead_finder
    if client is None or finder is None:
        return
    who = person(lead.display_name, lead.email)
    try:
        await client.delete_lead(match.campaign.id, lead.id)
    except ReachkitError as error:
        app.show_error(error, "Lead not removed")
        return
    finder.note_removed(lead)
    name = clean_line(match.campaign.name, max_chars=100) or "the campaign"
    app.say(f"Removed {who} from “{name}”.", title="Lead removed")
