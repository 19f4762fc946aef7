"""Settings, profiles and stored keys; every path the app uses comes from here.

Resolution order (DESIGN.md): command-line flags > ``REACHKIT_API_KEY`` / ``REACHKIT_BASE_URL``
> the profile's settings and stored key > ``[defaults]`` in the settings file > built-in defaults.

The settings file is ``config.toml`` in ``platformdirs.user_config_dir("unibox-tui")``::

    default_profile = "acme"

    [defaults]                 # every profile
    page_size = 50
    poll_interval = 60         # seconds; 0 turns polling off
    send_delay = 5             # seconds of "undo send"; 0 sends at once
    theme = "textual-dark"
    download_dir = "~/Downloads/leads"
    mark_read_on_open = true

    [defaults.keys]            # key binding overrides: binding id = "keys"
    next_page = "]"

    [profiles.acme]
    base_url = "https://reachkit.ai"

Keys live apart from settings, one file per profile under ``keys/`` (folder 0700, files 0600),
so the settings file can be shared or pasted into a bug report.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import APP_NAME

__all__ = [
    "DEFAULT_BASE_URL",
    "ENV_API_KEY",
    "ENV_BASE_URL",
    "Overrides",
    "Settings",
    "cache_dir",
    "config_dir",
    "config_file",
    "data_dir",
    "default_download_dir",
    "delete_key",
    "drafts_dir",
    "list_profiles",
    "load_settings",
    "read_key",
    "store_key",
    "valid_profile_name",
]

DEFAULT_BASE_URL = "https://reachkit.ai"
DEFAULT_PROFILE = "default"
ENV_API_KEY = "REACHKIT_API_KEY"
ENV_BASE_URL = "REACHKIT_BASE_URL"
ENV_PROFILE = "UNIBOX_PROFILE"

_PROFILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


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
    api_key_source: str = ""  # "flag", "env", "profile" or ""
    base_url: str = DEFAULT_BASE_URL
    page_size: int = 50
    poll_interval: float = 60.0
    send_delay: float = 5.0
    theme: str = "textual-dark"
    download_dir: Path | None = None
    mark_read_on_open: bool = True
    keys: dict[str, str] = field(default_factory=dict)
    insecure: bool = False
    demo: bool = False
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
    path = path or config_file()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}, []
    except OSError as error:
        return {}, [f"Could not read {path}: {error.strerror}; using defaults."]
    try:
        return tomllib.loads(raw.decode("utf-8")), []
    except UnicodeDecodeError:
        return {}, [f"{path} is not UTF-8 text; using defaults."]
    except tomllib.TOMLDecodeError as error:
        return {}, [f"{path} is not valid TOML: {error}; using defaults."]


def _section(data: Mapping[str, Any], key: str, where: str, warnings: list[str]) -> dict[str, Any]:
    value = data.get(key, {})
    if isinstance(value, dict):
        return value
    warnings.append(f"{where}: `{key}` should be a table; ignored.")
    return {}


def _apply(settings: Settings, values: Mapping[str, Any], where: str, warnings: list[str]) -> None:
    """Copy known, valid values onto ``settings``; say what was wrong with the rest."""

    def bad(key: str, expected: str) -> None:
        warnings.append(f"{where}: `{key}` should be {expected}; ignored.")

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
        elif key == "mark_read_on_open":
            if isinstance(value, bool):
                settings.mark_read_on_open = value
            else:
                bad(key, "true or false")
        elif key == "keys":
            if isinstance(value, dict) and all(isinstance(v, str) for v in value.values()):
                settings.keys.update({str(k): v for k, v in value.items()})
            else:
                bad(key, 'a table of binding id = "keys"')
        elif key == "api_key":
            warnings.append(
                f"{where}: `api_key` in the settings file is ignored; use `unibox-tui login`."
            )
        else:
            warnings.append(f"{where}: unknown setting `{key}`; ignored.")


def load_settings(overrides: Overrides | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """Resolve settings from flags, environment, profile, file defaults and built-in defaults."""
    overrides = overrides or Overrides()
    env = os.environ if env is None else env
    path = config_file()
    data, warnings = read_settings_file(path)

    profiles = _section(data, "profiles", str(path), warnings)
    profile = overrides.profile or env.get(ENV_PROFILE) or data.get("default_profile") or DEFAULT_PROFILE
    if not isinstance(profile, str) or not valid_profile_name(profile):
        warnings.append(f"Profile name {profile!r} is not valid; using {DEFAULT_PROFILE!r}.")
        profile = DEFAULT_PROFILE

    settings = Settings(profile=profile)
    _apply(settings, _section(data, "defaults", str(path), warnings), f"{path} [defaults]", warnings)
    profile_values = profiles.get(profile, {})
    if not isinstance(profile_values, dict):
        warnings.append(f"{path}: [profiles.{profile}] should be a table; ignored.")
        profile_values = {}
    _apply(settings, profile_values, f"{path} [profiles.{profile}]", warnings)

    if env.get(ENV_BASE_URL):
        settings.base_url = env[ENV_BASE_URL].strip()
    if overrides.base_url:
        settings.base_url = overrides.base_url.strip()
    if overrides.page_size is not None:
        settings.page_size = min(100, max(1, overrides.page_size))
    if overrides.download_dir is not None:
        settings.download_dir = overrides.download_dir.expanduser()
    settings.insecure = overrides.insecure
    settings.demo = overrides.demo

    if overrides.api_key:
        settings.api_key, settings.api_key_source = overrides.api_key, "flag"
    elif env.get(ENV_API_KEY, "").strip():
        settings.api_key, settings.api_key_source = env[ENV_API_KEY].strip(), "env"
    else:
        stored = read_key(profile)
        if stored:
            settings.api_key, settings.api_key_source = stored, "profile"
    settings.warnings = warnings
    return settings


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


# --- stored keys ---------------------------------------------------------------------------------------


def _key_path(profile: str) -> Path:
    if not valid_profile_name(profile):
        raise ValueError(f"Not a valid profile name: {profile!r}")
    return keys_dir() / f"{profile}.key"


def _private_dir(path: Path) -> None:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path, 0o700)


def store_key(profile: str, key: str) -> Path:
    """Write the key owner-only: created 0600 under a 0700 folder, then renamed into place.

    The file is born with mode 0600 (``os.open``'s mode, never widened by umask), so there is
    no moment at which another user could read it.
    """
    target = _key_path(profile)
    _private_dir(config_dir())
    _private_dir(target.parent)
    temp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(temp, flags, 0o600)
    except FileExistsError:
        os.unlink(temp)
        fd = os.open(temp, flags, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(key.strip() + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, target)
    except BaseException:
        try:
            os.unlink(temp)
        except FileNotFoundError:
            pass
        raise
    return target


def read_key(profile: str) -> str | None:
    try:
        text = _key_path(profile).read_text(encoding="utf-8").strip()
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    return text or None


def delete_key(profile: str) -> bool:
    try:
        _key_path(profile).unlink()
    except (FileNotFoundError, ValueError):
        return False
    return True
