"""Settings, profiles and stored keys; every path the app uses comes from here.

Resolution order (DESIGN.md): command-line flags > ``REACHKIT_API_KEY`` / ``REACHKIT_BASE_URL``
> the profile's settings and stored key > ``[defaults]`` in the settings file > built-in defaults.

``REACHKIT_API_KEY`` belongs to the address in effect when the app started (``--base-url`` >
``REACHKIT_BASE_URL`` > the start profile's): a profile switched to inside the app uses it only
when its address is the same one (``profile_settings``); any other address gets its own stored
key, or asks for one, so a key is never sent to a server it was not meant for.

The settings file is ``config.toml`` in ``platformdirs.user_config_dir("unibox-tui")``::

    default_profile = "acme"

    [defaults]                 # every profile
    page_size = 50
    poll_interval = 60         # seconds; 0 turns polling off
    send_delay = 5             # seconds of "undo send"; 0 sends at once
    theme = "textual-dark"
    download_dir = "~/Downloads/leads"
    mark_read_on_open = true
    trust_env = true           # honour HTTPS_PROXY, NO_PROXY, SSL_CERT_FILE... (false: ignore them)
    reply_within = "1h"        # a hot reply waiting longer is highlighted in the waiting queue
    alerts = "human"           # new-reply alerts: "human", "all" or "off"
    remind_after = "off"       # the composer's "remind if no reply" default: off, 2d, 4d, 1w
    snooze_morning = 9         # the hour "tomorrow", "next Monday" and named days wake at
    pipe_marked = "each"       # marked conversations piped one run each, or "array": one run

    [defaults.keys]            # key binding overrides: "binding id" = "keys" (comma-separated)
    "inbox.next_page" = "],n"

    [profiles.acme]
    base_url = "https://reachkit.ai"

    [snippets.calendar]        # global, not per profile (domain/snippets.py)
    text = "Hi {first_name},\\n\\ngrab any slot here: https://cal.example/alex"
    labels = ["meeting_requested", "interested"]

    [commands]                 # global: what ``|`` pipes conversations to (domain/pipes.py)
    crm = "crm-push --stage replied"

Keys live apart from settings, one file per profile under ``keys/`` (folder 0700, files 0600),
so the settings file can be shared or pasted into a bug report. Every problem in the file becomes
a warning naming the file and the line; a file that is not valid TOML is ignored as a whole.
"""

from __future__ import annotations

import json
import os
import re
import stat
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import APP_NAME
from .domain.durations import format_span, parse_span
from .store.atomic import private_directory, write_atomic

if TYPE_CHECKING:
    from .domain.pipes import PipeCommand
    from .domain.snippets import Snippet

__all__ = [
    "ALERT_LEVELS",
    "DEFAULT_BASE_URL",
    "DEFAULT_PROFILE",
    "ENV_API_KEY",
    "ENV_BASE_URL",
    "ENV_PROFILE",
    "Overrides",
    "ProfileInfo",
    "REMIND_AFTER_CHOICES",
    "Settings",
    "SettingsFileError",
    "cache_dir",
    "clean_key",
    "config_dir",
    "config_file",
    "data_dir",
    "default_download_dir",
    "default_profile_name",
    "delete_key",
    "drafts_dir",
    "env_key_belongs_to",
    "env_key_note",
    "keys_dir",
    "list_profiles",
    "load_settings",
    "profile_infos",
    "profile_settings",
    "read_snippets",
    "read_key",
    "save_profile_setting",
    "set_default_profile",
    "store_key",
    "valid_profile_name",
]

DEFAULT_BASE_URL = "https://reachkit.ai"
DEFAULT_PROFILE = "default"
ENV_API_KEY = "REACHKIT_API_KEY"
ENV_BASE_URL = "REACHKIT_BASE_URL"
ENV_PROFILE = "UNIBOX_PROFILE"

_PROFILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")

#: ``alerts``: which new replies ring and notify (``domain/alerts.py``).
ALERT_LEVELS = ("human", "all", "off")
#: ``remind_after``: the composer's "remind me if no reply" choices, in the order ctrl+w cycles.
REMIND_AFTER_CHOICES = ("off", "2d", "4d", "1w")
_REPLY_WITHIN_RANGE = (60, 7 * 86400)


