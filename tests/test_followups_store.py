"""followups.json: snoozes, reminders and "back" marks survive restarts, damage and a second terminal."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from unibox_tui.api.models import Conversation
from unibox_tui.clock import TickingClock
from unibox_tui.domain.wakeup import find_wakeups, incoming_count, next_due
from unibox_tui.store import followups
from unibox_tui.store.followups import FILE_NAME, BackMark, FollowupStore

NOW = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
BERLIN = ZoneInfo("Europe/Berlin")
SERVER = "https://reachkit.example"


def store_at(path: Path, server: str = SERVER, clock: TickingClock | None = None) -> FollowupStore:
    store = FollowupStore(path, server, clock=clock or TickingClock(NOW))
    store.load()
    return store


def conversation(cid: str, directions: str) -> Conversation:
    """``"oi"``: one outgoing then one incoming message, a day apart."""
    messages = [
        {"direction": "incoming" if d == "i" else "outgoing", "email_date": (NOW - timedelta(days=10 - n)).isoformat()}
        for n, d in enumerate(directions)
    ]
    return Conversation.from_api({"id": cid, "messages": messages})


# --- persistence ------------------------------------------------------------------------------------


def test_everything_survives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "profile" / FILE_NAME
    store = store_at(path)
    store.snooze("c1", NOW + timedelta(hours=1), folder="primary", reason="in 1 hour", incoming=2)
    store.remind("c2", NOW + timedelta(days=2), last_outgoing_at=NOW - timedelta(hours=1), incoming=1, folder="primary")
    store.mark_back(BackMark("c3", "no_reply", NOW, since=NOW - timedelta(days=4), folder="others"))
    store.save()

    again = store_at(path)
    snooze = again.snooze_of("c1")
    assert snooze is not None
    assert (snooze.wake_at, snooze.folder, snooze.reason, snooze.incoming) == (NOW + timedelta(hours=1), "primary", "in 1 hour", 2)
    assert timedelta(0) <= snooze.snoozed_at - NOW < timedelta(seconds=5)  # the injected clock's now
    reminder = again.reminder_of("c2")
    assert reminder is not None and (reminder.due_at, reminder.incoming) == (NOW + timedelta(days=2), 1)
    mark = again.back_mark("c3")
    assert mark is not None and mark.why(BERLIN) == "no reply since 29 Nov"
    assert again.problems == []


def test_the_file_is_private_and_written_whole(tmp_path: Path) -> None:
    path = tmp_path / "profile" / FILE_NAME
    store = store_at(path)
    store.snooze("c1", NOW + timedelta(hours=1), incoming=0)
    store.save()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert not [p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")]
    assert json.loads(path.read_text())["version"] == 1


def test_each_server_has_its_own_section(tmp_path: Path) -> None:
    path = tmp_path / FILE_NAME
    first = store_at(path, "https://a.example")
    first.snooze("same-id", NOW + timedelta(hours=1), incoming=0)
    first.save()
    second = store_at(path, "https://b.example")
    assert second.snoozes() == []
    second.snooze("other", NOW + timedelta(hours=2), incoming=0)
    second.save()
    assert [s.conversation_id for s in store_at(path, "https://a.example").snoozes()] == ["same-id"]


def test_profiles_and_the_demo_keep_their_own_files(isolated_env) -> None:
    acme = FollowupStore.for_profile("acme", SERVER, clock=TickingClock(NOW))
    acme.snooze("c1", NOW + timedelta(hours=1), incoming=0)
    acme.save()
    demo = FollowupStore.for_profile("acme", "http://127.0.0.1:41234", demo=True, clock=TickingClock(NOW))
    assert demo.snoozes() == []
    demo.snooze("c9", NOW + timedelta(hours=1), incoming=0)
    demo.save()
    assert (isolated_env.data / "unibox-tui" / "acme" / FILE_NAME).exists()
    demo_file = isolated_env.data / "unibox-tui" / ".demo" / FILE_NAME
    assert list(json.loads(demo_file.read_text())["servers"]) == ["demo"]  # not the run's port
    again = FollowupStore.for_profile("other", "http://127.0.0.1:50000", demo=True, clock=TickingClock(NOW))
    assert [s.conversation_id for s in again.snoozes()] == ["c9"]


def test_snoozing_clears_a_back_mark_and_waking_sets_one(tmp_path: Path) -> None:
    clock = TickingClock(NOW)
    store = store_at(tmp_path / FILE_NAME, clock=clock)
    store.mark_back(BackMark("c1", "new_reply", NOW))
    store.snooze("c1", NOW + timedelta(days=1), folder="primary", incoming=0)
    assert store.back_mark("c1") is None and store.is_snoozed("c1")
    clock.advance(60)
    mark = store.wake_now("c1")
    assert mark is not None and mark.kind == "snooze_ended" and mark.folder == "primary"
    assert not store.is_snoozed("c1") and store.back_mark("c1") == mark
    store.clear_back("c1")
    assert store.back_mark("c1") is None


def test_times_must_be_aware_and_ids_sane(tmp_path: Path) -> None:
    store = store_at(tmp_path / FILE_NAME)
    with pytest.raises(ValueError):
        store.snooze("c1", datetime(2026, 12, 3, 10), incoming=0)
    with pytest.raises(ValueError):
        store.snooze("x" * 500, NOW, incoming=0)
    reason = store.snooze("c1", NOW + timedelta(hours=1), reason="\x1b[31mred\n" + "y" * 500, incoming=0).reason
    assert "\x1b" not in reason and "\n" not in reason and len(reason) <= 200


# --- damage: set aside, reported, nothing lost quietly ----------------------------------------------


def test_a_damaged_file_is_set_aside_and_reported(tmp_path: Path) -> None:
    path = tmp_path / FILE_NAME
    path.write_bytes(b'{"version": 1, "servers": {"https://reachkit.example": {"snoozes": {"c1": {"wake_')
    store = store_at(path)
    assert store.snoozes() == []
    [problem] = store.take_problems()
    aside = [p for p in tmp_path.iterdir() if p.name.startswith(FILE_NAME + ".corrupt-")]
    assert len(aside) == 1 and str(aside[0]) in problem and "damaged" in problem
    assert aside[0].read_bytes().startswith(b'{"version": 1')
    store.snooze("c2", NOW + timedelta(hours=1), incoming=0)
    store.save()
    assert [s.conversation_id for s in store_at(path).snoozes()] == ["c2"]


def test_unreadable_entries_are_kept_in_a_copy_before_being_left_out(tmp_path: Path) -> None:
    path = tmp_path / FILE_NAME
    good = {"wake_at": (NOW + timedelta(hours=1)).timestamp(), "snoozed_at": NOW.timestamp(), "folder": "primary"}
    bad = {"wake_at": "tomorrow", "snoozed_at": NOW.timestamp()}
    path.write_text(json.dumps({"version": 1, "servers": {SERVER: {"snoozes": {"c1": good, "c2": bad}}}}))
    store = store_at(path)
    assert [s.conversation_id for s in store.snoozes()] == ["c1"]
    [problem] = store.take_problems()
    assert "1 follow-up(s)" in problem
    [copy] = [p for p in tmp_path.iterdir() if ".corrupt-" in p.name]
    assert json.loads(copy.read_text())["servers"][SERVER]["snoozes"]["c2"] == bad
    store.snooze("c3", NOW + timedelta(hours=2), incoming=0)
    store.save()  # the same file again: no second copy
    assert len([p for p in tmp_path.iterdir() if ".corrupt-" in p.name]) == 1


def test_a_file_that_cannot_be_read_is_never_replaced(tmp_path: Path, monkeypatch) -> None:
    """An I/O error while reading (tests run as root, so no permission error): the save waits."""
    path = tmp_path / FILE_NAME
    earlier = store_at(path)
    earlier.snooze("c0", NOW + timedelta(days=1), incoming=0)
    earlier.save()
    real_opener = followups._no_follow

    def failing_opener(name: str, flags: int) -> int:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(followups, "_no_follow", failing_opener)
    store = store_at(path)
    assert "Could not read the follow-ups file" in store.take_problems()[0]
    store.snooze("c1", NOW + timedelta(hours=1), incoming=0)
    with pytest.raises(OSError):
        store.save()
    assert store.dirty and store.is_snoozed("c1")
    monkeypatch.setattr(followups, "_no_follow", real_opener)
    store.save()  # the snooze waited for the next save, and c0 was never overwritten
    assert {s.conversation_id for s in store_at(path).snoozes()} == {"c0", "c1"}


def test_another_server_and_unknown_sections_are_left_alone(tmp_path: Path) -> None:
    path = tmp_path / FILE_NAME
    other = {"snoozes": {"x": {"wake_at": NOW.timestamp(), "snoozed_at": NOW.timestamp()}}}
    path.write_text(json.dumps({"version": 1, "servers": {"https://other.example": other}}))
    store = store_at(path)
    store.snooze("c1", NOW + timedelta(hours=1), incoming=0)
    store.save()
    assert json.loads(path.read_text())["servers"]["https://other.example"] == other


# --- two terminals on one profile ---------------------------------------------------------------------


def test_a_save_landing_between_anothers_read_and_write_is_not_lost(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / FILE_NAME
    first, second = store_at(path), store_at(path)
    first.snooze("c1", NOW + timedelta(hours=1), incoming=0)
    second.snooze("c2", NOW + timedelta(hours=2), incoming=0)
    second.remind("c3", NOW + timedelta(days=2), last_outgoing_at=NOW, incoming=0)
    real_write = followups.write_atomic
    other: list[threading.Thread] = []

    def write_after_the_other_terminal_saved(target, data, **kwargs):
        if not other:
            thread = threading.Thread(target=second.save)
            other.append(thread)
            thread.start()
            thread.join(0.5)
        real_write(target, data, **kwargs)

    monkeypatch.setattr(followups, "write_atomic", write_after_the_other_terminal_saved)
    first.save()
    other[0].join(10)
    assert not other[0].is_alive()
    check = store_at(path)
    assert {s.conversation_id for s in check.snoozes()} == {"c1", "c2"} and check.reminder_of("c3") is not None


WRITER = textwrap.dedent(
    """
    import sys, time
    from datetime import datetime, timedelta, UTC
    from pathlib import Path
    from unibox_tui.store.followups import FollowupStore

    path, name, go = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
    store = FollowupStore(path, "s")
    store.load()
    while not go.exists():
        time.sleep(0.001)
    for i in range(30):
        store.snooze(f"{name}-{i}", datetime(2030, 1, 1, tzinfo=UTC) + timedelta(hours=i), incoming=0)
        store.save()
    """
)


def test_two_processes_snoozing_over_and_over_keep_every_snooze(tmp_path: Path) -> None:
    path = tmp_path / "profile" / FILE_NAME
    go = tmp_path / "go"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(path), name, str(go)], env=env) for name in ("left", "right")]
    try:
        go.write_text("")
        assert [writer.wait(120) for writer in writers] == [0, 0]
    finally:
        for writer in writers:  # one failed: the other must not outlive the test
            if writer.poll() is None:
                writer.kill()
                writer.wait()
    snoozes = json.loads(path.read_text())["servers"]["s"]["snoozes"]
    assert set(snoozes) == {f"{name}-{i}" for name in ("left", "right") for i in range(30)}


# --- waking up ------------------------------------------------------------------------------------------


def test_a_snooze_whose_time_passed_while_the_app_was_closed_wakes_at_the_next_start(tmp_path: Path) -> None:
    path = tmp_path / FILE_NAME
    before = store_at(path)
    before.snooze("c1", NOW + timedelta(hours=1), folder="primary", incoming=0)
    before.snooze("c2", NOW + timedelta(days=3), folder="primary", incoming=0)
    before.save()

    clock = TickingClock(NOW + timedelta(hours=5))  # the app starts again, later, offline
    after = store_at(path, clock=clock)
    wakeups = find_wakeups(after.snoozes(), after.reminders(), [], clock.now())
    assert wakeups.woken == ("c1",)
    assert [(m.conversation_id, m.kind, m.at) for m in wakeups.marks] == [("c1", "snooze_ended", NOW + timedelta(hours=1))]
    after.apply(wakeups.woken, wakeups.done_reminders, wakeups.marks)
    after.save()
    final = store_at(path)
    assert [s.conversation_id for s in final.snoozes()] == ["c2"]
    assert final.back_mark("c1") is not None and final.back_mark("c1").why(BERLIN) == "snooze ended"


def test_a_new_incoming_message_wakes_a_snooze_at_once() -> None:
    store = FollowupStore(Path("/nonexistent"), SERVER, clock=TickingClock(NOW))
    store.snooze("c1", NOW + timedelta(days=3), incoming=1)
    store.snooze("c2", NOW + timedelta(days=3), incoming=1)
    fresh = [conversation("c1", "oio" + "i"), conversation("c2", "oi")]
    wakeups = find_wakeups(store.snoozes(), [], fresh, NOW)
    assert wakeups.woken == ("c1",)
    assert [(m.conversation_id, m.kind, m.at) for m in wakeups.marks] == [("c1", "new_reply", NOW)]
    assert wakeups.marks[0].why(BERLIN) == "new reply"


def test_reminders_fire_only_without_a_reply() -> None:
    store = FollowupStore(Path("/nonexistent"), SERVER, clock=TickingClock(NOW))
    sent = datetime(2026, 11, 29, 16, 0, tzinfo=UTC)
    for cid in ("quiet", "answered", "not-due", "unknown"):
        due = NOW + timedelta(days=1) if cid == "not-due" else NOW - timedelta(minutes=1)
        store.remind(cid, due, last_outgoing_at=sent, incoming=1, folder="primary")
    fresh = [conversation("quiet", "io"), conversation("answered", "ioi"), conversation("not-due", "io")]
    wakeups = find_wakeups([], store.reminders(), fresh, NOW)
    assert wakeups.fired == ("quiet",)
    assert wakeups.answered == ("answered",)
    assert wakeups.to_check == ("unknown",)
    [mark] = wakeups.marks
    assert (mark.conversation_id, mark.kind, mark.since, mark.why(BERLIN)) == ("quiet", "no_reply", sent, "no reply since 29 Nov")
    store.apply(wakeups.woken, wakeups.done_reminders, wakeups.marks)
    assert {r.conversation_id for r in store.reminders()} == {"not-due", "unknown"}


def test_a_reply_before_the_reminder_is_due_cancels_it() -> None:
    store = FollowupStore(Path("/nonexistent"), SERVER, clock=TickingClock(NOW))
    store.remind("c1", NOW + timedelta(days=2), last_outgoing_at=NOW, incoming=1)
    wakeups = find_wakeups([], store.reminders(), [conversation("c1", "ioi")], NOW)
    assert (wakeups.answered, wakeups.marks) == (("c1",), ())


def test_nothing_to_do_is_empty_and_the_next_timer_is_the_nearest() -> None:
    store = FollowupStore(Path("/nonexistent"), SERVER, clock=TickingClock(NOW))
    store.snooze("c1", NOW + timedelta(hours=3), incoming=1)
    store.remind("c2", NOW + timedelta(hours=2), last_outgoing_at=NOW, incoming=0)
    assert not find_wakeups(store.snoozes(), store.reminders(), [conversation("c1", "oi")], NOW)
    assert next_due(store.snoozes(), store.reminders()) == NOW + timedelta(hours=2)
    assert next_due([], []) is None
    assert incoming_count(conversation("x", "oioi")) == 2


def test_the_store_and_the_wake_up_logic_send_no_request() -> None:
    code = (
        "import sys, unibox_tui.store.followups, unibox_tui.domain.wakeup;"
        "print(','.join(m for m in ('httpx', 'textual', 'unibox_tui.api.client') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""
