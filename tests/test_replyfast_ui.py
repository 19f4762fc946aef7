"""Replying faster, driven like an SDR would against the real local server: snippets in the
composer, bulk actions on marked conversations, pipes to the SDR's own tools, the day summary.

Few app runs, several checks each: every check is what the SDR sees or what the server received.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from helpers import help_text, make_app, notifications, screen_text, settle, widget_text

from unibox_tui.api import Conversation
from unibox_tui.domain.bulk import Pacer
from unibox_tui.domain.pipes import PipeCommand
from unibox_tui.domain.snippets import Snippet
from unibox_tui.domain.summary import duration_text
from unibox_tui.render.rooms import lead_address
from unibox_tui.store.journal import Replied
from unibox_tui.ui.screens.day_summary import DaySummaryScreen
from unibox_tui.ui.screens.pipe_view import PipeView
from unibox_tui.ui.screens.snippet_form import SnippetForm
from unibox_tui.ui.screens.snippet_picker import SnippetPicker
from unibox_tui.ui.widgets.composer import Composer
from unibox_tui.ui.widgets.conversation_list import ConversationList
from unibox_tui.ui.widgets.list_status import ListStatus

REPLY = r"/reply$"


async def wait_until(pilot, predicate, timeout: float = 15.0, what: str = "condition") -> None:
    """Wait for a state, not a time: a busy machine is slow, never wrong."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            # What the user would have seen: a wait that never ends says why (a slow machine, a
            # swallowed key, a message on screen).
            raise AssertionError(f"{what}: not reached in time; the screen shows:\n{screen_text(pilot.app)}")
        await pilot.pause(0.05)


def listing(app) -> ConversationList:
    return app.screen.query_one(ConversationList)


def composer(app) -> Composer:
    return app.screen.query_one(Composer)


def status_text(app) -> str:
    return str(app.screen.query_one(ListStatus).render())


def served(server, conversation_id: str) -> Conversation:
    return Conversation.from_api(server.state.get_conversation_dict(conversation_id))


def campaign_lead(server, address: str):
    """The lead record the app should find: the first campaign (in the API's order) holding it."""
    for campaign in server.state.campaigns:
        for lead in server.state.leads_of(campaign.id):
            if lead.email.lower() == address.lower():
                return lead
    return None


def first_with(server, ids: list[str], wanted) -> int:
    return next(i for i, cid in enumerate(ids) if wanted(served(server, cid)))


# -- snippets ---------------------------------------------------------------------------------------------

CALENDAR = Snippet(
    "calendar",
    "Hi {first_name},\n\ngrab any slot here: https://cal.example/alex ({company}, {title})\n\n{my_first_name}",
    ("interested", "meeting_requested"),
)
PRICING = Snippet("pricing", "The {company} plan: {custom.seat_tier} seats.", ())


