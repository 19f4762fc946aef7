"""The triage rules and the local store, without a terminal."""

from __future__ import annotations

import json
import os
import stat
import threading

import pytest

from unibox_tui.api import Conversation
from unibox_tui.api.models import LABELS
from unibox_tui.render.thread import ConversationRow
from unibox_tui.domain.triage import (
    DIRECT_LABELS,
    GRACE_SECONDS,
    PICKER_LABELS,
    Change,
    Pending,
    apply_change,
    block_targets,
    first_needing_triage,
    needs_triage,
    next_needing_triage,
)
from unibox_tui.store.local_triage import FILE_NAME, LocalTriageStore


def make_row(ident: str, *, unread: bool = False, manual: bool = False) -> ConversationRow:
    return ConversationRow(
        id=ident, lead="x", lead_email="x@y.z", subject="s", snippet="", date="", unread=unread,
        attachments=False, closed=False, label="Interested" if manual else "", label_manual=manual,
    )


def make_conversation(*, unread: bool = True, messages: int = 2, label: str | None = "interested") -> Conversation:
    raw_messages = [
        {"direction": "outgoing", "subject": "hi", "email_date": "2026-05-01T10:00:00Z", "is_read": True},
        *[
            {"direction": "incoming", "subject": "re", "email_date": f"2026-05-0{2 + i}T10:00:00Z", "is_read": not unread}
            for i in range(messages - 1)
        ],
    ]
    return Conversation.from_api({"id": "c1", "messages": raw_messages, "label": label})


def test_every_label_has_exactly_one_key_and_keys_do_not_clash():
    keyed = [label for _, label in DIRECT_LABELS + PICKER_LABELS]
    assert sorted(keyed) == sorted(LABELS)
    keys = [key for key, _ in DIRECT_LABELS + PICKER_LABELS]
    assert len(set(keys)) == len(keys) and "0" not in keys
    assert [key for key, _ in DIRECT_LABELS] == list("123456789")


def test_needs_triage_is_unread_or_without_a_label_of_ones_own():
    assert needs_triage(make_row("a", unread=True, manual=True))
    assert needs_triage(make_row("a", unread=False, manual=False))
    assert not needs_triage(make_row("a", unread=False, manual=True))
    assert not needs_triage(make_row("a", unread=True), done={"a"})  # blocked this session
    assert not needs_triage(make_row("#1-0", unread=True))  # no real id: cannot be triaged


def test_next_needing_triage_goes_forward_then_wraps_and_never_returns_the_start():
    rows = [make_row("a"), make_row("b", manual=True), make_row("c"), make_row("d", manual=True)]
    assert next_needing_triage(rows, 0) == 2
    assert next_needing_triage(rows, 2) == 0  # wraps to what was skipped above
    assert next_needing_triage(rows, 2, done={"a"}) is None
    assert next_needing_triage([make_row("a")], 0) is None
    assert next_needing_triage([], 0) is None
    assert first_needing_triage([make_row("a", manual=True), make_row("b")]) == 1


def test_apply_change_sets_the_label_and_read_state_like_the_patch():
    conversation = make_conversation(unread=True)
    changed = apply_change(conversation, Change(True, "referral", True))
    assert changed.label_override == "referral" and not changed.unread and changed.label == "interested"
    cleared = apply_change(changed, Change(True, None, False))
    assert cleared.label_override is None and cleared.unread


def test_pending_rolls_back_only_what_the_failed_request_alone_set():
    pending = Pending(messages=2)
    pending.add(Change(True, "interested", True), seq=1, messages=2)
    pending.add(Change(read=False), seq=2, messages=2)
    pending.done(1, now=0.0, ok=False)
    # The label was request 1's alone: gone. The read state belongs to request 2 now: kept.
    assert pending.change == Change(False, None, False)
    assert not pending.empty and pending.settled_at is None
    pending.done(2, now=5.0, ok=True)
    assert pending.settled_at == 5.0


def test_pending_gives_way_to_the_server_once_it_agrees_or_the_grace_is_over():
    server = make_conversation(unread=True)
    pending = Pending(messages=2)
    pending.add(Change(True, "not_now", True), seq=1, messages=2)
    assert not pending.expired(server, now=1000.0)  # in flight: always shown
    pending.done(1, now=10.0, ok=True)
    assert pending.apply(server).label_override == "not_now"
    assert not pending.expired(server, now=10.0 + GRACE_SECONDS - 1)  # a stale copy fetched earlier
    assert pending.expired(server, now=10.0 + GRACE_SECONDS + 1)
    assert pending.expired(apply_change(server, pending.change), now=11.0)


