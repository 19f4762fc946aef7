"""Inboxes: which sending inboxes are connected, warming, within what limits, with healthy DNS;
and one inbox's last seven days of warmup (health score, spam landings per day)."""

from __future__ import annotations

import asyncio

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.timer import Timer
from textual.widgets import Static

from ...api import Inbox, ReachkitError, WarmupStats
from ...render.formatting import human_count
from ...render.rooms import humanise, progress_bar
from ...render.sanitize import clean_line
from ..widgets.bar_chart import BarChart
from ..widgets.record_table import Cell, Column, RecordTable, Row
from .campaign_rows import status_tone
from .room import RoomScreen

__all__ = ["InboxesScreen"]

FOLLOW_DELAY = 0.15
GOOD_RECORDS = ("valid", "ok", "verified", "healthy", "pass")

INBOX_COLUMNS = [
    Column("", width=1, keep=9),
    Column("Inbox", min_width=26, max_width=44),
    Column("Connection", width=12, keep=9),
    Column("Warmup", width=6, keep=6),
    Column("Limit/day", width=9, align="right", keep=5),
    Column("DNS records", width=13, keep=7),
    Column("Campaigns", width=9, align="right", keep=4),
]


def records_ok(status: str) -> bool:
    return status.strip().lower() in GOOD_RECORDS


