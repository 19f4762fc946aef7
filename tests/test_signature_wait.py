"""The signature comes from the inbox directory: a failure to load it ends in words and a retry."""

from __future__ import annotations

import httpx
from helpers import make_app, settle

from unibox_tui.ui.widgets.composer import Composer

REPLY = r"/reply$"


def signature_shown(composer: Composer) -> str:
    return str(composer.query_one("#composer-signature").render())


async def test_an_error_outside_the_clients_tree_while_loading_inboxes_is_said_and_retried(demo_server, monkeypatch):
    app = make_app(demo_server)
    real_list = app.client.list_inboxes
    broken = [True]

    async def list_inboxes():
        if broken[0]:
            raise httpx.DecodingError("Error -3 while decompressing data: incorrect header check")
        return await real_list()

    monkeypatch.setattr(app.client, "list_inboxes", list_inboxes)
    async with app.run_test(size=(140, 44), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        composer = app.screen.query_one(Composer)
        cid = composer.conversation_id
        shown = signature_shown(composer)
        assert "loading" not in shown  # never "loading" for good
        assert "could not be loaded" in shown and "DecodingError" in shown and "ctrl+s tries again" in shown
        composer.text_area.insert("With my signature, please")
        await pilot.press("ctrl+s")  # still broken: not sent, and it says why
        await settle(pilot)
        assert demo_server.count("POST", REPLY) == 0 and composer.is_open
        assert composer.status_note.startswith("Not sent: your signature could not be loaded")
        broken[0] = False
        await pilot.press("ctrl+s")  # the retry works: sent, signed
        await settle(pilot)
        assert not composer.is_open
    (reply,) = demo_server.state.replies(cid)
    assert "With my signature, please" in reply["html_body"] and "<b>" in reply["html_body"]
