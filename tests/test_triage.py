"""Triage, driven like an SDR would, against the real local server: labels, read state, block, undo."""

from __future__ import annotations

import json

from helpers import make_app, notifications, screen_text, settle, widget_text
from textual.widgets import OptionList

from unibox_tui.api import Conversation
from unibox_tui.config import data_dir
from unibox_tui.domain.triage import DIRECT_LABELS
from unibox_tui.ui.screens.block_confirm import BlockConfirm
from unibox_tui.ui.screens.help import binding_sections
from unibox_tui.ui.screens.label_picker import LabelPicker
from unibox_tui.ui.widgets.conversation_list import ConversationList
from unibox_tui.ui.widgets.list_status import ListStatus
from unibox_tui.ui.widgets.thread_header import ThreadHeader

KEY_OF = {label: key for key, label in DIRECT_LABELS}


def listing(app) -> ConversationList:
    return app.screen.query_one(ConversationList)


def row(app, conversation_id: str):
    rows = listing(app).rows
    return next(r for r in rows if r.id == conversation_id)


def status_text(app) -> str:
    return str(app.screen.query_one(ListStatus).render())


def served(server, conversation_id: str) -> Conversation:
    return Conversation.from_api(server.state.get_conversation_dict(conversation_id))


def notices(app) -> list[str]:
    """Every notification shown so far: title and text."""
    return [f"{n.title} {n.message}" for n in notifications(app)]


def patches(server, conversation_id: str | None = None) -> list:
    return [
        r.json
        for r in server.requests
        if r.method == "PATCH" and (conversation_id is None or r.path.endswith("/" + conversation_id))
    ]


def first_unread(server, ids: list[str]) -> int:
    return next(i for i, cid in enumerate(ids) if served(server, cid).unread)


def triage_on_server(server, conversation_id: str, label: str = "interested") -> None:
    server.state.patch_conversation(conversation_id, is_read=True, label_override=label)


async def test_a_label_key_reaches_the_server_shows_in_the_list_and_moves_on(demo_server):
    ids = demo_server.state.conversation_ids(folder="primary")[:10]
    app = make_app(demo_server, page_size=10)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        index = first_unread(demo_server, ids)
        listing(app).cursor = index
        await settle(pilot)
        target = ids[index]
        await pilot.press(KEY_OF["not_interested"])
        # Optimistic: the row shows the label before the server has answered.
        assert row(app, target).label == "Not interested" and row(app, target).label_manual
        assert listing(app).cursor == index + 1
        await settle(pilot)
        assert patches(demo_server, target) == [{"label_override": "not_interested", "is_read": True}]
        on_server = served(demo_server, target)
        assert on_server.label_override == "not_interested" and not on_server.unread
        assert not row(app, target).unread and not row(app, target).label_local
        assert "Not inter" in widget_text(listing(app))


async def test_the_picker_opens_on_the_current_label_and_clear_reverts_to_the_ai(demo_server):
    ids = demo_server.state.conversation_ids(folder="primary")[:10]
    index, target = next((i, c) for i, c in enumerate(ids) if served(demo_server, c).label)
    ai_label = served(demo_server, target).label
    app = make_app(demo_server, page_size=10)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        listing(app).cursor = index
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        picker = app.screen
        assert isinstance(picker, LabelPicker)
        options = picker.query_one(OptionList)
        assert options.get_option_at_index(options.highlighted).id == ai_label
        assert "AI's guess" in screen_text(app)
        # Move to another label and apply it with enter.
        wanted = "referral" if ai_label != "referral" else "not_now"
        options.highlighted = options.get_option_index(wanted)
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, LabelPicker)
        assert served(demo_server, target).label_override == wanted
        # Back on it: the picker now opens on the manual label; 0 clears it (the AI's shows again).
        listing(app).cursor = index
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        options = app.screen.query_one(OptionList)
        assert options.get_option_at_index(options.highlighted).id == wanted
        await pilot.press("escape")
        await pilot.press("0")
        await settle(pilot)
        assert patches(demo_server, target)[-1] == {"label_override": None}
        assert served(demo_server, target).label_override is None
        shown = row(app, target)
        assert not shown.label_manual and shown.label  # the AI's label, drawn as such


async def test_the_cursor_skips_triaged_rows_and_continues_on_the_next_page(demo_server):
    ids = demo_server.state.conversation_ids(folder="primary")
    for conversation_id in ids[1:6]:  # page 1 is done but for its first row; page 2 starts done
        triage_on_server(demo_server, conversation_id)
    app = make_app(demo_server, page_size=5)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        assert "page 1 of" in status_text(app) and "1 to triage" in status_text(app)
        await pilot.press(KEY_OF["interested"])
        await settle(pilot)
        assert [r.id for r in listing(app).rows] == ids[5:10]
        assert listing(app).cursor == 1  # the first row of page 2 was already triaged
        await pilot.press("2")
        await settle(pilot)
        assert listing(app).cursor == 2
        assert served(demo_server, ids[6]).label_override == "meeting_requested"


