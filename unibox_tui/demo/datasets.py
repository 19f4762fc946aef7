"""The registry of demo datasets (``--dataset NAME``): each builds a ``Workspace`` from parameters.

A dataset lives in its own module and registers itself with ``@register("name")``; it is listed in
``BUILTIN`` so that it can be found without importing every dataset up front. A new dataset (say
``hostile``) usually starts from ``default`` and then alters it through the store API
(``add_raw_conversation``, ``add_blocklist_entry``, the records themselves)::

    @register("hostile")
    def build(params: DatasetParams) -> Workspace:
        ws = get("default")(params)
        ws.add_raw_conversation({...}, folder="primary", position=3)
        return ws
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from unibox_tui.demo.store import Workspace


@dataclass(frozen=True, slots=True)
class DatasetParams:
    conversations: int
    seed: int
    now: float  # epoch seconds every generated date is relative to
    fixed_clock: bool = True  # False: new messages use the real time (``now`` was not given)


Builder = Callable[[DatasetParams], "Workspace"]

# name -> module that registers it when imported
BUILTIN: dict[str, str] = {
    "default": "unibox_tui.demo.data",
    "hostile": "unibox_tui.demo.hostile",
}
_REGISTRY: dict[str, Builder] = {}


def register(name: str) -> Callable[[Builder], Builder]:
    def decorate(builder: Builder) -> Builder:
        _REGISTRY[name] = builder
        return builder

    return decorate


def names() -> list[str]:
    return sorted(set(BUILTIN) | set(_REGISTRY))


def get(name: str) -> Builder:
    if name not in _REGISTRY and name in BUILTIN:
        importlib.import_module(BUILTIN[name])
    try:
        return _REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown dataset {name!r} (known: {', '.join(names())})") from None