# --- paths: the one seam tests point at temporary folders (through XDG_* variables) ---------------


def config_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_config_dir(APP_NAME))


def data_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME))


def cache_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir(APP_NAME))


def default_download_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_downloads_dir())


def config_file() -> Path:
    return config_dir() / "config.toml"


def keys_dir() -> Path:
    return config_dir() / "keys"


def drafts_dir(profile: str = DEFAULT_PROFILE) -> Path:
    return data_dir() / "drafts" / profile


def valid_profile_name(name: str) -> bool:
    """Profile names become file names: letters, digits, ``_ . -``; no path tricks."""
    return bool(_PROFILE_NAME.match(name)) and name not in (".", "..")


# --- settings ---------------------------------------------------------------------------------------


@dataclass(slots=True)
class Settings:
    """Everything the app needs to start, already resolved. ``api_key`` never appears in repr."""

    profile: str = DEFAULT_PROFILE
    api_key: str | None = field(default=None, repr=False)
    api_key_source: str = ""  # "flag", "env", "profile", "demo" or ""
    base_url: str = DEFAULT_BASE_URL
    page_size: int = 50
    poll_interval: float = 60.0
    send_delay: float = 5.0
    theme: str = "textual-dark"
    download_dir: Path | None = None
    mark_read_on_open: bool = True
    #: Honour the proxy and certificate variables of the environment (``api/network.py``).
    trust_env: bool = True
    #: Seconds a hot reply may wait before the waiting queue highlights it (``"1h"`` in the file).
    reply_within: float = 3600.0
    #: New-reply alerts: ``"human"`` (no Others, no auto-replies), ``"all"`` or ``"off"``.
    alerts: str = "human"
    #: The composer's "remind if no reply" default: one of ``REMIND_AFTER_CHOICES``.
    remind_after: str = "off"
    #: The hour (local) that "tomorrow", "next Monday" and "when the lead is back" wake at.
    snooze_morning: int = 9
    keys: dict[str, str] = field(default_factory=dict)
    #: ``[snippets.NAME]``: global, not per profile (a person's own phrases, the same everywhere).
    snippets: tuple[Snippet, ...] = ()
    #: ``[commands]``: what ``|`` can pipe conversations to; global like the snippets.
    commands: tuple[PipeCommand, ...] = ()
    #: With marked conversations, a command runs once per conversation or once with an array.
    pipe_marked: str = "each"
    insecure: bool = False
    demo: bool = False
    #: The address ``REACHKIT_API_KEY`` belongs to: the one in effect when the app started.
    env_key_base_url: str = ""
    #: Problems with the settings file, phrased for the user (file and line included).
    warnings: list[str] = field(default_factory=list)

    @property
    def downloads(self) -> Path:
        return self.download_dir or default_download_dir()

    @property
    def has_key(self) -> bool:
        return bool(self.api_key)


@dataclass(slots=True)
class Overrides:
    """What the command line said; ``None`` means "not given"."""

    profile: str | None = None
    base_url: str | None = None
    api_key: str | None = field(default=None, repr=False)
    page_size: int | None = None
    download_dir: Path | None = None
    insecure: bool = False
    demo: bool = False


def read_settings_file(path: Path | None = None) -> tuple[dict[str, Any], list[str]]:
    """The parsed settings file and any problem found; a broken file yields ``{}`` and a warning."""
    data, warnings, _ = _read_settings(path or config_file())
    return data, warnings


def _read_settings(path: Path) -> tuple[dict[str, Any], list[str], str]:
    """Parsed data, problems (each naming the file, and the line when known), and the raw text."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}, [], ""
    except OSError as error:
        return {}, [f"Could not read the settings file {path}: {error.strerror}. Using the built-in settings."], ""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        return {}, [f"Settings file {path}, line {line}: not UTF-8 text. Using the built-in settings until it is fixed."], ""
    try:
        return tomllib.loads(text), [], text
    except tomllib.TOMLDecodeError as error:
        return {}, [_toml_error_message(path, error)], text


def _toml_error_message(path: Path, error: tomllib.TOMLDecodeError) -> str:
    """"Settings file F, line 3, column 5: Invalid value ..." from tomllib's "... (at line 3, column 5)"."""
    message = str(error)
    position = re.search(r"\s*\(at line (\d+), column (\d+)\)", message)
    if position:
        reason = message[: position.start()] + message[position.end() :]
        where = f"line {position.group(1)}, column {position.group(2)}"
    elif "(at end of document)" in message:
        reason, where = message.replace("(at end of document)", "").strip(), "at the end"
    else:
        reason, where = message, ""
    place = f"Settings file {path}" + (f", {where}" if where else "")
    return f"{place}: {reason.strip()} (not valid TOML). Using the built-in settings until it is fixed."


