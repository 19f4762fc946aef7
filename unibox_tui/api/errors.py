"""One error tree for everything the Reachkit client can raise.

::

    ReachkitError                      anything that went wrong talking to Reachkit
    ├── APIError                       the server answered with an error status (.status, .details)
    │   ├── AuthenticationError        401/403: wrong key, or a plan without API access
    │   ├── NotFoundError              404: no such conversation, inbox, attachment...
    │   ├── ValidationError            400/422: the server refused the request's content
    │   ├── ConflictError              409: the request clashes with the server's state
    │   ├── RateLimitedError           429: too many requests (.retry_after, seconds or None)
    │   └── ServerError                5xx: the server failed
    ├── UnsupportedError               404/405 from an optional (newer) endpoint: capability missing
    ├── NetworkError                   no usable answer came back
    │   ├── NotDeliveredError          the request never left (refused, DNS, connect timeout)
    │   └── OutcomeUnknownError        it left but the answer was lost (read timeout, dropped):
    │                                  for a POST the server may or may not have acted on it
    ├── ProtocolError                  an answer that is not the documented JSON (bad JSON, wrong shape)
    │   └── DamagedAnswerError         bytes that cannot be decoded (a broken gzip body, often a proxy's)
    ├── DownloadError                  a download that cannot be trusted (size mismatch, disk error)
    ├── InsecureURLError               an API address we refuse to send the key to (plain http)
    └── NetworkSetupError              a proxy or certificate setting from the environment that
                                       cannot be used (a missing SSL_CERT_FILE, a SOCKS proxy)

Every exception httpx can raise from a request becomes one of these (``_failures.py`` has the
table), so a caller that catches ``ReachkitError`` has caught everything the network can do.

Messages come from the server's ``error``/``details`` fields when present, and never
contain the API key (the client never puts headers into messages).
"""

from __future__ import annotations

from typing import Any

from ..redact import scrub

__all__ = [
    "APIError",
    "AuthenticationError",
    "ConflictError",
    "DamagedAnswerError",
    "DownloadError",
    "InsecureURLError",
    "NetworkError",
    "NetworkSetupError",
    "NotDeliveredError",
    "NotFoundError",
    "OutcomeUnknownError",
    "ProtocolError",
    "RateLimitedError",
    "ReachkitError",
    "ServerError",
    "UnsupportedError",
    "ValidationError",
]


class ReachkitError(Exception):
    """Base of every error the client raises; ``str()`` is a sentence fit for the UI."""

    #: True when retrying the same request later may succeed.
    transient: bool = False

    def __init__(self, message: str) -> None:
        message = scrub(message)  # a server may echo the key back; it must not reach the screen
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class APIError(ReachkitError):
    """The server answered with an error status."""

    def __init__(
        self,
        message: str,
        *,
        status: int,
        details: Any = None,
        method: str = "",
        path: str = "",
    ) -> None:
        super().__init__(message)
        self.status = status
        self.details = details
        self.method = method
        self.path = path


class AuthenticationError(APIError):
    """401/403: the key is wrong or revoked, or the plan does not include API access."""

    PLAN_HINT = (
        "Reachkit's API is only available on a plan that includes API access; "
        "check the key in Settings > Integrations."
    )


class NotFoundError(APIError):
    """404 on a documented endpoint."""


class ValidationError(APIError):
    """400/422: the request's content was refused; ``details`` says which field and why."""


class ConflictError(APIError):
    """409: the request clashes with the server's current state."""


class RateLimitedError(APIError):
    """429: slow down; ``retry_after`` is the server's ``Retry-After`` in seconds, if given."""

    transient = True

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class ServerError(APIError):
    """5xx: the server failed; a GET may succeed later."""

    transient = True

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class UnsupportedError(ReachkitError):
    """An optional endpoint this server does not have (404/405): hide the feature, don't fail."""

    def __init__(self, message: str, *, capability: str) -> None:
        super().__init__(message)
        self.capability = capability


class NetworkError(ReachkitError):
    """No usable answer: the server is unreachable, slow, or the connection broke."""

    transient = True

    #: Whether the request may have reached the server (matters for non-idempotent POSTs).
    maybe_delivered: bool = True


class NotDeliveredError(NetworkError):
    """The request never reached the server (connection refused, DNS, connect timeout)."""

    maybe_delivered = False


class OutcomeUnknownError(NetworkError):
    """The request was sent but the answer was lost: the server may have acted on it."""

    maybe_delivered = True


class ProtocolError(ReachkitError):
    """The answer was not the documented JSON (not JSON at all, or the wrong shape)."""

    transient = True


class DamagedAnswerError(ProtocolError):
    """The answer's bytes could not be decoded (``Content-Encoding: gzip`` with a broken body).

    Usually damage on the way (a proxy or middlebox mangling compression): the server's state is
    what it was, so a GET is worth retrying (``transient``); a POST's outcome is unknown.
    """


class DownloadError(ReachkitError):
    """A download that must not be trusted: truncated, the wrong size, or not writable."""


class InsecureURLError(ReachkitError):
    """A base URL the key must not be sent to: plain http to a non-loopback host, or not a URL."""


class NetworkSetupError(ReachkitError):
    """A proxy or certificate setting (from the environment) this client cannot use."""
