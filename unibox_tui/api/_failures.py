"""Every exception httpx can raise from a request, turned into the client's one error tree.

httpx's own tree (``httpx/_exceptions.py``) has three roots besides ``HTTPError``:
``InvalidURL``, ``CookieConflict`` and ``StreamError``. Each class maps to the error a caller
must act on, decided by one question first: could the server have acted on the request?

==============================================  ==========================  =========  ==========
httpx                                           ours                        delivered  retry a GET
==============================================  ==========================  =========  ==========
ConnectError, ConnectTimeout, PoolTimeout       NotDeliveredError           no         yes
ProxyError (the proxy refused the tunnel)       NotDeliveredError           no         yes
UnsupportedProtocol, InvalidURL                 NotDeliveredError           no         no
ReadTimeout, WriteTimeout                       OutcomeUnknownError         maybe      yes
ReadError, WriteError, CloseError,              OutcomeUnknownError         maybe      yes
RemoteProtocolError
LocalProtocolError                              OutcomeUnknownError         maybe      no
DecodingError (a broken gzip body)              DamagedAnswerError          yes (2xx)  yes
TooManyRedirects                                ProtocolError               maybe      no
StreamError family, CookieConflict, any other   OutcomeUnknownError         maybe      no
``RuntimeError`` of a closed client             NotDeliveredError           no         no
==============================================  ==========================  =========  ==========

"Maybe" is the safe answer for a POST: its caller checks the server before anything is resent.
A decoding error is retried on a GET because the bytes were damaged on the way (a proxy or
middlebox mangling compression, a truncated compressed body): the server's state is unchanged,
so a fresh fetch costs one request and usually succeeds, and a lasting fault still ends in
words after the retry policy's attempts.
"""

from __future__ import annotations

from typing import Final

import httpx

from .errors import (
    DamagedAnswerError,
    NotDeliveredError,
    OutcomeUnknownError,
    ProtocolError,
    ReachkitError,
)

__all__ = ["HTTPX_ERRORS", "from_httpx", "reason"]

#: Everything httpx raises on purpose: catch these (and ``RuntimeError`` of a closed client).
HTTPX_ERRORS: Final = (httpx.HTTPError, httpx.InvalidURL, httpx.CookieConflict, httpx.StreamError)

PROXY_HINT: Final = (
    "Check HTTPS_PROXY / ALL_PROXY and NO_PROXY, or set trust_env = false in config.toml to "
    "connect directly."
)


def reason(error: BaseException, limit: int = 120) -> str:
    """``"ReadTimeout: timed out"``: the class says what happened, the text adds detail."""
    name = type(error).__name__
    text = " ".join(str(error).split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return f"{name}: {text}" if text else name


def from_httpx(error: BaseException, where: str, *, what: str = "request") -> ReachkitError:
    """The tree's error for ``error`` raised while sending ``what`` to ``where`` or reading its answer."""
    why = reason(error)
    if isinstance(error, httpx.ProxyError):
        return NotDeliveredError(f"The proxy did not let the {what} through to {where} ({why}). {PROXY_HINT}")
    if isinstance(error, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
        return NotDeliveredError(f"Could not reach {where} ({why}).")
    if isinstance(error, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return _final(NotDeliveredError(f"The {what} to {where} could not be made: the address is not usable ({why})."))
    if isinstance(error, httpx.TimeoutException):
        return OutcomeUnknownError(f"{where} did not answer in time ({why}).")
    if isinstance(error, httpx.LocalProtocolError):
        return _final(OutcomeUnknownError(f"The {what} to {where} could not be sent as valid HTTP ({why})."))
    if isinstance(error, httpx.TransportError):  # network and remote protocol errors
        return OutcomeUnknownError(f"The connection to {where} broke ({why}).")
    if isinstance(error, httpx.DecodingError):
        return DamagedAnswerError(
            f"The answer from {where} arrived damaged and could not be decoded ({why}); "
            "a proxy on the way may have mangled it."
        )
    if isinstance(error, httpx.TooManyRedirects):
        return _final(ProtocolError(f"{where} redirected the {what} too many times ({why})."))
    if isinstance(error, RuntimeError) and not isinstance(error, httpx.StreamError):
        # httpx's "Cannot send a request, as the client has been closed." (StreamError is one too)
        return _final(NotDeliveredError(f"The {what} was not sent: the connection to {where} is closed ({why})."))
    return _final(OutcomeUnknownError(f"The {what} to {where} failed unexpectedly ({why})."))


def _final(error: ReachkitError) -> ReachkitError:
    """The same request would fail the same way again: not worth retrying."""
    error.transient = False
    return error
