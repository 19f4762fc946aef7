"""The API address: normalised, and refused when the key would travel in clear. No httpx here.

Plain ``http://`` is allowed without ``--insecure`` only to an address that cannot leave this
machine, decided from the text alone (never by asking a resolver, which an attacker may answer):

- an IP literal that :mod:`ipaddress` calls loopback: ``127.0.0.0/8``, ``::1``, and IPv4-mapped
  ``::ffff:127.x.y.z`` (a socket connects those to 127.x.y.z);
- the name ``localhost`` exactly, which RFC 6761 reserves and the hosts file answers.

Not loopback: DNS names that merely look local (``127.attacker.example``, ``127.0.0.1.nip.io``,
``localhost.attacker.example``), ``localhost.`` (a fully-qualified name may go to a DNS server),
and the shorthand forms only some resolvers accept (``127.1``, ``0x7f.1``, ``2130706433``,
``0177.0.0.1``): ``ipaddress`` refuses them, and so do we. An address with user-info
(``http://127.0.0.1@evil.example``), a query, a fragment, a backslash or a blank is refused
whatever its scheme: URL parsers disagree about where such a host ends.
"""

from __future__ import annotations

import ipaddress
from typing import Final
from urllib.parse import SplitResult, urlsplit

from .errors import InsecureURLError

__all__ = ["API_PREFIX", "DEFAULT_BASE_URL", "is_loopback", "normalise_base_url", "same_api_address"]

DEFAULT_BASE_URL: Final = "https://reachkit.ai"
API_PREFIX: Final = "/api/v1"
LOOPBACK_NAMES: Final = frozenset({"localhost"})
#: Characters URL parsers disagree about (WHATWG reads ``\`` as ``/``; blanks end a host for some).
_AMBIGUOUS: Final = frozenset("\\ \t\r\n\x0b\x0c")
DEFAULT_PORTS: Final = {"http": 80, "https": 443}


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
    parts = _parts(text, url)
    if parts.scheme == "http" and not allow_insecure and not is_loopback(parts.hostname or ""):
        raise InsecureURLError(
            f"Refusing plain http:// to {parts.hostname}: the API key would travel unencrypted. "
            "Use https://, or pass --insecure if you really mean it."
        )
    return text.rstrip("/")


def _parts(text: str, original: str) -> SplitResult:
    """The URL's parts, or ``InsecureURLError`` for anything that is not a plain ``scheme://host[:port][/path]``."""
    unusable = InsecureURLError(f"Not a usable API address: {original!r} (expected https://host).")
    if any(character in _AMBIGUOUS for character in text):
        raise unusable
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        raise unusable from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise unusable
    if "@" in parts.netloc:
        raise InsecureURLError(
            f"Not a usable API address: {original!r}: a user name before the host "
            "(user@host) is refused, it is a way to disguise where a URL goes."
        )
    if parts.query or parts.fragment or "?" in text or "#" in text:
        raise unusable
    return parts


def is_loopback(host: str) -> bool:
    """Whether ``host`` (bracketed IPv6 allowed) is certainly this machine, without a lookup."""
    host = host.strip().lower()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if host in LOOPBACK_NAMES:
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


def same_api_address(first: str, second: str) -> bool:
    """Whether two spellings name the same API (scheme, host and port; ``/api/v1`` and case aside).

    Used to decide whether ``REACHKIT_API_KEY`` belongs to a profile's address.
    """
    return _address_key(first) == _address_key(second)


def _address_key(url: str) -> tuple[str, str, int | None, str] | str:
    text = (url or "").strip().rstrip("/") or DEFAULT_BASE_URL
    if "://" not in text:
        text = "https://" + text
    if text.endswith(API_PREFIX):
        text = text[: -len(API_PREFIX)]
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return text
    scheme = parts.scheme.lower()
    return (scheme, (parts.hostname or "").rstrip("."), port or DEFAULT_PORTS.get(scheme), parts.path.rstrip("/"))
