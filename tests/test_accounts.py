"""Settings resolution, stored keys and the login / logout / profiles commands, as a user runs them."""

from __future__ import annotations

import io
import logging
import os
import ssl
import stat
from pathlib import Path

import httpx
import pytest

from unibox_tui import accounts, cli, config
from unibox_tui.api import AuthenticationError, ReachkitClient
from unibox_tui.config import Overrides, load_settings

GOOD_KEY = "rk_live_Z8q3Lw0pXv7Ke2Nd9Tf"


class FakeTty(io.StringIO):
    """Standard input attached to a terminal (so login must use getpass, never read it)."""

    def isatty(self) -> bool:
        return True


@pytest.fixture
def typed_key(monkeypatch: pytest.MonkeyPatch):
    """Make ``getpass`` answer with a key, as if typed at a terminal; records the prompts."""
    prompts: list[str] = []

    def answer(key: str) -> list[str]:
        def fake_getpass(prompt: str = "") -> str:
            prompts.append(prompt)
            return key

        monkeypatch.setattr("sys.stdin", FakeTty())
        monkeypatch.setattr(accounts.getpass, "getpass", fake_getpass)
        return prompts

    return answer


def write_settings(text: str) -> Path:
    path = config.config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# --- resolution order ----------------------------------------------------------------------------------


def test_key_resolution_flag_beats_env_beats_the_profiles_stored_key():
    config.store_key("default", "stored-key-1234")
    assert load_settings(env={}).api_key == "stored-key-1234"
    assert load_settings(env={}).api_key_source == "profile"
    env = {"REACHKIT_API_KEY": "env-key-5678"}
    assert (load_settings(env=env).api_key, load_settings(env=env).api_key_source) == ("env-key-5678", "env")
    flagged = load_settings(Overrides(api_key="flag-key-9012"), env=env)
    assert (flagged.api_key, flagged.api_key_source) == ("flag-key-9012", "flag")


def test_base_url_resolution_flag_env_profile_defaults_builtin():
    write_settings(
        'default_profile = "acme"\n'
        '[defaults]\nbase_url = "https://defaults.example"\n'
        '[profiles.acme]\nbase_url = "https://acme.example"\n'
    )
    assert load_settings(Overrides(profile="other"), env={}).base_url == "https://defaults.example"
    assert load_settings(env={}).base_url == "https://acme.example"
    env = {"REACHKIT_BASE_URL": "https://env.example"}
    assert load_settings(env=env).base_url == "https://env.example"
    assert load_settings(Overrides(base_url="https://flag.example"), env=env).base_url == "https://flag.example"
    write_settings("")
    assert load_settings(env={}).base_url == "https://reachkit.ai"


def test_profile_choice_flag_env_file_default():
    write_settings('default_profile = "fromfile"\n')
    assert load_settings(env={}).profile == "fromfile"
    assert load_settings(env={"UNIBOX_PROFILE": "fromenv"}).profile == "fromenv"
    assert load_settings(Overrides(profile="fromflag"), env={"UNIBOX_PROFILE": "fromenv"}).profile == "fromflag"
    write_settings("")
    assert load_settings(env={}).profile == "default"


def test_each_profile_has_its_own_key_and_the_env_key_wins_for_all():
    config.store_key("alpha", "alpha-key-1111")
    config.store_key("bravo", "bravo-key-2222")
    assert load_settings(Overrides(profile="alpha"), env={}).api_key == "alpha-key-1111"
    assert load_settings(Overrides(profile="bravo"), env={}).api_key == "bravo-key-2222"
    env = {"REACHKIT_API_KEY": "env-key-3333"}
    assert load_settings(Overrides(profile="bravo"), env=env).api_key == "env-key-3333"


def test_an_unusable_env_key_is_ignored_with_a_warning_that_does_not_quote_it():
    settings = load_settings(env={"REACHKIT_API_KEY": "two words\x1b[31m"})
    assert settings.api_key is None
    assert any("REACHKIT_API_KEY is not usable" in warning for warning in settings.warnings)
    assert not any("two words" in warning for warning in settings.warnings)


def test_pasted_keys_are_tidied_and_nonsense_refused():
    assert config.clean_key("  Bearer abc-123 \n") == "abc-123"
    assert config.clean_key('"abc-123"') == "abc-123"
    for bad in ("", "   ", "has space", "tab\tkey", "naïve-key", "esc\x1b[2J"):
        with pytest.raises(ValueError) as caught:
            config.clean_key(bad)
        assert bad.strip() == "" or bad not in str(caught.value)


# --- the settings file -----------------------------------------------------------------------------------


def test_a_malformed_settings_file_is_named_with_its_line_and_defaults_apply():
    path = write_settings('[defaults]\npage_size = 20\ntheme = "nord\npoll_interval = 10\n')
    settings = load_settings(env={})
    assert (settings.page_size, settings.theme, settings.poll_interval) == (50, "textual-dark", 60.0)
    [warning] = settings.warnings
    assert str(path) in warning and "line 3, column" in warning and "not valid TOML" in warning