async def test_undo_restores_the_previous_server_state_and_goes_back(demo_server):
    ids = demo_server.state.conversation_ids(folder="primary")[:10]
    index = first_unread(demo_server, ids)
    target = ids[index]
    before = served(demo_server, target)
    app = make_app(demo_server, page_size=10)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        listing(app).cursor = index
        await settle(pilot)
        await pilot.press(KEY_OF["unsubscribe"])
        await settle(pilot)
        assert served(demo_server, target).label_override == "unsubscribe"
        assert listing(app).cursor != index
        await pilot.press("u")
        # Optimistic undo: the row and the cursor are back at once.
        assert listing(app).cursor == index and row(app, target).unread and not row(app, target).label_manual
        await settle(pilot)
        after = served(demo_server, target)
        assert after.label_override == before.label_override and after.unread
        assert patches(demo_server, target)[-1] == {"label_override": None, "is_read": False}
        await pilot.press("u")  # nothing left to undo
        await settle(pilot)
        assert len(patches(demo_server, target)) == 2


async def test_a_refused_patch_rolls_back_and_says_why(demo_server):
    ids = demo_server.state.conversation_ids(folder="primary")[:10]
    demo_server.faults.fail_next(1, status=422, method="PATCH", path="/unibox/conversations/")
    app = make_app(demo_server, page_size=10)
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        await settle(pilot)
        ai_before = row(app, ids[0]).label
        demo_server.faults.latency_ms = 1500  # long enough to see the optimistic state
        await pilot.press(KEY_OF["interested"])
        assert row(app, ids[0]).label_manual  # shown at once...
        await settle(pilot)
        shown = row(app, ids[0])
        assert not shown.label_manual and shown.label == ai_before  # ...and rolled back
        assert served(demo_server, ids[0]).label_override is None
        assert any("rolled back" in title for title in notices(app))
        # Nothing to undo: the failed action left the stack.
        await pilot.press("u")
        await settle(pilot)
        assert len(patches(demo_server)) == 1


async def test_block_sender_posts_exactly_the_confirmed_address_and_undo_deletes_it(demo_server):
    ids = demo_server.state.conversation_ids(folder="primary")[:10]
    index, target = next(
        (i, c) for i, c in enumerate(ids) if "daemon" not in served(demo_server, c).lead_email.lower()
    )
    address = served(demo_server, target).lead_email
    seeded = demo_server.state.blocklist_dicts()
    app = make_app(demo_server, page_size=10)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        listing(app).cursor = index
        await settle(pilot)
        await pilot.press("B")
        await settle(pilot)
        assert isinstance(app.screen, BlockConfirm)
        text = screen_text(app)
        assert f"Block {address}" in text and "@" + address.split("@")[1] in text
        assert "blocklist" in text
        await pilot.press("enter")
        await settle(pilot)
        posts = [r for r in demo_server.requests if r.method == "POST" and r.path.endswith("/blocklist")]
        assert [r.json for r in posts] == [{"email": address}]
        assert [b["email"] for b in demo_server.state.blocklist_dicts()[len(seeded):]] == [address.lower()]
        assert listing(app).cursor != index  # moved on
        await pilot.press("u")
        await settle(pilot)
        assert demo_server.state.blocklist_dicts() == seeded
        assert demo_server.count("DELETE", r"/blocklist/") == 1


async def test_block_the_whole_domain_and_an_existing_block_is_never_deleted(demo_server):
    ids = demo_server.state.conversation_ids(folder="primary")[:10]
    index, target = next(
        (i, c) for i, c in enumerate(ids) if "daemon" not in served(demo_server, c).lead_email.lower()
    )
    domain = "@" + served(demo_server, target).lead_email.split("@")[1].lower()
    seeded = demo_server.state.blocklist_dicts()
    app = make_app(demo_server, page_size=10)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        listing(app).cursor = index
        await settle(pilot)
        await pilot.press("B")
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        posts = [r.json for r in demo_server.requests if r.method == "POST" and r.path.endswith("/blocklist")]
        assert posts == [{"email": domain}]
        # Blocking it again finds it already there: nothing is posted, and undo deletes nothing.
        listing(app).cursor = index
        await settle(pilot)
        await pilot.press("B")
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        assert demo_server.count("POST", r"/blocklist$") == 1
        await pilot.press("u")
        await settle(pilot)
        assert demo_server.count("DELETE", r"/blocklist/") == 0
        assert [b["email"] for b in demo_server.state.blocklist_dicts()[len(seeded):]] == [domain]


