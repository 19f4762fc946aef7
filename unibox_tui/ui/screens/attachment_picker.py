"""The ``s`` picker: choose one, several or all attachments of a conversation to save.

It only chooses; the downloads panel does the saving. Names are shown in the same safe form the
files will get, so what the SDR picks is what lands in the folder.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ...api import Attachment, Conversation, Message
from ...domain.transfers import Pick
from ...render.filenames import display_name, safe_filename, short_type
from ...render.formatting import compact_date, human_size
from ...render.sanitize import clean_line

if TYPE_CHECKING:
    from ..app import UniboxApp

__all__ = ["AttachmentPicker", "Pick", "pick_attachments"]


def pick_attachments(
    app: UniboxApp, conversation: Conversation | None, *, connected: bool, save: Callable[[list[Pick]], None]
) -> None:
    """``s``: the picker on ``conversation``'s attachments; what is chosen goes to ``save``."""
    if not connected:
        app.say("Not connected: nothing to download from.", severity="warning")
    elif conversation is None:
        app.say("Open a conversation first; s saves its attachments.")
    elif not conversation.has_attachments:
        app.say("This conversation has no attachments.")
    else:
        app.push_screen(AttachmentPicker(conversation), lambda picks: save(picks) if picks else None)


class _Choices(OptionList):
    """The attachment rows, with vi keys too."""

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]


class AttachmentPicker(ModalScreen[list[Pick] | None]):
    """Attachments of one conversation; dismisses with the chosen ones (``None``: nothing)."""

    BINDINGS = [
        Binding("enter", "save", "Save", id="picker.save"),
        Binding("space", "toggle_mark", "Mark", id="picker.toggle_mark"),
        Binding("a", "save_all", "Save all", id="picker.save_all"),
        Binding("escape", "close", "Close", id="picker.close"),
    ]

    def __init__(self, conversation: Conversation) -> None:
        super().__init__()
        self.conversation = conversation
        self.entries: list[tuple[Message, Attachment, str]] = [
            (message, attachment, safe_filename(
                attachment.filename, attachment_id=attachment.id, content_type=attachment.content_type
            ))
            for message, attachment in conversation.attachments
        ]
        self.marked: set[int] = set()

    def compose(self) -> ComposeResult:
        subject = clean_line(self.conversation.subject, max_chars=80) or "(no subject)"
        count = len(self.entries)
        with Vertical(id="picker-body"):
            yield Static(
                Content.assemble(
                    ("Save attachments", "bold"),
                    (f" · {count} in ", "$text-muted"),
                    (subject, "$text-muted italic"),
                ),
                id="picker-title",
            )
            yield _Choices(*[self._option(index) for index in range(count)], id="picker-options")
            yield Static(
                Content.assemble(
                    ("enter", "bold"), " save  ", ("space", "bold"), " mark  ",
                    ("a", "bold"), " save all  ", ("esc", "bold"), " close",
                ),
                id="picker-keys",
            )

    def on_mount(self) -> None:
        options = self.query_one(_Choices)
        first = next((i for i, (_, a, _) in enumerate(self.entries) if a.id), None)
        options.highlighted = first
        options.focus()

    def _option(self, index: int) -> Option:
        message, attachment, name = self.entries[index]
        usable = bool(attachment.id)
        mark = "■ " if index in self.marked else "□ "
        kind = short_type(attachment.content_type)
        who = clean_line(message.from_name, max_chars=30) or clean_line(message.from_email, max_chars=40)
        when = compact_date(message.email_date, self.app.clock.now(), raw=message.email_date_raw)  # type: ignore[attr-defined]
        detail = " · ".join(part for part in (human_size(attachment.size), kind, who, when) if part)
        prompt = Content.assemble(
            (mark if usable else "  ", "$accent"),
            (display_name(name), "bold" if usable else "$text-disabled"),
            ("\n  " + detail, "$text-muted"),
            ("  (cannot be downloaded: no id)" if not usable else "", "$text-warning"),
        )
        return Option(prompt, id=f"a{index}", disabled=not usable)

    def _picks(self, indices: list[int]) -> list[Pick]:
        return [
            Pick(self.conversation.id, self.entries[i][1], self.entries[i][2])
            for i in indices
            if self.entries[i][1].id
        ]

    # -- actions --

    def action_toggle_mark(self) -> None:
        options = self.query_one(_Choices)
        index = options.highlighted
        if index is None or not self.entries[index][1].id:
            return
        self.marked.symmetric_difference_update({index})
        options.replace_option_prompt_at_index(index, self._option(index).prompt)
        options.action_cursor_down()

    def action_save(self) -> None:
        if self.marked:
            self.dismiss(self._picks(sorted(self.marked)))
            return
        index = self.query_one(_Choices).highlighted
        self.dismiss(self._picks([index]) if index is not None else None)

    def action_save_all(self) -> None:
        self.dismiss(self._picks(list(range(len(self.entries)))))

    def action_close(self) -> None:
        self.dismiss(None)

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        """Enter or a click on a row: the same as ``enter`` on the screen."""
        event.stop()
        self.action_save()