def test_bad_values_and_unknown_keys_are_reported_with_their_line():
    path = write_settings(
        "colour = 1\n"
        "[defaults]\n"
        "page_size = 500\n"
        "[profiles.default]\n"
        'api_key = "do-not-put-it-here"\n'
        "bogus = true\n"
    )
    settings = load_settings(env={})
    text = "\n".join(settings.warnings)
    assert f"{path}, line 1: unknown setting `colour`" in text
    assert f"{path}, line 3: `page_size` should be a whole number from 1 to 100" in text
    assert f"{path}, line 5: `api_key` in the settings file is ignored" in text
    assert f"{path}, line 6: unknown setting `bogus`" in text
    assert "do-not-put-it-here" not in text and settings.api_key is None


def test_saving_a_profile_base_url_keeps_the_users_comments_and_layout():
    path = write_settings('# my settings\n[defaults]\npage_size = 25  # small\n\n[profiles."eu.acme"]\nbase_url = "https://old"\n')
    config.save_profile_setting("eu.acme", "base_url", "https://eu.acme.example")
    config.save_profile_setting("beta", "base_url", "https://beta.example")
    text = path.read_text()
    assert "# my settings" in text and "page_size = 25  # small" in text
    assert load_settings(Overrides(profile="eu.acme"), env={}).base_url == "https://eu.acme.example"
    assert load_settings(Overrides(profile="beta"), env={}).base_url == "https://beta.example"
    write_settings("[defaults\n")
    with pytest.raises(config.SettingsFileError, match="line 1"):
        config.save_profile_setting("beta", "base_url", "https://beta.example")


# --- stored keys: owner-only from birth ----------------------------------------------------------------


def test_the_key_file_is_born_0600_in_a_0700_folder_whatever_the_umask(monkeypatch: pytest.MonkeyPatch):
    modes_at_birth: list[int] = []
    real_open = os.open

    def spying_open(path, flags, mode=0o777, *args, **kwargs):
        fd = real_open(path, flags, mode, *args, **kwargs)
        if flags & os.O_CREAT:
            modes_at_birth.append(stat.S_IMODE(os.fstat(fd).st_mode))
        return fd

    monkeypatch.setattr(os, "open", spying_open)
    old_umask = os.umask(0)  # a careless umask must not widen anything
    try:
        path = config.store_key("acme", GOOD_KEY)
    finally:
        os.umask(old_umask)
    assert modes_at_birth == [0o600]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(config.config_dir().stat().st_mode) == 0o700
    assert path.read_text() == GOOD_KEY + "\n"
    assert [p.name for p in path.parent.iterdir()] == ["acme.key"]  # no temporary file left


def test_a_pre_existing_wide_folder_and_key_file_are_tightened():
    keys = config.keys_dir()
    keys.mkdir(parents=True)
    os.chmod(config.config_dir(), 0o755)
    os.chmod(keys, 0o777)
    config.store_key("acme", GOOD_KEY)
    assert stat.S_IMODE(keys.stat().st_mode) == 0o700
    assert stat.S_IMODE(config.config_dir().stat().st_mode) == 0o700
    os.chmod(keys / "acme.key", 0o644)  # restored from a backup, say
    assert config.read_key("acme") == GOOD_KEY
    assert stat.S_IMODE((keys / "acme.key").stat().st_mode) == 0o600


def test_a_symlinked_key_file_is_not_followed(tmp_path: Path):
    canary = tmp_path / "canary-secret"
    canary.write_text("not-a-key-but-a-secret\n")
    keys = config.keys_dir()
    keys.mkdir(parents=True)
    (keys / "acme.key").symlink_to(canary)
    assert config.read_key("acme") is None  # never read, so never sent to a server


def test_profile_names_cannot_escape_the_keys_folder():
    for name in ("../evil", "a/b", ".", "..", "", "-x", "x" * 65):
        assert not config.valid_profile_name(name)
        with pytest.raises(ValueError):
            config.store_key(name, GOOD_KEY)


# --- unibox-tui login --------------------------------------------------------------------------------------


def test_login_checks_the_key_then_stores_it_and_the_base_url(demo_server, typed_key, capsys):
    prompts = typed_key(demo_server.key)
    code = cli.main(["login", "--profile", "acme", "--base-url", demo_server.base_url])
    out, err = capsys.readouterr()
    assert code == 0
    assert prompts and "acme" in prompts[0]
    assert config.read_key("acme") == demo_server.key
    assert load_settings(Overrides(profile="acme"), env={}).base_url == demo_server.base_url
    assert demo_server.count("GET", r"/api/v1/campaigns$") == 1
    assert demo_server.requests[-1].headers["authorization"] == f"Bearer {demo_server.key}"
    assert "The key works" in out and "acme" in out
    # the first named profile becomes the default, so a bare `unibox-tui` opens it
    assert config.default_profile_name(env={}) == "acme"


