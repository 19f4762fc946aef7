"""Checking an API key before it is stored, and saying in plain words why one was not accepted.

Shared by ``unibox-tui login`` and the app's welcome screen so both check the same way and say
the same things.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from .errors import (
    AuthenticationError,
    DamagedAnswerError,
    InsecureURLError,
    NetworkError,
    NetworkSetupError,
    NotDeliveredError,
    NotFoundError,
    ProtocolError,
    RateLimitedError,
    ReachkitError,
    ServerError,
    UnsupportedError,
)

if TYPE_CHECKING:
    import httpx

    from .client import ReachkitClient

__all__ = ["VERIFY_TIMEOUT", "explain_key_error", "make_checking_client", "verify_key"]

#: The longest a key check may take, whatever the server does (a hung server is a failure too).
VERIFY_TIMEOUT = 15.0


def make_checking_client(
    api_key: str,
    base_url: str,
    *,
    allow_insecure: bool = False,
    transport: httpx.AsyncBaseTransport | None = None,
    trust_env: bool = True,
) -> ReachkitClient:
    """A client for a key check: no retries, short timeouts (raises ``InsecureURLError``,
    ``NetworkSetupError``); proxies and certificates as the app's own client uses them."""
    import httpx

    from .client import NO_RETRY, ReachkitClient

    return ReachkitClient(
        api_key,
        base_url,
        allow_insecure=allow_insecure,
        retry=NO_RETRY,
        timeout=httpx.Timeout(10.0, connect=5.0),
        transport=transport,
        max_connections=2,
        trust_env=trust_env,
    )


async def verify_key(client: ReachkitClient, timeout: float | None = None) -> None:
    """``client.verify()`` within ``timeout`` seconds (``VERIFY_TIMEOUT``); raises ``ReachkitError``."""
    timeout = VERIFY_TIMEOUT if timeout is None else timeout
    try:
        await asyncio.wait_for(client.verify(), timeout)
    except TimeoutError:
        raise NotDeliveredError(f"{client.base_url} did not answer within {timeout:g} s.") from None


def explain_key_error(error: BaseException, base_url: str) -> str:
    """Why a key was not accepted, and what to do about it, in words for the person at the keyboard."""
    text = _explain(error, base_url)
    return text if text.endswith((".", "?")) else text + "."


def _explain(error: BaseException, base_url: str) -> str:
    if isinstance(error, AuthenticationError):
        if error.status == 403:
            return (
                "Reachkit knows this key but refuses it API access (HTTP 403): the API is only "
                "available on a plan that includes API access. Check the workspace's plan, or use "
                "a key from a workspace whose plan includes it."
            )
        return (
            "Reachkit refused this key (HTTP 401): it is wrong or has been revoked. Copy it again "
            "from Reachkit, Settings > Integrations (API keys exist on a plan that includes API "
            "access)."
        )
    if isinstance(error, InsecureURLError | NetworkSetupError):
        return str(error)
    if isinstance(error, NetworkError):
        return _network(error, base_url)
    if isinstance(error, DamagedAnswerError):
        text = _sentence(error)
        return f"The key could not be checked: {text[:1].lower()}{text[1:]}. Try again in a minute."
    if isinstance(error, NotFoundError | ProtocolError | UnsupportedError):
        return (
            f"{base_url} answered, but not like Reachkit's API ({_sentence(error)}). Is the URL "
            "right? It should be the address of Reachkit itself, such as https://reachkit.ai."
        )
    if isinstance(error, RateLimitedError | ServerError):
        return f"{base_url} could not check the key just now ({_sentence(error)}). Try again in a minute."
    if isinstance(error, ReachkitError):
        return str(error)
    return f"The key could not be checked ({type(error).__name__})."


def _network(error: NetworkError, base_url: str) -> str:
    """No usable answer: say what happened, then what the person can do about it."""
    text = _sentence(error)
    prefix = f"Could not reach {base_url}"
    if text.startswith(prefix):
        detail = text[len(prefix) :].strip()
        return f"{prefix}: is the URL right? Are you online?" + (f" {detail}" if detail else "")
    if "proxy" in text.lower() or not error.transient:
        return text  # already says what to check
    return f"{text}. Try again in a minute; if it keeps happening, is the URL right?"


def _sentence(error: BaseException) -> str:
    return str(error).strip().rstrip(".")
