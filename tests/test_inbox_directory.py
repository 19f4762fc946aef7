"""The shared directory of connected inboxes: one request for many callers, lookups, refresh."""

from __future__ import annotations

import asyncio

import pytest

from unibox_tui.api import ReachkitClient
from unibox_tui.api.client import RetryPolicy
from unibox_tui.api.errors import ServerError
from unibox_tui.store.inbox_directory import InboxDirectory

INBOXES = r"/inboxes$"


async def test_concurrent_callers_share_one_request_and_lookups_work(demo_server):
    directory = InboxDirectory()
    async with ReachkitClient(demo_server.key, demo_server.base_url) as client:
        results = await asyncio.gather(*(directory.ensure(client) for _ in range(5)))
        assert demo_server.count("GET", INBOXES) == 1
        assert all(result == results[0] for result in results)
        first = demo_server.state.inboxes[0]
        assert directory.by_email(first.email.upper() + " ").id == first.id
        assert directory.by_id(first.id).email == first.email
        assert directory.by_email("nobody@nowhere.example") is None and directory.by_email("") is None
        await directory.ensure(client)  # fresh: no new request
        assert demo_server.count("GET", INBOXES) == 1
        first.first_name = "Renamed"
        await directory.refresh(client)
        assert demo_server.count("GET", INBOXES) == 2 and directory.by_id(first.id).first_name == "Renamed"


async def test_a_failed_refresh_keeps_what_was_known(demo_server):
    directory = InboxDirectory()
    retry = RetryPolicy(attempts=1)
    async with ReachkitClient(demo_server.key, demo_server.base_url, retry=retry) as client:
        demo_server.faults.fail_next(1, status=500, method="GET", path=INBOXES)
        with pytest.raises(ServerError):
            await directory.ensure(client)  # nothing known yet: the caller hears about it
        assert not directory.loaded and isinstance(directory.error, ServerError)
        known = await directory.ensure(client)
        demo_server.faults.fail_next(1, status=500, method="GET", path=INBOXES)
        assert await directory.refresh(client) == known
        assert isinstance(directory.error, ServerError) and directory.loaded
