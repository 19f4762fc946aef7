"""Run a program in a real pseudo-terminal and time how long until some text is on screen."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def spawn(argv: Sequence[str], *, env: Mapping[str, str], size: tuple[int, int] = (120, 40)) -> tuple[subprocess.Popen[bytes], int]:
    """Start ``argv`` on a new pty of ``size`` (columns, rows); returns the process and the master fd."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
    process = subprocess.Popen(
        list(argv),
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env={**os.environ, "TERM": "xterm-256color", "COLUMNS": str(size[0]), "LINES": str(size[1]), **env},
        cwd=ROOT,
        start_new_session=True,
        close_fds=True,
    )
    os.close(slave)
    return process, master


def time_until(
    argv: Sequence[str],
    marker: bytes | Sequence[bytes],
    *,
    env: Mapping[str, str],
    size: tuple[int, int] = (120, 40),
    timeout: float = 20.0,
    linger: float = 0.0,
) -> float:
    """Seconds from spawning ``argv`` to ``marker`` appearing in what it writes to the terminal.

    ``linger``: seconds the program keeps running after that (reading its output), as a user
    would let it: what it saves after painting (a cache) is then on disk for the next run.
    """
    markers = [marker] if isinstance(marker, bytes) else list(marker)
    started = time.perf_counter()
    process, master = spawn(argv, env=env, size=size)
    seen = b""
    try:
        while True:
            left = timeout - (time.perf_counter() - started)
            if left <= 0:
                raise TimeoutError(f"{markers!r} not seen within {timeout} s; last output: {seen[-400:]!r}")
            ready, _, _ = select.select([master], [], [], min(left, 0.5))
            if not ready:
                continue
            try:
                chunk = os.read(master, 65536)
            except OSError:
                raise RuntimeError(f"the program ended early; output: {seen[-800:]!r}") from None
            seen += chunk
            if all(m in seen for m in markers):
                elapsed = time.perf_counter() - started
                _drain(master, linger)
                return elapsed
    finally:
        stop(process, master)


def _drain(master: int, seconds: float) -> None:
    """Keep reading the terminal for ``seconds`` (a program blocked on a full pty stalls)."""
    deadline = time.perf_counter() + seconds
    while (left := deadline - time.perf_counter()) > 0:
        ready, _, _ = select.select([master], [], [], left)
        if ready:
            try:
                os.read(master, 65536)
            except OSError:
                return


def stop(process: subprocess.Popen[bytes], master: int) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    os.close(master)


def python() -> str:
    return sys.executable
