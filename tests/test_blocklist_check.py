"""The blocklist check, in both forms: the documented GET /blocklist/:id/check and the newer page's
GET /blocklist/check?email=. The client tries the documented one first, falls back on a 404, and
remembers per client which one answered. Also: the local server's flags for both forms and for the
broken-gzip fault, on the command line.
"""

from __future__ import annotations

import contextlib
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from helpers import make_app, screen_text, settle
from test_rooms import open_blocklist

from unibox_tui.api import ReachkitClient, RetryPolicy

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTED = r"/blocklist/[^/]+/check$"
NEWER = r"/blocklist/check$"
FAST = RetryPolicy(attempts=2, base_delay=0.01, max_delay=0.02)


async def ask(server, emails: list[str]) -> list[bool]:
    async with ReachkitClient(server.key, server.base_url, retry=FAST) as client:
        return [await client.check_blocklist(email) for email in emails]


async def test_a_server_with_only_the_newer_check_is_asked_there_after_one_404(make_demo_server):
    server = make_demo_server(blocklist_check="new")
    answers = await ask(server, ["ceo@competitor-intel.example", "friend@example.org", "ceo@competitor-intel.example"])
    assert answers == [True, False, True]
    assert server.count("GET", DOCUMENTED) == 1  # tried once, 404, never again for this client
    assert server.count("GET", NEWER) == 3
    assert [r.status for r in server.requests][:2] == [404, 200]
    assert all(r.query.get("email") for r in server.requests if re.search(NEWER, r.path))


@pytest.mark.parametrize("form", ["old", "both"])
async def test_a_server_with_the_documented_check_is_only_asked_there(make_demo_server, form):
    server = make_demo_server(blocklist_check=form)
    assert await ask(server, ["ceo@competitor-intel.example", "friend@example.org"]) == [True, False]
    assert server.count("GET", DOCUMENTED) == 2 and server.count("GET", NEWER) == 0


async def test_the_servers_forms_answer_404_when_switched_off(make_demo_server):
    for form, missing in (("new", "/blocklist/default/check"), ("old", "/blocklist/check")):
        server = make_demo_server(blocklist_check=form)
        with httpx.Client(base_url=server.api_url, headers={"Authorization": f"Bearer {server.key}"}) as http:
            assert http.get(missing, params={"email": "a@b.example"}).status_code == 404


async def test_the_blocklist_room_checks_on_a_server_that_moved_the_check(make_demo_server):
    server = make_demo_server(blocklist_check="new")
    app = make_app(server)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await open_blocklist(pilot)
        await pilot.press("slash", *list("ceo@competitor-intel.example"), "enter")
        await settle(pilot)
        assert "is blocked (by @competitor-intel.example)" in screen_text(app)
    assert server.count("GET", NEWER) == 1


@contextlib.contextmanager
def demo_server_process(*flags: str) -> Iterator[str]:
    """``unibox-tui demo-server`` with ``flags`` on a free port; yields its API address."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "unibox_tui", "demo-server", "--port", "0", "--conversations", "5", *flags],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert proc.stdout is not None
        url = re.search(r"http://127\.0\.0\.1:\d+", proc.stdout.readline())
        assert url, proc.stderr.read() if proc.stderr else ""
        yield url.group(0) + "/api/v1"
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()


def test_the_command_line_flags_reach_the_wire():
    with demo_server_process("--blocklist-check", "new") as api:
        with httpx.Client(base_url=api, headers={"Authorization": "Bearer demo"}) as http:
            assert http.get("/blocklist/default/check", params={"email": "a@b.example"}).status_code == 404
            answer = http.get("/blocklist/check", params={"email": "a@b.example"})
            assert answer.status_code == 200 and answer.json() == {"data": {"blocked": False}}
    with demo_server_process("--bad-gzip-rate", "1") as api:
        with httpx.Client(base_url=api, headers={"Authorization": "Bearer demo"}) as http:
            with http.stream("GET", "/campaigns") as answer:
                assert answer.status_code == 200 and answer.headers["content-encoding"] == "gzip"
                raw = b"".join(answer.iter_raw())
                with pytest.raises(httpx.DecodingError):
                    httpx.Response(200, headers={"content-encoding": "gzip"}, content=raw)
