"""How the client reaches the API: the proxy and the trusted certificates the environment names.

Sales teams often sit behind a corporate proxy, and their machines trust a company certificate
authority. By default (``trust_env``) the client honours, like curl and most tools:

- ``HTTPS_PROXY`` for an ``https://`` API (``HTTP_PROXY`` for a plain-http one), else
  ``ALL_PROXY``; lower-case names win over upper-case ones; ``NO_PROXY`` lists hosts reached
  directly (``*``, ``host``, ``.domain``, ``host:port``);
- ``SSL_CERT_FILE`` and ``SSL_CERT_DIR``: the certificate authorities to trust (else certifi's).

Where the key goes decides the rest. With an ``https://`` API the proxy only relays an encrypted
tunnel (``CONNECT host:443``): it never sees the key. A plain-http API (loopback, or ``--insecure``)
would hand the key to the proxy in clear, so a loopback address is always reached directly
(whatever ``NO_PROXY`` says), and a plain-http remote API with a proxy in the environment is
refused with words: put the host in ``NO_PROXY``, use https, or turn ``trust_env`` off.
``trust_env = false`` in ``config.toml`` ignores all of these variables.
"""

from __future__ import annotations

import importlib.util
import os
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final
from urllib.parse import urlsplit
from urllib.request import proxy_bypass_environment

from .errors import InsecureURLError, NetworkSetupError
from .urls import is_loopback

if TYPE_CHECKING:
    import httpx

__all__ = ["Route", "plan_route"]

PROXY_SCHEMES: Final = ("http", "https")
SOCKS_SCHEMES: Final = ("socks5", "socks5h")


@dataclass(frozen=True, slots=True)
class Route:
    """The way to the API: through ``proxy`` (None: directly), trusting ``ssl_context``'s CAs."""

    ssl_context: ssl.SSLContext = field(repr=False)
    #: The proxy's URL as httpx takes it (it may hold credentials: never show it, use ``proxy_shown``).
    proxy: str | None = field(default=None, repr=False)
    #: ``scheme://host:port`` of the proxy, for messages and the log.
    proxy_shown: str = ""
    #: The environment variable the proxy came from.
    proxy_source: str = ""

    def async_transport(self, max_connections: int) -> httpx.AsyncHTTPTransport:
        """The event loop's connection pool along this route."""
        import httpx

        return httpx.AsyncHTTPTransport(
            verify=self.ssl_context,
            proxy=self.proxy,
            limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=8),
            trust_env=False,
        )

    def blocking_transport(self, max_connections: int) -> httpx.HTTPTransport:
        """The download threads' connection pool along this route."""
        import httpx

        return httpx.HTTPTransport(
            verify=self.ssl_context,
            proxy=self.proxy,
            limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=4),
            trust_env=False,
        )

    def describe(self) -> str:
        """" through the proxy http://proxy:3128 (HTTPS_PROXY)" or "" when direct."""
        return f" through the proxy {self.proxy_shown} ({self.proxy_source})" if self.proxy else ""


def plan_route(base_url: str, *, trust_env: bool = True, env: Mapping[str, str] | None = None) -> Route:
    """How to reach ``base_url`` (already normalised). Raises ``InsecureURLError`` or ``NetworkSetupError``."""
    env = os.environ if env is None else env
    context = trusted_certificates(env if trust_env else {})
    if not trust_env:
        return Route(context)
    parts = urlsplit(base_url)
    host, scheme = parts.hostname or "", parts.scheme
    port = parts.port or (443 if scheme == "https" else 80)
    if is_loopback(host) or _bypassed(host, port, env):
        return Route(context)
    source, proxy = _proxy_for(scheme, env)
    if proxy is None:
        return Route(context)
    shown = _shown(proxy)
    if scheme != "https":
        raise InsecureURLError(
            f"Refusing to send the API key in clear through the proxy {shown} ({source}): "
            f"{base_url} is plain http. Use https://, add {host} to NO_PROXY, or set "
            "trust_env = false in config.toml."
        )
    _check_proxy_scheme(proxy, shown, source)
    return Route(context, proxy, shown, source)


def trusted_certificates(env: Mapping[str, str]) -> ssl.SSLContext:
    """A verifying TLS context: ``SSL_CERT_FILE``/``SSL_CERT_DIR`` when set, else certifi's CAs."""
    cafile = (env.get("SSL_CERT_FILE") or "").strip() or None
    capath = (env.get("SSL_CERT_DIR") or "").strip() or None
    if cafile is None and capath is None:
        import certifi

        return ssl.create_default_context(cafile=certifi.where())
    try:
        return ssl.create_default_context(cafile=cafile, capath=capath)
    except (OSError, ssl.SSLError) as error:
        named = " and ".join(
            f"{name} ({value})" for name, value in (("SSL_CERT_FILE", cafile), ("SSL_CERT_DIR", capath)) if value
        )
        raise NetworkSetupError(
            f"The certificates named by {named} could not be loaded ({getattr(error, 'strerror', None) or error}). "
            "Fix the variable, or set trust_env = false in config.toml to use the built-in ones."
        ) from None


def _value(env: Mapping[str, str], name: str) -> str:
    """``name`` from the environment, the lower-case spelling first (as curl and urllib read it)."""
    return (env.get(name.lower()) or env.get(name.upper()) or "").strip()


def _proxy_for(scheme: str, env: Mapping[str, str]) -> tuple[str, str | None]:
    names = ["HTTPS_PROXY"] if scheme == "https" else []
    if scheme == "http" and not env.get("REQUEST_METHOD"):  # CGI: HTTP_PROXY may come from a header
        names.append("HTTP_PROXY")
    names.append("ALL_PROXY")
    for name in names:
        value = _value(env, name)
        if value:
            return name, value if "://" in value else "http://" + value
    return "", None


def _bypassed(host: str, port: int, env: Mapping[str, str]) -> bool:
    """Whether ``NO_PROXY`` names the host (``host``, ``.domain``, ``host:port`` or ``*``)."""
    no_proxy = _value(env, "NO_PROXY")
    if not no_proxy:
        return False
    return bool(proxy_bypass_environment(f"{host}:{port}", {"no": no_proxy}))


def _shown(proxy: str) -> str:
    """The proxy without its credentials."""
    try:
        parts = urlsplit(proxy)
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "(an unreadable proxy address)"
    return f"{parts.scheme}://{parts.hostname or '?'}{port}"


def _check_proxy_scheme(proxy: str, shown: str, source: str) -> None:
    scheme = urlsplit(proxy).scheme.lower()
    if scheme in PROXY_SCHEMES:
        return
    if scheme in SOCKS_SCHEMES:
        if importlib.util.find_spec("socksio") is None:
            raise NetworkSetupError(
                f"{source} names a SOCKS proxy ({shown}), which needs the socksio package: "
                "pip install 'httpx[socks]', or set trust_env = false in config.toml."
            )
        return
    raise NetworkSetupError(
        f"{source} names a proxy this app cannot use ({shown}): use http://, https:// or socks5://, "
        "or set trust_env = false in config.toml."
    )
