"""Sending a reply so that it is never lost and never sent twice: a durable state machine on a draft.

::

    editing ──send──> sending (saved to disk, with the exact HTML, BEFORE the POST leaves)
                        │ 2xx ............................ sent: draft deleted
                        │ 4xx, not 429 (refused) ......... editing, "not sent" (may be resent)
                        │ never left (connect failed) .... editing, "not sent" (may be resent)
                        │ timeout/dropped/5xx/429/junk ... check:
                        v
                      check: GET the conversation (retried), look for the reply
                        │ found .......................... sent: draft deleted
                        │ not found, or GET failed ....... delivery_unknown
                        v
                      delivery_unknown: every ``send`` and ``check`` only looks again;
                        │ found .......................... sent: draft deleted
                        │ the user's "send anyway" ....... a new attempt (``send_anyway``)

An ambiguous answer stays *unknown* even when the first look does not find the reply: a server
may store it after the client gave up (a queue, a slow mail relay), so "not there yet" is not
"not sent". Only a look that finds it, or the user's explicit choice, ends the state. A POST is
never retried, and never leaves without a baseline (the conversation as it was just before:
given by the caller, or read first; if it cannot be read, nothing is sent). A draft left
``sending`` by a crash is unknown too: the POST may have left.

"Found" means: an outgoing message that was not in the conversation before the attempt (the
draft keeps fingerprints of the outgoing messages it knew, so the two clocks never need to
agree), not older than the newest message known then (server time), whose visible words contain
the words that were sent (whitespace, case and markup do not matter).
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TYPE_CHECKING, Final

from ..api.errors import (
    APIError,
    NotDeliveredError,
    NotFoundError,
    RateLimitedError,
    ReachkitError,
    ServerError,
)
from ..api.models import Conversation, Message
from ..render.compose import html_words, text_words
from .drafts import DELIVERY_UNKNOWN, EDITING, SENDING, Draft, DraftError, DraftStore

if TYPE_CHECKING:
    from ..api.client import ReachkitClient

__all__ = ["Outbox", "SendOutcome", "SendStatus", "baseline_of", "find_reply", "fingerprint"]

log = logging.getLogger(__name__)

#: Server dates of one conversation come from one clock; this absorbs rounding and reordering.
SERVER_MARGIN: Final = 120.0
#: Fingerprints kept per attempt (the newest outgoing messages).
MAX_BASELINE: Final = 500


class SendStatus(StrEnum):
    SENT = "sent"
    #: The server refused it (4xx but 429), or its conversation is gone. Draft kept; may be resent.
    FAILED = "failed"
    #: It provably never left (nothing reached the server). Draft kept; sending again is safe.
    NOT_DELIVERED = "not_delivered"
    #: It may have arrived and was not found (yet). Draft kept, locked: no resend until found,
    #: unless the user explicitly sends it anyway.
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class SendOutcome:
    status: SendStatus
    #: The draft as it is now on disk; ``None`` once sent (deleted).
    draft: Draft | None
    #: A sentence for the user.
    detail: str = ""
    #: The reply as the server has it (when sent).
    message: Message | None = None
    #: The conversation as re-read during a check, if it was.
    conversation: Conversation | None = None
    error: BaseException | None = None
    #: Whether this call made a POST.
    posted: bool = False

    @property
    def sent(self) -> bool:
        return self.status == SendStatus.SENT


def fingerprint(message: Message) -> str:
    """A stable name for a message: its id, else its date and a hash of its bodies."""
    if message.id:
        return "id:" + message.id
    digest = hashlib.sha256()
    for part in (message.email_date_raw, message.direction, message.html_body, message.text_body):
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    return "h:" + digest.hexdigest()[:32]


def _maybe_ours(message: Message) -> bool:
    return message.direction != "incoming"


def baseline_of(conversation: Conversation) -> tuple[list[str], float | None]:
    """What an attempt remembers of the conversation before it: our messages, the newest date."""
    ours = [fingerprint(m) for m in conversation.messages if _maybe_ours(m)]
    dates = [m.email_date.timestamp() for m in conversation.messages if m.email_date is not None]
    return ours[-MAX_BASELINE:], (max(dates) if dates else None)


def _contains(haystack: str, needle: str) -> bool:
    return bool(needle) and f" {needle} " in f" {haystack} "


def find_reply(conversation: Conversation, draft: Draft) -> Message | None:
    """The message that is this draft's attempt, if the server has it (newest first)."""
    wanted = html_words(draft.sent_html)
    if not wanted:
        return None
    known = set(draft.baseline or ())
    floor = draft.baseline_newest - SERVER_MARGIN if draft.baseline_newest is not None else None
    for message in reversed(conversation.messages):
        if not _maybe_ours(message) or fingerprint(message) in known:
            continue
        if floor is not None and message.email_date is not None and message.email_date.timestamp() < floor:
            continue
        if _contains(html_words(message.html_body), wanted) or _contains(text_words(message.text_body), wanted):
            return message
    return None


