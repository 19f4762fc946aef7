"""``login``, ``logout`` and ``profiles``: a key's way in (checked first), out, and the list.

Exit codes: 0 done, 1 refused (the key, the address or the disk said no: nothing changed),
2 used wrongly (a bad profile name or URL, no key given). Keys are read without echo, never
printed, and stored only after the API accepted them.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from urllib.parse import urlsplit

from . import APP_NAME, config
from .api.client import normalise_base_url
from .api.errors import InsecureURLError, ReachkitError
from .api.keycheck import explain_key_error, make_checking_client, verify_key
from .render.sanitize import clean_line

__all__ = ["list_profiles_command", "login", "logout"]

OK, REFUSED, USAGE = 0, 1, 2


def _say(text: str) -> None:
    print(text, file=sys.stdout, flush=True)


def _complain(text: str) -> None:
    """An error line; it may quote the server, so escape sequences are stripped first."""
    print(f"{APP_NAME}: {clean_line(text, max_chars=1000)}", file=sys.stderr, flush=True)


def _profile(options: argparse.Namespace) -> str | None:
    """The profile the command is about (given, or the default one); None after saying why not."""
    name = getattr(options, "profile", None) or config.default_profile_name()
    if not config.valid_profile_name(name):
        _complain(f"{name!r} is not a valid profile name: use letters, digits, '_', '.' and '-'.")
        return None
    return name


def _read_key(profile: str) -> str:
    """The key, typed or pasted without echo at a terminal, or the first line of piped input."""
    if sys.stdin is not None and sys.stdin.isatty():
        return getpass.getpass(f"API key for profile {profile!r} (input hidden, Ctrl-C cancels): ")
    if sys.stdin is None:
        return ""
    return sys.stdin.readline()


def login(options: argparse.Namespace) -> int:
    """Ask for the key, check it against the API, then store it (and the given base URL)."""
    profile = _profile(options)
    if profile is None:
        return USAGE
    settings = config.load_settings(
        config.Overrides(profile=profile, base_url=options.base_url, insecure=options.insecure)
    )
    for warning in settings.warnings:
        _complain(warning)
    parts = urlsplit(settings.base_url if "://" in settings.base_url else "https://" + settings.base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        _complain(f"{clean_line(settings.base_url)!r} is not an API address (expected https://host).")
        return USAGE
    try:
        base_url = normalise_base_url(settings.base_url, allow_insecure=options.insecure)
    except InsecureURLError as error:
        _complain(f"{error} Nothing was stored.")
        return REFUSED

    try:
        typed = _read_key(profile)
    except (KeyboardInterrupt, EOFError):
        print(file=sys.stderr)
        _complain("cancelled; nothing was stored.")
        return REFUSED
    try:
        key = config.clean_key(typed)
    except ValueError as error:
        _complain(f"{error} Nothing was stored.")
        return USAGE

    print(f"Checking the key with {base_url} ...", file=sys.stderr, flush=True)
    try:
        asyncio.run(_check(key, base_url, options.insecure, settings.trust_env))
    except KeyboardInterrupt:
        _complain("cancelled; nothing was stored.")
        return REFUSED
    except ReachkitError as error:
        _complain(f"{explain_key_error(error, base_url)} Nothing was stored.")
        return REFUSED

    replaced = config.read_key(profile) is not None
    try:
        path = config.store_key(profile, key)
    except (OSError, ValueError) as error:
        _complain(f"The key works, but could not be stored: {error}.")
        return REFUSED
    _say(f"The key works. {'Replaced the' if replaced else 'Stored the'} key of profile {profile!r} in {path} (readable only by you).")
    _save_profile_settings(profile, base_url if options.base_url else None)
    if os.environ.get(config.ENV_API_KEY, "").strip():
        _say(
            f"Note: {config.ENV_API_KEY} is set: when the app starts at {base_url} it uses that key "
            "instead of this one; unset it to use this one."
        )
    return OK


async def _check(key: str, base_url: str, insecure: bool, trust_env: bool) -> None:
    async with make_checking_client(key, base_url, allow_insecure=insecure, trust_env=trust_env) as client:
        if client.route is not None and client.route.proxy:
            print(f"(going{client.route.describe()})", file=sys.stderr, flush=True)
        await verify_key(client)


def _save_profile_settings(profile: str, base_url: str | None) -> None:
    """Remember the address the key belongs to, and make a first named profile the default."""
    try:
        if base_url is not None:
            path = config.save_profile_setting(profile, "base_url", base_url)
            _say(f"Saved base_url = {base_url} for profile {profile!r} in {path}.")
        data, _ = config.read_settings_file()
        others = [name for name in config.list_profiles() if name != profile]
        if "default_profile" not in data and profile != config.DEFAULT_PROFILE and not others and not os.environ.get(config.ENV_PROFILE):
            config.set_default_profile(profile)
            _say(f"Made {profile!r} the default profile: `{APP_NAME}` opens it.")
    except (config.SettingsFileError, ValueError) as error:
        _complain(str(error))
    if profile != config.default_profile_name():
        _say(f"Open it with: {APP_NAME} --profile {profile}")


def logout(options: argparse.Namespace) -> int:
    """Forget a profile's stored key (its settings stay)."""
    profile = _profile(options)
    if profile is None:
        return USAGE
    try:
        removed = config.delete_key(profile)
    except OSError as error:
        _complain(f"Could not remove the key of profile {profile!r}: {error.strerror}.")
        return REFUSED
    _say(f"Forgot the key of profile {profile!r}." if removed else f"Profile {profile!r} had no stored key.")
    from .store.row_cache import RowCache

    if RowCache.clear_all(config.cache_dir()):
        _say("Removed the cached first pages of the inbox (they are fetched again at the next start).")
    if os.environ.get(config.ENV_API_KEY, "").strip():
        _say(f"Note: {config.ENV_API_KEY} is still set in this shell; the app keeps using it at the address it starts with.")
    return OK


def list_profiles_command() -> int:
    """Profiles, which is the default, which hold a key, and their addresses: never the keys."""
    infos = config.profile_infos()
    if not any(info.has_key or info.name in config.list_profiles() for info in infos):
        _say(f"No profiles yet. Add one with: {APP_NAME} login [--profile NAME] [--base-url URL]")
        return OK
    width = max(len("PROFILE"), *(len(info.name) for info in infos))
    _say(f"  {'PROFILE'.ljust(width)}  {'KEY'.ljust(6)}  BASE URL")
    for info in infos:
        marker = "*" if info.is_default else " "
        key = "stored" if info.has_key else "none"
        _say(f"{marker} {info.name.ljust(width)}  {key.ljust(6)}  {clean_line(info.base_url)}")
    _say(f"* = the default profile (used without --profile). Add one: {APP_NAME} login --profile NAME")
    if os.environ.get(config.ENV_API_KEY, "").strip():
        _say(
            f"{config.ENV_API_KEY} is set: it is used for the address the app starts with "
            f"({config.ENV_BASE_URL}, else the profile's), instead of that profile's stored key; "
            "a profile you switch to at another address uses its own."
        )
    if os.environ.get(config.ENV_BASE_URL, "").strip():
        _say(f"{config.ENV_BASE_URL} is set: it is used instead of every profile's base URL.")
    return OK