async def test_a_tied_snippet_is_prefilled_from_the_thread_then_the_campaign_lead_and_never_sent_with_a_hole(
    demo_server,
):
    ids = demo_server.state.conversation_ids(folder="primary")[:20]

    def hot_with_lead(c: Conversation) -> bool:
        lead = campaign_lead(demo_server, lead_address(c))
        return c.label == "interested" and lead is not None and bool(lead.variables.get("title"))

    index = first_with(demo_server, ids, hot_with_lead)
    conversation = served(demo_server, ids[index])
    lead = campaign_lead(demo_server, lead_address(conversation))
    inbox = next(i for i in demo_server.state.inboxes if i.email.lower() == conversation.inbox_email.lower())
    # The lead's campaigns answer slowly: the composer opens before the lead is known.
    demo_server.faults.latency_ms, demo_server.faults.path_regex = 600, r"/leads"
    app = make_app(demo_server, snippets=(CALENDAR, PRICING))
    async with app.run_test(size=(140, 44), notifications=True) as pilot:
        await settle(pilot)
        listing(app).cursor = index
        await pilot.press("r")
        widget = composer(app)
        await wait_until(pilot, lambda: widget.is_open and "Hi " in widget.text_area.text, what="prefilled")
        # Known at once: the thread's name and domain; the title only the lead record has.
        first = widget.text_area.text
        assert first.startswith("Hi ") and "{title}" in first and "grab any slot" in first
        assert "⚠ Unfilled: {title}" in str(widget.unfilled_widget.render())
        await wait_until(pilot, lambda: lead.first_name in widget.text_area.text and "{" not in widget.text_area.text,
                         what="filled again from the campaign lead")
        assert widget.text_area.text == (
            f"Hi {lead.first_name},\n\ngrab any slot here: https://cal.example/alex "
            f"({lead.variables['company']}, {lead.variables['title']})\n\n{inbox.first_name}"
        )
        assert not widget.unfilled_widget.display

        # ctrl+n: the picker previews a snippet filled for this lead, its hole marked; enter inserts it.
        area = widget.text_area
        area.move_cursor(area.document.end)
        await pilot.press("ctrl+n")
        await wait_until(pilot, lambda: isinstance(app.screen, SnippetPicker), what="the picker")
        await pilot.press(*"pric")
        await wait_until(pilot, lambda: "seats" in screen_text(app), what="the preview")
        shown = screen_text(app)
        assert f"The {lead.variables['company']} plan: {{custom.seat_tier}} seats." in shown
        assert "{custom.seat_tier}: the lead has no custom variable 'seat_tier'" in shown
        await pilot.press("enter")
        await wait_until(pilot, lambda: not isinstance(app.screen, SnippetPicker), what="the picker closed")
        # At the end of a line with words, the snippet starts a line of its own.
        assert area.text.endswith(f"\n{inbox.first_name}\nThe {lead.variables['company']} plan: {{custom.seat_tier}} seats.")
        assert area.selected_text == "{custom.seat_tier}"  # typing replaces the hole

        # ctrl+s refuses while a variable is unfilled: the composer says where, the server gets nothing.
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert demo_server.count("POST", REPLY) == 0
        row, column = 5, len(f"The {lead.variables['company']} plan: ") + 1
        refusal = f"Not sent: {{custom.seat_tier}} (line {row + 1}, column {column}) not filled in."
        assert refusal in str(widget.query_one("#composer-status").render())  # under the text
        assert any(refusal in n.message for n in notifications(app))  # and said
        assert widget.is_open and widget.mode == "editing"
        await pilot.press(*"40")  # typed over the selected hole
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: demo_server.count("POST", REPLY) == 1, what="the reply sent")
        (reply,) = demo_server.state.replies(ids[index])
        assert "40 seats" in reply["html_body"] and "{" not in reply["html_body"]


async def test_the_sdrs_own_text_is_never_replaced_and_snippets_are_written_into_config_toml(demo_server, isolated_env):
    config = isolated_env.config / "unibox-tui" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('# my settings, by hand\n[defaults]\npage_size = 20  # keep it small\n')
    ids = demo_server.state.conversation_ids(folder="primary")[:20]
    index = first_with(demo_server, ids, lambda c: c.label == "interested")
    demo_server.faults.latency_ms, demo_server.faults.path_regex = 600, r"/leads"
    app = make_app(demo_server, snippets=(CALENDAR,))
    async with app.run_test(size=(140, 44)) as pilot:
        await settle(pilot)
        listing(app).cursor = index
        await pilot.press("r")
        widget = composer(app)
        await wait_until(pilot, lambda: widget.is_open and "{title}" in widget.text_area.text, what="prefilled")
        await pilot.press("end", "!")  # the SDR edits before the lead arrives
        edited = widget.text_area.text
        await settle(pilot)
        assert widget.text_area.text == edited and "{title}" in edited  # still theirs, the hole still marked
        assert "{title}" in str(widget.unfilled_widget.render())

        # A new snippet from the picker's form: saved in config.toml, the user's comments kept.
        await pilot.press("ctrl+n")
        await wait_until(pilot, lambda: isinstance(app.screen, SnippetPicker), what="the picker")
        await pilot.press("ctrl+n")
        await wait_until(pilot, lambda: isinstance(app.screen, SnippetForm), what="the form")
        form = app.screen
        form.query_one("#snippet-name").value = "follow up"  # (as typed: Pilot types a key in ~0.1 s)
        form.query_one("#snippet-labels").value = "Not now, out of office"
        form.query_one("#snippet-text").insert("Hi {first_name}, talk in Q1?")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, SnippetPicker), what="back in the picker")
        text = config.read_text()
        assert text.startswith("# my settings, by hand\n[defaults]\npage_size = 20  # keep it small\n")
        assert '[snippets."follow up"]' in text and 'labels = ["not_now", "out_of_office"]' in text
        assert [s.name for s in app.settings.snippets] == ["follow up"]  # re-read from the file
        assert "follow up" in screen_text(app) and "talk in Q1?" in screen_text(app)


# -- bulk actions -------------------------------------------------------------------------------------------