_TABLE_HEADER = re.compile(r"^\s*\[\s*([^\[\]#]+?)\s*\]\s*(?:#.*)?$")
_KEY_AT_LINE_START = re.compile(r"""^\s*(?:"([^"]*)"|'([^']*)'|([A-Za-z0-9_-]+))\s*=""")
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def _dotted(name: str) -> tuple[str, ...]:
    """``profiles."acme.eu"`` -> ``("profiles", "acme.eu")``."""
    return tuple(
        next(part for part in groups if part)
        for groups in re.findall(r'"([^"]*)"|\'([^\']*)\'|([^.\s"\']+)', name)
    )


def _line_of(text: str, table: tuple[str, ...], key: str | None = None) -> int | None:
    """The line (1-based) where ``key`` is set in ``[table]``, or the table's header; best effort."""
    current: tuple[str, ...] = ()
    for number, line in enumerate(text.splitlines(), 1):
        header = _TABLE_HEADER.match(line)
        if header and not line.lstrip().startswith("[["):
            current = _dotted(header.group(1))
            if key is None and current == table:
                return number
            continue
        match = _KEY_AT_LINE_START.match(line)
        if key is not None and match and current == table:
            if next(group for group in match.groups() if group is not None) == key:
                return number
    return None


@dataclass(frozen=True, slots=True)
class _Where:
    """A place in the settings file, for messages: "config.toml, line 7" when the line is known."""

    path: Path
    text: str
    table: tuple[str, ...] = ()

    def at(self, key: str | None = None) -> str:
        line = _line_of(self.text, self.table, key)
        if line is None and key is not None:  # a sub-table (``[defaults.keys]``), else the table
            line = _line_of(self.text, (*self.table, key)) or _line_of(self.text, self.table)
        if line is not None:
            return f"Settings file {self.path}, line {line}"
        return f"Settings file {self.path}" + (f" [{'.'.join(self.table)}]" if self.table else "")


def _section(data: Mapping[str, Any], key: str, where: _Where, warnings: list[str]) -> dict[str, Any]:
    value = data.get(key, {})
    if isinstance(value, dict):
        return value
    warnings.append(f"{where.at(key)}: `{key}` should be a table; ignored.")
    return {}


def _apply(settings: Settings, values: Mapping[str, Any], where: _Where, warnings: list[str]) -> None:
    """Copy known, valid values onto ``settings``; say what was wrong with the rest (and where)."""

    def bad(key: str, expected: str) -> None:
        warnings.append(f"{where.at(key)}: `{key}` should be {expected}; ignored.")

    for key, value in values.items():
        if key == "base_url":
            if isinstance(value, str) and value.strip():
                settings.base_url = value.strip()
            else:
                bad(key, "a URL")
        elif key == "page_size":
            if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 100:
                settings.page_size = value
            else:
                bad(key, "a whole number from 1 to 100")
        elif key == "poll_interval":
            if isinstance(value, int | float) and not isinstance(value, bool) and (value == 0 or 5 <= value <= 86400):
                settings.poll_interval = float(value)
            else:
                bad(key, "0 (off) or a number of seconds from 5")
        elif key == "send_delay":
            if isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= 60:
                settings.send_delay = float(value)
            else:
                bad(key, "a number of seconds from 0 to 60")
        elif key == "theme":
            if isinstance(value, str) and value.strip():
                settings.theme = value.strip()
            else:
                bad(key, "a theme name")
        elif key == "download_dir":
            if isinstance(value, str) and value.strip():
                settings.download_dir = Path(os.path.expandvars(value.strip())).expanduser()
            else:
                bad(key, "a folder path")
        elif key in ("mark_read_on_open", "trust_env"):
            if isinstance(value, bool):
                setattr(settings, key, value)
            else:
                bad(key, "true or false")
        elif key in _FOLLOW_UP_SETTINGS:
            expected = _FOLLOW_UP_SETTINGS[key](settings, value)
            if expected:
                bad(key, expected)
        elif key == "keys":
            if isinstance(value, dict) and all(isinstance(v, str) for v in value.values()):
                settings.keys.update({str(k): v for k, v in value.items()})
            else:
                bad(key, 'a table of "binding id" = "keys" (quote ids: "inbox.next_page" = "n")')
        elif key == "pipe_marked":
            if value in ("each", "array"):
                settings.pipe_marked = value
            else:
                bad(key, '"each" (one run per marked conversation) or "array" (one run, a JSON array)')
        elif key in GLOBAL_TABLES:
            warnings.append(
                f"{where.at(key)}: `{key}` belong at the top level of the file ([{key}.NAME] or [{key}]), "
                "not in [defaults] or a profile: they are the same in every profile; ignored here."
            )
        elif key == "api_key":
            warnings.append(
                f"{where.at(key)}: `api_key` in the settings file is ignored (keys are kept apart, "
                "owner-only); use `unibox-tui login`."
            )
        else:
            warnings.append(f"{where.at(key)}: unknown setting `{key}`; ignored.")


