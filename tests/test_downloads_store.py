"""The download folder (store/downloads.py) and the client's finishing step, against the real server."""

from __future__ import annotations

import errno
import os
import sys
import time
from pathlib import Path

import pytest
from fsprobe import permissions_are_bypassed

from unibox_tui.api import Conversation, DownloadError, ReachkitClient
from unibox_tui.domain.transfers import Transfer, TransferState
from unibox_tui.store.downloads import DownloadFolder, FolderError, OpenerError, numbered, open_file, save_attachment


def test_numbered_names_keep_the_extension():
    assert numbered("deck.pdf", 0) == "deck.pdf"
    assert numbered("deck.pdf", 1) == "deck (1).pdf"
    assert numbered("backup.tar.gz", 2) == "backup (2).tar.gz"
    assert numbered("README", 3) == "README (3)"
    assert numbered("v1.2 final", 1) == "v1.2 final (1)"


def test_claims_skip_existing_names_their_part_files_and_planted_links(tmp_path):
    canary = tmp_path / "canary"
    canary.mkdir()
    (canary / "secret").write_text("keep")
    folder = DownloadFolder(tmp_path / "dl")
    path = folder.prepare()
    (path / "deck.pdf").write_text("mine")
    (path / "deck (1).pdf.part").write_text("someone's download")
    os.symlink(canary / "secret", path / "deck (2).pdf")
    os.symlink(tmp_path / "nowhere", path / "deck (3).pdf")  # dangling: still taken
    first = folder.claim("deck.pdf")
    second = folder.claim("deck.pdf")  # claimed in this process, though nothing is on disk yet
    assert first == path / "deck (4).pdf"
    assert second == path / "deck (5).pdf"
    folder.release(first)
    assert folder.claim("deck.pdf") == path / "deck (4).pdf"
    assert (canary / "secret").read_text() == "keep"


def test_claims_refuse_anything_but_a_plain_name(tmp_path):
    folder = DownloadFolder(tmp_path)
    for bad in ("", ".", "..", "../x", "a/b", "a\\b", "a\0b"):
        with pytest.raises(ValueError):
            folder.claim(bad)


def test_prepare_creates_the_folder_and_explains_what_is_wrong(tmp_path):
    nested = tmp_path / "a" / "b" / "downloads"
    DownloadFolder(nested).prepare()
    assert nested.is_dir()
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(FolderError, match="not a folder"):
        DownloadFolder(blocker).prepare()
    with pytest.raises(FolderError, match="Cannot create|not a folder"):
        DownloadFolder(blocker / "sub").prepare()


