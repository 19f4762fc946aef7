"""A scripted SDR labels one page of 50 demo conversations: keystrokes and wall time, run by hand.

``python tests/benchmarks/triage_run.py [--page-size 50] [--no-patch]``

The SDR reads the row under the cursor and decides its label (the demo server knows what each
reply really is; a bounce is judged "left company"). When the AI guessed right they press
``a``; otherwise the label's digit; a label without a digit costs ``l`` and its letter. The
cursor moves on by itself after each label, so no movement keys are needed. Target: at most
1.2 keystrokes per conversation. Wall time runs from the first key until the server has
every label (the real app, headless, against the real local server over HTTP).

The third run uses bulk marks where they save keys: for each label where the rows the AI got
right outnumber what the route costs (``f``, the label's key, ``M``, ``a``, ``esc``, and a move and
an ``m`` per row it got wrong), ``f`` and the key filter the page to that label, ``M`` marks them
all, ``j``/``k`` and ``m`` unmark the AI's mistakes, ``a`` accepts the AI's label on the rest (one
paced batch, waited for) and ``esc`` clears the filter; what is left is labelled one by one as
above, every cursor move counted as a keystroke.
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
from unibox_tui.ui.screens.label_picker import label_keys  # noqa: E402
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
#: Keys the bulk route costs besides unmarking: f, the label's key, M, a, esc.
BULK_KEYS = 5


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


async def move_to(pilot, listing: ConversationList, index: int, pressed: Counter[str]) -> None:
    """j/k to row ``index``, each press counted."""
    while listing.cursor != index:
        key = "j" if listing.cursor < index else "k"
        pressed[key] += 1
        await pilot.press(key)


async def bulk_groups(pilot, server: DemoServer, page: list[str], pressed: Counter[str]) -> set[str]:
    """Every label the AI got right often enough: filter, mark all, unmark the wrong, accept."""
    app = pilot.app
    listing = app.screen.query_one(ConversationList)
    ai = {cid: server.state.conversation(cid).label for cid in page}
    right = Counter(label for cid, label in ai.items() if label and label == truth_of(server, cid))
    wrong = Counter(label for cid, label in ai.items() if label and label != truth_of(server, cid))
    done: set[str] = set()
    filter_keys = label_keys()
    for label, count in right.most_common():
        if count <= BULK_KEYS + 2 * wrong[label]:
            continue  # one a per conversation is cheaper
        keys = ["f", filter_keys[label], "M"]
        pressed.update(keys)
        await pilot.press(*keys)
        for index, row in enumerate(list(listing.rows)):
            if truth_of(server, row.id) != label:
                await move_to(pilot, listing, index, pressed)
                pressed["m"] += 1
                await pilot.press("m")
        done |= set(app.screen.model.marked())
        pressed.update(["a", "escape"])
        await pilot.press("a")
        await settle(pilot, timeout=60)  # the batch, paced, to its end
        await pilot.press("escape")
    return done


async def run_bulk(page_size: int, patch: bool) -> dict[str, float]:
    server = DemoServer(conversations=300, now=NOW, patch_enabled=patch).start()
    try:
        page = server.state.conversation_ids(folder="primary")[:page_size]
        app = make_app(server, page_size=page_size)
        pressed: Counter[str] = Counter()
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            listing = app.screen.query_one(ConversationList)
            started = time.perf_counter()
            done = await bulk_groups(pilot, server, page, pressed)
            bulk_keys = sum(pressed.values())
            for cid in [cid for cid in page if cid not in done]:
                await move_to(pilot, listing, listing.index_of(cid), pressed)
                keys = keys_for(truth_of(server, cid), server.state.conversation(cid).label, accept=True)
                pressed.update(keys)
                await pilot.press(*keys)
            await settle(pilot, timeout=60)
            finished = time.perf_counter() - started
            local = app.local_triage
        wrong = [
            cid for cid in page
            if (server.state.conversation(cid).label_override if patch else local.label(cid)) != truth_of(server, cid)
        ]
        assert not wrong, f"{len(wrong)} conversations did not get their label"
        moves = pressed["j"] + pressed["k"]
        return {"conversations": len(page), "keystrokes": sum(pressed.values()), "bulk": len(done),
                "bulk_keystrokes": bulk_keys, "moves": moves, "total_s": finished, "patches": server.count("PATCH")}
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
        result = asyncio.run(run_bulk(options.page_size, not options.no_patch))
        n = result["conversations"]
        print("bulk marks (f + label, M, m to unmark the AI's mistakes, a), then one by one:")
        print(f"  {n:.0f} conversations, {result['keystrokes']:.0f} keystrokes = "
              f"{result['keystrokes'] / n:.2f} per conversation; {result['bulk']:.0f} labelled in batches "
              f"with {result['bulk_keystrokes']:.0f} keys ({result['bulk_keystrokes'] / max(1, result['bulk']):.2f} each), "
              f"{result['moves']:.0f} cursor moves counted")
        print(f"  wall time {result['total_s']:.2f} s (batches paced at 5 requests a second); "
              f"{result['patches']:.0f} PATCH requests")


if __name__ == "__main__":
    main()