class InboxesScreen(RoomScreen):
    """Every connected inbox; the highlighted one's settings and warmup below."""

    ROOM = "inboxes"
    ROOM_TITLE = "Inboxes"

    def __init__(self, select: str | None = None) -> None:
        super().__init__()
        self.inboxes: dict[str, Inbox] = {}
        self.warmup: dict[str, WarmupStats] = {}
        self.warmup_error: dict[str, str] = {}
        self.shown_id: str | None = None
        #: An inbox to put the cursor on once loaded (say, the disconnected one).
        self.select = select
        self._follow: Timer | None = None

    def compose_room(self) -> ComposeResult:
        with Vertical(id="room-body"):
            yield RecordTable(INBOX_COLUMNS, id="inbox-table", classes="room-table")
            yield Static(id="inbox-status", classes="room-status")
            with VerticalScroll(id="inbox-detail", classes="room-detail"):
                yield Static(id="inbox-summary", classes="room-summary")
                yield Static(id="warmup-summary", classes="room-summary")
                yield BarChart("Warmup emails sent per day", rows=3, id="warmup-chart", classes="-secondary")
                yield BarChart("Landed in spam per day", rows=2, id="spam-chart", classes="-danger")

    @property
    def table(self) -> RecordTable:
        return self.query_one("#inbox-table", RecordTable)

    def show_no_client(self) -> None:
        self.table.show_message("No API key: log in first (unibox-tui login), or try unibox-tui --demo.")

    def action_reload(self) -> None:
        if self.client is None:
            return
        self.warmup.clear()
        self.warmup_error.clear()
        if not self.inboxes:
            self.table.show_message("Loading inboxes…")
        self.query_one("#inbox-status", Static).update(Content.styled("loading…", "$text-muted"))
        self._load_inboxes()

    @work(exclusive=True, group="inboxes", exit_on_error=False, description="Loading inboxes")
    async def _load_inboxes(self) -> None:
        client = self.client
        if client is None:
            return
        try:
            inboxes = await client.list_inboxes()
        except asyncio.CancelledError:
            raise
        except ReachkitError as error:
            self.inboxes = {}
            self.table.show_message(f"Could not load inboxes: {error}\nctrl+r tries again.", error=True)
            self.query_one("#inbox-status", Static).update(Content.styled("could not load", "$text-error"))
            self._clear_detail()
            return
        # Broken ones first: they are why an SDR comes here.
        inboxes.sort(key=lambda i: (not i.disconnected, not i.is_active))
        self.inboxes = {i.id: i for i in inboxes}
        if not inboxes:
            self.table.show_message("No inboxes are connected to this workspace.")
            self._clear_detail()
            self._update_status()
            return
        self.table.styles.height = len(inboxes) + 1
        wanted = next((i.id for i in inboxes if self.select and i.email.lower() == self.select.lower()), None)
        self.table.set_rows([self._row(i) for i in inboxes], cursor_key=wanted)
        self.select = None
        self._update_status()
        current = self.table.current_row
        self._show_detail(current.key if current else inboxes[0].id)

    def _row(self, inbox: Inbox) -> Row:
        if inbox.disconnected:
            mark, connection = Cell("⚠", "bad"), Cell(humanise(inbox.connection_status, max_chars=14), "bad")
        elif not inbox.is_active:
            mark, connection = Cell("○", "warn"), Cell("inactive", "warn")
        else:
            mark, connection = Cell("●", "good"), Cell(humanise(inbox.connection_status, max_chars=14) or "connected", "good")
        warming = Cell("on", "accent") if inbox.is_warming else Cell("off", "muted")
        limit = _limit(inbox.daily_campaign_limit)
        if inbox.is_warming:
            limit += f" +{_limit(inbox.daily_warmup_limit)}"
        records = inbox.domain_records_status
        records_cell = Cell(humanise(records, max_chars=20) or "unknown", "good" if records_ok(records) else "warn")
        return Row(
            inbox.id,
            (
                mark,
                clean_line(inbox.email, max_chars=254) or "(no address)",
                connection,
                warming,
                limit,
                records_cell,
                str(len(inbox.campaigns)),
            ),
            dim=not inbox.is_active and not inbox.disconnected,
        )

    def _update_status(self) -> None:
        inboxes = list(self.inboxes.values())
        broken = [i for i in inboxes if i.disconnected]
        parts: list[str | tuple[str, str]] = [f"{len(inboxes)} inbox{'es' if len(inboxes) != 1 else ''}"]
        if broken:
            parts.append((f" · ⚠ {len(broken)} disconnected: reconnect in Reachkit's web app", "$text-error"))
        warming = sum(1 for i in inboxes if i.is_warming)
        if warming:
            parts.append(f" · {warming} warming")
        parts.append(("   daily limit: campaign +warmup emails", "$text-muted"))
        self.query_one("#inbox-status", Static).update(Content.assemble(*parts))

    # -- the detail --------------------------------------------------------------------------------

    @on(RecordTable.Highlighted, "#inbox-table")
    def _inbox_highlighted(self, event: RecordTable.Highlighted) -> None:
        if self._follow is not None:
            self._follow.stop()
        if event.row is None or event.row.key == self.shown_id:
            return
        key = event.row.key
        self._follow = self.set_timer(FOLLOW_DELAY, lambda: self._show_detail(key))

    @on(RecordTable.Selected, "#inbox-table")
    def _inbox_selected(self, event: RecordTable.Selected) -> None:
        if self._follow is not None:
            self._follow.stop()  # enter beat the follow timer: it must not load the same inbox again
        if event.row.key != self.shown_id:
            self._show_detail(event.row.key)
        self.query_one("#inbox-detail").focus()

    def _show_detail(self, inbox_id: str) -> None:
        self.shown_id = inbox_id
        self._paint_detail()
        if inbox_id not in self.warmup:
            self._load_detail(inbox_id)

    @work(exclusive=True, group="detail", exit_on_error=False, description="Loading the inbox")
    async def _load_detail(self, inbox_id: str) -> None:
        """The inbox's own record (its connection may have changed since the list) and its warmup."""
        client = self.client
        if client is None:
            return
        inbox, stats = await asyncio.gather(
            client.get_inbox(inbox_id), client.inbox_warmup_stats(inbox_id), return_exceptions=True
        )
        for result in (inbox, stats):
            if isinstance(result, BaseException) and not isinstance(result, ReachkitError):
                raise result  # cancellation, or a bug: not something to show as "could not load"
        if isinstance(inbox, Inbox) and inbox.id == inbox_id and inbox_id in self.inboxes:
            self.inboxes[inbox_id] = inbox
            self.table.update_row(self._row(inbox))
            self._update_status()
        if isinstance(stats, WarmupStats):
            self.warmup[inbox_id] = stats
            self.warmup_error.pop(inbox_id, None)
        elif isinstance(stats, ReachkitError):
            self.warmup_error[inbox_id] = str(stats)
        if inbox_id == self.shown_id:
            self._paint_detail()

    def _clear_detail(self) -> None:
        self.shown_id = None
        self.query_one("#inbox-summary", Static).update("")
        self.query_one("#warmup-summary", Static).update("")
        self.query_one("#warmup-chart", BarChart).set_data([], [])
        self.query_one("#spam-chart", BarChart).set_data([], [])

    def _paint_detail(self) -> None:
        inbox = self.inboxes.get(self.shown_id or "")
        if inbox is None:
            self._clear_detail()
            return
        self.query_one("#inbox-summary", Static).update(self._summary(inbox))
        stats = self.warmup.get(inbox.id)
        self.query_one("#warmup-summary", Static).update(self._warmup_summary(inbox, stats))
        days = list(stats.daily_stats) if stats else []
        labels = [d.date for d in days]
        self.query_one("#warmup-chart", BarChart).set_data([d.total_sent for d in days], labels)
        self.query_one("#spam-chart", BarChart).set_data([d.spam_count for d in days], labels)

    def _summary(self, inbox: Inbox) -> Content:
        email = clean_line(inbox.email, max_chars=254) or "(no address)"
        name = clean_line(inbox.display_name, max_chars=80)
        head: list[str | tuple[str, str]] = [(email, "bold")]
        if name:
            head.append(("  " + name, "$text-muted"))
        lines = [Content.assemble(*head)]
        if inbox.disconnected:
            lines.append(Content.styled(
                f"⚠ {humanise(inbox.connection_status, max_chars=30)}: nothing is sent from this inbox and its "
                "replies stop arriving until it is reconnected in Reachkit's web app.",
                "bold $text-error",
            ))
        facts = [
            ("Provider ", humanise(inbox.provider_type, max_chars=20) or "?"),
            ("  Connection ", humanise(inbox.connection_type, max_chars=20) or "?"),
            ("  Active ", "yes" if inbox.is_active else "no"),
        ]
        lines.append(Content.assemble(*[part for label, value in facts for part in ((label, "$text-muted"), value)]))
        limits = [
            ("Daily limit: campaigns ", _limit(inbox.daily_campaign_limit)),
            ("  warmup ", _limit(inbox.daily_warmup_limit) if inbox.is_warming else "off"),
        ]
        lines.append(Content.assemble(*[part for label, value in limits for part in ((label, "$text-muted"), value)]))
        records = inbox.domain_records_status
        lines.append(Content.assemble(
            ("DNS records ", "$text-muted"),
            (humanise(records, max_chars=30) or "unknown", "$text-success" if records_ok(records) else "bold $text-warning"),
            ("" if records_ok(records) or not records else "  (fix it at the domain's DNS host: mail may land in spam)",
             "$text-muted"),
        ))
        if inbox.reply_to:
            lines.append(Content.assemble(("Reply-to ", "$text-muted"), clean_line(inbox.reply_to, max_chars=254)))
        if inbox.campaigns:
            parts: list[str | tuple[str, str]] = [("Campaigns ", "$text-muted")]
            for index, campaign in enumerate(inbox.campaigns[:8]):
                if index:
                    parts.append(", ")
                parts.append(clean_line(campaign.name, max_chars=60) or "(unnamed)")
                tone = status_tone(campaign.status)
                parts.append((f" ({humanise(campaign.status, max_chars=12) or '?'})",
                              {"good": "$text-success", "warn": "$text-warning"}.get(tone, "$text-muted")))
            if len(inbox.campaigns) > 8:
                parts.append(f" +{len(inbox.campaigns) - 8} more")
            lines.append(Content.assemble(*parts))
        else:
            lines.append(Content.styled("Not sending for any campaign.", "$text-muted"))
        return Content("\n").join(lines)

    def _warmup_summary(self, inbox: Inbox, stats: WarmupStats | None) -> Content:
        title = Content.styled("Warmup, last 7 days", "bold")
        if stats is None:
            error = self.warmup_error.get(inbox.id)
            if error:
                note = Content.styled(f"Could not load warmup stats: {clean_line(error, max_chars=200)} ctrl+r tries again.",
                                      "$text-error")
            else:
                note = Content.styled("Loading…", "$text-muted")
            return Content("\n").join([title, note])
        health = stats.health_score
        if health is None:
            health_part: tuple[str, str] = ("unknown", "$text-muted")
        else:
            health_part = (f"{health}/100", "bold $text-success" if health >= 80 else
                           "bold $text-warning" if health >= 50 else "bold $text-error")
        ramp = stats.ramp_up_progress
        quiet_week = ("  (nothing sent this week)", "$text-muted") if stats.total_sent == 0 else ""
        line = Content.assemble(
            ("Health ", "$text-muted"), health_part, quiet_week,
            ("  Ramp-up ", "$text-muted"),
            f"{progress_bar(ramp, 10)} {ramp}%" if ramp is not None else "unknown",
        )
        counts = Content.assemble(
            ("Sent ", "$text-muted"), human_count(stats.total_sent),
            ("  Received ", "$text-muted"), human_count(stats.total_received),
            ("  Saved from spam ", "$text-muted"), human_count(stats.saved_from_spam),
        )
        lines = [title, line, counts]
        if not inbox.is_warming:
            lines.append(Content.styled("Warmup is off for this inbox.", "$text-muted"))
        return Content("\n").join(lines)


def _limit(value: int | None) -> str:
    return "?" if value is None else human_count(value)
