"""A scripted SDR session through the real UI against a faulty local server, and what it proves.

Shared by ``tests/benchmarks/fault_run.py`` (the issue's full session, run by hand) and
``tests/test_fault_session.py`` (a small deterministic one in the suite).

The user browses pages with ``]``, opens conversations (``enter``, reads, ``escape``), saves
attachments (``s``, the picker, later the downloads panel where ``r`` retries a failed row),
and writes replies (``r``, typed key by key, ``ctrl+s``). When the UI says something failed the
user does what it invites: ``ctrl+r`` for a list or thread that could not load, ``ctrl+s`` again
whenever the composer allows it (for a reply whose delivery is unknown that is a look, and a
question they answer "keep checking"). A server may store a reply after the client's timeout
(``reply_commit_delay``): it is found by a later check, never sent twice. Only at the end, with
the faults off and the late commits landed, does the user send anyway what no check has found. Keys go through the driver as
``pilot.press`` sends them (pressing via Pilot waits for the whole process to idle, which the
in-process server never does).

What is watched, without touching the app's code:

- the client's retries (every time it decides to retry) and every error it hands to the UI after
  its retries (with the worker that asked), by wrapping methods of the client instance;
- every notification (severity, title, text, markup flag), by wrapping ``app.notify``;
- the in-pane error faces (list status, thread header note, lead line, composer, download rows),
  sampled after every step;
- log records with tracebacks (an unexpected exception anywhere in the app).

Every error the client hands over must be explained: by the face of the pane that asked, a
warning/error notification, or (for background work the app retries by itself, such as
prefetching) by a later successful answer to the same request. The rest are silent failures.
At the end the faults are switched off, the user refreshes (``ctrl+r``) and the list, the threads,
the replies on the server and the downloaded files are compared with the server's own state.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from textual import events
from textual.worker import NoActiveWorker, get_current_worker

from unibox_tui.api import ReachkitClient, ReachkitError, RetryPolicy
from unibox_tui.clock import TickingClock
from unibox_tui.api.models import Conversation, Page
from unibox_tui.config import Settings
from unibox_tui.demo.faults import Faults
from unibox_tui.demo.server import DemoServer
from unibox_tui.render.thread import build_row
from unibox_tui.domain.transfers import TransferState
from unibox_tui.store.outbox import fingerprint
from unibox_tui.ui.app import UniboxApp
from unibox_tui.ui.screens.attachment_picker import AttachmentPicker
from unibox_tui.ui.screens.drafts import DraftsScreen
from unibox_tui.ui.screens.inbox import InboxScreen
from unibox_tui.ui.screens.send_anyway import SendAnywayScreen
from unibox_tui.ui.widgets.composer import Composer
from unibox_tui.ui.widgets.conversation_list import ConversationList
from unibox_tui.ui.widgets.downloads_panel import DownloadsPanel
from unibox_tui.ui.widgets.lead_context import LeadContext
from unibox_tui.ui.widgets.list_status import ListStatus
from unibox_tui.ui.widgets.thread_header import ThreadHeader
from unibox_tui.ui.widgets.thread_view import ThreadView

__all__ = ["FaultLevels", "Plan", "Report", "run_session"]

DEMO_NOW = datetime(2026, 5, 28, 15, 30, tzinfo=UTC)
#: Worker groups that run in the background while the user carries on (not waited for).
BACKGROUND_GROUPS = frozenset({"download", "poll"})
#: Background work whose failure the app keeps to itself by design, because it asks again later.
QUIET_BY_DESIGN = frozenset({"Prefetching", "Counting folders", "Checking inboxes", "Counting drafts"})
_CHARACTERS = {"enter": "\r", "escape": "\x1b", "space": " ", "tab": "\t"}


@dataclass(frozen=True)
class FaultLevels:
    """The issue's fault levels. ``exact_shares``: the rates are shares of *all* requests.

    ``Faults.decide`` draws one number per kind and tests them in order (status, malformed,
    drop), so ``malformed_rate=0.1`` alone hits 10% of the 80% not already failing (8% of all
    requests) and ``drop_rate=0.1`` 10% of the remaining 72% (7.2%). With ``exact_shares`` the
    rates are scaled so that 20% / 10% / 10% of all requests meet each fault (40% in all).
    """

    latency_ms: float = 300.0
    fail_rate: float = 0.2
    fail_statuses: tuple[int, ...] = (500, 503, 429)
    retry_after: int = 1
    malformed_rate: float = 0.1
    drop_rate: float = 0.1
    #: Whether a failed POST/PATCH was applied before the fault hit its answer (the ambiguous
    #: case): "never", "always", or "alternate" (page by page).
    after_commit: str = "never"
    exact_shares: bool = True
    #: Seconds after which the server stores (and answers) a reply: longer than the client's
    #: timeout, the client gives up on a reply that does go out.
    reply_commit_delay: float = 0.0

    def faults(self, seed: int) -> Faults:
        malformed, drop = self.malformed_rate, self.drop_rate
        if self.exact_shares:
            malformed = malformed / (1 - self.fail_rate)
            drop = drop / ((1 - self.fail_rate) * (1 - malformed))
        return Faults(latency_ms=self.latency_ms, fail_rate=self.fail_rate, fail_statuses=list(self.fail_statuses),
                      retry_after=self.retry_after, malformed_rate=malformed, drop_rate=drop,
                      after_commit=self.after_commit == "always", seed=seed,
                      reply_commit_delay=self.reply_commit_delay)


@dataclass(frozen=True)
class Plan:
    """How much the user does, and on what data."""

    pages: int = 20  # page turns with ]
    opens: int = 50
    downloads: int = 10  # attachments saved
    replies: int = 10
    conversations: int = 600
    page_size: int = 25
    seed: int = 1  # the workspace
    fault_seed: int = 1
    max_attachment: int = 3_000_000  # bytes: the user saves documents, not the 200 MB video
    read_seconds: float = 1.7  # how long a thread is read (the app re-reads it after 1.5 s)
    poll_interval: int = 0
    size: tuple[int, int] = (120, 40)
    step_timeout: float = 120.0
    retry: RetryPolicy | None = None  # None: the client's own policy, as the app builds it
    timeout: float | None = None  # the client's timeout in seconds; None: its own (20 s)


@dataclass
class Failure:
    """An error the client handed to the UI after its own retries."""

    at: float
    wall: float
    step: int
    worker: str
    method: str
    path: str
    kind: str
    text: str
    subject: str = ""  # the conversation or attachment it concerned, when known
    query: dict[str, str] = field(default_factory=dict)
    verdict: str = ""  # shown / notified / quiet-recovered / moved-on / SILENT


@dataclass
class Report:
    seconds: float = 0.0
    requests: int = 0
    faulted: Counter[str] = field(default_factory=Counter)  # by kind (status code for "status")
    by_path: Counter[str] = field(default_factory=Counter)  # faulted requests by route
    routes: Counter[str] = field(default_factory=Counter)  # every request by route
    retries: int = 0
    retried_after: Counter[str] = field(default_factory=Counter)
    failures: list[Failure] = field(default_factory=list)
    notifications: Counter[str] = field(default_factory=Counter)  # by severity
    error_notes: list[str] = field(default_factory=list)
    faces: Counter[str] = field(default_factory=Counter)  # in-pane error faces that appeared
    user_retries: Counter[str] = field(default_factory=Counter)  # what the user pressed to recover
    pages_seen: int = 0
    opened: int = 0
    downloads_started: int = 0
    downloads_ok: int = 0
    replies_typed: int = 0
    replies_on_server: int = 0
    drafts_lost: int = 0
    duplicate_replies: int = 0
    replies_left_as_drafts: int = 0
    crashes: int = 0
    tracebacks: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # every broken invariant, in words

    @property
    def silent(self) -> list[Failure]:
        return [f for f in self.failures if f.verdict == "SILENT"]

    @property
    def user_visible_errors(self) -> int:
        return self.notifications["error"] + self.notifications["warning"] + sum(self.faces.values())

    def lines(self) -> list[str]:
        faulted = sum(self.faulted.values())
        share = (100 * faulted / self.requests) if self.requests else 0
        kinds = _counts(self.faulted)
        verdicts = Counter(f.verdict for f in self.failures)
        return [
            f"wall time                     {self.seconds:.1f} s",
            f"requests made                 {self.requests}",
            f"requests failed (faults)      {faulted} ({share:.1f}%): {kinds}",
            f"client retries                {self.retries} ({_counts(self.retried_after)})",
            f"errors handed to the UI       {len(self.failures)}: {_counts(verdicts)}",
            (f"user-visible errors           {self.user_visible_errors}: notifications error "
            f"{self.notifications['error']}, warning {self.notifications['warning']}; in-pane {_counts(self.faces)}"),
            f"user recoveries               {_counts(self.user_retries)}",
            f"pages shown / opened          {self.pages_seen} / {self.opened}",
            f"downloads                     {self.downloads_ok} of {self.downloads_started} saved byte-identical",
            (f"replies typed / on server     {self.replies_typed} / {self.replies_on_server}"
            f" (left as drafts while faulty: {self.replies_left_as_drafts})"),
            f"SILENT FAILURES               {len(self.silent)}",
            f"DRAFTS LOST                   {self.drafts_lost}",
            f"DUPLICATE REPLIES             {self.duplicate_replies}",
            f"CRASHES                       {self.crashes}",
            f"TRACEBACKS                    {len(self.tracebacks)}",
            f"PROBLEMS                      {len(self.problems)}",
        ]


class _TracebackCatcher(logging.Handler):
    """Log records that carry an exception: something went wrong that nobody expected."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info and record.exc_info[1] is not None and record.name.startswith("unibox_tui"):
            if record.name.startswith("unibox_tui.demo"):
                return
            self.records.append(f"{record.name}: {record.getMessage()} ({record.exc_info[1]!r})")


