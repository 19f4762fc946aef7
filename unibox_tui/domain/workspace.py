"""One Reachkit workspace and everything it owns, built together and dropped together.

A workspace is a profile's settings and what belongs to them: the client (built on first use,
after the first frame, so start-up never waits for httpx), the drafts and the replies on their
way (with their rechecks), the inbox directory (names and signatures), local labels, lead
answers and the cached first pages. Switching workspace swaps the whole bundle
(``UniboxApp.adopt_workspace``), so nothing of one workspace can show or be sent in another.

The demo never writes into a profile's folders: its drafts and local labels live under
``<data dir>/.demo/`` (``.demo`` cannot be a profile name), and it keeps no cached pages.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from ..api.errors import ReachkitError
from ..api.urls import normalise_base_url
from ..store.drafts import DEMO_FOLDER, DraftStore, draft_folder
from ..store.inbox_directory import InboxDirectory
from .reply_session import ReplyServices
from .reply_sessions import ReplySessions

if TYPE_CHECKING:
    from ..api.client import ReachkitClient
    from ..api.lead_lookup import LeadFinder
    from ..clock import Clock
    from ..config import Settings
    from ..store.followups import FollowupStore
    from ..store.journal import Entry, Journal
    from ..store.local_triage import LocalTriageStore
    from ..store.row_cache import RowCache
    from .scheduler import Scheduler

__all__ = ["ClientFactory", "Workspace", "make_client", "workspace_label"]

log = logging.getLogger(__name__)

ClientFactory = Callable[["Settings"], "ReachkitClient"]


def workspace_label(settings: Settings) -> str:
    """"acme @ reachkit.ai" for the header: which workspace every screen is showing."""
    if settings.demo:
        return "demo"
    parts = urlsplit(settings.base_url if "://" in settings.base_url else "https://" + settings.base_url)
    try:
        port = parts.port
    except ValueError:
        port = None
    host = (parts.hostname or settings.base_url) + (f":{port}" if port else "")
    return f"{settings.profile} @ {host}"


def make_client(settings: Settings) -> ReachkitClient:
    """The client for these settings (raises ``InsecureURLError`` for plain http to a remote)."""
    from ..api.client import ReachkitClient  # httpx loads here, after the first frame

    if not settings.api_key:
        raise ValueError("no API key")
    return ReachkitClient(
        settings.api_key, settings.base_url, allow_insecure=settings.insecure, trust_env=settings.trust_env
    )


class Workspace:
    """Settings, client, drafts, replies, inboxes, local labels, lead answers, row cache: one owner."""

    def __init__(
        self,
        settings: Settings,
        *,
        clock: Clock,
        scheduler: Scheduler,
        client: ReachkitClient | None = None,
        owns_client: bool | None = None,
        client_factory: ClientFactory = make_client,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.client_factory = client_factory
        self._client = client
        #: Whether closing the client is ours to do: the one handed to ``UniboxApp(client=...)`` is
        #: its caller's; one made here, or adopted (a checked key, a switched profile), is ours.
        self.owns_client = client is None if owns_client is None else owns_client
        #: Why there is no session (an address refused at start-up), in words.
        self.startup_error = ""
        self.drafts = DraftStore(draft_folder(settings.profile, demo=settings.demo))
        self.inboxes = InboxDirectory()
        self.sessions = ReplySessions(
            ReplyServices(lambda: self.client, self.drafts, self.inboxes, clock, scheduler,
                          lambda: float(self.settings.send_delay), journal=self.record)
        )
        self._journal: Journal | None = None
        #: Why the last journal line could not be written ("" when all went in): the summary says it.
        self.journal_problem = ""
        self._local_triage: LocalTriageStore | None = None
        self._followups: FollowupStore | None = None
        self._local_triage_told = False
        self._lead_finder: LeadFinder | None = None
        if client is None and settings.api_key:
            # Check the address now (cheap); the client itself is built on first use.
            try:
                normalise_base_url(settings.base_url, allow_insecure=settings.insecure)
            except (ReachkitError, ValueError) as error:
                self.startup_error = str(error)

    # -- the client -------------------------------------------------------------------------------

    @property
    def client(self) -> ReachkitClient | None:
        """This workspace's client, made on first use; ``None`` without a usable key and address."""
        if self._client is None and self.has_session:
            try:
                self._client = self.client_factory(self.settings)
            except (ReachkitError, ValueError) as error:
                self.startup_error = str(error)
        return self._client

    @property
    def has_session(self) -> bool:
        """A key and an acceptable address: the inbox can load (the client may not exist yet)."""
        return self._client is not None or (bool(self.settings.api_key) and not self.startup_error)

    @property
    def base_url(self) -> str:
        """The base URL as the client has (or will have) it, without building the client."""
        if self._client is not None:
            return self._client.base_url
        try:
            return normalise_base_url(self.settings.base_url, allow_insecure=True)
        except (ReachkitError, ValueError):
            return self.settings.base_url

    def same_place(self, settings: Settings) -> bool:
        """Whether ``settings`` name this workspace (a new key for it is not a new workspace)."""
        mine = self.settings
        return (settings.profile, settings.base_url, settings.demo) == (mine.profile, mine.base_url, mine.demo)

    def change_key(self, settings: Settings, client: ReachkitClient) -> ReachkitClient | None:
        """A new key for this same workspace (after a refused one); returns the old client to close."""
        old = self._client if self.owns_client and self._client is not client else None
        self.settings, self._client, self.owns_client, self.startup_error = settings, client, True, ""
        return old

    # -- what else it owns ------------------------------------------------------------------------

    @property
    def local_triage(self) -> LocalTriageStore:
        """Labels and read marks kept on this machine for this workspace (read once)."""
        if self._local_triage is None:
            from ..store.local_triage import FILE_NAME, LocalTriageStore

            if self.settings.demo:
                from ..config import data_dir

                store = LocalTriageStore(data_dir() / DEMO_FOLDER / FILE_NAME, self.base_url, profile=DEMO_FOLDER)
                store.load()
            else:
                store = LocalTriageStore.for_profile(self.settings.profile, self.base_url)
            self._local_triage = store
        return self._local_triage

    def untold_local_triage_problem(self) -> str:
        """The local labels file's problem (unreadable, set aside), once; "" otherwise."""
        store = self._local_triage
        if store is None or not store.problem or self._local_triage_told:
            return ""
        self._local_triage_told = True
        return store.problem

    @property
    def followups(self) -> FollowupStore:
        """Snoozes, reminders and "back" marks of this workspace (read once; problems in ``take_problems``)."""
        if self._followups is None:
            from ..store.followups import FollowupStore

            self._followups = FollowupStore.for_profile(
                self.settings.profile, self.base_url, demo=self.settings.demo, clock=self.clock
            )
        return self._followups

    @property
    def lead_finder(self) -> LeadFinder | None:
        """Campaign-lead lookups of this workspace, tied to its current client."""
        from ..api.lead_lookup import LeadFinder

        client = self.client
        if client is None:
            return None
        if self._lead_finder is None or self._lead_finder.client is not client:
            self._lead_finder = LeadFinder(client)
        return self._lead_finder

    @property
    def journal(self) -> Journal:
        """What the SDR did, for the day summary (``store/journal.py``); the demo keeps its own."""
        if self._journal is None:
            from ..config import data_dir
            from ..store.journal import Journal

            if self.settings.demo:  # one journal for every demo run: its conversations are the same
                self._journal = Journal(data_dir() / DEMO_FOLDER / "journal-demo.jsonl")
            else:
                self._journal = Journal.for_workspace(self.settings.profile, self.base_url)
        return self._journal

    def record(self, entry: Entry) -> None:
        """Append to the journal; a disk that refuses costs the summary this line, never the action."""
        try:
            self.journal.append(entry)
        except (OSError, ValueError) as error:
            log.warning("journal not written: %s", error)
            why = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
            self.journal_problem = f"An action could not be written to the journal ({why}): the summary misses it."

    def snoozed_count(self) -> int:
        """Conversations snoozed right now, from the follow-ups store (blocking: run it in a thread).

        One small seam: the follow-ups view keeps the store live, and may answer from it instead.
        """
        from ..store.followups import FollowupStore

        store = FollowupStore.for_profile(self.settings.profile, self.base_url, demo=self.settings.demo, clock=self.clock)
        now = self.clock.now()
        return sum(1 for snooze in store.snoozes() if snooze.wake_at > now)

    @property
    def row_cache(self) -> RowCache | None:
        """This workspace's first pages on disk; none for the demo (a new server every run) or without a key."""
        settings = self.settings
        if settings.demo or not settings.api_key:
            return None
        from ..config import cache_dir
        from ..store.row_cache import RowCache, workspace_key

        return RowCache(cache_dir(), workspace_key(settings.profile, self.base_url, settings.api_key))

    # -- the end ------------------------------------------------------------------------------------

    def stop(self) -> None:
        """No more timers or requests of this workspace; its local labels and follow-ups saved."""
        self.sessions.stop()
        for store, what in ((self._local_triage, "local labels"), (self._followups, "follow-ups")):
            if store is not None and store.dirty:
                try:
                    store.save()
                except OSError as error:
                    log.warning("%s not saved: %s", what, error)

    async def aclose(self) -> None:
        """``stop``, then close the client if this workspace made it (or was given it to own)."""
        self.stop()
        if self._client is not None and self.owns_client:
            await self._client.aclose()
