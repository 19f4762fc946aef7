"""The inbox model without a terminal or a server: pages, overlays, counts, selection, the signal."""

from __future__ import annotations

import datetime as dt

import pytest

from unibox_tui.api import Conversation, Page
from unibox_tui.clock import TickingClock
from unibox_tui.domain.inbox_model import ChangeKind, InboxModel, ModelChange, PageKey
from unibox_tui.domain.triage import GRACE_SECONDS, Change
from unibox_tui.render.thread import ConversationRow
from unibox_tui.store.local_triage import LocalTriageStore

NOW = dt.datetime(2026, 5, 28, 15, 30, tzinfo=dt.UTC)
PAGE_SIZE = 3


def conversation(ident: str, *, hours_ago: float = 1.0, unread: bool = True, label: str | None = "interested",
                 override: str | None = None, messages: int = 2) -> Conversation:
    when = NOW - dt.timedelta(hours=hours_ago)
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    raw_messages = [
        {"direction": "outgoing", "subject": "hi", "email_date": "2026-05-01T10:00:00Z", "is_read": True,
         "to_email": f"{ident}@lead.example"},
        *[
            {"direction": "incoming", "subject": "re", "email_date": stamp, "is_read": not unread,
             "from_email": f"{ident}@lead.example", "from_name": ident.title(), "text_body": f"from {ident}"}
            for _ in range(messages - 1)
        ],
    ]
    return Conversation.from_api(
        {"id": ident, "messages": raw_messages, "label": label, "label_override": override, "updated_at": stamp}
    )


