"""Issue 8's speed suite in one command: ``python tests/benchmarks/run_all.py``.

Runs ``bench_startup.py`` (1: start-up in a real pty against a trivial Textual app) and then
``bench_inbox.py`` (2: page turns, 3: a 1 MB email, 5: a 2,000-message thread, 4: memory), each
against a local server holding 20,000 conversations, and prints every figure with its ratio.
Each figure's baseline is measured in the same run (these machines are noisy). Takes about ten
minutes; ``--quick`` runs smaller versions (3 start-up rounds, 20 page turns, 20 pages).
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
    failed = run("bench_startup.py", startup) | run("bench_inbox.py", inbox)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
