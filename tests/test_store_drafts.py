"""Drafts on disk: atomic, private, named by hash, and a damaged file never takes the app down."""

from __future__ import annotations

import json
import os
import stat
import time
from pathlib import Path

import pytest

from unibox_tui.store.drafts import (
    DELIVERY_UNKNOWN,
    SENDING,
    Draft,
    DraftError,
    DraftStore,
    draft_folder,
    file_name,
)


def test_a_saved_draft_reads_back_whole(tmp_path: Path) -> None:
    store = DraftStore(tmp_path / "drafts")
    draft = store.bump(Draft("conv-1", text="Hi Dana,\n\n**Thanks** 🙂", subject="Re: Pricing", to_email="dana@x.io"))
    assert store.save(draft)
    loaded = DraftStore(tmp_path / "drafts").load("conv-1")
    assert loaded == draft
    assert [d.conversation_id for d in store.list()] == ["conv-1"]


def test_files_are_private_and_named_by_hash_whatever_the_id(tmp_path: Path) -> None:
    folder = tmp_path / "drafts"
    store = DraftStore(folder)
    canary = tmp_path / "canary.json"
    hostile = "../../canary"
    store.save(store.bump(Draft(hostile, text="x")))
    assert not canary.exists()
    (entry,) = list(folder.iterdir())
    assert entry.name == file_name(hostile) and len(entry.stem) == 40
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert store.load(hostile).text == "x"


def test_no_temporary_file_is_left_and_a_planted_symlink_is_not_followed(tmp_path: Path) -> None:
    folder = tmp_path / "drafts"
    folder.mkdir()
    target = tmp_path / "outside.txt"
    target.write_text("keep me")
    store = DraftStore(folder)
    os.symlink(target, store.path_for("c"))
    store.save(store.bump(Draft("c", text="draft")))
    assert target.read_text() == "keep me"  # replaced the link, did not write through it
    assert not store.path_for("c").is_symlink()
    assert sorted(p.name for p in folder.iterdir()) == [file_name("c")]


def test_an_older_revision_never_replaces_a_newer_one(tmp_path: Path) -> None:
    store = DraftStore(tmp_path)
    first = store.bump(Draft("c", text="old"))
    second = store.bump(first, text="new")
    assert store.save(second)
    assert not store.save(first)  # a slow autosave arriving late
    assert store.load("c").text == "new"
    store.delete("c", revision=second.revision + 1)
    assert not store.save(second)  # a save still in flight cannot bring back a deleted draft
    assert store.load("c") is None


@pytest.mark.parametrize(
    "content",
    [b"{not json", b"\xff\xfe", b"[]", b'{"conversation_id": 3}', b'{"conversation_id": "c", "state": "lost"}',
     b'{"conversation_id": "c", "state": "sending"}', b'{"conversation_id": "c", "text": ["a"]}'],
)
def test_a_damaged_file_is_set_aside_and_reported(tmp_path: Path, content: bytes) -> None:
    store = DraftStore(tmp_path)
    store.save(store.bump(Draft("good", text="fine")))
    store.path_for("c").write_bytes(content)
    assert store.load("c") is None
    assert [d.conversation_id for d in store.list()] == ["good"]
    problems = store.take_problems()
    assert len(problems) == 1 and "kept aside" in problems[0]
    aside = [p for p in tmp_path.iterdir() if ".corrupt-" in p.name]
    assert len(aside) == 1 and aside[0].read_bytes() == content
    assert store.take_problems() == []


def test_a_file_of_another_conversation_is_ignored(tmp_path: Path) -> None:
    store = DraftStore(tmp_path)
    store.path_for("c").write_text(json.dumps(Draft("other").to_json()))
    assert store.load("c") is None
    assert store.list() == []


def test_send_state_round_trips(tmp_path: Path) -> None:
    store = DraftStore(tmp_path)
    draft = store.bump(
        Draft("c", text="t"), state=SENDING, sent_html="<div>t</div>", started_at=time.time(),
        baseline=["h:1", "id:2"], baseline_newest=1.5,
    )
    store.save(draft)
    loaded = store.load("c")
    assert loaded.state == SENDING and loaded.pending and loaded.baseline == ["h:1", "id:2"]
    store.save(store.bump(loaded, state=DELIVERY_UNKNOWN))
    assert store.load("c").state == DELIVERY_UNKNOWN


def test_stale_temporary_files_are_swept(tmp_path: Path) -> None:
    store = DraftStore(tmp_path)
    leftover = tmp_path / f".{file_name('c')}.123.456.tmp"
    leftover.write_text("half a draft")
    old = time.time() - 3600
    os.utime(leftover, (old, old))
    store.list()
    assert not leftover.exists()


def test_a_refusing_disk_raises_a_sentence(tmp_path: Path) -> None:
    folder = tmp_path / "drafts"
    folder.write_text("a file where the folder should be")
    store = DraftStore(folder)
    with pytest.raises(DraftError) as raised:
        store.save(store.bump(Draft("c", text="x")))
    assert "draft could not be saved" in str(raised.value)


def test_the_demo_keeps_its_drafts_apart(isolated_env) -> None:
    assert draft_folder("default") != draft_folder("default", demo=True)
    assert draft_folder("demo") != draft_folder("default", demo=True)
    assert draft_folder("default").is_relative_to(isolated_env.data)
