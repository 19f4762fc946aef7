"""New-reply alerts: what a poll found, filtered like Reachkit's "human" level, one notice per poll,
shown through a real (fake) notify-send / osascript that records exactly what it was given."""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from unibox_tui.api.models import Conversation
from unibox_tui.domain.alerts import MAX_BODY, MAX_TITLE, alert_for, new_replies
from unibox_tui.domain.notifier import OSASCRIPT_SOURCE, Notifier

NOW = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)
HOSTILE_SUBJECT = 'Re: "pricing" $(touch CANARY) `id` \x1b]0;owned\x07\x1b[31mred\nsecond line [b]x[/b] ' + "z" * 400


def conversation(
    cid: str,
    incoming: int = 1,
    *,
    name: str = "Dana Lee",
    subject: str = "Re: quick question",
    body: str = "Sounds interesting, tell me more.",
    label: str | None = None,
    newest: timedelta = timedelta(hours=1),
) -> Conversation:
    """One outgoing message, then ``incoming`` replies, the last ``newest`` before NOW."""
    messages = [{"direction": "outgoing", "email_date": (NOW - timedelta(days=3)).isoformat(), "to_email": f"{cid}@lead.example"}]
    for n in range(incoming):
        messages.append(
            {
                "direction": "incoming",
                "from_email": f"{name} <{cid}@lead.example>",
                "subject": subject,
                "text_body": body,
                "email_date": (NOW - newest - timedelta(minutes=incoming - 1 - n)).isoformat(),
            }
        )
    return Conversation.from_api({"id": cid, "label": label, "messages": messages})


# --- which replies are new ----------------------------------------------------------------------------


def test_a_new_incoming_message_is_found_and_nothing_else() -> None:
    before = [conversation("a", 1), conversation("b", 1), conversation("c", 0)]
    after = [conversation("a", 2, newest=timedelta(minutes=5)), conversation("b", 1), conversation("c", 0)]
    assert [r.conversation_id for r in new_replies(before, after, folder="primary")] == ["a"]


def test_a_conversation_that_moved_up_onto_the_first_page_counts_when_its_reply_is_newer() -> None:
    before = [conversation("a", 1, newest=timedelta(hours=2))]
    after = [
        conversation("moved-up", 3, newest=timedelta(minutes=1)),
        conversation("old-one", 1, newest=timedelta(days=2)),  # pushed in from page 2 by a deletion
        conversation("a", 1, newest=timedelta(hours=2)),
    ]
    assert [r.conversation_id for r in new_replies(before, after, folder="primary")] == ["moved-up"]


def test_the_first_load_alerts_nothing_but_an_empty_folder_filling_does() -> None:
    after = [conversation("a", 1)]
    assert new_replies(None, after, folder="primary") == []
    assert [r.conversation_id for r in new_replies([], after, folder="primary")] == ["a"]


@pytest.mark.parametrize(
    ("mode", "folder", "label", "subject", "body", "alerted"),
    [
        ("human", "primary", None, "Re: quick question", "Yes, interested.", True),
        ("human", "others", None, "Hello", "A person writing.", False),
        ("all", "others", None, "Hello", "A person writing.", True),
        ("human", "primary", "out_of_office", "Re: quick question", "Back Monday.", False),
        ("all", "primary", "out_of_office", "Re: quick question", "Back Monday.", True),
        ("human", "primary", None, "Automatic reply: quick question", "I'm away.", False),
        ("human", "primary", None, "Re: quick question", "Thank you for your email. I am out of the office until 14 December.", False),
        ("human", "primary", None, "Re: quick question", "Interested! I'm out of office until Monday, let's talk then?", True),
        ("off", "primary", None, "Re: quick question", "Yes, interested.", False),
    ],
)
def test_alert_levels(mode, folder, label, subject, body, alerted) -> None:
    before = [conversation("a", 1)]
    after = [conversation("a", 2, subject=subject, body=body, label=label, newest=timedelta(minutes=1))]
    assert bool(new_replies(before, after, folder=folder, mode=mode)) is alerted


def test_a_local_label_counts_for_the_human_level() -> None:
    before, after = [conversation("a", 1)], [conversation("a", 2, newest=timedelta(minutes=1))]
    assert new_replies(before, after, folder="primary", label_of=lambda c: "out_of_office") == []


# --- one notice per poll -----------------------------------------------------------------------------


def _replies(*names: str):
    before = [conversation(f"c{i}", 1) for i in range(len(names))]
    after = [conversation(f"c{i}", 2, name=n, subject=f"Re: {n}", newest=timedelta(minutes=1)) for i, n in enumerate(names)]
    return new_replies(before, after, folder="primary")


def test_one_reply_names_the_lead_and_the_subject() -> None:
    alert = alert_for(_replies("Dana Lee"))
    assert alert is not None and (alert.title, alert.body) == ("New reply from Dana Lee", "Re: Dana Lee")


def test_several_replies_make_one_summary() -> None:
    assert alert_for(_replies("Ana", "Ben")).text == "2 new replies: Ana and Ben"
    assert alert_for(_replies("Ana", "Ben", "Cy")).text == "3 new replies: Ana, Ben and 1 more"
    assert alert_for(_replies("Ana", "Ben", "Cy", "Di", "Ed")).text == "5 new replies: Ana, Ben and 3 more"
    assert alert_for([]) is None


