"""A scripted SDR labels one page of 50 demo conversations: keystrokes and wall time, run by hand.

``python tests/benchmarks/triage_run.py [--page-size 50] [--no-patch]``

The SDR reads the row under the cursor and decides its label (the demo server knows what each
reply really is; a bounce is judged "left company"). When the AI guessed right they press
``a``; otherwise the label's digit; a label without a digit costs ``l`` and its letter. The
cursor moves on by itself after each label, so no movement keys are needed. Target: at most
1.2 keystrokes per conversation. Wall time runs from the first key until the server has
every label (the real app, headless, against the real local server over HTTP).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from helpers import make_app, settle  # noqa: E402

from unibox_tui.demo.server import DemoServer  # noqa: E402
from unibox_tui.domain.triage import DIRECT_LABELS, PICKER_LABELS  # noqa: E402
from unibox_tui.ui.widgets.conversation_list import ConversationList  # noqa: E402

NOW = 1_780_000_000
#: What a reply of each demo kind really is, as an SDR would label it.
TRUTH = {
    "interested": "interested",
    "meeting": "meeting_requested",
    "pricing": "needs_more_info",
    "question": "question",
    "not_now": "not_now",
    "ooo": "out_of_office",
    "referral": "referral",
    "unsubscribe": "unsubscribe",
    "wrong_person": "wrong_person",
    "left_company": "left_company",
    "not_interested": "not_interested",
    "bounce": "left_company",
}
DIGIT = {label: key for key, label in DIRECT_LABELS}
LETTER = {label: key for key, label in PICKER_LABELS}


def truth_of(server: DemoServer, conversation_id: str) -> str:
    record = server.state.conversation(conversation_id)
    return TRUTH.get(record.kind) or record.label or "neutral"


def keys_for(truth: str, ai_label: str | None, *, accept: bool) -> list[str]:
    if accept and ai_label == truth:
        return ["a"]
    if truth in DIGIT:
        return [DIGIT[truth]]
    return ["l", LETTER[truth]]


async def run(page_size: int, patch: bool, accept: bool) -> dict[str, float]:
    server = DemoServer(conversations=300, now=NOW, patch_enabled=patch).start()
    try:
        page = server.state.conversation_ids(folder="primary")[:page_size]
        app = make_app(server, page_size=page_size)
        pressed: Counter[str] = Counter()
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            listing = app.screen.query_one(ConversationList)
            started = time.perf_counter()
            labelled = 0
            while labelled < len(page):
                row = listing.current_row
                assert row is not None and row.id == page[labelled], "the cursor did not move on by itself"
                ai_label = server.state.conversation(row.id).label
                keys = keys_for(truth_of(server, row.id), ai_label, accept=accept)
                pressed.update(keys)
                await pilot.press(*keys)
                labelled += 1
            typed = time.perf_counter() - started
            await settle(pilot)
            finished = time.perf_counter() - started
            local = app.local_triage
        wrong = [
            cid for cid in page
            if (server.state.conversation(cid).label_override if patch else local.label(cid)) != truth_of(server, cid)
        ]
        assert not wrong, f"{len(wrong)} conversations did not get their label"
        return {
            "conversations": len(page),
            "keystrokes": sum(pressed.values()),
            "picker": pressed["l"],
            "accepted": pressed["a"],
            "typed_s": typed,
            "total_s": finished,
            "patches": server.count("PATCH"),
        }
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--page-size", type=int, default=50)
    parser.add_argument("--no-patch", action="store_true", help="a server without the newer PATCH (local labels)")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        for name in ("CONFIG", "DATA", "CACHE", "STATE"):
            os.environ[f"XDG_{name}_HOME"] = os.path.join(home, name.lower())
        for accept, how in ((True, "a when the AI is right, else the label's key"), (False, "label keys only")):
            result = asyncio.run(run(options.page_size, not options.no_patch, accept))
            n = result["conversations"]
            print(f"{how}:")
            print(f"  {n:.0f} conversations, {result['keystrokes']:.0f} keystrokes = "
                  f"{result['keystrokes'] / n:.2f} per conversation (target <= 1.20); "
                  f"{result['picker']:.0f} via the picker, {result['accepted']:.0f} accepted AI labels")
            print(f"  wall time {result['total_s']:.2f} s ({1000 * result['total_s'] / n:.0f} ms per conversation; "
                  f"keys typed in {result['typed_s']:.2f} s); {result['patches']:.0f} PATCH requests")


if __name__ == "__main__":
    main()
