"""Hundreds of replies through the outbox into a faulty server: no draft lost, no reply sent twice.

Run by hand: ``python tests/benchmarks/send_loop.py [--sends 200] [--seed 1]``.

Every reply carries a unique marker. Before each POST a fault is drawn for it (none, an error
status, a status after the server stored the reply, a hang past the client's timeout, a dropped
connection, a mangled answer, before or after the commit); GETs fail at random too (errors,
drops, hangs), so checks and baselines suffer as well. Some attempts are cut short as if the app
were killed mid-request (the task is cancelled), and the loop "restarts" from the draft on disk.
The loop resends only when the outcome says the reply did not go out, and keeps checking while
delivery is unknown, exactly as the composer does. At the end, with the faults off, it counts on
the server how many copies of each reply exist:

- a reply with no copy on the server and no draft on disk is a lost draft (must be 0);
- every copy beyond the first is a duplicate (must be 0).

The server's clock runs half a year behind ours, so recognising a reply cannot rely on clocks.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import logging
import random
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from unibox_tui.api import ReachkitClient  # noqa: E402
from unibox_tui.api.client import RetryPolicy  # noqa: E402
from unibox_tui.demo.faults import Faults  # noqa: E402
from unibox_tui.demo.server import DemoServer  # noqa: E402
from unibox_tui.render.compose import compose_html  # noqa: E402
from unibox_tui.store.drafts import Draft, DraftStore  # noqa: E402
from unibox_tui.store.outbox import Outbox, SendStatus  # noqa: E402

REPLY = r"/reply$"
#: (label, fail_next arguments) for the POST of one attempt, with their weights.
POST_FAULTS: list[tuple[str, dict[str, object], int]] = [
    ("none", {}, 40),
    ("500", {"kind": "status", "status": 500}, 6),
    ("503", {"kind": "status", "status": 503, "retry_after": 0}, 4),
    ("429", {"kind": "status", "status": 429, "retry_after": 0}, 4),
    ("422", {"kind": "status", "status": 422}, 2),
    ("500 after commit", {"kind": "status", "status": 500, "after_commit": True}, 5),
    ("502 after commit", {"kind": "status", "status": 502, "after_commit": True}, 3),
    ("timeout", {"kind": "hang"}, 5),
    ("timeout after commit", {"kind": "hang", "after_commit": True}, 6),
    ("dropped", {"kind": "drop"}, 4),
    ("dropped after commit", {"kind": "drop", "after_commit": True}, 6),
    ("malformed after commit", {"kind": "malformed", "after_commit": True}, 4),
]
MAX_ATTEMPTS = 60


def unreliable_gets(faults: Faults) -> None:
    """Random faults on every GET (baselines and checks suffer too); the POST queue emptied."""
    faults.clear()
    faults.methods = {"GET"}
    faults.fail_rate, faults.drop_rate, faults.hang_rate = 0.25, 0.06, 0.04


async def run(sends: int, seed: int, crash_rate: float) -> int:
    rng = random.Random(seed)
    server = DemoServer(conversations=80, seed=seed, now=time.time() - 182 * 86400)
    server.start()
    faults = server.faults
    faults.seed = seed
    faults.fail_statuses, faults.retry_after, faults.hang_seconds = [500, 503, 429], 0, 1.2
    unreliable_gets(faults)
    folder = Path(tempfile.mkdtemp(prefix="send-loop-"))
    store = DraftStore(folder)
    client = ReachkitClient(
        server.key,
        server.base_url,
        timeout=httpx.Timeout(0.5, connect=1.0),
        retry=RetryPolicy(attempts=3, base_delay=0.02, max_delay=0.2, max_retry_after=1),
    )
    ids = server.state.conversation_ids()
    nonce = f"{rng.randrange(16**6):06x}"
    markers: dict[str, str] = {}
    outcomes: collections.Counter[str] = collections.Counter()
    injected: collections.Counter[str] = collections.Counter()
    crashes = gave_up = attempts_total = 0
    started = time.monotonic()
    try:
        for i in range(sends):
            cid = ids[i % len(ids)]
            marker = f"m{nonce}x{i:05d}"
            markers[marker] = cid
            text = f"Reply {i}: **thanks**, see [the deck](https://lanternfish.io/d/{i}) {marker}"
            draft = store.bump(Draft(cid, text=text))
            store.save(draft)
            for attempt in range(1, MAX_ATTEMPTS + 1):
                attempts_total += 1
                label, arguments, _ = rng.choices(POST_FAULTS, weights=[w for *_, w in POST_FAULTS])[0]
                if label != "none" and not draft.pending:
                    faults.fail_next(1, method="POST", path=REPLY, **arguments)  # type: ignore[arg-type]
                    injected[label] += 1
                outbox = Outbox(client, store)
                task = asyncio.ensure_future(outbox.send(draft, compose_html(draft.text)))
                if rng.random() < crash_rate:
                    # The app is killed at a random moment of the attempt.
                    await asyncio.sleep(rng.uniform(0.0, 0.05))
                    if not task.done():
                        task.cancel()
                        crashes += 1
                try:
                    outcome = await task
                except asyncio.CancelledError:
                    unreliable_gets(faults)  # an unused POST fault must not hit the next attempt
                    outcomes["killed mid-attempt"] += 1
                    restarted = store.load(cid)  # what a restarted app finds on disk
                    if restarted is None:
                        break  # it was sent (and the draft removed) just before the kill
                    draft = restarted
                    continue
                outcomes[outcome.status.value] += 1
                unreliable_gets(faults)
                if outcome.sent:
                    break
                assert outcome.draft is not None, "an unsent reply must keep its draft"
                draft = outcome.draft  # not sent, or unknown: the next send checks first
            else:
                gave_up += 1
    finally:
        elapsed = time.monotonic() - started
        faults.clear()
        faults.methods = None
    # The verdict, with every fault off.
    copies: collections.Counter[str] = collections.Counter()
    for cid in set(markers.values()):
        for reply in server.state.replies(cid):
            for marker in markers:
                if marker in reply["html_body"]:
                    copies[marker] += 1
    remaining = {d.conversation_id: d for d in store.list()}
    kept_markers = {m for m in markers if any(m in d.text for d in remaining.values())}
    lost = [m for m in markers if copies[m] == 0 and m not in kept_markers]
    duplicates = sum(count - 1 for count in copies.values() if count > 1)
    await client.aclose()
    server.stop()

    print(f"replies written          {sends}")
    print(f"attempts (send calls)    {attempts_total}")
    print(f"POSTs the server saw     {server.count('POST', REPLY)}")
    print(f"replies on the server    {sum(copies.values())}")
    print(f"drafts left on disk      {len(remaining)} (given up after {MAX_ATTEMPTS} attempts: {gave_up})")
    print(f"simulated kills          {crashes}")
    print(f"time                     {elapsed:.1f} s")
    print("outcomes of send calls:")
    for status in [s.value for s in SendStatus] + ["killed mid-attempt"]:
        print(f"  {status:<22} {outcomes[status]}")
    print("POST faults injected:")
    for label, *_ in POST_FAULTS[1:]:
        print(f"  {label:<22} {injected[label]}")
    print(f"DRAFTS LOST              {len(lost)}")
    print(f"DUPLICATE REPLIES        {duplicates}")
    return 0 if not lost and not duplicates else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sends", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--crash-rate", type=float, default=0.05, help="share of attempts killed mid-way")
    options = parser.parse_args()
    # The demo server logs a client that vanished mid-request (our simulated kills): not news here.
    logging.getLogger().addHandler(logging.NullHandler())
    return asyncio.run(run(options.sends, options.seed, options.crash_rate))


if __name__ == "__main__":
    raise SystemExit(main())