def _set_reply_within(settings: Settings, value: Any) -> str:
    span = parse_span(value) if isinstance(value, str) else None
    seconds = span.as_timedelta().total_seconds() if span is not None else -1
    if not _REPLY_WITHIN_RANGE[0] <= seconds <= _REPLY_WITHIN_RANGE[1]:
        return 'a duration from "1m" to "7d", like "1h" or "30m"'
    settings.reply_within = seconds
    return ""


def _set_alerts(settings: Settings, value: Any) -> str:
    level = value.strip().lower() if isinstance(value, str) else None
    if level not in ALERT_LEVELS:
        return '"human", "all" or "off"'
    settings.alerts = level
    return ""


def _set_remind_after(settings: Settings, value: Any) -> str:
    """``"off"`` or one of the composer's choices, however it is spelled ("2 days", "1 week")."""
    text = value.strip().lower() if isinstance(value, str) else ""
    span = parse_span(text) if text not in ("", "off") else None
    choice = "off" if text == "off" else (format_span(span) if span else "")
    if choice not in REMIND_AFTER_CHOICES:
        return '"off", "2d", "4d" or "1w"'
    settings.remind_after = choice
    return ""


def _set_snooze_morning(settings: Settings, value: Any) -> str:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 23:
        return "an hour of the day from 0 to 23"
    settings.snooze_morning = value
    return ""


#: Follow-up settings (issue 17): each setter returns what was expected, or "" when it took.
_FOLLOW_UP_SETTINGS: dict[str, Callable[[Settings, Any], str]] = {
    "reply_within": _set_reply_within,
    "alerts": _set_alerts,
    "remind_after": _set_remind_after,
    "snooze_morning": _set_snooze_morning,
}


def _choose_profile(requested: str | None, env: Mapping[str, str], data: Mapping[str, Any], warnings: list[str]) -> str:
    """--profile > ``UNIBOX_PROFILE`` > the file's ``default_profile`` > "default"."""
    profile = requested or env.get(ENV_PROFILE) or data.get("default_profile") or DEFAULT_PROFILE
    if not isinstance(profile, str) or not valid_profile_name(profile):
        warnings.append(f"Profile name {profile!r} is not valid; using {DEFAULT_PROFILE!r}.")
        profile = DEFAULT_PROFILE
    return profile


def default_profile_name(env: Mapping[str, str] | None = None) -> str:
    """The profile used when no ``--profile`` is given."""
    data, _ = read_settings_file()
    return _choose_profile(None, os.environ if env is None else env, data, [])


GLOBAL_TABLES = ("snippets", "commands")
TOP_LEVEL_KEYS = ("default_profile", "defaults", "profiles", *GLOBAL_TABLES)


