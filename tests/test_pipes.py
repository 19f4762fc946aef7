"""Piping conversations to the SDR's own commands: exactly the API's JSON in, safe output back."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from unibox_tui.api.models import Conversation, Lead
from unibox_tui.api.serialize import conversation_to_api
from unibox_tui.config import load_settings
from unibox_tui.domain.pipes import (
    PipeCommand,
    pipe_input,
    run_pipe,
    run_pipes,
    safe_environment,
    typed_command,
)
from unibox_tui.store.pipe_history import PipeHistory

KEY = "rk_live_4f9c2a7d1e8b"


def raw_conversations(server, per_page: int = 100) -> list[dict]:
    response = httpx.get(
        f"{server.base_url}/api/v1/unibox/conversations",
        params={"page_size": per_page},
        headers={"Authorization": f"Bearer {server.key}"},
    )
    response.raise_for_status()
    return response.json()["data"]


def script(tmp_path: Path, name: str, body: str) -> Path:
    """An executable Python script in ``tmp_path`` (the test's interpreter runs it)."""
    path = tmp_path / name
    path.write_text(f"#!{sys.executable}\nimport sys, os, json\n{body}\n", encoding="utf-8")
    path.chmod(0o755)
    return path


def quoted(path: Path) -> str:
    return json.dumps(str(path))  # a shell-safe word for shlex (paths under tmp_path have no quotes)


LEAD = Lead(id="l1", email="dana@northwind.com", first_name="Dana", last_name="Lee", status="replied",
            variables={"company": "Northwind", "seats": 40}, campaign_id="cmp1")


# --- the JSON -----------------------------------------------------------------------------------------


def nulls_as_empty(raw: dict) -> dict:
    """The API documents bodies as strings; a ``null`` one is ``""`` in our models (and back)."""
    messages = [{k: "" if v is None and k.endswith("_body") else v for k, v in m.items()} for m in raw["messages"]]
    return {**raw, "messages": messages}


def test_the_serializer_round_trips_the_servers_json(demo_server):
    for raw in raw_conversations(demo_server):
        parsed = Conversation.from_api(raw)
        assert conversation_to_api(parsed) == nulls_as_empty(raw)
        assert Conversation.from_api(conversation_to_api(parsed)) == parsed


def test_hostile_conversations_round_trip_through_our_models(make_demo_server):
    server = make_demo_server(dataset="hostile")
    raws = raw_conversations(server)
    assert len(raws) == 100
    for raw in raws:
        parsed = Conversation.from_api(raw)
        again = Conversation.from_api(json.loads(json.dumps(conversation_to_api(parsed))))
        # ``damaged``/``problems`` describe the server's record, not the API's shape: what was
        # readable of a damaged record is written back as a sound one.
        sound = {"damaged": False, "problems": ()}
        assert replace(again, **sound) == replace(parsed, **sound), raw.get("id")


def test_names_dates_and_unknown_directions_survive_the_round_trip():
    raw = {
        "id": "c9",
        "status": "closed",
        "messages": [
            {"direction": "Inbound", "from_email": "Dana Lee <dana@x.io>", "to_email": "us@y.io",
             "email_date": 1716000000, "is_read": "no", "attachments": [{"id": "a", "name": "x.pdf", "size": "12"}]},
            {"direction": "sideways", "email_date": "not a date", "from_email": "us@y.io"},
        ],
        "created_at": "2026-05-01T09:00:00+02:00",
        "label": "INTERESTED",
    }
    parsed = Conversation.from_api(raw)
    assert Conversation.from_api(conversation_to_api(parsed)) == parsed
    out = conversation_to_api(parsed)["messages"]
    assert (out[0]["from_email"], out[0]["from_name"], out[0]["direction"]) == ("dana@x.io", "Dana Lee", "Inbound")
    assert out[1]["email_date"] == "not a date" and out[1]["direction"] == "sideways"


async def test_a_script_receives_exactly_the_conversation_and_its_lead(demo_server, tmp_path):
    raw = raw_conversations(demo_server, 3)[0]
    conversation = Conversation.from_api(raw)
    received = tmp_path / "stdin.json"
    tool = script(tmp_path, "tool.py", f"data = sys.stdin.buffer.read(); open({str(received)!r}, 'wb').write(data); print('got it')")
    [result] = await run_pipes(PipeCommand("crm", quoted(tool)), [(conversation, LEAD)], environ=dict(os.environ))
    assert result.ok and result.status == "exit 0" and result.output == "got it\n"
    data = json.loads(received.read_text(encoding="utf-8"))
    assert data.pop("lead") == {
        "id": "l1", "email": "dana@northwind.com", "first_name": "Dana", "last_name": "Lee", "status": "replied",
        "is_bounced": False, "is_unsubscribed": False, "provider": "", "variables": {"company": "Northwind", "seats": 40},
        "created_at": None, "updated_at": None, "campaign_id": "cmp1",
    }
    assert data == raw  # the server's own JSON, untouched


async def test_marked_conversations_run_once_each_or_once_as_an_array(tmp_path):
    conversations = [(Conversation(id=f"c{i}"), None) for i in range(3)]
    log = tmp_path / "runs.jsonl"
    tool = script(tmp_path, "log.py", f"open({str(log)!r}, 'a').write(json.dumps(json.load(sys.stdin)) + '\\n')")
    command = PipeCommand("log", quoted(tool))
    seen: list[tuple[int, int]] = []
    each = await run_pipes(command, conversations, marked=True, pipe_marked="each", environ={}, progress=lambda d, t: seen.append((d, t)))
    assert [r.conversation_ids for r in each] == [("c0",), ("c1",), ("c2",)] and seen == [(1, 3), (2, 3), (3, 3)]
    array = await run_pipes(command, conversations, marked=True, pipe_marked="array", environ={})
    assert [r.conversation_ids for r in array] == [("c0", "c1", "c2")]
    # the command's own `each` wins over the setting; an unmarked conversation is always one object
    await run_pipes(PipeCommand("log", quoted(tool), each=False), conversations[:1], marked=True, environ={})
    await run_pipes(command, conversations[:1], marked=False, pipe_marked="array", environ={})
    runs = [json.loads(line) for line in log.read_text().splitlines()]
    assert [r["id"] if isinstance(r, dict) else [c["id"] for c in r] for r in runs] == [
        "c0", "c1", "c2", ["c0", "c1", "c2"], ["c0"], "c0",
    ]
    assert "lead" not in runs[0]  # no lead known: no key


# --- running safely ----------------------------------------------------------------------------------------


async def test_the_key_is_never_in_the_commands_environment(tmp_path):
    environ = {
        "PATH": os.environ["PATH"],
        "REACHKIT_API_KEY": KEY,
        "MY_TOKEN_COPY": f"Bearer {KEY}",
        "HOME": str(tmp_path),
    }
    dump = script(tmp_path, "env.py", "print(json.dumps(dict(os.environ)))")
    result = await run_pipe(PipeCommand("env", quoted(dump)), b"{}", env=safe_environment(environ, KEY))
    seen = json.loads(result.output)
    assert KEY not in result.output
    assert "REACHKIT_API_KEY" not in seen and "MY_TOKEN_COPY" not in seen
    assert seen["HOME"] == str(tmp_path)


def test_a_short_key_removes_only_variables_equal_to_it():
    env = safe_environment({"PWD": "/home/demo/work", "X": "demo", "REACHKIT_API_KEY": "demo"}, "demo")
    assert env == {"PWD": "/home/demo/work"}


async def test_hostile_output_is_sanitised_and_bounded(tmp_path):
    noisy = script(
        tmp_path,
        "noisy.py",
        "sys.stdout.write('\\x1b]0;pwned\\x07\\x1b[31mred\\x1b[0m \\u202eevil\\x9b31m\\n'); sys.stdout.flush()\n"
        "sys.stderr.write('warn\\x1b[2J\\n'); sys.stderr.flush()\n"
        "chunk = b'x' * 65536\n"
        "for _ in range(160): sys.stdout.buffer.write(chunk)\n"
        "sys.exit(3)",
    )
    started = time.monotonic()
    result = await run_pipe(PipeCommand("noisy", quoted(noisy)), b"", env=dict(os.environ), max_output=4096)
    assert time.monotonic() - started < 10
    assert result.exit_code == 3 and result.status == "exit 3" and not result.ok
    assert result.output.startswith("red evil\nwarn\nxxx")
    assert not any(ch in result.output for ch in "\x1b\x07\x9b\u202e")
    assert result.truncated and result.output_bytes > 10 * 1024 * 1024
    assert result.output.endswith("… (output cut: 4 KB of 10.0 MB shown)")
    assert len(result.output) < 4200


async def test_a_command_that_hangs_is_stopped_with_everything_it_started(tmp_path):
    pid_file = tmp_path / "child.pid"
    hang = script(
        tmp_path,
        "hang.py",
        "import subprocess, time\n"
        f"child = subprocess.Popen(['sleep', '60']); open({str(pid_file)!r}, 'w').write(str(child.pid))\n"
        "print('working', flush=True); time.sleep(60)",
    )
    started = time.monotonic()
    result = await run_pipe(PipeCommand("hang", quoted(hang), timeout=1.0), b"", env=dict(os.environ))
    assert 0.9 < time.monotonic() - started < 8
    assert result.timed_out and result.exit_code is None and result.status == "timed out after 1 s; stopped"
    assert result.output == "working\n"
    assert not _alive(int(pid_file.read_text()))


async def test_a_command_whose_child_keeps_the_output_open_ends_when_it_exits(tmp_path):
    pid_file = tmp_path / "child.pid"
    parent = script(
        tmp_path,
        "daemonish.py",
        f"import subprocess\nchild = subprocess.Popen(['sleep', '60']); open({str(pid_file)!r}, 'w').write(str(child.pid))\nprint('done')",
    )
    started = time.monotonic()
    result = await run_pipe(PipeCommand("d", quoted(parent), timeout=20), b"", env=dict(os.environ))
    assert time.monotonic() - started < 5
    assert result.ok and result.output == "done\n"
    assert not _alive(int(pid_file.read_text()))


async def test_cancelling_kills_the_process_group(tmp_path):
    pid_file = tmp_path / "pid"
    hang = script(tmp_path, "hang.py", f"open({str(pid_file)!r}, 'w').write(str(os.getpid()))\nimport time; time.sleep(60)")
    task = asyncio.create_task(run_pipe(PipeCommand("hang", quoted(hang)), b"", env=dict(os.environ)))
    for _ in range(200):
        if pid_file.exists() and pid_file.read_text():
            break
        await asyncio.sleep(0.02)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not _alive(int(pid_file.read_text()))


async def test_a_missing_or_unreadable_command_is_a_sentence(tmp_path):
    missing = await run_pipe(PipeCommand("x", "no-such-tool-4821 --flag"), b"{}", env=dict(os.environ))
    assert missing.error == "No program named 'no-such-tool-4821' was found (searched PATH)."
    assert missing.status == missing.error and not missing.ok
    not_exec = tmp_path / "plain.txt"
    not_exec.write_text("hello")
    denied = await run_pipe(PipeCommand("x", quoted(not_exec)), b"{}", env=dict(os.environ))
    assert denied.error.endswith("cannot be run: permission denied (is it executable?).")
    broken = await run_pipe(PipeCommand("x", "jq '.id"), b"{}", env=dict(os.environ))
    assert broken.error == "The command \"jq '.id\" cannot be read: No closing quotation."


async def test_a_command_that_ignores_a_big_stdin_is_fine(tmp_path):
    result = await run_pipe(PipeCommand("true", "true"), b"x" * (8 * 1024 * 1024), env=dict(os.environ))
    assert result.ok


async def test_no_shell_unless_configured(tmp_path):
    plain = await run_pipe(typed_command("echo a | wc -l > out.txt"), b"", env=dict(os.environ))
    assert plain.output == "a | wc -l > out.txt\n"
    shelled = await run_pipe(PipeCommand("n", "echo a; echo b | wc -l", shell=True), b"", env=dict(os.environ))
    assert shelled.output == "a\n1\n"


def _alive(pid: int) -> bool:
    """Whether ``pid`` still runs (a zombie waiting for its reaper counts as gone)."""
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat", encoding="utf-8") as handle:
                state = handle.read().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            return False
        if state in ("Z", "X"):
            return False
        time.sleep(0.05)
    return True


# --- config and history -------------------------------------------------------------------------------------


def test_commands_are_read_from_config_with_problems_named_by_line(isolated_env):
    path = Path(isolated_env.config) / "unibox-tui" / "config.toml"
    path.parent.mkdir(parents=True)
    path.write_text(
        """[defaults]
pipe_marked = "array"

[commands]
crm = "crm-push --stage replied"
notes = { run = "tee -a leads.jsonl", each = false }
hot = { run = "jq -r .id | sort -u", shell = true, timeout = 10 }
broken = "jq '.id"
odd = { run = "x", shell = "yes" }
slow = { run = "x", timeout = 0 }
""",
        encoding="utf-8",
    )
    settings = load_settings(env={})
    assert settings.pipe_marked == "array"
    assert settings.commands == (
        PipeCommand("crm", "crm-push --stage replied"),
        PipeCommand("notes", "tee -a leads.jsonl", each=False),
        PipeCommand("hot", "jq -r .id | sort -u", shell=True, timeout=10.0),
    )
    assert settings.warnings == [
        f"Settings file {path}, line 8: command 'broken': The command \"jq '.id\" cannot be read: No closing quotation. Ignored.",
        f"Settings file {path}, line 9: command 'odd' `shell` and `each` should be true or false; ignored.",
        f"Settings file {path}, line 10: command 'slow' `timeout` should be a number of seconds from 1 to 3600; ignored.",
    ]


def test_pipe_input_adds_the_lead_only_when_known():
    conversation = Conversation(id="c1")
    assert "lead" not in pipe_input(conversation)
    assert pipe_input(conversation, LEAD)["lead"]["campaign_id"] == "cmp1"


def test_the_typed_command_history_is_per_profile_bounded_and_newest_first(isolated_env):
    history = PipeHistory.for_profile("acme")
    for i in range(60):
        history.add(f"tool --n {i}")
    history.add("tool --n 55")
    again = PipeHistory.for_profile("acme")
    assert again.entries[:2] == ["tool --n 55", "tool --n 59"]
    assert len(again.entries) == 50 and len(set(again.entries)) == 50
    assert PipeHistory.for_profile("other").entries == []
    assert oct(again.path.stat().st_mode & 0o777) == "0o600"


def test_a_damaged_history_starts_afresh_and_says_so(isolated_env):
    path = Path(isolated_env.data) / "unibox-tui" / "acme" / "pipe-history.json"
    path.parent.mkdir(parents=True)
    path.write_text("{not json", encoding="utf-8")
    history = PipeHistory.for_profile("acme")
    assert history.entries == [] and "could not be read" in history.problem
    history.add("jq .id")
    assert PipeHistory.for_profile("acme").entries == ["jq .id"]
