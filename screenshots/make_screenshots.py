"""Make the README's screenshots from the demo: ``python screenshots/make_screenshots.py``.

Runs the real app headless against the local demo server and saves SVGs next to this file.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
# The shots snooze conversations and cache pages: in a folder of their own, never the user's.
_SCRATCH = tempfile.mkdtemp(prefix="unibox-screenshots-")
os.environ["XDG_DATA_HOME"] = os.path.join(_SCRATCH, "data")
os.environ["XDG_CACHE_HOME"] = os.path.join(_SCRATCH, "cache")
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "tests"))

from helpers import make_app, settle  # noqa: E402

from unibox_tui.demo.server import DemoServer  # noqa: E402

Steps = Callable[[object], Awaitable[None]]


async def shoot(server: DemoServer, name: str, size: tuple[int, int], steps: Steps | None = None) -> Path:
    app = make_app(server, page_size=50)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        if steps is not None:
            await steps(pilot)
            await settle(pilot)
        await pilot.pause(0.3)
        path = HERE / f"{name}.svg"
        app.save_screenshot(filename=path.name, path=str(HERE))
    print(f"wrote {path.relative_to(HERE.parent)}")
    return path


async def main() -> None:
    with DemoServer(conversations=300, seed=7) as server:

        async def open_third(pilot) -> None:  # type: ignore[no-untyped-def]
            await pilot.press("down", "down", "enter")

        await shoot(server, "main-120x40", (120, 40), open_third)
        await shoot(server, "main-200x60", (200, 60), open_third)
        await shoot(server, "narrow-80x24", (80, 24))
        await shoot(server, "narrow-reading-80x24", (80, 24), open_third)

        async def campaigns(pilot) -> None:  # type: ignore[no-untyped-def]
            await pilot.press("C")

        async def warming_inbox(pilot) -> None:  # type: ignore[no-untyped-def]
            await pilot.press("I")
            await settle(pilot)
            await pilot.press("down")  # past the disconnected one, first in the list

        await shoot(server, "campaigns-120x40", (120, 40), campaigns)
        await shoot(server, "campaigns-80x24", (80, 24), campaigns)
        await shoot(server, "inboxes-120x40", (120, 40), warming_inbox)

        async def snoozed(pilot) -> None:  # type: ignore[no-untyped-def]
            screen = pilot.app.screen
            await pilot.press("h", "2", "down", "h", "3", "down", "down", "h", "c", *"fri 14:00", "enter")
            await settle(pilot)
            away = next((i for i, row in enumerate(screen.conversation_list.rows) if row.away), None)
            if away is not None:  # an out-of-office lead: until they are back
                screen.conversation_list.cursor = away
                await settle(pilot)
                await pilot.press("h", "4")
                await settle(pilot)
            screen.followups.snoozed_view()

        async def waiting(pilot) -> None:  # type: ignore[no-untyped-def]
            await pilot.press("w")

        await shoot(server, "snoozed-120x40", (120, 40), snoozed)
        await shoot(server, "waiting-120x40", (120, 40), waiting)


if __name__ == "__main__":
    asyncio.run(main())
