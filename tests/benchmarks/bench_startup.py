"""Start-up to a useful screen, in a real pty: ``python tests/benchmarks/bench_startup.py``.

From process start to the first page of conversation rows on the terminal, against a trivial
Textual app (one ``Static``) measured the same way in the same run. Target: <= 1.5x.
The server (a separate process, 20,000 conversations) is started once and kept warm.
Two cases: a cold start (empty cache folders) and a warm one (the previous run's cache).
"""

from __future__ import annotations

import argparse
import json
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from _pty import ROOT, python, time_until

TRIVIAL_APP = """
from textual.app import App, ComposeResult
from textual.widgets import Static

class Trivial(App):
    def compose(self) -> ComposeResult:
        yield Static("trivial-app-is-ready")

Trivial().run()
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(conversations: int) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = subprocess.Popen(
        [python(), "-m", "unibox_tui", "demo-server", "--port", str(port), "--conversations", str(conversations)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            request = urllib.request.Request(
                f"{url}/api/v1/unibox/conversations?page_size=1", headers={"Authorization": "Bearer demo"}
            )
            with urllib.request.urlopen(request, timeout=2):
                return process, url
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("demo server did not start")


def first_row_marker(url: str, page_size: int) -> bytes:
    """Text the first list row shows: the lead's address of the first conversation."""
    request = urllib.request.Request(
        f"{url}/api/v1/unibox/conversations?page_size={page_size}&folder=primary",
        headers={"Authorization": "Bearer demo"},
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        body = json.load(answer)
    first = body["data"][0]
    incoming = [m for m in first["messages"] if m["direction"] == "incoming"]
    address = incoming[-1]["from_email"] if incoming else first["messages"][0]["to_email"]
    return address[:12].encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--conversations", type=int, default=20_000)
    parser.add_argument("--page-size", type=int, default=50)
    options = parser.parse_args()

    server, url = start_server(options.conversations)
    work = Path(tempfile.mkdtemp(prefix="bench-startup-"))
    trivial = work / "trivial.py"
    trivial.write_text(TRIVIAL_APP)
    # Bytecode as an installed package has it (pip compiles on install), whatever
    # PYTHONDONTWRITEBYTECODE says in this shell; kept out of the source tree. A first,
    # uncounted round of each program fills it.
    bytecode = {"PYTHONPYCACHEPREFIX": str(work / "pycache"), "PYTHONDONTWRITEBYTECODE": ""}
    try:
        marker = first_row_marker(url, options.page_size)
        app_argv = [python(), "-m", "unibox_tui", "--base-url", url, "--page-size", str(options.page_size)]
        results: dict[str, list[float]] = {"trivial": [], "cold": [], "warm": []}
        for round_number in range(-1, options.rounds):
            trivial_time = time_until([python(), str(trivial)], b"trivial-app-is-ready", env=bytecode)
            times = {}
            for case in ("cold", "warm"):
                home = work / case
                if case == "cold" and home.exists():
                    shutil.rmtree(home)
                env = {
                    **bytecode,
                    "REACHKIT_API_KEY": "demo",
                    "XDG_CONFIG_HOME": str(home / "config"),
                    "XDG_DATA_HOME": str(home / "data"),
                    "XDG_CACHE_HOME": str(home / "cache"),
                }
                # It stays up a moment after its rows show, as a user's would: what it saves
                # then (the first page, for the next start) is there for the warm case.
                times[case] = time_until(app_argv, marker, env=env, linger=1.5)
            if round_number < 0:
                continue  # the warm-up round: bytecode written, caches filled
            results["trivial"].append(trivial_time)
            results["cold"].append(times["cold"])
            results["warm"].append(times["warm"])
            print(
                f"round {round_number + 1}: trivial {results['trivial'][-1]:.3f} s, "
                f"cold {results['cold'][-1]:.3f} s, warm {results['warm'][-1]:.3f} s",
                flush=True,
            )
        trivial_median = statistics.median(results["trivial"])
        print(f"\nmedian of {options.rounds} (server: {options.conversations:,} conversations, page size {options.page_size})")
        print(f"  trivial Textual app : {trivial_median:.3f} s")
        for case in ("cold", "warm"):
            median = statistics.median(results[case])
            print(f"  unibox-tui, {case:<5}   : {median:.3f} s  = {median / trivial_median:.2f}x trivial (target <= 1.5x)")
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
