"""REACHKIT_API_KEY belongs to the address the app started with, never to another profile's server.

Keys in these tests are fake, and assertions compare them by name (``whose``), so a failure never
prints one.
"""

from __future__ import annotations

from helpers import clock_for, settle
from textual.widgets import OptionList

from unibox_tui import cli, config
from unibox_tui.config import Overrides, load_settings
from unibox_tui.ui.app import UniboxApp
from unibox_tui.ui.screens.inbox import InboxScreen
from unibox_tui.ui.screens.welcome import WelcomeScreen

ENV_KEY = "env-key-0000aaaa1111"
BRAVO_KEY = "bravo-stored-key-2222"


def write_settings(text: str) -> None:
    path = config.config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def whose(settings_or_header: object) -> str:
    """Which test key this is, by name."""
    text = str(getattr(settings_or_header, "api_key", settings_or_header))
    for name, key in (("env", ENV_KEY), ("bravo", BRAVO_KEY)):
        if text.endswith(key):
            return name
    return "none" if text in ("None", "") else "other"


PROFILES = (
    'default_profile = "alpha"\n'
    '[profiles.alpha]\nbase_url = "https://alpha.example"\n'
    '[profiles.bravo]\nbase_url = "https://bravo.example"\n'
    '[profiles.charlie]\nbase_url = "https://Alpha.example:443/api/v1/"\n'  # alpha's address, spelt otherwise
    '[profiles.delta]\nbase_url = "https://delta.example"\n'
)


def test_the_env_key_is_used_at_the_start_address_and_by_profiles_at_the_same_address():
    write_settings(PROFILES)
    config.store_key("bravo", BRAVO_KEY)
    env = {"REACHKIT_API_KEY": ENV_KEY}
    start = load_settings(env=env)
    assert (start.profile, whose(start), start.api_key_source) == ("alpha", "env", "env")
    assert start.env_key_base_url == "https://alpha.example"
    bravo = config.profile_settings("bravo", start, env=env)
    assert (whose(bravo), bravo.api_key_source) == ("bravo", "profile")
    charlie = config.profile_settings("charlie", start, env=env)
    assert whose(charlie) == "env"
    delta = config.profile_settings("delta", start, env=env)
    assert delta.api_key is None  # another address, no stored key: the app asks for one
    # Switching on from bravo: the start address is remembered, not bravo's.
    assert whose(config.profile_settings("alpha", bravo, env=env)) == "env"
    assert config.profile_settings("delta", bravo, env=env).api_key is None


def test_base_url_flag_and_env_decide_the_address_the_env_key_belongs_to():
    write_settings(PROFILES)
    env = {"REACHKIT_API_KEY": ENV_KEY}
    started = load_settings(Overrides(base_url="https://flag.example"), env=env)
    assert whose(started) == "env" and started.env_key_base_url == "https://flag.example"
    # alpha's own address is not where the app started: its key is not the environment's.
    assert config.profile_settings("alpha", started, env=env).api_key is None
    # REACHKIT_BASE_URL moves every profile to one address: the env key goes with it.
    env = {"REACHKIT_API_KEY": ENV_KEY, "REACHKIT_BASE_URL": "https://env.example"}
    started = load_settings(env=env)
    for name in ("bravo", "delta"):
        settings = config.profile_settings(name, started, env=env)
        assert settings.base_url == "https://env.example" and whose(settings) == "env"


def test_screens_say_where_the_env_key_is_used():
    write_settings(PROFILES)
    env = {"REACHKIT_API_KEY": ENV_KEY}
    start = load_settings(env=env)
    assert "used for https://alpha.example" in config.env_key_note(start, env)
    delta = config.profile_settings("delta", start, env=env)
    note = config.env_key_note(delta, env)
    assert "for https://alpha.example" in note and "https://delta.example uses its own key" in note
    assert config.env_key_note(start, {}) == ""


def test_the_profiles_listing_says_where_the_env_key_applies(monkeypatch, capsys):
    write_settings(PROFILES)
    config.store_key("bravo", BRAVO_KEY)
    monkeypatch.setenv("REACHKIT_API_KEY", ENV_KEY)
    assert cli.main(["profiles"]) == 0
    out = capsys.readouterr().out
    assert "the address the app starts with" in out and "uses its own" in out
    assert ENV_KEY not in out and BRAVO_KEY not in out
    assert "instead of any stored key" not in out


async def test_switching_profile_sends_each_server_only_its_own_key(make_demo_server, monkeypatch):
    alpha = make_demo_server(key=ENV_KEY, seed=1, conversations=20)
    bravo = make_demo_server(key=BRAVO_KEY, seed=2, conversations=12)
    write_settings(
        'default_profile = "alpha"\n[defaults]\npoll_interval = 0\npage_size = 10\n'
        f'[profiles.alpha]\nbase_url = "{alpha.base_url}"\n'
        f'[profiles.bravo]\nbase_url = "{bravo.base_url}"\n'
        f'[profiles.charlie]\nbase_url = "{alpha.base_url}/api/v1/"\n'
    )
    config.store_key("bravo", BRAVO_KEY)
    monkeypatch.setenv("REACHKIT_API_KEY", ENV_KEY)  # the key for alpha's address, where the app starts
    app = UniboxApp(load_settings(), clock=clock_for())

    async def switch_to(name: str) -> None:
        await pilot.press("W")
        await settle(pilot)
        listing = app.screen.query_one(OptionList)
        listing.highlighted = next(i for i in range(listing.option_count) if listing.get_option_at_index(i).id == name)
        await pilot.press("enter")
        await settle(pilot)

    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, InboxScreen) and app.settings.profile == "alpha"
        await switch_to("bravo")
        assert isinstance(app.screen, InboxScreen) and app.settings.profile == "bravo"
        await switch_to("charlie")  # alpha's address under another name: the env key fits
        assert isinstance(app.screen, InboxScreen) and app.settings.profile == "charlie"
        await switch_to("bravo")
        assert isinstance(app.screen, InboxScreen)
        assert not any(isinstance(screen, WelcomeScreen) for screen in app.screen_stack)
    assert bravo.requests and {whose(r.headers["authorization"]) for r in bravo.requests} == {"bravo"}
    assert alpha.requests and {whose(r.headers["authorization"]) for r in alpha.requests} == {"env"}
