"""First run and workspaces in the app: the welcome screen, a refused key, the demo, switching profiles."""

from __future__ import annotations

import logging
import stat
import time

from helpers import clock_for, keep_notifications, make_settings, notifications, screen_text, settle
from textual import events
from textual.widgets import Input

from unibox_tui import cli, config
from unibox_tui.config import Overrides, load_settings
from unibox_tui.ui.app import UniboxApp
from unibox_tui.ui.screens.inbox import InboxScreen
from unibox_tui.ui.screens.profile_picker import ProfilePicker
from unibox_tui.ui.screens.welcome import WelcomeScreen
from unibox_tui.ui.widgets.conversation_list import ConversationList

SECRET = "rk_live_Q4m8Vt2Lc9Xs7Bp1Hd"


def listed_ids(app) -> list[str]:
    return [row.id for row in app.screen.query_one(ConversationList).rows]


def no_key_app(server, **overrides) -> UniboxApp:
    """The app as a new user first sees it: pointed at ``server``, no key anywhere."""
    settings = make_settings(server, **overrides)
    settings.api_key, settings.api_key_source = None, ""
    return keep_notifications(UniboxApp(settings, clock=clock_for()))


async def paste_key(pilot, key: str) -> None:
    field = pilot.app.screen.query_one("#welcome-key", Input)
    field.focus()
    field.post_message(events.Paste(key))
    await pilot.pause()


async def test_first_run_shows_the_welcome_screen_and_a_pasted_key_opens_the_inbox(make_demo_server):
    server = make_demo_server(key=SECRET)
    app = no_key_app(server, profile="default")
    said: list[str] = []
    real_notify = app.notify
    app.notify = lambda message, *a, **kw: (said.append(str(message)), real_notify(message, *a, **kw))[1]  # type: ignore[method-assign]
    async with app.run_test(size=(100, 32), notifications=True) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, WelcomeScreen)
        text = screen_text(app)
        assert "Welcome to unibox-tui" in text and "unibox-tui login" in text
        assert server.count("GET", r"/unibox/conversations") == 0
        await paste_key(pilot, SECRET)
        assert SECRET not in app.export_screenshot()  # a password input: never drawn
        assert "•" * 8 in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, InboxScreen)
        assert listed_ids(app) == server.state.conversation_ids(folder="primary")[:20]
        assert any("Key accepted and stored" in message for message in said)  # a toast may have expired
        assert SECRET not in app.export_screenshot()
    path = config.keys_dir() / "default.key"
    assert path.read_text() == SECRET + "\n" and stat.S_IMODE(path.stat().st_mode) == 0o600
    # the key belongs to that server: the profile now leads there without --base-url
    assert load_settings(env={}).base_url == server.base_url


async def test_a_wrong_key_is_explained_on_the_welcome_screen_and_nothing_is_stored(demo_server):
    app = no_key_app(demo_server)
    async with app.run_test(size=(100, 32)) as pilot:
        await paste_key(pilot, "rk_live_not_the_right_one")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, WelcomeScreen)
        text = screen_text(app)
        assert "refused this key (HTTP 401)" in text
        assert app.screen.query_one("#welcome-key", Input).value == ""  # ready for a fresh paste
    assert config.read_key("test") is None


async def test_an_unreachable_server_is_explained_without_hanging(make_demo_server):
    server = make_demo_server()
    app = no_key_app(server)
    server.stop()
    async with app.run_test(size=(100, 32)) as pilot:
        await paste_key(pilot, "demo")
        started = time.monotonic()
        await pilot.press("enter")
        await settle(pilot, timeout=20)
        assert time.monotonic() - started < 20
        assert f"Could not reach {server.base_url}: is the URL right? Are you online?" in screen_text(app)
        assert isinstance(app.screen, WelcomeScreen)


