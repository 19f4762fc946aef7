"""The day summary: today's and this week's triage, from the local journal and the conversations.

What it counts (all in the viewer's time zone, the week starting Monday 00:00):

- **labelled**: conversations by the label the SDR last gave them in the period (a label undone
  with ``u`` does not count; a conversation labelled twice counts once, under its last label;
  clearing back to the AI's label counts as no label);
- **replies sent**: replies the server confirmed in the period;
- **time to answer a hot reply**: for replies that answered an incoming message labelled
  interested, meeting requested or question, from that message's arrival to our reply: the
  median and the worst;
- **still waiting** (now): conversations whose newest message is incoming and needs an answer (the
  waiting queue's rule: unsubscribes, "not interested", auto-replies, bounces and closed
  conversations do not wait), how many of them hot,
  and how long the longest hot one has waited; **snoozed** (now) comes from the follow-ups store.

Pure: the clock's ``now`` and the zone are passed in, the journal is read by ``store/journal.py``
and the file written by ``store/exports.py``. Exports are CSV (one row per figure, a column per
period, numbers and our own words only, so nothing a spreadsheet would run) and Markdown.
"""

from __future__ import annotations

import csv
import io
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Final

from ..api.models import LABELS, Conversation
from ..render.filenames import safe_filename
from .waiting import first_unanswered, no_answer_reason
from ..render.formatting import label_name
from ..store.journal import Entry, Labelled, Replied, Unlabelled

__all__ = [
    "HOT_LABELS",
    "DaySummary",
    "Numbers",
    "Period",
    "duration_text",
    "export_name",
    "figure_rows",
    "now_rows",
    "periods",
    "reply_entry",
    "summarize",
    "to_csv",
    "to_markdown",
    "week_days",
]

HOT_LABELS: Final = ("interested", "meeting_requested", "question")


@dataclass(frozen=True, slots=True)
class Period:
    name: str
    start: datetime
    end: datetime

    def holds(self, moment: float) -> bool:
        return self.start.timestamp() <= moment < self.end.timestamp()


@dataclass(frozen=True, slots=True)
class Numbers:
    """One period's figures; times in seconds (``None``: no hot reply answered)."""

    period: Period
    labelled: tuple[tuple[str, int], ...]  # (label, conversations), most first
    replies_sent: int
    hot_answered: int
    median_answer: float | None
    worst_answer: float | None

    @property
    def labelled_total(self) -> int:
        return sum(count for _, count in self.labelled)


@dataclass(frozen=True, slots=True)
class DaySummary:
    now: datetime  # in the viewer's zone
    today: Numbers
    week: Numbers
    waiting: int
    hot_waiting: int
    longest_hot_wait: float | None
    snoozed: int
    #: The journal's damaged lines, in words ("" when none).
    problem: str = ""


def periods(now: datetime, zone: tzinfo) -> tuple[Period, Period]:
    """Today and this week (from Monday) around ``now``, as local midnights in ``zone``."""
    day = now.astimezone(zone).date()
    monday = day - timedelta(days=day.weekday())
    return (
        Period("Today", _midnight(day, zone), _midnight(day + timedelta(days=1), zone)),
        Period("This week", _midnight(monday, zone), _midnight(monday + timedelta(days=7), zone)),
    )


def _midnight(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)


def summarize(
    entries: Iterable[Entry],
    conversations: Iterable[Conversation],
    *,
    now: datetime,
    zone: tzinfo,
    snoozed: int = 0,
    problem: str = "",
) -> DaySummary:
    """The summary at ``now`` (the app's clock) for a viewer in ``zone``."""
    ordered = sorted(entries, key=lambda entry: getattr(entry, "at", 0.0))
    today, week = periods(now, zone)
    waiting, hot_waiting, longest = _waiting(conversations, now)
    return DaySummary(
        now=now.astimezone(zone),
        today=_numbers(today, ordered),
        week=_numbers(week, ordered),
        waiting=waiting,
        hot_waiting=hot_waiting,
        longest_hot_wait=longest,
        snoozed=snoozed,
        problem=problem,
    )


def week_days(entries: Iterable[Entry], *, now: datetime, zone: tzinfo) -> list[Numbers]:
    """This week's days from Monday to today, each with its own numbers (the summary's bars)."""
    ordered = sorted(entries, key=lambda entry: getattr(entry, "at", 0.0))
    _, week = periods(now, zone)
    today = now.astimezone(zone).date()
    days = []
    day = week.start.date()
    while day <= today:
        period = Period(f"{day:%a}", _midnight(day, zone), _midnight(day + timedelta(days=1), zone))
        days.append(_numbers(period, ordered))
        day += timedelta(days=1)
    return days


def _numbers(period: Period, entries: Sequence[Entry]) -> Numbers:
    answers = [
        entry.at - entry.answered_at
        for entry in entries
        if isinstance(entry, Replied) and period.holds(entry.at)
        and entry.answered_label in HOT_LABELS and entry.answered_at is not None and entry.answered_at <= entry.at
    ]
    return Numbers(
        period=period,
        labelled=_labelled(period, entries),
        replies_sent=sum(1 for entry in entries if isinstance(entry, Replied) and period.holds(entry.at)),
        hot_answered=len(answers),
        median_answer=statistics.median(answers) if answers else None,
        worst_answer=max(answers) if answers else None,
    )


