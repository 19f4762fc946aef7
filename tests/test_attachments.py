"""Saving attachments, driven like a user would (s, the picker, the downloads panel), against the real server."""

from __future__ import annotations

import asyncio
import errno
import os
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from fsprobe import permissions_are_bypassed
from helpers import make_app, notifications, screen_text, settle, widget_text

from unibox_tui.api import RetryPolicy
from unibox_tui.demo import files
from unibox_tui.domain.transfers import TransferState
from unibox_tui.store.downloads import OpenerError
from unibox_tui.ui.screens.attachment_picker import AttachmentPicker
from unibox_tui.ui.widgets.downloads_panel import DownloadsPanel

SEED = 1  # the demo server's default seed: attachment bytes derive from it


def add_files(server, attachments: list[dict[str, Any]], conversation_id: str = "files-1") -> None:
    """A conversation at the top of Primary whose one message carries ``attachments`` as given."""
    server.state.add_raw_conversation(
        {
            "id": conversation_id,
            "status": "open",
            "messages": [
                {
                    "direction": "incoming",
                    "subject": "The files you asked for",
                    "from_email": "lead@prospect.example",
                    "to_email": "me@ours.example",
                    "text_body": "See attached.",
                    "html_body": "",
                    "email_date": "2026-05-28T09:00:00Z",
                    "is_read": True,
                    "attachments": attachments,
                }
            ],
        },
        position=0,
    )


def attachment(index: int, filename: Any, size: int = 2_000, content_type: str = "application/pdf") -> dict[str, Any]:
    return {"id": f"f{index}", "filename": filename, "size": size, "content_type": content_type}


def panel(app) -> DownloadsPanel:
    return app.screen.query_one(DownloadsPanel)


def notes(app) -> list[str]:
    return [n.message for n in notifications(app)]


async def wait_for(pilot, condition, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition never became true"
        await pilot.pause(0.05)


async def gone(folder: Path, timeout: float = 10.0) -> None:
    """After a quit, download threads remove their .part files as they stop (before the process ends)."""
    deadline = time.monotonic() + timeout
    while os.listdir(folder):
        assert time.monotonic() < deadline, os.listdir(folder)
        await asyncio.sleep(0.05)


async def save_all(pilot) -> None:
    """``s`` on the conversation at the top of the list, then ``a`` in the picker."""
    await pilot.press("s")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, AttachmentPicker))
    await pilot.press("a")
    await settle(pilot, timeout=30)


def expected_bytes(size: int, attachment_id: str, content_type: str = "application/pdf") -> bytes:
    return files.read_all(SEED, attachment_id, content_type, size)


async def test_hostile_names_all_land_inside_the_download_folder(make_demo_server, tmp_path):
    server = make_demo_server(conversations=5)
    canary = tmp_path / "canary"
    canary.mkdir()
    victim = canary / "passwd"
    victim.write_text("root:x:0:0\n")
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    os.symlink(victim, downloads / "report.pdf")  # planted at a name we will want
    hostile = [
        "../../x.sh",
        str(victim),
        "../canary/passwd",
        "../" * 12 + str(victim).lstrip("/"),
        "..\\..\\win.ini",
        "CON",
        ".bashrc",
        "bad\x00name\nwith\x1b[31mesc.txt",
        "\u202etxt.exe",
        "A" * 300 + ".pdf",
        "",
        "deck.pdf",
        "deck.pdf",
        "report.pdf",
    ]
    add_files(server, [attachment(i, name, size=1_000 + i) for i, name in enumerate(hostile)])
    app = make_app(server, download_dir=downloads)
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "📎 ../../x.sh · PDF" in text and "saves as x.sh" in text
        assert "📎 .bashrc" in text and "saves as bashrc" in text
        assert "\x1b" not in text and "\u202e" not in text  # the claimed name shows only as text
        await save_all(pilot)
        transfers = panel(app).transfers
        assert [t.state for t in transfers] == [TransferState.DONE] * len(hostile)
    landed = {t.attachment.id: t.path for t in transfers}
    assert landed["f0"] == downloads / "x.sh"
    assert {landed["f1"].name, landed["f2"].name, landed["f3"].name} == {"passwd", "passwd (1)", "passwd (2)"}
    assert landed["f4"].name == "win.ini"
    assert landed["f5"].name == "CON_"
    assert landed["f6"].name == "bashrc"
    assert landed["f7"].name == "badname withesc.txt"
    assert landed["f8"].name == "txt.exe"
    assert landed["f9"].name.endswith(".pdf") and len(landed["f9"].name.encode()) <= 200
    assert landed["f10"].name == "attachment-f10.pdf"
    assert {landed["f11"].name, landed["f12"].name} == {"deck.pdf", "deck (1).pdf"}
    assert landed["f13"].name == "report (1).pdf"
    for index, path in enumerate(landed.values()):
        assert path.parent == downloads and not path.is_symlink()
        assert path.read_bytes() == expected_bytes(1_000 + index, f"f{index}")
    assert len(os.listdir(downloads)) == len(hostile) + 1  # + the planted link, still a link to the canary
    assert os.readlink(downloads / "report.pdf") == str(victim)
    assert victim.read_text() == "root:x:0:0\n" and os.listdir(canary) == ["passwd"]
    assert not [name for name in os.listdir(downloads) if name.endswith(".part")]