async def test_a_hanging_server_gives_up_in_bounded_time(demo_server, monkeypatch):
    from unibox_tui.api import keycheck

    monkeypatch.setattr(keycheck, "VERIFY_TIMEOUT", 0.5)
    demo_server.faults.hang_seconds = 5
    demo_server.faults.hang_rate = 1.0
    app = no_key_app(demo_server)
    async with app.run_test(size=(100, 32)) as pilot:
        await paste_key(pilot, demo_server.key)
        await pilot.press("enter")
        await settle(pilot, timeout=10)
        assert "did not answer within 0.5 s" in screen_text(app)
    demo_server.faults.hang_rate = 0.0


async def test_the_demo_button_opens_the_demo_workspace(make_demo_server):
    demo = make_demo_server(conversations=15, seed=5)
    calls: list[int] = []

    def launcher() -> tuple[str, str]:
        calls.append(1)
        return demo.base_url, demo.key

    settings = make_settings(None)
    app = UniboxApp(settings, demo_launcher=launcher, clock=clock_for())
    async with app.run_test(size=(120, 32)) as pilot:
        await settle(pilot)
        assert "Try the demo" in screen_text(app)
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert calls == [1]
        assert isinstance(app.screen, InboxScreen)
        assert listed_ids(app) == demo.state.conversation_ids(folder="primary")[:20]
        assert app.workspace_label == "demo" and "demo" in app.screen.sub_title
    assert config.read_key("test") is None  # the demo key is never stored


async def test_without_a_demo_launcher_the_welcome_points_to_the_demo_command():
    app = UniboxApp(make_settings(None), clock=clock_for())
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        assert "unibox-tui --demo" in screen_text(app)
        assert not app.screen.query("#welcome-demo")


async def test_a_refused_stored_key_offers_the_welcome_screen_once_then_recovers(demo_server):
    app = UniboxApp(make_settings(demo_server, api_key="rk_live_revoked_key_000"), clock=clock_for())
    async with app.run_test(size=(120, 32)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, WelcomeScreen)
        assert "refused this key (HTTP 401)" in screen_text(app)
        await pilot.press("ctrl+r")  # bindings of the inbox beneath do not reach through
        await settle(pilot)
        assert sum(isinstance(s, WelcomeScreen) for s in app.screen_stack) == 1
        refused = demo_server.count("GET", r"/unibox/conversations$")
        assert refused <= 2  # no error loop
        await paste_key(pilot, demo_server.key)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, InboxScreen)
        assert listed_ids(app) == demo_server.state.conversation_ids(folder="primary")[:20]
        assert demo_server.requests[-1].headers["authorization"] == f"Bearer {demo_server.key}"


async def test_plain_http_to_a_remote_host_is_refused_in_the_app():
    settings = make_settings(None, api_key=SECRET, base_url="http://reachkit.example.com")
    app = UniboxApp(settings, clock=clock_for())
    async with app.run_test(size=(120, 32)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, WelcomeScreen)
        text = screen_text(app)
        assert "Refusing plain http:// to reachkit.example.com" in text and "--insecure" in text
        assert app.client is None
        assert SECRET not in app.export_screenshot()


async def test_a_malformed_settings_file_is_reported_once_and_the_app_starts_on_defaults(demo_server):
    path = config.config_file()
    path.parent.mkdir(parents=True)
    path.write_text("[defaults]\npage_size = = 5\n")
    config.store_key("default", demo_server.key)
    settings = load_settings(Overrides(base_url=demo_server.base_url), env={})
    assert settings.page_size == 50
    app = keep_notifications(UniboxApp(settings, clock=clock_for()))
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, InboxScreen)
        assert listed_ids(app) == demo_server.state.conversation_ids(folder="primary")[:50]  # built-in page size
        warnings = [n for n in notifications(app) if "not valid TOML" in n.message]
        assert len(warnings) == 1
        assert str(path) in warnings[0].message and "line 2, column" in warnings[0].message


