"""The connected inboxes (``GET /inboxes``), fetched once, shared by every screen, refreshed on demand.

The composer asks it for the name and signature of the inbox a reply goes out from; an Inboxes
screen can list and refresh it. Concurrent callers share one request; a failed load keeps what
was known before and remembers the error.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Final

from ..api.errors import ReachkitError
from ..api.models import Inbox

if TYPE_CHECKING:
    from ..api.client import ReachkitClient

__all__ = ["InboxDirectory"]

#: Inboxes (names, signatures) change rarely: a loaded directory is reused this long.
DEFAULT_MAX_AGE: Final = 15 * 60.0


def _email_key(email: str) -> str:
    return email.strip().lower()


class InboxDirectory:
    """Inboxes by email and by id. ``await ensure(client)`` loads them unless fresh enough."""

    def __init__(self, *, max_age: float = DEFAULT_MAX_AGE) -> None:
        self.max_age = max_age
        self.inboxes: tuple[Inbox, ...] = ()
        self.loaded_at: float | None = None
        #: The last load's failure (``None`` after a success).
        self.error: ReachkitError | None = None
        self._by_email: dict[str, Inbox] = {}
        self._by_id: dict[str, Inbox] = {}
        self._lock: asyncio.Lock | None = None

    @property
    def loaded(self) -> bool:
        return self.loaded_at is not None

    @property
    def fresh(self) -> bool:
        return self.loaded_at is not None and time.monotonic() - self.loaded_at < self.max_age

    def by_email(self, email: str | None) -> Inbox | None:
        """The inbox with this address (case-insensitive), if known."""
        return self._by_email.get(_email_key(email)) if email else None

    def by_id(self, inbox_id: str | None) -> Inbox | None:
        return self._by_id.get(inbox_id) if inbox_id else None

    def adopt(self, inboxes: list[Inbox] | tuple[Inbox, ...]) -> None:
        """Take a list of inboxes as the current truth (also used by tests and other screens)."""
        self.inboxes = tuple(inboxes)
        self._by_email = {}
        self._by_id = {}
        for inbox in self.inboxes:
            if inbox.email:
                self._by_email.setdefault(_email_key(inbox.email), inbox)
            if inbox.id:
                self._by_id.setdefault(inbox.id, inbox)
        self.loaded_at = time.monotonic()
        self.error = None

    async def ensure(self, client: ReachkitClient, *, force: bool = False) -> tuple[Inbox, ...]:
        """The inboxes, loading them first if never loaded, stale, or ``force``d.

        Raises the client's ``ReachkitError`` only when nothing was ever loaded; with an older
        list in hand, the failure is kept in ``error`` and the older list is returned.
        """
        if self._lock is None:
            self._lock = asyncio.Lock()
        requested = time.monotonic()
        async with self._lock:
            # Someone else loaded while we waited for the lock: use theirs.
            if self.loaded_at is not None and (self.loaded_at >= requested or (self.fresh and not force)):
                return self.inboxes
            try:
                inboxes = await client.list_inboxes()
            except ReachkitError as error:
                self.error = error
                if not self.loaded:
                    raise
                return self.inboxes
            self.adopt(inboxes)
            return self.inboxes

    async def refresh(self, client: ReachkitClient) -> tuple[Inbox, ...]:
        return await self.ensure(client, force=True)
