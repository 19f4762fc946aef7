"""Page turns, a heavy email, memory and a 2,000-message thread: ``python tests/benchmarks/bench_inbox.py``.

Headless (Textual's Pilot) against a local server in another process holding 20,000
conversations plus three added for the measurements. Every figure is printed with its ratio
against a baseline measured in the same run:

2. page turn: ``]`` to the next page's rows painted, p50/p95 over 50 turns, against repainting
   the same widget with 100 rows (the floor). Target: p95 <= 2x the floor.
3. heavy email: a 1 MB HTML body from ``enter`` to its text painted, against html2text's own
   conversion of that body. Target <= 1.3x; and while it converts, a cursor move in the list
   answers with p95 < 50 ms.
4. memory: peak RSS after paging through 100 pages of 100 and opening 200 conversations;
   target < 200 MB and flat after warm-up.
5. a 2,000-message conversation opens in < 1 s.
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
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))
sys.path.insert(0, str(HERE.parents[0]))

from bench_startup import free_port  # noqa: E402
from helpers import make_app, settle  # noqa: E402

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
while True:
    time.sleep(3600)
"""


def rss_mb() -> tuple[float, float]:
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


def get_json(url: str, path: str) -> object:
    request = urllib.request.Request(url + path, headers={"Authorization": "Bearer demo"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.load(answer)


async def wait_for(condition, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("condition not met")
        await asyncio.sleep(0.001)


async def page_turns(server: Server, turns: int) -> None:
    app = make_app(server, page_size=100)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot, timeout=60)
        listing = app.screen.query_one(ConversationList)
        # The floor: repainting the same widget with 100 rows.
        floor: list[float] = []
        for _ in range(turns):
            rows = list(listing.rows)
            started = time.perf_counter()
            listing.set_rows(rows, cursor=0)
            await pilot.pause()
            floor.append(time.perf_counter() - started)
        samples: list[float] = []
        for _ in range(turns):
            before = listing.rows[0].id
            await settle(pilot, timeout=60)  # let the prefetch land, as a reading user would
            started = time.perf_counter()
            await pilot.press("right_square_bracket")
            await wait_for(lambda before=before: listing.rows and listing.rows[0].id != before)
            await pilot.pause()
            samples.append(time.perf_counter() - started)
        f50, f95 = percentile(floor, 50) * 1000, percentile(floor, 95) * 1000
        p50, p95 = percentile(samples, 50) * 1000, percentile(samples, 95) * 1000
        print(f"2. page turn over {turns}: p50 {p50:.1f} ms, p95 {p95:.1f} ms; floor (repaint 100 rows) "
              f"p50 {f50:.1f} ms, p95 {f95:.1f} ms -> p95 ratio {p95 / f95:.2f}x (target <= 2x)")


async def heavy_email(server: Server, heavy_id: str, html: str) -> None:
    import html2text

    conversions = []
    for _ in range(3):
        converter = html2text.HTML2Text()
        started = time.perf_counter()
        converter.handle(html)
        conversions.append(time.perf_counter() - started)
    baseline = statistics.median(conversions)

    app = make_app(server, page_size=20)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot, timeout=60)
        screen = app.screen
        listing = screen.query_one(ConversationList)
        thread = screen.query_one(ThreadView)
        index = listing.index_of(heavy_id)
        assert index >= 0, "the heavy conversation is not on the first page"
        opens = []
        latencies: list[float] = []
        for attempt in range(3):
            screen.pages.clear()
            listing.cursor = (index + 1) % len(listing.rows)
            await settle(pilot, timeout=60)
            listing.focus()
            listing.cursor = index
            started = time.perf_counter()
            await pilot.press("enter")

            def painted() -> bool:
                document = thread.document
                return (
                    document is not None
                    and document.conversation.id == heavy_id
                    and bool(document.bodies)
                    and not document.pending()
                )

            if attempt == 2:
                # While it converts, move the list cursor and time each move.
                listing.focus()
                while not painted():
                    move = time.perf_counter()
                    await pilot.press("down" if len(latencies) % 2 == 0 else "up")
                    latencies.append(time.perf_counter() - move)
                    if time.perf_counter() - started > 30:
                        break
            await wait_for(painted)
            await pilot.pause()
            opens.append(time.perf_counter() - started)
        open_time = statistics.median(opens[:2])
        print(f"3. heavy email ({len(html) / 1e6:.1f} MB HTML): open to painted {open_time * 1000:.0f} ms; "
              f"html2text alone {baseline * 1000:.0f} ms -> {open_time / baseline:.2f}x (target <= 1.3x)")
        if latencies:
            print(f"   cursor moves while converting: {len(latencies)}, p95 {percentile(latencies, 95) * 1000:.1f} ms "
                  f"(target < 50 ms), max {max(latencies) * 1000:.1f} ms")


async def memory(server: Server, pages: int, opens: int) -> None:
    app = make_app(server, page_size=100)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot, timeout=60)
        listing = app.screen.query_one(ConversationList)
        marks = []
        opened = 0
        for page in range(pages):
            before = listing.rows[0].id if listing.rows else None
            await pilot.press("right_square_bracket")
            await wait_for(lambda before=before: listing.rows and listing.rows[0].id != before, timeout=60)
            if opened < opens:
                for _ in range(2):
                    listing.focus()
                    await pilot.press("down", "enter")
                    opened += 1
                    await settle(pilot, timeout=60)
            if page % 10 == 9:
                gc.collect()
                marks.append(rss_mb())
        rss, peak = rss_mb()
        series = ", ".join(f"{r:.0f}" for r, _ in marks)
        print(f"4. memory after {pages} pages of 100 and {opened} opened: RSS {rss:.0f} MB, peak {peak:.0f} MB "
              f"(target < 200 MB); RSS every 10 pages: {series}")


