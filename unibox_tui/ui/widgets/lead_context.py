"""Under the thread header: the campaign(s) the open conversation's lead is in, and how they stand.

One quiet line by default (``i`` or a click shows up to three): campaign and its status, the
lead's status, bounced/unsubscribed flags, custom variables. Looked up in the background (the
API has no cross-campaign lead search, so every campaign is asked), cached per address, and
dropped when the user has moved on. Not found or failed is a muted line, never a toast.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from textual import events, work
from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget

from ...api import Conversation, ReachkitError
from ...api.budget import background
from ...api.lead_lookup import LeadFinder, LeadMatch
from ...render.rooms import humanise, lead_address, variable_pairs
from ...render.sanitize import clean_line

__all__ = ["LeadContext"]

log = logging.getLogger(__name__)

_CAMPAIGN_STYLE = {"active": "$text-success", "paused": "$text-warning"}


class LeadContext(Widget):
    """What Reachkit knows about the lead of the open conversation (or nothing, quietly)."""

    DEFAULT_CSS = """
    LeadContext {
        height: auto;
        max-height: 3;
        padding: 0 1;
        background: $panel;
        color: $text;
    }
    """

    expanded: reactive[bool] = reactive(False, layout=True)

    def __init__(
        self, finder: Callable[[], LeadFinder | None], *, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(id=id, classes=classes)
        #: The workspace's lead lookups, asked each time (``None``: no session; never built at start-up).
        self._finder = finder
        self.address = ""
        #: The address the lead wrote to: campaigns sending from it are asked first.
        self.inbox = ""
        #: idle (nothing to look up), loading, found, none, error
        self.state = "idle"
        self.matches: tuple[LeadMatch, ...] = ()
        self.display = False

    # -- what to show -------------------------------------------------------------------------------

    def show_for(self, conversation: Conversation | None) -> None:
        """Show the lead of ``conversation`` (from the cache at once, else looked up)."""
        address = lead_address(conversation) if conversation is not None else ""
        if address.lower() == self.address.lower() and self.state != "error":
            return
        self.address = address
        self.matches = ()
        finder = self._finder()
        if not address or finder is None:
            self._set_state("idle")
            return
        cached = finder.cached(address)
        if cached is not None:
            self.matches = cached
            self._set_state("found" if cached else "none")
            return
        self._set_state("loading")
        self.inbox = conversation.inbox_email if conversation is not None else ""
        self._lookup(address)

    def matches_for(self, conversation: Conversation) -> tuple[LeadMatch, ...] | None:
        """The campaigns of ``conversation``'s lead if they are known already (no request)."""
        address = lead_address(conversation)
        finder = self._finder()
        return finder.cached(address) if finder is not None and address else None

    def refresh_lookup(self) -> None:
        """Ask again (ctrl+r): campaigns and statuses may have changed. Shows the old answer meanwhile."""
        finder = self._finder()
        if finder is None:
            return
        finder.clear()
        if self.address:
            self._lookup(self.address)

    def revalidate(self) -> None:
        """Back from another screen: a campaign may have been paused there, or a lead added."""
        if self.state not in ("found", "none"):
            return  # (checked first: asking for the finder builds the client, not at start-up)
        finder = self._finder()
        if finder is None:
            return
        cached = finder.cached(self.address)
        if cached is None:
            self._set_state("loading")
            self._lookup(self.address)
        else:
            self.matches = cached
            self._set_state("found" if cached else "none")

    def toggle(self) -> None:
        self.expanded = not self.expanded

    def on_click(self, event: events.Click) -> None:
        self.toggle()

    def _set_state(self, state: str) -> None:
        self.state = state
        self.display = state != "idle"  # (showing or hiding lays the screen out again by itself)
        self.refresh(layout=self.expanded)  # folded, it is always one line

    @work(exclusive=True, group="lead-context", exit_on_error=False, description="Looking up the lead")
    async def _lookup(self, address: str) -> None:
        finder = self._finder()
        if finder is None:
            return
        try:
            with background():  # never ahead of a reply, a triage PATCH or a page asked for
                matches = await finder.find(address, inbox=self.inbox)
        except asyncio.CancelledError:
            raise
        except Exception as error:  # noqa: BLE001 - failed (or a surprise): a muted line; showing it again retries
            if isinstance(error, ReachkitError):
                log.info("lead lookup for %s failed: %s", address, error)
            else:
                log.warning("lead lookup for %s failed", address, exc_info=error)
            if address == self.address:
                self._set_state("error")
            return
        if address != self.address:
            return  # the user has moved on
        self.matches = matches
        self._set_state("found" if matches else "none")

    # -- drawing ----------------------------------------------------------------------------------

    def render(self) -> Content:
        width = max(10, self.content_region.width or self.size.width)
        address = clean_line(self.address, max_chars=120)
        head = ("Lead ", "bold $text-muted")
        if self.state == "loading":
            lines = [Content.assemble(head, (f"looking up {address}…", "$text-muted"))]
        elif self.state == "none":
            lines = [Content.assemble(head, (f"not in any campaign · {address}", "$text-muted"))]
        elif self.state == "error":
            lines = [Content.assemble(head, ("could not be looked up (ctrl+r tries again)", "$text-muted"))]
        elif self.state == "found":
            lines = self._expanded_lines() if self.expanded else [self._collapsed_line()]
        else:
            lines = []
        return Content("\n").join(line.truncate(width, ellipsis=True) for line in lines)

    def _campaign_part(self, match: LeadMatch) -> list[str | tuple[str, str]]:
        name = clean_line(match.campaign.name, max_chars=80) or "(unnamed campaign)"
        status = match.campaign.status.lower()
        shown = humanise(match.campaign.status, max_chars=16) or "?"
        return [(name, "bold"), (f" ({shown})", _CAMPAIGN_STYLE.get(status, "$text-muted"))]

    def _flags(self, match: LeadMatch) -> list[str | tuple[str, str]]:
        lead = match.lead
        parts: list[str | tuple[str, str]] = [(" · ", "$text-muted"), humanise(lead.status, max_chars=20) or "status ?"]
        if lead.is_bounced:
            parts += [(" · ", "$text-muted"), ("bounced", "bold $text-error")]
        if lead.is_unsubscribed:
            parts += [(" · ", "$text-muted"), ("unsubscribed", "bold $text-warning")]
        return parts

    def _variables(self, match: LeadMatch, *, max_items: int) -> list[str | tuple[str, str]]:
        parts: list[str | tuple[str, str]] = []
        for index, (key, value) in enumerate(variable_pairs(match.lead.variables, max_items=max_items)):
            parts += [(" · " if index else "", "$text-muted"), (f"{key} ", "$text-muted"), value]
        return parts

    def _collapsed_line(self) -> Content:
        first = self.matches[0]
        parts: list[str | tuple[str, str]] = [("Lead ", "bold $text-muted"), *self._campaign_part(first)]
        if len(self.matches) > 1:
            parts.append((f" +{len(self.matches) - 1} more", "$text-muted"))
        parts += self._flags(first)
        variables = self._variables(first, max_items=4)
        if variables:
            parts += [("  ", ""), *variables]
        return Content.assemble(*parts)

    def _expanded_lines(self) -> list[Content]:
        first = self.matches[0]
        campaigns: list[str | tuple[str, str]] = [("Lead in ", "bold $text-muted")]
        for index, match in enumerate(self.matches[:4]):
            if index:
                campaigns.append((", ", "$text-muted"))
            campaigns += self._campaign_part(match)
        if len(self.matches) > 4:
            campaigns.append((f" +{len(self.matches) - 4} more", "$text-muted"))
        lead = first.lead
        name = clean_line(lead.display_name, max_chars=60)
        status: list[str | tuple[str, str]] = [("Status ", "$text-muted"), *self._flags(first)[1:]]
        if lead.provider:
            status += [(" · provider ", "$text-muted"), humanise(lead.provider, max_chars=16)]
        if name:
            status += [(" · ", "$text-muted"), name]
        lines = [Content.assemble(*campaigns), Content.assemble(*status)]
        variables = self._variables(first, max_items=12)
        if variables:
            lines.append(Content.assemble(*variables))
        return lines
