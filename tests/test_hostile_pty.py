"""The real app in a pseudo-terminal: every byte it writes, read back while hostile mail is shown.

The app runs as a user starts it (``python -m unibox_tui --demo --dataset ...``) with
TERM=xterm-256color in a 120x40 pty; a watchdog kills its process group if it hangs. The
bytes are split into escape sequences and text, and checked against what Textual itself emits,
measured on the clean dataset (``test_textual_emits_only_known_sequences``): CSI sequences,
and one OSC, 22 (the mouse pointer shape, ``ESC ] 22 ; default BEL``). Nothing else may come
out: no OSC 0/1/2 (window title), OSC 8 (hyperlink) or OSC 52 (clipboard), no DCS/SOS/PM/APC,
no other escape, no C0 control but CR and LF, no C1 control, no bidi override, no invalid
UTF-8, and none of the hostile dataset's own sequences, byte for byte.
"""

from __future__ import annotations

import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from textual.css.constants import VALID_POINTER

from unibox_tui.demo import hostile

ROOT = Path(__file__).resolve().parents[1]
COLUMNS, LINES = 120, 40
WATCHDOG_SECONDS = 90.0

DOWN, ENTER, ESCAPE, END = b"\x1b[B", b"\r", b"\x1b", b"\x1b[F"
#: Hostile conversations opened and read in full in the pty (the others only pass by).
READ = {"subject-osc-title", "body-text-escapes", "body-html-entities", "filename-escapes",
        "name-fake-address-zw"}

# One token of terminal output: CSI, a string sequence (OSC, DCS, SOS, PM, APC: 7-bit
# introducer, up to BEL or ST; unterminated runs to the end), any other ESC sequence, or text.
_TOKEN = re.compile(
    r"(?P<csi>\x1b\[[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e])"
    r"|(?P<string>\x1b[\]P_^X][^\x07\x1b]*(?:\x07|\x1b\\)?)"
    r"|(?P<esc>\x1b[\x20-\x2f]*[\x30-\x7e]?)"
    r"|(?P<text>[^\x1b]+)"
)
_OWN_OSC = re.compile(r"\x1b\]22;([a-z-]+)\x07")
_C0_IN_TEXT = re.compile(r"[\x00-\x09\x0b\x0c\x0e-\x1f\x7f]")
_C1 = re.compile("[\x80-\x9f]")
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069\u061c\u200e\u200f]")


@dataclass
class Output:
    """What the app wrote, split up."""

    raw: bytes
    csi: list[str] = field(default_factory=list)
    strings: list[str] = field(default_factory=list)
    escapes: list[str] = field(default_factory=list)
    text: str = ""

    @classmethod
    def parse(cls, raw: bytes) -> Output:
        decoded = raw.decode("utf-8")  # invalid UTF-8 (a lone surrogate...) fails right here
        out = cls(raw)
        texts = []
        for m in _TOKEN.finditer(decoded):
            if m.group("csi"):
                out.csi.append(m.group())
            elif m.group("string"):
                out.strings.append(m.group())
            elif m.group("esc"):
                out.escapes.append(m.group())
            else:
                texts.append(m.group())
        out.text = "".join(texts)
        return out

    def problems(self) -> list[str]:
        found = []
        for sequence in self.strings:
            m = _OWN_OSC.fullmatch(sequence)
            if not m or m.group(1) not in VALID_POINTER:
                found.append(f"string sequence {sequence[:60]!r}")
        found.extend(f"escape {e!r}" for e in self.escapes)
        found.extend(f"C0 {c!r} in text" for c in sorted(set(_C0_IN_TEXT.findall(self.text))))
        found.extend(f"C1 U+{ord(c):04X}" for c in sorted(set(_C1.findall(self.text))))
        found.extend(f"bidi U+{ord(c):04X}" for c in sorted(set(_BIDI.findall(self.text))))
        return found


