"""Page turns, a heavy email, memory and a 2,000-message thread: ``python tests/benchmarks/bench_inbox.py``.

The real app, headless, against a local server in another process holding 20,000 conversations
plus two added for the measurements (``unibox_tui/demo/heavy.py``). Every figure is printed
with its ratio against a baseline measured in the same run:

2. page turn: ``]`` to the next page's rows painted, p50/p95 over 50 turns, against repainting
   the same widget with 100 rows (the floor). Target: p95 <= 2x the floor.
3. heavy email: a 1 MB HTML body from ``enter`` to its text painted, against html2text's own
   conversion of that body. Target <= 1.3x; and while it converts, a cursor move in the list
   is painted with p95 < 50 ms.
4. memory: RSS after paging through 100 pages of 100 and opening 200 conversations; target
   < 200 MB and flat after warm-up (every cache is bounded).
5. a 2,000-message conversation opens in < 1 s.

Keys are posted to the app as the terminal driver would post them, and "painted" is the first
frame rendered (``App.post_display_hook``) that shows the result: Pilot's ``press`` also waits
until the whole process is idle (background conversions included), which is not what a user
waits for.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import statistics
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))
sys.path.insert(0, str(HERE.parents[0]))

from bench_startup import free_port  # noqa: E402
from helpers import make_app, settle  # noqa: E402
from textual import events  # noqa: E402

from unibox_tui.demo.heavy import HEAVY_ID, LONG_ID  # noqa: E402
from unibox_tui.render.thread import build_row  # noqa: E402
from unibox_tui.ui.app import UniboxApp  # noqa: E402
from unibox_tui.ui.screens.inbox import InboxScreen  # noqa: E402
from unibox_tui.ui.widgets.conversation_list import ConversationList  # noqa: E402
from unibox_tui.ui.widgets.thread_view import ThreadView  # noqa: E402

SERVER_SCRIPT = """
import sys, time
from unibox_tui.demo.server import DemoServer
from unibox_tui.demo import heavy
server = DemoServer(conversations=int(sys.argv[2]), port=int(sys.argv[1]))
heavy.add_benchmark_conversations(server.state)
server.start()
print("ready", flush=True)
sys.stdin.read()  # serve until the benchmark closes our stdin
server.stop()
"""

KEYS = {"right_square_bracket": "]", "enter": "\r", "down": None, "up": None}


def rss_mb() -> tuple[float, float]:
    """Resident and peak resident memory of this process (the app runs in it), in MB."""
    values = {}
    with open("/proc/self/status") as status:
        for line in status:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0]) / 1024
    return values["VmRSS"], values["VmHWM"]


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def start_server(conversations: int) -> tuple[subprocess.Popen[str], str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-c", SERVER_SCRIPT, str(port), str(conversations)],
        cwd=HERE.parents[1],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    if process.stdout.readline().strip() != "ready":
        raise RuntimeError("server failed")
    return process, f"http://127.0.0.1:{port}"


class Server:
    """What the app needs of a server object: ``key`` and ``base_url``."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.key = "demo"