async def test_switch_profile_loads_the_other_workspace(make_demo_server):
    alpha = make_demo_server(key="alpha-key-11111111", seed=1, conversations=30)
    bravo = make_demo_server(key="bravo-key-22222222", seed=2, conversations=12)
    path = config.config_file()
    path.parent.mkdir(parents=True)
    path.write_text(
        'default_profile = "alpha"\n[defaults]\npoll_interval = 0\npage_size = 10\n'
        f'[profiles.alpha]\nbase_url = "{alpha.base_url}"\n[profiles.bravo]\nbase_url = "{bravo.base_url}"\n'
    )
    config.store_key("alpha", alpha.key)
    config.store_key("bravo", bravo.key)
    app = UniboxApp(load_settings(env={}), clock=clock_for())
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert listed_ids(app) == alpha.state.conversation_ids(folder="primary")[:10]
        old_inbox = app.screen
        await pilot.press("ctrl+p")
        await pilot.press(*"prof")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ProfilePicker)
        text = screen_text(app)
        assert "alpha" in text and "bravo" in text and "key stored" in text
        assert "unibox-tui login --profile NAME" in text
        await pilot.press("down", "enter")
        await settle(pilot)
        # Alpha may still have been asked while the picker was open (it was the workspace then);
        # from the switch on, nothing of the old workspace may reach it: not a worker, not a timer.
        alpha.clear_requests()
        assert isinstance(app.screen, InboxScreen) and app.screen is not old_inbox
        assert not old_inbox.is_attached  # the old workspace's screen, caches and timers are gone
        assert listed_ids(app) == bravo.state.conversation_ids(folder="primary")[:10]
        assert app.settings.profile == "bravo"
        assert f"bravo @ 127.0.0.1:{bravo.port}" in app.screen.sub_title
        assert bravo.requests and all(r.headers["authorization"] == f"Bearer {bravo.key}" for r in bravo.requests)
        await pilot.press("down", "down", "enter")  # read in bravo past the old screen's delayed re-read
        await pilot.pause(2.0)
        await settle(pilot)
        assert alpha.count() == 0
        # and back again, with the key binding
        await pilot.press("W", "up", "enter")
        await settle(pilot)
        assert listed_ids(app) == alpha.state.conversation_ids(folder="primary")[:10]


async def test_switching_to_a_profile_without_a_key_asks_for_one_over_the_current_workspace(demo_server):
    path = config.config_file()
    path.parent.mkdir(parents=True)
    path.write_text(f'[defaults]\npoll_interval = 0\n[profiles.fresh]\nbase_url = "{demo_server.base_url}"\n')
    app = UniboxApp(make_settings(demo_server, profile="current"), clock=clock_for())
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        app.workspaces.switch_profile("fresh")
        await settle(pilot)
        assert isinstance(app.screen, WelcomeScreen)
        assert "Profile 'fresh' has no stored key yet" in screen_text(app)
        await pilot.press("escape")  # changed my mind: the current workspace is still there
        await settle(pilot)
        assert isinstance(app.screen, InboxScreen) and app.settings.profile == "current"
        app.workspaces.switch_profile("fresh")
        await settle(pilot)
        await paste_key(pilot, demo_server.key)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, InboxScreen) and app.settings.profile == "fresh"
    assert config.read_key("fresh") == demo_server.key


async def test_the_key_stays_out_of_the_apps_debug_log_and_notifications(make_demo_server, tmp_path, caplog):
    server = make_demo_server(key=SECRET)
    log_file = tmp_path / "app.log"
    handler = cli._configure_logging(log_file)
    root = logging.getLogger()
    level = root.level
    caplog.set_level(logging.DEBUG)
    try:
        app = no_key_app(server)
        async with app.run_test(size=(100, 32), notifications=True) as pilot:
            await paste_key(pilot, SECRET + "x")  # wrong first
            await pilot.press("enter")
            await settle(pilot)
            await paste_key(pilot, SECRET)
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, InboxScreen)
            shown = [n.message for n in notifications(app)] + [screen_text(app), app.export_screenshot()]
    finally:
        root.removeHandler(handler)
        handler.close()
        root.setLevel(level)
    written = log_file.read_text()
    assert "HTTP Request: GET" in written
    for text in [written, caplog.text, *shown]:
        assert SECRET not in text
