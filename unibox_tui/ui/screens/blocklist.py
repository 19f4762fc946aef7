"""The blocklist: every blocked address and domain, a filter, add, remove (after a confirmation).

Reachkit's API has no blocklist search: the filter narrows the list already loaded, on this
machine. Typing a whole address and pressing enter asks Reachkit whether it is blocked (which
also catches a domain rule).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Input, Static

from ...api import BlocklistEntry, NetworkError, ReachkitError
from ...render.formatting import compact_date, human_count
from ...render.rooms import valid_email
from ...render.sanitize import clean_line
from ..widgets.record_table import Cell, Column, RecordTable, Row
from .block_add import AddBlockScreen
from .confirm import ConfirmScreen
from .room import RoomScreen

__all__ = ["BlocklistScreen"]

BLOCK_COLUMNS = [
    Column("Blocked", min_width=16, max_width=64),
    Column("Kind", width=8, keep=6),
    Column("Added", width=11, align="right", keep=7),
]


class BlocklistScreen(RoomScreen):
    """Blocked addresses and domains, newest first."""

    ROOM = "blocklist"
    ROOM_TITLE = "Blocklist"

    BINDINGS = [
        Binding("a", "add", "Add", id="blocklist.add", tooltip="Block an address or a whole @domain"),
        Binding("d,delete", "remove", "Remove", id="blocklist.remove", tooltip="The highlighted entry, after a confirmation"),
        Binding("slash", "filter", "Filter", id="blocklist.filter",
                tooltip="Narrow the list; a whole address + enter asks Reachkit"),
    ]
    PALETTE_NAMES = {
        "blocklist.add": "Add to blocklist",
        "blocklist.remove": "Remove from blocklist",
        "blocklist.filter": "Filter blocklist",
    }

    def __init__(self) -> None:
        super().__init__()
        self.entries: list[BlocklistEntry] = []
        self._rows: dict[str, Row] = {}
        self.loaded = False
        self.note: Content = Content("")

    def compose_room(self) -> ComposeResult:
        with Vertical(id="room-body"):
            yield Input(
                placeholder="Filter (on this machine) · a whole address + enter asks Reachkit",
                id="block-filter",
                max_length=254,
            )
            yield RecordTable(BLOCK_COLUMNS, id="block-table", classes="room-table -fill")
            yield Static(id="block-status", classes="room-status")

    @property
    def table(self) -> RecordTable:
        return self.query_one("#block-table", RecordTable)

    @property
    def filter_input(self) -> Input:
        return self.query_one("#block-filter", Input)

    def show_no_client(self) -> None:
        self.table.show_message("No API key: log in first (unibox-tui login), or try unibox-tui --demo.")

    # -- loading ------------------------------------------------------------------------------------

    def action_reload(self) -> None:
        if self.client is None:
            return
        if not self.loaded:
            self.table.show_message("Loading the blocklist…")
        self._load()

    @work(exclusive=True, group="blocklist", exit_on_error=False, description="Loading the blocklist")
    async def _load(self, select: str | None = None) -> None:
        client = self.client
        if client is None:
            return
        try:
            entries = await client.list_blocklist()
        except asyncio.CancelledError:
            raise
        except ReachkitError as error:
            if not self.loaded:
                self.table.show_message(f"Could not load the blocklist: {error}\nctrl+r tries again.", error=True)
            else:
                self.unibox.show_error(error, "Blocklist not refreshed")
            return
        entries = _newest_first(entries)
        now = self.app.clock.now()
        # Rows are built once per load (off the event loop: 10,000 entries take a moment), so
        # each keystroke in the filter only picks rows.
        self._rows = await asyncio.to_thread(lambda: {e.id: _row(e, now) for e in entries})
        self.entries = entries
        self.loaded = True
        self._paint(select=select)

    def _paint(self, *, select: str | None = None) -> None:
        needle = self.filter_input.value.strip().lower()
        shown = [e for e in self.entries if _matches(e, needle)] if needle else self.entries
        if shown:
            self.table.set_rows([self._row_of(entry) for entry in shown], cursor_key=select)
        elif needle:
            self.table.show_message("Nothing on the blocklist matches this filter.")
        else:
            self.table.show_message("The blocklist is empty. Press a to block an address or a domain.")
        self._update_status(len(shown), needle)

    def _row_of(self, entry: BlocklistEntry) -> Row:
        row = self._rows.get(entry.id)
        if row is None:
            row = self._rows[entry.id] = _row(entry, self.app.clock.now())
        return row

    def _update_status(self, shown: int, needle: str) -> None:
        total = len(self.entries)
        domains = sum(1 for e in self.entries if e.is_domain)
        parts: list[str | tuple[str, str]] = [f"{human_count(total)} blocked"]
        if domains:
            parts.append(f" · {human_count(domains)} domain{'s' if domains != 1 else ''}")
        if needle:
            parts.append((f" · {human_count(shown)} shown for “{clean_line(needle, max_chars=40)}”", "$accent"))
        counts = Content.assemble(*parts)
        # What Reachkit just answered matters more than the counts: it goes first.
        status = self.note + Content("   ") + counts if self.note else counts
        self.query_one("#block-status", Static).update(status)

    # -- filter and check ----------------------------------------------------------------------

    def action_filter(self) -> None:
        self.filter_input.focus()

    @on(Input.Changed, "#block-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.note = Content("")
        if self.loaded:
            self._paint()

    @on(Input.Submitted, "#block-filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        value = event.value.strip()
        if valid_email(value):
            self.note = Content.styled(f"asking Reachkit about {clean_line(value, max_chars=80)}…", "$text-muted")
            self._update_status(len(self.table.rows), value.lower())
            self._check(value)
        self.table.focus()

    @work(exclusive=True, group="check", exit_on_error=False, description="Checking the blocklist")
    async def _check(self, email: str) -> None:
        client = self.client
        if client is None:
            return
        shown = clean_line(email, max_chars=80)
        try:
            blocked = await client.check_blocklist(email)
        except asyncio.CancelledError:
            raise
        except ReachkitError as error:
            self.note = Content.styled(f"could not check {shown}: {clean_line(str(error), max_chars=120)}",
                                       "$text-error")
        else:
            if blocked:
                rule = _matching_rule(self.entries, email)
                why = f" (by {clean_line(rule, max_chars=60)})" if rule and rule.lower() != email.lower() else ""
                self.note = Content.styled(f"⛔ {shown} is blocked{why}", "bold $text-error")
            else:
                self.note = Content.styled(f"✓ {shown} is not blocked", "bold $text-success")
        self._update_status(len(self.table.rows), self.filter_input.value.strip().lower())

    def action_back(self) -> None:
        field = self.filter_input
        if field.has_focus and field.value:
            field.value = ""
            return
        if field.has_focus:
            self.table.focus()
            return
        super().action_back()

    # -- add and remove -------------------------------------------------------------------------------

    def action_add(self) -> None:
        if self.client is None:
            return
        typed = self.filter_input.value.strip()
        prefill = typed if "@" in typed else ""

        def added(entry: str | None) -> None:
            if entry:
                self._add(entry)

        self.app.push_screen(AddBlockScreen(prefill), added)

    @work(group="block-change", exit_on_error=False, description="Adding to the blocklist")
    async def _add(self, value: str) -> None:
        client = self.client
        if client is None:
            return
        try:
            created = await client.add_to_blocklist(value)
        except asyncio.CancelledError:
            raise
        except NetworkError as error:
            if error.maybe_delivered:
                self.unibox.say(f"The answer was lost; reloading the blocklist to see whether {value} was added.",
                                title="Blocklist", severity="warning")
                self._load()
            else:
                self.unibox.show_error(error, "Not blocked")
            return
        except ReachkitError as error:
            self.unibox.show_error(error, "Not blocked")
            return
        known = {e.id for e in self.entries}
        fresh = [e for e in created if e.id not in known]
        self.entries = _newest_first(fresh + self.entries)
        select = created[0].id if created else None
        if select and self.filter_input.value and value not in self.filter_input.value.lower():
            self.filter_input.value = ""
        self._paint(select=select)
        self.unibox.say(f"Blocked {value}." if fresh else f"{value} was already blocked.", title="Blocklist")

    def action_remove(self) -> None:
        row = self.table.current_row
        if row is None or not isinstance(row.data, BlocklistEntry):
            return
        entry: BlocklistEntry = row.data
        shown = clean_line(entry.email, max_chars=120) or "(empty)"
        effect = (
            "Reachkit will be able to email everyone at this domain again."
            if entry.is_domain
            else "Reachkit will be able to email this address again."
        )
        body = Content("\n\n").join([
            Content.assemble("Remove ", (shown, "bold"), " from the blocklist? " + effect),
            Content.assemble(("Blocklist: ", "$text-muted"), (f"{human_count(len(self.entries))} entries", "bold"),
                             " → ", (f"{human_count(len(self.entries) - 1)}", "bold $accent")),
        ])

        def decided(confirmed: bool | None) -> None:
            if confirmed:
                self._remove(entry)

        self.app.push_screen(ConfirmScreen("Remove from the blocklist?", body, "Remove", danger=True), decided)

    @work(group="block-change", exit_on_error=False, description="Removing from the blocklist")
    async def _remove(self, entry: BlocklistEntry) -> None:
        client = self.client
        if client is None:
            return
        try:
            await client.delete_blocklist_entry(entry.id)
        except asyncio.CancelledError:
            raise
        except ReachkitError as error:
            self.unibox.show_error(error, "Not removed")
            return
        index = self.table.cursor
        self.entries = [e for e in self.entries if e.id != entry.id]
        self._paint()
        if self.table.rows:
            self.table.cursor = min(index, len(self.table.rows) - 1)
        self.unibox.say(f"Removed {clean_line(entry.email, max_chars=120)} from the blocklist.", title="Blocklist")


def _row(entry: BlocklistEntry, now: datetime) -> Row:
    return Row(
        entry.id,
        (
            clean_line(entry.email, max_chars=254) or "(empty)",
            Cell("domain", "accent") if entry.is_domain else Cell("address", "muted"),
            Cell(compact_date(entry.created_at, now), "muted"),
        ),
        data=entry,
    )


def _newest_first(entries: list[BlocklistEntry]) -> list[BlocklistEntry]:
    oldest = datetime.min.replace(tzinfo=UTC)
    return sorted(entries, key=lambda e: e.created_at or oldest, reverse=True)


def _matches(entry: BlocklistEntry, needle: str) -> bool:
    """The filter: a part of the entry, or a whole address its ``@domain`` rule covers."""
    email = entry.email.lower()
    return needle in email or (entry.is_domain and "@" in needle and needle.endswith(email.lstrip("*")))


def _matching_rule(entries: list[BlocklistEntry], email: str) -> str:
    """Which loaded entry blocks ``email``: the address itself, else its ``@domain``."""
    address = email.strip().lower()
    domain = "@" + address.rpartition("@")[2]
    for entry in entries:
        if entry.email.lower() == address:
            return entry.email
    for entry in entries:
        if entry.email.lower() in (domain, domain[1:]):
            return entry.email
    return ""
