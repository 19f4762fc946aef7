"""Pipe conversations to the SDR's own tools: a command gets the conversation as JSON on stdin.

``[commands]`` in config.toml names them::

    [commands]
    crm = "crm-push --stage replied"                    # split like a shell would, run without one
    notes = { run = "tee -a leads.jsonl", each = false } # with marks: one run, a JSON array
    hot = { run = "jq -r .id | sort -u", shell = true, timeout = 10 }

- ``run`` is split with ``shlex`` and run **without a shell**, unless ``shell = true`` (then
  ``/bin/sh -c``); a command typed in the app (kept in a per-profile history) never uses a shell.
- stdin is the conversation in the API's JSON shape (``api/serialize.py``) plus ``"lead"`` (the
  campaign lead, same shape as the leads endpoint, with ``campaign_id``) when known. With marked
  conversations a command runs once per conversation (``each``) or once with a JSON array,
  chosen per command by ``each = true|false``, else by the ``pipe_marked = "each"|"array"``
  setting. A single open conversation is always one object.
- The environment is the app's, minus ``REACHKIT_API_KEY`` and any variable holding the key.
- stdout and stderr are read together (in order), at most ``max_output`` bytes are kept (the rest
  is read and counted, so the command never blocks on a full pipe), then decoded and sanitised
  for display. A command runs at most ``timeout`` seconds (default 30); on timeout or
  cancellation its whole process group is killed, so nothing it started lingers.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shlex
import signal
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from ..api.models import Conversation, Lead
from ..api.serialize import conversation_to_api, lead_to_api
from ..render.sanitize import clean_line, clean_text

__all__ = [
    "DEFAULT_TIMEOUT",
    "MAX_OUTPUT",
    "PipeCommand",
    "PipeResult",
    "commands_from_config",
    "pipe_input",
    "run_pipe",
    "run_pipes",
    "safe_environment",
    "typed_command",
]

DEFAULT_TIMEOUT: Final = 30.0
MAX_TIMEOUT: Final = 3600.0
#: Bytes of output kept for display; a command printing more is read to the end but cut here.
MAX_OUTPUT: Final = 256 * 1024
#: After the command exits, how long a child of it that kept the output open may go on writing.
EXIT_GRACE: Final = 0.5
KEY_VARIABLE: Final = "REACHKIT_API_KEY"
#: Shorter keys (the demo's ``demo``) are removed where a variable equals them, not contains them:
#: dropping every variable that contains "demo" would break PATH for /home/demo.
_MIN_KEY_FOR_SUBSTRING: Final = 8
_CHUNK: Final = 65536
_EXIT_POLL: Final = 0.02
_COMMAND_KEYS: Final = ("run", "shell", "each", "timeout")


@dataclass(frozen=True, slots=True)
class PipeCommand:
    """A command conversations can be piped to. ``each=None``: the ``pipe_marked`` setting decides."""

    name: str
    run: str
    shell: bool = False
    each: bool | None = None
    timeout: float = DEFAULT_TIMEOUT

    def argv(self) -> list[str]:
        """What is executed. Raises ``ValueError`` (a sentence) for a command that cannot be split."""
        if self.shell:
            return ["/bin/sh", "-c", self.run]
        try:
            argv = shlex.split(self.run)
        except ValueError as error:
            raise ValueError(f"The command {clean_line(self.run, max_chars=80)!r} cannot be read: {error}.") from None
        if not argv:
            raise ValueError("The command is empty.")
        return argv


def typed_command(text: str, *, timeout: float = DEFAULT_TIMEOUT) -> PipeCommand:
    """A command typed in the app: never run through a shell (``|`` and ``>`` are plain words)."""
    return PipeCommand(name=text.strip(), run=text.strip(), shell=False, timeout=timeout)


@dataclass(frozen=True, slots=True)
class PipeResult:
    """How one run ended: exit code and output, or a sentence saying why it could not run."""

    command: str
    conversation_ids: tuple[str, ...]
    exit_code: int | None = None
    output: str = ""
    output_bytes: int = 0
    truncated: bool = False
    timed_out: bool = False
    error: str = ""
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.exit_code == 0 and not self.error and not self.timed_out

    @property
    def status(self) -> str:
        """One line: "exit 0", "exit 3", "killed by signal 9", "timed out after 30 s", or the error."""
        if self.error:
            return self.error
        if self.timed_out:
            return f"timed out after {self.seconds:.0f} s; stopped"
        if self.exit_code is not None and self.exit_code < 0:
            return f"killed by signal {-self.exit_code}"
        return f"exit {self.exit_code}"


# --- what the command reads ---------------------------------------------------------------------------


def pipe_input(conversation: Conversation, lead: Lead | None = None) -> dict[str, Any]:
    """One conversation as the command sees it: the API's JSON, plus ``"lead"`` when known."""
    data = conversation_to_api(conversation)
    if lead is not None:
        data["lead"] = lead_to_api(lead)
    return data


