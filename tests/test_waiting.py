"""The waiting queue: unanswered replies, the longest wait first, hot ones past reply_within flagged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from helpers import clock_for

from unibox_tui.api.client import ReachkitClient
from unibox_tui.api.models import Conversation
from unibox_tui.domain.waiting import (
    HOT_LABELS,
    SCAN_PAGE_SIZE,
    merge_pages,
    plan_scan,
    scan_due,
    summarise,
    waiting_queue,
)
from unibox_tui.render.formatting import compact_wait

NOW = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)


def conversation(cid: str, *messages: tuple[str, timedelta | None], label: str | None = None, override: str | None = None) -> Conversation:
    """``("i", timedelta(hours=3))``: an incoming message sent three hours before NOW."""
    return Conversation.from_api(
        {
            "id": cid,
            "label": label,
            "label_override": override,
            "messages": [
                {
                    "direction": "incoming" if kind == "i" else "outgoing",
                    "email_date": (NOW - ago).isoformat() if ago is not None else "",
                }
                for kind, ago in messages
            ],
        }
    )


H = timedelta(hours=1)
D = timedelta(days=1)


def test_unanswered_replies_oldest_wait_first_with_how_long() -> None:
    conversations = [
        conversation("recent", ("o", 2 * D), ("i", timedelta(minutes=20))),
        conversation("answered", ("i", 3 * D), ("o", D)),
        conversation("oldest", ("o", 5 * D), ("i", 2 * D + 4 * H)),
        conversation("middle", ("o", D), ("i", 3 * H + timedelta(minutes=12))),
        conversation("empty"),
    ]
    queue = waiting_queue(conversations, NOW)
    assert [(w.conversation.id, w.wait_text) for w in queue] == [("oldest", "2d 4h"), ("middle", "3h 12m"), ("recent", "20m")]


def test_two_nudges_from_the_lead_wait_since_the_first() -> None:
    [entry] = waiting_queue([conversation("c", ("o", 3 * D), ("i", 2 * D), ("i", H))], NOW)
    assert entry.since == NOW - 2 * D and entry.wait_text == "2d"


def test_labels_local_over_manual_over_ai_and_what_is_hot() -> None:
    conversations = [
        conversation("ai", ("i", 2 * H), label="interested"),
        conversation("manual", ("i", 2 * H), label="interested", override="not_now"),
        conversation("local", ("i", 2 * H), label="not_now"),
        conversation("more-info", ("i", 2 * H), label="needs_more_info"),
    ]
    queue = waiting_queue(conversations, NOW, label_of=lambda c: "meeting_requested" if c.id == "local" else None)
    by_id = {w.conversation.id: w for w in queue}
    assert {cid: (w.label, w.hot) for cid, w in by_id.items()} == {
        "ai": ("interested", True),
        "manual": ("not_now", False),
        "local": ("meeting_requested", True),
        "more-info": ("needs_more_info", True),
    }
    assert HOT_LABELS == {"interested", "meeting_requested", "question", "needs_more_info"}


def test_hot_and_past_reply_within_is_urgent() -> None:
    conversations = [
        conversation("hot-old", ("i", 2 * H), label="question"),
        conversation("hot-new", ("i", timedelta(minutes=30)), label="interested"),
        conversation("cold-old", ("i", 5 * H), label="not_interested"),
    ]
    queue = waiting_queue(conversations, NOW, reply_within=H)
    assert [(w.conversation.id, w.overdue, w.urgent) for w in queue] == [
        ("cold-old", True, False),
        ("hot-old", True, True),
        ("hot-new", False, False),
    ]
    summary = summarise(queue)
    # "Not interested" needs no answer: set apart, counted apart (it was counted as waiting before).
    assert (summary.waiting, summary.hot, summary.urgent, summary.apart) == (2, 2, 1, (("said no", 1),))
    assert summarise(waiting_queue(conversations, NOW, reply_within=3 * H)).urgent == 0


def test_snoozed_duplicates_and_undated_replies() -> None:
    conversations = [
        conversation("undated", ("i", None)),
        conversation("snoozed", ("i", 4 * H)),
        conversation("dated", ("i", H)),
        conversation("dated", ("i", H)),
    ]
    queue = waiting_queue(conversations, NOW, skip={"snoozed"})
    assert [(w.conversation.id, w.wait_text) for w in queue] == [("dated", "1h"), ("undated", "?")]


def test_a_sender_clock_ahead_of_ours_waits_under_a_minute() -> None:
    [entry] = waiting_queue([conversation("future", ("i", -H))], NOW)
    assert entry.wait_text == "<1m" and not entry.overdue


def test_compact_wait() -> None:
    cases = {None: "?", -5: "<1m", 59: "<1m", 60: "1m", 3599: "59m", 3600: "1h", 11_520: "3h 12m", 86_400: "1d", 187_200: "2d 4h"}
    assert {seconds: compact_wait(seconds) for seconds in cases} == cases


# --- the bounded scan --------------------------------------------------------------------------------


def test_the_scan_asks_for_at_most_three_pages_of_a_hundred() -> None:
    plan = plan_scan("primary")
    assert (plan.pages, plan.page_size, plan.requests, plan.reach) == ((1, 2, 3), SCAN_PAGE_SIZE, 3, 300)
    assert plan_scan("primary", total_pages=2).pages == (1, 2)
    assert plan_scan("primary", total_pages=0).requests == 0
    assert plan_scan("primary", loaded={1}).pages == (2, 3)


def test_merging_keeps_each_conversation_once_and_the_freshest_copy() -> None:
    older = conversation("c1", ("o", D))
    newer = conversation("c1", ("o", D), ("i", H))
    merged = merge_pages([older, conversation("c2", ("i", H))], [conversation("c3", ("i", H)), newer])
    assert [c.id for c in merged] == ["c1", "c2", "c3"]
    assert merged[0] is newer


def test_one_scan_per_interval() -> None:
    assert scan_due(None, NOW)
    assert not scan_due(NOW - timedelta(minutes=2), NOW)
    assert scan_due(NOW - timedelta(minutes=5), NOW)
    assert scan_due(NOW + H, NOW)  # the clock went back: do not wait an hour


async def test_a_scan_of_the_local_server_costs_what_the_plan_says(demo_server) -> None:
    """Over real HTTP: the plan's pages are the GETs the server sees, and the queue is sound."""
    now = clock_for(demo_server).now()
    first = demo_server.count("GET", r"/unibox/conversations$")
    plan = plan_scan("primary")
    async with ReachkitClient(demo_server.key, demo_server.base_url) as client:
        pages = [await client.list_conversations(folder=plan.folder, page=p, page_size=plan.page_size) for p in plan.pages]
    assert demo_server.count("GET", r"/unibox/conversations$") - first == plan.requests
    queue = waiting_queue(merge_pages(*(page.items for page in pages)), now)
    assert queue, "the demo workspace has unanswered replies"
    assert all(w.conversation.latest is not None and w.conversation.latest.incoming for w in queue)
    dated = [w.since for w in queue if w.since is not None]
    assert dated == sorted(dated)


