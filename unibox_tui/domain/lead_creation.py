"""Creating a lead with one POST, never repeated on a guess: a lost answer is settled by reading.

The same discipline as a reply (``store/outbox.py``). A POST whose answer is lost may have created
the lead: a timeout, a dropped connection, a 5xx (a proxy timing out, a crash after commit), a 429
from a limiter that counts after the fact, or an answer that is not the documented JSON. Then the
campaign's leads are searched for the address before anything is offered:

- found: it was created;
- not found: it did not arrive, and the form may send it again;
- the search itself fails: unknown. Nothing is sent for that address and campaign until a check
  answers; the next ``create`` is a check, even from a form opened afresh (the set lives in the
  workspace's ``LeadFinder``).

A refusal (4xx) or a request that never left is a plain "not created".
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Final

from ..api.errors import (
    APIError,
    NetworkError,
    NotDeliveredError,
    ProtocolError,
    RateLimitedError,
    ReachkitError,
    ServerError,
    ValidationError,
)
from ..api.models import Lead

if TYPE_CHECKING:
    from ..api.client import ReachkitClient

__all__ = ["CreateOutcome", "CreateStatus", "LeadCreator", "NewLead"]

log = logging.getLogger(__name__)

#: Pages of a campaign's search results read when looking for the address.
CHECK_PAGES: Final = 5
CHECK_PAGE_SIZE: Final = 100


class CreateStatus(Enum):
    CREATED = "created"
    #: Refused, never sent, or checked and absent: the form may send it (again).
    NOT_CREATED = "not created"
    #: The answer was lost and no check could tell: only a check may follow.
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class CreateOutcome:
    status: CreateStatus
    #: The lead as the server has it (CREATED only).
    lead: Lead | None = None
    #: Words for the form (empty when created).
    message: str = ""
    #: A POST left this machine during this call.
    posted: bool = False


@dataclass(frozen=True, slots=True)
class NewLead:
    campaign_id: str
    email: str
    first_name: str = ""
    last_name: str = ""
    variables: Mapping[str, str] | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.campaign_id, self.email.strip().lower())


class LeadCreator:
    """Creates leads through ``client``; ``unsettled`` is the workspace's set of unknown outcomes."""

    def __init__(
        self,
        client: ReachkitClient,
        unsettled: set[tuple[str, str]],
        *,
        on_checking: Callable[[str], None] | None = None,
    ) -> None:
        self.client = client
        self.unsettled = unsettled
        #: Told (with words) when a lost answer is being checked, so the form can say so.
        self.on_checking = on_checking

    def is_unsettled(self, lead: NewLead) -> bool:
        return lead.key in self.unsettled

    async def create(self, lead: NewLead) -> CreateOutcome:
        """One POST at most; none while an earlier attempt for this lead is unsettled."""
        if self.is_unsettled(lead):
            return await self.check(lead)
        try:
            created = await self.client.create_lead(
                lead.campaign_id,
                email=lead.email,
                first_name=lead.first_name,
                last_name=lead.last_name,
                variables=lead.variables,
            )
        except asyncio.CancelledError:
            raise
        except NotDeliveredError as error:
            return CreateOutcome(
                CreateStatus.NOT_CREATED, message=f"Not sent: {error} Nothing was created; ctrl+s tries again."
            )
        except ValidationError as error:
            return CreateOutcome(CreateStatus.NOT_CREATED, message=f"Reachkit refused it: {error}", posted=True)
        except (ServerError, RateLimitedError) as error:
            return await self._settle(lead, error)
        except APIError as error:  # refused (401/403/404/409, a redirect): the server said no
            return CreateOutcome(CreateStatus.NOT_CREATED, message=str(error), posted=True)
        except Exception as error:  # noqa: BLE001 - timeout, dropped connection, junk answer, a bug
            return await self._settle(lead, error)
        return CreateOutcome(CreateStatus.CREATED, created, posted=True)

    async def _settle(self, lead: NewLead, cause: BaseException) -> CreateOutcome:
        self.unsettled.add(lead.key)  # until a check answers, even if this task dies
        log.info("the answer to creating a lead was lost (%r); checking", cause)
        outcome = await self.check(lead, cause=cause)
        return CreateOutcome(outcome.status, outcome.lead, outcome.message, posted=True)

    async def check(self, lead: NewLead, *, cause: BaseException | None = None) -> CreateOutcome:
        """Is ``lead`` in its campaign? Settles an unknown outcome, or says it is still unknown."""
        lost = f"The answer was lost ({_why(cause)})" if cause is not None else "An earlier answer was lost"
        if self.on_checking is not None:
            self.on_checking(f"{lost}; checking whether the lead was created…")
        try:
            found = await self._find(lead)
        except asyncio.CancelledError:
            raise
        except Exception as error:  # noqa: BLE001 - any failure leaves the outcome unknown
            log.info("checking for a lead whose answer was lost failed: %r", error)
            self.unsettled.add(lead.key)
            return CreateOutcome(
                CreateStatus.UNKNOWN,
                message=(
                    f"{lost}, and Reachkit could not be asked whether the lead exists ({_why(error)}). "
                    "Nothing more is sent: ctrl+s asks again."
                ),
            )
        self.unsettled.discard(lead.key)
        if found is not None:
            return CreateOutcome(CreateStatus.CREATED, found)
        return CreateOutcome(
            CreateStatus.NOT_CREATED,
            message=f"{lost}, and the lead is not in the campaign: it did not arrive. ctrl+s sends it again.",
        )

    async def _find(self, lead: NewLead) -> Lead | None:
        """The campaign's lead with this address (exact, case-insensitive), searching a few pages."""
        wanted = lead.email.strip().lower()
        for page_number in range(1, CHECK_PAGES + 1):
            page = await self.client.list_leads(
                lead.campaign_id, search=lead.email.strip(), page=page_number, page_size=CHECK_PAGE_SIZE
            )
            for item in page.items:
                if item.email.strip().lower() == wanted:
                    return item
            if not page.has_next:
                return None
        raise _Inconclusive(f"the search for {lead.email} returned more than {CHECK_PAGES} pages of leads")


class _Inconclusive(Exception):
    """The search could not rule the address out (too many near matches)."""


def _why(error: BaseException | None) -> str:
    """What went wrong, in a few words (the form is small; the full error is in the log)."""
    if error is None:
        return "no answer"
    if isinstance(error, _Inconclusive):
        return str(error)
    if isinstance(error, RateLimitedError):
        return "HTTP 429, rate limited"
    if isinstance(error, APIError):
        return f"HTTP {error.status}"
    if isinstance(error, NotDeliveredError):
        return "Reachkit could not be reached"
    if isinstance(error, NetworkError):
        return "the connection broke or timed out"
    if isinstance(error, ProtocolError):
        return "an answer that was not Reachkit's JSON"
    if isinstance(error, ReachkitError):
        return str(error).rstrip(".")
    return type(error).__name__
