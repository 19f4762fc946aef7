"""Bulk actions as data: which conversations, what each got, the summary line and one undo for all."""

from __future__ import annotations

import pytest

from unibox_tui.api.models import Conversation
from unibox_tui.domain.bulk import (
    Before,
    BulkChange,
    BulkKind,
    BulkRun,
    Outcome,
    Pacer,
    plan_batch,
)


def conv(index: int, *, label: str | None = "neutral", override: str | None = None, unread: bool = True,
         address: str | None = None, name: str | None = None) -> Conversation:
    return Conversation.from_api(
        {
            "id": f"c{index}",
            "label": label,
            "label_override": override,
            "messages": [
                {"direction": "outgoing", "from_email": "us@lanternfish.io", "to_email": address or f"lead{index}@x{index}.com"},
                {"direction": "incoming", "from_email": address or f"lead{index}@x{index}.com",
                 "from_name": name or f"Lead {index}", "is_read": not unread},
            ],
        }
    )


PAGE = {f"c{i}": conv(i) for i in range(20)}
INTERESTED = BulkChange(BulkKind.LABEL, label="interested")


def test_a_bulk_label_over_20_with_two_refused_reports_both_and_undoes_the_18_applied():
    plan = plan_batch(INTERESTED, list(PAGE), PAGE.get)
    assert len(plan.steps) == 20 and plan.skipped == ()
    run = BulkRun(plan)
    for step in plan.steps:
        if step.conversation_id in ("c4", "c11"):
            run.refused(step.conversation_id, "Label override is not allowed on a closed conversation")
        else:
            run.applied(step.conversation_id)
        if step.conversation_id == "c9":
            assert run.progress_line() == "Labelling Interested: 10 of 20 (1 refused)"
    assert run.finished
    assert run.summary_line() == (
        "Labelled 18 of 20 Interested; 2 refused: Lead 4 (Label override is not allowed on a closed conversation), "
        "Lead 11 (Label override is not allowed on a closed conversation)."
    )
    assert [r.outcome for r in run.results].count(Outcome.APPLIED) == 18
    undo = run.undo()
    assert undo is not None and undo.description == "Interested on 18 conversations"
    assert [b.conversation_id for b in undo.befores] == [f"c{i}" for i in range(20) if i not in (4, 11)]
    assert undo.befores[0] == Before("c0", None, True, None)


def test_conversations_that_need_nothing_are_skipped_up_front_with_a_reason():
    page = {
        "a": conv(1, override="interested"),
        "b": conv(2),
        "#1-3": conv(3),
    }
    plan = plan_batch(INTERESTED, ["a", "b", "gone", "#1-3", "b"], page.get)
    assert [s.conversation_id for s in plan.steps] == ["b"]
    assert [(r.conversation_id, r.reason) for r in plan.skipped] == [
        ("a", "already Interested"),
        ("gone", "not loaded any more"),
        ("#1-3", "no id from the server"),
    ]
    assert plan.marked == 4  # "b" marked twice is one conversation
    run = BulkRun(plan)
    run.applied("b")
    assert run.summary_line() == (
        "Labelled 1 of 4 Interested; 3 skipped: Lead 1 (already Interested), gone (not loaded any more), "
        "Lead 3 (no id from the server)."
    )


@pytest.mark.parametrize(
    ("change", "conversation", "reason"),
    [
        (BulkChange(BulkKind.ACCEPT_AI), conv(1, label=None), "no AI label to accept"),
        (BulkChange(BulkKind.ACCEPT_AI), conv(1, label="question", override="question"), "AI label already accepted"),
        (BulkChange(BulkKind.CLEAR_LABEL), conv(1), "no label of your own"),
        (BulkChange(BulkKind.READ), conv(1, unread=False), "already read"),
        (BulkChange(BulkKind.UNREAD), conv(1, unread=True), "already unread"),
        (BulkChange(BulkKind.UNREAD), Conversation(id="c1"), "nothing from the lead yet"),
    ],
)
def test_each_kind_knows_when_it_has_nothing_to_do(change, conversation, reason):
    plan = plan_batch(change, ["c1"], {"c1": conversation}.get)
    assert [r.reason for r in plan.skipped] == [reason] and plan.steps == ()