async def test_a_malformed_sender_address_is_never_blocked(make_demo_server):
    server = make_demo_server(conversations=3)
    server.state.add_raw_conversation(
        {
            "id": "hostile-1",
            "status": "open",
            "messages": [
                {
                    "direction": "incoming",
                    "subject": "hi",
                    "from_email": "[b]Boss[/b] <boss\u202e@evil.example>",
                    "to_email": "me@ours.example",
                    "text_body": "x",
                    "email_date": "2026-05-28T09:00:00Z",
                    "is_read": False,
                }
            ],
        },
        position=0,
    )
    app = make_app(server)
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        await settle(pilot)
        assert listing(app).current_row.id == "hostile-1"
        await pilot.press("B")
        await settle(pilot)
        assert not isinstance(app.screen, BlockConfirm)
        assert any("malformed" in text for text in notices(app))
        # The picker shows the stranger's name literally (never as markup).
        await pilot.press("l")
        await settle(pilot)
        assert "[b]Boss[/b]" in screen_text(app)
        await pilot.press("escape")
    assert server.count("POST", r"/blocklist") == 0


async def test_opening_marks_read_and_N_toggles(demo_server):
    ids = demo_server.state.conversation_ids(folder="primary")[:10]
    index = first_unread(demo_server, ids)
    target = ids[index]
    app = make_app(demo_server, page_size=10)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        listing(app).cursor = index
        await settle(pilot)
        assert patches(demo_server) == []  # previewing under the cursor does not mark read
        await pilot.press("enter")
        await settle(pilot)
        assert patches(demo_server, target) == [{"is_read": True}]
        assert not row(app, target).unread
        await pilot.press("N")  # from the thread: the open conversation
        await settle(pilot)
        assert patches(demo_server, target)[-1] == {"is_read": False}
        assert served(demo_server, target).unread and row(app, target).unread


async def test_mark_read_on_open_can_be_switched_off(demo_server):
    ids = demo_server.state.conversation_ids(folder="primary")[:10]
    index = first_unread(demo_server, ids)
    app = make_app(demo_server, page_size=10, mark_read_on_open=False)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        listing(app).cursor = index
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("escape", KEY_OF["interested"])
        await settle(pilot)
        assert patches(demo_server) == [{"label_override": "interested"}]
        assert served(demo_server, ids[index]).unread


async def test_the_label_filter_is_client_side_and_escape_clears_it(demo_server):
    ids = demo_server.state.conversation_ids(folder="primary")[:20]
    wanted = served(demo_server, ids[0]).label or "interested"
    expected = [c for c in ids if (served(demo_server, c).label_override or served(demo_server, c).label) == wanted]
    app = make_app(demo_server, page_size=20)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        before = len(demo_server.requests)
        await pilot.press("f")
        await settle(pilot)
        assert isinstance(app.screen, LabelPicker)
        options = app.screen.query_one(OptionList)
        options.highlighted = options.get_option_index(wanted)
        await pilot.press("enter")
        await settle(pilot)
        assert [r.id for r in listing(app).rows] == expected
        assert "filter:" in status_text(app) and "this page only" in status_text(app)
        assert not any("label" in json.dumps(r.query) for r in demo_server.requests[before:])
        await pilot.press("escape")
        await settle(pilot)
        assert [r.id for r in listing(app).rows] == ids
        assert "filter:" not in status_text(app)


async def test_without_patch_labels_are_kept_locally_and_survive_a_restart(make_demo_server):
    server = make_demo_server(patch_enabled=False)
    ids = server.state.conversation_ids(folder="primary")[:10]
    app = make_app(server, page_size=10)
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press(KEY_OF["interested"])
        await settle(pilot)
        await pilot.press(KEY_OF["referral"])
        await settle(pilot)
        first, second = row(app, ids[0]), row(app, ids[1])
        assert (first.label, first.label_local) == ("Interested", True)
        assert (second.label, second.label_local) == ("Referral", True)
        assert sum("kept on this computer" in text for text in notices(app)) == 1  # once, not per label
        listing(app).cursor = 1
        await pilot.press("enter")  # the second one's thread shows its label as local
        await settle(pilot)
        assert "(local)" in str(app.screen.query_one(ThreadHeader).render())
    # The server never stored anything, and was asked to only once.
    assert server.state.conversation(ids[0]).label_override is None
    assert server.count("PATCH") == 1
    stored = json.loads((data_dir() / "test" / "local-triage.json").read_text())
    assert any(ids[0] in section["labels"] for section in stored["servers"].values())

    again = make_app(server, page_size=10)
    async with again.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        assert (row(again, ids[0]).label, row(again, ids[0]).label_local) == ("Interested", True)
        assert row(again, ids[1]).label == "Referral"
        # Clearing a local label works locally too, and survives.
        await pilot.press("0")
        await settle(pilot)
        assert not row(again, ids[0]).label_local