def load_settings(
    overrides: Overrides | None = None,
    env: Mapping[str, str] | None = None,
    *,
    env_key_base_url: str | None = None,
) -> Settings:
    """Resolve settings from flags, environment, profile, file defaults and built-in defaults.

    ``env_key_base_url`` is the address ``REACHKIT_API_KEY`` belongs to; ``None`` means "this is
    the start-up resolution", so it belongs to the address resolved here.
    """
    overrides = overrides or Overrides()
    env = os.environ if env is None else env
    path = config_file()
    data, warnings, text = _read_settings(path)
    root = _Where(path, text)
    for key in data:
        if key not in TOP_LEVEL_KEYS:
            warnings.append(f"{root.at(key)}: unknown setting `{key}`; ignored.")

    profiles = _section(data, "profiles", root, warnings)
    profile = _choose_profile(overrides.profile, env, data, warnings)

    settings = Settings(profile=profile)
    _apply(settings, _section(data, "defaults", root, warnings), _Where(path, text, ("defaults",)), warnings)
    profile_values = profiles.get(profile, {})
    where = _Where(path, text, ("profiles", profile))
    if not isinstance(profile_values, dict):
        warnings.append(f"{where.at()}: [profiles.{profile}] should be a table; ignored.")
        profile_values = {}
    _apply(settings, profile_values, where, warnings)

    if env.get(ENV_BASE_URL, "").strip():
        settings.base_url = env[ENV_BASE_URL].strip()
    if overrides.base_url:
        settings.base_url = overrides.base_url.strip()
    if overrides.page_size is not None:
        settings.page_size = min(100, max(1, overrides.page_size))
    if overrides.download_dir is not None:
        settings.download_dir = overrides.download_dir.expanduser()
    settings.insecure = overrides.insecure
    settings.demo = overrides.demo
    settings.snippets, settings.commands = _global_tables(data, path, text, warnings)

    settings.env_key_base_url = settings.base_url if env_key_base_url is None else env_key_base_url
    env_key_fits = env_key_belongs_to(settings.base_url, settings.env_key_base_url)
    settings.api_key, settings.api_key_source = _resolve_key(overrides, env, profile, warnings, env_key_fits)
    settings.warnings = warnings
    return settings


def _global_tables(
    data: Mapping[str, Any], path: Path, text: str, warnings: list[str]
) -> tuple[tuple[Snippet, ...], tuple[PipeCommand, ...]]:
    """``[snippets.NAME]`` and ``[commands]``: every problem named with the file's line."""

    def warn(table: tuple[str, ...], key: str | None, message: str) -> None:
        warnings.append(f"{_Where(path, text, table).at(key)}: {message}")

    snippets: tuple[Snippet, ...] = ()
    commands: tuple[PipeCommand, ...] = ()
    if "snippets" in data:
        from .domain.snippets import snippets_from_config

        snippets = snippets_from_config(data["snippets"], warn)
    if "commands" in data:
        from .domain.pipes import commands_from_config

        commands = commands_from_config(data["commands"], warn)
    return snippets, commands


def read_snippets(path: Path | None = None) -> tuple[tuple[Snippet, ...], list[str]]:
    """The snippets of the settings file as it is now, and its problems: re-read after the app
    added or edited one (``store/config_edit.py``), so the picker shows what the file holds."""
    path = path or config_file()
    data, warnings, text = _read_settings(path)
    snippets, _ = _global_tables(data, path, text, warnings)
    return snippets, warnings


def profile_settings(name: str, current: Settings, env: Mapping[str, str] | None = None) -> Settings:
    """The settings of profile ``name`` when the app switches to it from ``current``.

    ``--insecure`` holds for the session; ``--base-url`` and the other flags were for the start
    profile. ``REACHKIT_API_KEY`` is used only if this profile's address is the one the app started
    with (see the module docstring); otherwise the profile's stored key, or none (the app asks).
    """
    return load_settings(
        Overrides(profile=name, insecure=current.insecure), env, env_key_base_url=current.env_key_base_url
    )


def env_key_belongs_to(base_url: str, env_key_base_url: str) -> bool:
    """Whether ``REACHKIT_API_KEY`` (meant for ``env_key_base_url``) may go to ``base_url``."""
    from .api.urls import same_api_address

    return same_api_address(base_url, env_key_base_url)


def env_key_note(settings: Settings, env: Mapping[str, str] | None = None) -> str:
    """A line for screens: where ``REACHKIT_API_KEY`` is used, when it is set ("" otherwise)."""
    env = os.environ if env is None else env
    if not (env.get(ENV_API_KEY) or "").strip():
        return ""
    if settings.api_key_source == "env":
        return f"{ENV_API_KEY} is set in your shell: it is used for {settings.env_key_base_url}, the address the app started with."
    if not env_key_belongs_to(settings.base_url, settings.env_key_base_url):
        return (
            f"{ENV_API_KEY} is set, but for {settings.env_key_base_url} (the address the app started with): "
            f"{settings.base_url} uses its own key."
        )
    return ""


