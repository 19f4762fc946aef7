"""The downloads panel's border names the key that shows and hides it: S, or the user's own."""

from __future__ import annotations

import pytest
from helpers import make_app, screen_text, settle
from test_attachments import add_files, attachment, panel, save_all


@pytest.mark.parametrize("keys,shown", [({}, "S"), ({"inbox.downloads": "ctrl+d,F"}, "ctrl+d")])
async def test_the_border_names_the_toggle_key(make_demo_server, tmp_path, keys, shown):
    server = make_demo_server(conversations=5)
    add_files(server, [attachment(0, "deck.pdf")])
    app = make_app(server, download_dir=tmp_path / "downloads", keys=keys)
    async with app.run_test(size=(100, 24)) as pilot:
        await settle(pilot)
        await save_all(pilot)
        assert panel(app).display
        assert f"Downloads · 1 done · {shown} to manage" in screen_text(app)
        await pilot.press(shown)
        await settle(pilot)
        assert app.focused is panel(app)
        assert f"{shown} hides" in screen_text(app)
        assert "D hides" not in screen_text(app) and "D to manage" not in screen_text(app)
        await pilot.press(shown)
        await settle(pilot)
        assert not panel(app).display
