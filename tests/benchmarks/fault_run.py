"""The issue's fault run: a scripted SDR session through the real UI against a failing server.

Run by hand: ``python tests/benchmarks/fault_run.py [--seeds 1 2 3] [--after-commit always] [--literal-rates]``

The local server fails 20% of requests with 500/503/429 (``Retry-After: 1``), answers 10% with
malformed JSON and cuts 10% of connections mid-body, all after 300 ms of latency; and it stores
(and answers) every reply only ``--reply-commit-delay`` seconds (3) after it arrived, longer than
the client's ``--timeout`` (2 s): the client gives up on replies that do go out. Meanwhile the
user browses 20 pages (``]``), opens 50 conversations (enter, read, escape), saves 10 attachments
(``s`` and the downloads panel, ``r`` on failed rows) and sends 10 replies (``r``, typed,
``ctrl+s``; ``ctrl+s`` again whenever the composer allows it: a resend when it was not sent, a
look when delivery is unknown, answering its question "keep checking"). Then the faults stop,
the late commits land, leftover drafts are sent from the Drafts room (what no look has found, with
"send anyway"), the user presses ``ctrl+r`` and everything shown is compared with the server. The
session itself is ``tests/fault_session.py``.

By default the rates are shares of all requests (20% + 10% + 10%); ``--literal-rates`` passes
0.1/0.1 to ``Faults`` as they are, which then hit 8% and 7.2% of requests (see ``FaultLevels``).
``--after-commit always`` (or ``alternate``, page by page) lets a failed reply or PATCH reach the
server before the fault hits the answer (the ambiguous case), which is what could make a reply go
out twice.

Exit status 0 when every invariant held (no silent failure, lost draft, duplicate reply, crash,
traceback or other problem), 1 otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fault_session import FaultLevels, Plan, Report, isolated_dirs, run_session


def show(report: Report, verbose: bool) -> None:
    for line in report.lines():
        print("  " + line)
    print("  requests by route: " + ", ".join(f"{k} {v}" for k, v in report.routes.most_common()))
    print("  faulted requests by route: " + ", ".join(f"{k} {v}" for k, v in report.by_path.most_common()))
    for problem in report.problems:
        print(f"  PROBLEM: {problem}")
    for failure in report.silent:
        print(f"  SILENT: step {failure.step} {failure.worker}: {failure.method} {failure.path}: {failure.text}")
    for record in report.tracebacks:
        print(f"  TRACEBACK: {record}")
    if verbose:
        for note in report.error_notes:
            print(f"    {note}")
        for failure in report.failures:
            print(f"    [{failure.verdict}] step {failure.step} {failure.worker}: {failure.method} {failure.path} {failure.kind}")


def _tracer() -> Callable[[str], None]:
    """Print each step with the seconds since the run started (to stderr)."""
    started = time.monotonic()

    def trace(text: str) -> None:
        print(f"{time.monotonic() - started:7.1f}s {text}", file=sys.stderr, flush=True)

    return trace


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1], help="fault seeds, one run each")
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--opens", type=int, default=50)
    parser.add_argument("--downloads", type=int, default=10)
    parser.add_argument("--replies", type=int, default=10)
    parser.add_argument("--latency-ms", type=float, default=300.0)
    parser.add_argument("--after-commit", choices=["never", "always", "alternate"], default="never",
                        help="whether a failed reply or PATCH reached the server before the fault (alternate: page by page)")
    parser.add_argument("--literal-rates", action="store_true", help="malformed/drop rates as Faults applies them")
    parser.add_argument("--poll", type=int, default=60, help="the app's poll interval in seconds (0: off)")
    parser.add_argument("--reply-commit-delay", type=float, default=3.0,
                        help="seconds before the server stores (and answers) a reply (0: at once)")
    parser.add_argument("--timeout", type=float, default=2.0, help="the client's timeout in seconds")
    parser.add_argument("-v", "--verbose", action="store_true", help="every notification and failure")
    parser.add_argument("--trace", action="store_true", help="print each step as it starts (to stderr)")
    options = parser.parse_args()
    levels = FaultLevels(latency_ms=options.latency_ms, after_commit=options.after_commit,
                         exact_shares=not options.literal_rates, reply_commit_delay=options.reply_commit_delay)
    failed = False
    for seed in options.seeds:
        plan = Plan(pages=options.pages, opens=options.opens, downloads=options.downloads, replies=options.replies,
                    fault_seed=seed, poll_interval=options.poll, timeout=options.timeout)
        with tempfile.TemporaryDirectory(prefix="fault-run-") as folder, isolated_dirs(Path(folder)):
            report = asyncio.run(run_session(plan, levels, Path(folder), log=_tracer() if options.trace else None))
        print(f"fault seed {seed}, after commit: {options.after_commit}, replies committed after "
              f"{options.reply_commit_delay} s (client timeout {options.timeout} s)"
              + (" (literal rates)" if options.literal_rates else ""))
        show(report, options.verbose)
        failed |= bool(report.silent or report.drafts_lost or report.duplicate_replies or report.crashes
                       or report.tracebacks or report.problems)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