def _resolve_key(
    overrides: Overrides, env: Mapping[str, str], profile: str, warnings: list[str], env_key_fits: bool = True
) -> tuple[str | None, str]:
    """The key and where it came from: a flag > ``REACHKIT_API_KEY`` > the profile's stored key.

    The environment's key is a candidate only when ``env_key_fits`` (it belongs to this address).
    An unusable key (spaces, control characters) is skipped with a warning that does not quote it.
    """
    candidates: list[tuple[str, str, Callable[[], str | None]]] = [
        ("flag", "The API key given on the command line", lambda: overrides.api_key),
        ("env", ENV_API_KEY, lambda: env.get(ENV_API_KEY) if env_key_fits else None),
        ("profile", f"The stored key of profile {profile!r}", lambda: read_key(profile)),
    ]
    for source, described, value_of in candidates:
        value = value_of()
        if value is None or not value.strip():
            continue
        try:
            return clean_key(value), source
        except ValueError as error:
            warnings.append(f"{described} is not usable: {error} It is ignored.")
    return None, ""


def list_profiles() -> list[str]:
    """Profiles named in the settings file or holding a stored key (never the keys themselves)."""
    data, _ = read_settings_file()
    names = set()
    profiles = data.get("profiles")
    if isinstance(profiles, dict):
        names.update(name for name in profiles if valid_profile_name(name))
    try:
        names.update(p.stem for p in keys_dir().glob("*.key") if valid_profile_name(p.stem))
    except OSError:
        pass
    return sorted(names)


@dataclass(frozen=True, slots=True)
class ProfileInfo:
    """What ``unibox-tui profiles`` and the app's profile picker show (never the key)."""

    name: str
    base_url: str
    has_key: bool
    is_default: bool


def profile_infos(env: Mapping[str, str] | None = None) -> list[ProfileInfo]:
    """Every known profile, the default one included even before it has a key or a section.

    Base URLs are the profiles' own (file values), not ``REACHKIT_BASE_URL``'s.
    """
    default = default_profile_name(env)
    infos = []
    for name in sorted({*list_profiles(), default}):
        settings = load_settings(Overrides(profile=name), env={})
        infos.append(ProfileInfo(name, settings.base_url, read_key(name) is not None, name == default))
    return infos


# --- writing the settings file (login saves a profile's base URL) ----------------------------------


class SettingsFileError(Exception):
    """The settings file could not be updated; the message says what to add by hand."""


def _toml_key(name: str) -> str:
    return name if _BARE_KEY.match(name) else json.dumps(name)


def _toml_string(value: str) -> str:
    # JSON's string escapes are a subset of TOML's basic-string escapes.
    return json.dumps(value, ensure_ascii=False)


def _with_value(text: str, table: tuple[str, ...], key: str, value: str) -> str:
    """``text`` with ``key = "value"`` set in ``[table]`` (the root table when empty), rest untouched."""
    lines = text.splitlines()
    assignment = f"{_toml_key(key)} = {_toml_string(value)}"
    headers = [i for i, line in enumerate(lines) if _TABLE_HEADER.match(line)]
    if table:
        start = next((i for i in headers if _dotted(_TABLE_HEADER.match(lines[i]).group(1)) == table), None)  # type: ignore[union-attr]
        if start is None:
            if lines and lines[-1].strip():
                lines.append("")
            lines += [f"[{'.'.join(_toml_key(part) for part in table)}]", assignment]
            return "\n".join(lines) + "\n"
        first = start + 1
    else:
        first = 0
    end = next((i for i in headers if i >= first), len(lines))
    for i in range(first, end):
        match = _KEY_AT_LINE_START.match(lines[i])
        if match and next(group for group in match.groups() if group is not None) == key:
            lines[i] = assignment
            break
    else:
        lines.insert(first, assignment)
    return "\n".join(lines) + "\n"