class Terminal:
    """The app in a pty of a fixed size; ``keys`` and ``wait_for`` drive it; a watchdog bounds it."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
        self.master = master
        self.output = bytearray()
        self.deadline = time.monotonic() + WATCHDOG_SECONDS
        self.process = subprocess.Popen(
            [sys.executable, "-m", "unibox_tui", *args], stdin=slave, stdout=slave, stderr=slave,
            env=env, cwd=ROOT, start_new_session=True, close_fds=True,
        )
        os.close(slave)

    def _read(self, seconds: float) -> bool:
        """Collect output for up to ``seconds``; False once the app closed the terminal."""
        if time.monotonic() > self.deadline:
            self.kill()
            raise AssertionError("watchdog: the app did not finish in time")
        ready, _, _ = select.select([self.master], [], [], seconds)
        if not ready:
            return True
        try:
            data = os.read(self.master, 1 << 16)
        except OSError:  # EIO: the other side is closed
            return False
        self.output.extend(data)
        return bool(data)

    def settle(self, quiet: float = 0.3, longest: float = 4.0) -> None:
        """Read until the app has written nothing for ``quiet`` seconds (or ``longest`` passed)."""
        end = time.monotonic() + longest
        while time.monotonic() < end:
            before = len(self.output)
            if not self._read(quiet):
                return
            if len(self.output) == before:
                return

    def wait_for(self, needle: bytes, seconds: float = 30.0) -> None:
        end = time.monotonic() + seconds
        while needle not in self.output:
            if time.monotonic() > end or not self._read(0.1):
                raise AssertionError(f"{needle!r} never appeared on the terminal")

    def keys(self, *keys: bytes, quiet: float = 0.3) -> None:
        for key in keys:
            os.write(self.master, key)
            self.settle(quiet)

    def quit(self) -> int:
        os.write(self.master, b"q")
        end = time.monotonic() + 15
        while self.process.poll() is None and time.monotonic() < end:
            self._read(0.1)
        while self._read(0.05):  # the last bytes: leaving the alternate screen
            pass
        if self.process.poll() is None:
            self.kill()
            raise AssertionError("the app did not quit on q")
        os.close(self.master)
        return self.process.returncode

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(5)


@pytest.fixture
def terminal_env(isolated_env) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEXTUAL", "REACHKIT_"))}
    env.update(TERM="xterm-256color", COLORTERM="truecolor", LANG="C.UTF-8", PYTHONPATH=str(ROOT))
    return env


@pytest.fixture
def start(terminal_env):
    started: list[Terminal] = []

    def run(*args: str) -> Terminal:
        terminal = Terminal(list(args), terminal_env)
        started.append(terminal)
        return terminal

    yield run
    for terminal in started:
        terminal.kill()


def test_textual_emits_only_known_sequences(start):
    """The baseline the hostile run is held to, measured on ordinary mail."""
    app = start("--demo", "--conversations", "30", "--page-size", "100")
    app.wait_for(b"conversations")
    app.keys(DOWN, DOWN, ENTER, b"X", END, ESCAPE)
    assert app.quit() == 0
    output = Output.parse(bytes(app.output))
    assert output.problems() == []
    assert output.strings and all(_OWN_OSC.fullmatch(s) for s in output.strings)
    assert "\x1b[?1049h" in output.csi  # the alternate screen: a real Textual session was captured


def test_hostile_mail_writes_no_escape_sequence_of_its_own(start):
    # Pages of 30: the first ones hold these cases, not the 5 MB body (parsed before painting).
    app = start("--demo", "--dataset", "hostile", "--conversations", "0", "--page-size", "30")
    app.wait_for(b"conversations")
    cases = [case.id for case in hostile.cases() if case.folder == "primary"]
    # Down the escape-sequence, markup and bidi cases (all in view in the list),
    # reading some in full: every message open, quotes unfolded, at the end.
    for case in cases[: cases.index("bidi-isolates") + 1]:
        if case in READ:
            app.keys(ENTER, b"X", b"z", END, ESCAPE)
        app.keys(DOWN, quiet=0.05)
    # Then a title change and markup in Others.
    app.keys(b"c", quiet=0.6)
    app.keys(ENTER, b"X", END, ESCAPE)
    assert app.quit() == 0
    output = Output.parse(bytes(app.output))
    assert output.problems() == []
    decoded = output.raw.decode("utf-8")
    leaked = [payload for payload in hostile.TERMINAL_PAYLOADS if payload in decoded]
    assert leaked == []
    # The hostile conversations really were on screen, as text.
    for shown in ("RED ALERT: invoice overdue", "HERE-LINK", "[@click=app.quit]Free money[/]",
                  "attacker@evil.example", "WIN[/] a prize"):
        assert shown in output.text, shown