def test_new_mail_beats_a_read_mark():
    pending = Pending(messages=2)
    pending.add(Change(read=True), seq=1, messages=2)
    assert not pending.apply(make_conversation(unread=True, messages=2)).unread
    assert pending.apply(make_conversation(unread=True, messages=3)).unread


@pytest.mark.parametrize(
    ("address", "posted", "domain"),
    [
        ("dana@acme.com", "dana@acme.com", "@acme.com"),
        ("  Dana.Lee@Acme.CO.uk ", "Dana.Lee@Acme.CO.uk", "@acme.co.uk"),
        ("someone@gmail.com", "someone@gmail.com", None),
        ("someone@yahoo.co.jp", "someone@yahoo.co.jp", None),
    ],
)
def test_block_targets_are_exactly_what_will_be_posted(address, posted, domain):
    targets = block_targets(address)
    assert (targets.address, targets.domain) == (posted, domain)
    if domain is None:
        assert "shared mail provider" in targets.domain_problem


@pytest.mark.parametrize(
    "address",
    ["", "no-at-sign", "a@b", "evil\u202e@acme.com", "x@acme.com\x1b]0;t\x07", "a b@acme.com", "<a@acme.com>", "a@acme.com,b@c.com"],
)
def test_block_targets_refuse_what_cannot_be_shown_exactly(address):
    targets = block_targets(address)
    assert targets.address is None and targets.domain is None and targets.problem


# --- the local store -----------------------------------------------------------------------------


def test_the_store_round_trips_per_server_with_private_permissions(tmp_path):
    path = tmp_path / "p" / FILE_NAME
    store = LocalTriageStore(path, "https://a.example")
    store.set_label("c1", "interested")
    store.set_read("c1", True, messages=3)
    store.save()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    again = LocalTriageStore(path, "https://a.example")
    again.load()
    assert again.label("c1") == "interested"
    assert again.read_state("c1", 3) is True
    assert again.read_state("c1", 4) is None  # new mail since: the mark no longer applies
    other = LocalTriageStore(path, "https://b.example")
    other.load()
    assert other.label("c1") is None  # ids are only unique within a server


def test_two_copies_of_the_app_do_not_erase_each_others_labels(tmp_path):
    path = tmp_path / FILE_NAME
    first, second = LocalTriageStore(path, "s"), LocalTriageStore(path, "s")
    first.load()
    second.load()
    first.set_label("c1", "interested")
    first.save()
    second.set_label("c2", "not_now")
    second.set_label("c1", None)  # second clears c1 after first set it: the later change wins
    second.save()
    third = LocalTriageStore(path, "s")
    third.load()
    assert (third.label("c1"), third.label("c2")) == (None, "not_now")
    first.load()
    assert first.label("c2") == "not_now"


def test_a_damaged_file_is_set_aside_not_trusted(tmp_path):
    path = tmp_path / FILE_NAME
    path.write_text("{not json")
    store = LocalTriageStore(path, "s")
    store.load()
    assert store.label("x") is None and "damaged" in store.problem
    assert (tmp_path / (FILE_NAME + ".bad")).read_text() == "{not json"
    path.write_text(json.dumps({"version": 1, "servers": {"s": {"labels": {"c": {"label": "../../etc"}, "d": {"label": "referral"}}}}}))
    store.load()
    assert store.label("c") is None and store.label("d") == "referral"


def test_a_failed_save_keeps_the_changes_for_the_next_try(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    store = LocalTriageStore(blocker / FILE_NAME, "s")
    store.set_label("c1", "interested")
    with pytest.raises(OSError):
        store.save()
    assert store.dirty and store.label("c1") == "interested"


def test_saves_from_threads_never_leave_a_partial_file(tmp_path):
    path = tmp_path / FILE_NAME
    store = LocalTriageStore(path, "s")

    def work(offset: int) -> None:
        for i in range(20):
            store.set_label(f"c{offset + i}", "interested")
            store.save()

    threads = [threading.Thread(target=work, args=(n * 100,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    saved = json.loads(path.read_text())
    assert len(saved["servers"]["s"]["labels"]) == 80
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