def test_login_reads_a_piped_key_for_scripts(make_demo_server, monkeypatch, capsys):
    server = make_demo_server(key=GOOD_KEY)
    monkeypatch.setattr("sys.stdin", io.StringIO(GOOD_KEY + "\n"))
    monkeypatch.setattr(accounts.getpass, "getpass", lambda prompt="": pytest.fail("must not prompt"))
    assert cli.main(["login", "--base-url", server.base_url]) == 0
    assert config.read_key("default") == GOOD_KEY
    out, err = capsys.readouterr()
    assert GOOD_KEY not in out + err


def test_login_with_a_wrong_key_explains_and_stores_nothing(demo_server, typed_key, capsys):
    typed_key("rk_live_wrong_0000000000")
    code = cli.main(["login", "--profile", "acme", "--base-url", demo_server.base_url])
    out, err = capsys.readouterr()
    assert code == 1
    assert "refused this key (HTTP 401)" in err and "wrong or has been revoked" in err
    assert "Nothing was stored" in err
    assert config.read_key("acme") is None and config.list_profiles() == []
    assert "rk_live_wrong_0000000000" not in out + err


def test_login_on_a_plan_without_api_access_says_so(demo_server, typed_key, capsys):
    typed_key(demo_server.key)
    demo_server.faults.fail_next(1, status=403)
    assert cli.main(["login", "--base-url", demo_server.base_url]) == 1
    err = capsys.readouterr().err
    assert "HTTP 403" in err and "a plan that includes API access" in err
    assert config.read_key("default") is None


def test_login_with_the_server_down_says_it_could_not_reach_it(make_demo_server, typed_key, capsys):
    server = make_demo_server()
    base_url = server.base_url
    server.stop()
    typed_key("demo")
    assert cli.main(["login", "--base-url", base_url]) == 1
    err = capsys.readouterr().err
    assert f"Could not reach {base_url}: is the URL right? Are you online?" in err
    assert config.read_key("default") is None


def test_login_replaces_a_key_only_once_the_new_one_works(demo_server, typed_key):
    config.store_key("default", "old-but-working-key")
    typed_key("new-but-wrong-key")
    assert cli.main(["login", "--base-url", demo_server.base_url]) == 1
    assert config.read_key("default") == "old-but-working-key"
    typed_key(demo_server.key)
    assert cli.main(["login", "--base-url", demo_server.base_url]) == 0
    assert config.read_key("default") == demo_server.key


def test_login_refuses_plain_http_to_a_remote_host_before_asking_for_the_key(typed_key, capsys):
    prompts = typed_key(GOOD_KEY)
    assert cli.main(["login", "--base-url", "http://reachkit.example.com"]) == 1
    err = capsys.readouterr().err
    assert "Refusing plain http:// to reachkit.example.com" in err and "--insecure" in err
    assert prompts == []


def test_login_with_insecure_goes_on_to_ask_for_the_key(monkeypatch, capsys):
    def cancel(prompt: str = "") -> str:
        raise KeyboardInterrupt

    monkeypatch.setattr("sys.stdin", FakeTty())
    monkeypatch.setattr(accounts.getpass, "getpass", cancel)
    assert cli.main(["login", "--insecure", "--base-url", "http://reachkit.example.com"]) == 1
    assert "cancelled; nothing was stored" in capsys.readouterr().err


def test_login_usage_errors_exit_2(typed_key, capsys):
    with pytest.raises(SystemExit) as exited:
        cli.main(["login", "--profile", "../../etc"])
    assert exited.value.code == 2
    typed_key("   ")
    assert cli.main(["login", "--base-url", "http://127.0.0.1:9"]) == 2
    assert "No key was entered" in capsys.readouterr().err
    assert cli.main(["login", "--base-url", "ftp://files.example"]) == 2


# --- logout and profiles -----------------------------------------------------------------------------------