async def test_enter_saves_the_highlighted_one_and_space_marks_several(make_demo_server, tmp_path):
    server = make_demo_server(conversations=5)
    add_files(server, [attachment(0, "one.pdf"), attachment(1, "two.pdf"), attachment(2, "three.pdf")])
    downloads = tmp_path / "not" / "yet" / "there"
    app = make_app(server, download_dir=downloads)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, AttachmentPicker))
        await pilot.press("down", "enter")
        await settle(pilot)
        assert sorted(os.listdir(downloads)) == ["two.pdf"]  # the folder was created for it
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, AttachmentPicker))
        await pilot.press("space", "space", "enter")  # space marks and moves down: one and two
        await settle(pilot)
        assert sorted(os.listdir(downloads)) == ["one.pdf", "two (1).pdf", "two.pdf"]
        assert "Saved 2 files to" in notes(app)[-1]
        assert panel(app).display and app.screen.query_one("#thread").region.height > 10


async def test_a_conversation_without_attachments_says_so(make_demo_server):
    server = make_demo_server(conversations=5)
    add_files(server, [])
    app = make_app(server)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await pilot.pause()
        assert not isinstance(app.screen, AttachmentPicker)
        assert "This conversation has no attachments." in notes(app)


async def test_cancel_mid_download_removes_the_part_file(make_demo_server, tmp_path):
    server = make_demo_server(conversations=5)
    add_files(server, [attachment(0, "huge.bin", size=8 * 10**9, content_type="application/octet-stream")])
    downloads = tmp_path / "downloads"
    app = make_app(server, download_dir=downloads)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, AttachmentPicker))
        await pilot.press("enter")
        await wait_for(pilot, lambda: panel(app).transfers and panel(app).transfers[0].done > 0)
        assert os.listdir(downloads) == ["huge.bin.part"]
        await pilot.press("S")
        assert app.focused is panel(app)
        await pilot.press("escape")
        await settle(pilot)
        transfer = panel(app).transfers[0]
        assert transfer.state is TransferState.CANCELLED
        assert "cancelled after" in widget_text(panel(app))
        assert app.is_running
    assert os.listdir(downloads) == []


async def test_quitting_during_a_download_leaves_no_part_file(make_demo_server, tmp_path):
    server = make_demo_server(conversations=5)
    add_files(server, [attachment(0, "huge.bin", size=8 * 10**9, content_type="application/octet-stream")])
    downloads = tmp_path / "downloads"
    app = make_app(server, download_dir=downloads)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await save_all_started(pilot)
        await pilot.press("q")
    await gone(downloads)


async def save_all_started(pilot) -> None:
    await pilot.press("s")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, AttachmentPicker))
    await pilot.press("a")
    await wait_for(pilot, lambda: panel(pilot.app).transfers and panel(pilot.app).transfers[0].done > 0)


