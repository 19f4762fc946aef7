"""Two workspaces, one app: drafts, signatures and unsent replies each stay with their own server."""

from __future__ import annotations

import time

from helpers import clock_for, keep_notifications, make_settings, notifications, screen_text, settle

from unibox_tui import config
from unibox_tui.api import Conversation
from unibox_tui.config import load_settings
from unibox_tui.domain import reply_session
from unibox_tui.render.signature import prepare_signature
from unibox_tui.render.thread import person
from unibox_tui.store.drafts import DELIVERY_UNKNOWN, DraftStore, draft_folder
from unibox_tui.ui.app import UniboxApp
from unibox_tui.ui.screens.drafts import DraftsScreen
from unibox_tui.ui.screens.inbox import InboxScreen
from unibox_tui.ui.widgets.composer import Composer
from unibox_tui.ui.widgets.conversation_list import ConversationList

REPLY = r"/reply$"
ALPHA_SIGNATURE = "<p>Alpha Sales Team</p>"
BETA_SIGNATURE = "<p>Beta Growth Crew</p>"


def two_profiles(alpha, beta) -> None:
    path = config.config_file()
    path.parent.mkdir(parents=True)
    path.write_text(
        'default_profile = "alpha"\n[defaults]\npoll_interval = 0\nsend_delay = 0\npage_size = 10\n'
        f'[profiles.alpha]\nbase_url = "{alpha.base_url}"\n[profiles.beta]\nbase_url = "{beta.base_url}"\n'
    )
    config.store_key("alpha", alpha.key)
    config.store_key("beta", beta.key)
    for inbox in alpha.state.inboxes:
        inbox.signature = ALPHA_SIGNATURE
    for inbox in beta.state.inboxes:
        inbox.signature = BETA_SIGNATURE


def signature_shown(composer: Composer) -> str:
    return str(composer.query_one("#composer-signature").render())


def drafts_of(profile: str) -> dict[str, str]:
    return {draft.conversation_id: draft.text for draft in DraftStore(draft_folder(profile)).list()}