@pytest.mark.skipif(permissions_are_bypassed(), reason="this user (root) can write anywhere")
def test_prepare_says_when_the_folder_is_not_writable(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        with pytest.raises(FolderError, match="No permission"):
            DownloadFolder(locked).prepare()
        with pytest.raises(FolderError, match="permission denied"):
            DownloadFolder(locked / "new").prepare()
    finally:
        locked.chmod(0o700)


def test_open_file_hands_the_absolute_path_to_the_opener_detached(tmp_path):
    target = tmp_path / "deck.pdf"
    target.write_text("%PDF")
    record = tmp_path / "opened.txt"
    script = f"import sys, pathlib; pathlib.Path({str(record)!r}).write_text(sys.argv[1])"
    open_file(target, opener=[sys.executable, "-c", script])
    deadline = time.monotonic() + 10
    while not (record.exists() and record.read_text()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert record.read_text() == str(target)


def test_open_file_without_an_opener_says_where_the_file_is(tmp_path, monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    if sys.platform.startswith("linux"):
        with pytest.raises(OpenerError, match=f"the file is at {tmp_path}"):
            open_file(tmp_path / "x.pdf")
    with pytest.raises(OpenerError, match="Could not start"):
        open_file(tmp_path / "x.pdf", opener=[str(tmp_path / "no-such-program")])


def test_transfer_rate_and_time_left_follow_recent_progress():
    from unibox_tui.api import Attachment

    transfer = Transfer("c1", Attachment("a1", "deck.pdf", "application/pdf", 10_000_000), "deck.pdf")
    assert transfer.state is TransferState.QUEUED and transfer.total == 10_000_000
    transfer.start(100.0)
    transfer.update(1_000_000, 10_000_000, 101.0)
    assert transfer.rate == pytest.approx(1_000_000)
    assert transfer.seconds_left == pytest.approx(9.0)
    assert transfer.eta_text() == "9 s left"
    assert transfer.bytes_text() == "1.0 MB / 10 MB"
    # A stall shows within the rate window rather than being averaged over the whole download.
    for second in range(2, 8):
        transfer.update(1_000_000, 10_000_000, 100.0 + second)
    assert transfer.rate == 0 and transfer.eta_text() == "stalled"
    transfer.succeed(Path("/tmp/deck.pdf"), 10_000_000, 110.0)
    assert transfer.fraction == 1.0 and transfer.rate == pytest.approx(1_000_000)


# -- the client's finishing step: a name taken while the bytes flow does not lose them ----------------


def _small_attachment(server):
    for conversation_id in server.state.conversation_ids():
        conversation = Conversation.from_api(server.state.get_conversation_dict(conversation_id))
        for _, attachment in conversation.attachments:
            if attachment.size and 100_000 <= attachment.size <= 3_000_000:
                return conversation_id, attachment
    raise AssertionError("no attachment of that size in the demo data")


async def test_a_name_taken_during_the_download_moves_the_file_to_the_next_free_name(demo_server, tmp_path):
    conversation_id, attachment = _small_attachment(demo_server)
    folder = DownloadFolder(tmp_path / "dl")
    folder.prepare()
    dest = folder.claim("deck.pdf")
    squatter = dest.with_name("deck.pdf")

    def progress(done: int, total: int | None) -> None:
        if not os.path.lexists(squatter):  # another program saves a deck.pdf meanwhile
            squatter.write_text("not ours")

    def choose_final(taken: Path) -> Path:
        folder.release(taken)
        return folder.claim("deck.pdf")

    async with ReachkitClient(demo_server.key, demo_server.base_url) as client:
        result = await save_attachment(
            client, conversation_id, attachment.id, dest, expected_size=attachment.size,
            progress=progress, progress_interval=0, choose_final=choose_final,
        )
    assert result.path == dest.with_name("deck (1).pdf")
    assert result.path.stat().st_size == attachment.size
    assert squatter.read_text() == "not ours"
    assert sorted(os.listdir(folder.path)) == ["deck (1).pdf", "deck.pdf"]


async def test_without_choose_final_an_existing_name_fails_before_any_byte_moves(demo_server, tmp_path):
    conversation_id, attachment = _small_attachment(demo_server)
    (tmp_path / "deck.pdf").write_text("mine")
    demo_server.clear_requests()
    async with ReachkitClient(demo_server.key, demo_server.base_url) as client:
        with pytest.raises(DownloadError, match="already exists"):
            await save_attachment(client, conversation_id, attachment.id, tmp_path / "deck.pdf")
    assert demo_server.count("GET", "/attachments/") == 0
    assert sorted(os.listdir(tmp_path)) == ["deck.pdf", "env"]


async def test_a_full_disk_is_a_clear_error_and_leaves_no_part_file(demo_server, tmp_path, monkeypatch):
    import unibox_tui.api._download as download_module

    conversation_id, attachment = _small_attachment(demo_server)
    written = 0
    real_write_all = download_module._write_all

    def filling_disk(sink, chunk):
        nonlocal written
        written += len(chunk)
        if written > 50_000:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_write_all(sink, chunk)

    monkeypatch.setattr(download_module, "_write_all", filling_disk)
    folder = tmp_path / "dl"
    folder.mkdir()
    async with ReachkitClient(demo_server.key, demo_server.base_url) as client:
        with pytest.raises(DownloadError, match="disk is full"):
            await save_attachment(client, conversation_id, attachment.id, folder / "deck.pdf")
    assert os.listdir(folder) == []
