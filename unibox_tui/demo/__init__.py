"""A Reachkit-compatible local server with seeded data and fault injection (``--demo``, tests).

Importing this package is free: starlette, uvicorn and the data generator load only when a name
below is first used, and a server starts.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from unibox_tui.demo.faults import Faults
    from unibox_tui.demo.requestlog import RequestRecord
    from unibox_tui.demo.server import DemoServer
    from unibox_tui.demo.store import Workspace

__all__ = ["DemoServer", "Faults", "RequestRecord", "Workspace"]

_WHERE = {
    "DemoServer": "unibox_tui.demo.server",
    "Faults": "unibox_tui.demo.faults",
    "RequestRecord": "unibox_tui.demo.requestlog",
    "Workspace": "unibox_tui.demo.store",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
