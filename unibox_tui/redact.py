"""Keeps API keys out of anything shown or written: error messages, notifications, the debug log.

Every key the process uses is remembered here when a client is made for it; ``scrub`` replaces it
in any text. This is the second line of defence: nothing is meant to print a key in the first
place, but a server that echoes the Authorization header into its error message, or a transport
error that quotes a header, must not put it on screen or on disk.
"""

from __future__ import annotations

import logging
import threading

__all__ = ["MASK", "RedactingFormatter", "remember", "scrub"]

MASK = "[key hidden]"
#: Shorter strings are not treated as secrets: masking "demo" would mangle ordinary words.
MIN_SECRET_LENGTH = 8

_lock = threading.Lock()
_secrets: tuple[str, ...] = ()


def remember(secret: str | None) -> None:
    """Treat ``secret`` as a key from now on (longest first, so a key inside another is masked whole)."""
    global _secrets
    if not secret or len(secret) < MIN_SECRET_LENGTH:
        return
    with _lock:
        if secret not in _secrets:
            _secrets = tuple(sorted((*_secrets, secret), key=len, reverse=True))


def scrub(text: str) -> str:
    """``text`` with every remembered key replaced by ``MASK``."""
    for secret in _secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    return text


class RedactingFormatter(logging.Formatter):
    """A formatter whose output (message, arguments and traceback alike) never holds a key."""

    def format(self, record: logging.LogRecord) -> str:
        return scrub(super().format(record))
