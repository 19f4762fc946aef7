"""Timing and memory of the demo server, run by hand: ``python tests/benchmarks/bench_demo_server.py``.

Targets: 20,000 conversations generated in under ~3 s and ~150 MB; a page of 100 in under ~50 ms;
a search over 20,000 in under ~300 ms; a server start fast enough for a fixture per test.
"""

from __future__ import annotations

import itertools
import statistics
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from unibox_tui.demo.server import DemoServer  # noqa: E402

NOW = 1_780_000_000


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def timed(fn, repeat: int = 5) -> tuple[float, float]:
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    return statistics.median(samples), max(samples)


def main() -> None:
    # warm the imports (uvicorn, starlette, the generator) so start times measure the server itself
    DemoServer(conversations=1, now=NOW).start().stop()
    for n in (60, 300, 20_000):
        before = rss_mb()
        t0 = time.perf_counter()
        server = DemoServer(conversations=n, now=NOW)
        built = time.perf_counter() - t0
        server.start()
        started = time.perf_counter() - t0
        grown = rss_mb() - before
        print(f"{n:>6} conversations: generated {built * 1000:7.1f} ms, listening after "
              f"{started * 1000:7.1f} ms, RSS +{grown:5.1f} MB")
        with httpx.Client(base_url=server.api_url, headers={"Authorization": "Bearer demo"}) as c:
            pages = itertools.cycle(range(1, max(1, n // 100) + 1))

            def cold_page(c: httpx.Client = c, pages: Iterator[int] = pages) -> None:
                c.get("/unibox/conversations", params={"page": next(pages), "page_size": 100}).raise_for_status()

            def warm_page() -> None:
                c.get("/unibox/conversations", params={"page": 1, "page_size": 100}).raise_for_status()

            def search_miss() -> None:
                c.get("/unibox/conversations", params={"search": "no-such-words"}).raise_for_status()

            def search_hit() -> None:
                c.get("/unibox/conversations", params={"search": "forecast", "page_size": 100}).raise_for_status()

            for name, fn in (("page of 100 (uncached bodies)", cold_page), ("page of 100 (cached)", warm_page),
                             ("search, no match", search_miss), ("search, page of 100 hits", search_hit)):
                median, worst = timed(fn)
                print(f"        {name:<32} median {median:6.1f} ms, worst {worst:6.1f} ms")
            t0 = time.perf_counter()
            server.stop()
            print(f"        stop {1000 * (time.perf_counter() - t0):.1f} ms, RSS now +{rss_mb() - before:.1f} MB")


if __name__ == "__main__":
    main()
