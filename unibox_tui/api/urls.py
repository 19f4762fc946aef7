"""The API address: normalised, and refused when the key would travel in clear. No httpx here."""

from __future__ import annotations

from typing import Final
from urllib.parse import urlsplit

from .errors import InsecureURLError

__all__ = ["API_PREFIX", "DEFAULT_BASE_URL", "is_loopback", "normalise_base_url"]

DEFAULT_BASE_URL: Final = "https://reachkit.ai"
API_PREFIX: Final = "/api/v1"
LOOPBACK_HOSTS: Final = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})


def normalise_base_url(url: str, *, allow_insecure: bool = False) -> str:
    """``https://host[/api/v1][/]`` -> ``https://host``; plain http only to loopback unless allowed.

    The key travels in a header on every request: over plain http to another host anyone on
    the path can read it.
    """
    text = (url or "").strip().rstrip("/")
    if not text:
        return DEFAULT_BASE_URL
    if "://" not in text:
        text = "https://" + text
    if text.endswith(API_PREFIX):
        text = text[: -len(API_PREFIX)]
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InsecureURLError(f"Not a usable API address: {url!r} (expected https://host).")
    if parts.scheme == "http" and not allow_insecure and not is_loopback(parts.hostname):
        raise InsecureURLError(
            f"Refusing plain http:// to {parts.hostname}: the API key would travel unencrypted. "
            "Use https://, or pass --insecure if you really mean it."
        )
    return text.rstrip("/")


def is_loopback(host: str) -> bool:
    host = host.strip("[]").lower()
    return host in LOOPBACK_HOSTS or host.startswith("127.") or host == "::1"
