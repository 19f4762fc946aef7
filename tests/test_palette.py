"""The command palette is built from the bindings: every entry that is a key names that key as the
user's keymap has it, and running an entry does what the key does."""

from __future__ import annotations

from helpers import make_app, settle

from unibox_tui.ui.app import UniboxApp
from unibox_tui.ui.palette import _bindings
from unibox_tui.ui.screens.blocklist import BlocklistScreen
from unibox_tui.ui.screens.campaigns import CampaignsScreen
from unibox_tui.ui.screens.inbox import InboxScreen
from unibox_tui.ui.widgets.composer import Composer
from unibox_tui.ui.widgets.conversation_list import ConversationList
from unibox_tui.ui.widgets.search_bar import SearchBar


def offered_ids() -> list[str]:
    """Every binding meant for the palette (an id and a tooltip), on every screen and widget that has one."""
    owners = (UniboxApp, InboxScreen, Composer, CampaignsScreen, BlocklistScreen)
    return sorted({b.id for owner in owners for b in _bindings(owner) if b.id and b.tooltip})


def commands(app) -> dict[str, str]:
    return {command.title: command.help for command in app.get_system_commands(app.screen)}


async def test_every_palette_key_is_the_remapped_one(demo_server):
    ids = offered_ids()
    # Each binding the palette offers gets a key of its own (f13, f14...), and so does "c".
    keymap = {binding_id: f"f{13 + number}" for number, binding_id in enumerate(ids)}
    keymap["inbox.folder_cycle"] = "f40"
    app = make_app(demo_server, keys=keymap)
    seen: dict[str, str] = {}
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        seen.update(commands(app))
        await pilot.press(keymap["inbox.reply"])  # the remapped key works, too
        await settle(pilot)
        assert app.screen.query_one(Composer).is_open
        seen.update(commands(app))
        await pilot.press(keymap["composer.close"])
        await settle(pilot)
        for room in ("app.campaigns", "app.blocklist"):
            await pilot.press(keymap[room])
            await settle(pilot)
            seen.update(commands(app))
            await pilot.press(keymap["room.back"])
            await settle(pilot)
    by_key = {f"(f{13 + number})": binding_id for number, binding_id in enumerate(ids)}
    shown = {key for text in seen.values() for key in by_key if text.endswith(key)}
    assert shown == set(by_key), f"not in the palette with their remapped key: {[by_key[k] for k in set(by_key) - shown]}"
    assert seen["Reply: send"].endswith(f"({keymap['composer.send']})") and seen["Keys"].endswith(f"({keymap['app.help']})")
    assert seen["Folder: Primary"] == "Campaign replies (f40 cycles folders)"
    assert len(ids) >= 35


async def test_the_palette_shows_the_default_keys_and_runs_the_action(demo_server):
    app = make_app(demo_server)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        shown = commands(app)
        assert shown["Next page"] == "Show the next page (])" and shown["Refresh"].endswith("(ctrl+r)")
        assert shown["Label…"].endswith("(l)") and shown["Switch profile"].endswith("(W)")
        first = app.screen.query_one(ConversationList).rows[0].id
        await pilot.press("ctrl+p", *"Next page")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.model.page_number == 2 and app.screen.query_one(ConversationList).rows[0].id != first


async def test_search_chosen_in_the_palette_runs_while_the_composer_has_the_focus(demo_server):
    """``/`` typed in the composer is a slash; "Search" chosen by name in the palette opens the search."""
    app = make_app(demo_server)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        composer = app.screen.query_one(Composer)
        assert composer.is_open and app.screen.focused is composer.text_area
        await pilot.press("/")
        assert composer.text_area.text.startswith("/")  # typed, as text
        await pilot.press("ctrl+p", *"Search")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        search = app.screen.query_one(SearchBar)
        assert search.display and app.screen.focused is search
        assert composer.is_open and composer.text_area.text.startswith("/")  # the draft is kept


async def test_the_follow_up_and_reply_faster_keys_remapped_show_in_the_palette_and_on_the_help_screen(demo_server):
    """Issues 17 and 18's keys are bindings like the others: a remap reaches both lists, and the key works."""
    from helpers import help_text

    keymap = {"inbox.snooze": "f20", "inbox.pipe": "f21"}
    app = make_app(demo_server, keys=keymap)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        seen = commands(app)
        assert seen["Snooze…"].endswith("(f20)") and seen["Pipe…"].endswith("(f21)")
        await pilot.press("question_mark")
        await settle(pilot)
        listed = help_text(app)
        assert "f20" in listed and "f21" in listed
        assert not any(line.strip().startswith(("h ", "| ")) and ("Snooze" in line or "Pipe" in line) for line in listed.splitlines())
        await pilot.press("escape", "f20")  # the remapped key opens the snooze picker, and does so at once
        await settle(pilot)
        from unibox_tui.ui.screens.snooze_picker import SnoozePicker

        assert isinstance(app.screen, SnoozePicker)