class Outbox:
    """Sends drafts through a ``ReachkitClient``, keeping their state in a ``DraftStore``."""

    def __init__(
        self,
        client: ReachkitClient,
        drafts: DraftStore,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.client = client
        self.drafts = drafts
        self.clock = clock

    async def send(self, draft: Draft, html: str, *, known: Conversation | None = None) -> SendOutcome:
        """Send ``html`` as the reply of ``draft``; at most one POST, and none while delivery is unknown.

        ``known`` is the conversation as the caller last saw it (its outgoing messages become the
        baseline); without it the conversation is read first, and if that fails nothing is sent.
        A pending draft is only looked for: a new POST needs ``send_anyway``.
        """
        if not html.strip():
            raise ValueError("nothing to send")
        if draft.pending:
            return await self.check(draft)
        if known is None:
            try:
                known = await self.client.get_conversation(draft.conversation_id)
            except ReachkitError as error:
                # Without knowing what was there before, a lost answer could not be told apart
                # from an earlier reply (and the two clocks may disagree): do not send blind.
                detail = f"Not sent: the conversation could not be read first ({error}). Try again."
                return SendOutcome(SendStatus.NOT_DELIVERED, draft, detail, error=error)
        baseline, newest = baseline_of(known)
        sending = self.drafts.bump(
            draft, state=SENDING, sent_html=html, started_at=self.clock(), baseline=baseline, baseline_newest=newest,
            note="", checks=0, checked_at=None, check_result="",
        )
        try:
            self.drafts.save(sending)
        except DraftError as error:
            return SendOutcome(SendStatus.FAILED, draft, f"{error} Nothing was sent.", error=error)
        return await self._post(sending, html)

    async def send_anyway(self, draft: Draft, html: str, *, known: Conversation | None = None) -> SendOutcome:
        """The user's explicit choice for a reply whose delivery is unknown: a new attempt.

        The lead may get it twice (the earlier one may still arrive); the caller asked them first.
        """
        released = self.drafts.bump(
            draft, state=EDITING, sent_html="", started_at=None, baseline=None, baseline_newest=None,
            checks=0, checked_at=None, check_result="",
        )
        return await self.send(released, html, known=known)

    async def _post(self, sending: Draft, html: str) -> SendOutcome:
        try:
            message = await self.client.reply(sending.conversation_id, html)
        except NotDeliveredError as error:
            return self._back_to_editing(
                sending, SendStatus.NOT_DELIVERED, error, f"Not sent: {error} Your reply is kept.", posted=True
            )
        except (ServerError, RateLimitedError) as error:
            # A 5xx may come after the server stored the reply (a proxy timing out, a crash
            # after commit), and so may a 429 from a limiter that counts after the fact.
            return replace(await self.check(sending, cause=error), posted=True)
        except APIError as error:
            return self._back_to_editing(sending, SendStatus.FAILED, error, f"Not sent: {error}", posted=True)
        except Exception as error:  # noqa: BLE001 - timeout, dropped connection, junk answer, a bug
            return replace(await self.check(sending, cause=error), posted=True)
        self._forget(sending)
        return SendOutcome(SendStatus.SENT, None, "Sent.", message=message, posted=True)

    async def check(self, draft: Draft, *, cause: BaseException | None = None) -> SendOutcome:
        """Look for a pending attempt in the conversation: sent, or still unknown (never "not sent")."""
        if not draft.pending and cause is None:
            return SendOutcome(SendStatus.NOT_DELIVERED, draft, "Nothing is waiting to be checked.")
        try:
            conversation = await self.client.get_conversation(draft.conversation_id)
        except NotFoundError as error:
            return self._back_to_editing(
                draft, SendStatus.FAILED, error, "This conversation no longer exists on the server; nothing was sent."
            )
        except ReachkitError as error:
            return self._unknown(draft, f"the server could not be asked whether it arrived ({_clause(str(error))})", cause, error)
        found = find_reply(conversation, draft)
        if found is not None:
            self._forget(draft)
            return SendOutcome(SendStatus.SENT, None, "Sent.", message=found, conversation=conversation)
        outcome = self._unknown(draft, "the reply is not in the conversation yet", cause, None)
        return replace(outcome, conversation=conversation)

    def _unknown(
        self, draft: Draft, result: str, cause: BaseException | None, error: BaseException | None
    ) -> SendOutcome:
        """Record one more look that did not find the reply; the draft stays locked."""
        if cause is not None:
            detail = f"The answer was lost: {_sentence(str(cause))} {result.capitalize()}; it is checked again, never sent twice."
        else:
            detail = f"Checked again: {result}. It is not resent unless you choose to."
        unknown = self.drafts.bump(
            draft, state=DELIVERY_UNKNOWN, note=detail, checks=draft.checks + 1, checked_at=self.clock(),
            check_result=result,
        )
        try:
            self.drafts.save(unknown)
        except DraftError as disk:
            log.warning("could not record delivery_unknown: %s", disk)
        return SendOutcome(SendStatus.UNKNOWN, unknown, detail, error=cause or error)

    def _back_to_editing(
        self, draft: Draft, status: SendStatus, error: BaseException | None, detail: str, *, posted: bool = False
    ) -> SendOutcome:
        editing = self.drafts.bump(
            draft, state=EDITING, sent_html="", started_at=None, baseline=None, baseline_newest=None, note=detail,
            checks=0, checked_at=None, check_result="",
        )
        try:
            self.drafts.save(editing)
        except DraftError as disk:
            log.warning("could not record the failed attempt: %s", disk)
        return SendOutcome(status, editing, detail, error=error, posted=posted)

    def _forget(self, draft: Draft) -> None:
        try:
            self.drafts.delete(draft.conversation_id, revision=draft.revision)
        except DraftError as error:
            # It stays "sending" on disk: the next check finds the reply and removes it.
            log.warning("sent, but the draft could not be removed: %s", error)


def _sentence(text: str) -> str:
    """An error message as a sentence of its own (ending with a full stop)."""
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def _clause(text: str) -> str:
    """An error message inside parentheses: without its final full stop."""
    return text.strip().rstrip(".")
