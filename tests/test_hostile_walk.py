"""Walk every conversation of the hostile dataset through the UI, as an SDR would, with keys.

After each step the whole screen is scanned: the app must still run, and no control character,
bidi override or lone surrogate may reach any rendered strip. What the conversation itself shows
(its list row, the thread header and the thread) must hold the literal text the stranger wrote
where a case says so (markup stays text, brackets and all), and never what a case says must stay
hidden (escape-sequence payloads, hidden HTML).
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from helpers import make_app
from textual import events
from textual.widget import Widget

from unibox_tui.demo import hostile
from unibox_tui.ui.screens.inbox import InboxScreen
from unibox_tui.ui.widgets.conversation_list import ConversationList
from unibox_tui.ui.widgets.list_status import ListStatus
from unibox_tui.ui.widgets.thread_header import ThreadHeader
from unibox_tui.ui.widgets.thread_view import ThreadView

PAGE_SIZE = 50  # the hostile Primary folder spans two pages: the walk crosses a page boundary
SIZE = (200, 50)
#: C0 controls (TAB and LF too: a strip is one line, already laid out), DEL, C1, bidi embeddings,
#: overrides and isolates, and lone surrogates: none may reach a widget's rendered text.
BANNED = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
#: Page downs per conversation: enough to read the open messages, bounded for 2,000 of them.
MAX_PAGE_DOWNS = 8
_CHARACTERS = {"enter": "\r", "escape": "\x1b"}


@pytest.fixture(autouse=True)
def far_east_time_zone(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """UTC+14, where year 9999 has no local time: an honest date must not take a page down."""
    monkeypatch.setenv("TZ", "Pacific/Kiritimati")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@dataclass
class CaseReport:
    id: str
    own: list[str] = field(default_factory=list)  # the conversation's own text, step by step
    problems: list[str] = field(default_factory=list)


def _busy(app: Any) -> bool:
    if any(not worker.is_finished for worker in app.workers):
        return True
    nodes = [app, *app.screen.walk_children(with_self=True)]
    return any(not node._message_queue.empty() for node in nodes)


async def idle(pilot: Any, timeout: float = 30.0) -> None:
    """Wait until no worker is pending or running and every message queue is empty, then draw.

    ``pilot.press``/``pilot.pause()`` wait for the whole *process* to idle, which the demo
    server (a thread of this process) keeps busy: ~0.35 s a key, far too slow for this walk.
    """
    app = pilot.app
    deadline = time.monotonic() + timeout
    quiet = 0
    while quiet < 3:  # a key hops app -> screen -> widget -> screen: look a few times
        if time.monotonic() > deadline:
            raise AssertionError("the app did not go idle")
        if _busy(app):
            quiet = 0
            # A sleep, not pause(0): that keeps the event loop busy and starves thread workers.
            await asyncio.sleep(0.01)
        else:
            quiet += 1
            await asyncio.sleep(0)
    await pilot.pause(0)  # lets the screen repaint what changed


async def press(pilot: Any, *keys: str) -> None:
    """Real key events, sent through the driver as ``pilot.press`` does, each followed by ``idle``."""
    for key in keys:
        event = events.Key(key, key if len(key) == 1 else _CHARACTERS.get(key))
        event.set_sender(pilot.app)
        pilot.app._driver.send_message(event)
        await idle(pilot)


def banned_in(text: str) -> list[str]:
    return sorted({f"U+{ord(c):04X}" for c in BANNED.findall(text)})


def _region_text(strips: list[Any], widget: Widget, rows: range | None = None) -> str:
    region = widget.content_region
    lines = []
    for y in rows if rows is not None else range(region.y, region.bottom):
        if 0 <= y < len(strips):
            lines.append(strips[y].crop(region.x, region.right).text.rstrip())
    return "\n".join(lines)


def scan(app: Any, report: CaseReport, step: str) -> None:
    """Everything on the terminal now (every layer, toasts included), checked strip by strip."""
    assert app.is_running, f"{report.id}: the app stopped at {step}"
    strips = app.screen._compositor.render_strips()
    for strip in strips:
        if bad := banned_in(strip.text):
            report.problems.append(f"{step}: {bad} on screen in {strip.text.strip()[:80]!r}")
    screen = app.screen
    if not isinstance(screen, InboxScreen):  # a picker or dialog over the inbox: all of it
        report.own.append("\n".join(strip.text for strip in strips))
        return
    listing = screen.query_one(ConversationList)
    top = listing.content_region.y + listing.cursor * listing.row_height - int(listing.scroll_offset.y)
    report.own.append("\n".join((
        _region_text(strips, listing, range(top, top + listing.row_height)),
        _region_text(strips, screen.query_one(ThreadHeader)),
        _region_text(strips, screen.query_one(ThreadView)),
    )))


def scan_models(screen: InboxScreen, report: CaseReport) -> None:
    """Off-screen text too: every list row's fields and every laid-out line of the thread."""
    for row in screen.query_one(ConversationList).rows:
        for name in ("lead", "lead_email", "subject", "snippet", "date", "label"):
            if bad := banned_in(getattr(row, name)):
                report.problems.append(f"list row {row.id!r} {name}: {bad}")
    for row in screen.query_one(ThreadView)._rows:
        if bad := banned_in(row.text):
            report.problems.append(f"thread line {row.text[:60]!r}: {bad}")


