"""Hundreds of replies through the reply sessions into a faulty server: no draft lost, none sent twice.

Run by hand: ``python tests/benchmarks/send_loop.py [--sends 200] [--seed 1] [--commit-delay 1.0]``

The server stores (and answers) every reply only ``--commit-delay`` seconds after it arrives,
longer than the client's timeout (0.5 s): the client gives up on replies that do go out, and a
look straight away does not find them. On top of that a fault is queued for many POSTs (an error
status before or after the commit, a hang, a dropped connection, a mangled answer), GETs fail at
random (errors, drops, hangs: checks and baselines suffer too), and some attempts are cut short
as if the app were killed (the session is stopped mid-request and a new one is built from the
draft on disk, as the next start does).

Each reply has a scripted user who presses ``ctrl+s`` whenever the composer allows it: a send
while the reply is editable, a look while its delivery is unknown; never "send anyway". The
sessions are ``domain.reply_session.ReplySession``, the very state machine behind the composer,
with the real recheck schedule (5 s, 15 s, 45 s...). A user who has waited ``--patience``
seconds leaves the reply as a draft. At the end, with the faults off and the late commits landed,
each reply still unknown gets one more look and then, only if not found, "send anyway" (the
user's informed choice). Then the server's copies of every reply are counted:

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
from dataclasses import dataclass, field
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from unibox_tui.api import ReachkitClient  # noqa: E402
from unibox_tui.api.client import RetryPolicy  # noqa: E402
from unibox_tui.api.models import Conversation  # noqa: E402
from unibox_tui.clock import system_clock  # noqa: E402
from unibox_tui.demo.server import DemoServer  # noqa: E402
from unibox_tui.domain.reply_session import Happened, Mode, ReplyEvent, ReplyServices, ReplySession  # noqa: E402
from unibox_tui.domain.scheduler import AsyncioScheduler  # noqa: E402
from unibox_tui.store.drafts import Draft, DraftStore  # noqa: E402
from unibox_tui.store.inbox_directory import InboxDirectory  # noqa: E402

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


@dataclass
class Tally:
    presses: collections.Counter[str] = field(default_factory=collections.Counter)
    events: collections.Counter[str] = field(default_factory=collections.Counter)
    injected: collections.Counter[str] = field(default_factory=collections.Counter)
    kills: int = 0
    left_waiting: int = 0
    sent_anyway: int = 0
    found_at_the_end: int = 0


class Loop:
    def __init__(self, options: argparse.Namespace) -> None:
        self.options = options
        self.rng = random.Random(options.seed)
        # One conversation per reply: a conversation has one draft at a time, and a reply left
        # waiting must not be overwritten by the next one.
        self.server = DemoServer(conversations=options.sends + 10, seed=options.seed, now=time.time() - 182 * 86400)
        self.store = DraftStore(Path(tempfile.mkdtemp(prefix="send-loop-")))
        self.tally = Tally()
        self.markers: dict[str, str] = {}
        self.conversations: dict[str, Conversation] = {}
        self.sessions: dict[str, ReplySession] = {}

    def services(self, client: ReachkitClient) -> ReplyServices:
        return ReplyServices(lambda: client, self.store, InboxDirectory(), system_clock, AsyncioScheduler(),
                             lambda: 0.0)

    def unreliable(self) -> None:
        faults = self.server.faults
        faults.seed = self.options.seed
        faults.methods = {"GET"}  # random faults on GETs; POST faults are queued per attempt
        faults.fail_statuses, faults.retry_after, faults.hang_seconds = [500, 503, 429], 0, 1.2
        faults.fail_rate, faults.drop_rate, faults.hang_rate = 0.25, 0.06, 0.04
        faults.reply_commit_delay = self.options.commit_delay

    # -- one user ------------------------------------------------------------------------------

    def new_session(self, services: ReplyServices, draft: Draft, *, on_disk: bool) -> ReplySession:
        session = ReplySession(services, draft, self.conversations[draft.conversation_id], on_disk=on_disk)
        session.events.connect(self.heard)
        self.sessions[draft.conversation_id] = session
        return session

    def heard(self, event: ReplyEvent) -> None:
        if event.kind not in (Happened.DRAFTS_CHANGED, Happened.RELEASED):
            self.tally.events[event.kind.value] += 1

    def queue_post_fault(self, conversation_id: str) -> None:
        label, arguments, _ = self.rng.choices(POST_FAULTS, weights=[w for *_, w in POST_FAULTS])[0]
        if label != "none":
            path = f"/conversations/{conversation_id}/reply$"
            self.server.faults.fail_next(1, method="POST", path=path, **arguments)  # type: ignore[arg-type]
            self.tally.injected[label] += 1

    async def user(self, services: ReplyServices, conversation_id: str, number: int) -> None:
        """Write reply ``number``, press ctrl+s whenever allowed; leave it after ``--patience`` s."""
        marker = f"m{self.options.seed:02d}x{number:05d}"
        self.markers[marker] = conversation_id
        text = f"Reply {number}: **thanks**, see [the deck](https://lanternfish.io/d/{number}) {marker}"
        session = self.new_session(services, Draft(conversation_id), on_disk=False)
        session.edit(text)
        session.flush()
        started = time.monotonic()
        while session is not None and session.mode != Mode.SENT:
            if time.monotonic() - started > self.options.patience:
                self.tally.left_waiting += 1
                return
            session = await self.press_ctrl_s(services, session, text)
            await asyncio.sleep(self.rng.uniform(0.2, 0.8))  # the user's pace

    async def press_ctrl_s(self, services: ReplyServices, session: ReplySession, text: str) -> ReplySession | None:
        if session.mode == Mode.EDITING:
            self.tally.presses["send"] += 1
            self.queue_post_fault(session.conversation_id)
            session.request_send(text)
        elif session.mode == Mode.UNKNOWN:
            self.tally.presses["look"] += 1
            session.check_now("user")
        if session.working and self.rng.random() < self.options.kill_rate:
            await asyncio.sleep(self.rng.uniform(0.0, 0.3))
            return self.restart(services, session)
        return session

    def restart(self, services: ReplyServices, session: ReplySession) -> ReplySession | None:
        """The app is killed: the session stops mid-request; the next start reads the draft from disk.

        ``None``: no draft is left, it was sent (and the draft removed) just before the kill.
        """
        if not session.working:
            return session
        session.stop()
        self.tally.kills += 1
        draft = self.store.load(session.conversation_id)
        if draft is None:
            return None
        fresh = self.new_session(services, draft, on_disk=True)
        fresh.check_now("startup")
        return fresh

    # -- the run ---------------------------------------------------------------------------------

    async def run(self) -> int:
        options = self.options
        self.server.start()
        client = ReachkitClient(self.server.key, self.server.base_url, timeout=httpx.Timeout(0.5, connect=1.0),
                                retry=RetryPolicy(attempts=3, base_delay=0.02, max_delay=0.2, max_retry_after=1))
        ids = self.server.state.conversation_ids()[: options.sends]
        for cid in ids:
            self.conversations[cid] = Conversation.from_api(self.server.state.get_conversation_dict(cid))
        services = self.services(client)
        self.unreliable()
        started = time.monotonic()
        try:
            at_once = asyncio.Semaphore(options.users)

            async def one(number: int, conversation_id: str) -> None:
                async with at_once:
                    await self.user(services, conversation_id, number)

            await asyncio.gather(*(one(number, cid) for number, cid in enumerate(ids)))
            faulty = time.monotonic() - started
            await self.finish(services)
        finally:
            for session in self.sessions.values():
                session.stop()
            await client.aclose()
        elapsed = time.monotonic() - started
        return self.verdict(faulty, elapsed)

    async def finish(self, services: ReplyServices) -> None:
        """Faults off, late commits landed: one more look each, then "send anyway" what is still not found."""
        faults = self.server.faults
        faults.clear()
        faults.methods = None
        await asyncio.sleep(self.options.commit_delay + 1.5)
        for session in list(self.sessions.values()):
            await session.wait_until_idle(30)
            if session.mode in (Mode.SENT, Mode.EDITING):
                continue
            if session.check_now("user"):
                await session.wait_until_idle(30)
            if session.mode == Mode.SENT:
                self.tally.found_at_the_end += 1
                continue
            if session.send_anyway():
                self.tally.sent_anyway += 1
                await session.wait_until_idle(30)
        for session in self.sessions.values():  # an editable one (refused at the end): the user sends it
            if session.mode == Mode.EDITING and session.request_send(session.draft.text):
                await session.wait_until_idle(30)

    def verdict(self, faulty: float, elapsed: float) -> int:
        state, tally = self.server.state, self.tally
        copies: collections.Counter[str] = collections.Counter()
        for cid in set(self.markers.values()):
            for reply in state.replies(cid):
                for marker in self.markers:
                    if marker in reply["html_body"]:
                        copies[marker] += 1
        remaining = self.store.list()
        kept = {m for m in self.markers if any(m in d.text for d in remaining)}
        lost = [m for m in self.markers if copies[m] == 0 and m not in kept]
        duplicates = sum(count - 1 for count in copies.values() if count > 1)
        self.server.stop()
        print(f"replies written           {len(self.markers)} (users at once: {self.options.users})")
        print(f"late commit               every reply stored {self.options.commit_delay} s after its POST; "
              "client timeout 0.5 s")
        print(f"ctrl+s presses            {sum(tally.presses.values())} ({_counts(tally.presses)})")
        print(f"POSTs the server saw      {self.server.count('POST', r'/reply$')}")
        print(f"replies on the server     {sum(copies.values())} ({len(copies)} distinct)")
        print(f"simulated kills           {tally.kills}")
        print(f"left waiting (patience)   {tally.left_waiting}; at the end found {tally.found_at_the_end}, "
              f"sent anyway {tally.sent_anyway}")
        print(f"drafts left on disk       {len(remaining)}")
        print(f"time                      {faulty:.1f} s under faults, {elapsed:.1f} s in all")
        print(f"session events            {_counts(tally.events)}")
        print(f"POST faults injected      {_counts(tally.injected)}")
        print(f"DRAFTS LOST               {len(lost)}")
        print(f"DUPLICATE REPLIES         {duplicates}")
        return 0 if not lost and not duplicates else 1


def _counts(counter: collections.Counter[str]) -> str:
    return ", ".join(f"{key} {value}" for key, value in sorted(counter.items()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sends", type=int, default=200)
    parser.add_argument("--users", type=int, default=25, help="replies being written at once (one per conversation)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--commit-delay", type=float, default=1.0, help="seconds before the server stores a reply")
    parser.add_argument("--patience", type=float, default=25.0, help="seconds a user keeps pressing ctrl+s")
    parser.add_argument("--kill-rate", type=float, default=0.05, help="share of requests cut short by a kill")
    options = parser.parse_args()
    # The demo server logs a client that vanished mid-request (our simulated kills): not news here.
    logging.getLogger().addHandler(logging.NullHandler())
    return asyncio.run(Loop(options).run())


if __name__ == "__main__":
    raise SystemExit(main())
