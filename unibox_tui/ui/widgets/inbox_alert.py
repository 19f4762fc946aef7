"""A one-line warning on the main screen when a sending inbox has lost its connection.

Checked once in the background after the inbox screen's first page and again on ctrl+r; hidden
when all is well. A click (or ``I``) asks for the Inboxes room on the broken inbox.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import events, work
from textual.content import Content
from textual.message import Message
from textual.widget import Widget

from ...api import Inbox, ReachkitError
from ...render.sanitize import clean_line

if TYPE_CHECKING:
    from ...api.client import ReachkitClient

__all__ = ["InboxAlert", "fetch_inboxes"]

log = logging.getLogger(__name__)


async def fetch_inboxes(client: ReachkitClient) -> list[Inbox]:
    """The workspace's inboxes: the one place this alert gets them from."""
    return await client.list_inboxes()


class InboxAlert(Widget):
    """``⚠ 1 inbox disconnected: alex@acme.io`` — or nothing at all."""

    DEFAULT_CSS = """
    InboxAlert {
        height: 1;
        padding: 0 1;
        background: $error-muted;
        color: $text;
    }
    """

    @dataclass
    class OpenInboxes(Message):
        """The user asked to see the inboxes, on ``select`` (an address) if given."""

        alert: InboxAlert
        select: str | None

        @property
        def control(self) -> InboxAlert:
            return self.alert

    def __init__(
        self, client: Callable[[], ReachkitClient | None], *, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(id=id, classes=classes)
        #: The workspace's client, asked for each check (``None``: no session).
        self._client = client
        self.inboxes: list[Inbox] = []
        self.display = False

    @property
    def disconnected(self) -> list[Inbox]:
        return [inbox for inbox in self.inboxes if inbox.disconnected]

    @property
    def addresses(self) -> tuple[str, ...]:
        """Our own addresses, as far as known (never a referral candidate)."""
        return tuple(inbox.email for inbox in self.inboxes if inbox.email)

    def check(self) -> None:
        if self._client() is not None:
            self._fetch()

    @work(exclusive=True, group="inbox-alert", exit_on_error=False, description="Checking inboxes")
    async def _fetch(self) -> None:
        client = self._client()
        if client is None:
            return
        try:
            inboxes = await fetch_inboxes(client)
        except asyncio.CancelledError:
            raise
        except ReachkitError as error:
            log.info("inbox check failed: %s", error)  # the list shows connection trouble already
            return
        except Exception:  # noqa: BLE001 - a surprise in a background check: logged, the next check runs
            log.warning("inbox check failed", exc_info=True)
            return
        self.inboxes = inboxes
        self.display = bool(self.disconnected)
        self.refresh(layout=True)

    def render(self) -> Content:
        broken = self.disconnected
        if not broken:
            return Content("")
        count = len(broken)
        first = clean_line(broken[0].email, max_chars=80)
        more = f" +{count - 1}" if count > 1 else ""
        width = max(10, self.content_region.width or self.size.width)
        line = Content.assemble(
            (f"⚠ {count} inbox{'es' if count != 1 else ''} disconnected: ", "bold"),
            first + more,
            ("  · I: Inboxes", ""),
        )
        return line.truncate(width, ellipsis=True)

    def on_click(self, event: events.Click) -> None:
        broken = self.disconnected
        self.post_message(self.OpenInboxes(self, broken[0].email if broken else None))
