"""The composer's snippets: the label's snippet prefilled on ``r``, the picker (``ctrl+n``), and the
line under the text naming every ``{variable}`` still unfilled (``ctrl+s`` refuses until none is).

Prefill rules: only into an empty draft (never over text the SDR wrote), the first snippet tied
to the conversation's label (the SDR's own label over the AI's). The lead's record may still be
loading: what is known is filled at once (the thread's name and domain, our inbox), and when the
lead arrives the snippet is filled again from it, but only while the text is exactly as
prefilled. Once the SDR has typed, nothing of theirs is replaced: what is still unfilled stays
marked, and the send guard refuses it. A prefill left untouched is not kept as a draft.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.content import Content
from textual.widgets.text_area import Selection

from ...domain.reply_session import Mode
from ...domain.snippets import Snippet, fill, location, unfilled_placeholders

if TYPE_CHECKING:
    from ...api.models import Conversation
    from ...domain.reply_session import ReplySession
    from ...domain.snippet_source import SnippetSource
    from .composer import Composer

__all__ = ["SnippetAssist", "unfilled_line"]

#: Placeholders named in the line under the text before "and N more".
SHOWN_IN_LINE = 4


def unfilled_line(text: str, send_key: str = "ctrl+s") -> Content:
    """``⚠ Unfilled: {first_name} (line 1, col 4) · …`` or empty when nothing is left."""
    left = unfilled_placeholders(text)
    if not left:
        return Content("")
    places = []
    for placeholder in left[:SHOWN_IN_LINE]:
        row, column = location(text, placeholder.start)
        places.append(f"{placeholder.written} (line {row + 1}, col {column + 1})")
    more = f" and {len(left) - SHOWN_IN_LINE} more" if len(left) > SHOWN_IN_LINE else ""
    return Content.assemble(
        ("⚠ Unfilled: ", "bold $text-warning"),
        (" · ".join(places) + more, "$text-warning"),
        (f" — fill in or remove; {send_key} refuses until then", "$text-muted"),
    )


class SnippetAssist:
    """Attached to one composer; knows the snippets through the ``SnippetSource`` it is given."""

    def __init__(self, composer: Composer) -> None:
        self.composer = composer
        self.source: SnippetSource | None = None
        #: (snippet, text as prefilled) while the text is untouched since the prefill.
        self._prefill: tuple[Snippet, str] | None = None

    # -- prefill on open ----------------------------------------------------------------------------

    def opened(self, session: ReplySession, conversation: Conversation, source: SnippetSource | None,
               label: str | None) -> None:
        """The composer shows ``session``: its label's snippet goes in if the draft is empty."""
        self.source = source
        self._prefill = None
        if source is None or session.mode != Mode.EDITING or session.draft.text.strip():
            self.show_unfilled()
            return
        snippet = source.for_label(label)
        if snippet is None:
            self.show_unfilled()
            return
        known = source.values(conversation)
        self._put(fill(snippet.text, known.values).text, snippet)
        if known.pending:
            self.composer.run_worker(self._refill(session, source, conversation, snippet), group="composer-snippet",
                                     exclusive=True, exit_on_error=False, description="Looking up the lead")

    async def _refill(self, session: ReplySession, source: SnippetSource, conversation: Conversation,
                      snippet: Snippet) -> None:
        """The prefill again once the lead and our inbox are known."""
        values = await source.values_when_known(conversation)
        self.lead_arrived(session, snippet, fill(snippet.text, values).text)

    def lead_arrived(self, session: ReplySession, snippet: Snippet, text: str) -> None:
        """The lead (and our inbox) are known: fill again, only if the prefill is untouched."""
        if self.composer.session is not session or self._prefill is None:
            return
        if self._prefill[0] is not snippet or self.composer.text_area.text != self._prefill[1]:
            return  # the SDR has typed: their text wins
        if text != self._prefill[1]:
            self._put(text, snippet)

    def _put(self, text: str, snippet: Snippet) -> None:
        area = self.composer.text_area
        area.load_text(text)
        area.move_cursor(area.document.end)  # where the SDR goes on writing, unless a variable waits
        self._prefill = (snippet, area.text)
        self.composer.text_edited(area.text)
        self._select_first_unfilled(0)

    def closing(self, session: ReplySession) -> None:
        """Put away: a prefill nobody touched is not kept as a draft (``r`` prefills it again)."""
        if self._prefill is not None and session.mode == Mode.EDITING and session.draft.text == self._prefill[1]:
            session.edit("")
        self._prefill = None

    # -- the picker ------------------------------------------------------------------------------------

    def pick(self) -> None:
        """``ctrl+n``: choose a snippet; ``enter`` inserts it at the cursor, filled for this conversation."""
        composer, source = self.composer, self.source
        conversation = composer.conversation
        if source is None or conversation is None:
            return
        session = composer.session

        def chosen(snippet: Snippet | None) -> None:
            if snippet is not None and composer.session is session and composer.mode == Mode.EDITING:
                self.insert(fill(snippet.text, source.values(conversation).values).text)
            composer.text_area.focus()

        composer.choose_snippet(source, conversation, chosen)

    def insert(self, text: str) -> None:
        """``text`` at the cursor (over a selection); the first unfilled variable in it selected.

        A snippet is a block of text: at the end of a line that has words it starts a line of
        its own ("Hi Sarah," then the calendar link, never "Hi Sarah,Grab a slot").
        """
        area = self.composer.text_area
        start, end = sorted(area.selection)
        line = area.document.get_line(start[0])
        if start == end and start[1] == len(line) and line.strip():
            text = "\n" + text
        offset = _offset(area.text, start)
        area.replace(text, start, end)
        self._select_first_unfilled(offset, offset + len(text))

    def _select_first_unfilled(self, start: int, end: int | None = None) -> None:
        """Select the first ``{variable}`` in ``start:end`` so typing replaces it."""
        area = self.composer.text_area
        text = area.text
        for placeholder in unfilled_placeholders(text):
            if placeholder.start >= start and (end is None or placeholder.end <= end):
                area.selection = Selection(location(text, placeholder.start), location(text, placeholder.end))
                return

    # -- the line under the text -------------------------------------------------------------------------

    def show_unfilled(self) -> None:
        composer = self.composer
        line = unfilled_line(composer.text_area.text, composer.send_key) if composer.is_open else Content("")
        widget = composer.unfilled_widget
        widget.update(line)
        widget.display = bool(line.plain)


def _offset(text: str, where: tuple[int, int]) -> int:
    """The character offset of a (row, column) location in ``text``."""
    row, column = where
    lines = text.split("\n")
    return sum(len(line) + 1 for line in lines[:row]) + column