def _worker_description() -> str:
    try:
        return get_current_worker().description or "a worker"
    except NoActiveWorker:
        return "no worker"


class Session:
    """One run: the server, the app, the probes, and the user's script."""

    def __init__(self, plan: Plan, levels: FaultLevels, folder: Path, *, log: Any = None) -> None:
        self.plan = plan
        self.levels = levels
        self.folder = folder
        self.say = log or (lambda text: None)
        self.rng = random.Random(plan.seed * 1000 + plan.fault_seed)
        self.report = Report()
        self.server = DemoServer(conversations=plan.conversations, seed=plan.seed, now=DEMO_NOW)
        self.downloads = folder / "downloads"
        self.step = 0
        self._lock = threading.Lock()
        self._faces_on: set[str] = set()
        self._failed_transfers: set[tuple[int, float]] = set()
        self.markers: dict[str, str] = {}  # reply marker -> conversation id
        self.saved: dict[tuple[str, str], Any] = {}  # (conversation, attachment) -> Attachment
        self.catcher = _TracebackCatcher()
        self._notified_at: list[float] = []  # warnings and errors
        self._sent_at: list[float] = []  # "Sent" notifications: a reply's fate settled

    # -- setup ----------------------------------------------------------------------------------

    def _client(self) -> ReachkitClient:
        """The client ``make_client`` would build, with its retries and errors counted."""
        client = ReachkitClient(self.server.key, self.server.base_url, retry=self.plan.retry, timeout=self.plan.timeout)
        real_delay, real_request, real_download = client._retry_delay, client._request, client.stream_attachment
        report = self.report

        def counting_delay(error: ReachkitError, policy: Any, attempt: int) -> float | None:
            delay = real_delay(error, policy, attempt)
            if delay is not None:
                with self._lock:
                    report.retries += 1
                    report.retried_after[type(error).__name__] += 1
            return delay

        async def request(method: str, path: str, **kwargs: Any) -> Any:
            try:
                return await real_request(method, path, **kwargs)
            except ReachkitError as error:
                params = kwargs.get("params") or {}
                query = {k: ("true" if v else "false") if isinstance(v, bool) else str(v) for k, v in params.items() if v is not None}
                self._failed(method, path, error, query=query)
                raise

        async def download(conversation_id: str, attachment_id: str, *args: Any, **kwargs: Any) -> Any:
            try:
                return await real_download(conversation_id, attachment_id, *args, **kwargs)
            except ReachkitError as error:
                self._failed("GET", f"attachments/{attachment_id}", error, subject=attachment_id)
                raise

        client._retry_delay = counting_delay  # type: ignore[method-assign]
        client._request = request  # type: ignore[method-assign]
        client.stream_attachment = download  # type: ignore[method-assign]
        return client

    def _failed(self, method: str, path: str, error: ReachkitError, subject: str = "",
                query: dict[str, str] | None = None) -> None:
        worker = _worker_description()
        if not subject and "/conversations/" in path:
            subject = path.split("/conversations/", 1)[1].split("/", 1)[0]
        self.report.failures.append(
            Failure(time.monotonic(), time.time(), self.step, worker, method, path, type(error).__name__,
                    str(error)[:160], subject, query or {})
        )

    def _app(self, client: ReachkitClient) -> UniboxApp:
        settings = Settings(
            profile="faults", api_key=self.server.key, api_key_source="test", base_url=self.server.base_url,
            page_size=self.plan.page_size, poll_interval=self.plan.poll_interval, send_delay=0,
            download_dir=self.downloads,
        )
        app = UniboxApp(settings, client=client, clock=TickingClock(self.server.state.now))
        real_notify = app.notify
        report = self.report

        def notify(message: str, *args: Any, **kwargs: Any) -> None:
            severity = kwargs.get("severity", "information")
            report.notifications[severity] += 1
            if severity in ("error", "warning"):
                report.error_notes.append(f"[{severity}] {kwargs.get('title', '')}: {message}"[:200])
                self._notified_at.append(time.monotonic())
            elif kwargs.get("title") == "Sent":
                self._sent_at.append(time.monotonic())
            if kwargs.get("markup", True):
                report.problems.append(f"a notification parsed as markup: {message[:80]!r}")
            real_notify(message, *args, **kwargs)

        app.notify = notify  # type: ignore[method-assign]
        return app

    # -- driving --------------------------------------------------------------------------------

    @property
    def inbox(self) -> InboxScreen:
        for screen in self.app.screen_stack:
            if isinstance(screen, InboxScreen):
                return screen
        raise AssertionError("no inbox screen")

    def _busy(self) -> bool:
        app = self.app
        for worker in app.workers:
            if not worker.is_finished and worker.group not in BACKGROUND_GROUPS:
                return True
        nodes = [app, *app.screen.walk_children(with_self=True)]
        return any(not node._message_queue.empty() for node in nodes)

    async def idle(self, timeout: float | None = None) -> None:
        """No foreground worker runs and every queue is empty (a few looks in a row), then draw."""
        deadline = time.monotonic() + (timeout or self.plan.step_timeout)
        quiet = 0
        while quiet < 3:
            if not self.app.is_running:
                return
            if time.monotonic() > deadline:
                self.report.problems.append(f"step {self.step}: the app was still busy after {timeout or self.plan.step_timeout:.0f} s")
                return
            if self._busy():
                quiet = 0
                await asyncio.sleep(0.02)
            else:
                quiet += 1
                await asyncio.sleep(0)
        await asyncio.sleep(0)

    async def press(self, *keys: str) -> None:
        for key in keys:
            if not self.app.is_running:
                return
            event = events.Key(key, key if len(key) == 1 else _CHARACTERS.get(key))
            event.set_sender(self.app)
            self.app._driver.send_message(event)
            await self.idle()

    async def press_fast(self, *keys: str) -> None:
        """Keys one after the other without waiting for their effects, then wait."""
        for key in keys:
            event = events.Key(key, key if len(key) == 1 else _CHARACTERS.get(key))
            event.set_sender(self.app)
            self.app._driver.send_message(event)
        await self.idle()

    async def type_text(self, text: str) -> None:
        for char in text:
            await self.press("space" if char == " " else char)

    async def wait(self, seconds: float) -> None:
        await asyncio.sleep(seconds)
        await self.idle()

    async def until(self, condition: Any, timeout: float, what: str) -> bool:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline or not self.app.is_running:
                self.report.problems.append(f"step {self.step}: {what} did not happen in {timeout:.0f} s")
                return False
            await asyncio.sleep(0.05)
        await self.idle()
        return True

    # -- what the user sees ---------------------------------------------------------------------

    def faces(self) -> dict[str, str]:
        """The in-pane error faces on screen now: face -> what identifies this occurrence."""
        inbox = self.inbox
        shown: dict[str, str] = {}
        status = inbox.query_one(ListStatus)
        if status.note:
            shown["list status"] = status.note
        listing = inbox.query_one(ConversationList)
        if not listing.rows and "retry" in listing.placeholder:
            shown["list message"] = listing.placeholder[:40]
        header = inbox.query_one(ThreadHeader)
        if header.note:
            shown["thread note"] = f"{inbox.open_id}"
        lead = inbox.query_one(LeadContext)
        if lead.display and lead.state == "error":
            shown["lead line"] = lead.address
        composer = inbox.query_one(Composer)
        if composer.is_open and composer.mode == "unknown":
            shown["composer: delivery unknown"] = composer.conversation_id or ""
        elif composer.is_open and composer.mode == "editing" and composer.status_note:
            shown["composer: not sent"] = composer.status_note[:40]
        if composer.is_open and composer.signature_state == "failed":
            shown["composer: no signature"] = composer.conversation_id or ""
        return shown

    def sample(self) -> None:
        """Count faces that appeared since the last look; judge the failures of this step."""
        if not self.app.is_running:
            return
        now = self.faces()
        for face, occurrence in now.items():
            key = f"{face}\0{occurrence}"
            if key not in self._faces_on:
                self.report.faces[face] += 1
        self._faces_on = {f"{face}\0{occurrence}" for face, occurrence in now.items()}
        panel = self.inbox.query_one(DownloadsPanel)
        for transfer in panel.transfers:
            if transfer.state is TransferState.FAILED and transfer.finished_at is not None:
                key = (transfer.id, transfer.finished_at)
                if key not in self._failed_transfers:
                    self._failed_transfers.add(key)
                    self.report.faces["download row failed"] += 1
        self._judge(now)
        text = "\n".join(strip.text for strip in self.app.screen._compositor.render_strips())
        if "Traceback" in text:
            self.report.problems.append(f"step {self.step}: a traceback on screen")

    def _judge(self, faces: dict[str, str]) -> None:
        """Each failure of this step: explained by its pane, a notification, or recovered later."""
        inbox = self.inbox
        composer = inbox.query_one(Composer)
        for failure in self.report.failures:
            if failure.verdict:
                continue
            notified = any(t >= failure.at for t in self._notified_at)
            worker = failure.worker
            if worker == "Loading conversations" and ("list status" in faces or "list message" in faces or notified):
                failure.verdict = "shown"
            elif worker in ("Loading conversation", "Opening the conversation"):
                if failure.subject != inbox.open_id:
                    failure.verdict = "moved on"  # a stale answer is dropped: the pane shows another
                elif "thread note" in faces or notified:
                    failure.verdict = "shown"
            elif worker == "Looking up the lead":
                lead = inbox.query_one(LeadContext)
                failure.verdict = "shown" if "lead line" in faces else "moved on" if lead.state != "loading" else ""
            elif worker == "Loading inboxes" and ("composer: no signature" in faces or not composer.is_open):
                failure.verdict = "shown"
            elif worker == "Downloading an attachment":
                if any(t.attachment.id == failure.subject and t.state is TransferState.FAILED for t in inbox.query_one(DownloadsPanel).transfers):
                    failure.verdict = "shown"
            elif worker == "Checking for new mail" and "list status" in faces:
                failure.verdict = "shown"
            elif worker in ("Sending the reply", "Checking delivery") and any(t >= failure.at for t in self._sent_at) and not notified:
                failure.verdict = "recovered: the reply was found sent"
            elif worker == "Checking delivery" and ("composer: delivery unknown" in faces or self._asking()):
                failure.verdict = "shown"
            elif worker == "Checking delivery":
                failure.verdict = "quiet"  # a background recheck: the next one asks again (judged at the end)
            elif worker in QUIET_BY_DESIGN:
                failure.verdict = "quiet"  # checked for a later good answer at the end
            elif notified or any(face.startswith("composer") for face in faces):
                failure.verdict = "notified"
            if not failure.verdict and failure.step < self.step - 1:
                failure.verdict = "SILENT"

    # -- the script -----------------------------------------------------------------------------

    async def run(self) -> Report:
        plan = self.plan
        self.server.start()
        self.server.faults = self.levels.faults(plan.fault_seed)
        logging.getLogger().addHandler(self.catcher)
        client = self._client()
        self.app = self._app(client)
        started = time.monotonic()
        try:
            async with self.app.run_test(size=plan.size, notifications=True) as pilot:
                self.pilot = pilot
                await self._script()
                if self.app.is_running:
                    await self._verify()
                if not self.app.is_running:
                    self.report.crashes += 1
                    self.report.problems.append(f"the app stopped (return code {self.app.return_code})")
        except Exception as error:  # noqa: BLE001 - the report must say the app crashed
            self.report.crashes += 1
            self.report.problems.append(f"the app crashed: {error!r}")
        finally:
            self.report.seconds = time.monotonic() - started
            logging.getLogger().removeHandler(self.catcher)
            await client.aclose()
            self.server.stop()
        self._tally_requests()
        self.report.tracebacks = list(self.catcher.records)
        return self.report

    def next_step(self, what: str) -> None:
        self.sample()
        self.step += 1
        self.say(f"step {self.step}: {what}")

    async def _script(self) -> None:
        plan = self.plan
        await self.until(lambda: bool(self.inbox.query_one(ConversationList).rows) or bool(self.faces()), 60, "the first page")
        await self._recover_list()
        visits = plan.pages + 1
        opens = _spread(plan.opens, visits)
        replies = _spread(plan.replies, visits)
        for index in range(visits):
            if index:
                if index % 4 == 3 and index < visits - 1:
                    # Impatient: two pages on and one back before anything has arrived.
                    self.next_step(f"] ] [ to page {index + 1}")
                    await self.press_fast("right_square_bracket", "right_square_bracket", "left_square_bracket")
                else:
                    self.next_step(f"] to page {index + 1}")
                    await self.press("right_square_bracket")
                await self._recover_list()
                if self.inbox.query_one(ListStatus).loading:
                    self.report.problems.append(f"step {self.step}: the list says loading with nothing on its way")
                if self.inbox.page_number != index + 1:
                    self.report.problems.append(f"step {self.step}: page {self.inbox.page_number} shown, not {index + 1}")
            if self.levels.after_commit == "alternate":
                self.server.faults.after_commit = index % 2 == 1
            self.report.pages_seen += 1
            self._check_list_unique()
            self._check_page_against_server()
            rows = self.inbox.query_one(ConversationList).rows
            if not rows:
                continue
            wanted = min(opens[index], len(rows))
            positions = sorted(self.rng.sample(range(len(rows)), wanted))
            # The user saves documents where they see them, while downloads are still wanted.
            if len(self.saved) < plan.downloads:
                with_files = [i for i, row in enumerate(rows) if self._savable(row.id)]
                if with_files and with_files[0] not in positions:
                    positions = sorted({*positions[1:], with_files[0]}) if positions else [with_files[0]]
            reply_at = set(self.rng.sample(positions, min(replies[index], len(positions))))
            for position in positions:
                await self._open(position, reply=position in reply_at)
        self.next_step("downloads panel: retry what failed")
        await self._finish_downloads()

    async def _recover_list(self) -> None:
        """The list could not load: the status line says ctrl+r retries, so the user does."""
        for _ in range(8):
            self.sample()
            status = self.inbox.query_one(ListStatus)
            listing = self.inbox.query_one(ConversationList)
            if "could not load" not in status.note and listing.rows:
                return
            self.report.user_retries["ctrl+r (list)"] += 1
            await self.press("ctrl+r")
        self.report.problems.append(f"step {self.step}: the list never loaded after 8 ctrl+r")

    def _check_list_unique(self) -> None:
        ids = [row.id for row in self.inbox.query_one(ConversationList).rows]
        if len(ids) != len(set(ids)):
            self.report.problems.append(f"step {self.step}: duplicate rows in the list: {len(ids) - len(set(ids))}")

    def _check_page_against_server(self) -> None:
        """The page on screen holds the server's conversations for it, in its order."""
        key = self.inbox.model.painted
        if key is None:
            return
        items, _ = self.server.state.list_conversations(folder=key.folder, page=key.page, page_size=key.page_size)
        expected = [item.get("id") for item in items]
        shown = [row.id for row in self.inbox.query_one(ConversationList).rows]
        if shown != expected:
            self.report.problems.append(f"step {self.step}: page {key.page} shows other conversations than the server's")

    def _savable(self, conversation_id: str) -> bool:
        try:
            record = self.server.state.conversation(conversation_id)
        except Exception:  # noqa: BLE001 - a raw conversation
            return False
        return any(
            0 < a.size <= self.plan.max_attachment and (conversation_id, a.id) not in self.saved
            for m in record.messages for a in m.attachments
        )

    async def _open(self, position: int, *, reply: bool) -> None:
        inbox = self.inbox
        listing = inbox.query_one(ConversationList)
        if position >= len(listing.rows):
            return
        self.next_step(f"open row {position}")
        if listing.cursor > position:
            await self.press("home")
        while listing.cursor < position and listing.rows:
            await self.press("j")
        row = listing.current_row
        if row is None:
            return
        await self.press("enter")
        self.report.opened += 1
        await self.press("space")  # reading
        await self.wait(self.plan.read_seconds)
        await self._recover_thread(row.id)
        self._check_thread(row.id)
        if self._savable(row.id) and len(self.saved) < self.plan.downloads:
            await self._save_attachments(row.id)
        if reply:
            await self._reply(row.id)
        if inbox.focused is not listing:
            await self.press("escape")

    async def _recover_thread(self, conversation_id: str) -> None:
        for _ in range(6):
            self.sample()
            header = self.inbox.query_one(ThreadHeader)
            if not header.note:
                return
            self.report.user_retries["ctrl+r (thread)"] += 1
            await self.press("ctrl+r")
            await self.wait(0.1)
        self.report.problems.append(f"step {self.step}: thread {conversation_id} never refreshed after 6 ctrl+r")

    def _check_thread(self, conversation_id: str) -> None:
        """The open thread: this conversation, no message twice, the same messages as the server."""
        inbox = self.inbox
        document = inbox.query_one(ThreadView).document
        if inbox.open_id != conversation_id or document is None:
            self.report.problems.append(f"step {self.step}: {conversation_id} is not the open thread")
            return
        shown = [fingerprint(m) for m in document.conversation.messages]
        server = Conversation.from_api(self.server.state.get_conversation_dict(conversation_id))
        if Counter(shown) - Counter(fingerprint(m) for m in server.messages):
            self.report.problems.append(f"step {self.step}: a message shown more often than the server has it in {conversation_id}")
        if _messages(document.conversation) != _messages(server):
            self.report.problems.append(
                f"step {self.step}: thread {conversation_id} shows {len(shown)} messages, the server has {len(server.messages)}"
            )

    async def _save_attachments(self, conversation_id: str) -> None:
        """``s``, then in the picker mark the documents worth saving with space, and enter."""
        record = self.server.state.conversation(conversation_id)
        attachments = [a for m in record.messages for a in m.attachments]
        self.next_step(f"s on {conversation_id}")
        await self.press("s")
        if not await self.until(lambda: isinstance(self.app.screen, AttachmentPicker), 10, "the picker"):
            return
        picker = self.app.screen
        assert isinstance(picker, AttachmentPicker)
        marked = 0
        for index, (_, attachment, _) in enumerate(picker.entries):
            if len(self.saved) >= self.plan.downloads:
                break
            known = next((a for a in attachments if a.id == attachment.id), None)
            if known is None or not 0 < known.size <= self.plan.max_attachment or (conversation_id, known.id) in self.saved:
                continue
            options = picker.query_one("#picker-options")
            while options.highlighted is not None and options.highlighted < index:
                await self.press("down")
            while options.highlighted is not None and options.highlighted > index:
                await self.press("up")
            await self.press("space")
            self.saved[(conversation_id, known.id)] = known
            marked += 1
        await self.press("enter" if marked else "escape")
        self.report.downloads_started += marked

    async def _reply(self, conversation_id: str) -> None:
        """``r``, type, ``ctrl+s``; ``ctrl+s`` again whenever the composer allows it, never "send anyway"."""
        self.next_step(f"reply to {conversation_id}")
        await self.press("r")
        composer = self.inbox.query_one(Composer)
        if not composer.is_open or composer.conversation_id != conversation_id:
            self.report.problems.append(f"step {self.step}: r did not open the composer on {conversation_id}")
            return
        marker = f"fr{self.plan.fault_seed}x{len(self.markers):03d}"
        self.markers[marker] = conversation_id
        await self.type_text(f"thanks {marker}")
        self.report.replies_typed += 1
        await self.press("ctrl+s")
        for _ in range(24):
            await self._answer_the_question(composer, keep_checking=True)
            await self.until(lambda: composer.mode not in ("sending", "checking"), 60, "the send to settle")
            self.sample()
            if not (composer.is_open and composer.conversation_id == conversation_id):
                return  # sent: the composer closed
            unknown = composer.mode == "unknown"
            self.report.user_retries["ctrl+s (" + ("check" if unknown else "resend") + ")"] += 1
            await self.press("ctrl+s")
            if unknown:
                await self.wait(0.5)  # a look, and a question; the late commit may land meanwhile
        await self._answer_the_question(composer, keep_checking=True)
        await self.press("escape")  # keeps the draft
        self.report.replies_left_as_drafts += 1

    def _asking(self) -> bool:
        return isinstance(self.app.screen, SendAnywayScreen)

    async def _answer_the_question(self, composer: Composer, *, keep_checking: bool) -> None:
        """The "delivery unknown" question: once the look it started is over, keep checking or send anyway."""
        if not self._asking():
            return
        await self.until(lambda: composer.mode != "checking" or not self._asking(), 60, "the look to end")
        if self._asking():
            if not keep_checking:
                self.report.user_retries["send anyway (faults off)"] += 1
            await self.press("n" if keep_checking else "y")

    async def _finish_downloads(self) -> None:
        """The downloads panel (S): wait for the batch, then r on every failed row, until all saved."""
        panel = self.inbox.query_one(DownloadsPanel)
        if not panel.transfers:
            return
        await self.press("S")
        for _ in range(15):
            await self.until(lambda: not any(t.state.active for t in panel.transfers), 180, "the downloads to end")
            self.sample()
            failed = [i for i, t in enumerate(panel.transfers) if t.state in (TransferState.FAILED, TransferState.CANCELLED)]
            if not failed:
                break
            for index in failed:
                while panel.cursor < index:
                    await self.press("j")
                while panel.cursor > index:
                    await self.press("k")
                self.report.user_retries["r (download)"] += 1
                await self.press("r")
        await self.press("S")

    # -- the verdict, with the faults off --------------------------------------------------------

    async def _verify(self) -> None:
        self.next_step("faults off; drafts resent; ctrl+r")
        self.server.faults.clear()
        # Late commits still on their way land first: only then can "not found" be trusted.
        await self.wait(self.levels.reply_commit_delay + 1.0 if self.levels.reply_commit_delay else 0.0)
        await self._send_leftover_drafts()
        if self.app.screen is not self.inbox:
            await self.press("escape")
        inbox = self.inbox
        if inbox.query_one(Composer).is_open:
            await self.press("escape")
        await self.press("ctrl+r")
        await self.wait(0.2)
        self.sample()
        fresh = ReachkitClient(self.server.key, self.server.base_url)
        try:
            await self._compare_list(fresh)
            # Back to the first page, where the replied conversations now lead.
            while inbox.page_number > 1:
                await self.press("left_square_bracket")
            await self.press("ctrl+r")
            await self._compare_list(fresh)
            replied = set(self.markers.values())
            listing = inbox.query_one(ConversationList)
            await self.press("home")
            for position, row in enumerate(list(listing.rows)):
                if row.id not in replied:
                    continue
                while listing.cursor < position:
                    await self.press("j")
                await self.press("enter")
                await self.wait(self.plan.read_seconds)
                self._check_thread(row.id)
                await self.press("escape")
        finally:
            await fresh.aclose()
        self.sample()
        self._count_replies()
        self._check_downloads()
        for failure in self.report.failures:
            if not failure.verdict:
                failure.verdict = "SILENT"
            if failure.verdict == "quiet":
                if self._answered_later(failure):
                    failure.verdict = "quiet, answered later"
                elif failure.worker == "Prefetching":
                    failure.verdict = "quiet, page never visited"
                else:
                    failure.verdict = "SILENT"

    async def _send_leftover_drafts(self) -> None:
        """Each draft the session left: D, enter on it, ctrl+s (a pending one is checked first)."""
        composer = self.inbox.query_one(Composer)
        for _ in range(self.plan.replies + 2):
            if not any(any(m in d.text for m in self.markers) for d in self.app.drafts.list()):
                return
            await self.press("D")
            room = self.app.screen
            if not await self.until(lambda: isinstance(self.app.screen, DraftsScreen) and bool(self.app.screen.drafts), 10, "the drafts room"):
                return
            assert isinstance(room, DraftsScreen)
            await self._send_draft(room.drafts[0].conversation_id, composer)

    async def _send_draft(self, conversation_id: str, composer: Composer) -> None:
        def settled() -> bool:
            gone = self.app.drafts.load(conversation_id) is None
            return gone or (composer.is_open and composer.mode in ("editing", "unknown"))

        await self.press("enter")
        await self.until(settled, 30, "the draft to open")  # a pending one is checked on opening
        if composer.is_open and composer.conversation_id == conversation_id:
            self.report.user_retries["ctrl+s (draft, faults off)"] += 1
            await self.press("ctrl+s")  # unknown: a last look, then (faults off, commits landed) send anyway
            await self._answer_the_question(composer, keep_checking=False)
            await self.until(settled, 30, "the draft to go")
        if composer.is_open:
            await self.press("escape")

    async def _compare_list(self, fresh: ReachkitClient) -> None:
        inbox = self.inbox
        self._check_list_unique()
        key = inbox.model.painted
        if key is None:
            self.report.problems.append("no page painted at the end")
            return
        page: Page[Conversation] = await fresh.list_conversations(page=key.page, page_size=key.page_size, folder=key.folder)
        now = datetime.now(UTC)
        expected = [replace(build_row(c, now), date="") for c in page.items]
        # (Follow-up notes, "back 14 Dec" and the like, are this machine's words over the server's rows.)
        shown = [replace(row, date="", woken="", away="") for row in inbox.query_one(ConversationList).rows]
        if shown != expected:
            differ = sum(1 for a, b in zip(shown, expected, strict=False) if a != b) + abs(len(shown) - len(expected))
            self.report.problems.append(f"page {key.page} after ctrl+r: {differ} rows differ from the server's")

    def _count_replies(self) -> None:
        state = self.server.state
        drafts = self.app.drafts.list()
        for marker, conversation_id in self.markers.items():
            copies = sum(1 for reply in state.replies(conversation_id) if marker in reply["html_body"])
            self.report.replies_on_server += min(copies, 1)
            if copies > 1:
                self.report.duplicate_replies += copies - 1
            if copies == 0 and not any(marker in d.text for d in drafts):
                self.report.drafts_lost += 1

    def _check_downloads(self) -> None:
        panel = self.inbox.query_one(DownloadsPanel)
        done = {(t.conversation_id, t.attachment.id): t for t in panel.transfers if t.state is TransferState.DONE}
        for key, attachment in self.saved.items():
            transfer = done.get(key)
            if transfer is None or transfer.path is None:
                self.report.problems.append(f"attachment {attachment.filename!r} was never saved")
                continue
            expected = hashlib.sha256(b"".join(self.server.state.attachment_chunks(attachment))).hexdigest()
            data = transfer.path.read_bytes()
            if len(data) != attachment.size or hashlib.sha256(data).hexdigest() != expected:
                self.report.problems.append(f"{transfer.path.name}: {len(data)} bytes, not the server's {attachment.size}")
            else:
                self.report.downloads_ok += 1
        leftovers = [p.name for p in self.downloads.glob("*.part")] if self.downloads.exists() else []
        if leftovers:
            self.report.problems.append(f".part files left behind: {leftovers}")
        files = list(self.downloads.iterdir()) if self.downloads.exists() else []
        if len(files) != len(self.saved):
            self.report.problems.append(f"{len(files)} files in the download folder for {len(self.saved)} attachments")

    def _answered_later(self, failure: Failure) -> bool:
        """A quiet background failure is fine if the same request got a good answer afterwards."""
        return any(
            record.method == failure.method and record.path.endswith(failure.path) and record.query == failure.query
            and record.fault is None and record.status < 400 and record.time > failure.wall
            for record in self.server.requests
        )

    def _tally_requests(self) -> None:
        records = self.server.requests
        report = self.report
        report.requests = len(records)
        for record in records:
            report.routes[_route(record.method, record.path)] += 1
            if record.fault == "status":
                report.faulted[f"HTTP {record.status}"] += 1
            elif record.fault:
                report.faulted[record.fault] += 1
            if record.fault:
                report.by_path[_route(record.method, record.path)] += 1