def _labelled(period: Period, entries: Sequence[Entry]) -> tuple[tuple[str, int], ...]:
    """Conversations by their last label in the period, undos taken back."""
    stacks: dict[str, list[str | None]] = {}
    for entry in entries:
        if isinstance(entry, Labelled) and period.holds(entry.at):
            stacks.setdefault(entry.conversation_id, []).append(entry.label)
        elif isinstance(entry, Unlabelled) and period.holds(entry.at) and stacks.get(entry.conversation_id):
            stacks[entry.conversation_id].pop()
    counts: dict[str, int] = {}
    for stack in stacks.values():
        if stack and stack[-1] is not None:
            counts[stack[-1]] = counts.get(stack[-1], 0) + 1
    order = {label: index for index, label in enumerate(LABELS)}
    return tuple(sorted(counts.items(), key=lambda item: (-item[1], order.get(item[0], len(order)), item[0])))


def _waiting(conversations: Iterable[Conversation], now: datetime) -> tuple[int, int, float | None]:
    waiting = hot = 0
    longest: float | None = None
    for conversation in conversations:
        latest = conversation.latest
        if latest is None or not latest.incoming:
            continue
        if no_answer_reason(conversation, conversation.effective_label):
            continue  # an unsubscribe, an auto-reply, a bounce: not waiting, as in the waiting queue
        waiting += 1
        if conversation.effective_label in HOT_LABELS:
            hot += 1
            since = first_unanswered(conversation)  # the waiting queue's measure
            if since is not None:
                waited = max(0.0, (now - since).total_seconds())
                longest = waited if longest is None else max(longest, waited)
    return waiting, hot, longest


def reply_entry(conversation: Conversation, at: float) -> Replied:
    """What the send path journals once the server confirms a reply in ``conversation``.

    ``conversation`` as it was before the reply: its newest incoming message is what was answered,
    with the conversation's label as the SDR saw it.
    """
    incoming = conversation.latest_incoming
    arrived = incoming.email_date.timestamp() if incoming is not None and incoming.email_date else None
    label = conversation.effective_label
    return Replied(conversation.id, at, arrived, label if label in LABELS else None)


# --- words and exports ----------------------------------------------------------------------------------


def duration_text(seconds: float | None) -> str:
    """``"3h 12m"``, ``"2d 4h"``, ``"45s"``; ``"–"`` for none."""
    if seconds is None:
        return "–"
    seconds = int(round(seconds))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes}m"
    if minutes:
        return f"{minutes}m"
    return f"{secs}s"


def figure_rows(summary: DaySummary) -> list[tuple[str, str, str]]:
    """(figure, today, this week) in the order the exports and the screen show them."""
    return _rows(summary)


def now_rows(summary: DaySummary) -> list[tuple[str, str]]:
    """(figure, value) of the "right now" figures: waiting, hot waiting, longest, snoozed."""
    return _now_rows(summary)


def _rows(summary: DaySummary) -> list[tuple[str, str, str]]:
    """(figure, today, this week) in the order both exports show them."""
    today, week = summary.today, summary.week
    labels = [label for label, _ in week.labelled]  # every label of today is in the week too
    by_label = [dict(today.labelled), dict(week.labelled)]
    rows = [(f"Labelled {label_name(label)}", str(by_label[0].get(label, 0)), str(by_label[1].get(label, 0))) for label in labels]
    rows += [
        ("Labelled (all)", str(today.labelled_total), str(week.labelled_total)),
        ("Replies sent", str(today.replies_sent), str(week.replies_sent)),
        ("Hot replies answered", str(today.hot_answered), str(week.hot_answered)),
        ("Median time to answer a hot reply", duration_text(today.median_answer), duration_text(week.median_answer)),
        ("Worst time to answer a hot reply", duration_text(today.worst_answer), duration_text(week.worst_answer)),
    ]
    return rows


def _now_rows(summary: DaySummary) -> list[tuple[str, str]]:
    return [
        ("Still waiting for an answer", str(summary.waiting)),
        ("Hot replies waiting", str(summary.hot_waiting)),
        ("Longest hot reply waiting", duration_text(summary.longest_hot_wait)),
        ("Snoozed", str(summary.snoozed)),
    ]


def to_csv(summary: DaySummary) -> str:
    """One row per figure: ``figure,today,this week``; the "now" figures fill the today column."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["figure", f"today ({summary.today.period.start:%Y-%m-%d})", f"week from {summary.week.period.start:%Y-%m-%d}"])
    writer.writerows(_rows(summary))
    writer.writerows((name, value, "") for name, value in _now_rows(summary))
    return out.getvalue()


def to_markdown(summary: DaySummary) -> str:
    """A small report: the period table, then the "right now" figures."""
    now = summary.now
    lines = [
        f"# Day summary, {now:%A} {now.day} {now:%B %Y}",
        "",
        f"At {now:%H:%M} ({now:%Z}); the week started on Monday {summary.week.period.start:%Y-%m-%d}.",
        "",
        "| | today | this week |",
        "|---|---:|---:|",
        *(f"| {name} | {today} | {week} |" for name, today, week in _rows(summary)),
        "",
        "| right now | |",
        "|---|---:|",
        *(f"| {name} | {value} |" for name, value in _now_rows(summary)),
    ]
    if summary.problem:
        lines += ["", f"_{summary.problem}_"]
    return "\n".join(lines) + "\n"


def export_name(summary: DaySummary, extension: str) -> str:
    """``unibox-summary-2026-05-28.csv``: made safe like any file name (``render/filenames.py``)."""
    return safe_filename(f"unibox-summary-{summary.now:%Y-%m-%d}.{extension}", attachment_id="summary")
