"""The async client against the real local server over loopback HTTP (no httpx mocks)."""

from __future__ import annotations

import asyncio
import os
import time

import pytest

from unibox_tui.api import (
    AuthenticationError,
    Conversation,
    DownloadError,
    InsecureURLError,
    NetworkError,
    NotDeliveredError,
    NotFoundError,
    OutcomeUnknownError,
    ProtocolError,
    RateLimitedError,
    ReachkitClient,
    RetryPolicy,
    ServerError,
    UnsupportedError,
    ValidationError,
)
from unibox_tui.store.downloads import save_attachment

async def eventually(condition, timeout: float = 5.0) -> None:
    """The server finishes a hung request on its own time: wait for it to be recorded."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition never became true"
        await asyncio.sleep(0.02)


FAST = RetryPolicy(attempts=4, base_delay=0.01, max_delay=0.05, max_retry_after=5)


def client_for(server, **kwargs) -> ReachkitClient:
    kwargs.setdefault("retry", FAST)
    return ReachkitClient(server.key, server.base_url, **kwargs)


# -- listing ----------------------------------------------------------------------------------------


async def test_list_conversations_pages_through_a_folder(demo_server):
    expected = demo_server.state.conversation_ids(folder="primary")
    seen: list[str] = []
    async with client_for(demo_server) as client:
        first = await client.list_conversations(page=1, page_size=7, folder="primary")
        assert first.total_count == len(expected)
        assert first.total_pages == -(-len(expected) // 7)
        assert first.page == 1 and first.page_size == 7
        for number in range(1, first.total_pages + 1):
            page = await client.list_conversations(page=number, page_size=7, folder="primary")
            seen.extend(c.id for c in page.items)
        last = await client.list_conversations(page=first.total_pages, page_size=7, folder="primary")
        assert not last.has_next and len(last.items) == len(expected) - 7 * (first.total_pages - 1)
        past = await client.list_conversations(page=first.total_pages + 1, page_size=7, folder="primary")
    assert seen == expected
    assert past.items == () and past.total_count == len(expected)


async def test_page_size_is_clamped_to_what_the_api_allows(demo_server):
    async with client_for(demo_server) as client:
        small = await client.list_conversations(page_size=0)
        big = await client.list_conversations(page_size=101)
    assert len(small.items) == 1
    assert len(big.items) == min(100, big.total_count)
    sent = [r.query.get("page_size") for r in demo_server.requests if r.path.endswith("/conversations")]
    assert sent == ["1", "100"]


async def test_folders_and_search_narrow_the_list(demo_server):
    async with client_for(demo_server) as client:
        primary = await client.list_conversations(folder="primary", page_size=100)
        others = await client.list_conversations(folder="others", page_size=100)
        target = primary.items[3]
        found = await client.list_conversations(search=target.lead_email, folder="primary")
        nothing = await client.list_conversations(search="zzqx-no-such-text", folder="primary")
    assert {c.id for c in primary.items}.isdisjoint({c.id for c in others.items})
    assert target.id in {c.id for c in found.items}
    term = target.lead_email.lower()
    for conversation in found.items:
        haystack = " ".join(
            m.from_email + " " + m.to_email + " " + m.subject + " " + m.text_body + " " + m.html_body
            for m in conversation.messages
        ).lower()
        assert term in haystack
    assert nothing.total_count == 0 and nothing.items == ()


async def test_show_returns_the_same_conversation_as_the_list(demo_server):
    async with client_for(demo_server) as client:
        page = await client.list_conversations(page_size=3)
        listed = page.items[0]
        shown = await client.get_conversation(listed.id)
    assert shown.id == listed.id
    assert [m.email_date for m in shown.messages] == [m.email_date for m in listed.messages]
    assert shown.subject == listed.subject and shown.subject


# -- replies ------------------------------------------------------------------------------------------


async def test_reply_returns_the_new_message_and_moves_the_conversation_to_the_top(demo_server):
    ids = demo_server.state.conversation_ids(folder="primary")
    target = ids[5]
    async with client_for(demo_server) as client:
        message = await client.reply(target, "<p>Tuesday at 10 works.</p>")
        first = await client.list_conversations(page_size=1, folder="primary")
        shown = await client.get_conversation(target)
    assert message.outgoing and "Tuesday at 10 works." in message.html_body
    assert first.items[0].id == target
    assert shown.messages[-1].html_body == "<p>Tuesday at 10 works.</p>"
    assert demo_server.count("POST", r"/reply$") == 1


async def test_create_conversation_starts_a_thread_and_is_never_retried(demo_server):
    inbox = (await _inboxes(demo_server))[0]
    async with client_for(demo_server) as client:
        created = await client.create_conversation(
            to_email="noor.haddad@example.org", to_name="Noor Haddad", subject="Intro",
            content="<p>Hi Noor</p>", inbox_id=inbox.id,
        )
        first = await client.list_conversations(page_size=1)
        assert created is not None and first.items[0].id == created.id
        assert created.messages[0].to_email == "noor.haddad@example.org"
        assert client.capabilities.create_conversation is True
        demo_server.faults.fail_next(1, status=500, method="POST")
        with pytest.raises(ServerError):
            await client.create_conversation(to_email="a@b.co", subject="x", content="<p>y</p>")
    assert demo_server.count("POST", r"/unibox/conversations$") == 2  # one each, none retried


async def _inboxes(server):
    async with client_for(server) as client:
        return await client.list_inboxes()


async def test_a_failed_reply_is_never_retried(demo_server):
    target = demo_server.state.conversation_ids(folder="primary")[0]
    demo_server.faults.fail_next(1, status=500, method="POST")
    async with client_for(demo_server) as client:
        with pytest.raises(ServerError):
            await client.reply(target, "<p>hello</p>")
    assert demo_server.count("POST", r"/reply$") == 1
    assert demo_server.state.replies(target) == []


async def test_a_reply_whose_answer_is_lost_reports_an_unknown_outcome(demo_server):
    target = demo_server.state.conversation_ids(folder="primary")[0]
    demo_server.faults.fail_next(1, kind="hang", method="POST", after_commit=True)
    async with client_for(demo_server, timeout=0.5) as client:
        with pytest.raises(OutcomeUnknownError) as caught:
            await client.reply(target, "<p>are you there?</p>")
    assert caught.value.maybe_delivered
    await eventually(lambda: demo_server.count("POST", r"/reply$") == 1)
    assert len(demo_server.state.replies(target)) == 1


async def test_a_dropped_reply_connection_is_not_retried(demo_server):
    target = demo_server.state.conversation_ids(folder="primary")[0]
    demo_server.faults.fail_next(1, kind="drop", method="POST", after_commit=True)
    async with client_for(demo_server) as client:
        with pytest.raises(OutcomeUnknownError):
            await client.reply(target, "<p>dropped</p>")
    assert demo_server.count("POST", r"/reply$") == 1


async def test_empty_reply_is_a_validation_error_with_details(demo_server):
    target = demo_server.state.conversation_ids()[0]
    async with client_for(demo_server) as client:
        with pytest.raises(ValidationError) as caught:
            await client.reply(target, "")
    assert caught.value.status == 422
    assert caught.value.details
    assert "content" in str(caught.value).lower()


# -- errors and retries --------------------------------------------------------------------------------


async def test_wrong_key_explains_the_plan_requirement(demo_server):
    async with ReachkitClient("not-the-key", demo_server.base_url, retry=FAST) as client:
        with pytest.raises(AuthenticationError) as caught:
            await client.list_conversations()
    assert caught.value.status == 401
    assert "a plan that includes API access" in str(caught.value)
    assert "not-the-key" not in str(caught.value)


async def test_unknown_conversation_is_not_found(demo_server):
    async with client_for(demo_server) as client:
        with pytest.raises(NotFoundError):
            await client.get_conversation("no-such-id")


async def test_rate_limit_waits_for_retry_after(demo_server):
    demo_server.faults.fail_next(1, status=429, method="GET", retry_after=1)
    async with client_for(demo_server) as client:
        started = time.monotonic()
        page = await client.list_conversations()
        waited = time.monotonic() - started
    assert page.items
    assert waited >= 1.0
    assert demo_server.count("GET", r"/conversations$") == 2


async def test_a_retry_after_beyond_the_cap_goes_to_the_caller(demo_server):
    demo_server.faults.fail_next(1, status=429, method="GET", retry_after=600)
    async with client_for(demo_server) as client:
        with pytest.raises(RateLimitedError) as caught:
            await client.list_conversations()
    assert caught.value.retry_after == pytest.approx(600, abs=1)
    assert demo_server.count("GET") == 1


async def test_server_errors_on_get_are_retried(demo_server):
    demo_server.faults.fail_next(2, status=500, method="GET")
    async with client_for(demo_server) as client:
        page = await client.list_conversations()
    assert page.items
    assert demo_server.count("GET", r"/conversations$") == 3


async def test_persistent_server_errors_give_up_with_a_server_error(demo_server):
    demo_server.faults.fail_next(10, status=503, method="GET", retry_after=0)
    async with client_for(demo_server) as client:
        with pytest.raises(ServerError) as caught:
            await client.list_conversations()
    assert caught.value.status == 503
    assert demo_server.count("GET") == FAST.attempts


async def test_malformed_json_is_retried_then_reported(demo_server):
    demo_server.faults.fail_next(1, kind="malformed", method="GET")
    async with client_for(demo_server) as client:
        page = await client.list_conversations()
        assert page.items
        demo_server.faults.fail_next(10, kind="malformed", method="GET")
        with pytest.raises(ProtocolError):
            await client.list_conversations()


async def test_a_dropped_list_answer_is_retried(demo_server):
    demo_server.faults.fail_next(1, kind="drop", method="GET")
    async with client_for(demo_server) as client:
        page = await client.list_conversations()
    assert page.items
    assert demo_server.count("GET", r"/conversations$") == 2


async def test_server_down_is_not_delivered(make_demo_server):
    server = make_demo_server()
    base_url, key = server.base_url, server.key
    server.stop()
    async with ReachkitClient(key, base_url, retry=RetryPolicy(attempts=1)) as client:
        with pytest.raises(NotDeliveredError) as caught:
            await client.list_conversations()
    assert not caught.value.maybe_delivered


def test_plain_http_to_a_remote_host_is_refused():
    with pytest.raises(InsecureURLError):
        ReachkitClient("k", "http://reachkit.example.com")
    assert ReachkitClient("k", "http://reachkit.example.com", allow_insecure=True).base_url.startswith("http://")
    assert ReachkitClient("k", "http://127.0.0.1:9").base_url == "http://127.0.0.1:9"
    assert ReachkitClient("k", "https://reachkit.ai/api/v1/").base_url == "https://reachkit.ai"
    assert "secret-key-123" not in repr(ReachkitClient("secret-key-123", "https://reachkit.ai"))


# -- the newer PATCH as an optional capability ---------------------------------------------------------------


async def test_patch_sets_and_clears_the_manual_label_and_read_state(demo_server):
    target = demo_server.state.conversation_ids(folder="primary")[0]
    async with client_for(demo_server) as client:
        updated = await client.update_conversation(target, label_override="meeting_requested")
        assert updated is not None and updated.label_override == "meeting_requested"
        unread = await client.update_conversation(target, is_read=False)
        assert unread is not None and unread.unread
        cleared = await client.update_conversation(target, clear_label=True)
        assert cleared is not None and cleared.label_override is None
        shown = await client.get_conversation(target)
    assert shown.label_override is None and shown.unread
    assert client.capabilities.conversation_patch is True


async def test_patch_missing_marks_the_capability_instead_of_failing(make_demo_server):
    server = make_demo_server(patch_enabled=False)
    target = server.state.conversation_ids()[0]
    async with client_for(server) as client:
        with pytest.raises(UnsupportedError):
            await client.update_conversation(target, is_read=True)
        assert client.capabilities.conversation_patch is False
        with pytest.raises(UnsupportedError):
            await client.update_conversation(target, label_override="interested")
        with pytest.raises(NotFoundError):
            other = ReachkitClient(server.key, server.base_url, retry=FAST)
            try:
                await other.update_conversation("no-such-id", is_read=True)
            finally:
                await other.aclose()
    assert server.count("PATCH") == 2  # the third call never left: the capability was known


# -- attachments ---------------------------------------------------------------------------------------------


def _an_attachment(server, *, min_size=1, max_size=5_000_000):
    for conversation_id in server.state.conversation_ids():
        conversation = Conversation.from_api(server.state.get_conversation_dict(conversation_id))
        for _, attachment in conversation.attachments:
            if attachment.size and min_size <= attachment.size <= max_size:
                return conversation_id, attachment
    raise AssertionError("the demo data has no attachment of that size")


async def test_download_streams_to_the_final_name_with_progress(demo_server, tmp_path):
    conversation_id, attachment = _an_attachment(demo_server, min_size=100_000)
    reports: list[tuple[int, int | None]] = []
    dest = tmp_path / "deck.pdf"
    async with client_for(demo_server) as client:
        result = await save_attachment(
            client, conversation_id, attachment.id, dest, expected_size=attachment.size,
            progress=lambda got, total: reports.append((got, total)), progress_interval=0,
        )
    assert result.size == attachment.size == dest.stat().st_size
    assert not (tmp_path / "deck.pdf.part").exists()
    assert reports[0][0] == 0 and reports[-1] == (attachment.size, attachment.size)
    assert all(total == attachment.size for _, total in reports[:-1])


async def test_a_dropped_download_leaves_nothing_that_looks_complete(demo_server, tmp_path):
    tmp_path = tmp_path / "downloads"
    tmp_path.mkdir()
    conversation_id, attachment = _an_attachment(demo_server, min_size=200_000)
    demo_server.faults.fail_next(4, kind="drop", path="/attachments/")
    dest = tmp_path / "file.bin"
    async with client_for(demo_server) as client:
        with pytest.raises(NetworkError):
            await save_attachment(client, conversation_id, attachment.id, dest)
    assert os.listdir(tmp_path) == []


async def test_a_download_never_overwrites_or_follows_a_planted_link(demo_server, tmp_path):
    conversation_id, attachment = _an_attachment(demo_server)
    canary = tmp_path / "canary"
    canary.mkdir()
    victim = canary / "passwd"
    victim.write_text("root:x:0:0\n")
    folder = tmp_path / "downloads"
    folder.mkdir()
    (folder / "exists.txt").write_text("mine")
    (folder / "planted.txt.part").symlink_to(victim)
    os.symlink(victim, folder / "link.txt")
    async with client_for(demo_server) as client:
        with pytest.raises(DownloadError):
            await save_attachment(client, conversation_id, attachment.id, folder / "exists.txt")
        with pytest.raises(DownloadError):
            await save_attachment(client, conversation_id, attachment.id, folder / "planted.txt")
        with pytest.raises(DownloadError):
            await save_attachment(client, conversation_id, attachment.id, folder / "link.txt")
    assert (folder / "exists.txt").read_text() == "mine"
    assert victim.read_text() == "root:x:0:0\n"
    assert os.path.islink(folder / "link.txt")
    assert sorted(os.listdir(folder)) == ["exists.txt", "link.txt", "planted.txt.part"]


async def test_a_cancelled_download_removes_its_part_file(demo_server, tmp_path):
    tmp_path = tmp_path / "downloads"
    tmp_path.mkdir()
    demo_server.faults.latency_ms = 0
    conversation_id, attachment = _an_attachment(demo_server, min_size=50_000_000, max_size=10**12)
    dest = tmp_path / "big.mp4"
    started = asyncio.Event()

    def progress(got: int, total: int | None) -> None:
        if got > 1_000_000:
            started.set()

    async with client_for(demo_server) as client:
        task = asyncio.create_task(
            save_attachment(client, conversation_id, attachment.id, dest, progress=progress, progress_interval=0)
        )
        await asyncio.wait_for(started.wait(), 20)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert os.listdir(tmp_path) == []


async def test_a_missing_attachment_is_not_found(demo_server, tmp_path):
    tmp_path = tmp_path / "downloads"
    tmp_path.mkdir()
    conversation_id = demo_server.state.conversation_ids()[0]
    async with client_for(demo_server) as client:
        with pytest.raises(NotFoundError):
            await save_attachment(client, conversation_id, "no-such-attachment", tmp_path / "x")
    assert os.listdir(tmp_path) == []


# -- lenient parsing --------------------------------------------------------------------------------------------


async def test_one_damaged_conversation_never_fails_the_page(make_demo_server):
    server = make_demo_server(conversations=10)
    server.state.add_raw_conversation({"id": "dmg-1", "messages": "not a list", "status": 7})
    server.state.add_raw_conversation(
        {
            "id": 12345,
            "status": "weird",
            "extra": {"nested": True},
            "messages": [
                None,
                {
                    "direction": "sideways",
                    "subject": ["not", "text"],
                    "is_read": "yes",
                    "email_date": "yesterday-ish",
                    "attachments": [{"id": 1, "filename": None, "size": "2048"}, "junk"],
                },
            ],
        }
    )
    server.state.add_raw_conversation({"id": "dmg-3"})
    async with client_for(server) as client:
        page = await client.list_conversations(page_size=100)
    by_id = {c.id: c for c in page.items}
    assert {"dmg-1", "12345", "dmg-3"} <= set(by_id)
    assert by_id["dmg-1"].damaged and by_id["dmg-1"].messages == ()
    odd = by_id["12345"]
    assert odd.damaged  # the null message
    message = odd.messages[0]
    assert message.direction == "unknown" and message.subject == "" and message.is_read is True
    assert message.email_date is None and message.email_date_raw == "yesterday-ish"
    assert message.attachments[0].size == 2048 and message.attachments[0].id == "1"
    assert not by_id["dmg-3"].damaged and by_id["dmg-3"].messages == ()
    assert sum(1 for c in page.items if not c.damaged) >= 10


# -- inboxes and the blocklist ----------------------------------------------------------------------------------


async def test_inboxes_and_blocklist_round_trip(demo_server):
    async with client_for(demo_server) as client:
        inboxes = await client.list_inboxes()
        assert inboxes and all(i.email and i.id for i in inboxes)
        one = await client.get_inbox(inboxes[0].id)
        assert one.email == inboxes[0].email
        stats = await client.inbox_warmup_stats(inboxes[0].id)
        assert len(stats.daily_stats) == 7
        created = await client.add_to_blocklist("spam@example.org")
        assert created and created[0].email == "spam@example.org"
        domain = await client.add_to_blocklist("@blocked.example")
        assert domain[0].is_domain
        assert await client.check_blocklist("spam@example.org")
        assert await client.check_blocklist("anyone@blocked.example")
        assert not await client.check_blocklist("friend@example.org")
        entries = await client.list_blocklist()
        assert {"spam@example.org", "@blocked.example"} <= {e.email for e in entries}
        await client.delete_blocklist_entry(created[0].id)
        assert not await client.check_blocklist("spam@example.org")
        with pytest.raises(NotFoundError):
            await client.delete_blocklist_entry("no-such-entry")


async def test_client_sends_bearer_auth_and_a_user_agent(demo_server):
    async with client_for(demo_server) as client:
        headers = client._http.headers
        await client.list_inboxes()
    assert headers["authorization"] == f"Bearer {demo_server.key}"
    assert headers["user-agent"].startswith("unibox-tui/")


def test_download_into_an_unwritable_folder_is_a_clear_error(demo_server, tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root can write anywhere")
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    conversation_id, attachment = _an_attachment(demo_server)

    async def run() -> None:
        async with client_for(demo_server) as client:
            await save_attachment(client, conversation_id, attachment.id, folder / "x.pdf")

    with pytest.raises(DownloadError, match="permission|Cannot create"):
        asyncio.run(run())


def test_models_parse_dates_leniently():
    conversation = Conversation.from_api(
        {
            "id": "c",
            "messages": [
                {"direction": "incoming", "email_date": "2025-11-03T14:02:00Z", "from_email": "Dana <dana@x.io>"},
                {"direction": "outgoing", "email_date": 1762178520, "to_email": "dana@x.io"},
                {"direction": "incoming", "email_date": "", "is_read": "no"},
            ],
        }
    )
    first, second, third = conversation.messages
    assert first.email_date is not None and first.email_date.tzinfo is not None
    assert first.from_name == "Dana" and first.from_email == "dana@x.io"
    assert second.email_date is not None
    assert third.email_date is None and third.is_read is False
    assert conversation.unread
    assert conversation.lead_email == "dana@x.io"  # the latest incoming has no sender: whom we wrote to
