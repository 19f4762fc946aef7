"""Shared test helpers: build the real app against a real local server, wait, read the screen."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from unibox_tui.clock import TickingClock
from unibox_tui.config import Settings
from unibox_tui.ui.app import UniboxApp

#: The clock of every test app when there is no server to take "now" from (see ``clock_for``).
TEST_NOW = dt.datetime(2026, 5, 28, 15, 30, tzinfo=dt.UTC)


def clock_for(server: Any = None) -> TickingClock:
    """The app's clock in tests: the demo server's "now", ticking; never today's date."""
    state = getattr(server, "state", None)
    return TickingClock(state.now if state is not None else TEST_NOW)


def make_settings(server: Any = None, **overrides: Any) -> Settings:
    settings = Settings(
        profile="test",
        api_key=server.key if server is not None else None,
        api_key_source="test" if server is not None else "",
        base_url=server.base_url if server is not None else "https://reachkit.invalid",
        page_size=20,
        poll_interval=0,
        send_delay=0,
        download_dir=Path(overrides.pop("download_dir")) if "download_dir" in overrides else None,
    )
    for key, value in overrides.items():
        setattr(settings, key, value)
    return settings


def make_app(server: Any = None, **overrides: Any) -> UniboxApp:
    """The real app; every notification it shows is also kept (see ``notifications``)."""
    return keep_notifications(UniboxApp(make_settings(server, **overrides), clock=clock_for(server)))


def keep_notifications(app: UniboxApp) -> UniboxApp:
    """Record every notification ``app`` shows: a toast times out, and a busy machine is slow."""
    seen: list[Notice] = []
    real_notify = app.notify

    def notify(message: str, *args: Any, **kwargs: Any) -> None:
        seen.append(Notice(str(kwargs.get("title", "")), str(message), str(kwargs.get("severity", "information"))))
        real_notify(message, *args, **kwargs)

    app.notify = notify  # type: ignore[method-assign]
    app.seen_notifications = seen  # type: ignore[attr-defined]
    return app


@dataclass(frozen=True)
class Notice:
    title: str
    message: str
    severity: str


def notifications(app: UniboxApp) -> list[Notice]:
    """Every notification shown so far, even those whose toast has timed out (a slow machine)."""
    return list(app.seen_notifications)  # type: ignore[attr-defined]


async def settle(pilot: Any, timeout: float = 10.0) -> None:
    """Wait until no worker runs and the screen has caught up (twice in a row)."""
    app = pilot.app
    deadline = time.monotonic() + timeout
    quiet = 0
    while time.monotonic() < deadline:
        await pilot.pause(0.03)
        busy = [w for w in app.workers if w.is_running]
        for screen in app.screen_stack:
            busy.extend(w for w in screen.workers if w.is_running) if hasattr(screen, "workers") else None
        if busy:
            quiet = 0
            await asyncio.sleep(0.03)
            continue
        quiet += 1
        if quiet >= 5:
            return
    running = [worker.description or worker.name for worker in app.workers if worker.is_running]
    raise AssertionError(f"the app did not settle in time; still running: {running}")


def screen_text(app: UniboxApp) -> str:
    """Everything on the terminal as plain text, one line per row."""
    strips = app.screen._compositor.render_strips()
    return "\n".join(strip.text for strip in strips)


def widget_text(widget: Any) -> str:
    """The visible text of a line-API widget (what its ``render_line`` draws)."""
    return "\n".join(widget.render_line(y).text for y in range(widget.size.height))


def help_text(app: UniboxApp) -> str:
    """All the text of the open help screen, scrolled or not."""
    from textual.widgets import Static

    return "\n".join(str(widget.render()) for widget in app.screen.query(Static))
