"""A draft survives ``kill -9``: the real app in a pseudo-terminal, typed into, killed, restarted."""

from __future__ import annotations

import fcntl
import os
import pty
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path

import pytest
from helpers import make_app, settle

import unibox_tui
from unibox_tui.store.drafts import DraftStore, draft_folder
from unibox_tui.ui.widgets.composer import Composer

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")

PROFILE = "crash"
ROOT = Path(unibox_tui.__file__).resolve().parents[1]


def wait_for(predicate, timeout: float = 30.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def draft_texts(folder: Path) -> list[str]:
    return [draft.text for draft in DraftStore(folder).list()]


def start_app_in_a_pty(base_url: str, key: str) -> tuple[subprocess.Popen[bytes], int]:
    """The real command line, as a user would run it, on a 120x40 pseudo-terminal."""
    env = dict(os.environ, REACHKIT_API_KEY=key, TERM="xterm-256color", COLORTERM="truecolor")
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    process = subprocess.Popen(
        [sys.executable, "-m", "unibox_tui", "--base-url", base_url, "--profile", PROFILE],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        cwd=ROOT,
        start_new_session=True,
    )
    os.close(slave)
    return process, master


def drain(fd: int, stop: threading.Event) -> None:
    """Read the app's output so it never blocks on a full terminal buffer."""
    while not stop.is_set():
        try:
            if not os.read(fd, 65536):
                return
        except OSError:
            return


@pytest.mark.slow
async def test_a_draft_typed_before_kill_9_is_restored(demo_server):
    folder = draft_folder(PROFILE)
    first = demo_server.state.conversation_ids(folder="primary")[0]
    process, fd = start_app_in_a_pty(demo_server.base_url, demo_server.key)
    stop = threading.Event()
    reader = threading.Thread(target=drain, args=(fd, stop), daemon=True)
    reader.start()
    try:
        wait_for(lambda: demo_server.count("GET", r"/unibox/conversations$") >= 1, what="the app to load its list")
        time.sleep(0.5)
        os.write(fd, b"r")
        wait_for(lambda: demo_server.count("GET", r"/inboxes$") >= 1, what="the composer to open")
        time.sleep(0.5)
        for char in "Dear Dana, about pricing":
            os.write(fd, char.encode())
            time.sleep(0.02)
        # Saved within about a second of typing, while typing goes on.
        wait_for(lambda: any("Dear Dana" in text for text in draft_texts(folder)), what="the first autosave")
        for char in " and the pilot":
            os.write(fd, char.encode())
            time.sleep(0.02)
        wait_for(lambda: "Dear Dana, about pricing and the pilot" in draft_texts(folder), what="the later autosave")
        assert process.poll() is None  # still running: nothing closed the composer or quit
        os.kill(process.pid, signal.SIGKILL)
        assert process.wait(10) == -signal.SIGKILL
    finally:
        stop.set()
        if process.poll() is None:
            process.kill()
            process.wait(10)
        os.close(fd)
    (draft,) = DraftStore(folder).list()
    assert draft.conversation_id == first and draft.state == "editing"
    assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")]
    assert demo_server.count("POST", r"/reply$") == 0

    # Restarted, the composer opens on the draft exactly as it was.
    app = make_app(demo_server, profile=PROFILE)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        composer = app.screen.query_one(Composer)
        assert composer.conversation_id == first
        assert composer.text_area.text == "Dear Dana, about pricing and the pilot"
