"""A tiny observer list: the domain tells whoever listens (a view, the app) without knowing them."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Generic, TypeVar

__all__ = ["Signal"]

log = logging.getLogger(__name__)

T = TypeVar("T")


class Signal(Generic[T]):
    """Listeners called in the order they connected; one that fails is logged and skipped.

    A listener's bug must not stop the state machine that emitted (nor the other listeners).
    """

    def __init__(self) -> None:
        self._listeners: list[Callable[[T], None]] = []

    def connect(self, listener: Callable[[T], None]) -> None:
        if listener not in self._listeners:
            self._listeners.append(listener)

    def disconnect(self, listener: Callable[[T], None]) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def clear(self) -> None:
        self._listeners.clear()

    def emit(self, value: T) -> None:
        for listener in list(self._listeners):
            try:
                listener(value)
            except Exception:  # noqa: BLE001 - see the class docstring
                log.exception("a listener failed")
