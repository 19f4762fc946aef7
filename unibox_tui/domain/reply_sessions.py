"""A workspace's replies: one ``ReplySession`` per conversation, alive while it has work to do.

A session lives as long as the composer shows it or a reply is counting down, in flight, or of
unknown delivery (its rechecks run whether or not a composer is open). At start-up every draft
left ``sending`` or ``delivery_unknown`` by the last run gets a session and is checked. All
sessions' events reach ``events``, so one listener (the app) tells the user.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from ..api.models import Conversation
from ..render.compose import reply_subject
from ..store.drafts import Draft
from .reply_session import Happened, Mode, ReplyEvent, ReplyServices, ReplySession
from .signal import Signal

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["ReplySessions"]

log = logging.getLogger(__name__)


class ReplySessions:
    """The sessions of one workspace, by conversation id."""

    def __init__(self, services: ReplyServices) -> None:
        self.services = services
        self.events: Signal[ReplyEvent] = Signal()
        self._sessions: dict[str, ReplySession] = {}
        self._stopped = False

    def get(self, conversation_id: str) -> ReplySession | None:
        return self._sessions.get(conversation_id)

    def __iter__(self) -> Iterable[ReplySession]:
        return iter(list(self._sessions.values()))

    def open(self, conversation: Conversation) -> ReplySession:
        """The session of ``conversation`` for the composer: the live one, else its draft from disk, else new."""
        session = self._sessions.get(conversation.id)
        if session is not None:
            session.attach(conversation)
            return session  # a live one already has its rechecks scheduled
        draft = self.services.drafts.load(conversation.id)
        self._report_problems()
        session = self._add(draft or _new_draft(conversation), conversation, on_disk=draft is not None)
        if session.mode == Mode.UNKNOWN:
            session.check_now("open")  # left unsettled (a crash, another terminal): look first
        return session

    def on_its_way(self) -> list[ReplySession]:
        """Replies counting down or in flight (quitting asks about these)."""
        return [s for s in self._sessions.values() if s.on_its_way]

    def hold_countdowns(self) -> None:
        """A question is being asked (quitting): no countdown may end meanwhile."""
        for session in self.on_its_way():
            session.hold()

    def resume_countdowns(self) -> None:
        for session in self.on_its_way():
            session.resume()

    def send_all_now(self) -> None:
        for session in self.on_its_way():
            session.send_now()

    def undo_all_countdowns(self) -> None:
        for session in self.on_its_way():
            session.undo()

    async def wait_until_sent(self, timeout: float) -> bool:
        """Wait (at most ``timeout`` s in all) for every reply in flight; True if none is left."""
        sending = [s for s in self._sessions.values() if s.working]
        if not sending:
            return True
        results = await asyncio.gather(*(s.wait_until_idle(timeout) for s in sending))
        return all(results)

    def discard(self, conversation_id: str) -> None:
        """The draft was deleted by the user: its session (and rechecks) end."""
        session = self._sessions.pop(conversation_id, None)
        if session is not None:
            session.stop()

    async def resume_pending(self) -> None:
        """At start-up: check every reply the last run left unsettled, one after the other."""
        drafts = await asyncio.to_thread(self.services.drafts.list)
        self._report_problems()
        for draft in drafts:
            if self._stopped:
                return
            if not draft.pending or draft.conversation_id in self._sessions:
                continue
            session = self._add(draft, None, on_disk=True)
            if session.check_now("startup"):
                await session.wait_until_idle(60.0)

    def stop(self) -> None:
        """The workspace goes away: every timer and request of its replies ends."""
        self._stopped = True
        for session in self._sessions.values():
            session.stop()
        self.events.clear()

    # -- inside ----------------------------------------------------------------------------------

    def _add(self, draft: Draft, conversation: Conversation | None, *, on_disk: bool) -> ReplySession:
        session = ReplySession(self.services, draft, conversation, on_disk=on_disk)
        session.events.connect(self._forward)
        self._sessions[draft.conversation_id] = session
        return session

    def _forward(self, event: ReplyEvent) -> None:
        session = event.session
        if event.kind in (Happened.SENT, Happened.RELEASED) and session.mode in (Mode.EDITING, Mode.SENT):
            if self._sessions.get(session.conversation_id) is session:
                del self._sessions[session.conversation_id]  # nothing left to do: the disk has the draft
        self.events.emit(event)

    def _report_problems(self) -> None:
        for problem in self.services.drafts.take_problems():
            log.warning("%s", problem)
            self.events.emit(ReplyEvent(Happened.PROBLEM, None, problem))


def _new_draft(conversation: Conversation) -> Draft:
    return Draft(
        conversation.id,
        subject=reply_subject(conversation.subject),
        to_email=conversation.lead_email,
        to_name=conversation.lead_name,
        from_email=conversation.inbox_email,
    )
