"""The inbox screen's own keys (triage's are in triage_keys.py, marks' in bulk_keys.py).

Every binding has an ``id`` (the user's keymap remaps it) and, when the command palette should
offer it, a ``tooltip`` (the palette's help line; see ui/palette.py).
"""

from __future__ import annotations

from textual.binding import Binding

__all__ = ["INBOX_BINDINGS", "INBOX_PALETTE_NAMES"]

INBOX_BINDINGS = [
    Binding("slash", "search", "Search", id="inbox.search", tooltip="Search the current folder"),
    Binding("right_square_bracket", "next_page", "Next page", id="inbox.next_page", tooltip="Show the next page"),
    Binding("left_square_bracket", "previous_page", "Prev page", id="inbox.previous_page", tooltip="Show the previous page"),
    Binding("ctrl+r", "refresh", "Refresh", id="inbox.refresh", tooltip="Reload the list and the open conversation"),
    Binding("s", "save_attachments", "Save files", id="inbox.save_attachments", tooltip="Save files of the open conversation"),
    Binding("S", "toggle_downloads", "Downloads", show=False, id="inbox.downloads",
            tooltip="Show the downloads panel: cancel, retry, open"),
    Binding("escape", "back", "Back", show=False, id="inbox.back"),
    Binding("c", "cycle_folder", "Next folder (Primary / Others)", show=False, id="inbox.folder_cycle"),
    Binding("r", "reply", "Reply", id="inbox.reply", tooltip="Reply to the open conversation"),
    Binding("D", "drafts", "Drafts", show=False, id="inbox.drafts", tooltip="Replies not sent yet"),
    Binding("A", "add_lead", "Add lead", show=False, id="inbox.add_lead",
            tooltip="A referral from the open conversation, as a new lead"),
    Binding("i", "lead_details", "Lead details", show=False, id="inbox.lead_details",
            tooltip="Show or hide the lead's campaigns and variables"),
    Binding("h", "snooze", "Snooze…", show=False, id="inbox.snooze",
            tooltip="Hide the conversation (or the marked ones) until a time you pick"),
    Binding("Z", "snoozed", "Snoozed", show=False, id="inbox.snoozed",
            tooltip="The snoozed conversations and their wake-up times"),
    Binding("w", "waiting", "Waiting queue", show=False, id="inbox.waiting",
            tooltip="Unanswered replies, the longest wait first"),
    Binding("vertical_line", "pipe", "Pipe to a command…", show=False, id="inbox.pipe",
            tooltip="Send the open (or marked) conversations as JSON to a command"),
    Binding("T", "day_summary", "Day summary", show=False, id="inbox.day_summary",
            tooltip="Today's and this week's triage, to export as CSV and Markdown"),
]

#: Palette names longer than the key bar's (the rest use the binding's description).
INBOX_PALETTE_NAMES = {
    "inbox.previous_page": "Previous page",
    "inbox.save_attachments": "Save attachments",
    "triage.pick_label": "Label…",
    "triage.accept": "Accept the AI's label",
    "triage.clear_label": "Clear label",
    "triage.filter": "Filter by label…",
    "bulk.mark": "Mark / unmark",
    "bulk.mark_page": "Mark all shown",
    "inbox.pipe": "Pipe…",
}