def test_blocking_posts_each_sender_once_and_undo_deletes_only_what_the_batch_created():
    page = {
        "c1": conv(1, address="dana@acme.com", name="Dana Lee"),
        "c2": conv(2, address="DANA@acme.com", name="Dana L."),
        "c3": conv(3, address="sam@beta.io", name="Sam Roe"),
        "c4": conv(4, address="pat@gamma.io", name="Pat Kay"),
    }
    change = BulkChange(BulkKind.BLOCK)
    plan = plan_batch(change, list(page), page.get)
    assert [(s.conversation_id, s.block_value) for s in plan.steps] == [
        ("c1", "dana@acme.com"), ("c3", "sam@beta.io"), ("c4", "pat@gamma.io"),
    ]
    assert [r.reason for r in plan.skipped] == ["same sender as Dana Lee: one block covers both"]
    run = BulkRun(plan)
    run.applied("c1", created_blocks=["bl-1"])
    run.applied("c3")  # was on the blocklist already: nothing of ours to delete
    run.refused("c4", "Blocklist limit reached")
    assert run.summary_line() == (
        "Blocked the senders of 2 of 4; 1 refused: Pat Kay (Blocklist limit reached); "
        "1 skipped: Dana L. (same sender as Dana Lee: one block covers both)."
    )
    undo = run.undo()
    assert undo.created_blocks == ("bl-1",)
    assert [b.conversation_id for b in undo.befores] == ["c1", "c3"]


def test_snooze_keeps_each_conversations_previous_snooze_for_undo():
    change = BulkChange(BulkKind.SNOOZE, until=1_780_000_000.0, until_text="Mon 1 Jun 09:00")
    earlier = {"c1": 1_779_000_000.0}
    plan = plan_batch(change, ["c1", "c2"], PAGE.get, snoozed_until=earlier.get)
    run = BulkRun(plan)
    run.applied("c1")
    run.applied("c2")
    undo = run.undo()
    assert [b.snoozed_until for b in undo.befores] == [1_779_000_000.0, None]
    assert run.summary_line() == "Snoozed 2 of 2 until Mon 1 Jun 09:00."
    assert undo.description == "snoozed until Mon 1 Jun 09:00 on 2 conversations"


def test_a_stopped_batch_says_how_many_were_not_sent_and_undoes_only_the_applied():
    plan = plan_batch(BulkChange(BulkKind.READ), ["c1", "c2", "c3"], PAGE.get)
    run = BulkRun(plan)
    run.applied("c1")
    assert not run.finished
    assert run.summary_line() == "Marked 1 of 3 read; 2 not sent (stopped)."
    assert [b.conversation_id for b in run.undo().befores] == ["c1"]


def test_nothing_applied_means_no_undo_entry_and_hostile_sentences_are_cleaned():
    run = BulkRun(plan_batch(INTERESTED, ["c1"], PAGE.get))
    run.refused("c1", "no\x1b]0;pwned\x07 way\n[@click=app.quit]")
    assert run.undo() is None
    assert run.results[0].reason == "no way [@click=app.quit]"
    with pytest.raises(KeyError):
        run.applied("not-in-the-plan")


def test_the_change_is_checked():
    with pytest.raises(ValueError):
        BulkChange(BulkKind.LABEL, label="hot")
    with pytest.raises(ValueError):
        BulkChange(BulkKind.SNOOZE)


def test_the_pacer_allows_a_burst_then_spaces_requests_and_honours_retry_after():
    pacer = Pacer(rate=5.0, burst=3)
    now = 100.0
    for _ in range(3):
        assert pacer.delay(now) == 0
        pacer.sent(now)
    assert pacer.delay(now) == pytest.approx(0.2)
    now += 0.2
    assert pacer.delay(now) == pytest.approx(0.0)
    pacer.sent(now)
    pacer.back_off(now, retry_after=7)
    assert pacer.delay(now + 1) == pytest.approx(6.0)
    assert pacer.delay(now + 7) == pytest.approx(0.0)


def test_twenty_requests_at_five_a_second_take_three_seconds_after_the_burst():
    pacer = Pacer(rate=5.0, burst=5)
    now = 0.0
    for _ in range(20):
        now += pacer.delay(now)
        pacer.sent(now)
    assert now == pytest.approx(3.0)
