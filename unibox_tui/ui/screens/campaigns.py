"""Campaigns: status and numbers for each, one campaign's days and sequence, pause and resume.

Every change to Reachkit (pause/resume, a variant on/off) is asked first in a modal that says
exactly what will change; the request leaves only after "yes". Loads run in exclusive workers
and results for a campaign the user has moved away from are dropped.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.timer import Timer
from textual.widgets import Static

from ...api import Campaign, CampaignAnalytics, ReachkitError, SequenceStep
from ...render.formatting import compact_date, human_count
from ...render.rooms import humanise, percent, progress_bar
from ...render.sanitize import clean_line
from ..widgets.bar_chart import BarChart
from ..widgets.record_table import Cell, RecordTable, Row
from .campaign_changes import pause_question, variant_question
from .campaign_rows import CAMPAIGN_COLUMNS, VARIANT_COLUMNS, status_mark, status_tone, tone_style, variant_row
from .confirm import ConfirmScreen
from .room import RoomScreen

__all__ = ["CampaignsScreen", "status_tone"]

log = logging.getLogger(__name__)

#: Campaigns whose analytics are fetched at once while the list fills in.
ANALYTICS_CONCURRENCY = 4
FOLLOW_DELAY = 0.15
_STATUS_ORDER = {"active": 0, "paused": 1, "draft": 2, "completed": 3}


class CampaignsScreen(RoomScreen):
    """The campaign list above, the highlighted campaign's detail below."""

    ROOM = "campaigns"
    ROOM_TITLE = "Campaigns"

    BINDINGS = [
        Binding("P", "pause_resume", "Pause/resume", id="campaigns.pause_resume",
                tooltip="The highlighted campaign, after a confirmation"),
        Binding("t", "toggle_variant", "Variant on/off", id="campaigns.toggle_variant",
                tooltip="The highlighted sequence variant, after a confirmation"),
    ]
    PALETTE_NAMES = {"campaigns.pause_resume": "Pause or resume campaign"}

    def __init__(self) -> None:
        super().__init__()
        self.campaigns: dict[str, Campaign] = {}
        self.analytics: dict[str, CampaignAnalytics] = {}
        self.sequences: dict[str, list[SequenceStep]] = {}
        self.analytics_failed: set[str] = set()
        self.shown_id: str | None = None
        self.detail_error = ""
        self._follow: Timer | None = None

    def compose_room(self) -> ComposeResult:
        with Vertical(id="room-body"):
            yield RecordTable(CAMPAIGN_COLUMNS, id="campaign-table", classes="room-table")
            yield Static(id="campaign-status", classes="room-status")
            with VerticalScroll(id="campaign-detail", classes="room-detail"):
                yield Static(id="campaign-summary", classes="room-summary")
                yield BarChart("Sent per day", rows=3, id="sent-chart")
                yield BarChart("Replies per day", rows=2, id="replies-chart", classes="-secondary")
                yield Static(Content.styled("Sequence", "bold"), classes="room-section")
                yield RecordTable(VARIANT_COLUMNS, id="variant-table", classes="room-subtable")

    @property
    def table(self) -> RecordTable:
        return self.query_one("#campaign-table", RecordTable)

    @property
    def variant_table(self) -> RecordTable:
        return self.query_one("#variant-table", RecordTable)

    def show_no_client(self) -> None:
        self.table.show_message("No API key: log in first (unibox-tui login), or try unibox-tui --demo.")

    # -- loading --------------------------------------------------------------------------------------

    def action_reload(self) -> None:
        if self.client is None:
            return
        self.analytics.clear()
        self.sequences.clear()
        self.analytics_failed.clear()
        if not self.campaigns:
            self.table.show_message("Loading campaigns…")
            self._clear_detail()
        self.query_one("#campaign-status", Static).update(Content.styled("loading…", "$text-muted"))
        self._load_campaigns()

    @work(exclusive=True, group="campaigns", exit_on_error=False, description="Loading campaigns")
    async def _load_campaigns(self) -> None:
        client = self.client
        if client is None:
            return
        try:
            campaigns = await client.list_campaigns()
        except asyncio.CancelledError:
            raise
        except ReachkitError as error:
            self.campaigns = {}
            self.table.show_message(f"Could not load campaigns: {error}\nctrl+r tries again.", error=True)
            self.query_one("#campaign-status", Static).update(Content.styled("could not load", "$text-error"))
            self._clear_detail()
            return
        campaigns.sort(key=lambda c: _STATUS_ORDER.get(c.status.lower(), 9))
        self.campaigns = {c.id: c for c in campaigns}
        if not campaigns:
            self.table.show_message("No campaigns in this workspace yet.")
            self._clear_detail()
            self._update_status()
            return
        self.table.styles.height = len(campaigns) + 1
        self.table.set_rows([self._row(c) for c in campaigns])
        self._update_status()
        self._show_detail(self.table.current_row.key if self.table.current_row else campaigns[0].id)
        self._load_analytics([c.id for c in campaigns])

    @work(exclusive=True, group="analytics", exit_on_error=False, description="Loading campaign analytics")
    async def _load_analytics(self, campaign_ids: list[str]) -> None:
        client = self.client
        if client is None:
            return
        gate = asyncio.Semaphore(ANALYTICS_CONCURRENCY)

        async def one(campaign_id: str) -> None:
            async with gate:
                try:
                    analytics = await client.campaign_analytics(campaign_id)
                except ReachkitError as error:
                    log.info("analytics for %s failed: %s", campaign_id, error)
                    self.analytics_failed.add(campaign_id)
                    analytics = None
            if analytics is not None:
                self.analytics[campaign_id] = analytics
                self.analytics_failed.discard(campaign_id)
            campaign = self.campaigns.get(campaign_id)
            if campaign is not None:
                self.table.update_row(self._row(campaign))
            if campaign_id == self.shown_id:
                self._paint_detail()

        await asyncio.gather(*(one(cid) for cid in campaign_ids))
        self._update_status()

    def _row(self, campaign: Campaign) -> Row:
        status = campaign.status.lower()
        tone = status_tone(status)
        analytics = self.analytics.get(campaign.id)
        if analytics is not None:
            summary = analytics.summary
            numbers: list[Cell | str] = [
                human_count(summary.total_sent),
                human_count(summary.total_replies),
                percent(summary.reply_rate),
                f"{progress_bar(summary.progress, 9)} {summary.progress:>3}%",
            ]
        else:
            mark = "?" if campaign.id in self.analytics_failed else "…"
            numbers = [Cell(mark, "muted")] * 4
        return Row(
            campaign.id,
            (
                Cell(status_mark(status), tone),
                clean_line(campaign.name, max_chars=200) or "(unnamed)",
                Cell(humanise(campaign.status, max_chars=12) or "?", tone),
                *numbers,
            ),
            dim=status == "completed",
        )

    def _update_status(self) -> None:
        campaigns = list(self.campaigns.values())
        counts: dict[str, int] = {}
        for campaign in campaigns:
            counts[campaign.status.lower()] = counts.get(campaign.status.lower(), 0) + 1
        parts: list[str | tuple[str, str]] = [f"{len(campaigns)} campaign{'s' if len(campaigns) != 1 else ''}"]
        for status in ("active", "paused", "completed"):
            if counts.get(status):
                parts.append(f" · {counts[status]} {status}")
        if self.analytics_failed:
            parts.append((f"  · numbers missing for {len(self.analytics_failed)} (ctrl+r retries)", "$text-warning"))
        parts.append(("   enter: its sequence", "$text-muted"))
        self.query_one("#campaign-status", Static).update(Content.assemble(*parts))

    # -- the detail ----------------------------------------------------------------------------------

    @on(RecordTable.Highlighted, "#campaign-table")
    def _campaign_highlighted(self, event: RecordTable.Highlighted) -> None:
        if self._follow is not None:
            self._follow.stop()
        if event.row is None or event.row.key == self.shown_id:
            return
        key = event.row.key
        self._follow = self.set_timer(FOLLOW_DELAY, lambda: self._show_detail(key))

    @on(RecordTable.Selected, "#campaign-table")
    def _campaign_selected(self, event: RecordTable.Selected) -> None:
        if event.row.key != self.shown_id:
            self._show_detail(event.row.key)
        self.variant_table.focus()

    def _show_detail(self, campaign_id: str) -> None:
        self.shown_id = campaign_id
        self.detail_error = ""
        self._paint_detail()
        self._load_detail(campaign_id)

    @work(exclusive=True, group="detail", exit_on_error=False, description="Loading the campaign")
    async def _load_detail(self, campaign_id: str) -> None:
        client = self.client
        if client is None:
            return
        try:
            campaign, sequences = await asyncio.gather(
                client.get_campaign(campaign_id), client.list_sequences(campaign_id)
            )
            analytics = self.analytics.get(campaign_id) or await client.campaign_analytics(campaign_id)
        except asyncio.CancelledError:
            raise
        except ReachkitError as error:
            if campaign_id == self.shown_id:
                self.detail_error = f"Could not load this campaign's details: {error} ctrl+r tries again."
                self._paint_detail()
            return
        if campaign.id and campaign.id in self.campaigns:
            self.campaigns[campaign.id] = campaign
            self.table.update_row(self._row(campaign))
        self.sequences[campaign_id] = sequences
        self.analytics[campaign_id] = analytics
        self.analytics_failed.discard(campaign_id)
        if campaign_id == self.shown_id:
            self._paint_detail()

    def _clear_detail(self) -> None:
        self.shown_id = None
        self.query_one("#campaign-summary", Static).update("")
        self.query_one("#sent-chart", BarChart).set_data([], [])
        self.query_one("#replies-chart", BarChart).set_data([], [])
        self.variant_table.show_message("")

    def _paint_detail(self) -> None:
        campaign = self.campaigns.get(self.shown_id or "")
        if campaign is None:
            self._clear_detail()
            return
        analytics = self.analytics.get(campaign.id)
        self.query_one("#campaign-summary", Static).update(self._summary(campaign, analytics))
        days = sorted(analytics.daily_stats, key=lambda d: d.date) if analytics else []
        labels = [d.date for d in days]
        self.query_one("#sent-chart", BarChart).set_data([d.sent for d in days], labels)
        self.query_one("#replies-chart", BarChart).set_data([d.replies for d in days], labels)
        steps = self.sequences.get(campaign.id)
        if steps is None:
            self.variant_table.styles.height = 3
            self.variant_table.show_message("Loading the sequence…" if not self.detail_error else "")
            return
        rows = [variant_row(step, variant) for step in steps for variant in step.variants]
        if not rows:
            self.variant_table.styles.height = 3
            self.variant_table.show_message("This campaign has no sequence steps.")
            return
        self.variant_table.styles.height = len(rows) + 1
        self.variant_table.set_rows(rows)

    def _summary(self, campaign: Campaign, analytics: CampaignAnalytics | None) -> Content:
        status = campaign.status.lower()
        name = clean_line(campaign.name, max_chars=200) or "(unnamed)"
        lines = [
            Content.assemble(
                (name, "bold"),
                "  ",
                (humanise(campaign.status, max_chars=20) or "status unknown", tone_style(status_tone(status))),
            )
        ]
        if analytics is not None:
            s = analytics.summary
            lines.append(
                Content.assemble(
                    ("Sent ", "$text-muted"), human_count(s.total_sent),
                    ("  Replies ", "$text-muted"), human_count(s.total_replies),
                    ("  Reply rate ", "$text-muted"), percent(s.reply_rate),
                    ("  Progress ", "$text-muted"), f"{progress_bar(s.progress, 10)} {s.progress}%",
                    ("  Steps ", "$text-muted"), str(s.sequence_steps),
                )
            )
        elif campaign.id in self.analytics_failed:
            lines.append(Content.styled("Numbers could not be loaded (ctrl+r tries again).", "$text-warning"))
        else:
            lines.append(Content.styled("Loading numbers…", "$text-muted"))
        if campaign.inboxes:
            emails = ", ".join(clean_line(i.email, max_chars=80) for i in campaign.inboxes[:6])
            more = f" +{len(campaign.inboxes) - 6}" if len(campaign.inboxes) > 6 else ""
            lines.append(Content.assemble(("Sends from ", "$text-muted"), emails + more))
        now = self.app.clock.now()
        dates = []
        if campaign.created_at:
            dates.append(f"created {compact_date(campaign.created_at, now)}")
        if campaign.updated_at:
            dates.append(f"updated {compact_date(campaign.updated_at, now)}")
        if dates:
            lines.append(Content.styled(" · ".join(dates), "$text-muted"))
        if self.detail_error:
            lines.append(Content.styled(clean_line(self.detail_error, max_chars=300), "$text-error"))
        return Content("\n").join(lines)

    # -- changes (each confirmed first) -----------------------------------------------------------

    def action_pause_resume(self) -> None:
        row = self.table.current_row
        campaign = self.campaigns.get(row.key) if row else None
        if campaign is None:
            self.unibox.say("No campaign selected.")
            return
        status = campaign.status.lower()
        if status not in ("active", "paused"):
            shown = humanise(campaign.status, max_chars=20) or "unknown"
            self.unibox.say(f"Only an active or paused campaign can be paused or resumed; this one is {shown}.")
            return
        new_status = "paused" if status == "active" else "active"
        title, body, label = pause_question(campaign, new_status)

        def decided(confirmed: bool | None) -> None:
            if confirmed:
                self._set_status(campaign.id, new_status)

        self.app.push_screen(ConfirmScreen(title, body, label), decided)

    @work(group="change", exit_on_error=False, description="Changing the campaign status")
    async def _set_status(self, campaign_id: str, status: str) -> None:
        client = self.client
        if client is None:
            return
        try:
            new_status = await client.set_campaign_status(campaign_id, status)
        except asyncio.CancelledError:
            raise
        except ReachkitError as error:
            self.unibox.show_error(error, "Campaign not changed")
            return
        campaign = self.campaigns.get(campaign_id)
        if campaign is None:
            return
        campaign = replace(campaign, status=new_status)
        self.campaigns[campaign_id] = campaign
        self.table.update_row(self._row(campaign))
        finder = self.unibox.lead_finder
        if finder is not None:
            finder.note_campaign(campaign_id, status=new_status)
        if campaign_id == self.shown_id:
            self._paint_detail()
        self._update_status()
        verb = "Paused" if new_status == "paused" else "Resumed" if new_status == "active" else "Updated"
        self.unibox.say(f"{verb} “{clean_line(campaign.name, max_chars=80)}”.", title="Campaign")

    def action_toggle_variant(self) -> None:
        table = self.variant_table
        if not table.has_focus:
            if table.rows:
                table.focus()
                self.unibox.say("Choose a variant with ↑/↓, then press t again.")
            else:
                self.unibox.say("This campaign has no sequence variants to turn on or off.")
            return
        row = table.current_row
        campaign = self.campaigns.get(self.shown_id or "")
        if row is None or campaign is None or not isinstance(row.data, tuple):
            return
        step, variant = row.data
        enable = not variant.enabled
        title, body, label, danger = variant_question(campaign, step, variant)

        def decided(confirmed: bool | None) -> None:
            if confirmed:
                self._set_variant(campaign.id, variant.id, enable)

        self.app.push_screen(ConfirmScreen(title, body, label, danger=danger), decided)

    @work(group="change", exit_on_error=False, description="Changing the variant")
    async def _set_variant(self, campaign_id: str, variant_id: str, enabled: bool) -> None:
        client = self.client
        if client is None:
            return
        try:
            now_enabled = await client.set_variant_enabled(campaign_id, variant_id, enabled)
        except asyncio.CancelledError:
            raise
        except ReachkitError as error:
            self.unibox.show_error(error, "Variant not changed")
            return
        steps = self.sequences.get(campaign_id, [])
        self.sequences[campaign_id] = [
            replace(step, variants=tuple(
                replace(v, enabled=now_enabled) if v.id == variant_id else v for v in step.variants
            ))
            for step in steps
        ]
        if campaign_id == self.shown_id:
            self._paint_detail()
        self.unibox.say(f"Variant {'enabled' if now_enabled else 'disabled'}.", title="Sequence")