def _set_in_file(table: tuple[str, ...], key: str, value: str) -> Path:
    """Set one string value in the settings file, keeping the user's comments and layout."""
    path = config_file()
    hand_edit = f"add `{_toml_key(key)} = {_toml_string(value)}`" + (
        f" under [{'.'.join(_toml_key(part) for part in table)}]" if table else " at the top"
    ) + f" of {path} by hand"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    except (OSError, UnicodeDecodeError) as error:
        raise SettingsFileError(f"Could not read {path} ({error}); {hand_edit}.") from None
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise SettingsFileError(f"{_toml_error_message(path, error)} Fix it, then {hand_edit}.") from None
    updated = _with_value(text, table, key, value)
    try:
        check: Any = tomllib.loads(updated)
        for part in table:
            check = check[part]
        written = check[key] == value
    except (tomllib.TOMLDecodeError, KeyError, TypeError):
        written = False
    if not written:  # an unusual layout (dotted keys, inline tables): do not guess
        raise SettingsFileError(f"Could not update {path} safely; {hand_edit}.")
    try:
        _write_private(path, updated)
    except OSError as error:
        raise SettingsFileError(f"Could not write {path} ({error.strerror}); {hand_edit}.") from None
    return path


def save_profile_setting(profile: str, key: str, value: str) -> Path:
    """Set ``[profiles.NAME] key = "value"`` in the settings file."""
    if not valid_profile_name(profile):
        raise ValueError(f"Not a valid profile name: {profile!r}")
    return _set_in_file(("profiles", profile), key, value)


def set_default_profile(profile: str) -> Path:
    """Make ``profile`` the one used without ``--profile``."""
    if not valid_profile_name(profile):
        raise ValueError(f"Not a valid profile name: {profile!r}")
    return _set_in_file((), "default_profile", profile)


# --- stored keys ---------------------------------------------------------------------------------------

#: Printable ASCII without spaces: anything else cannot travel in an HTTP header as is.
_KEY_TEXT = re.compile(r"[\x21-\x7e]{1,4096}")
_KEY_FILE_LIMIT = 8192


def clean_key(text: str) -> str:
    """The key as the user pasted it, tidied: blanks, quotes and a "Bearer " prefix removed.

    Raises ``ValueError`` (whose message never contains the key) when it cannot be a key.
    """
    key = text.strip()
    if key[:7].lower() == "bearer ":
        key = key[7:].strip()
    if len(key) >= 2 and key[0] == key[-1] and key[0] in "'\"":
        key = key[1:-1].strip()
    if not key:
        raise ValueError("No key was entered.")
    if not _KEY_TEXT.fullmatch(key):
        raise ValueError(
            "That does not look like an API key: it contains spaces, control characters or "
            "non-ASCII letters."
        )
    return key


def _key_path(profile: str) -> Path:
    if not valid_profile_name(profile):
        raise ValueError(f"Not a valid profile name: {profile!r}")
    return keys_dir() / f"{profile}.key"


def _write_private(target: Path, text: str, mode: int | None = None) -> None:
    """Write ``text`` to ``target`` atomically, owner-only folder; ``mode`` defaults to the
    target's current mode, or 0600 for a new file (the temporary file is born with it)."""
    if mode is None:
        try:
            mode = stat.S_IMODE(target.stat().st_mode)
        except FileNotFoundError:
            mode = 0o600
    write_atomic(target, text.encode("utf-8"), mode=mode)


def store_key(profile: str, key: str) -> Path:
    """Keep ``key`` for ``profile``: a 0600 file in a 0700 folder, replaced atomically."""
    key = clean_key(key)
    target = _key_path(profile)
    private_directory(config_dir())
    _write_private(target, key + "\n", 0o600)
    return target


def read_key(profile: str) -> str | None:
    """The stored key, or None. A key file someone made readable by others is tightened to 0600."""
    try:
        path = _key_path(profile)
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except (OSError, ValueError):
        return None
    try:
        if stat.S_IMODE(os.fstat(fd).st_mode) & 0o077:
            os.fchmod(fd, 0o600)
        with os.fdopen(fd, "rb") as handle:
            text = handle.read(_KEY_FILE_LIMIT).decode("utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return text or None


def delete_key(profile: str) -> bool:
    try:
        _key_path(profile).unlink()
    except (FileNotFoundError, ValueError):
        return False
    return True
