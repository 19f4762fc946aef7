"""The follow-ups overlay of the inbox model, and the Followups service, without a terminal."""

from __future__ import annotations

import datetime as dt

from test_inbox_model import NOW, PAGE_SIZE, conversation, page_of, show

from unibox_tui.clock import TickingClock
from unibox_tui.domain.followups import Followups
from unibox_tui.domain.inbox_model import ChangeKind, InboxModel, PageKey, RowNote
from unibox_tui.domain.ooo_dates import ReturnDates
from unibox_tui.domain.reply_session import Happened, ReplyEvent
from unibox_tui.store.drafts import Draft
from unibox_tui.store.followups import FollowupStore
from unibox_tui.store.local_triage import LocalTriageStore


def make_model(tmp_path) -> InboxModel:
    local = LocalTriageStore(tmp_path / "local-triage.json", "https://server.example")
    return InboxModel(page_size=PAGE_SIZE, local=local, clock=TickingClock(NOW))


def test_hidden_rows_close_up_and_the_cursor_moves_to_the_next_one(tmp_path):
    model = make_model(tmp_path)
    show(model, [conversation("a"), conversation("b"), conversation("c")], cursor="b")
    seen = []
    model.subscribe(seen.append)
    model.set_overlay(hidden={"b"})
    assert [row.id for row in model.rows] == ["a", "c"] and model.cursor_id == "c"
    assert seen[0].kind is ChangeKind.PAGE
    assert model.counts().unread == 2  # the hidden one is not counted
    model.set_overlay(hidden={"b", "c"})
    assert [row.id for row in model.rows] == ["a"] and model.cursor_id == "a"  # the last one: the previous row
    seen.clear()
    model.set_overlay(hidden={"b", "c"})
    assert seen == []  # nothing changed, nothing announced


def test_pins_go_atop_page_one_of_their_folder_and_a_dropped_pin_waits_for_the_next_paint(tmp_path):
    model = make_model(tmp_path)
    older = conversation("z", hours_ago=50)
    model.page_arrived(PageKey("primary", "", 2, PAGE_SIZE), page_of([older], page=2, total=4))
    key = show(model, [conversation("a"), conversation("b"), conversation("c")], total=4)
    model.set_overlay(pinned={"primary": ["z"]}, notes={"z": RowNote(woken="back · snooze ended")})
    assert [row.id for row in model.rows] == ["z", "a", "b", "c"] and model.rows[0].woken == "back · snooze ended"
    model.set_overlay(pinned={}, notes={})  # opened: no longer back
    assert [row.id for row in model.rows] == ["z", "a", "b", "c"] and model.rows[0].woken == ""
    model.show_page(key, model.current_page)  # the next paint
    assert [row.id for row in model.rows] == ["a", "b", "c"]


def test_notes_alone_patch_rows(tmp_path):
    model = make_model(tmp_path)
    show(model, [conversation("a"), conversation("b")])
    seen = []
    model.subscribe(seen.append)
    model.set_overlay(notes={"b": RowNote(away="back 1 Jun")})
    assert model.row("b").away == "back 1 Jun"
    assert [(c.kind, c.ids) for c in seen] == [(ChangeKind.ROWS, {"b"})]


def test_a_return_date_is_kept_per_message_and_a_past_one_is_not_shown():
    dates = ReturnDates()
    away = conversation("a", label="out_of_office")
    candidate = dates.candidate(away, folder="primary", label="out_of_office")
    assert candidate is not None and dates.wanted([away], folder="primary", label_of=lambda c: c.label) == [candidate]
    dates.learn(candidate.key, dt.date(2026, 6, 1))
    assert dates.wanted([away], folder="primary", label_of=lambda c: c.label) == []  # read once
    assert dates.back_on(away, dt.date(2026, 5, 28)) == dt.date(2026, 6, 1)
    assert dates.back_on(away, dt.date(2026, 6, 2)) is None  # past
    assert dates.candidate(conversation("b"), folder="primary", label="interested") is None
    assert dates.candidate(conversation("c", label=None), folder="others", label=None).must_look_automatic


class _Session:
    def __init__(self, conversation_id: str, remind: str | None, conversation=None) -> None:
        self.conversation_id = conversation_id
        self.draft = Draft(conversation_id, remind=remind)
        self.conversation = conversation


def test_a_reminder_is_recorded_only_for_a_confirmed_reply_with_one_chosen(tmp_path):
    model = make_model(tmp_path)
    show(model, [conversation("a"), conversation("b")])
    store = FollowupStore(tmp_path / "followups.json", "https://server.example", clock=TickingClock(NOW))
    service = Followups(store, model, clock=TickingClock(NOW), zone=dt.UTC)
    default = lambda: "off"  # noqa: E731
    service.reply_event(ReplyEvent(Happened.NOT_SENT, _Session("a", "2d")), default)  # type: ignore[arg-type]
    service.reply_event(ReplyEvent(Happened.SENT, _Session("b", None)), default)  # type: ignore[arg-type]
    assert store.reminders() == []
    service.reply_event(ReplyEvent(Happened.SENT, _Session("a", "2d")), default)  # type: ignore[arg-type]
    service.reply_event(ReplyEvent(Happened.SENT, _Session("b", None)), lambda: "1w")  # type: ignore[arg-type]
    due = {r.conversation_id: r.due_at - NOW for r in store.reminders()}
    assert abs(due["a"] - dt.timedelta(days=2)).total_seconds() < 5
    assert abs(due["b"] - dt.timedelta(weeks=1)).total_seconds() < 5
    assert all(r.incoming == 1 for r in store.reminders())  # one incoming message each: one more is a reply


def test_a_snooze_wakes_on_a_polled_page_even_when_an_older_re_read_is_held(tmp_path):
    model = make_model(tmp_path)
    show(model, [conversation("a"), conversation("b")])
    model.remember(conversation("b"))  # opened (re-read) before it was snoozed
    store = FollowupStore(tmp_path / "followups.json", "https://server.example", clock=TickingClock(NOW))
    service = Followups(store, model, clock=TickingClock(NOW), zone=dt.UTC)
    assert service.snooze(["b"], NOW + dt.timedelta(days=3)) == (["b"], [])
    assert [row.id for row in model.rows] == ["a"]
    polled = page_of([conversation("b", hours_ago=0.1, messages=3), conversation("a")])  # the lead wrote again
    model.absorb_poll(PageKey("primary", "", 1, PAGE_SIZE), polled, asked_at=0.0)
    assert service.check().woken == ("b",)
    assert store.back_mark("b").kind == "new_reply" and not store.is_snoozed("b")
