"""``login``, ``logout`` and ``profiles``: the key's way in and out (filled in by the login work)."""

from __future__ import annotations

import argparse
import sys

from . import config

__all__ = ["list_profiles_command", "login", "logout"]


def login(options: argparse.Namespace) -> int:
    print("unibox-tui login: not implemented yet; set REACHKIT_API_KEY for now.", file=sys.stderr)
    return 2


def logout(options: argparse.Namespace) -> int:
    profile = options.profile or config.DEFAULT_PROFILE
    removed = config.delete_key(profile)
    print(f"Forgot the key of profile {profile!r}." if removed else f"Profile {profile!r} had no stored key.")
    return 0


def list_profiles_command() -> int:
    for name in config.list_profiles():
        print(name)
    return 0
