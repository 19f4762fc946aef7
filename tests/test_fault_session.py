"""Faults end to end: a short scripted session through the real UI against a failing server.

The same session as ``tests/benchmarks/fault_run.py`` (see ``tests/fault_session.py``), smaller
and quicker: 40% of requests fail (20% 500/503/429, 10% malformed, 10% dropped) with a little
latency; on every other page a failed reply or PATCH has reached the server before its answer
was lost, and every reply is stored only after the client's timeout (a late commit). The client retries at a faster pace and the thread is re-read sooner after opening.
Which request meets which fault depends on how the app's concurrent requests interleave, so
only invariants are asserted, never counts or times.
"""

from __future__ import annotations

from fault_session import FaultLevels, Plan, run_session

from unibox_tui.api import RetryPolicy
from unibox_tui.ui.screens import inbox_thread

PLAN = Plan(
    pages=3, opens=5, downloads=2, replies=2, conversations=120, page_size=10, max_attachment=400_000,
    read_seconds=0.3, size=(100, 30), retry=RetryPolicy(attempts=4, base_delay=0.05, max_delay=0.2),
    step_timeout=60, fault_seed=11, timeout=0.8,
)


async def test_a_session_under_faults_ends_with_everything_explained_nothing_twice_nothing_lost(tmp_path, monkeypatch):
    monkeypatch.setattr(inbox_thread, "REFRESH_DELAY", 0.1)
    levels = FaultLevels(latency_ms=20, retry_after=0, after_commit="alternate", reply_commit_delay=1.2)
    report = await run_session(PLAN, levels, tmp_path)
    summary = "\n".join(report.lines() + report.problems + [f"{f.worker}: {f.text}" for f in report.silent])
    assert sum(report.faulted.values()) > 0 and report.retries > 0, summary
    assert report.crashes == 0 and not report.tracebacks, summary
    assert not report.silent, summary
    assert not report.problems, summary
    assert report.drafts_lost == 0 and report.duplicate_replies == 0, summary
    assert report.replies_typed == report.replies_on_server == PLAN.replies, summary
    assert report.downloads_ok == report.downloads_started == PLAN.downloads, summary
    assert report.opened >= PLAN.opens and report.pages_seen == PLAN.pages + 1, summary
