"""Lead context for 50 conversations in a workspace of 40 campaigns: ``python tests/benchmarks/bench_leads.py``.

The API has no cross-campaign lead search, so showing whom a conversation's lead is costs one
search per campaign. Against the local server with a real rate limit (``--rate-limit``, default
10/s), the lead context of 50 conversations is looked up as moving down the list does it (one
lookup at a time, cached), three ways, interleaved:

- ``no budget``: every request for itself (the budget switched off: no pacing, no shared pause);
- ``budget``: the client's request budget (``api/budget.py``) at its defaults;
- ``budget + reply``: the same, with a reply POST sent in the middle: how long it waited.

It prints the requests sent, the 429s drawn, lookups that failed, the wall time, and how long
the reply took against the same reply sent alone (its ratio).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from unibox_tui.api import ReachkitClient, ReachkitError  # noqa: E402
from unibox_tui.api.budget import RequestBudget, background  # noqa: E402
from unibox_tui.api.lead_lookup import LeadFinder  # noqa: E402
from unibox_tui.demo.server import DemoServer  # noqa: E402


def forty_campaigns(server: DemoServer, wanted: int) -> None:
    """Copies of the generated campaigns (no leads of their own) until there are ``wanted``."""
    campaigns = server.state.campaigns
    number = 0
    while len(campaigns) < wanted:
        model = campaigns[number % len(campaigns)]
        campaigns.append(replace(model, id=f"bench-campaign-{number:03d}", name=f"{model.name} ({number})",
                                 leads=[], more_leads=None))
        number += 1


def no_budget() -> RequestBudget:
    budget = RequestBudget(rate=1e6, burst=1_000_000)
    budget.back_off = lambda retry_after: None  # type: ignore[method-assign]
    return budget


async def lookups(server: DemoServer, budget: RequestBudget, conversations: int, reply_to: str | None) -> dict[str, float]:
    server.clear_requests()
    server.rate_limit.configure(server.rate_limit.rate)  # a full bucket for each way
    failed = 0
    reply_took = float("nan")
    async with ReachkitClient(server.key, server.base_url, budget=budget) as client:
        page = await client.list_conversations(page_size=conversations)
        started = time.perf_counter()
        finder = LeadFinder(client)
        reply_task = None
        for number, conversation in enumerate(page.items):
            if reply_to is not None and number == len(page.items) // 2:
                reply_task = asyncio.create_task(_timed_reply(client, reply_to))
            try:
                with background():
                    await finder.find(conversation.lead_email, inbox=conversation.inbox_email)
            except ReachkitError:
                failed += 1
        if reply_task is not None:
            reply_took = await reply_task
        elapsed = time.perf_counter() - started
    records = server.requests
    return {
        "requests": sum(1 for r in records if "/leads" in r.path or r.path.endswith(("/campaigns", "/inboxes"))),
        "429s": sum(1 for r in records if r.status == 429),
        "failed": failed,
        "seconds": elapsed,
        "reply": reply_took,
    }


async def _timed_reply(client: ReachkitClient, conversation_id: str) -> float:
    started = time.perf_counter()
    await client.reply(conversation_id, "<p>Tuesday at 10 works.</p>")
    return time.perf_counter() - started


async def reply_alone(server: DemoServer, conversation_id: str) -> float:
    async with ReachkitClient(server.key, server.base_url) as client:
        await client.list_campaigns()  # the connection is open, as it is in the app
        server.rate_limit.configure(server.rate_limit.rate)
        return await _timed_reply(client, conversation_id)


async def run(options: argparse.Namespace) -> None:
    server = DemoServer(conversations=200, seed=1, rate_limit=options.rate_limit).start()
    try:
        forty_campaigns(server, options.campaigns)
        target = server.state.conversation_ids()[0]
        results: dict[str, list[dict[str, float]]] = {"no budget": [], "budget": [], "budget + reply": []}
        alone: list[float] = []
        for round_number in range(options.rounds):
            ways = list(results)
            ways = ways[round_number % 3:] + ways[:round_number % 3]
            for way in ways:
                budget = no_budget() if way == "no budget" else RequestBudget()
                reply_to = target if way == "budget + reply" else None
                results[way].append(await lookups(server, budget, options.conversations, reply_to))
            alone.append(await reply_alone(server, target))
        print(f"lead context for {options.conversations} conversations, {options.campaigns} campaigns, "
              f"server limit {options.rate_limit:g}/s, {options.rounds} rounds (medians):")
        for way, runs in results.items():
            med = {key: statistics.median(r[key] for r in runs) for key in runs[0]}
            print(f"  {way:<15} requests {med['requests']:5.0f}  429s {med['429s']:4.0f}  "
                  f"failed lookups {med['failed']:3.0f}  {med['seconds']:6.1f} s")
        reply = statistics.median(r["reply"] for r in results["budget + reply"])
        base = statistics.median(alone)
        print(f"  a reply sent mid-way: {reply * 1000:.0f} ms; the same reply alone {base * 1000:.0f} ms "
              f"-> {reply / base:.2f}x")
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--conversations", type=int, default=50)
    parser.add_argument("--campaigns", type=int, default=40)
    parser.add_argument("--rate-limit", type=float, default=10.0)
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