def _reply(cid: str, *, label: str | None = None, sender: str = "lead@example.com", subject: str = "Re: idea",
           text: str = "Sounds good, tell me more.", status: str = "open") -> Conversation:
    return Conversation.from_api({
        "id": cid, "label": label, "status": status,
        "messages": [
            {"direction": "outgoing", "email_date": (NOW - 3 * D).isoformat(), "to_email": "lead@example.com"},
            {"direction": "incoming", "email_date": (NOW - 2 * D).isoformat(), "from_email": sender,
             "subject": subject, "text_body": text},
        ],
    })


def test_replies_that_need_no_answer_are_set_apart_and_counted_by_reason() -> None:
    """An SDR works the replies waiting for an answer: unsubscribes, "not interested", auto-replies,
    bounces and closed conversations are set apart, and the queue says how many and why."""
    conversations = [
        _reply("person", label="neutral"),
        _reply("hot", label="interested", subject="Automatic reply: away"),  # a hot label always counts
        _reply("unsub", label="unsubscribe"),
        _reply("no", label="not_interested"),
        _reply("ooo", label="out_of_office"),
        _reply("ooo-unlabelled", subject="Out of office: back Monday", text="I am out of the office."),
        _reply("left", label="left_company"),
        _reply("bounce", sender="MAILER-DAEMON@googlemail.com", text="** Address not found **"),
        _reply("dsn", sender="postmaster@example.com", subject="Undeliverable: idea"),
        _reply("closed", label="neutral", status="closed"),
        _reply("closed-hot", label="interested", status="closed"),  # someone closed it: done
    ]
    queue = waiting_queue(conversations, NOW)
    apart = {w.conversation.id: w.apart for w in queue if w.apart}
    assert apart == {
        "unsub": "said no", "no": "said no", "ooo": "auto-replies", "ooo-unlabelled": "auto-replies",
        "left": "auto-replies", "bounce": "bounces", "dsn": "bounces", "closed": "closed",
        "closed-hot": "closed",
    }
    summary = summarise(queue)
    assert (summary.waiting, summary.hot, summary.urgent) == (2, 1, 1)
    assert summary.apart_text == "9 need no answer: 2 said no, 3 auto-replies, 2 bounces, 2 closed"


def test_waits_of_years_fit_the_queue_column() -> None:
    """A reply from last year, or a date before 1970 from a broken mailer, still fits the
    8-character Waited column (it read "522d 14h" and "739955d…")."""
    day = 86400
    assert compact_wait(522 * day + 14 * 3600) == "1y 157d"
    assert compact_wait(730 * day) == "2y"
    assert compact_wait(739955 * day + 3600) == ">99y"
    assert all(len(compact_wait(days * day + 23 * 3600)) <= 8 for days in range(0, 40000, 7))