def _counts(counter: Counter[str]) -> str:
    return ", ".join(f"{key} {value}" for key, value in sorted(counter.items()))


def _messages(conversation: Conversation) -> list[tuple[str, str, str, int]]:
    return [(m.direction, m.email_date_raw, m.html_body, len(m.attachments)) for m in conversation.messages]


def _route(method: str, path: str) -> str:
    parts = path.split("/")
    shown = [p if p in ("api", "v1", "unibox", "conversations", "attachments", "reply", "campaigns", "leads", "inboxes") or not p else ":id" for p in parts]
    return f"{method} {'/'.join(shown)}"


def _spread(total: int, buckets: int) -> list[int]:
    """``total`` split over ``buckets`` as evenly as possible (the remainder to the first ones)."""
    base, extra = divmod(total, buckets)
    return [base + (1 if i < extra else 0) for i in range(buckets)]


async def run_session(plan: Plan, levels: FaultLevels, folder: Path, *, log: Any = None) -> Report:
    return await Session(plan, levels, folder, log=log).run()


@contextlib.contextmanager
def isolated_dirs(folder: Path) -> Any:
    """XDG folders under ``folder`` for a run outside pytest (drafts and settings stay there)."""
    import os

    names = {f"XDG_{name}_HOME": str(folder / name.lower()) for name in ("CONFIG", "DATA", "CACHE", "STATE")}
    names["HOME"] = str(folder / "home")
    before = {name: os.environ.get(name) for name in names}
    os.environ.update(names)
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
