"""One test for each thing the hostile walk found broken: what a user sees, or what must not raise."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest
from helpers import make_app, screen_text, settle, widget_text

from unibox_tui.api import Conversation, Message, NotFoundError, ReachkitClient
from unibox_tui.render.formatting import compact_date, full_date, human_size
from unibox_tui.render.html import html_to_plain, html_to_text
from unibox_tui.render.thread import ThreadDocument, build_row, message_snippet, person
from unibox_tui.ui.widgets.conversation_list import ConversationList
from unibox_tui.ui.widgets.thread_header import ThreadHeader
from unibox_tui.ui.widgets.thread_view import ThreadView


@pytest.fixture
def time_zone(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    def set_zone(name: str) -> None:
        monkeypatch.setenv("TZ", name)
        time.tzset()

    yield set_zone
    monkeypatch.undo()
    time.tzset()


def iso(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Pacific/Pago_Pago", "UTC"])
@pytest.mark.parametrize(
    "date", ["9999-12-31T23:59:59+00:00", "9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+00:00",
             "0001-01-01T00:00:00+14:00"],
)
def test_dates_at_the_ends_of_the_calendar_are_shown_not_raised(time_zone, zone: str, date: str) -> None:
    time_zone(zone)
    now = datetime(2026, 5, 28, tzinfo=UTC)
    assert compact_date(iso(date), now)[:4] in ("9999", "0001")
    assert full_date(iso(date)).split(", ")[0][-4:] in ("9999", "0001")


def test_a_year_before_1000_keeps_four_digits() -> None:
    assert compact_date(iso("0999-03-04T12:00:00+00:00"), datetime(2026, 1, 1, tzinfo=UTC)) == "0999-03-04"


def test_absurd_sizes_are_shown_briefly() -> None:
    assert human_size(10**400) == "over 999 PB"  # float() of it would raise OverflowError
    assert human_size(2**70) == "over 999 PB"
    assert human_size(5 * 10**15) == "5.0 PB"
    assert human_size(3_500_000) == "3.5 MB"


def test_snippets_drop_what_the_message_drops() -> None:
    html = (
        "<p>Hi &#27;[31mthere&#x1b;]0;TITLE&#7; friend</p><iframe src=x>FRAME</iframe>"
        "<object>OBJECT</object><div style='opacity:0'>FADED</div><p hidden>HIDDEN</p>"
        "<p class='hidden'>kept</p>"
    )
    assert html_to_plain(html) == "Hi there friend kept"
    assert "FRAME" not in html_to_text("<p>a</p><iframe>FRAME</iframe><p>b</p>").text


def test_a_text_part_that_is_html_has_a_snippet_without_tags() -> None:
    message = Message(text_body="<html><body><p>Real words</p><script>x()</script></body></html>")
    assert message_snippet(message) == "Real words"


@pytest.mark.parametrize(
    ("name", "address", "row", "header"),
    [
        ("support@bank.com\u200b", "attacker@evil.example", "attacker@evil.example",
         'attacker@evil.example ("support@bank.com")'),
        ("\u202emoc.knab@troppus", "x@evil.example", "x@evil.example", 'x@evil.example ("moc.knab@troppus")'),
        ("security\uff20paypal.com", "m@evil.example", "m@evil.example", 'm@evil.example ("security＠paypal.com")'),
        ("Dana (dana@acme.com)", "dana@acme.com", "Dana (dana@acme.com)", "Dana (dana@acme.com) <dana@acme.com>"),
        ("Dana Lee", "dana@acme.com", "Dana Lee", "Dana Lee <dana@acme.com>"),
    ],
)
def test_a_name_posing_as_another_address_never_stands_in_for_it(name, address, row, header) -> None:
    raw = {"id": "c", "messages": [{"direction": "incoming", "from_email": address, "from_name": name,
                                    "to_email": "me@ours.example", "subject": "s", "text_body": "t",
                                    "email_date": "2026-05-01T10:00:00Z"}]}
    conversation = Conversation.from_api(raw)
    assert build_row(conversation).lead == row
    assert person(name, address) == header
    document = ThreadDocument(conversation)
    document.set_all_expanded(False)
    document.toggle_message(0)
    assert document.lines()[0].text.startswith(f"▸ {row} · ")


def _conversation(ident: str, messages: list[dict]) -> dict:
    return {"id": ident, "status": "open", "messages": messages, "updated_at": "2026-05-28T10:00:00Z"}


def _message(i: int, **extra) -> dict:
    message = {"direction": "incoming", "subject": "Thread", "text_body": f"Message {i}.",
               "from_email": "Dana <dana@acme.example>", "to_email": "me@ours.example",
               "email_date": f"2026-05-{1 + i // 1440:02d}T{i // 60 % 24:02d}:{i % 60:02d}:00Z", "is_read": True}
    message.update(extra)
    return message


async def test_a_long_subject_leaves_the_sender_in_the_thread_header(make_demo_server):
    server = make_demo_server(conversations=3)
    subject = "LONG " + "word " * 2000
    server.state.add_raw_conversation(_conversation("long", [_message(0, subject=subject,
                                      from_email="Mallory <mallory@evil.example>")]))
    app = make_app(server)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        header = app.screen.query_one(ThreadHeader)
        lines = [line for line in widget_lines(app, header) if line.strip()]
        assert len(lines) == 4 and lines[0].lstrip().startswith("LONG word")
        assert lines[1].rstrip().endswith("…") and "mallory@evil.example" in lines[2]
        assert "1 message" in lines[3]


def widget_lines(app, widget) -> list[str]:
    strips = app.screen._compositor.render_strips()
    region = widget.content_region
    return [strips[y].crop(region.x, region.right).text for y in range(region.y, region.bottom)]


async def test_opening_all_2000_messages_lays_the_thread_out_a_few_times(make_demo_server):
    server = make_demo_server(conversations=3)
    server.state.add_raw_conversation(_conversation("big", [_message(i) for i in range(2000)]))
    app = make_app(server)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        thread = app.screen.query_one(ThreadView)
        layouts = 0
        original = thread._relayout

        def counting() -> None:
            nonlocal layouts
            layouts += 1
            original()

        thread._relayout = counting  # type: ignore[method-assign]
        await pilot.press("X")
        await settle(pilot, timeout=60)
        document = thread.document
        assert len(document.bodies) == 2000 and not document.failed
        # It was one per message: 2,000 full re-layouts of 10,000 lines. Batches come ~10 a second,
        # so a slow machine sees more of them: the bound only has to be far below 2,000.
        assert layouts <= 400
        await pilot.press("end")
        await settle(pilot)
        assert "Message 1999." in widget_text(thread)


async def test_enter_right_after_down_is_not_undone_by_the_preview(make_demo_server):
    server = make_demo_server(conversations=5)
    server.state.add_raw_conversation(_conversation("five", [_message(i) for i in range(5)]), position=1)
    app = make_app(server)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("down", "enter", "X")  # before the preview's follow delay is over
        await pilot.pause(0.4)
        await settle(pilot)
        document = app.screen.query_one(ThreadView).document
        assert document.conversation.id == "five"
        assert document.expanded == set(range(5))  # still all open: not re-opened and folded


async def test_a_link_that_shows_one_address_and_goes_to_another_shows_the_real_one(make_demo_server):
    server = make_demo_server(conversations=3)
    server.state.add_raw_conversation(_conversation("phish", [_message(
        0, subject="Your account", text_body="",
        html_body='<p>Log in at <a href="http://evil">https://bank.com</a> today.</p>'
                  '<p>Or <a href="https://bank.com/help">https://bank.com/help</a>.</p>')]))
    app = make_app(server)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        text = screen_text(app)
        assert "Log in at https://bank.com (→ http://evil) today." in text
        assert "Or https://bank.com/help." in text  # an honest link is left alone


# --- the client -------------------------------------------------------------------------------


async def test_ids_that_are_dot_segments_or_hold_surrogates_stay_one_path_segment(make_demo_server):
    server = make_demo_server(conversations=3)
    for ident in ("..", ".", "a/b/../../../inboxes"):
        server.state.add_raw_conversation(_conversation(ident, [_message(0, text_body=f"I am {ident}")]))
    async with ReachkitClient(server.key, server.base_url) as client:
        for ident in ("..", ".", "a/b/../../../inboxes"):
            conversation = await client.get_conversation(ident)
            assert conversation.messages[0].text_body == f"I am {ident}"
        await client.reply("..", "<p>hi</p>")
        with pytest.raises(NotFoundError):  # not UnicodeEncodeError
            await client.get_conversation("sur\ud800rogate")
    assert len(server.state.replies("..")) == 1  # not POST /unibox/reply


async def test_a_5000_digit_number_damages_one_value_not_the_whole_page() -> None:
    huge = "9" * 5000
    body = ('{"data":[{"id":"a","messages":[{"subject":"ok","attachments":[{"id":"f","filename":"x",'
            f'"size":{huge}}}]}}]}},{{"id":"b","messages":[]}}],"metadata":{{"page":1,"page_size":20,'
            '"total_count":2,"total_pages":1}}')
    with pytest.raises(ValueError):
        json.loads(body)  # what Python alone does with it

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body.encode(), headers={"content-type": "application/json"})

    async with ReachkitClient("k", "https://reachkit.example", transport=httpx.MockTransport(answer)) as client:
        page = await client.list_conversations()
    assert [c.id for c in page.items] == ["a", "b"]
    assert page.items[0].messages[0].attachments[0].size is None


def test_rows_of_every_listing_are_clean(make_demo_server) -> None:
    """The list's own model, for the conversation the walk found spoofing the sender."""
    server = make_demo_server(dataset="hostile", conversations=0)
    page = server.state.list_conversations("primary", page_size=100)[0]
    rows = {row.id: row for row in (build_row(Conversation.from_api(raw)) for raw in page if isinstance(raw, dict))}
    assert rows["hostile-name-fake-address-field"].lead == "mallory@evil.example"
    assert rows["hostile-name-fake-address-zw"].lead == "attacker@evil.example"
    assert ConversationList  # the widget draws these rows as plain segments (see the walk)
