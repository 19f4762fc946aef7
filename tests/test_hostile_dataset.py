"""The hostile dataset: its manifest, and that the server sends it exactly as a hostile server would."""

from __future__ import annotations

import json
import math
import re
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx

from unibox_tui.api.client import _seg
from unibox_tui.cli import build_parser
from unibox_tui.demo import datasets, hostile
from unibox_tui.demo.server import DemoServer, add_arguments

ROOT = Path(__file__).resolve().parents[1]


def same(a: Any, b: Any) -> bool:
    """Equal as JSON values, NaN included."""
    return json.dumps(a, sort_keys=True, allow_nan=True, default=str) == json.dumps(
        b, sort_keys=True, allow_nan=True, default=str)


def test_the_manifest_has_stable_unique_ids_and_a_line_each() -> None:
    cases = hostile.cases(now=1_780_000_000)
    ids = [case.id for case in cases]
    assert len(ids) == len(set(ids)) >= 90
    assert all(re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", i) for i in ids)
    assert all(case.description and "\n" not in case.description for case in cases)
    assert ids == [case.id for case in hostile.cases(now=1)]  # stable, whatever the clock
    # The list, case by case.
    for wanted in ("subject-csi", "subject-osc-title", "subject-dcs", "subject-entities", "body-html-entities",
                   "name-escapes", "filename-escapes", "subject-markup-click", "subject-markup-link",
                   "subject-unbalanced", "name-bidi-override", "name-fake-address-zw", "name-fake-address-field",
                   "emoji", "cjk", "combining", "subject-10k", "html-5mb", "html-nested-5000",
                   "html-active-content", "html-tracking-hidden", "date-invalid", "date-empty", "date-null",
                   "messages-null", "messages-empty", "messages-missing", "unknown-fields", "wrong-types",
                   "status-unknown", "direction-unknown", "thread-2000", "attachment-names",
                   "attachment-duplicates", "lone-surrogate", "attachment-sizes", "id-slash", "id-dotdot",
                   "id-query", "html-links", "label-unknown", "subject-re-100", "rtl", "body-only-quote",
                   "date-far-future", "date-before-1970"):
        assert wanted in ids, wanted


def test_it_is_a_registered_dataset_for_the_server_and_the_demo() -> None:
    assert "hostile" in datasets.names()
    parser = build_parser()
    assert parser.parse_args(["--demo", "--dataset", "hostile"]).dataset == "hostile"
    import argparse

    server_parser = argparse.ArgumentParser()
    add_arguments(server_parser)
    assert server_parser.parse_args(["--dataset", "hostile"]).dataset == "hostile"


def test_the_server_sends_each_case_exactly_as_written(make_demo_server) -> None:
    server: DemoServer = make_demo_server(dataset="hostile", conversations=0)
    cases = hostile.cases(server.state.now, server.state.inboxes[0].email)
    raw_pages: list[bytes] = []
    with httpx.Client(base_url=server.api_url, headers={"Authorization": "Bearer demo"}, timeout=60) as http:
        for folder in ("primary", "others"):
            served: list[Any] = []
            page = 1
            while True:
                response = http.get("/unibox/conversations", params={"folder": folder, "page": page, "page_size": 100})
                assert response.status_code == 200
                raw_pages.append(response.content)
                body = json.loads(response.content)  # NaN and Infinity: JSON to Python, as to many servers
                served.extend(body["data"])
                if page >= body["metadata"]["total_pages"]:
                    break
                page += 1
            written = [case.raw for case in cases if case.folder == folder]
            assert len(served) == len(written)
            assert [same(s, w) for s, w in zip(served, written, strict=True)] == [True] * len(written)
        # A lone surrogate goes out as the JSON escape a hostile server would write.
        assert any(b"\\ud800" in content for content in raw_pages)
        one = http.get("/unibox/conversations/%2E%2E").json()["data"]
        assert one["messages"][0]["text_body"] == "ID-id-dotdot"


def test_every_attachment_with_an_id_downloads_at_its_real_size(make_demo_server) -> None:
    server: DemoServer = make_demo_server(dataset="hostile", conversations=0)
    checked = 0
    with httpx.Client(base_url=server.api_url, headers={"Authorization": "Bearer demo"}, timeout=60) as http:
        for case in hostile.cases(server.state.now):
            raw = case.raw
            if not isinstance(raw, dict) or raw.get("id") is None or not isinstance(raw.get("messages"), list):
                continue
            for message in raw["messages"]:
                attachments = message.get("attachments") if isinstance(message, dict) else None
                for att in attachments if isinstance(attachments, list) else ():
                    if not isinstance(att, dict) or att.get("id") in (None, ""):
                        continue  # nothing to ask for (an empty id is an empty path segment)
                    ident = str(att["id"])
                    path = f"/unibox/conversations/{_seg(str(raw['id']))}/attachments/{_seg(ident)}"
                    response = http.get(path)
                    assert response.status_code == 200, (case.id, ident)
                    size = att.get("size")
                    honest = size if isinstance(size, int) and not isinstance(size, bool) and 0 <= size <= 50_000_000 \
                        else int(size) if isinstance(size, str) and size.isdigit() else None
                    expected = case.real_sizes.get(ident, honest)
                    if expected is not None and not (isinstance(size, float) and math.isnan(size)):
                        assert len(response.content) == expected, (case.id, ident)
                    checked += 1
    assert checked >= 370  # every one with an id (300 of them in one message)
    lies = {c.id: c.real_sizes for c in hostile.cases() if c.real_sizes}
    assert lies["attachment-sizes"]["att-size-lie-small"] == 50_000  # says 10 bytes


def test_demo_server_command_serves_the_hostile_dataset() -> None:
    with subprocess.Popen(
        [sys.executable, "-m", "unibox_tui", "demo-server", "--dataset", "hostile", "--port", "0",
         "--conversations", "0"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    ) as process:
        _ask_and_stop(process)
    assert process.returncode == 0


def _ask_and_stop(process: subprocess.Popen[str]) -> None:
    try:
        line = process.stdout.readline() if process.stdout else ""
        url = re.search(r"http://[\d.]+:\d+", line)
        assert url, line
        response = httpx.get(url.group() + "/api/v1/unibox/conversations", params={"page_size": 2, "folder": "primary"},
                             headers={"Authorization": "Bearer demo"}, timeout=30)
        assert [c["id"] for c in response.json()["data"]] == ["hostile-subject-csi", "hostile-subject-osc-title"]
        assert "\x1b[31m" in response.json()["data"][0]["messages"][0]["subject"]
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(15)
