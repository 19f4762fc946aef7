"""The snippet picker (``ctrl+n`` in the composer): type to filter, see it filled in, ``enter`` inserts.

The preview is the snippet filled for this conversation; a variable that cannot be filled stays
as written, highlighted, and is named underneath with why (and a "did you mean" hint). While the
lead's record is still being looked up the preview says so, and fills again when it arrives.
Lead values are a stranger's text: they were sanitised when filled and are drawn as text.
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from ...api.models import Conversation
from ...domain.snippet_source import SnippetSource
from ...domain.snippets import VARIABLES, Filled, Snippet, SnippetValues, fill, fuzzy_filter
from ...render.formatting import label_name
from ...render.sanitize import clean_line

__all__ = ["SnippetPicker", "preview_content"]


def preview_content(filled: Filled) -> Content:
    """The filled text with every unfilled variable highlighted, then why each is unfilled."""
    pieces: list[Content | tuple[str, str] | str] = []
    position = 0
    for placeholder in filled.unfilled:
        pieces.append(filled.text[position : placeholder.start])
        pieces.append((placeholder.written, "bold reverse $warning"))
        position = placeholder.end
    pieces.append(filled.text[position:])
    body = Content.assemble(*pieces)
    if filled.complete:
        return body
    notes = [Content.styled("Unfilled (fill in or remove before sending):", "bold $text-warning")]
    notes += [Content.styled("  " + clean_line(p.message, max_chars=160), "$text-warning") for p in filled.unfilled]
    return Content("\n").join([body, Content(""), *notes])


class SnippetPicker(ModalScreen[Snippet | None]):
    """Returns the chosen snippet (the composer fills it in at the cursor), or ``None``."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="snippets.cancel"),
        Binding("down", "move(1)", "Next snippet", show=False, id="snippets.down"),
        Binding("up", "move(-1)", "Previous snippet", show=False, id="snippets.up"),
        Binding("ctrl+n", "new", "New snippet", id="snippets.new", priority=True),
        Binding("ctrl+o", "edit", "Edit snippet", id="snippets.edit", priority=True),
    ]
    HELP_NOTES = [
        ("type", "Filters by name (letters in order: cl finds calendar) and by words of the text"),
        ("enter", "Inserts the snippet at the cursor, filled for this conversation"),
        ("variables", " ".join("{" + name + "}" for name in VARIABLES) + " {custom.NAME}"),
    ]

    def __init__(self, source: SnippetSource, conversation: Conversation) -> None:
        super().__init__()
        self.source = source
        self.conversation = conversation
        known = source.values(conversation)
        self.values: SnippetValues = known.values
        self.loading = known.pending
        self.shown: list[Snippet] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="snippet-picker"):
            yield Static(Content.styled("Snippets", "bold"), id="snippet-picker-title")
            yield Input(placeholder="Filter…", id="snippet-filter")
            yield OptionList(id="snippet-list")
            with VerticalScroll(id="snippet-preview"):
                yield Static(id="snippet-preview-body")
            yield Static(id="snippet-picker-foot")

    def on_mount(self) -> None:
        self.refilter()
        self.query_one(Input).focus()
        if self.loading:
            self._wait_for_lead()

    @work(group="snippet-lead", exclusive=True, exit_on_error=False, description="Looking up the lead")
    async def _wait_for_lead(self) -> None:
        self.values = await self.source.values_when_known(self.conversation)
        self.loading = False
        self._show_preview()

    # -- filtering ----------------------------------------------------------------------------------

    @on(Input.Changed, "#snippet-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.refilter()

    def refilter(self, keep: str | None = None) -> None:
        """Show the snippets matching the filter; the highlight stays on ``keep`` (else the current one)."""
        keep = keep or (self.current.name if self.current is not None else None)
        snippets = self.source.snippets
        self.shown = fuzzy_filter(snippets, self.query_one(Input).value)
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options([Option(self._line(snippet), id=snippet.name) for snippet in self.shown])
        if self.shown:
            names = [snippet.name for snippet in self.shown]
            options.highlighted = names.index(keep) if keep in names else 0
        self._show_preview()

    @staticmethod
    def _line(snippet: Snippet) -> Content:
        tied = ", ".join(label_name(label) for label in snippet.labels)
        return Content.assemble((snippet.name, "bold"), (f"  {tied}" if tied else "", "$text-muted"))

    @on(OptionList.OptionHighlighted, "#snippet-list")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._show_preview()

    @property
    def current(self) -> Snippet | None:
        index = self.query_one(OptionList).highlighted
        return self.shown[index] if index is not None and 0 <= index < len(self.shown) else None

    def _show_preview(self) -> None:
        snippet = self.current
        body = self.query_one("#snippet-preview-body", Static)
        if snippet is not None:
            preview = preview_content(fill(snippet.text, self.values))
            if self.loading:
                preview = Content.assemble(Content.styled("The lead's details are still loading…\n\n", "italic $text-muted"), preview)
            body.update(preview)
        elif self.source.snippets:
            body.update(Content.styled("No snippet matches.", "$text-muted"))
        else:
            body.update(Content.styled("No snippets yet. ctrl+n writes one (it is saved in config.toml).", "$text-muted"))
        foot = "enter inserts · esc cancels · ↑↓ choose · ctrl+n new · ctrl+o edit"
        self.query_one("#snippet-picker-foot", Static).update(Content.styled(foot, "$text-muted"))

    # -- choosing ---------------------------------------------------------------------------------------

    def action_move(self, step: int) -> None:
        options = self.query_one(OptionList)
        if step > 0:
            options.action_cursor_down()
        else:
            options.action_cursor_up()

    @on(Input.Submitted, "#snippet-filter")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.current is not None:
            self.dismiss(self.current)

    @on(OptionList.OptionSelected, "#snippet-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if self.current is not None:
            self.dismiss(self.current)

    def action_cancel(self) -> None:
        self.dismiss(None)

    # -- adding and editing ------------------------------------------------------------------------------

    def action_new(self) -> None:
        self._open_form(None)

    def action_edit(self) -> None:
        if self.current is not None:
            self._open_form(self.current)

    def _open_form(self, snippet: Snippet | None) -> None:
        from .snippet_form import SnippetForm

        def saved(name: str | None) -> None:
            self.query_one(Input).focus()
            if name is not None:
                self.query_one(Input).value = ""
                self.refilter(keep=name)

        self.app.push_screen(SnippetForm(self.source, snippet), saved)
