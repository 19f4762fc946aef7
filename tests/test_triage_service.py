"""The triage service over the inbox model, with a stand-in client: no terminal, no server.

Each test is a transition: an action applied at once, then confirmed, refused (and rolled back),
kept locally, or undone; requests for one conversation land in the order they were made.
"""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import pytest
from test_inbox_model import NOW, PAGE_SIZE, Clockwork, conversation, page_of

from unibox_tui.api import Conversation
from unibox_tui.api.errors import APIError, NotFoundError, UnsupportedError
from unibox_tui.api.models import BlocklistEntry
from unibox_tui.clock import TickingClock
from unibox_tui.domain.inbox_model import ChangeKind, InboxModel, ModelChange, PageKey
from unibox_tui.domain.triage import GRACE_SECONDS
from unibox_tui.domain.triage_service import OutcomeKind, Refusal, TriageService
from unibox_tui.store.local_triage import LocalTriageStore


class StandIn:
    """What the service asks of the client, recorded; answers can be held back or made to fail."""

    def __init__(self) -> None:
        self.capabilities = SimpleNamespace(conversation_patch=None)
        self.calls: list[tuple[Any, ...]] = []
        self.failures: list[BaseException] = []
        self.gate: asyncio.Event | None = None
        self.blocklist: list[BlocklistEntry] = []
        self.block_failures: list[BaseException] = []
        self.delete_failures: list[BaseException] = []
        #: What the PATCH answers (a whole conversation), in turn; none: no body.
        self.results: list[Conversation] = []

    async def update_conversation(self, conversation_id: str, *, is_read: bool | None = None,
                                  label_override: str | None = None, clear_label: bool = False) -> Conversation | None:
        self.calls.append(("PATCH", conversation_id, is_read, label_override, clear_label))
        if self.gate is not None:
            gate, self.gate = self.gate, None
            await gate.wait()
        if self.failures:
            raise self.failures.pop(0)
        return self.results.pop(0) if self.results else None

    async def list_blocklist(self) -> list[BlocklistEntry]:
        self.calls.append(("GET blocklist",))
        return list(self.blocklist)

    async def add_to_blocklist(self, email: str) -> list[BlocklistEntry]:
        self.calls.append(("POST blocklist", email))
        if self.block_failures:
            raise self.block_failures.pop(0)
        entry = BlocklistEntry(id=f"b{len(self.blocklist) + 1}", email=email.lower())
        self.blocklist.append(entry)
        return [entry]

    async def delete_blocklist_entry(self, entry_id: str) -> None:
        self.calls.append(("DELETE blocklist", entry_id))
        if self.delete_failures:
            raise self.delete_failures.pop(0)
        self.blocklist = [entry for entry in self.blocklist if entry.id != entry_id]


@pytest.fixture
def client() -> StandIn:
    return StandIn()


@pytest.fixture
def clockwork() -> Clockwork:
    return Clockwork()


@pytest.fixture
def model(tmp_path, clockwork) -> InboxModel:
    local = LocalTriageStore(tmp_path / "local-triage.json", "https://server.example")
    model = InboxModel(page_size=PAGE_SIZE, local=local, clock=TickingClock(NOW), monotonic=clockwork)
    key = PageKey("primary", "", 1, PAGE_SIZE)
    page = page_of([conversation("a"), conversation("b"), conversation("c", unread=False, override="referral")], total=3)
    model.page_arrived(key, page)
    model.show_page(key, page)
    return model


@pytest.fixture
def service(model, client) -> TriageService:
    return TriageService(model, lambda: client)


async def run(action) -> list:
    return [await request() for request in action.requests]


async def test_a_label_shows_at_once_is_saved_and_moves_on(model, service, client):
    seen: list[ModelChange] = []
    model.subscribe(seen.append)
    action = service.set_label("a", "interested")
    # Optimistic: the model shows it before any request ran.
    assert model.conversation("a").label_override == "interested" and not model.conversation("a").unread
    assert model.row("a").label_manual and action.advance
    assert (ChangeKind.ROWS, frozenset({"a"})) in [(c.kind, c.ids) for c in seen]
    outcomes = await run(action)
    assert [o.kind for o in outcomes] == [OutcomeKind.SAVED]
    assert client.calls == [("PATCH", "a", True, "interested", False)]
    assert model.server_copy("a").label_override == "interested"  # the saved copy is kept
    assert model.next_needing_triage("a") == "b"


