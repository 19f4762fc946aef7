"""Views scroll to where the reader expects also when their rows just outgrew them.

Textual only lets a widget scroll once a layout has shown its scrollbar. A conversation that
needs scrolling, shown right after one that did not, asked to scroll before that layout and was
left at its first line (the suite's pictures caught it about once in ten runs under load); a list
refilled with a cursor far down (``[`` onto a full page from a short one, a room refreshed with
its cursor kept) had the same fault: the cursor off screen.
"""

from __future__ import annotations

from helpers import settle, widget_text
from textual.app import App, ComposeResult

from unibox_tui.api import Conversation
from unibox_tui.render.thread import ThreadDocument, build_row
from unibox_tui.ui.widgets.conversation_list import ConversationList
from unibox_tui.ui.widgets.record_table import Column, RecordTable, Row
from unibox_tui.ui.widgets.thread_view import ThreadView


def conversation(ident: str, count: int) -> Conversation:
    messages = [
        {"direction": "incoming" if i % 2 else "outgoing", "subject": "Pricing", "text_body": f"Body {i}.",
         "from_email": f"sender{i}@acme.example", "to_email": "me@ours.example",
         "email_date": f"2026-05-{1 + i:02d}T10:00:00Z", "is_read": True}
        for i in range(count)
    ]
    return Conversation.from_api({"id": ident, "status": "open", "messages": messages})


class OneThread(App[None]):
    CSS = "ThreadView { height: 10; }"

    def compose(self) -> ComposeResult:
        yield ThreadView()


async def test_a_long_thread_after_a_short_one_opens_at_its_newest_message() -> None:
    app = OneThread()
    async with app.run_test(size=(60, 12)) as pilot:
        view = app.query_one(ThreadView)
        view.show_document(ThreadDocument(conversation("short", 1)))
        await settle(pilot)
        assert view.scroll_offset.y == 0 and not view.show_vertical_scrollbar  # it fitted

        long = ThreadDocument(conversation("long", 25))
        view.show_document(long)
        assert view.scroll_offset.y > 0, "asked to follow the newest message, the view stayed at the top"
        await settle(pilot)
        assert view.scroll_offset.y == view.max_scroll_y > 0
        assert view.vertical_scrollbar.position == view.scroll_y  # the thumb at the bottom, too
        assert "sender24@acme.example" in widget_text(view)
        assert "sender0@acme.example" not in widget_text(view)


class OneList(App[None]):
    CSS = "ConversationList { height: 10; } RecordTable { height: 10; }"

    def compose(self) -> ComposeResult:
        yield ConversationList()
        yield RecordTable([Column("Name")])


async def test_a_list_refilled_with_its_cursor_far_down_shows_the_cursor() -> None:
    app = OneList()
    async with app.run_test(size=(60, 24)) as pilot:
        listing = app.query_one(ConversationList)
        table = app.query_one(RecordTable)
        listing.set_rows([build_row(conversation(f"s{i}", 1)) for i in range(2)])
        table.set_rows([Row(f"s{i}", (f"short {i}",)) for i in range(3)])
        await settle(pilot)

        listing.set_rows([build_row(conversation(f"c{i}", 1)) for i in range(50)], cursor=-1)  # as ``[`` does
        table.set_rows([Row(f"r{i}", (f"row {i}",)) for i in range(60)], cursor_key="r55")
        await settle(pilot)
        assert listing.cursor == 49 and listing.scroll_offset.y == listing.max_scroll_y > 0
        assert table.current_row.key == "r55" and "row 55" in widget_text(table)