def page_of(items: list[Conversation], page: int = 1, total: int | None = None) -> Page[Conversation]:
    total = len(items) if total is None else total
    return Page(tuple(items), page, PAGE_SIZE, total, -(-total // PAGE_SIZE))


class Clockwork:
    """A monotonic clock the test moves by hand (grace periods, stale answers)."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clockwork() -> Clockwork:
    return Clockwork()


@pytest.fixture
def local(tmp_path) -> LocalTriageStore:
    return LocalTriageStore(tmp_path / "local-triage.json", "https://server.example")


@pytest.fixture
def model(local, clockwork) -> InboxModel:
    return InboxModel(page_size=PAGE_SIZE, local=local, clock=TickingClock(NOW), monotonic=clockwork)


@pytest.fixture
def changes(model) -> list[ModelChange]:
    seen: list[ModelChange] = []
    model.subscribe(seen.append)
    return seen


def kinds(changes: list[ModelChange]) -> list[ChangeKind]:
    return [change.kind for change in changes]


def show(model: InboxModel, items: list[Conversation], page: int = 1, folder: str = "primary", total: int | None = None,
         cursor: int | str = 0) -> PageKey:
    key = PageKey(folder, "", page, PAGE_SIZE)
    served = page_of(items, page, total)
    model.page_arrived(key, served)
    assert model.show_page(key, served, cursor)
    return key


def test_a_page_on_screen_gives_rows_counts_and_its_folders_total(model, changes):
    key = show(model, [conversation("a"), conversation("b", unread=False, override="referral"), conversation("c")], total=7)
    assert [row.id for row in model.rows] == ["a", "b", "c"] and model.cursor_id == "a"
    assert model.painted == key and model.page_number == 1
    assert kinds(changes) == [ChangeKind.PAGE, ChangeKind.FOLDERS]
    assert changes[0].ids == {"a", "b", "c"} and changes[1].ids == {"primary"}
    counts = model.counts()
    assert (counts.page, counts.total_pages, counts.total_count) == (1, 3, 7)
    assert (counts.unread, counts.to_triage) == (2, 2)  # b is read and labelled: triaged
    assert model.folder_counts == {"primary": 7}


def test_the_cursor_lands_on_an_index_an_id_or_the_last_row(model):
    items = [conversation("a"), conversation("b"), conversation("c")]
    show(model, items, cursor="b")
    assert model.cursor_id == "b"
    show(model, items, cursor="gone")
    assert model.cursor_id == "a"
    show(model, items, cursor=-1)
    assert model.cursor_id == "c"


def test_a_page_past_the_end_is_refused_and_nothing_changes(model, changes):
    show(model, [conversation("a")])
    changes.clear()
    key = PageKey("primary", "", 4, PAGE_SIZE)
    assert not model.show_page(key, Page((), 4, PAGE_SIZE, 3, 1))
    assert changes == [] and model.page_number == 1


def test_conversation_is_the_fresh_copy_with_unsaved_changes_and_local_marks(model, local):
    show(model, [conversation("a"), conversation("b")])
    assert model.conversation("a").unread
    fresher = conversation("a", messages=3)
    model.remember(fresher)
    assert len(model.conversation("a").messages) == 3  # the re-read wins over the page's copy
    model.add_pending(fresher, Change(True, "not_now", None), seq=1)
    assert model.conversation("a").label_override == "not_now"
    assert model.server_copy("a").label_override is None  # the server's copy is untouched
    local.set_read("b", True, 2)
    assert not model.conversation("b").unread  # read here, the server has no PATCH
    assert model.conversation("missing") is None


def test_a_cached_page_still_answers_for_its_conversations(model):
    show(model, [conversation("a")], page=1)
    show(model, [conversation("z")], page=2)
    assert model.server_copy("a").id == "a"  # undo reaches back to the page the action was on


def test_remember_rebuilds_the_row_and_names_the_conversation(model, changes):
    show(model, [conversation("a"), conversation("b")])
    changes.clear()
    model.remember(conversation("b", unread=False))
    assert [(c.kind, c.ids) for c in changes] == [(ChangeKind.CONTENT, {"b"}), (ChangeKind.COUNTS, frozenset())]
    assert not model.row("b").unread


def test_the_label_filter_hides_rows_of_other_labels(model, changes):
    show(model, [conversation("a", label="referral"), conversation("b", label="not_now"), conversation("c", label="referral")])
    changes.clear()
    model.set_label_filter("referral", cursor="c")
    assert [row.id for row in model.rows] == ["a", "c"] and model.cursor_id == "c"
    assert changes[0].kind is ChangeKind.PAGE and changes[0].ids == {"a", "c"}
    model.set_label_filter(None)
    assert [row.id for row in model.rows] == ["a", "b", "c"]


def test_rows_from_disk_carry_local_labels_and_are_refused_while_changes_are_unsaved(model, local):
    local.set_label("a", "referral")
    rows = [
        ConversationRow(id=ident, lead=ident, lead_email="", subject="s", snippet="", date="", unread=True,
                        attachments=False, closed=False, label="", label_manual=False, count=2)
        for ident in ("a", "b")
    ]
    key = PageKey("primary", "", 1, PAGE_SIZE)
    assert not model.show_cached_rows(key.at(2), rows, 10, 4)
    assert model.show_cached_rows(key, rows, 10, 4)
    assert model.from_disk and model.current_page is None
    assert (model.row("a").label, model.row("a").label_local) == ("Referral", True)
    counts = model.counts()
    assert (counts.total_count, counts.total_pages, counts.unread, counts.to_triage) == (10, 4, 2, 2)
    model.add_pending(conversation("a"), Change(read=True), seq=1)
    assert not model.show_cached_rows(key, rows, 10, 4)


def test_an_older_answer_never_replaces_a_newer_folder_count(model, changes):
    assert model.set_folder_count("primary", 10, asked_at=5.0)
    assert not model.set_folder_count("primary", 9, asked_at=4.0)  # asked before the one shown
    assert model.folder_counts["primary"] == 10
    assert model.set_folder_count("primary", 11, asked_at=6.0)
    assert [c.ids for c in changes] == [{"primary"}, {"primary"}]


def test_a_poll_of_a_folder_left_since_counts_only_that_folder_and_is_not_painted(model, clockwork):
    primary = [conversation("a"), conversation("b")]
    asked = clockwork()
    show(model, primary)
    model.folder = "others"
    clockwork.now += 1
    show(model, [conversation("x")], folder="others")
    polled = page_of([conversation("new", hours_ago=0.1), *primary], total=12)
    result = model.absorb_poll(PageKey("primary", "", 1, PAGE_SIZE), polled, asked_at=asked + 0.5)
    assert not result.current and not result.repaint and result.fresh == 0
    assert model.folder_counts == {"primary": 12, "others": 1}  # each count in its own folder
    assert [row.id for row in model.rows] == ["x"]


def test_a_poll_of_the_page_on_screen_says_what_is_new_and_whether_to_paint(model, clockwork):
    key = show(model, [conversation("a"), conversation("b")])
    same = model.absorb_poll(key, page_of([conversation("a"), conversation("b")]), asked_at=clockwork())
    assert same.current and not same.repaint and same.fresh == 0
    grown = page_of([conversation("b", hours_ago=0.1, messages=3), conversation("a"), conversation("n")])
    result = model.absorb_poll(key, grown, asked_at=clockwork())
    assert result.repaint and result.fresh == 2 and result.updated == {"b"}


def test_unsaved_changes_show_until_the_server_agrees_or_the_grace_is_over(model, clockwork):
    show(model, [conversation("a")])
    raw = model.server_copy("a")
    model.add_pending(raw, Change(True, "not_now", True), seq=1)
    model.settle_pending("a", 1, ok=True)
    model.remember(conversation("a"))  # a copy the server sent before it saved the change
    assert model.conversation("a").label_override == "not_now"
    clockwork.now += GRACE_SECONDS + 1
    assert model.conversation("a").label_override is None  # the grace is over: the server wins
    assert model.pending("a") is None


def test_a_failed_request_takes_back_only_what_it_set(model, changes):
    show(model, [conversation("a")])
    raw = model.server_copy("a")
    model.add_pending(raw, Change(True, "referral", None), seq=1)
    model.add_pending(raw, Change(read=True), seq=2)
    changes.clear()
    model.settle_pending("a", 1, ok=False)
    shown = model.conversation("a")
    assert shown.label_override is None and not shown.unread
    assert model.row("a").label == "Interested" and not model.row("a").label_manual
    assert [(c.kind, c.ids) for c in changes] == [(ChangeKind.ROWS, {"a"}), (ChangeKind.COUNTS, frozenset())]


def test_blocked_conversations_count_as_triaged_and_are_skipped(model):
    show(model, [conversation("a"), conversation("b"), conversation("c")])
    assert model.next_needing_triage("a") == "b"
    model.set_blocked("b", True)
    assert model.next_needing_triage("a") == "c"
    assert model.counts().to_triage == 2
    model.set_blocked("a", True)
    model.set_blocked("c", True)
    assert model.first_needing_triage() is None and model.next_needing_triage("a") is None


def test_select_names_the_rows_the_cursor_left_and_reached(model, changes):
    show(model, [conversation("a"), conversation("b")])
    changes.clear()
    model.select("b")
    model.select("b")  # no move: no signal
    assert [(c.kind, c.ids) for c in changes] == [(ChangeKind.SELECTION, {"a", "b"})]


def test_marks_survive_page_turns_folder_switches_and_refreshes(model, changes):
    show(model, [conversation("a"), conversation("b"), conversation("c")], total=9)
    changes.clear()
    model.mark("b", "a")
    model.mark("b")  # already marked: no signal
    assert model.marked() == ("b", "a")
    show(model, [conversation("d", hours_ago=5), conversation("e", hours_ago=6), conversation("f", hours_ago=7)],
         page=2, total=9)
    model.forget_copies()
    model.folder = "others"
    show(model, [conversation("x")], folder="others")
    assert model.marked() == ("b", "a") and model.is_marked("a")
    assert [(c.kind, c.ids) for c in changes if c.kind is ChangeKind.SELECTION][0] == (ChangeKind.SELECTION, {"a", "b"})
    model.unmark("a")
    model.clear_marks()
    assert model.marked() == ()


def test_a_mark_is_dropped_when_its_conversation_leaves_the_folder(model, changes):
    show(model, [conversation("a", hours_ago=1), conversation("b", hours_ago=2), conversation("c", hours_ago=3)], total=9)
    model.mark("a", "b", "c")
    changes.clear()
    # Page 1 again: "a" is gone although it was newer than the oldest row of page 1 -> it left.
    # "c" is older than everything now on page 1: new mail may have pushed it to page 2, kept.
    fresh = page_of([conversation("n", hours_ago=0.1), conversation("b", hours_ago=2), conversation("m", hours_ago=2.5)],
                    total=9)
    model.page_arrived(PageKey("primary", "", 1, PAGE_SIZE), fresh)
    assert model.marked() == ("b", "c")
    assert [(c.kind, c.ids) for c in changes] == [(ChangeKind.SELECTION, {"a"})]
    # Seen in the other folder: moved out of this one.
    model.page_arrived(PageKey("others", "", 1, PAGE_SIZE), page_of([conversation("b")]))
    assert model.marked() == ("c",)
    # Page 1 is the whole folder (a short page) and "c" is not on it.
    model.page_arrived(PageKey("primary", "", 1, PAGE_SIZE), page_of([conversation("n")]))
    assert model.marked() == ()


def test_a_mark_is_dropped_when_the_server_says_the_conversation_is_gone(model):
    show(model, [conversation("a")])
    model.mark("a")
    model.gone("a")
    assert model.marked() == ()


def test_a_search_page_never_drops_a_mark(model):
    show(model, [conversation("a"), conversation("b")], total=9)
    model.mark("a")
    model.page_arrived(PageKey("primary", "dana", 1, PAGE_SIZE), page_of([conversation("b")]))
    assert model.marked() == ("a",)


def test_a_batch_sends_one_signal_per_kind_in_order(model, changes):
    show(model, [conversation("a"), conversation("b")])
    changes.clear()
    with model.batch():
        model.set_blocked("a", True)
        model.set_blocked("b", True)
        model.select("b")
    assert [(c.kind, c.ids) for c in changes] == [
        (ChangeKind.ROWS, {"a", "b"}),
        (ChangeKind.COUNTS, frozenset()),
        (ChangeKind.SELECTION, {"a", "b"}),
    ]


def test_unsubscribe_stops_the_signal(model):
    seen: list[ModelChange] = []
    stop = model.subscribe(seen.append)
    stop()
    show(model, [conversation("a")])
    assert seen == []