def test_every_string_is_sanitised_and_bounded() -> None:
    before = [conversation("a", 1)]
    hostile_name = "\x1b[2J\u202eevil\u202c " + "N" * 300
    after = [conversation("a", 2, name=hostile_name, subject=HOSTILE_SUBJECT, newest=timedelta(minutes=1))]
    alert = alert_for(new_replies(before, after, folder="primary"))
    assert alert is not None
    for text in (alert.title, alert.body, alert.replies[0].lead, alert.replies[0].subject):
        assert not any(c in text for c in "\x1b\x07\n\u202e\u202c")
    assert len(alert.title) <= MAX_TITLE and len(alert.body) <= MAX_BODY
    assert "$(touch CANARY)" in alert.body  # text stays text: it is never run, only shown


# --- the notifier: a fake notify-send / osascript on PATH records its arguments -------------------------


def _fake_tool(folder: Path, name: str, *, sleep: float = 0.0, exit_code: int = 0) -> Path:
    record = folder / f"{name}.calls"
    script = folder / name
    script.write_text(
        f"#!{sys.executable}\n"
        "import json, sys, time\n"
        f"time.sleep({sleep})\n"
        f"with open({str(record)!r}, 'a') as f: f.write(json.dumps(sys.argv[1:]) + '\\n')\n"
        f"sys.exit({exit_code})\n"
    )
    script.chmod(0o755)
    return record


def _calls(record: Path) -> list[list[str]]:
    return [json.loads(line) for line in record.read_text().splitlines()] if record.exists() else []


@pytest.fixture
def bin_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "bin"
    folder.mkdir()
    monkeypatch.setenv("PATH", str(folder))
    monkeypatch.chdir(tmp_path)  # a command run by a shell would create CANARY here
    return folder


def test_notify_send_gets_the_sanitised_text_as_plain_arguments(bin_dir: Path, tmp_path: Path) -> None:
    record = _fake_tool(bin_dir, "notify-send")
    notifier = Notifier(platform="linux")
    assert notifier.available
    assert notifier.notify("-New reply from $(id)", HOSTILE_SUBJECT), notifier.last_error
    [arguments] = _calls(record)
    assert arguments[:2] == ["--app-name=unibox-tui", "--"]
    title, body = arguments[2:]
    assert title == "\u2010New reply from $(id)"  # never an option, never run
    assert body.startswith('Re: "pricing" $(touch CANARY) `id` red second line [b]x[/b] ')
    assert len(body) <= 200 and not any(c in body for c in "\x1b\x07\n")
    assert not (tmp_path / "CANARY").exists()


def test_notify_send_body_carries_no_markup_a_notification_daemon_would_render(bin_dir: Path) -> None:
    """Notification daemons (GNOME, KDE, dunst, mako) read notify-send's body as markup: a subject with
    ``<a href>`` or ``<img src>`` would show a stranger's link or load a file. They arrive as look-alike
    angle quotes, which no daemon parses and which read the same whether it supports markup or not."""
    record = _fake_tool(bin_dir, "notify-send")
    subject = 'Re: <a href="https://evil.example">invoice</a> <img src="file:///etc/passwd"/> <b>x</b> a < b & c'
    assert Notifier(platform="linux").notify("Dana <dana@x.example>", subject)
    [[*_, title, body]] = _calls(record)
    assert "<" not in body and ">" not in body
    assert body == 'Re: ‹a href="https://evil.example"›invoice‹/a› ‹img src="file:///etc/passwd"/› ‹b›x‹/b› a ‹ b & c'
    assert title == "Dana <dana@x.example>"  # the summary is plain text by the spec: left as written


def test_osascript_runs_a_fixed_script_and_reads_the_text_from_argv(bin_dir: Path, tmp_path: Path) -> None:
    record = _fake_tool(bin_dir, "osascript")
    notifier = Notifier(platform="darwin")
    assert notifier.notify('Dana" & (do shell script "touch CANARY") & "', HOSTILE_SUBJECT)
    [arguments] = _calls(record)
    script = [line for flag, line in zip(arguments[0:6:2], arguments[1:6:2], strict=True) if flag == "-e"]
    assert tuple(script) == OSASCRIPT_SOURCE
    assert arguments[6] == 'Dana" & (do shell script "touch CANARY") & "'
    assert len(arguments) == 8 and "\n" not in arguments[7]
    assert not (tmp_path / "CANARY").exists()


def test_no_tool_no_process_and_a_reason(bin_dir: Path) -> None:
    notifier = Notifier(platform="linux")
    assert not notifier.available and notifier.command("a", "b") is None
    assert notifier.notify("a", "b") is False and "notify-send" in notifier.last_error
    assert Notifier(platform="win32").available is False


def test_a_hanging_tool_is_given_up_after_the_timeout(bin_dir: Path) -> None:
    _fake_tool(bin_dir, "notify-send", sleep=30)
    notifier = Notifier(platform="linux", timeout=0.5)
    started = time.monotonic()
    assert notifier.notify("title", "body") is False
    assert time.monotonic() - started < 5
    assert "did not answer within 0.5 s" in notifier.last_error


def test_a_failing_tool_says_so(bin_dir: Path) -> None:
    _fake_tool(bin_dir, "notify-send", exit_code=1)
    notifier = Notifier(platform="linux")
    assert notifier.notify("title", "body") is False and "exit 1" in notifier.last_error


def test_the_notifier_can_be_called_from_a_thread(bin_dir: Path) -> None:
    import threading

    record = _fake_tool(bin_dir, "notify-send")
    notifier = Notifier(platform="linux")
    results: list[bool] = []
    thread = threading.Thread(target=lambda: results.append(notifier.notify("From a worker", "body")))
    thread.start()
    thread.join(10)
    assert results == [True] and _calls(record) == [["--app-name=unibox-tui", "--", "From a worker", "body"]]
    assert os.environ["PATH"] == str(bin_dir)
