"""Issue 8's speed suite in one command: ``python tests/benchmarks/run_all.py``.

Runs ``bench_startup.py`` (first rows in a real pty against a trivial Textual app),
``bench_inbox.py`` (page turns, a 1 MB email, a 2,000-message thread, memory), each against a
local server holding 20,000 conversations, ``bench_download.py`` (a 200 MB attachment from the
app, panel showing, against curl) and ``bench_leads.py`` (lead context for 50 conversations in
40 campaigns against a rate-limited server: requests, 429s, a reply's wait), and prints every
figure with its ratio. Each figure's baseline is measured in the same run (these machines are
noisy). Takes about fifteen minutes; ``--quick`` runs smaller versions (3 start-up rounds, 20
page turns, 20 pages, 2 download rounds).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def run(script: str, arguments: list[str]) -> int:
    print(f"\n== {script} {' '.join(arguments)}".rstrip(), flush=True)
    started = time.monotonic()
    code = subprocess.call([sys.executable, str(HERE / script), *arguments], cwd=HERE.parents[1])
    print(f"   ({time.monotonic() - started:.0f} s{'' if code == 0 else f', exit status {code}'})", flush=True)
    return code


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds, turns and pages")
    options = parser.parse_args()
    startup = ["--rounds", "3"] if options.quick else []
    inbox = ["--turns", "20", "--pages", "20", "--opens", "40"] if options.quick else []
    download = ["--rounds", "2" if options.quick else "5"]
    # 40 campaigns x 50 addresses is ~1,900 searches: at the server's 40/s, under a minute a way.
    leads = ["--rounds", "1", "--rate-limit", "40"]
    failed = (
        run("bench_startup.py", startup)
        | run("bench_inbox.py", inbox)
        | run("bench_download.py", download)
        | run("bench_leads.py", leads)
    )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