async def wait_for_row(pilot: Any, page: int, cursor: int) -> None:
    screen = pilot.app.screen
    listing = screen.query_one(ConversationList)
    deadline = time.monotonic() + 30
    while not (screen.page_number == page and listing.cursor == cursor and listing.rows
               and not screen.query_one(ListStatus).loading):
        if time.monotonic() > deadline:
            raise AssertionError(f"the list did not reach page {page} row {cursor}")
        await idle(pilot)


async def open_row(pilot: Any, page: int, cursor: int) -> None:
    """Put the list cursor on a row and open it, as ``enter`` in the list does (its action).

    The thread keeps the focus all along: every focus change makes Textual's footer rebuild its
    keys (~0.25 s each on a busy machine), which would make this walk last minutes.
    """
    screen = pilot.app.screen
    listing = screen.query_one(ConversationList)
    if screen.page_number != page:
        screen.load_page(page, cursor=cursor)
    else:
        listing.cursor = cursor
    await wait_for_row(pilot, page, cursor)
    listing.action_select()
    await idle(pilot)


async def read_conversation(pilot: Any, report: CaseReport) -> None:
    """Read the open conversation with keys: every message open (X), quotes unfolded (z),
    paged to the end, the attachments picker if there is one, messages closed again (X)."""
    app = pilot.app
    screen = app.screen
    thread = screen.query_one(ThreadView)
    if app.focused is not thread:
        report.problems.append("the thread does not have the focus")
    # Toasts of earlier cases ("no attachments") stack over the thread pane until they time out
    # (5 s of wall clock): how many are up would depend on the machine's speed. Every toast has
    # been scanned already; this case is read on a clear screen.
    app.clear_notifications()
    await idle(pilot)
    scan(app, report, "opened")
    await press(pilot, "X", "z")
    scan(app, report, "all messages open, quotes unfolded")
    document = thread.document
    if document is not None and document.expanded == set(range(len(document.messages))):
        expected = sum(len(m.attachments) for m in document.messages)
        listed = sum(1 for line in document.lines() if line.kind == "attachment")
        if listed != expected:
            report.problems.append(f"{listed} attachment lines for {expected} attachments")
    for _ in range(MAX_PAGE_DOWNS):
        before = thread.scroll_offset.y
        await press(pilot, "pagedown")
        if thread.scroll_offset.y == before:
            break
        scan(app, report, "paged down")
    await press(pilot, "end")
    scan(app, report, "at the end")
    scan_models(screen, report)
    if "s" in screen.active_bindings:  # the attachments picker, once it exists
        await press(pilot, "s")
        scan(app, report, "attachments picker")
        await press(pilot, "escape")
        app.clear_notifications()
        await idle(pilot)
    await press(pilot, "X")
    scan(app, report, "messages closed")


