"""The reply composer, docked under the thread: writes drafts to disk as you type, sends once.

What it guarantees (the logic lives in ``store.drafts`` and ``store.outbox``):

- every change reaches the disk within ``SAVE_DELAY`` seconds (and at once on close, on
  ``$EDITOR``, on quit), so ``kill -9`` loses at most the last second of typing;
- while a reply is counting down, in flight or being checked, the text is locked and a second
  ``ctrl+s`` does nothing; a reply whose fate is unknown is checked before anything is resent.

Every server string (names, addresses, subject, signature) is cleaned and drawn as text.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shlex
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

from textual import on, work
from textual.app import ComposeResult, SuspendNotSupported
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Static, TextArea

from ...api import Conversation, ReachkitError
from ...api.models import Message as ApiMessage
from ...render.compose import compose_reply_html, quote_for_reply, reply_subject
from ...render.formatting import full_date
from ...render.sanitize import clean_line, clean_text
from ...render.signature import SafeSignature, prepare_signature
from ...render.thread import person
from ...store.drafts import Draft, DraftError, DraftStore
from ...store.outbox import Outbox, SendOutcome, SendStatus

if TYPE_CHECKING:
    from textual.app import SystemCommand
    from textual.screen import Screen

    from ..app import UniboxApp

__all__ = ["Composer", "composer_commands"]

log = logging.getLogger(__name__)

#: The longest a change waits before it is written to disk.
SAVE_DELAY: Final = 1.0
#: While a reply's delivery is unknown, the composer asks the server again this often.
RECHECK_SECONDS: Final = 20.0
MARKDOWN_HINT: Final = "**bold** *italic* [link](https://…) - list"

Mode = Literal["closed", "editing", "countdown", "sending", "checking", "unknown"]
SignatureState = Literal["loading", "ready", "none", "failed"]
_LOCKED: Final = ("countdown", "sending", "checking", "unknown")


@dataclass(slots=True)
class _Attempt:
    """A reply on its way out: counting down, then sending."""

    conversation_id: str
    lead: str
    text: str
    with_signature: bool
    deadline: float = 0.0
    timer: Timer | None = None


class Composer(Vertical):
    """From / To / subject, the text, the signature and a status line; one conversation at a time."""

    ALLOW_MAXIMIZE = True

    BINDINGS = [
        Binding("ctrl+s", "send", "Send", id="composer.send", priority=True),
        Binding("escape", "close", "Close (keep draft)", id="composer.close"),
        Binding("ctrl+z", "undo_send", "Undo send", id="composer.undo_send", priority=True),
        Binding("ctrl+e", "external_editor", "$EDITOR", id="composer.editor", priority=True),
        Binding("ctrl+o", "toggle_preview", "Preview", id="composer.preview"),
        Binding("ctrl+t", "quote", "Quote last", id="composer.quote"),
        Binding("ctrl+g", "toggle_signature", "Signature", id="composer.signature"),
        Binding("ctrl+f", "toggle_maximize", "Maximise", id="composer.maximize"),
    ]

    @dataclass
    class Sent(Message):
        """A reply reached the server (``message`` as it answered, or as found on re-reading)."""

        composer: Composer
        conversation_id: str
        message: ApiMessage | None
        conversation: Conversation | None

        @property
        def control(self) -> Composer:
            return self.composer

    @dataclass
    class Closed(Message):
        """The composer was put away (the draft is saved)."""

        composer: Composer
        refocus: Widget | None

        @property
        def control(self) -> Composer:
            return self.composer

    @dataclass
    class DraftsChanged(Message):
        """A draft was created, sent or removed: counts elsewhere may change."""

        composer: Composer

        @property
        def control(self) -> Composer:
            return self.composer

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.conversation: Conversation | None = None
        self.draft: Draft | None = None
        self.mode: Mode = "closed"
        self.preview = False
        self.signature = SafeSignature()
        self.signature_state: SignatureState = "loading"
        self.save_note = ""
        self.status_note = ""
        self._attempt: _Attempt | None = None
        self._dirty = False
        self._save_timer: Timer | None = None
        self._recheck: Timer | None = None
        self._refocus: Widget | None = None
        self._draft_existed = False

    # -- layout --------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(id="composer-head")
        yield TextArea(
            id="composer-text",
            soft_wrap=True,
            tab_behavior="focus",
            show_line_numbers=False,
            placeholder="Write your reply…  (ctrl+s sends, esc keeps it as a draft)",
        )
        with VerticalScroll(id="composer-preview"):
            yield Static(id="composer-preview-body")
        yield Static(id="composer-signature")
        yield Static(id="composer-status")

    @property
    def unibox(self) -> UniboxApp:
        return self.app  # type: ignore[return-value]

    @property
    def store(self) -> DraftStore:
        return self.unibox.drafts

    @property
    def text_area(self) -> TextArea:
        return self.query_one("#composer-text", TextArea)

    @property
    def conversation_id(self) -> str | None:
        return self.conversation.id if self.conversation is not None else None

    @property
    def is_open(self) -> bool:
        return self.mode != "closed"

    def on_mount(self) -> None:
        self.display = False

    # -- opening and closing -----------------------------------------------------------------------

    def open(self, conversation: Conversation, *, refocus: Widget | None = None) -> bool:
        """Show the composer for ``conversation`` with its draft; False if another reply is busy."""
        attempt = self._attempt
        if attempt is not None and attempt.conversation_id != conversation.id:
            self.unibox.say(f"Still sending your reply to {attempt.lead}; one moment.", title="Reply")
            return False
        if self.is_open and self.conversation_id == conversation.id:
            self.conversation = conversation
            self._show()
            return True
        if self.is_open:
            self._put_away()
        self._refocus = refocus if refocus is not None else self.screen.focused
        self.conversation = conversation
        self.preview = False
        self.status_note = ""
        self.save_note = ""
        draft = self.store.load(conversation.id)
        self._report_store_problems()
        self._draft_existed = draft is not None
        if draft is None:
            draft = Draft(
                conversation.id,
                subject=reply_subject(conversation.subject),
                to_email=conversation.lead_email,
                to_name=conversation.lead_name,
                from_email=conversation.inbox_email,
            )
        self.draft = draft
        self._set_text(draft.text)
        if attempt is not None:
            self.mode = "countdown" if attempt.timer is not None else "sending"
        elif draft.pending:
            self.mode = "checking"
            self._check(draft)
        else:
            self.mode = "editing"
            self.status_note = draft.note
        self._load_signature()
        self._show()
        return True

    def follow(self, conversation_id: str) -> None:
        """The thread pane now shows ``conversation_id``: a composer for another one steps aside."""
        if self.is_open and self.conversation_id != conversation_id:
            kept = self.draft is not None and bool(self.draft.text.strip())
            self._put_away()
            if kept:
                self.unibox.say("Your reply was kept as a draft; r on its conversation reopens it.", title="Draft")
            self.post_message(self.Closed(self, None))

    def _show(self) -> None:
        self.display = True
        self.screen.add_class("-composing")
        self._refresh_all()
        # Read-only while locked, but focused: the composer's keys (undo, close) still reach us.
        self.text_area.focus()

    def _put_away(self) -> None:
        """Save and hide (a send in progress carries on and reports by notification)."""
        self.flush()
        self._forget_if_blank()
        if self.screen.maximized is self:
            self.screen.minimize()
        self._stop_timer("_recheck")
        self.mode = "closed"
        self.display = False
        self.screen.remove_class("-composing")
        self.conversation = None if self._attempt is None else self.conversation
        self.draft = None if self._attempt is None else self.draft

    def action_close(self) -> None:
        if self._attempt is not None and self._attempt.timer is not None:
            self.action_undo_send()
            return
        refocus = self._refocus
        self._put_away()
        self.post_message(self.Closed(self, refocus))

    def on_unmount(self) -> None:
        """Quitting with the composer open: whatever was typed is on disk before we go."""
        self.flush(quiet=True)

    # -- the text and its drafts -------------------------------------------------------------------

    def _set_text(self, text: str) -> None:
        area = self.text_area
        area.load_text(text)
        area.move_cursor(area.document.end)

    @on(TextArea.Changed, "#composer-text")
    def _changed(self, event: TextArea.Changed) -> None:
        event.stop()
        if self.draft is None or self.mode != "editing":
            return
        text = self.text_area.text
        if text == self.draft.text:
            return  # a load, not an edit (Changed arrives after load_text returns)
        self.draft = replace(self.draft, text=text)
        self._dirty = True
        if self._save_timer is None:
            # Not restarted by further typing: a long burst is saved every second, not at the end.
            self._save_timer = self.set_timer(SAVE_DELAY, self._autosave)
        if self.status_note:
            self.status_note = ""  # the last failure is old news once the SDR edits
            self._refresh_status()

    def _autosave(self) -> None:
        self._save_timer = None
        snapshot = self._snapshot()
        if snapshot is not None:
            self._write(snapshot)

    def _snapshot(self) -> Draft | None:
        """The draft as typed, with a new revision; None if there is nothing new to write."""
        if not self._dirty or self.draft is None or self.draft.pending:
            return None
        self._dirty = False
        self.draft = self.store.bump(self.draft, note="")
        return self.draft

    @work(group="draft-save", exit_on_error=False, description="Saving the draft")
    async def _write(self, draft: Draft) -> None:
        # In a thread (fsync can take a while); if the app quits meanwhile the write still ends.
        try:
            await asyncio.to_thread(self._store, draft)
        except DraftError as error:
            self._save_failed(draft, error)
            return
        self._saved(draft)

    def _store(self, draft: Draft) -> None:
        """Write (or, once emptied, remove) a draft; any thread."""
        if draft.is_blank:
            self.store.delete(draft.conversation_id, revision=draft.revision)
        else:
            self.store.save(draft)

    def _saved(self, draft: Draft) -> None:
        self.save_note = "" if draft.is_blank else f"draft saved {time.strftime('%H:%M:%S')}"
        if self._draft_existed != (not draft.is_blank):
            self._draft_existed = not draft.is_blank
            self.post_message(self.DraftsChanged(self))
        self._refresh_status()

    def _save_failed(self, draft: Draft, error: DraftError) -> None:
        if self.draft is not None and self.draft.conversation_id == draft.conversation_id:
            self._dirty = True  # try again with the next change or on close
        self.save_note = "NOT SAVED"
        self.unibox.say(f"{error} Keep the composer open; it will try again.", title="Draft", severity="error", timeout=15)
        self._refresh_status()

    def flush(self, *, quiet: bool = False) -> None:
        """Write pending changes now, in this thread (close, quit, before $EDITOR and sending).

        ``quiet``: the widget is going away (quitting), so nothing is redrawn.
        """
        self._stop_timer("_save_timer")
        snapshot = self._snapshot()
        if snapshot is None:
            return
        try:
            self._store(snapshot)
        except DraftError as error:
            self._dirty = True
            log.error("draft not saved: %s", error)
            if not quiet:
                self.unibox.say(str(error), title="Draft", severity="error", timeout=15)
            return
        if not quiet:
            self._saved(snapshot)

    def _forget_if_blank(self) -> None:
        draft = self.draft
        if draft is not None and draft.is_blank and self._draft_existed and self._attempt is None:
            try:
                self.store.delete(draft.conversation_id, revision=draft.revision + 1)
            except DraftError:
                return
            self._draft_existed = False
            self.post_message(self.DraftsChanged(self))

    def _report_store_problems(self) -> None:
        for problem in self.store.take_problems():
            self.unibox.say(problem, title="Drafts", severity="warning", timeout=15)

    # -- From and the signature --------------------------------------------------------------------

    def _load_signature(self) -> None:
        directory = self.unibox.inboxes
        if directory.loaded:
            self._adopt_inbox()
        else:
            self.signature_state = "loading"
        if not directory.fresh:
            self._load_inboxes()

    @work(group="composer-inboxes", exclusive=True, exit_on_error=False, description="Loading inboxes")
    async def _load_inboxes(self) -> None:
        client = self.unibox.client
        if client is None:
            self.signature_state = "failed"
            self._refresh_all()
            return
        try:
            await self.unibox.inboxes.ensure(client)
        except asyncio.CancelledError:
            raise
        except ReachkitError as error:
            log.info("inboxes could not be loaded: %s", error)
            self.signature_state = "failed"
            self._refresh_all()
            return
        self._adopt_inbox()
        self._refresh_all()

    def _adopt_inbox(self) -> None:
        conversation = self.conversation
        inbox = self.unibox.inboxes.by_email(conversation.inbox_email) if conversation else None
        self.signature = prepare_signature(inbox.signature if inbox else "")
        self.signature_state = "ready" if self.signature else "none"
        if inbox is not None and self.draft is not None and inbox.display_name != self.draft.from_name:
            self.draft = replace(self.draft, from_name=inbox.display_name)

    def _from_line(self) -> str:
        conversation = self.conversation
        if conversation is None:
            return ""
        address = conversation.inbox_email
        inbox = self.unibox.inboxes.by_email(address)
        if inbox is not None:
            shown = person(inbox.display_name, inbox.email)
            return shown + ("  (inbox disconnected)" if inbox.disconnected else "")
        if not address:
            return "(the conversation's inbox is unknown: the server will choose)"
        return person("", address)

    # -- drawing -------------------------------------------------------------------------------------

    def _refresh_all(self) -> None:
        if self.conversation is None:
            return
        self._refresh_head()
        self._refresh_signature()
        self._refresh_status()
        self._apply_lock()
        self.set_class(self.preview, "-preview")

    def _refresh_head(self) -> None:
        conversation = self.conversation
        if conversation is None:
            return
        label = "$text-muted"
        lead = person(conversation.lead_name, conversation.lead_email)
        subject = clean_line(reply_subject(conversation.subject), max_chars=300)
        head = Content.assemble(
            ("From  ", label),
            (self._from_line(), "bold"),
            "\n",
            ("To    ", label),
            (lead, "$accent"),
            "\n",
            ("Subj  ", label),
            subject,
        )
        self.query_one("#composer-head", Static).update(head)

    def _refresh_signature(self) -> None:
        widget = self.query_one("#composer-signature", Static)
        draft = self.draft
        with_signature = draft.signature if draft is not None else True
        if self.signature_state == "loading":
            text = Content.styled("Signature: loading…", "$text-muted italic")
        elif self.signature_state == "none":
            text = Content.styled("This inbox has no signature.", "$text-muted italic")
        elif self.signature_state == "failed" and with_signature:
            text = Content.styled(
                f"Signature: the inboxes could not be loaded; {self._key('composer.send')} tries again, "
                f"{self._key('composer.signature')} sends without it.",
                "$text-warning italic",
            )
        elif not with_signature:
            text = Content.styled(f"Signature removed ({self._key('composer.signature')} puts it back).", "$text-muted italic")
        else:
            text = Content.styled("-- \n" + self.signature.text, "$text-muted")
        widget.update(text)

    def _refresh_status(self) -> None:
        if self.conversation is None:
            return
        widget = self.query_one("#composer-status", Static)
        attempt = self._attempt
        mine = attempt is not None and attempt.conversation_id == self.conversation_id
        if self.mode == "countdown" and mine and attempt is not None:
            left = max(0, int(attempt.deadline - time.monotonic() + 0.999))
            undo = self._key("composer.undo_send")
            line = Content.assemble(
                (f"Sending in {left} s", "bold $warning"), f" · {undo} or esc to undo"
            )
        elif self.mode == "sending":
            line = Content.styled("Sending… (the text is locked until the server answers)", "bold $warning")
        elif self.mode == "checking":
            line = Content.styled("Checking whether the last attempt arrived…", "bold $warning")
        elif self.mode == "unknown":
            note = self.draft.note if self.draft is not None else ""
            line = Content.assemble(
                ("Delivery unknown. ", "bold $error"),
                (clean_line(note, max_chars=300), "$text-warning"),
                f" {self._key('composer.send')} checks again.",
            )
        elif self.status_note:
            line = Content.styled(clean_line(self.status_note, max_chars=400), "$text-error")
        else:
            line = Content.styled(MARKDOWN_HINT, "$text-muted")
        if self.save_note and self.mode == "editing":
            style = "bold $error" if self.save_note == "NOT SAVED" else "$text-muted"
            line = Content.assemble(line, ("  ·  ", "$text-muted"), (self.save_note, style))
        widget.update(line)

    def _apply_lock(self) -> None:
        area = self.text_area
        area.read_only = self.mode in _LOCKED
        self.set_class(self.mode in _LOCKED, "-locked")
        self.refresh_bindings()

    def _key(self, binding_id: str) -> str:
        """The key a binding has now (after the user's keymap), for hints."""
        keymap = getattr(self.app, "_keymap", {}) or {}
        keys = keymap.get(binding_id)
        if keys:
            return keys if isinstance(keys, str) else ",".join(keys)
        for binding in self.BINDINGS:
            if isinstance(binding, Binding) and binding.id == binding_id:
                return binding.key
        return ""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if not self.is_open:
            return False if action != "close" else None
        if action == "undo_send":
            return self.mode == "countdown"
        if action in ("external_editor", "quote", "toggle_signature"):
            return None if self.mode != "editing" else True
        return True

    # -- sending -----------------------------------------------------------------------------------

    def action_send(self) -> None:
        if self.mode == "unknown" and self.draft is not None:
            self.mode = "checking"
            self._check(self.draft)
            self._refresh_all()
            return
        if self.mode != "editing" or self.draft is None or self.conversation is None:
            return  # locked: counting down, in flight or being checked
        text = self.text_area.text
        if not text.strip():
            self.unibox.say("Nothing to send yet: write your reply first.", title="Reply")
            return
        self.flush()
        conversation = self.conversation
        attempt = _Attempt(
            conversation.id,
            person(conversation.lead_name, conversation.lead_email, max_chars=60),
            text,
            self.draft.signature and self.signature_state != "none",
        )
        self._attempt = attempt
        self.status_note = ""
        delay = self.unibox.settings.send_delay
        if delay > 0:
            attempt.deadline = time.monotonic() + delay
            attempt.timer = self.set_interval(0.25, self._countdown)
            self.mode = "countdown"
        else:
            self._launch(attempt)
        self._refresh_all()

    def _countdown(self) -> None:
        attempt = self._attempt
        if attempt is None or attempt.timer is None:
            return
        if time.monotonic() >= attempt.deadline:
            attempt.timer.stop()
            attempt.timer = None
            self._launch(attempt)
        if self.conversation_id == attempt.conversation_id and self.is_open:
            self._refresh_status()

    def action_undo_send(self) -> None:
        attempt = self._attempt
        if attempt is None or attempt.timer is None:
            return
        attempt.timer.stop()
        self._attempt = None
        if self.conversation_id == attempt.conversation_id and self.is_open:
            self.mode = "editing"
            self.status_note = ""
            self._refresh_all()
            self.text_area.focus()
        elif not self.is_open:
            self.conversation = self.draft = None
        self.unibox.say("Not sent: your reply is back in the editor.", title="Undo send")

    def _launch(self, attempt: _Attempt) -> None:
        attempt.timer = None
        if self.conversation_id == attempt.conversation_id and self.is_open:
            self.mode = "sending"
            self._refresh_all()
        self._send(attempt)

    @work(group="composer-send", exit_on_error=False, description="Sending the reply")
    async def _send(self, attempt: _Attempt) -> None:
        client = self.unibox.client
        draft = self.store.load(attempt.conversation_id) or self.draft
        if client is None or draft is None:
            self._attempt = None
            self.unibox.say("Not connected: nothing was sent.", title="Reply", severity="error")
            return
        draft = replace(draft, text=attempt.text)
        try:
            signature = await self._signature_for(attempt) if attempt.with_signature else ""
            if signature is None:
                self._attempt = None
                self._settle(self._unsigned(draft), attempt.conversation_id, attempt.lead)
                return
            html = compose_reply_html(attempt.text, signature)
            outcome = await Outbox(client, self.store).send(draft, html, known=self._known(attempt.conversation_id))
        except asyncio.CancelledError:
            raise  # quitting: a "sending" draft on disk is checked at the next start
        except Exception as error:  # noqa: BLE001 - a bug must not leave the composer locked
            log.exception("sending failed unexpectedly")
            self._attempt = None
            self.unibox.show_error(error, "Sending the reply")
            self._recover(attempt.conversation_id)
            return
        self._attempt = None
        self._settle(outcome, attempt.conversation_id, attempt.lead)

    def _recover(self, conversation_id: str) -> None:
        """After an unexpected failure: take the draft's state from disk (checking it if owed)."""
        if self.conversation_id != conversation_id or not self.is_open:
            return
        draft = self.store.load(conversation_id) or self.draft
        self.draft = draft
        if draft is not None and draft.pending:
            self.mode = "checking"
            self._check(draft)
        else:
            self.mode = "editing"
        self._refresh_all()

    async def _signature_for(self, attempt: _Attempt) -> str | None:
        """The signature to append: waits for the inboxes if they are still loading.

        ``None`` when they cannot be loaded: a reply never loses its signature unnoticed.
        """
        client = self.unibox.client
        directory = self.unibox.inboxes
        if not directory.loaded and client is not None:
            try:
                await directory.ensure(client)
            except ReachkitError:
                return None
        conversation = self._known(attempt.conversation_id)
        inbox = directory.by_email(conversation.inbox_email) if conversation else None
        return prepare_signature(inbox.signature if inbox else "").html

    def _unsigned(self, draft: Draft) -> SendOutcome:
        """Not sent, because the signature it should carry is unknown: say how to go on."""
        error = self.unibox.inboxes.error
        why = f" ({error})" if error is not None else ""
        if self.conversation_id == draft.conversation_id and self.is_open:
            self.signature_state = "failed"
        detail = (
            f"Not sent: your signature could not be loaded{why}. {self._key('composer.send')} tries again; "
            f"{self._key('composer.signature')} sends it without the signature."
        )
        return SendOutcome(SendStatus.NOT_DELIVERED, draft, detail)

    def _known(self, conversation_id: str) -> Conversation | None:
        """The freshest copy of the conversation the screen has (the baseline for the outbox)."""
        lookup = getattr(self.screen, "conversation", None)
        fresh = lookup(conversation_id) if callable(lookup) else None
        if fresh is not None:
            return fresh
        return self.conversation if self.conversation_id == conversation_id else None

    @work(group="composer-check", exclusive=True, exit_on_error=False, description="Checking delivery")
    async def _check(self, draft: Draft) -> None:
        """Ask the server whether a pending attempt arrived; settles it either way."""
        client = self.unibox.client
        if client is None:
            return
        try:
            outcome = await Outbox(client, self.store).check(draft)
        except asyncio.CancelledError:
            raise
        except Exception as error:  # noqa: BLE001 - the draft stays pending; ctrl+s asks again
            log.exception("checking delivery failed unexpectedly")
            self.unibox.show_error(error, "Checking the reply")
            if self.conversation_id == draft.conversation_id and self.is_open:
                self.mode = "unknown"
                self._refresh_all()
            return
        lead = person(draft.to_name, draft.to_email, max_chars=60)
        self._settle(outcome, draft.conversation_id, lead, earlier=True)

    def _settle(self, outcome: SendOutcome, conversation_id: str, lead: str, *, earlier: bool = False) -> None:
        """Show what became of an attempt, here if its composer is open, else as a notification."""
        here = self.conversation_id == conversation_id and self.is_open
        if outcome.sent:
            what = "Your earlier reply" if earlier else "Reply"
            self.unibox.say(f"{what} to {lead} was sent.", title="Sent")
            if here:
                self.draft = None
                self._draft_existed = False
                self._dirty = False
                self._set_text("")
                refocus = self._refocus
                self._put_away()
                self.post_message(self.Closed(self, refocus))
            elif self.conversation_id == conversation_id:
                self.conversation = None
                self.draft = None
            self.post_message(self.Sent(self, conversation_id, outcome.message, outcome.conversation))
            self.post_message(self.DraftsChanged(self))
            return
        if here:
            self.draft = outcome.draft
            self.status_note = outcome.detail
            self.mode = "unknown" if outcome.status == SendStatus.UNKNOWN else "editing"
            if self.mode == "unknown":
                self._schedule_recheck()
            self._refresh_all()
        elif self.conversation_id == conversation_id:
            self.conversation = None
            self.draft = None
        if outcome.status == SendStatus.NOT_DELIVERED and earlier and outcome.error is None:
            self.unibox.say(f"Your earlier reply to {lead} did not arrive; it is back in the editor.", title="Reply", severity="warning", timeout=10)
        elif outcome.status != SendStatus.NOT_DELIVERED or not earlier:
            severity = "warning" if outcome.status == SendStatus.UNKNOWN else "error"
            self.unibox.say(f"{lead}: {outcome.detail}", title="Reply not sent" if severity == "error" else "Delivery unknown", severity=severity, timeout=12)
        self.post_message(self.DraftsChanged(self))

    def _schedule_recheck(self) -> None:
        self._stop_timer("_recheck")
        self._recheck = self.set_timer(RECHECK_SECONDS, self._recheck_now)

    def _recheck_now(self) -> None:
        self._recheck = None
        if self.mode == "unknown" and self.draft is not None:
            self.mode = "checking"
            self._check(self.draft)
            self._refresh_all()

    def _stop_timer(self, name: str) -> None:
        timer = getattr(self, name)
        if timer is not None:
            timer.stop()
            setattr(self, name, None)

    # -- preview, quote, signature, maximise ---------------------------------------------------------

    def action_toggle_preview(self) -> None:
        self.preview = not self.preview
        self.set_class(self.preview, "-preview")
        if self.preview:
            self._render_preview()
            self.query_one("#composer-preview", VerticalScroll).focus()
        else:
            self.text_area.focus()

    def _render_preview(self) -> None:
        draft = self.draft
        signature = self.signature.html if draft is not None and draft.signature else ""
        self._convert_preview(self.text_area.text, signature)

    @work(group="composer-preview", exclusive=True, exit_on_error=False, description="Preview")
    async def _convert_preview(self, text: str, signature: str) -> None:
        shown = await asyncio.to_thread(_preview_text, text, signature)
        body = Content.assemble(("What the lead will read:\n\n", "$text-muted italic"), shown)
        self.query_one("#composer-preview-body", Static).update(body)

    def action_quote(self) -> None:
        conversation = self._known(self.conversation_id) if self.conversation_id else None
        if conversation is None or conversation.latest is None:
            self.unibox.say("There is no message to quote.", title="Quote")
            return
        self._insert_quote(conversation.latest)

    @work(group="composer-quote", exclusive=True, exit_on_error=False, description="Quoting")
    async def _insert_quote(self, message: ApiMessage) -> None:
        self._append_quote(await asyncio.to_thread(_quote_of, message))

    def _append_quote(self, quote: str) -> None:
        if self.mode != "editing":
            return
        area = self.text_area
        if quote in area.text:
            self.unibox.say("That message is already quoted.", title="Quote")
            return
        cursor = area.cursor_location
        existing = area.text.rstrip()
        # Below what is written, after a blank line; the cursor stays where the SDR types.
        area.replace("\n\n" + quote + "\n", start=_end_of(existing), end=area.document.end)
        area.move_cursor(cursor if existing else (0, 0))
        area.focus()

    def action_toggle_signature(self) -> None:
        if self.draft is None or self.mode != "editing":
            return
        if self.signature_state == "none":
            self.unibox.say("There is no signature to add for this inbox.", title="Signature")
            return
        self.draft = replace(self.draft, signature=not self.draft.signature)
        self._dirty = True
        self.flush()
        self._refresh_signature()
        if self.preview:
            self._render_preview()

    def action_toggle_maximize(self) -> None:
        screen = self.screen
        if screen.maximized is self:
            screen.minimize()
        else:
            screen.maximize(self, container=False)
        if not self.preview:
            self.text_area.focus()

    # -- $EDITOR -------------------------------------------------------------------------------------

    def action_external_editor(self) -> None:
        if self.mode != "editing" or self.draft is None:
            return
        command = _editor_command()
        if command is None:
            self.unibox.say("Set $VISUAL or $EDITOR to write in your own editor.", title="Editor", severity="warning")
            return
        self.flush()
        original = self.text_area.text
        folder = self.store.directory
        try:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            handle, name = tempfile.mkstemp(prefix=".edit-", suffix=".md", dir=folder)
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                file.write(original)
        except OSError as error:
            self.unibox.say(f"Could not prepare a file for the editor: {error.strerror}.", title="Editor", severity="error")
            return
        path = Path(name)
        try:
            try:
                with self.app.suspend():
                    # Nothing may raise in here: Textual would stay suspended.
                    status, problem = _run_editor(command, path)
            except SuspendNotSupported:
                self.unibox.say("This terminal cannot hand over to an editor.", title="Editor", severity="warning")
                return
            if problem:
                self.unibox.say(f"Could not start {command[0]}: {problem}.", title="Editor", severity="error")
                return
            if status != 0:
                self.unibox.say(f"The editor exited with status {status}; the text was kept as it was.", title="Editor", severity="warning")
                return
            edited = path.read_text(encoding="utf-8", errors="replace")
        except OSError as error:
            self.unibox.say(f"Could not read the edited text: {error.strerror}.", title="Editor", severity="error")
            return
        finally:
            path.unlink(missing_ok=True)
            self.app.refresh()
        if not original.endswith("\n") and edited.endswith("\n"):
            edited = edited[:-1]  # editors add a final newline
        if edited != original and self.draft is not None:
            area = self.text_area
            area.replace(edited, start=(0, 0), end=area.document.end)
            area.move_cursor(area.document.end)
            # Saved now, not a second later: the editor was the long part of this edit.
            self.draft = replace(self.draft, text=area.text)
            self._dirty = True
            self.flush()
        self.text_area.focus()


def _preview_text(text: str, signature: str) -> str:
    """The reply as the lead's mail client will show it (html2text: run it in a thread)."""
    from ...render.html import html_to_text

    html = compose_reply_html(text, signature)
    return clean_text(html_to_text(html).text) if html else "(nothing written yet)"


def _quote_of(message: ApiMessage) -> str:
    """Markdown-lite quoting ``message``: its own words, without the history it quoted."""
    from ...render.thread import convert_body

    body = convert_body(message)
    own = [text.strip("\n") for text, quoted, _summary, _fold in body.segments if not quoted]
    text = "\n\n".join(own) or "\n\n".join(text for text, *_ in body.segments)
    author = person(message.from_name, message.from_email, max_chars=120)
    date = full_date(message.email_date, message.email_date_raw) if message.email_date else ""
    return quote_for_reply(text, author, date)


def _end_of(existing: str) -> tuple[int, int]:
    """The location just after ``existing`` (a prefix of the document)."""
    lines = existing.split("\n")
    return (len(lines) - 1, len(lines[-1]))


def _run_editor(command: list[str], path: Path) -> tuple[int, str]:
    """Run the editor on ``path``; (exit status, "") or (-1, why it could not start)."""
    try:
        return subprocess.run([*command, str(path)], check=False).returncode, ""
    except (OSError, ValueError) as error:
        return -1, getattr(error, "strerror", None) or str(error)


def _editor_command() -> list[str] | None:
    """``$VISUAL``, else ``$EDITOR`` (split like a shell would), else nano or vi if installed."""
    for variable in ("VISUAL", "EDITOR"):
        value = os.environ.get(variable, "").strip()
        if value:
            try:
                parts = shlex.split(value)
            except ValueError:
                continue
            if parts and shutil.which(parts[0]):
                return parts
    for fallback in ("nano", "vi"):
        found = shutil.which(fallback)
        if found:
            return [found]
    return None


def composer_commands(screen: Screen[Any]) -> Iterable[SystemCommand]:
    """Palette entries for the open composer (none when it is closed)."""
    from textual.app import SystemCommand

    try:
        composer = screen.query_one(Composer)
    except Exception:  # noqa: BLE001 - screens without a composer
        return
    if not composer.is_open:
        return
    yield SystemCommand("Reply: send", "Send the reply (ctrl+s)", composer.action_send)
    yield SystemCommand("Reply: preview", "Show what the lead will read (ctrl+o)", composer.action_toggle_preview)
    yield SystemCommand("Reply: quote last message", "Quote the latest message under the reply (ctrl+t)", composer.action_quote)
    yield SystemCommand("Reply: signature on/off", "Remove or restore the inbox signature (ctrl+g)", composer.action_toggle_signature)
    yield SystemCommand("Reply: maximise", "Give the composer the whole screen (ctrl+f)", composer.action_toggle_maximize)
    yield SystemCommand("Reply: open in $EDITOR", "Write in your own editor (ctrl+e)", composer.action_external_editor)
    yield SystemCommand("Reply: close", "Close the composer, keeping the draft (esc)", composer.action_close)