async def test_the_same_label_again_only_moves_on_and_clearing_the_ais_is_refused(model, service, client):
    assert service.set_label("c", "referral").advance and client.calls == []
    assert service.set_label("b", None).refused is Refusal.NO_OWN_LABEL
    assert service.set_label("gone", "referral").refused is Refusal.NOT_LOADED


async def test_a_refused_request_rolls_back_only_what_it_set(model, service, client):
    client.failures = [APIError("Unprocessable", status=422)]
    label = service.set_label("a", "not_now")  # label + read
    read = service.toggle_read("a")  # unread again, a later request
    outcomes = [await label.requests[0](), await read.requests[0]()]
    assert outcomes[0].kind is OutcomeKind.FAILED and outcomes[0].what == "Not now on A"
    shown = model.conversation("a")
    assert shown.label_override is None  # the label was the failed request's alone: gone
    assert shown.unread  # the read state was set later, by the request that succeeded: kept
    undo = service.undo()
    assert undo.undone.what == "marked unread: A"  # the failed action left the stack
    await run(undo)
    assert not service.can_undo


async def test_requests_about_one_conversation_land_in_the_order_they_were_made(service, client):
    gate = client.gate = asyncio.Event()
    first = asyncio.ensure_future(service.set_label("a", "interested").requests[0]())
    second = asyncio.ensure_future(service.undo().requests[0]())
    await asyncio.sleep(0.01)
    assert len(client.calls) == 1  # the undo waits for the label to land
    gate.set()
    await asyncio.gather(first, second)
    assert client.calls == [("PATCH", "a", True, "interested", False), ("PATCH", "a", False, None, True)]


async def test_an_unexpected_error_rolls_back_like_a_refusal(model, service, client):
    client.failures = [RuntimeError("boom")]
    outcomes = await run(service.set_label("a", "referral"))
    assert outcomes[0].kind is OutcomeKind.FAILED and isinstance(outcomes[0].error, RuntimeError)
    assert model.conversation("a").label_override is None and model.conversation("a").unread


async def test_a_conversation_gone_from_the_server_loses_its_mark(model, service, client):
    model.mark("a")
    client.failures = [NotFoundError("gone", status=404)]
    outcomes = await run(service.toggle_read("a"))
    assert outcomes[0].kind is OutcomeKind.FAILED and model.marked() == ()


async def test_a_saved_change_wins_over_a_lagging_server_until_the_grace_is_over(model, service, client, clockwork):
    # The server stored the label but still reports the conversation unread (it lags).
    client.results = [conversation("a", override="meeting_requested")]
    await run(service.set_label("a", "meeting_requested"))
    assert model.server_copy("a").unread and not model.conversation("a").unread
    clockwork.now += GRACE_SECONDS + 1
    assert model.conversation("a").unread and model.pending("a") is None  # the server wins


async def test_a_saved_change_the_server_agrees_with_is_no_longer_pending(model, service):
    await run(service.set_label("a", "meeting_requested"))
    assert model.pending("a") is None and model.conversation("a").label_override == "meeting_requested"


async def test_without_patch_changes_are_kept_locally_and_the_first_says_so(model, service, client):
    client.failures = [UnsupportedError("no PATCH", capability="conversation_patch")]
    outcomes = await run(service.set_label("a", "interested"))
    assert outcomes[0].kind is OutcomeKind.LOCAL and outcomes[0].first_local
    assert model.local_label("a") == "interested" and model.row("a").label_local and service.local_dirty
    client.capabilities.conversation_patch = False  # the client now knows: no request at all
    action = service.set_label("b", "referral")
    assert action.requests == () and model.local_label("b") == "referral"
    assert len(client.calls) == 1
    service.save_local()
    assert not service.local_dirty
    undo = service.undo()
    assert undo.requests == () and model.local_label("b") is None


async def test_a_server_that_keeps_labels_again_replaces_a_local_one(model, service, client):
    model.local.set_label("a", "referral")
    await run(service.set_label("a", "interested"))
    assert model.local_label("a") is None and model.conversation("a").label_override == "interested"


async def test_undo_puts_back_the_state_before_and_says_where(model, service, client):
    await run(service.set_label("a", "unsubscribe"))
    undo = service.undo()
    assert undo.undone.conversation_id == "a" and undo.undone.page == 1
    assert model.conversation("a").unread and model.conversation("a").label_override is None  # at once
    await run(undo)
    assert client.calls[-1] == ("PATCH", "a", False, None, True)
    assert service.undo().refused is Refusal.NOTHING_TO_UNDO


