"""local-triage.json shared by two terminals: every change of both survives (read-merge-write under a lock)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading

from unibox_tui.store import local_triage
from unibox_tui.store.local_triage import FILE_NAME, LocalTriageStore


def test_a_save_that_lands_between_anothers_read_and_write_is_not_lost(tmp_path, monkeypatch):
    """Terminal B saves while terminal A is between reading the file and replacing it."""
    path = tmp_path / FILE_NAME
    first, second = LocalTriageStore(path, "s"), LocalTriageStore(path, "s")
    first.set_label("c1", "interested")
    second.set_label("c2", "not_now")
    second.set_read("c3", True, messages=2)
    real_write = local_triage.write_atomic
    other: list[threading.Thread] = []

    def write_after_the_other_terminal_saved(target, data, **kwargs):
        if not other:  # A has read and merged; now B saves (without a lock it completes first)
            thread = threading.Thread(target=second.save)
            other.append(thread)
            thread.start()
            thread.join(0.5)
        real_write(target, data, **kwargs)

    monkeypatch.setattr(local_triage, "write_atomic", write_after_the_other_terminal_saved)
    first.save()
    other[0].join(10)
    assert not other[0].is_alive()
    check = LocalTriageStore(path, "s")
    check.load()
    assert (check.label("c1"), check.label("c2"), check.read_state("c3", 2)) == ("interested", "not_now", True)


WRITER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from unibox_tui.store.local_triage import LocalTriageStore

    path, name, go = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
    store = LocalTriageStore(path, "https://reachkit.example")
    while not go.exists():
        time.sleep(0.001)
    for i in range(40):
        store.set_label(f"{name}-{i}", "interested")
        store.set_read(f"{name}-{i}", True, messages=i)
        store.save()
    """
)


def test_two_processes_saving_over_and_over_keep_every_change(tmp_path):
    path = tmp_path / "profile" / FILE_NAME
    go = tmp_path / "go"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(path), name, str(go)], env=env)
        for name in ("left", "right")
    ]
    go.write_text("")
    for writer in writers:
        assert writer.wait(120) == 0
    section = json.loads(path.read_text())["servers"]["https://reachkit.example"]
    expected = {f"{name}-{i}" for name in ("left", "right") for i in range(40)}
    assert set(section["labels"]) == expected
    assert set(section["read"]) == expected
    assert not [p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")]