async def long_thread(server: Server, long_id: str) -> None:
    app = make_app(server, page_size=20)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot, timeout=60)
        screen = app.screen
        listing = screen.query_one(ConversationList)
        thread = screen.query_one(ThreadView)
        times = []
        for _ in range(3):
            listing.cursor = (listing.index_of(long_id) + 1) % len(listing.rows)
            await settle(pilot, timeout=60)
            listing.focus()
            listing.cursor = listing.index_of(long_id)
            started = time.perf_counter()
            await pilot.press("enter")
            await wait_for(
                lambda: thread.document is not None
                and thread.document.conversation.id == long_id
                and not thread.document.pending()
                and len(thread.document.conversation.messages) >= 2000
            )
            await pilot.pause()
            times.append(time.perf_counter() - started)
        print(f"5. 2,000-message conversation: opened in {statistics.median(times) * 1000:.0f} ms median of 3 (target < 1000 ms)")


async def run(options: argparse.Namespace) -> None:
    process, url = start_server(options.conversations)
    try:
        server = Server(url)
        ids = get_json(url, "/api/v1/unibox/conversations?page_size=5&folder=primary")
        first = [c["id"] for c in ids["data"]]  # type: ignore[index]
        heavy_id, long_id = "bench-heavy-1mb", "bench-2000-messages"
        assert heavy_id in first and long_id in first, first
        heavy = get_json(url, f"/api/v1/unibox/conversations/{heavy_id}")
        html = heavy["data"]["messages"][-1]["html_body"]  # type: ignore[index]
        if "pages" in options.only:
            await page_turns(server, options.turns)
        if "heavy" in options.only:
            await heavy_email(server, heavy_id, html)
        if "memory" in options.only:
            await memory(server, options.pages, options.opens)
        if "long" in options.only:
            await long_thread(server, long_id)
    finally:
        process.terminate()
        process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--conversations", type=int, default=20_000)
    parser.add_argument("--turns", type=int, default=50)
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--opens", type=int, default=200)
    parser.add_argument("--only", nargs="*", default=["pages", "heavy", "memory", "long"])
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
