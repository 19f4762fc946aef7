"""The thread opens at the newest message, also when the previous one fitted without scrolling.

Textual only lets a widget scroll once a layout has shown its scrollbar; a conversation that
needs scrolling, shown right after one that did not, asked to scroll before that layout and was
left at its first line (the suite's pictures caught it about once in ten runs under load: the
re-read that usually scrolled it again came before the layout).
"""

from __future__ import annotations

from helpers import settle, widget_text
from textual.app import App, ComposeResult

from unibox_tui.api import Conversation
from unibox_tui.render.thread import ThreadDocument
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
