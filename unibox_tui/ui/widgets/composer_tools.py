"""The composer's text tools: quoting the latest message (``ctrl+t``) and ``$EDITOR`` (``ctrl+e``).

Beside the composer rather than in it: each is a small piece of work on the text (a quote built
in a thread, an editor run with the terminal handed over) that needs only the composer's text
area, its session and its way of saying things.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from ...api.models import Message as ApiMessage
from ...domain.reply_session import Mode
from ...render.reply_preview import quote_of
from ..external_editor import edit_in_editor

if TYPE_CHECKING:
    from .composer import Composer

__all__ = ["ComposerTools"]


class ComposerTools:
    """Attached to one composer."""

    def __init__(self, composer: Composer) -> None:
        self.composer = composer

    def quote(self) -> None:
        """The latest message, quoted under what is written; the cursor stays where the SDR types."""
        composer = self.composer
        conversation = composer.known_conversation()
        if conversation is None or conversation.latest is None:
            composer.say("There is no message to quote.", "Quote")
            return
        composer.run_worker(self._quote(conversation.latest), group="composer-quote", exclusive=True,
                            exit_on_error=False, description="Quoting")

    async def _quote(self, message: ApiMessage) -> None:
        self._append_quote(await asyncio.to_thread(quote_of, message))

    def _append_quote(self, quote: str) -> None:
        composer = self.composer
        if composer.mode != Mode.EDITING:
            return
        area = composer.text_area
        if quote in area.text:
            composer.say("That message is already quoted.", "Quote")
            return
        cursor = area.cursor_location
        existing = area.text.rstrip()
        # Below what is written, after a blank line.
        area.replace("\n\n" + quote + "\n", start=_end_of(existing), end=area.document.end)
        area.move_cursor(cursor if existing else (0, 0))
        area.focus()

    def external_editor(self) -> None:
        """The draft in ``$VISUAL``/``$EDITOR``; what comes back replaces the text and is saved at once."""
        composer = self.composer
        session = composer.session
        if session is None or composer.mode != Mode.EDITING:
            return
        session.flush()
        edited = edit_in_editor(composer.app, composer.text_area.text, session.services.drafts.directory)
        if edited.problem:
            composer.say(edited.problem, "Editor", edited.severity)
        elif edited.text is not None and composer.session is session:
            area = composer.text_area
            area.replace(edited.text, start=(0, 0), end=area.document.end)
            area.move_cursor(area.document.end)
            # Saved now, not a second later: the editor was the long part of this edit.
            session.edit(area.text)
            session.flush()
        composer.text_area.focus()


def _end_of(existing: str) -> tuple[int, int]:
    """The location just after ``existing`` (a prefix of the document)."""
    lines = existing.split("\n")
    return (len(lines) - 1, len(lines[-1]))