async def test_a_bulk_label_over_20_conversations_with_two_refused_is_reported_and_one_u_undoes_it(demo_server):
    ids = demo_server.state.conversation_ids(folder="primary")[:20]
    before = {cid: (served(demo_server, cid).label_override, served(demo_server, cid).unread) for cid in ids}
    refused = [ids[3], ids[11]]
    for cid in refused:
        demo_server.faults.fail_next(1, status=422, method="PATCH", path=f"/conversations/{cid}$")
    demo_server.faults.latency_ms, demo_server.faults.path_regex = 30, r"/conversations/[^/]+$"
    app = make_app(demo_server)
    async with app.run_test(size=(140, 44), notifications=True) as pilot:
        await settle(pilot)
        app.screen.triage.pacer = Pacer(rate=50, burst=5)  # paced as in use, ten times faster
        await pilot.press("m", "m")
        assert "2 marked" in status_text(app) and listing(app).cursor == 2  # m moves down
        assert widget_text(listing(app)).splitlines()[0].startswith("▌")
        # Typed fast (the second m before the list's cursor message is handled): still the next row.
        app.screen.action_toggle_mark()
        app.screen.action_toggle_mark()
        await pilot.pause()
        assert [cid for cid in ids if app.screen.model.is_marked(cid)] == ids[:4] and listing(app).cursor == 4
        await pilot.press("escape")
        assert "marked" not in status_text(app)
        await pilot.press("M")
        assert "20 marked" in status_text(app)

        await pilot.press("1")
        await wait_until(pilot, lambda: "Labelling Interested:" in status_text(app), what="the progress line")
        await settle(pilot)
        names = {cid: app.screen.model.row(cid).lead for cid in refused}
        [summary] = [n.message for n in notifications(app) if n.title == "Bulk action"]
        assert summary.startswith("Labelled 18 of 20 Interested; 2 refused: ")
        assert all(f"{names[cid]} (" in summary for cid in refused)
        assert "The 2 refused stay marked" in summary and "u undoes the batch" in summary
        assert "Labelling" not in status_text(app) and "2 marked" in status_text(app)
        for cid in ids:
            on_server = served(demo_server, cid)
            expected = before[cid][0] if cid in refused else "interested"
            assert on_server.label_override == expected, cid
        assert {cid for cid in ids if app.screen.model.is_marked(cid)} == set(refused)

        await pilot.press("escape", "u")
        await settle(pilot)
        assert [n.message for n in notifications(app) if n.title == "Bulk action"][-1] == "Undid Interested on 18 of 18."
        for cid in ids:  # every conversation as it was: label and read state
            on_server = served(demo_server, cid)
            assert (on_server.label_override, on_server.unread) == before[cid], cid


# -- pipes ---------------------------------------------------------------------------------------------------


def nulls_as_empty(raw: dict) -> dict:
    messages = [{k: "" if v is None and k.endswith("_body") else v for k, v in m.items()} for m in raw["messages"]]
    return {**raw, "messages": messages}


async def test_a_pipe_gets_exactly_the_conversation_shows_its_output_and_esc_kills_a_running_one(
    demo_server, tmp_path
):
    received = tmp_path / "received"
    received.mkdir()
    tool = tmp_path / "tool.py"
    tool.write_text(
        "import json, os, sys\n"
        "data = sys.stdin.buffer.read()\n"
        f"n = len(os.listdir({str(received)!r}))\n"
        f"open(os.path.join({str(received)!r}, str(n)), 'wb').write(data)\n"
        "print('got', 'key' if os.environ.get('REACHKIT_API_KEY') else 'no key')\n"
    )
    pid_file = tmp_path / "sleeper.pid"
    commands = (
        PipeCommand("save", f"{sys.executable} {tool}"),
        PipeCommand("all", f"{sys.executable} {tool}", each=False),
        PipeCommand("hang", f"sleep 60 & echo $! > {pid_file}; wait", shell=True),
    )
    os.environ["REACHKIT_API_KEY"] = demo_server.key  # (the autouse fixture removes it afterwards)
    ids = demo_server.state.conversation_ids(folder="primary")[:20]
    app = make_app(demo_server, commands=commands)
    async with app.run_test(size=(140, 44)) as pilot:
        await settle(pilot)
        listing(app).cursor = 2
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("escape", "|")
        await wait_until(pilot, lambda: "Pipe " in screen_text(app), what="the prompt")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, PipeView) and not app.screen.running, what="the run")
        shown = screen_text(app)
        assert "exit 0" in shown and "got no key" in shown
        data = json.loads((received / "0").read_text(encoding="utf-8"))
        lead = data.pop("lead")
        assert data == nulls_as_empty(demo_server.state.get_conversation_dict(ids[2]))  # the server's own JSON
        assert lead["email"].lower() == lead_address(served(demo_server, ids[2])).lower()
        await pilot.press("escape")

        # Marked conversations, to a command that takes them as one array.
        await pilot.press("escape", "home", "m", "m", "|")
        await wait_until(pilot, lambda: "2 marked conversations" in screen_text(app), what="the prompt")
        await pilot.press("down", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, PipeView) and not app.screen.running, what="the run")
        array = json.loads((received / "1").read_text(encoding="utf-8"))
        assert [item["id"] for item in array] == ids[:2]
        await pilot.press("escape")

        # A command that hangs: esc stops it and everything it started.
        await pilot.press("|", "down", "down", "enter")
        await wait_until(pilot, lambda: pid_file.exists() and pid_file.read_text().strip(), what="the sleeper")
        sleeper = int(pid_file.read_text())
        await pilot.press("escape")
        await wait_until(pilot, lambda: not _alive(sleeper), what="the sleeper killed")
        assert "Stopped" in screen_text(app)
        await pilot.press("escape")
        assert not isinstance(app.screen, PipeView)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is dead too: only its parent has not read its exit yet
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