async def test_a_dropped_connection_leaves_no_file_and_r_retries(make_demo_server, tmp_path):
    server = make_demo_server(conversations=5)
    add_files(server, [attachment(0, "deck.pdf", size=3_000_000)])
    server.faults.fail_next(1, kind="drop", path="/attachments/")
    downloads = tmp_path / "downloads"
    app = make_app(server, download_dir=downloads)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        await save_all(pilot)
        transfer = panel(app).transfers[0]
        assert transfer.state is TransferState.FAILED and "broke off" in transfer.error
        assert os.listdir(downloads) == []
        assert any("broke off" in note for note in notes(app))
        assert "failed: The download broke off" in widget_text(panel(app))
        await pilot.press("S", "r")
        await settle(pilot)
        assert transfer.state is TransferState.DONE
        assert os.listdir(downloads) == ["deck.pdf"]
        assert (downloads / "deck.pdf").read_bytes() == expected_bytes(3_000_000, "f0")


async def test_server_errors_are_shown_in_the_panel_and_the_app_keeps_running(make_demo_server, tmp_path):
    server = make_demo_server(conversations=5)
    add_files(
        server,
        [
            attachment(0, "fine.pdf"),
            {"id": "gone", "filename": "gone.pdf", "size": "12", "content_type": "application/pdf"},  # 404
            attachment(2, "flaky.pdf"),
        ],
    )
    server.faults.fail_next(20, status=500, path="/attachments/f2$")
    downloads = tmp_path / "downloads"
    app = make_app(server, download_dir=downloads)
    async with app.run_test(size=(160, 40), notifications=True) as pilot:
        app.client.retry = RetryPolicy(attempts=2, base_delay=0.01, max_delay=0.02)
        await settle(pilot)
        await save_all(pilot)
        states = {t.name: t for t in panel(app).transfers}
        assert states["fine.pdf"].state is TransferState.DONE
        assert states["gone.pdf"].state is TransferState.FAILED and "not found" in states["gone.pdf"].error.lower()
        assert states["flaky.pdf"].state is TransferState.FAILED and "HTTP 500" in states["flaky.pdf"].error
        assert any("HTTP 500" in note for note in notes(app)) and any("not found" in n.lower() for n in notes(app))
        assert sorted(os.listdir(downloads)) == ["fine.pdf"]
        assert app.is_running


async def test_a_full_disk_is_reported_and_leaves_nothing(make_demo_server, tmp_path, monkeypatch):
    import unibox_tui.api._download as download_module

    real_write_all = download_module._write_all
    written = 0

    def filling_disk(sink, chunk):
        nonlocal written
        written += len(chunk)
        if written > 100_000:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_write_all(sink, chunk)

    monkeypatch.setattr(download_module, "_write_all", filling_disk)
    server = make_demo_server(conversations=5)
    add_files(server, [attachment(0, "deck.pdf", size=1_000_000)])
    downloads = tmp_path / "downloads"
    app = make_app(server, download_dir=downloads)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        await save_all(pilot)
        assert panel(app).transfers[0].state is TransferState.FAILED
        assert "The disk is full: deck.pdf was not saved." in notes(app)
        assert "disk is full" in widget_text(panel(app))
    assert os.listdir(downloads) == []


@pytest.mark.skipif(permissions_are_bypassed(), reason="this user (root) can write anywhere")
async def test_a_folder_without_permission_is_reported(make_demo_server, tmp_path):
    server = make_demo_server(conversations=5)
    add_files(server, [attachment(0, "deck.pdf")])
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    downloads.chmod(0o500)
    app = make_app(server, download_dir=downloads)
    try:
        async with app.run_test(size=(120, 40), notifications=True) as pilot:
            await settle(pilot)
            await save_all(pilot)
            assert panel(app).transfers[0].state is TransferState.FAILED
            assert any("No permission to write" in note for note in notes(app))
            assert server.count("GET", "/attachments/") == 0
    finally:
        downloads.chmod(0o700)
    assert os.listdir(downloads) == []