def judge(case: hostile.HostileCase, report: CaseReport) -> None:
    own = "\n".join(report.own)
    flat = " ".join(line.strip() for line in own.split("\n"))  # text wrapped over two lines
    for text in case.visible:
        if text not in own and text not in flat:
            report.problems.append(f"never visible: {text!r}")
    for text in case.hidden:
        if text in own:
            line = next((line for line in own.split("\n") if text in line), "")
            report.problems.append(f"shown although it must not be: {text!r} in {line.strip()[:100]!r}")


async def goto_folder(pilot, folder: str) -> None:
    """`c` cycles Primary/Others (digits are label keys)."""
    if pilot.app.screen.model.folder != folder:
        await press(pilot, "c")
    assert pilot.app.screen.model.folder == folder


def by_folder(manifest: list[hostile.HostileCase]) -> list[tuple[str, list[hostile.HostileCase]]]:
    return [(folder, [case for case in manifest if case.folder == folder]) for folder in ("primary", "others")]


#: The walk is split so pytest-xdist can run the shards side by side (each has its own app).
SHARDS = 4


@pytest.mark.parametrize("shard", range(SHARDS))
async def test_walk_every_hostile_conversation(make_demo_server, shard):
    """Every case opened from the list and read with the thread's keys; nothing leaks.

    Shard ``n`` reads every ``SHARDS``-th case from the ``n``-th: together they read them all.
    """
    server = make_demo_server(dataset="hostile", conversations=0)
    manifest = hostile.cases(server.state.now, server.state.inboxes[0].email)
    app = make_app(server, page_size=PAGE_SIZE)
    reports: list[CaseReport] = []
    expected: list[str] = []
    started = time.monotonic()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await idle(pilot)
        position = 0
        for folder, cases in by_folder(manifest):
            await goto_folder(pilot, folder)
            await wait_for_row(pilot, 1, 0)
            await press(pilot, "enter")  # the thread takes the focus, and keeps it
            for index, case in enumerate(cases):
                position += 1
                if (position - 1) % SHARDS != shard:
                    continue
                expected.append(case.id)
                await open_row(pilot, index // PAGE_SIZE + 1, index % PAGE_SIZE)
                report = CaseReport(case.id)
                await read_conversation(pilot, report)
                judge(case, report)
                reports.append(report)
            await press(pilot, "escape")
        assert app.is_running
    elapsed = time.monotonic() - started
    assert [r.id for r in reports] == expected and expected
    failed = {r.id: r.problems for r in reports if r.problems}
    assert not failed, "\n".join(f"{case}: {problems}" for case, problems in failed.items())
    print(f"\nhostile walk shard {shard}: {len(reports) - len(failed)} of {len(reports)} cases passed in {elapsed:.1f} s")


#: Opened with enter (and left with escape) in the key-by-key walk: the first and last cases of
#: each page, and the ones that once broke apps (markup, dates, sizes, ids).
KEYED = {"subject-markup-click", "name-fake-address-field", "date-far-future", "id-dotdot"}


async def test_key_by_key_down_the_list_across_pages(make_demo_server):
    """down through every row of both folders (crossing a page), enter and escape on some."""
    server = make_demo_server(dataset="hostile", conversations=0)
    manifest = hostile.cases(server.state.now, server.state.inboxes[0].email)
    app = make_app(server, page_size=PAGE_SIZE)
    opened: list[str] = []
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await idle(pilot)
        screen = app.screen
        listing = screen.query_one(ConversationList)
        for folder, cases in by_folder(manifest):
            await goto_folder(pilot, folder)
            for index, case in enumerate(cases):
                if index:
                    await press(pilot, "down")  # past a page's last row: the next page
                await wait_for_row(pilot, index // PAGE_SIZE + 1, index % PAGE_SIZE)
                last_of_page = index % PAGE_SIZE == PAGE_SIZE - 1 or index == len(cases) - 1
                if case.id not in KEYED and index % PAGE_SIZE and not last_of_page:
                    continue
                report = CaseReport(case.id)
                await press(pilot, "enter")
                assert app.focused is screen.query_one(ThreadView)
                await read_conversation(pilot, report)
                await press(pilot, "escape")
                assert app.focused is listing
                judge(case, report)
                assert not report.problems, f"{case.id}: {report.problems}"
                opened.append(case.id)
        assert screen.page_number == 1 and app.is_running
    assert KEYED <= set(opened)