# -- the day summary -------------------------------------------------------------------------------------------


async def test_the_day_summary_counts_a_scripted_session_and_exports_it(demo_server, isolated_env):
    ids = demo_server.state.conversation_ids(folder="primary")[:20]
    hot = first_with(demo_server, ids, lambda c: c.label == "interested" and c.latest is not None and c.latest.incoming)
    app = make_app(demo_server)
    async with app.run_test(size=(140, 44), notifications=True) as pilot:
        await settle(pilot)
        lst = listing(app)
        await wait_until(pilot, lambda: len(lst.rows) >= 20, what="the first page")
        others = [i for i in range(20) if i != hot]
        lst.cursor = others[0]
        await pilot.press("1")  # Interested
        lst.cursor = others[1]
        await pilot.press("5")  # Not now
        lst.cursor = others[2]
        await pilot.press("1", "u")  # labelled, then undone: does not count
        lst.cursor = hot
        lst.focus()  # (under load the focus was once seen on the folder bar here: the reply is the subject, not focus)
        await pilot.pause()
        await pilot.press("r")
        await wait_until(pilot, lambda: composer(app).is_open, what="the composer")
        composer(app).text_area.insert("Tuesday 10:00 works.")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: demo_server.count("POST", REPLY) == 1 and not composer(app).is_open,
                         what="the reply sent")
        await settle(pilot)
        [replied] = [e for e in app.workspace.journal.read().entries if isinstance(e, Replied)]
        answered = served(demo_server, ids[hot]).messages[-2]  # the lead's message our reply answered
        assert replied.answered_at == answered.email_date.timestamp()

        await pilot.press("T")
        await wait_until(pilot, lambda: isinstance(app.screen, DaySummaryScreen) and app.screen.summary is not None,
                         what="the summary")
        await pilot.pause()
        shown = screen_text(app)
        assert _figures(shown, "Labelled Interested") == "1 1"
        assert _figures(shown, "Labelled Not now") == "1 1"
        assert _figures(shown, "Labelled (all)") == "2 2"
        assert _figures(shown, "Replies sent") == "1 1"
        assert _figures(shown, "Hot replies answered") == "1 1"
        median = duration_text(replied.at - replied.answered_at)
        assert _figures(shown, "Median time to answer a hot reply") == f"{median} {median}"
        assert _figures(shown, "Snoozed") == "0"

        await pilot.press("e")
        downloads = isolated_env.downloads
        await wait_until(pilot, lambda: len(list(downloads.glob("unibox-summary-*"))) == 2, what="the export")
        csv = next(downloads.glob("unibox-summary-*.csv")).read_text()
        assert "Labelled Interested,1,1" in csv and "Replies sent,1,1" in csv
        saved = str(next(downloads.glob("unibox-summary-*.md")))
        assert saved in str(app.screen.query_one("#summary-foot").render())  # it says where they went
        assert any(saved in n.message for n in notifications(app))

        # ? and the palette list the new keys.
        await pilot.press("escape", "question_mark")
        keys = help_text(app)
        for words in ("Mark / unmark", "Mark every conversation shown", "Pipe to a command", "Day summary",
                      "Snippets", "Export CSV and Markdown"):
            assert words in keys, words
        await pilot.press("escape")
        titles = {command.title for command in app.get_system_commands(app.screen)}
        assert {"Pipe…", "Day summary", "New snippet…", "Mark / unmark", "Mark all shown"} <= titles


def _figures(shown: str, name: str) -> str:
    """The numbers on the summary table's line for ``name`` ("1 1": today, this week)."""
    for line in shown.splitlines():  # (the folder bar under the summary says "Snoozed" too: skip it)
        if f"{name}  " in line:
            figures = " ".join(line.split(f"{name}  ", 1)[1].replace("█", "").split("│")[0].split())
            if figures[:1].isdigit():
                return figures
    raise AssertionError(f"no figures for {name!r} in:\n{shown}")