async def test_triage_keys_are_in_the_help_and_the_palette(demo_server):
    sections = dict(binding_sections())
    triage = dict(sections["Triage"])
    assert triage["1"] == "Label: Interested" and triage["u"] == "Undo" and triage["B"] == "Block sender…"
    assert "needs triage" in triage
    assert "c" in dict(sections["Inbox"]) and "1" not in dict(sections["Inbox"])
    app = make_app(demo_server)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert {"Label…", "Undo", "Block sender…", "Mark read / unread", "Filter by label…"} <= set(titles)


async def test_remapped_label_keys_work_and_show_in_the_picker(demo_server):
    ids = demo_server.state.conversation_ids(folder="primary")[:10]
    app = make_app(demo_server, page_size=10, keys={"triage.label_interested": "i"})
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("i")
        await settle(pilot)
        assert served(demo_server, ids[0]).label_override == "interested"
        await pilot.press("l")
        await settle(pilot)
        prompt = app.screen.query_one(OptionList).get_option("interested").prompt
        assert str(prompt).lstrip().startswith("i")


async def test_quitting_waits_for_a_label_still_on_its_way(demo_server):
    ids = demo_server.state.conversation_ids(folder="primary")[:10]
    app = make_app(demo_server, page_size=10)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        demo_server.faults.latency_ms = 600
        await pilot.press(KEY_OF["not_now"], "q")
        for _ in range(100):
            if not app.is_running:
                break
            await pilot.pause(0.1)
        assert not app.is_running  # it did quit...
    assert served(demo_server, ids[0]).label_override == "not_now"  # ...after the label landed


async def test_undo_after_the_run_moved_to_the_next_page_goes_back_to_that_page(demo_server):
    ids = demo_server.state.conversation_ids(folder="primary")
    for conversation_id in ids[1:5]:
        triage_on_server(demo_server, conversation_id)
    app = make_app(demo_server, page_size=5)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press(KEY_OF["wrong_person"])
        await settle(pilot)
        assert [r.id for r in listing(app).rows] == ids[5:10]
        await pilot.press("u")
        await settle(pilot)
        assert [r.id for r in listing(app).rows] == ids[:5] and listing(app).current_row.id == ids[0]
        assert served(demo_server, ids[0]).label_override is None


async def test_the_last_page_done_says_so(make_demo_server):
    server = make_demo_server(conversations=6)
    ids = server.state.conversation_ids(folder="primary")
    for conversation_id in ids[1:]:
        triage_on_server(server, conversation_id)
    app = make_app(server, page_size=20)
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press(KEY_OF["interested"])
        await settle(pilot)
        assert any("Page triaged" in text for text in notices(app))
        assert "all triaged on page 1 of 1" in status_text(app)


async def test_a_key_pressed_while_the_next_page_loads_never_relabels_the_last_one(demo_server):
    ids = demo_server.state.conversation_ids(folder="primary")
    for conversation_id in ids[1:5]:
        triage_on_server(demo_server, conversation_id)
    app = make_app(demo_server, page_size=5)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        app.screen.pages.clear()  # nothing prefetched: the next page has to come over the network
        demo_server.faults.latency_ms = 800
        await pilot.press(KEY_OF["interested"], KEY_OF["unsubscribe"])
        await settle(pilot)
        assert served(demo_server, ids[0]).label_override == "interested"
        assert [r.id for r in listing(app).rows] == ids[5:10]
        assert demo_server.count("PATCH") == 1


async def test_a_accepts_the_ai_label_and_says_so_when_there_is_none(demo_server):
    ids = demo_server.state.conversation_ids(folder="primary")[:20]
    labelled = next(i for i, c in enumerate(ids) if served(demo_server, c).label)
    unlabelled = next(i for i, c in enumerate(ids) if not served(demo_server, c).label)
    app = make_app(demo_server, page_size=20)
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        await settle(pilot)
        listing(app).cursor = labelled
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        on_server = served(demo_server, ids[labelled])
        assert on_server.label_override == on_server.label and row(app, ids[labelled]).label_manual
        listing(app).cursor = unlabelled
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert patches(demo_server, ids[unlabelled]) == []
        assert any("pick one" in text for text in notices(app))