def _payloads(items: Sequence[tuple[Conversation, Lead | None]], *, marked: bool, each: bool) -> list[tuple[tuple[str, ...], bytes]]:
    """(conversation ids, stdin bytes) per run: an object each, or one array for marked ones."""
    if not marked or each:
        return [((c.id,), _encode(pipe_input(c, lead))) for c, lead in items]
    return [(tuple(c.id for c, _ in items), _encode([pipe_input(c, lead) for c, lead in items]))]


def _encode(data: Any) -> bytes:
    return (json.dumps(data, ensure_ascii=False) + "\n").encode("utf-8", errors="surrogatepass")


def safe_environment(environ: Mapping[str, str], api_key: str | None) -> dict[str, str]:
    """The environment without the API key: ``REACHKIT_API_KEY`` and any variable holding it go."""
    key = (api_key or "").strip()

    def holds_key(value: str) -> bool:
        if not key:
            return False
        return key in value if len(key) >= _MIN_KEY_FOR_SUBSTRING else value.strip() == key

    return {name: value for name, value in environ.items() if name != KEY_VARIABLE and not holds_key(value)}


# --- running ------------------------------------------------------------------------------------------------


async def run_pipes(
    command: PipeCommand,
    items: Sequence[tuple[Conversation, Lead | None]],
    *,
    marked: bool = False,
    pipe_marked: str = "each",
    api_key: str | None = None,
    environ: Mapping[str, str] | None = None,
    max_output: int = MAX_OUTPUT,
    progress: Callable[[int, int], None] | None = None,
) -> list[PipeResult]:
    """Run ``command`` for ``items`` (conversation, lead or None), one after another.

    ``marked``: the items are the marked conversations (the command's ``each``, else the
    ``pipe_marked`` setting, says one run each or one array). ``progress(done, total)`` after each
    run. Cancelling stops the running command's process group and runs no more.
    """
    each = command.each if command.each is not None else pipe_marked != "array"
    env = safe_environment(os.environ if environ is None else environ, api_key)
    runs = _payloads(items, marked=marked, each=each)
    results = []
    for index, (ids, data) in enumerate(runs):
        results.append(await run_pipe(command, data, conversation_ids=ids, env=env, max_output=max_output))
        if progress is not None:
            progress(index + 1, len(runs))
    return results


async def run_pipe(
    command: PipeCommand,
    data: bytes,
    *,
    conversation_ids: tuple[str, ...] = (),
    env: Mapping[str, str],
    max_output: int = MAX_OUTPUT,
) -> PipeResult:
    """Run one command with ``data`` on stdin; never raises for the command's own failures."""
    shown = clean_line(command.run, max_chars=120)
    started = time.monotonic()

    def ended(**fields: Any) -> PipeResult:
        return PipeResult(shown, conversation_ids, seconds=time.monotonic() - started, **fields)

    try:
        argv = command.argv()
        process = await asyncio.create_subprocess_exec(
            *argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            env=dict(env),
            start_new_session=True,  # its own process group: killed as a whole
        )
    except ValueError as error:
        return ended(error=str(error))
    except OSError as error:
        return ended(error=_start_error(argv[0], error))
    output = _Output(max_output)
    # Cancelling lands inside ``_communicate``, whose cleanup kills the process group.
    timed_out = await _communicate(process, data, output, min(max(command.timeout, 0.1), MAX_TIMEOUT))
    return ended(
        exit_code=None if timed_out else process.returncode,
        output=output.text(),
        output_bytes=output.total,
        truncated=output.total > len(output.kept),
        timed_out=timed_out,
    )


class _Output:
    """The first ``limit`` bytes of the output, and how many bytes came in all."""

    def __init__(self, limit: int) -> None:
        self.limit = max(0, limit)
        self.kept = bytearray()
        self.total = 0

    def add(self, chunk: bytes) -> None:
        self.total += len(chunk)
        room = self.limit - len(self.kept)
        if room > 0:
            self.kept += chunk[:room]

    def text(self) -> str:
        text = clean_text(bytes(self.kept).decode("utf-8", errors="replace"))
        if self.total > len(self.kept):
            text += f"\n… (output cut: {_size(len(self.kept))} of {_size(self.total)} shown)"
        return text