async def test_o_opens_a_finished_download_only_when_asked(make_demo_server, tmp_path, monkeypatch):
    import unibox_tui.store.downloads as downloads_module

    record = tmp_path / "opened.txt"
    script = f"import sys, pathlib; pathlib.Path({str(record)!r}).write_text(sys.argv[1])"
    monkeypatch.setattr(downloads_module, "system_opener", lambda: [sys.executable, "-c", script])
    server = make_demo_server(conversations=5)
    add_files(server, [attachment(0, "deck.pdf")])
    downloads = tmp_path / "downloads"
    app = make_app(server, download_dir=downloads)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        await save_all(pilot)
        saved = downloads / "deck.pdf"
        assert f"Saved to {saved}" in notes(app)
        time.sleep(0.3)
        assert not record.exists()  # never opened on its own
        await pilot.press("S", "o")
        await wait_for(pilot, lambda: record.exists() and record.read_text() == str(saved))
        assert f"Opening {saved}" in notes(app)

        def no_opener() -> list[str]:
            raise OpenerError("No program to open files with (xdg-open) was found")

        monkeypatch.setattr(downloads_module, "system_opener", no_opener)
        await pilot.press("o")
        await pilot.pause()
        assert f"No program to open files with (xdg-open) was found; the file is at {saved}." in notes(app)


async def test_the_panel_hides_and_gives_focus_back(make_demo_server, tmp_path):
    server = make_demo_server(conversations=5)
    add_files(server, [attachment(0, "deck.pdf")])
    app = make_app(server, download_dir=tmp_path / "downloads")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        listing = app.focused
        assert not panel(app).display
        await save_all(pilot)
        assert panel(app).display and app.focused is listing
        assert "Downloads · 1 done" in screen_text(app)
        await pilot.press("S")
        assert app.focused is panel(app)
        await pilot.press("S")
        assert not panel(app).display and app.focused is listing
        await pilot.press("S", "x")  # clear finished: nothing left, the panel goes away
        assert not panel(app).display and panel(app).transfers == []
        assert app.focused is listing
    assert Path(tmp_path / "downloads" / "deck.pdf").exists()


async def test_a_size_that_does_not_match_the_listing_is_an_error_not_a_file(make_demo_server, tmp_path):
    server = make_demo_server(conversations=5)
    add_files(server, [attachment(0, "short.pdf", size=2_000), attachment(1, "long.pdf", size=2_000)])
    listed = server.state.get_conversation_dict("files-1")["messages"][0]["attachments"]
    listed[0]["size"] = 5_000  # the listing promises more than the server sends...
    listed[1]["size"] = 999  # ...or less
    downloads = tmp_path / "downloads"
    app = make_app(server, download_dir=downloads)
    async with app.run_test(size=(160, 40), notifications=True) as pilot:
        await settle(pilot)
        await save_all(pilot)
        short, long = panel(app).transfers
        assert short.state is TransferState.FAILED and "got 2,000 of 5,000 bytes" in short.error
        assert long.state is TransferState.FAILED and "Size mismatch" in long.error
        assert any("Incomplete download" in note for note in notes(app))
    assert os.listdir(downloads) == []


async def test_several_downloads_run_at_once_and_the_rest_wait(make_demo_server, tmp_path):
    server = make_demo_server(conversations=5)
    huge = 8 * 10**9
    add_files(server, [attachment(i, f"video-{i}.mp4", size=huge, content_type="video/mp4") for i in range(5)])
    downloads = tmp_path / "downloads"
    app = make_app(server, download_dir=downloads)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, AttachmentPicker))
        await pilot.press("a")
        transfers = panel(app).transfers
        await wait_for(pilot, lambda: sum(t.done > 0 for t in transfers) == 3)
        states = [t.state for t in transfers]
        assert states.count(TransferState.RUNNING) == 3 and states.count(TransferState.QUEUED) == 2
        assert "queued" in widget_text(panel(app))
        # Cancelling a running one lets a queued one start.
        await pilot.press("S", "escape")
        await wait_for(pilot, lambda: [t.state for t in transfers].count(TransferState.QUEUED) == 1)
        assert transfers[0].state is TransferState.CANCELLED
        await pilot.press("q")
    await gone(downloads)
