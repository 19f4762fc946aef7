"""The reply composer, docked under the thread: a view over one ``ReplySession`` at a time.

What it guarantees lives in ``domain.reply_session`` (autosave within a second, one POST at most,
"delivery unknown" until a check finds the reply or the user sends anyway); the composer shows
the session, passes keys to it, and redraws when it changes: ``mode`` and ``view`` are reactives
whose watchers draw, so nothing here calls a refresh by hand. What it needs (the session, a way
to look up the freshest copy of a conversation) is given when it opens; it posts messages up.

Every server string (names, addresses, subject, signature) is cleaned and drawn as text.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Static, TextArea

from ...api import Conversation
from ...config import REMIND_AFTER_CHOICES as REMIND_CHOICES
from ...domain.reply_session import LOCKED, Mode, ReplySession
from ...render.reply_preview import preview_text
from ...render.sanitize import clean_line
from ..keys import bound_key, display_keys
from ..messages import DraftsChanged, ReplySent
from .composer_lines import ComposerView, Keys, full_note, head_line, signature_line, status_line, view_of
from .composer_snippets import SnippetAssist
from .composer_tools import ComposerTools

if TYPE_CHECKING:
    from ...domain.snippet_source import SnippetSource
    from ...domain.snippets import Snippet

__all__ = ["Composer"]

#: How often the "Sending in N s" countdown is redrawn.
TICK_SECONDS = 0.25

Lookup = Callable[[str], Conversation | None]
#: Shows the snippets of a source for a conversation; calls back with the one chosen (or ``None``).
ChooseSnippet = Callable[["SnippetSource", Conversation, Callable[["Snippet | None"], None]], None]


class Composer(Vertical):
    """From / To / subject, the text, the signature and a status line; one conversation at a time."""

    ALLOW_MAXIMIZE = True

    BINDINGS = [
        Binding("ctrl+s", "send", "Send", id="composer.send", priority=True, tooltip="Send the reply"),
        Binding("escape", "close", "Close (keep draft)", id="composer.close", tooltip="Close the composer, keeping the draft"),
        Binding("ctrl+z", "undo_send", "Undo send", id="composer.undo_send", priority=True),
        Binding("ctrl+e", "external_editor", "$EDITOR", id="composer.editor", priority=True,
                tooltip="Write in your own editor"),
        Binding("ctrl+o", "toggle_preview", "Preview", id="composer.preview", tooltip="Show what the lead will read"),
        Binding("ctrl+t", "quote", "Quote last", id="composer.quote", tooltip="Quote the latest message under the reply"),
        Binding("ctrl+g", "toggle_signature", "Signature", id="composer.signature",
                tooltip="Remove or restore the inbox signature"),
        Binding("ctrl+f", "toggle_maximize", "Maximise", id="composer.maximize", tooltip="Give the composer the whole screen"),
        Binding("ctrl+w", "cycle_reminder", "Remind if no reply", id="composer.remind", priority=True,
                tooltip="Bring the conversation back if no reply comes: off, 2 days, 4 days, 1 week"),
        Binding("ctrl+n", "snippets", "Snippets", id="composer.snippets", priority=True,
                tooltip="Pick a canned reply, filled in for this lead"),
    ]

    #: In the command palette (while the composer is open), under these names.
    PALETTE_NAMES = {
        "composer.send": "Reply: send",
        "composer.close": "Reply: close",
        "composer.editor": "Reply: open in $EDITOR",
        "composer.preview": "Reply: preview",
        "composer.quote": "Reply: quote last message",
        "composer.signature": "Reply: signature on/off",
        "composer.maximize": "Reply: maximise",
        "composer.remind": "Reply: remind if no reply",
        "composer.snippets": "Reply: insert a snippet",
    }

    #: The session's mode, or "closed": locks the text and picks the keys.
    mode: reactive[str] = reactive("closed", init=False)
    #: Everything drawn around the text (see ``composer_lines``).
    view: reactive[ComposerView] = reactive(ComposerView, init=False)

    #: Posted by the app (see ``ui/reply_news.py``); kept under these names for the inbox's handlers.
    Sent = ReplySent
    DraftsChanged = DraftsChanged

    @dataclass
    class Closed(Message):
        """The composer was put away (the draft is saved)."""

        composer: Composer
        refocus: Widget | None

        @property
        def control(self) -> Composer:
            return self.composer

    @dataclass
    class DeliveryQuestion(Message):
        """ctrl+s on a reply whose delivery is unknown: show what is known, offer "send anyway"."""

        composer: Composer
        session: ReplySession

        @property
        def control(self) -> Composer:
            return self.composer

    def __init__(self, *, id: str | None = None, keymap: Mapping[str, str] | None = None,
                 choose_snippet: ChooseSnippet | None = None) -> None:
        super().__init__(id=id)
        #: Shows the snippet picker (the screen's: a widget does not open screens of its own).
        self.choose_snippet: ChooseSnippet = choose_snippet or (lambda source, conversation, done: None)
        #: The user's keymap (binding id -> keys), for hints that name a key ("ctrl+s tries again").
        self.keymap = dict(keymap or {})
        self.session: ReplySession | None = None
        self.conversation: Conversation | None = None
        self.preview = False
        self._lookup: Lookup | None = None
        self._refocus: Widget | None = None
        self._ticker: Timer | None = None
        #: The ``remind_after`` setting: a draft without a choice of its own shows (and gets) this.
        self._remind_default = "off"
        self.snippets = SnippetAssist(self)
        self.tools = ComposerTools(self)

    def compose(self) -> ComposeResult:
        yield Static(id="composer-head")
        yield TextArea(
            id="composer-text",
            soft_wrap=True,
            tab_behavior="focus",
            show_line_numbers=False,
            placeholder=f"Write your reply…  ({self._key('composer.send')} sends · {self._key('composer.snippets')}"
                        f" a snippet · {self._key('composer.close')} keeps a draft)",
        )
        yield Static(id="composer-unfilled")
        with VerticalScroll(id="composer-preview"):
            yield Static(id="composer-preview-body")
        yield Static(id="composer-signature")
        yield Static(id="composer-status")

    def on_mount(self) -> None:
        self.display = False

    # -- what others read ------------------------------------------------------------------------

    @property
    def text_area(self) -> TextArea:
        return self.query_one("#composer-text", TextArea)

    @property
    def unfilled_widget(self) -> Static:
        return self.query_one("#composer-unfilled", Static)

    @property
    def send_key(self) -> str:
        return self._key("composer.send")

    @property
    def conversation_id(self) -> str | None:
        return self.session.conversation_id if self.session is not None and self.is_open else None

    @property
    def is_open(self) -> bool:
        return self.mode != "closed"

    @property
    def status_note(self) -> str:
        """The last outcome in words, as the status line says it ("" when there is none)."""
        return full_note(self.session, self._keys()) if self.session is not None else ""

    @property
    def signature_state(self) -> str:
        return self.session.signature_state if self.session is not None else "loading"

    # -- opening and closing -----------------------------------------------------------------------

    def open(
        self, session: ReplySession, conversation: Conversation, *, lookup: Lookup | None = None,
        refocus: Widget | None = None, remind_default: str = "off", snippets: SnippetSource | None = None,
        label: str | None = None,
    ) -> bool:
        """Show ``session`` (the reply to ``conversation``); ``lookup`` finds the freshest copy of a conversation.

        ``snippets``: what ``ctrl+n`` offers; the snippet tied to ``label`` fills an empty draft.
        """
        self._lookup = lookup
        self._remind_default = remind_default
        self.conversation = conversation
        if self.is_open and self.session is session:
            self._show()
            return True
        if self.is_open:
            self._put_away()
        self._refocus = refocus if refocus is not None else self.screen.focused
        self.preview = False
        self.session = session
        session.changed.connect(self._session_changed)
        self._set_text(session.draft.text)
        self.mode = session.mode.value  # (the prefill asks whether the draft can be edited)
        self.snippets.opened(session, conversation, snippets, label)
        session.load_signature()  # draws through _session_changed
        self._show()
        return True

    def follow(self, conversation_id: str) -> None:
        """The thread pane now shows ``conversation_id``: a composer for another one steps aside."""
        session = self.session
        if self.is_open and session is not None and session.conversation_id != conversation_id:
            kept = bool(session.draft.text.strip())
            self._put_away()
            if kept:
                self.say("Your reply was kept as a draft; r on its conversation reopens it.", "Draft")
            self.post_message(self.Closed(self, None))

    def _show(self) -> None:
        self.display = True
        self.screen.add_class("-composing")
        self._sync()
        # Read-only while locked, but focused (now: the keys typed right after ``r`` are the reply's).
        self.screen.set_focus(self.text_area)

    def _put_away(self) -> None:
        """Save and hide; a reply on its way carries on in its session (and the app reports it)."""
        session = self.session
        if self.screen.maximized is self:
            self.screen.minimize()
        self.session = None
        if session is not None:
            self.snippets.closing(session)
        self.mode = "closed"
        self.display = False
        self.screen.remove_class("-composing")
        if session is not None:
            session.changed.disconnect(self._session_changed)
            session.close()

    def action_close(self) -> None:
        if self.mode == Mode.COUNTDOWN:
            self.action_undo_send()
            return
        refocus = self._refocus
        self._put_away()
        self.post_message(self.Closed(self, refocus))

    def on_unmount(self) -> None:
        """Quitting (or leaving the workspace) with the composer open: what was typed is on disk first."""
        if self.session is not None:
            self.session.flush(quiet=True)

    # -- following the session -----------------------------------------------------------------------

    def _session_changed(self, session: ReplySession) -> None:
        if session is not self.session or not self.is_attached:
            return
        if session.mode == Mode.SENT:
            self._set_text("")
            refocus = self._refocus
            self._put_away()
            self.post_message(self.Closed(self, refocus))
            return
        self._sync()

    def _sync(self) -> None:
        """Take the session's state: the reactives' watchers draw what changed."""
        session = self.session
        if session is None:
            return
        self.mode = session.mode.value
        self.view = view_of(session, self.conversation, self._keys(), self._remind_default)

    def watch_mode(self, mode: str) -> None:
        locked = mode in LOCKED
        self.text_area.read_only = locked
        self.set_class(locked, "-locked")
        self.set_class(self.preview, "-preview")
        if mode == Mode.COUNTDOWN and self._ticker is None:
            self._ticker = self.set_interval(TICK_SECONDS, self._sync)
        elif mode != Mode.COUNTDOWN and self._ticker is not None:
            self._ticker.stop()
            self._ticker = None
        self.refresh_bindings()

    def watch_view(self, old: ComposerView, new: ComposerView) -> None:
        if (old.from_line, old.to_line, old.subject) != (new.from_line, new.to_line, new.subject):
            self.query_one("#composer-head", Static).update(head_line(new))
        self.query_one("#composer-signature", Static).update(signature_line(new))
        self.query_one("#composer-status", Static).update(status_line(new))

    # -- the text ----------------------------------------------------------------------------------

    def _set_text(self, text: str) -> None:
        area = self.text_area
        area.load_text(text)
        area.move_cursor(area.document.end)

    @on(TextArea.Changed, "#composer-text")
    def _changed(self, event: TextArea.Changed) -> None:
        event.stop()
        self.text_edited(self.text_area.text)

    def text_edited(self, text: str) -> None:
        """The text changed (typed, loaded, a snippet): the session hears it, the unfilled line follows."""
        if self.session is not None and self.mode == Mode.EDITING:
            self.session.edit(text)  # a load (same text) changes nothing
        self.snippets.show_unfilled()

    def action_snippets(self) -> None:
        self.snippets.pick()

    def flush(self, *, quiet: bool = False) -> None:
        """Write what was typed now (before $EDITOR, sending, quitting)."""
        if self.session is not None:
            self.session.flush(quiet=quiet)

    # -- keys ------------------------------------------------------------------------------------------

    def on_key(self, event: events.Key) -> None:
        """Typing into a locked reply goes nowhere: a letter must not act on the list behind it
        (``m`` marks and moves the cursor, which would put the composer away)."""
        if self.text_area.read_only and event.is_printable:
            event.stop()
            event.prevent_default()

    def _keys(self) -> Keys:
        return Keys(self._key("composer.send"), self._key("composer.signature"), self._key("composer.undo_send"))

    def _key(self, binding_id: str) -> str:
        """The key a binding has now (after the user's keymap), as people write it, for hints."""
        default = next((b.key for b in self.BINDINGS if isinstance(b, Binding) and b.id == binding_id), "")
        return display_keys(bound_key(self.keymap, binding_id, default))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if not self.is_open:
            return False if action != "close" else None
        if action == "undo_send":
            return self.mode == Mode.COUNTDOWN
        if action == "cycle_reminder":
            return self.mode in (Mode.EDITING, Mode.COUNTDOWN)
        if action in ("external_editor", "quote", "toggle_signature", "snippets"):
            return None if self.mode != Mode.EDITING else True
        return True

    def say(self, text: str, title: str, severity: str = "information") -> None:
        self.notify(clean_line(text, max_chars=400), title=title, severity=severity, markup=False)  # type: ignore[arg-type]

    # -- sending -----------------------------------------------------------------------------------------

    def action_send(self) -> None:
        session = self.session
        if session is None:
            return
        if session.mode in (Mode.UNKNOWN, Mode.CHECKING):
            # Never a resend: what is known, a fresh look, and "send anyway" behind a question.
            session.check_now("user")
            self.post_message(self.DeliveryQuestion(self, session))
            return
        if session.mode != Mode.EDITING:
            return  # locked: counting down or in flight
        text = self.text_area.text
        if not text.strip():
            self.say("Nothing to send yet: write your reply first.", "Reply")
            return
        session.request_send(text, known=self._known(session.conversation_id))

    def action_cycle_reminder(self) -> None:
        """ctrl+w: remind me if no reply, off → 2 days → 4 days → 1 week; recorded once the reply is confirmed."""
        session = self.session
        if session is None:
            return
        current = session.draft.remind or self._remind_default
        choices = REMIND_CHOICES
        following = choices[(choices.index(current) + 1) % len(choices)] if current in choices else choices[0]
        session.set_reminder(following)

    def action_undo_send(self) -> None:
        if self.session is not None and self.session.undo():
            self.text_area.focus()

    def known_conversation(self) -> Conversation | None:
        """The freshest copy of the conversation being answered (``None`` when closed)."""
        return self._known(self.conversation_id) if self.conversation_id else None

    def _known(self, conversation_id: str) -> Conversation | None:
        """The freshest copy of the conversation the screen has (the baseline for the outbox)."""
        fresh = self._lookup(conversation_id) if self._lookup is not None else None
        return fresh or self.conversation

    # -- preview, quote, signature, maximise ------------------------------------------------------------

    def action_toggle_preview(self) -> None:
        self.preview = not self.preview
        self.set_class(self.preview, "-preview")
        if self.preview:
            self._render_preview()
            self.query_one("#composer-preview", VerticalScroll).focus()
        else:
            self.text_area.focus()

    def _render_preview(self) -> None:
        session = self.session
        signature = session.signature.html if session is not None and session.draft.signature else ""
        self._convert_preview(self.text_area.text, signature)

    @work(group="composer-preview", exclusive=True, exit_on_error=False, description="Preview")
    async def _convert_preview(self, text: str, signature: str) -> None:
        shown = await asyncio.to_thread(preview_text, text, signature)
        body = Content.assemble(("What the lead will read:\n\n", "$text-muted italic"), shown)
        self.query_one("#composer-preview-body", Static).update(body)

    def action_quote(self) -> None:
        self.tools.quote()

    def action_external_editor(self) -> None:
        self.tools.external_editor()

    def action_toggle_signature(self) -> None:
        session = self.session
        if session is None or self.mode != Mode.EDITING:
            return
        if session.signature_state == "none":
            self.say("There is no signature to add for this inbox.", "Signature")
            return
        session.set_signature(not session.draft.signature)
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


