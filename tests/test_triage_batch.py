"""A triage action over marked conversations, run through the triage service with a stand-in client.

Each test is what the SDR sees (the model) and what the server received (the stand-in's calls):
every change shown at once, requests paced, refusals rolled back one by one, labels journalled,
and one undo for the whole batch.
"""

from __future__ import annotations

import asyncio

import pytest
from test_inbox_model import NOW, Clockwork, conversation, page_of
from test_triage_service import StandIn

from unibox_tui.api.errors import RateLimitedError, ValidationError
from unibox_tui.api.models import BlocklistEntry
from unibox_tui.clock import TickingClock
from unibox_tui.domain.bulk import BulkChange, BulkKind, Pacer
from unibox_tui.domain.inbox_model import InboxModel, PageKey
from unibox_tui.domain.triage_batch import Batch
from unibox_tui.domain.triage_service import TriageService
from unibox_tui.store.journal import Labelled, Unlabelled
from unibox_tui.store.local_triage import LocalTriageStore

IDS = [f"c{i}" for i in range(8)]


class Sleeper:
    """``asyncio.sleep`` for the pacer that moves the model's monotonic clock instead of waiting."""

    def __init__(self, clockwork: Clockwork) -> None:
        self.clockwork = clockwork
        self.slept: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.clockwork.now += seconds
        await asyncio.sleep(0)


@pytest.fixture
def clockwork() -> Clockwork:
    return Clockwork()


@pytest.fixture
def model(tmp_path, clockwork) -> InboxModel:
    local = LocalTriageStore(tmp_path / "local-triage.json", "https://server.example")
    model = InboxModel(page_size=len(IDS), local=local, clock=TickingClock(NOW), monotonic=clockwork)
    key = PageKey("primary", "", 1, len(IDS))
    items = [conversation(i, label="interested", override="referral" if i == "c7" else None) for i in IDS]
    page = page_of(items, total=len(IDS))
    model.page_arrived(key, page)
    model.show_page(key, page)
    return model


@pytest.fixture
def journal() -> list:
    return []


@pytest.fixture
def sleeper(clockwork) -> Sleeper:
    return Sleeper(clockwork)


@pytest.fixture
def service(model, journal, sleeper) -> TriageService:
    client = StandIn()
    service = TriageService(model, lambda: client, journal=journal.append, pacer=Pacer(rate=5, burst=5), sleep=sleeper)
    service.stand_in = client  # type: ignore[attr-defined]
    return service


def patched(service) -> list[str]:
    return [call[1] for call in service.stand_in.calls if call[0] == "PATCH"]


async def test_a_batch_shows_at_once_sends_paced_and_skips_what_needs_nothing(model, service, journal, sleeper):
    batch = Batch.start(service, BulkChange(BulkKind.LABEL, label="referral"), IDS)
    # Optimistic, like a single label: every row shows it before any request ran.
    assert all(model.row(i).label == "Referral" and model.row(i).label_manual for i in IDS)
    assert [r.reason for r in batch.plan.skipped] == ["already Referral"]  # c7 had it
    await batch.execute()
    assert patched(service) == IDS[:7] and all(not model.conversation(i).unread for i in IDS[:7])
    # Five at once, then one every 0.2 s: two waits for the sixth and seventh.
    assert sleeper.slept == pytest.approx([0.2, 0.2])
    assert batch.summary_line() == "Labelled 7 of 8 Referral; 1 skipped: C7 (already Referral)."
    assert [(e.conversation_id, e.label) for e in journal] == [(i, "referral") for i in IDS[:7]]
    assert all(isinstance(e, Labelled) and e.at == pytest.approx(NOW.timestamp(), abs=5) for e in journal)


async def test_a_refused_conversation_is_rolled_back_alone_and_undo_takes_back_the_rest(model, service, journal):
    client = service.stand_in
    client.failures = [ValidationError("Reachkit refused it: locked conversation.", status=422)]
    batch = Batch.start(service, BulkChange(BulkKind.LABEL, label="not_now"), IDS[:4])
    await batch.execute()
    assert batch.refused_ids() == ["c0"]
    assert model.row("c0").label == "Interested" and not model.row("c0").label_manual  # back to the AI's
    assert model.row("c0").unread
    assert [model.row(i).label for i in IDS[1:4]] == ["Not now"] * 3
    assert "1 refused: C0 (Reachkit refused it: locked conversation.)" in batch.summary_line()

    undo = service.undo()
    assert undo.batch is not None
    client.calls.clear()
    await undo.batch.execute()
    # One undo, every applied conversation: label cleared and unread again, exactly as before.
    assert client.calls == [("PATCH", i, False, None, True) for i in IDS[1:4]]
    assert all(model.row(i).label == "Interested" and model.row(i).unread for i in IDS[1:4])
    assert [type(e) for e in journal] == [Labelled] * 3 + [Unlabelled] * 3
    assert undo.batch.summary_line() == "Undid Not now on 3 of 3."
    assert not service.can_undo


async def test_undo_while_the_batch_runs_stops_it_and_takes_back_only_what_was_sent(model, service):
    client = service.stand_in
    batch = Batch.start(service, BulkChange(BulkKind.READ), IDS[:6])
    gate = client.gate = asyncio.Event()
    running = asyncio.ensure_future(batch.execute())
    await asyncio.sleep(0.01)
    undo = service.undo().batch  # the first PATCH is still in flight
    gate.set()
    await undo.execute()
    await running
    sent = patched(service)
    assert sent == ["c0", "c0"]  # read, then unread again: nothing else was sent
    assert "5 not sent (stopped)" in batch.summary_line()
    assert all(model.row(i).unread for i in IDS[:6])  # the unsent ones were taken off the screen


async def test_a_block_batch_reads_the_blocklist_once_and_its_undo_deletes_only_what_it_made(model, service):
    client = service.stand_in
    client.blocklist = [BlocklistEntry(id="old", email="c1@lead.example")]
    batch = Batch.start(service, BulkChange(BulkKind.BLOCK), IDS[:3])
    assert model.blocked == frozenset(IDS[:3])
    await batch.execute()
    assert [c for c in client.calls if c[0] != "PATCH"] == [
        ("GET blocklist",), ("POST blocklist", "c0@lead.example"), ("POST blocklist", "c2@lead.example"),
    ]
    await service.undo().batch.execute()
    assert [entry.id for entry in client.blocklist] == ["old"]  # someone else's entry stays
    assert model.blocked == frozenset()


async def test_a_429_pauses_the_rest_of_the_batch_for_its_retry_after(model, service, sleeper):
    service.stand_in.failures = [RateLimitedError("Too many requests.", status=429, retry_after=3)]
    batch = Batch.start(service, BulkChange(BulkKind.READ), IDS[:3])
    await batch.execute()
    assert batch.refused_ids() == ["c0"]
    assert sleeper.slept and sleeper.slept[0] == pytest.approx(3.0)


async def test_a_batch_the_server_refuses_whole_leaves_nothing_to_undo(model, service):
    service.stand_in.failures = [ValidationError("No.", status=422)] * 2
    batch = Batch.start(service, BulkChange(BulkKind.ACCEPT_AI), IDS[:2])
    await batch.execute()
    assert batch.refused_ids() == ["c0", "c1"] and not service.can_undo