def test_profiles_lists_default_and_stored_keys_but_never_the_keys(capsys):
    write_settings('default_profile = "acme"\n[profiles.acme]\nbase_url = "https://acme.example"\n[profiles.beta]\n')
    config.store_key("acme", GOOD_KEY)
    config.store_key("gamma", "gamma-key-12345678")
    assert cli.main(["profiles"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert any(line.startswith("* acme") and "stored" in line and "https://acme.example" in line for line in lines)
    assert any(line.startswith("  beta") and "none" in line for line in lines)
    assert any(line.startswith("  gamma") and "stored" in line for line in lines)
    assert GOOD_KEY not in out and "gamma-key-12345678" not in out


def test_profiles_with_none_says_how_to_add_one(capsys):
    assert cli.main(["profiles"]) == 0
    assert "unibox-tui login" in capsys.readouterr().out


def test_logout_forgets_the_key_and_keeps_the_settings(capsys):
    write_settings('[profiles.acme]\nbase_url = "https://acme.example"\n')
    config.store_key("acme", GOOD_KEY)
    assert cli.main(["logout", "--profile", "acme"]) == 0
    assert config.read_key("acme") is None
    assert load_settings(Overrides(profile="acme"), env={}).base_url == "https://acme.example"
    assert cli.main(["logout", "--profile", "acme"]) == 0
    assert "had no stored key" in capsys.readouterr().out


def test_logout_removes_the_cached_rows_of_strangers_mail(capsys):
    config.store_key("acme", GOOD_KEY)
    cache = config.cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    (cache / "rows-0123456789abcdef-primary-50.json").write_text("{}")
    keep = cache / "unrelated.txt"
    keep.write_text("x")
    assert cli.main(["logout", "--profile", "acme"]) == 0
    assert not list(cache.glob("rows-*.json")) and keep.exists()
    assert "Removed the cached first pages" in capsys.readouterr().out


# --- the key stays secret: logs, error messages, TLS ---------------------------------------------------


def test_the_key_never_reaches_the_debug_log(make_demo_server, typed_key, tmp_path, caplog):
    server = make_demo_server(key=GOOD_KEY)
    log_file = tmp_path / "debug.log"
    handler = cli._configure_logging(log_file)
    root = logging.getLogger()
    level = root.level
    caplog.set_level(logging.DEBUG)
    try:
        logging.getLogger("httpcore").setLevel(logging.DEBUG)  # even its most talkative level
        typed_key("rk_live_wrong_but_long_key_1")
        cli.main(["login", "--base-url", server.base_url])
        typed_key(GOOD_KEY)
        cli.main(["login", "--base-url", server.base_url])
    finally:
        root.removeHandler(handler)
        handler.close()
        root.setLevel(level)
    written = log_file.read_text()
    assert "HTTP Request: GET" in written  # the log does record requests...
    captured = caplog.text + written
    assert GOOD_KEY not in captured and "rk_live_wrong_but_long_key_1" not in captured  # ...never the key
    assert "authorization" not in captured.lower()


async def test_errors_and_reprs_never_carry_the_key_even_when_the_server_echoes_it():
    def echo(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"error": f"Invalid token: {request.headers['authorization']}"})

    client = ReachkitClient(GOOD_KEY, "https://reachkit.example", transport=httpx.MockTransport(echo))
    with pytest.raises(AuthenticationError) as caught:
        await client.verify()
    await client.aclose()
    for text in (str(caught.value), repr(caught.value), repr(client), repr(load_settings(Overrides(api_key=GOOD_KEY)))):
        assert GOOD_KEY not in text
    assert "[key hidden]" in str(caught.value)


async def test_tls_verification_is_always_on_for_https():
    client = ReachkitClient(GOOD_KEY, "https://reachkit.example")
    context = client._http._transport._pool._ssl_context
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    await client.aclose()


async def test_a_redirect_or_a_web_page_is_not_taken_for_a_working_key():
    from unibox_tui.api import APIError, ProtocolError
    from unibox_tui.api.keycheck import explain_key_error

    answers = iter([httpx.Response(301, headers={"location": "https://elsewhere.example/"}),
                    httpx.Response(200, html="<html>Welcome to our site</html>")])
    client = ReachkitClient(GOOD_KEY, "https://reachkit.example", transport=httpx.MockTransport(lambda r: next(answers)))
    with pytest.raises(APIError) as redirected:
        await client.verify()
    assert "redirected" in explain_key_error(redirected.value, client.base_url)
    assert "elsewhere.example" in explain_key_error(redirected.value, client.base_url)
    with pytest.raises(ProtocolError) as caught:
        await client.verify()
    assert "not like Reachkit's API" in explain_key_error(caught.value, client.base_url)
    await client.aclose()


def test_login_never_lets_a_hostile_server_message_reach_the_terminal(typed_key, capsys, monkeypatch):
    def hostile(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404, json={"error": "\x1b]0;pwned\x07\x1b[2J gone"})

    real_client = accounts.make_checking_client

    def client_with_transport(key, base_url, *, allow_insecure=False, **kwargs):
        return real_client(key, base_url, allow_insecure=allow_insecure, transport=httpx.MockTransport(hostile), **kwargs)

    monkeypatch.setattr(accounts, "make_checking_client", client_with_transport)
    typed_key(GOOD_KEY)
    assert cli.main(["login", "--base-url", "https://reachkit.example"]) == 1
    err = capsys.readouterr().err
    assert "not like Reachkit's API" in err and "\x1b" not in err and "\x07" not in err