async def _communicate(process: asyncio.subprocess.Process, data: bytes, output: _Output, timeout: float) -> bool:
    """Feed stdin and read the output together (no deadlock on big inputs); True on timeout."""
    writer = asyncio.create_task(_feed(process, data))
    reader = asyncio.create_task(_drain(process, output))
    try:
        async with asyncio.timeout(timeout):
            await _exited(process)
        # A child of the command may still hold the output open: a short grace, then stop it.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(EXIT_GRACE):
                await asyncio.shield(reader)
        return False
    except TimeoutError:
        return True
    finally:
        # Only while something of it may still run: a reaped, silent group has nothing to kill.
        if process.returncode is None or not reader.done():
            await _kill_group(process)
        for task in (writer, reader):
            task.cancel()
        await asyncio.gather(writer, reader, return_exceptions=True)


async def _exited(process: asyncio.subprocess.Process) -> None:
    """Until the command itself has exited.

    Not ``process.wait()``: on Python 3.11 it also waits for the pipes to close, which a child
    the command left running (holding its stdout) can put off for as long as it likes.
    """
    while process.returncode is None:
        await asyncio.sleep(_EXIT_POLL)


async def _feed(process: asyncio.subprocess.Process, data: bytes) -> None:
    stdin = process.stdin
    if stdin is None:
        return
    try:
        stdin.write(data)
        await stdin.drain()
    except (BrokenPipeError, ConnectionResetError):
        pass  # the command did not read its input: its choice
    finally:
        with contextlib.suppress(OSError, RuntimeError):
            stdin.close()


async def _drain(process: asyncio.subprocess.Process, output: _Output) -> None:
    stdout = process.stdout
    if stdout is None:
        return
    while chunk := await stdout.read(_CHUNK):
        output.add(chunk)


async def _kill_group(process: asyncio.subprocess.Process) -> None:
    """Kill the command and everything it started (its session's process group), then reap it."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    if process.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        # Shielded: a cancelled caller must still reap the child (no zombie left behind).
        await asyncio.shield(process.wait())


def _start_error(program: str, error: OSError) -> str:
    name = clean_line(program, max_chars=80)
    if isinstance(error, FileNotFoundError):
        return f"No program named {name!r} was found (searched PATH)."
    if isinstance(error, PermissionError):
        return f"{name!r} cannot be run: permission denied (is it executable?)."
    return f"{name!r} could not be started: {(error.strerror or str(error)).lower()}."


def _size(count: int) -> str:
    if count < 1024:
        return f"{count} bytes"
    if count < 1024 * 1024:
        return f"{count / 1024:.0f} KB"
    return f"{count / (1024 * 1024):.1f} MB"


# --- reading [commands] from config.toml ------------------------------------------------------------------

#: Reports a problem at a place in the settings file: (table path, key or None, sentence).
Warn = Callable[[tuple[str, ...], "str | None", str], None]


def commands_from_config(table: Any, warn: Warn) -> tuple[PipeCommand, ...]:
    """``[commands]`` as commands, in file order; every problem reported, then skipped."""
    if not isinstance(table, dict):
        warn((), "commands", '`commands` should be a table: [commands] then name = "program args"; ignored.')
        return ()
    commands = []
    for name, value in table.items():
        command = _command(str(name), value, warn)
        if command is not None:
            commands.append(command)
    return tuple(commands)


def _command(name: str, value: Any, warn: Warn) -> PipeCommand | None:
    where: tuple[str, ...] = ("commands",)
    if isinstance(value, str):
        value = {"run": value}
    if not isinstance(value, dict):
        warn(where, name, f'command {name!r} should be "program args" or {{ run = "...", shell = false }}; ignored.')
        return None
    for key in value:
        if key not in _COMMAND_KEYS:
            warn(where, name, f"command {name!r}: unknown setting `{key}` (a command has {', '.join(_COMMAND_KEYS)}); ignored.")
    run, shell, each, timeout = value.get("run"), value.get("shell", False), value.get("each"), value.get("timeout", DEFAULT_TIMEOUT)
    problem = ""
    if not isinstance(run, str) or not run.strip():
        problem = "needs `run`, the command line"
    elif not isinstance(shell, bool) or (each is not None and not isinstance(each, bool)):
        problem = "`shell` and `each` should be true or false"
    elif isinstance(timeout, bool) or not isinstance(timeout, int | float) or not 0 < timeout <= MAX_TIMEOUT:
        problem = f"`timeout` should be a number of seconds from 1 to {MAX_TIMEOUT:.0f}"
    if problem:
        warn(where, name, f"command {name!r} {problem}; ignored.")
        return None
    command = PipeCommand(name, run.strip(), shell, each, float(timeout))
    try:
        command.argv()
    except ValueError as error:
        warn(where, name, f"command {name!r}: {error} Ignored.")
        return None
    return command