async def wait_until(pilot, predicate, timeout: float = 15.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not met in time")
        await pilot.pause(0.05)


async def reply_on_row(pilot, row: int) -> Composer:
    screen = pilot.app.screen
    listing = screen.query_one(ConversationList)
    listing.focus()
    listing.cursor = row
    await pilot.press("r")
    await settle(pilot)
    composer = screen.query_one(Composer)
    assert composer.is_open
    return composer


async def switch_to(pilot, profile: str) -> None:
    """ctrl+p "Switch profile" (W would be typed into an open composer), then the picker."""
    pilot.app.action_switch_profile()
    await settle(pilot)
    await pilot.press("down" if profile == "beta" else "up", "enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, InboxScreen) and pilot.app.settings.profile == profile


async def drafts_room_text(pilot) -> str:
    await pilot.press("D")
    await settle(pilot)
    assert isinstance(pilot.app.screen, DraftsScreen)
    text = screen_text(pilot.app)
    await pilot.press("escape")
    await settle(pilot)
    return text


async def test_switching_profiles_keeps_drafts_signatures_and_unknown_sends_in_their_own_workspace(
    make_demo_server, monkeypatch
):
    monkeypatch.setattr(reply_session, "RECHECK_DELAYS", (0.4,))  # rechecks every 0.4 s: stopping them shows
    alpha = make_demo_server(key="alpha-key-11111111", seed=1, conversations=30)
    beta = make_demo_server(key="beta-key-22222222", seed=2, conversations=30)
    two_profiles(alpha, beta)
    unknown, typing = alpha.state.conversation_ids(folder="primary")[:2]
    first_beta = beta.state.conversation_ids(folder="primary")[0]
    lead = Conversation.from_api(alpha.state.get_conversation_dict(unknown))
    app = keep_notifications(UniboxApp(load_settings(env={}), clock=clock_for()))
    async with app.run_test(size=(140, 44), notifications=True) as pilot:
        await settle(pilot)
        # Alpha: a reply whose answer is lost (it did arrive) and which cannot be checked for now.
        composer = await reply_on_row(pilot, 0)
        assert "Alpha Sales Team" in signature_shown(composer)
        composer.text_area.insert("Alpha: see you Thursday")
        alpha.faults.fail_next(1, method="POST", path=REPLY, kind="drop", after_commit=True)
        alpha.faults.fail_next(1000, status=503, method="GET", path=f"/conversations/{unknown}$", retry_after=0)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: composer.mode == "unknown", what="delivery unknown")
        assert DraftStore(draft_folder("alpha")).load(unknown).state == DELIVERY_UNKNOWN
        checks = alpha.count("GET", f"/conversations/{unknown}$")
        await wait_until(pilot, lambda: alpha.count("GET", f"/conversations/{unknown}$") > checks, what="a recheck")
        # ...and another alpha reply being written when the user switches.
        composer = await reply_on_row(pilot, 1)
        composer.text_area.insert("Alpha: half written")
        await pilot.pause()

        await switch_to(pilot, "beta")
        assert drafts_of("alpha").get(typing) == "Alpha: half written"
        assert "Alpha: half written" not in drafts_of("beta").values()
        checks_while_away = alpha.count("GET", f"/conversations/{unknown}$")
        # Beta's Drafts room shows beta's drafts only.
        text = await drafts_room_text(pilot)
        assert "Alpha:" not in text and "No drafts" in text
        # Beta's composer: beta's signature; its draft lands in beta's folder.
        composer = await reply_on_row(pilot, 0)
        assert composer.conversation_id == first_beta
        assert prepare_signature(BETA_SIGNATURE).text in signature_shown(composer)
        assert "Alpha Sales Team" not in signature_shown(composer)
        composer.text_area.insert("Beta: hello there")
        await pilot.press("escape")
        await settle(pilot)
        assert drafts_of("beta") == {first_beta: "Beta: hello there"}
        assert first_beta not in drafts_of("alpha")
        text = await drafts_room_text(pilot)
        assert "Beta: hello there" in text and "Alpha:" not in text
        await pilot.pause(1.5)  # rechecks every 0.4 s, had alpha's kept running
        assert alpha.count("GET", f"/conversations/{unknown}$") == checks_while_away  # alpha's rechecks stopped
        assert not [r for r in beta.requests if unknown in r.path or typing in r.path]  # nothing of alpha's asked of beta

        # Back in alpha (whose server answers again): the unknown send is checked there, and found.
        alpha.faults.clear()
        await switch_to(pilot, "alpha")
        await wait_until(pilot, lambda: unknown not in drafts_of("alpha"), what="the unknown send to be settled")
        assert alpha.count("GET", f"/conversations/{unknown}$") > checks_while_away
        name = person(lead.lead_name, lead.lead_email, max_chars=60)
        assert any(n.title == "Sent" and name in n.message for n in notifications(app))
        assert drafts_of("alpha") == {typing: "Alpha: half written"}
    assert alpha.count("POST", REPLY) == 1 and len(alpha.state.replies(unknown)) == 1
    assert beta.count("POST", REPLY) == 0
    assert not [r for r in beta.requests if unknown in r.path or typing in r.path]


async def test_the_demo_started_from_the_welcome_screen_writes_only_in_its_own_folder(make_demo_server):
    demo = make_demo_server(conversations=15, seed=5, patch_enabled=False)  # labels are kept locally
    settings = make_settings(None, profile="acme")  # a real profile, no key yet: the welcome screen

    def launcher() -> tuple[str, str]:
        return demo.base_url, demo.key

    app = keep_notifications(UniboxApp(settings, demo_launcher=launcher, clock=clock_for()))
    first = demo.state.conversation_ids(folder="primary")[0]
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert isinstance(app.screen, InboxScreen) and app.settings.demo
        await pilot.press("1")  # Interested, kept on this computer
        await settle(pilot)
        composer = await reply_on_row(pilot, 0)
        composer.text_area.insert("A demo draft")
        await pilot.press("escape")
        await settle(pilot)
    demo_folder = config.data_dir() / ".demo"
    assert [d.text for d in DraftStore(demo_folder / "drafts").list()] == ["A demo draft"]
    assert first in (demo_folder / "local-triage.json").read_text()
    assert not (config.data_dir() / "acme").exists()  # the profile's local labels
    assert not draft_folder("acme").exists()  # the profile's drafts


async def test_a_reply_counting_down_keeps_the_workspace_until_it_leaves_or_is_undone(make_demo_server):
    alpha = make_demo_server(key="alpha-key-11111111", seed=1, conversations=30)
    beta = make_demo_server(key="beta-key-22222222", seed=2, conversations=30)
    two_profiles(alpha, beta)
    app = keep_notifications(UniboxApp(load_settings(env={}), clock=clock_for()))
    async with app.run_test(size=(140, 44), notifications=True) as pilot:
        await settle(pilot)
        app.settings.send_delay = 60
        composer = await reply_on_row(pilot, 0)
        composer.text_area.insert("Not cut off by a switch")
        await pilot.press("ctrl+s")
        assert composer.mode == "countdown"
        app.action_switch_profile()
        await settle(pilot)
        assert app.settings.profile == "alpha" and composer.mode == "countdown"
        assert any("still on its way" in n.message for n in notifications(app))
        await pilot.press("ctrl+z")
        await switch_to(pilot, "beta")
    assert alpha.count("POST", REPLY) == 0
    assert drafts_of("alpha") == {alpha.state.conversation_ids(folder="primary")[0]: "Not cut off by a switch"}


async def test_work_left_running_on_the_old_inbox_never_asks_the_new_server(make_demo_server):
    alpha = make_demo_server(key="alpha-key-11111111", seed=1, conversations=12)
    beta = make_demo_server(key="beta-key-22222222", seed=2, conversations=12)
    two_profiles(alpha, beta)
    opened = alpha.state.conversation_ids(folder="primary")[1]
    app = keep_notifications(UniboxApp(load_settings(env={}), clock=clock_for()))
    async with app.run_test(size=(140, 44)) as pilot:
        await settle(pilot)
        old = app.screen
        old.query_one(ConversationList).cursor = 1
        await pilot.press("enter")  # opened: a re-read is due 1.5 s later, on alpha's inbox
        await settle(pilot)
        await switch_to(pilot, "beta")
        # What that timer (or any worker of the old screen) does while the old inbox is being
        # removed: it must reach no server, least of all beta with alpha's conversation id.
        old.thread.reload(opened)
        await settle(pilot)
        assert not [r for r in beta.requests if opened in r.path]
        assert old._client() is None and app.screen._client() is not None
