"""Which campaigns an address is a lead in: the API has no cross-campaign lead search, so ask each.

Campaigns are listed once and kept; each address's answer is kept in a bounded LRU, so moving
up and down the conversation list costs no requests after the first visit.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Final

from .errors import NotFoundError, ReachkitError
from .models import Campaign, Lead

if TYPE_CHECKING:
    from .client import ReachkitClient

__all__ = ["LeadFinder", "LeadMatch", "sending_from_first"]

#: Campaigns searched at once; a workspace with 40 campaigns must not open 40 connections.
CONCURRENCY: Final = 4
#: Pages of search results read per campaign before giving up on an exact match.
MAX_PAGES: Final = 3
SEARCH_PAGE_SIZE: Final = 100


@dataclass(frozen=True, slots=True)
class LeadMatch:
    """The lead record of one campaign for the address looked up."""

    campaign: Campaign
    lead: Lead


class LeadFinder:
    """Finds an address's lead records across campaigns; every answer is cached (bounded)."""

    def __init__(self, client: ReachkitClient, *, capacity: int = 256, campaigns_ttl: float = 300.0) -> None:
        self.client = client
        self.capacity = capacity
        self.campaigns_ttl = campaigns_ttl
        self._campaigns: list[Campaign] | None = None
        self._campaigns_at = 0.0
        self._campaigns_lock = asyncio.Lock()
        self._senders: dict[str, frozenset[str]] | None = None
        self._senders_lock = asyncio.Lock()
        self._senders_at = 0.0
        self._found: OrderedDict[str, tuple[LeadMatch, ...]] = OrderedDict()
        #: Per (address, campaign id), the answers of a lookup that failed half-way: asking again
        #: (ctrl+r, the next visit) asks only the campaigns that did not answer. Bounded.
        self._partial: OrderedDict[tuple[str, str], Lead | None] = OrderedDict()
        #: Leads added from this app in this session, newest last (so the last one can be undone).
        self.added: list[LeadMatch] = []
        #: (campaign id, address) of creations whose answer was lost and that no check has settled
        #: yet: nothing may be sent for them until a check answers (``domain/lead_creation.py``).
        #: Kept by ``clear()``: it is about not creating a lead twice, not a cache.
        self.unsettled: set[tuple[str, str]] = set()

    # -- campaigns -----------------------------------------------------------------------------

    async def campaigns(self) -> list[Campaign]:
        """Every campaign, listed once (again after ``campaigns_ttl`` seconds or ``clear()``)."""
        async with self._campaigns_lock:
            fresh = time.monotonic() - self._campaigns_at < self.campaigns_ttl
            if self._campaigns is None or not fresh:
                self._campaigns = await self.client.list_campaigns()
                self._campaigns_at = time.monotonic()
            return list(self._campaigns)

    async def senders(self) -> dict[str, frozenset[str]]:
        """Which campaigns send from each of our inboxes (the inbox list says; the campaign list
        does not): one request, kept as long as the campaigns. Empty if it cannot be had."""
        async with self._senders_lock:
            fresh = time.monotonic() - self._senders_at < self.campaigns_ttl
            if self._senders is None or not fresh:
                try:
                    inboxes = await self.client.list_inboxes()
                except ReachkitError:
                    return {}  # only the order of the search is lost
                self._senders = {_key(i.email): frozenset(c.id for c in i.campaigns) for i in inboxes}
                self._senders_at = time.monotonic()
            return self._senders

    def note_campaign(self, campaign_id: str, *, status: str) -> None:
        """A campaign's status changed here: keep cached answers truthful without asking again."""
        if self._campaigns is not None:
            self._campaigns = [replace(c, status=status) if c.id == campaign_id else c for c in self._campaigns]
        for address, matches in self._found.items():
            self._found[address] = tuple(
                replace(m, campaign=replace(m.campaign, status=status)) if m.campaign.id == campaign_id else m
                for m in matches
            )

    # -- leads ---------------------------------------------------------------------------------

    def cached(self, address: str) -> tuple[LeadMatch, ...] | None:
        """The answer for ``address`` if it was looked up already (no request)."""
        key = _key(address)
        matches = self._found.get(key)
        if matches is not None:
            self._found.move_to_end(key)
        return matches

    async def find(self, address: str, *, inbox: str = "") -> tuple[LeadMatch, ...]:
        """Every campaign where ``address`` is a lead (exact, case-insensitive match); cached.

        ``inbox``: the address the lead wrote to. Campaigns that send from it are asked first:
        that is where the lead almost always is, so under a request budget the likely answer
        comes in the first requests, not after the other 39 campaigns.

        A campaign that disappeared meanwhile (404) is skipped; any other error propagates and
        nothing is cached, so a later call tries again.
        """
        key = _key(address)
        if not key:
            return ()
        cached = self.cached(key)
        if cached is not None:
            return cached
        if inbox:  # both lists at once: the inbox list costs no extra round trip
            listed, senders = await asyncio.gather(self.campaigns(), self.senders())
        else:
            listed, senders = await self.campaigns(), {}
        campaigns = sending_from_first(listed, inbox, senders)
        gate = asyncio.Semaphore(CONCURRENCY)

        async def search(campaign: Campaign) -> LeadMatch | None:
            known = self._partial.get((key, campaign.id), _UNKNOWN)
            if known is _UNKNOWN:
                async with gate:
                    try:
                        known = await self._lead_in(campaign, key)
                    except NotFoundError:
                        known = None
                self._note_partial(key, campaign.id, known)
            return LeadMatch(campaign, known) if isinstance(known, Lead) else None

        # A TaskGroup, not gather: the first failure cancels the other searches instead of
        # letting them run on for an answer nobody will read.
        try:
            async with asyncio.TaskGroup() as group:
                tasks = [group.create_task(search(c)) for c in campaigns]
        except ExceptionGroup as failed:
            raise _first(failed) from None
        matches = tuple(m for m in (t.result() for t in tasks) if m is not None)
        self._remember(key, matches)
        self._drop_partial(key)
        return matches

    def _note_partial(self, key: str, campaign_id: str, lead: Lead | None) -> None:
        self._partial[(key, campaign_id)] = lead
        while len(self._partial) > self.capacity * 4:
            self._partial.popitem(last=False)

    def _drop_partial(self, key: str) -> None:
        for entry in [entry for entry in self._partial if entry[0] == key]:
            del self._partial[entry]

    async def _lead_in(self, campaign: Campaign, address: str) -> Lead | None:
        for page_number in range(1, MAX_PAGES + 1):
            page = await self.client.list_leads(
                campaign.id, search=address, page=page_number, page_size=SEARCH_PAGE_SIZE
            )
            for lead in page.items:
                if _key(lead.email) == address:
                    return lead
            if not page.has_next:
                break
        return None

    def _remember(self, key: str, matches: tuple[LeadMatch, ...]) -> None:
        self._found[key] = matches
        self._found.move_to_end(key)
        while len(self._found) > self.capacity:
            self._found.popitem(last=False)

    def note_added(self, campaign: Campaign, lead: Lead) -> None:
        """A lead was just created here: its address's cached answer is out of date."""
        self.added.append(LeadMatch(campaign, lead))
        del self.added[:-20]
        self.forget([lead.email])

    def note_removed(self, lead: Lead) -> None:
        self.added = [m for m in self.added if m.lead.id != lead.id]
        self.forget([lead.email])

    def forget(self, addresses: Iterable[str]) -> None:
        """Drop cached answers (say, after a lead was added for one of these addresses)."""
        for address in addresses:
            self._found.pop(_key(address), None)
            self._drop_partial(_key(address))

    def clear(self) -> None:
        """Forget everything: the next lookups list campaigns and search again (ctrl+r)."""
        self._campaigns = None
        self._senders = None
        self._found.clear()
        self._partial.clear()


def sending_from_first(
    campaigns: list[Campaign], inbox: str, senders: Mapping[str, frozenset[str]] | None = None
) -> list[Campaign]:
    """``campaigns`` with those sending from ``inbox`` first (stable: the rest keep their order).

    ``senders``: campaign ids by inbox address (from the inbox list); a campaign's own ``inboxes``
    (the detail view) count too.
    """
    wanted = _key(inbox)
    if not wanted:
        return campaigns
    listed = (senders or {}).get(wanted, frozenset())

    def sends_from_it(campaign: Campaign) -> bool:
        return campaign.id in listed or any(_key(ref.email) == wanted for ref in campaign.inboxes)

    return sorted(campaigns, key=lambda c: not sends_from_it(c))


def _first(group: BaseExceptionGroup) -> BaseException:
    """The first real error of a failed task group (nested groups flattened)."""
    error: BaseException = group
    while isinstance(error, BaseExceptionGroup) and error.exceptions:
        error = error.exceptions[0]
    return error


#: "Not asked yet" in the per-campaign answers (``None`` there means "not a lead in it").
_UNKNOWN: Final = object()


def _key(address: str) -> str:
    return address.strip().lower()