async def test_block_posts_the_value_counts_as_triaged_and_undo_deletes_it(model, service, client):
    action = service.block("a", "a@lead.example")
    assert "a" in model.blocked and action.advance and not model.needs_triage("a")
    outcomes = await run(action)
    assert [o.kind for o in outcomes] == [OutcomeKind.SAVED, OutcomeKind.BLOCKED]
    assert ("POST blocklist", "a@lead.example") in client.calls
    undo = service.undo()
    assert "a" not in model.blocked
    outcomes = await run(undo)
    assert OutcomeKind.UNBLOCKED in [o.kind for o in outcomes] and client.blocklist == []
    assert model.conversation("a").unread  # the read mark the block made is taken back too


async def test_an_address_blocked_before_is_never_deleted_by_undo(model, service, client):
    client.blocklist = [BlocklistEntry(id="old", email="@lead.example")]
    outcomes = await run(service.block("c", "@lead.example"))
    assert outcomes[-1].kind is OutcomeKind.ALREADY_BLOCKED
    undo = service.undo()
    assert undo.undone.already_blocked
    assert [o.kind for o in await run(undo)] == [OutcomeKind.NOTHING]
    assert [c[0] for c in client.calls] == ["GET blocklist"]


async def test_a_refused_block_is_rolled_back_and_leaves_the_undo_stack(model, service, client):
    client.block_failures = [APIError("nope", status=500)]
    outcomes = await run(service.block("c", "c@lead.example"))
    assert outcomes[-1].kind is OutcomeKind.NOT_BLOCKED
    assert "c" not in model.blocked and not service.can_undo


async def test_a_failed_unblock_blocks_again(model, service, client):
    await run(service.block("c", "c@lead.example"))
    client.delete_failures = [APIError("nope", status=500)]
    outcomes = await run(service.undo())
    assert outcomes[0].kind is OutcomeKind.STILL_BLOCKED and "c" in model.blocked


async def test_opening_marks_read_once_and_only_when_asked_to(model, client):
    service = TriageService(model, lambda: client)
    await run(service.opened("a"))
    assert client.calls == [("PATCH", "a", True, None, False)]
    assert service.opened("a").requests == ()  # read already
    assert not service.can_undo  # opening is not an action to undo
    quiet = TriageService(model, lambda: client, mark_read_on_open=lambda: False)
    assert quiet.opened("b").requests == ()
    await run(quiet.set_label("b", "referral"))
    assert client.calls[-1] == ("PATCH", "b", None, "referral", False)  # a label alone, read untouched


async def test_accepting_the_ai_label_needs_one_the_server_takes(model, service, client):
    model.remember(conversation("b", label=None))
    assert service.accept_label("b").refused is Refusal.NO_AI_LABEL
    await run(service.accept_label("a"))
    assert client.calls == [("PATCH", "a", True, "interested", False)]


async def test_nothing_to_mark_unread_before_the_lead_wrote(model, service):
    model.remember(Conversation.from_api({"id": "b", "messages": [{"direction": "outgoing", "subject": "hi"}]}))
    assert service.toggle_read("b").refused is Refusal.NOTHING_TO_MARK_UNREAD


async def test_marks_outlive_triage_and_page_turns(model, service, client):
    model.mark("a", "b")
    await run(service.set_label("a", "interested"))
    key = PageKey("primary", "", 2, PAGE_SIZE)
    page = page_of([conversation("d", hours_ago=9)], page=2, total=4)
    model.page_arrived(key, page)
    model.show_page(key, page)
    assert model.marked() == ("a", "b")


async def test_labels_are_journalled_once_confirmed_and_their_undo_once_it_lands(model, client):
    from unibox_tui.store.journal import Labelled, Unlabelled

    journal: list = []
    service = TriageService(model, lambda: client, journal=journal.append)
    client.failures = [APIError("Unprocessable", status=422)]
    await run(service.set_label("a", "not_now"))  # refused: never happened
    label = service.set_label("b", "interested")
    assert journal == []  # shown, not yet confirmed
    await run(label)
    await run(service.toggle_read("b"))  # read marks are not the summary's business
    await run(service.undo())  # the read mark
    await run(service.undo())  # the label
    assert [(type(e), e.conversation_id) for e in journal] == [(Labelled, "b"), (Unlabelled, "b")]
    assert journal[0].label == "interested"
