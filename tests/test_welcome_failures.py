"""The welcome screen's key check never stays on "Checking the key": every failure ends in words.

Against the real local server: its ``bad_gzip`` fault answers the check with a body that says gzip
and is not, as a proxy mangling compression would.
"""

from __future__ import annotations

from helpers import screen_text, settle
from test_welcome import no_key_app, paste_key
from textual.widgets import Static

from unibox_tui import config
from unibox_tui.ui.screens.inbox import InboxScreen
from unibox_tui.ui.screens.welcome import WelcomeScreen


def status_line(app) -> str:
    """The words under the key field (one string, however the screen wraps them)."""
    return " ".join(str(app.screen.query_one("#welcome-status", Static).render()).split())


async def test_a_damaged_answer_to_the_key_check_ends_in_words_and_enter_tries_again(demo_server):
    demo_server.faults.fail_next(1, kind="bad_gzip", path=r"/campaigns$")
    app = no_key_app(demo_server)
    async with app.run_test(size=(100, 32)) as pilot:
        await paste_key(pilot, demo_server.key)
        await pilot.press("enter")
        await settle(pilot)
        status = status_line(app)
        assert isinstance(app.screen, WelcomeScreen)
        assert "Checking the key" not in screen_text(app) and "Checking the key" not in status
        assert "could not be decoded" in status and "try again" in status.lower()
        assert config.read_key("test") is None  # nothing stored on a failed check
        await pilot.press("enter")  # the key is still in the field: the same key, checked again
        await settle(pilot)
        assert isinstance(app.screen, InboxScreen)
    assert [r.fault for r in demo_server.requests if r.path.endswith("/campaigns")][:2] == ["bad_gzip", None]
    assert config.read_key("test") == demo_server.key


async def test_an_unexpected_failure_in_the_check_is_words_too(demo_server, monkeypatch):
    from unibox_tui.ui.screens import welcome

    async def broken_check(client, timeout=None):
        raise KeyError("a bug below the screen")

    real_check = welcome.verify_key
    monkeypatch.setattr(welcome, "verify_key", broken_check)
    app = no_key_app(demo_server)
    async with app.run_test(size=(100, 32)) as pilot:
        await paste_key(pilot, demo_server.key)
        await pilot.press("enter")
        await settle(pilot)
        status = status_line(app)
        assert "Checking the key" not in status
        assert "The key could not be checked" in status and "Press enter to try again" in status
        # (Not monkeypatch.undo(): that also undoes the conftest's HOME and XDG folders, and the
        # key was then saved in the real user's config.)
        monkeypatch.setattr(welcome, "verify_key", real_check)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, InboxScreen)


async def test_the_welcome_screen_and_a_refused_key_name_no_plan_only_api_access(demo_server):
    """Reachkit renames its plans; "a plan that includes API access" stays true."""
    app = no_key_app(demo_server)
    async with app.run_test(size=(120, 32)) as pilot:
        await settle(pilot)
        assert "a plan that includes API access" in screen_text(app)
        await paste_key(pilot, "rk_live_not_the_right_one")
        await pilot.press("enter")
        await settle(pilot)
        status = status_line(app)
        assert "refused this key (HTTP 401)" in status and "a plan that includes API access" in status
        for name in ("Professional", "Agency", "Scale"):
            assert name not in screen_text(app) and name not in status