def get_json(url: str, path: str) -> Any:
    request = urllib.request.Request(url + path, headers={"Authorization": "Bearer demo"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.load(answer)


class Frames:
    """Times the frames the app renders (headless: rendered, not written to a terminal)."""

    def __init__(self, app: UniboxApp) -> None:
        self.app = app
        self._waiting: list[tuple[Callable[[], bool], asyncio.Future[float]]] = []
        original = app.post_display_hook

        def hook() -> None:
            original()
            now = time.perf_counter()
            for entry in list(self._waiting):
                condition, future = entry
                if not future.done() and condition():
                    future.set_result(now)
                    self._waiting.remove(entry)

        app.post_display_hook = hook  # type: ignore[method-assign]

    async def showing(self, condition: Callable[[], bool], timeout: float = 60.0) -> float:
        """When the first frame rendered with ``condition`` true came out (perf_counter)."""
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self._waiting.append((condition, future))
        # No frame is forced: a full-screen refresh would add its own cost to every figure, and
        # a partial one (Textual 8) holds back the repaints already asked for. Only if nothing
        # draws for a second (the change was on screen already) is a frame asked for.
        fallback = asyncio.get_running_loop().call_later(1.0, self.app.screen.refresh)
        try:
            return await asyncio.wait_for(future, timeout)
        finally:
            fallback.cancel()


def press(app: UniboxApp, key: str) -> float:
    """Post a key as the terminal driver does; returns when (perf_counter)."""
    started = time.perf_counter()
    app.post_message(events.Key(key, KEYS.get(key)))
    return started


async def wait_for(condition: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("condition not met")
        await asyncio.sleep(0.002)


async def quiet(app: UniboxApp, timeout: float = 60.0) -> None:
    """No worker running for 50 ms: the user is reading, the app has nothing left to do."""
    deadline = time.perf_counter() + timeout
    calm_since = None
    while time.perf_counter() < deadline:
        busy = any(worker.is_running for worker in app.workers)
        now = time.perf_counter()
        if busy:
            calm_since = None
        elif calm_since is None:
            calm_since = now
        elif now - calm_since > 0.05:
            return
        await asyncio.sleep(0.005)
    raise TimeoutError("the app did not go quiet")


def converted(thread: ThreadView, conversation_id: str, messages: int = 1) -> Callable[[], bool]:
    """The thread shows ``conversation_id`` with every open body converted and laid out."""

    def check() -> bool:
        document = thread.document
        return (
            document is not None
            and document.conversation.id == conversation_id
            and len(document.conversation.messages) >= messages
            and (bool(document.bodies) or not document.messages)
            and not document.pending()
            and thread.laid_out_for is not None
        )

    return check


async def cursor_on(app: UniboxApp, frames: Frames, index: int) -> None:
    """Put the list's cursor on ``index``, painted, with the thread not following it yet."""
    screen = app.screen
    assert isinstance(screen, InboxScreen)
    listing = screen.query_one(ConversationList)
    listing.focus()
    listing.cursor = index
    await frames.showing(lambda: listing.cursor == index)
    if screen.thread.follow_timer is not None:
        screen.thread.follow_timer.stop()  # enter opens it, not the preview that follows the cursor
    await quiet(app)


async def open_elsewhere(app: UniboxApp, frames: Frames, avoid: str) -> None:
    """Open some other conversation (so the next open of ``avoid`` is a real open), and settle."""
    screen = app.screen
    listing = screen.query_one(ConversationList)
    thread = screen.query_one(ThreadView)
    other = next(i for i, row in enumerate(listing.rows) if row.id not in (avoid, HEAVY_ID, LONG_ID))
    await cursor_on(app, frames, other)
    press(app, "enter")
    await frames.showing(converted(thread, listing.rows[other].id))
    await quiet(app)


# -- 2. page turns --------------------------------------------------------------------------------


async def page_turns(server: Server, turns: int) -> dict[str, float]:
    app = make_app(server, page_size=100)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot, timeout=60)
        frames = Frames(app)
        screen = app.screen
        assert isinstance(screen, InboxScreen)
        listing = screen.query_one(ConversationList)
        await quiet(app)
        # "Painted" is the first frame in which the list drew its lines after the change.
        drawn = [0.0]
        real_render_line = listing.render_line

        def render_line(y: int) -> Any:
            drawn[0] = time.perf_counter()
            return real_render_line(y)

        listing.render_line = render_line  # type: ignore[method-assign]
        # The floor: repainting the same widget with another 100 rows, already built (two pages
        # in turn, so every line really changes).
        floor: list[float] = []
        wanted = screen.model.key(screen.page_number + 1)
        await wait_for(lambda: wanted in screen.pages)
        now = datetime.now(UTC)
        pages = [list(listing.rows), [build_row(c, now) for c in screen.pages.get(wanted).value.items]]
        for number in range(turns):
            rows = pages[(number + 1) % 2]
            started = time.perf_counter()
            listing.set_rows(rows, cursor=0)
            floor.append(await frames.showing(lambda started=started: drawn[0] > started) - started)
            await asyncio.sleep(0.01)
        listing.set_rows(pages[0], cursor=0)
        await quiet(app)
        samples: list[float] = []
        for _ in range(turns):
            before = listing.rows[0].id
            wanted = screen.model.key(screen.page_number + 1)
            await wait_for(lambda wanted=wanted: wanted in screen.pages)  # prefetched, as a reader's page is
            await quiet(app)
            started = press(app, "right_square_bracket")
            painted = await frames.showing(
                lambda before=before, started=started: bool(listing.rows) and listing.rows[0].id != before
                and drawn[0] > started
            )
            samples.append(painted - started)
    f50, f95 = percentile(floor, 50) * 1000, percentile(floor, 95) * 1000
    p50, p95 = percentile(samples, 50) * 1000, percentile(samples, 95) * 1000
    print(
        f"2. page turn over {turns}: p50 {p50:.1f} ms, p95 {p95:.1f} ms; floor (repaint of 100 rows) "
        f"p50 {f50:.1f} ms, p95 {f95:.1f} ms -> p95 {p95 / f95:.2f}x the floor (target <= 2x), "
        f"p50 {p50 / f50:.2f}x",
        flush=True,
    )
    return {"turn_p50": p50, "turn_p95": p95, "floor_p50": f50, "floor_p95": f95}


# -- 3. a heavy email ----------------------------------------------------------------------------


def html2text_alone(html: str, rounds: int = 3) -> float:
    import html2text

    times = []
    for _ in range(rounds):
        converter = html2text.HTML2Text()
        started = time.perf_counter()
        converter.handle(html)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


async def heavy_email(server: Server, html: str, rounds: int = 3) -> dict[str, float]:
    app = make_app(server, page_size=20)
    opens: list[float] = []
    baselines: list[float] = []
    latencies: list[float] = []
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot, timeout=60)
        frames = Frames(app)
        screen = app.screen
        listing = screen.query_one(ConversationList)
        thread = screen.query_one(ThreadView)
        index = listing.index_of(HEAVY_ID)
        assert index >= 0, "the heavy conversation is not on the first page"
        for _ in range(rounds):
            baselines.append(html2text_alone(html, rounds=1))  # interleaved: the same machine state
            await open_elsewhere(app, frames, HEAVY_ID)
            await cursor_on(app, frames, index)
            started = press(app, "enter")
            opens.append(await frames.showing(converted(thread, HEAVY_ID), timeout=120) - started)
            await quiet(app)
        # The same cursor moves with nothing converting: what a move costs on this machine now.
        listing.focus()
        await quiet(app)
        idle: list[float] = []
        for number in range(20):
            target = listing.cursor + (1 if number % 2 == 0 else -1)
            started = press(app, "down" if target > listing.cursor else "up")
            idle.append(await frames.showing(lambda target=target: listing.cursor == target) - started)
            await asyncio.sleep(0.03)
        await quiet(app)
        # While it converts, the list keeps answering: cursor moves, one every ~30 ms (a held key).
        await open_elsewhere(app, frames, HEAVY_ID)
        await cursor_on(app, frames, index)
        press(app, "enter")
        await wait_for(lambda: thread.document is not None and thread.document.conversation.id == HEAVY_ID)
        listing.focus()
        converting = lambda: any(  # noqa: E731
            w.is_running and w.group in ("thread-render", "thread-layout") for w in app.workers
        )
        step = 1
        while converting() and len(latencies) < 200:
            target = listing.cursor + step
            if not 0 <= target < len(listing.rows):
                step, target = -step, listing.cursor - step
            started = press(app, "down" if step > 0 else "up")
            latencies.append(await frames.showing(lambda target=target: listing.cursor == target) - started)
            await asyncio.sleep(0.03)
    baseline = statistics.median(baselines)
    opened = statistics.median(opens)
    print(
        f"3. heavy email ({len(html) / 1e6:.1f} MB HTML): enter to text painted {opened * 1000:.0f} ms "
        f"(median of {rounds}); html2text alone {baseline * 1000:.0f} ms -> {opened / baseline:.2f}x "
        "(target <= 1.3x)",
        flush=True,
    )
    if latencies:
        print(
            f"   cursor moves while converting: {len(latencies)}, p50 {percentile(latencies, 50) * 1000:.1f} ms, "
            f"p95 {percentile(latencies, 95) * 1000:.1f} ms (target < 50 ms), max {max(latencies) * 1000:.1f} ms",
            flush=True,
        )
    else:
        print("   cursor moves while converting: none (the conversion ended first)", flush=True)
    print(
        f"   the same moves with nothing converting (baseline): p50 {percentile(idle, 50) * 1000:.1f} ms, "
        f"p95 {percentile(idle, 95) * 1000:.1f} ms",
        flush=True,
    )
    return {
        "heavy_open": opened * 1000,
        "html2text": baseline * 1000,
        "cursor_p95": percentile(latencies, 95) * 1000 if latencies else float("nan"),
    }


# -- 4. memory ------------------------------------------------------------------------------------


async def memory(server: Server, pages: int, opens: int) -> dict[str, float]:
    app = make_app(server, page_size=100)
    marks: list[float] = []
    opened = 0
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot, timeout=60)
        frames = Frames(app)
        screen = app.screen
        listing = screen.query_one(ConversationList)
        thread = screen.query_one(ThreadView)
        per_page = -(-opens // pages)
        for page in range(pages):
            before = listing.rows[0].id
            press(app, "right_square_bracket")
            await frames.showing(lambda before=before: bool(listing.rows) and listing.rows[0].id != before)
            for number in range(per_page):
                if opened >= opens:
                    break
                listing.focus()
                row = listing.rows[(number * 37 + page) % len(listing.rows)]
                listing.cursor = listing.index_of(row.id)
                press(app, "enter")
                await frames.showing(converted(thread, row.id), timeout=60)
                opened += 1
            await quiet(app)
            if page % 10 == 9:
                gc.collect()
                marks.append(rss_mb()[0])
    rss, peak = rss_mb()
    series = ", ".join(f"{mark:.0f}" for mark in marks)
    growth = marks[-1] - marks[min(1, len(marks) - 1)]
    print(
        f"4. memory after {pages} pages of 100 and {opened} opened: RSS {rss:.0f} MB, peak {peak:.0f} MB "
        f"(target < 200 MB); RSS every 10 pages: {series} MB; growth from page 20 to {pages}: "
        f"{growth:+.0f} MB (target: flat)",
        flush=True,
    )
    return {"rss": rss, "peak": peak, "growth": growth}


# -- 5. a 2,000-message thread --------------------------------------------------------------------


async def long_thread(server: Server, rounds: int = 3) -> dict[str, float]:
    app = make_app(server, page_size=20)
    times = []
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot, timeout=60)
        frames = Frames(app)
        screen = app.screen
        listing = screen.query_one(ConversationList)
        thread = screen.query_one(ThreadView)
        index = listing.index_of(LONG_ID)
        for _ in range(rounds):
            await open_elsewhere(app, frames, LONG_ID)
            await cursor_on(app, frames, index)
            started = press(app, "enter")
            times.append(await frames.showing(converted(thread, LONG_ID, messages=2000), timeout=120) - started)
            await quiet(app)
    opened = statistics.median(times)
    print(f"5. 2,000-message conversation: enter to painted {opened * 1000:.0f} ms, median of {rounds} "
          "(target < 1000 ms)", flush=True)
    return {"long_open": opened * 1000}


async def run(options: argparse.Namespace) -> dict[str, float]:
    process, url = start_server(options.conversations)
    results: dict[str, float] = {}
    try:
        server = Server(url)
        first = [c["id"] for c in get_json(url, "/api/v1/unibox/conversations?page_size=5&folder=primary")["data"]]
        assert HEAVY_ID in first and LONG_ID in first, first
        html = get_json(url, f"/api/v1/unibox/conversations/{HEAVY_ID}")["data"]["messages"][-1]["html_body"]
        if "pages" in options.only:
            results.update(await page_turns(server, options.turns))
        if "heavy" in options.only:
            results.update(await heavy_email(server, html))
        if "long" in options.only:
            results.update(await long_thread(server))
        if "memory" in options.only:
            results.update(await memory(server, options.pages, options.opens))
    finally:
        assert process.stdin is not None
        process.stdin.close()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
    return results


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--conversations", type=int, default=20_000)
    parser.add_argument("--turns", type=int, default=50)
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--opens", type=int, default=200)
    parser.add_argument("--only", nargs="*", default=["pages", "heavy", "long", "memory"])
    return asyncio.run(run(parser.parse_args(argv)))


if __name__ == "__main__":
    main()
