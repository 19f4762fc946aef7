"""Add or edit a snippet from the app: saved into config.toml keeping the file's comments and layout.

``store/config_edit.py`` does the writing (tomlkit, atomic, refused when the file does not parse);
then the file's snippets are read again, so what the picker offers is what the file holds.
"""

from __future__ import annotations

import asyncio

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static, TextArea

from ...api.models import LABELS
from ...config import read_snippets
from ...domain.snippet_source import SnippetSource
from ...domain.snippets import Snippet
from ...store.config_edit import ConfigEditError, save_snippet

__all__ = ["SnippetForm", "parse_labels"]


def parse_labels(text: str) -> list[str]:
    """``"Interested, meeting requested"`` -> ``["interested", "meeting_requested"]`` (checked on save)."""
    labels = []
    for part in text.replace(";", ",").split(","):
        label = "_".join(part.strip().lower().split())
        if label and label not in labels:
            labels.append(label)
    return labels


class SnippetForm(ModalScreen[str | None]):
    """Dismissed with the saved snippet's name, or ``None``."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save snippet", id="snippet_form.save", priority=True),
        Binding("escape", "cancel", "Cancel", id="snippet_form.cancel"),
    ]

    def __init__(self, source: SnippetSource, snippet: Snippet | None = None) -> None:
        super().__init__()
        self.source = source
        self.snippet = snippet

    def compose(self) -> ComposeResult:
        snippet = self.snippet
        title = f"Edit snippet {snippet.name}" if snippet is not None else "New snippet"
        with Vertical(id="snippet-form", classes="form-box"):
            yield Static(Content.styled(title, "bold"), classes="form-title")
            yield Static(Content.styled("Saved in config.toml, comments kept. Variables: {first_name} {company} "
                                        "{custom.NAME}… (? lists them)", "$text-muted"), classes="form-help")
            yield Input(snippet.name if snippet else "", placeholder="name, e.g. calendar", id="snippet-name", max_length=64)
            yield Input(", ".join(snippet.labels) if snippet else "", id="snippet-labels",
                        placeholder="labels r prefills it for, e.g. interested, meeting_requested (optional)")
            yield TextArea(snippet.text if snippet else "", id="snippet-text", soft_wrap=True, tab_behavior="focus")
            yield Static(id="snippet-form-error", classes="form-error")
            with Horizontal(classes="form-buttons"):
                yield Button(Content("Save  ctrl+s"), id="snippet-save", variant="primary")
                yield Button(Content("Cancel  esc"), id="snippet-cancel")

    def on_mount(self) -> None:
        self.query_one("#snippet-name" if self.snippet is None else "#snippet-text").focus()

    def _problem(self, text: str) -> None:
        self.query_one("#snippet-form-error", Static).update(Content(text))

    @on(Button.Pressed, "#snippet-save")
    def action_save(self) -> None:
        name = self.query_one("#snippet-name", Input).value.strip()
        labels = parse_labels(self.query_one("#snippet-labels", Input).value)
        text = self.query_one("#snippet-text", TextArea).text
        unknown = [label for label in labels if label not in LABELS]
        if unknown:
            self._problem(f"Unknown label {unknown[0]!r}. Labels: {', '.join(LABELS)}.")
            return
        self._save(name, text, labels)

    @work(group="snippet-save", exclusive=True, exit_on_error=False, description="Saving the snippet")
    async def _save(self, name: str, text: str, labels: list[str]) -> None:
        old_name = self.snippet.name if self.snippet is not None else None
        try:
            path = await asyncio.to_thread(save_snippet, name, text, labels, old_name=old_name)
            snippets, warnings = await asyncio.to_thread(read_snippets)
        except ConfigEditError as error:
            self._problem(str(error))
            return
        except OSError as error:
            self._problem(f"Not saved: {error.strerror or error}.")
            return
        self.source.adopt(snippets)
        problems = [w for w in warnings if "snippet" in w.lower()]
        note = f" ({problems[0]})" if problems else ""
        self.app.notify(f"Snippet {name!r} saved in {path}.{note}", title="Snippets", markup=False)
        self.dismiss(name)

    @on(Button.Pressed, "#snippet-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
