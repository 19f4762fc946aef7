"""The ``?`` screen: every key, collected from the bindings themselves (so remaps show)."""

from __future__ import annotations

from collections.abc import Mapping

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from ..keys import display_keys

__all__ = ["HelpScreen", "binding_sections"]

#: (section title, where the bindings live) in reading order. Import paths keep this module light.
SECTIONS: list[tuple[str, str]] = [
    ("Everywhere", "unibox_tui.ui.app:UniboxApp"),
    ("Inbox", "unibox_tui.ui.screens.inbox:InboxScreen"),
    ("Folders", "unibox_tui.ui.widgets.folder_bar:FolderBar"),
    ("Conversation list", "unibox_tui.ui.widgets.conversation_list:ConversationList"),
    ("Thread", "unibox_tui.ui.widgets.thread_view:ThreadView"),
]

#: Keys that exist but are easy to miss (Textual's own, or layout behaviour).
EXTRA: dict[str, list[tuple[str, str]]] = {
    "Everywhere": [
        ("tab / shift+tab", "Move focus: folders → conversations → thread"),
        ("ctrl+p", "Command palette"),
        ("ctrl+q", "Quit"),
    ],
    "Conversation list": [("↓ past the last row", "Load the next page (↑ on the first: previous)")],
    "Welcome (no working key)": [("enter", "Check the pasted key, store it, open the inbox")],
    "Switch profile": [("↑ / ↓, enter", "Open the highlighted profile")],
    "Rooms: every room": [
        ("↑/↓ j/k, g/G", "Move in a table (the detail below follows)"),
        ("enter / tab", "Into the detail / the next pane"),
    ],
    "Downloads panel (S)": [
        ("esc on a finished row", "Back to where you were"),
        ("S", "Hide the panel (it shows itself when a download starts)"),
    ],
}


def _load(path: str) -> type:
    module_name, _, attribute = path.partition(":")
    module = __import__(module_name, fromlist=[attribute])
    return getattr(module, attribute)


def binding_sections(keymap: Mapping[str, str] | None = None) -> list[tuple[str, list[tuple[str, str]]]]:
    """Each section's (keys, description) rows, with the user's keymap applied."""
    keymap = keymap or {}
    sections = []
    for title, path in SECTIONS + list(EXTRA_SECTIONS):
        try:
            owner = _load(path)
        except (ImportError, AttributeError):
            continue
        rows: list[tuple[str, str]] = []
        # HELP_BINDINGS: a screen whose bindings other sections list too names its own here.
        for binding in getattr(owner, "HELP_BINDINGS", None) or getattr(owner, "BINDINGS", []):
            if not isinstance(binding, Binding) or not binding.description:
                continue
            keys = keymap.get(binding.id, binding.key) if binding.id else binding.key
            rows.append((display_keys(keys), binding.description))
        rows.extend(EXTRA.get(title, []))
        rows.extend(getattr(owner, "HELP_NOTES", []))  # (keys, text) a feature adds about itself
        if rows:
            sections.append((title, rows))
    return sections


#: Further sections registered by feature modules (composer, downloads, triage...).
EXTRA_SECTIONS: list[tuple[str, str]] = [
    ("Welcome (no working key)", "unibox_tui.ui.screens.welcome:WelcomeScreen"),
    ("Switch profile", "unibox_tui.ui.screens.profile_picker:ProfilePicker"),
    ("Triage", "unibox_tui.ui.screens.triage_keys:TriageKeys"),
    ("Marks and bulk actions", "unibox_tui.ui.screens.bulk_keys:BulkKeys"),
    ("Reply composer", "unibox_tui.ui.widgets.composer:Composer"),
    ("Snooze picker (h)", "unibox_tui.ui.screens.snooze_picker:SnoozePicker"),
    ("Snoozed (the folder bar's Snoozed N)", "unibox_tui.ui.screens.snoozed:SnoozedScreen"),
    ("Waiting queue (w)", "unibox_tui.ui.screens.waiting:WaitingScreen"),
    ("Snippet picker (ctrl+n in the composer)", "unibox_tui.ui.screens.snippet_picker:SnippetPicker"),
    ("Drafts", "unibox_tui.ui.screens.drafts:DraftsScreen"),
    ("Pipe (|)", "unibox_tui.ui.screens.pipe_prompt:PipePrompt"),
    ("Pipe output", "unibox_tui.ui.screens.pipe_view:PipeView"),
    ("Day summary (T)", "unibox_tui.ui.screens.day_summary:DaySummaryScreen"),
    ("Rooms: every room", "unibox_tui.ui.screens.room:RoomScreen"),
    ("Campaigns", "unibox_tui.ui.screens.campaigns:CampaignsScreen"),
    ("Blocklist", "unibox_tui.ui.screens.blocklist:BlocklistScreen"),
    ("Add lead form", "unibox_tui.ui.screens.add_lead:AddLeadScreen"),
    ("Confirmations", "unibox_tui.ui.screens.confirm:ConfirmScreen"),
    ("Downloads panel (S)", "unibox_tui.ui.widgets.downloads_panel:DownloadsPanel"),
    ("Saving attachments (s)", "unibox_tui.ui.screens.attachment_picker:AttachmentPicker"),
]


class HelpScreen(ModalScreen[None]):
    """A scrollable list of keys; any of escape, q or ? closes it."""

    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close", show=False)]

    def __init__(self, keymap: Mapping[str, str] | None = None) -> None:
        super().__init__()
        #: The user's keymap (binding id -> keys), as the settings have it: remapped keys show remapped.
        self.keymap = dict(keymap or {})

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body"):
            yield Static(Content.styled("Keys", "bold"), classes="help-title")
            for title, rows in binding_sections(self.keymap):
                yield Static(Content.styled(title, "bold $accent"), classes="help-section")
                width = max(len(keys) for keys, _ in rows)
                lines = [Content.assemble((keys.ljust(width + 2), "bold"), text) for keys, text in rows]
                yield Static(Content("\n").join(lines), classes="help-rows")
            yield Static(Content.styled("esc closes", "$text-muted"), classes="help-foot")
