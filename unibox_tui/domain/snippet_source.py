"""A reply's snippets and what fills their variables: now, and once the campaign lead is known.

The lead record comes from the workspace's ``LeadFinder`` (every campaign asked in the
background, answers cached per address); our inbox (``{my_first_name}``) from its inbox
directory. Either may still be loading when the composer opens: ``values`` says what is known
now and whether more may come, ``values_when_known`` waits for it (a lookup that fails leaves the
thread's values: the composer marks what is still unfilled, and the send guard refuses it).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..render.rooms import lead_address
from .snippets import Snippet, SnippetValues, snippet_for_label, snippet_values

if TYPE_CHECKING:
    from ..api.lead_lookup import LeadFinder
    from ..api.models import Conversation, Lead
    from ..store.inbox_directory import InboxDirectory

__all__ = ["KnownValues", "SnippetSource", "campaign_lead"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class KnownValues:
    """The values for a conversation now; ``pending``: the lead (or our inbox) is still being looked up."""

    values: SnippetValues
    pending: bool


class SnippetSource:
    """The snippets of the settings and their values for one conversation at a time."""

    def __init__(
        self,
        snippets: Callable[[], Sequence[Snippet]],
        finder: Callable[[], LeadFinder | None],
        inboxes: InboxDirectory,
        client: Callable[[], Any],
        adopt: Callable[[tuple[Snippet, ...]], None] = lambda _snippets: None,
    ) -> None:
        self._snippets = snippets
        self._adopt = adopt
        self._finder = finder
        self._inboxes = inboxes
        self._client = client

    @property
    def snippets(self) -> tuple[Snippet, ...]:
        """As the settings have them now (re-read after one is added or edited in the app)."""
        return tuple(self._snippets())

    def adopt(self, snippets: tuple[Snippet, ...]) -> None:
        """The settings file's snippets as re-read after the app saved one: used from now on."""
        self._adopt(snippets)

    def for_label(self, label: str | None) -> Snippet | None:
        """The snippet ``r`` prefills for a conversation labelled ``label`` (manual over AI)."""
        return snippet_for_label(self.snippets, label)

    def values(self, conversation: Conversation) -> KnownValues:
        """What is known now (no request): the lead if looked up already, the thread, our inbox."""
        lead, lead_pending = self._known_lead(conversation)
        inbox = self._inboxes.by_email(conversation.inbox_email) if self._inboxes.loaded else None
        pending = lead_pending or (not self._inboxes.loaded and self._client() is not None)
        return KnownValues(snippet_values(conversation, lead, inbox), pending)

    async def values_when_known(self, conversation: Conversation) -> SnippetValues:
        """The values once the lead and our inboxes are looked up (or could not be)."""
        finder, client = self._finder(), self._client()
        address = lead_address(conversation)
        jobs = []
        if finder is not None and address:
            jobs.append(finder.find(address))
        if client is not None and not self._inboxes.loaded:
            jobs.append(self._inboxes.ensure(client))
        for result in await asyncio.gather(*jobs, return_exceptions=True):
            if isinstance(result, asyncio.CancelledError):
                raise result
            if isinstance(result, BaseException):
                log.info("snippet values: a lookup failed: %r", result)  # the thread's values serve
        return self.values(conversation).values

    def _known_lead(self, conversation: Conversation) -> tuple[Lead | None, bool]:
        finder = self._finder()
        address = lead_address(conversation)
        if finder is None or not address:
            return None, False
        matches = finder.cached(address)
        if matches is None:
            return None, True
        return (matches[0].lead if matches else None), False


async def campaign_lead(finder: LeadFinder | None, conversation: Conversation, *, timeout: float = 5.0) -> Lead | None:
    """The conversation's campaign lead (its first campaign's record), or ``None`` when not found in
    ``timeout`` seconds or the lookup failed: what a pipe adds as ``"lead"`` when it is known."""
    address = lead_address(conversation)
    if finder is None or not address:
        return None
    try:
        matches = await asyncio.wait_for(finder.find(address), timeout)
    except asyncio.CancelledError:
        raise
    except Exception as error:  # noqa: BLE001 - unknown: the pipe goes without it
        log.info("pipe: the lead could not be looked up: %r", error)
        return None
    return matches[0].lead if matches else None
