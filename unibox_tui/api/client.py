"""The async Reachkit client: one ``httpx.AsyncClient``, typed results, one error tree.

Safe requests (GET, and PATCH/DELETE, whose bodies set absolute values) are retried with
exponential backoff and full jitter on 429/500/502/503/504, network failures and mangled JSON,
honouring ``Retry-After`` up to a cap. POSTs are never retried: a reply sent twice is the worst
thing this app can do, so the caller decides (see ``OutcomeUnknownError``).
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import json
import logging
import math
import os
import random
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final
from urllib.parse import quote

import httpx

from .. import APP_NAME, __version__
from ..redact import remember
from ._download import THREADS as DOWNLOAD_THREADS
from .budget import RequestBudget
from ._download import PartJob
from ._failures import HTTPX_ERRORS, from_httpx
from .errors import (
    APIError,
    AuthenticationError,
    ConflictError,
    InsecureURLError,
    NotFoundError,
    ProtocolError,
    RateLimitedError,
    ReachkitError,
    ServerError,
    UnsupportedError,
    ValidationError,
)
from .network import Route, plan_route
from .urls import API_PREFIX, DEFAULT_BASE_URL, is_loopback, normalise_base_url
from .models import (
    BlocklistEntry,
    Campaign,
    CampaignAnalytics,
    Conversation,
    Inbox,
    Lead,
    Message,
    Page,
    SequenceStep,
    WarmupStats,
    as_bool,
    as_dict,
    as_int,
    as_str,
    parse_list,
)

__all__ = [
    "DEFAULT_BASE_URL",
    "DownloadResult",
    "ReachkitClient",
    "RetryPolicy",
    "normalise_base_url",
]

log = logging.getLogger(__name__)

MAX_PAGE_SIZE: Final = 100
#: An index the API page documents as one list (campaigns, inboxes, blocklist) is still followed
#: through ``metadata`` pages if a server paginates it, up to this many pages.
MAX_INDEX_PAGES: Final = 50
CAMPAIGN_STATUSES: Final = ("active", "paused")
#: A JSON answer bigger than this is refused rather than held in memory.
MAX_JSON_BYTES: Final = 64 * 1024 * 1024
#: JSON bigger than this is decoded in a thread so the UI's event loop keeps answering.
THREAD_DECODE_BYTES: Final = 256 * 1024
RETRY_STATUSES: Final = frozenset({429, 500, 502, 503, 504})
#: ``_Capabilities.extra`` key: True once ``GET /blocklist/check?email=`` answered (the newer page's
#: form), False once the documented ``GET /blocklist/:id/check`` did.
NEWER_BLOCKLIST_CHECK: Final = "blocklist_check_newer"

ProgressCallback = Callable[[int, int | None], None]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How hard a safe request tries. ``attempts`` counts the first try."""

    attempts: int = 4
    base_delay: float = 0.4
    max_delay: float = 8.0
    #: A ``Retry-After`` longer than this is not waited for: the error goes to the caller.
    max_retry_after: float = 30.0

    def backoff(self, attempt: int) -> float:
        """Full jitter: a random wait up to base * 2^attempt, capped."""
        return random.uniform(0, min(self.max_delay, self.base_delay * (2**attempt)))


NO_RETRY = RetryPolicy(attempts=1)


@dataclass(frozen=True, slots=True)
class DownloadResult:
    path: Path
    size: int
    content_type: str = ""


@dataclass(slots=True)
class _Capabilities:
    """Optional (newer) endpoints: ``None`` until tried, then what the server showed."""

    conversation_patch: bool | None = None
    create_conversation: bool | None = None
    extra: dict[str, bool] = field(default_factory=dict)


def _retry_after_seconds(response: httpx.Response) -> float | None:
    """``Retry-After`` as seconds, from either delta-seconds or an HTTP date."""
    value = response.headers.get("retry-after")
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - datetime.now(UTC)).total_seconds()
    if not math.isfinite(seconds):
        return None
    return max(0.0, seconds)


def _summarise_details(details: Any) -> str:
    """A short human sentence from a ``details`` value of any shape."""
    if details is None:
        return ""
    if isinstance(details, str):
        return details
    if isinstance(details, Mapping):
        parts = []
        for key, value in list(details.items())[:6]:
            if isinstance(value, list):
                value = ", ".join(as_str(v) for v in value[:3])
            parts.append(f"{key}: {as_str(value) or value!r}")
        return "; ".join(parts)
    if isinstance(details, list):
        return "; ".join(as_str(v) or repr(v) for v in details[:6])
    return as_str(details)


def _sentence(text: str) -> str:
    """``text`` with a full stop, unless the server's words already end one."""
    return text if text.endswith((".", "!", "?", "…")) else text + "."


def _short(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class ReachkitClient:
    """An async client for Reachkit's REST API (``/api/v1``). Use it as an async context manager.

    >>> async with ReachkitClient("key") as client:
    ...     page = await client.list_conversations(folder="primary")
    """

    def __init__(
        self,
        api_key: str,
        base_url: str = DEFAULT_BASE_URL,
        *,
        timeout: httpx.Timeout | float | None = None,
        retry: RetryPolicy | None = None,
        allow_insecure: bool = False,
        transport: httpx.AsyncBaseTransport | None = None,
        user_agent: str | None = None,
        max_connections: int = 8,
        trust_env: bool = True,
        budget: RequestBudget | None = None,
    ) -> None:
        """``trust_env``: honour HTTPS_PROXY/NO_PROXY/SSL_CERT_FILE... (see ``network.py``).
        ``budget``: the request budget every request of this client draws from (``budget.py``).

        Raises ``InsecureURLError`` (plain http to a remote host, or through a proxy) and
        ``NetworkSetupError`` (a proxy or certificate setting that cannot be used).
        """
        self.base_url = normalise_base_url(base_url, allow_insecure=allow_insecure)
        _check_host_as_httpx_reads_it(self.base_url, allow_insecure)
        self.retry = retry or RetryPolicy()
        self.capabilities = _Capabilities()
        #: Shared by every worker: priorities, and a 429's Retry-After pauses every request.
        self.budget = budget or RequestBudget()
        if timeout is None:
            timeout = httpx.Timeout(20.0, connect=5.0, pool=10.0)
        elif not isinstance(timeout, httpx.Timeout):
            timeout = httpx.Timeout(timeout)
        self.timeout = timeout
        #: The way to the API (proxy, trusted CAs); None when a transport was given (tests).
        self.route: Route | None = None
        if transport is None:
            self.route = plan_route(self.base_url, trust_env=trust_env)
            transport = self.route.async_transport(max_connections)
            log.info("connecting to %s%s", self.base_url, self.route.describe())
        self._api_key = api_key
        remember(api_key)  # from now on no error message or log line can carry it
        self._http = httpx.AsyncClient(
            base_url=self.base_url + API_PREFIX,
            headers={
                "Authorization": f"Bearer {api_key}",
                "Accept": "application/json",
                "User-Agent": user_agent or f"{APP_NAME}/{__version__} httpx/{httpx.__version__}",
            },
            timeout=timeout,
            transport=transport,
            follow_redirects=False,
            trust_env=False,  # the route above read the environment, once, by our rules
        )
        #: Download threads' own pool (made on the first download): see ``stream_attachment``.
        self._blocking: httpx.Client | None = None
        #: A test transport that also serves blocking requests (``httpx.MockTransport`` does).
        self._blocking_transport = transport if isinstance(transport, httpx.BaseTransport) else None

    def __repr__(self) -> str:  # never show the key
        return f"ReachkitClient(base_url={self.base_url!r})"

    async def __aenter__(self) -> ReachkitClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()
        if self._blocking is not None:
            self._blocking.close()

    @property
    def closed(self) -> bool:
        return self._http.is_closed

    # -- the core --------------------------------------------------------------------------------

    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        retry: RetryPolicy | None = None,
        not_found_ok_after_retry: bool = False,
    ) -> Any:
        """Send one request (retrying per ``retry``) and return the decoded JSON (None for 204)."""
        policy = retry or NO_RETRY
        attempt = 0
        while True:
            attempt += 1
            try:
                return await self._request_once(method, path, params=params, json_body=json_body)
            except NotFoundError:
                if not_found_ok_after_retry and attempt > 1:
                    return None  # a retried DELETE whose first try got through
                raise
            except ReachkitError as error:
                if attempt >= policy.attempts or not error.transient:
                    raise
                delay = self._retry_delay(error, policy, attempt)
                if delay is None:
                    raise
                log.info("retrying %s %s in %.2fs after: %s", method, path, delay, error)
                await asyncio.sleep(delay)

    @staticmethod
    def _retry_delay(error: ReachkitError, policy: RetryPolicy, attempt: int) -> float | None:
        retry_after = getattr(error, "retry_after", None)
        if retry_after is not None:
            if retry_after > policy.max_retry_after:
                return None
            return retry_after + random.uniform(0, min(1.0, retry_after * 0.1))
        return policy.backoff(attempt)

    async def _request_once(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None,
        json_body: Any,
    ) -> Any:
        await self.budget.acquire()
        try:
            async with self._http.stream(
                method, path, params=_clean_params(params), json=json_body
            ) as response:
                if response.status_code >= 400:
                    body = await self._error_body(response, method, path)
                    raise self._noted(self._error_from(response, body, method, path))
                if 300 <= response.status_code < 400:
                    raise _redirect_error(response, method, path)
                if response.status_code == 204:
                    return None
                body = await self._read_capped(response, MAX_JSON_BYTES, method, path)
        except ReachkitError:
            raise
        except HTTPX_ERRORS as error:
            raise from_httpx(error, self.base_url) from None
        except RuntimeError as error:
            raise self._closed_error(error) from None
        if not body.strip():
            return None
        if len(body) > THREAD_DECODE_BYTES:
            return await asyncio.to_thread(_decode_json, body, method, path)
        return _decode_json(body, method, path)

    def _closed_error(self, error: RuntimeError) -> ReachkitError:
        """httpx's "the client has been closed" (a workspace switched meanwhile); other bugs go up."""
        if not self._http.is_closed:
            raise error
        return from_httpx(error, self.base_url)

    async def _error_body(self, response: httpx.Response, method: str, path: str) -> bytes:
        """What an error answer says, as far as it can be read: a damaged body never hides the status."""
        try:
            return await self._read_capped(response, 256 * 1024, method, path, strict=False)
        except HTTPX_ERRORS:
            return b""

    async def _read_capped(
        self, response: httpx.Response, limit: int, method: str, path: str, *, strict: bool = True
    ) -> bytes:
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > limit:
                if strict:
                    raise ProtocolError(
                        f"The answer to {method} {path} is larger than {limit // 2**20} MB; refused."
                    )
                break
            chunks.append(chunk)
        return b"".join(chunks)

    def _noted(self, error: APIError) -> APIError:
        """A 429 tells the budget: every request waits out its Retry-After, not only this one."""
        if isinstance(error, RateLimitedError):
            self.budget.back_off(error.retry_after)
        return error

    def _error_from(self, response: httpx.Response, body: bytes, method: str, path: str) -> APIError:
        status = response.status_code
        payload: Any = None
        try:
            payload = json.loads(body) if body else None
        except ValueError:
            payload = None
        error_text = ""
        details: Any = None
        if isinstance(payload, dict):
            error_text = as_str(payload.get("error")) or as_str(payload.get("message"))
            if isinstance(payload.get("error"), dict):  # {"error": {"message": ..., "details": ...}}
                inner = payload["error"]
                error_text = as_str(inner.get("message"))
                details = inner.get("details")
            details = payload.get("details", details)
        detail_text = _summarise_details(details)
        server_says = _short(
            error_text + (f": {detail_text}" if detail_text and detail_text not in error_text else "")
        )
        kwargs: dict[str, Any] = {"status": status, "details": details, "method": method, "path": path}
        retry_after = _retry_after_seconds(response)
        if status in (401, 403):
            what = "was refused (HTTP 401)" if status == 401 else "has no access (HTTP 403)"
            return AuthenticationError(
                f"The API key {what}"
                + (f": {server_says}" if server_says else "")
                + f". {AuthenticationError.PLAN_HINT}",
                **kwargs,
            )
        if status == 404:
            return NotFoundError(server_says or f"Not found: {path}", **kwargs)
        if status in (400, 422):
            return ValidationError(server_says or f"The server refused the request (HTTP {status}).", **kwargs)
        if status == 409:
            return ConflictError(server_says or "The request conflicts with the server's state.", **kwargs)
        if status == 429:
            wait = f" Try again in {math.ceil(retry_after)} s." if retry_after is not None else ""
            return RateLimitedError(
                _sentence(f"Reachkit is rate limiting requests{': ' + server_says if server_says else ''}") + wait,
                retry_after=retry_after,
                **kwargs,
            )
        if status >= 500:
            return ServerError(
                _sentence(f"Reachkit had a server error (HTTP {status})" + (f": {server_says}" if server_says else "")),
                retry_after=retry_after,
                **kwargs,
            )
        return APIError(server_says or f"Unexpected answer HTTP {status}.", **kwargs)

    async def _get_data(
        self, path: str, *, params: Mapping[str, Any] | None = None
    ) -> tuple[Any, dict[str, Any]]:
        body = await self._request("GET", path, params=params, retry=self.retry)
        return _data_of(body, "GET", path), as_dict(body)

    async def _get_index(self, path: str, what: str) -> list[Any]:
        """Every item of an index the API page shows unpaginated.

        The documented answer is ``{"data": [...]}``; should a server add ``metadata`` with more
        pages (a big blocklist), the later pages are fetched too, so no entry silently goes missing.
        """
        data, body = await self._get_data(path)
        items = _require_list(data, what)
        meta = as_dict(body.get("metadata")) or as_dict(body.get("meta"))
        total_pages = min(MAX_INDEX_PAGES, as_int(meta.get("total_pages"), 1) or 1)
        page = as_int(meta.get("page"), 1) or 1
        while page < total_pages:
            page += 1
            more, _ = await self._get_data(path, params={"page": page, "page_size": MAX_PAGE_SIZE})
            more_items = _require_list(more, what)
            if not more_items:
                break
            items.extend(more_items)
        return items

    # -- Unibox ----------------------------------------------------------------------------------

    async def list_conversations(
        self,
        *,
        page: int = 1,
        page_size: int = 20,
        search: str | None = None,
        folder: str | None = None,
    ) -> Page[Conversation]:
        """One page of conversations; ``page_size`` is clamped to 1..100."""
        page = max(1, int(page))
        page_size = min(MAX_PAGE_SIZE, max(1, int(page_size)))
        params: dict[str, Any] = {"page": page, "page_size": page_size}
        if search and search.strip():
            params["search"] = search.strip()
        if folder:
            params["folder"] = folder.strip().lower()
        path = "/unibox/conversations"
        body = await self._request("GET", path, params=params, retry=self.retry)
        body_dict = as_dict(body)
        if not isinstance(body_dict.get("data"), list):
            raise ProtocolError("The conversation list came back without a `data` list.")

        def parse() -> Page[Conversation]:
            return Page.from_api(
                body_dict,
                lambda raw, index: Conversation.from_api(raw, fallback_id=f"#{page}-{index}"),
                page=page,
                page_size=page_size,
            )

        if len(body_dict["data"]) > 40:
            return await asyncio.to_thread(parse)
        return parse()

    async def get_conversation(self, conversation_id: str) -> Conversation:
        path = f"/unibox/conversations/{_seg(conversation_id)}"
        data, _ = await self._get_data(path)
        if not isinstance(data, dict):
            raise ProtocolError("The conversation came back without a `data` object.")
        return Conversation.from_api(data, fallback_id=conversation_id)

    async def reply(self, conversation_id: str, content: str) -> Message:
        """Send a reply (HTML ``content``). Never retried: see ``OutcomeUnknownError``."""
        path = f"/unibox/conversations/{_seg(conversation_id)}/reply"
        body = await self._request("POST", path, json_body={"content": content}, retry=NO_RETRY)
        data = as_dict(body).get("data")
        message = Message.from_api(data)
        if message is None:
            # The server accepted it (2xx) but said nothing usable: still sent.
            return Message(direction="outgoing", html_body=content)
        return message

    async def update_conversation(
        self,
        conversation_id: str,
        *,
        is_read: bool | None = None,
        label_override: str | None = None,
        clear_label: bool = False,
    ) -> Conversation | None:
        """The newer PATCH: mark read/unread and/or set (or clear) the manual label.

        ``label_override=None`` leaves the label alone; ``clear_label=True`` sends ``null``
        (revert to the AI label). Raises ``UnsupportedError`` when the server has no such
        endpoint (404/405), and remembers that.
        """
        payload: dict[str, Any] = {}
        if is_read is not None:
            payload["is_read"] = bool(is_read)
        if clear_label:
            payload["label_override"] = None
        elif label_override is not None:
            payload["label_override"] = label_override
        if not payload:
            raise ValueError("update_conversation needs is_read, label_override or clear_label")
        if self.capabilities.conversation_patch is False:
            raise _unsupported("conversation_patch")
        path = f"/unibox/conversations/{_seg(conversation_id)}"
        try:
            body = await self._request("PATCH", path, json_body=payload, retry=self.retry)
        except APIError as error:
            if error.status in (405, 501):
                self.capabilities.conversation_patch = False
                raise _unsupported("conversation_patch") from None
            if error.status == 404:
                # Either the conversation is gone or the endpoint is: ask the documented GET.
                await self.get_conversation(conversation_id)  # raises NotFoundError if gone
                self.capabilities.conversation_patch = False
                raise _unsupported("conversation_patch") from None
            raise
        self.capabilities.conversation_patch = True
        data = as_dict(body).get("data")
        return Conversation.from_api(data) if isinstance(data, dict) and data.get("id") else None

    async def create_conversation(
        self,
        *,
        to_email: str,
        to_name: str = "",
        subject: str,
        content: str,
        inbox_id: str | None = None,
    ) -> Conversation | None:
        """The newer POST that starts a conversation. Never retried."""
        if self.capabilities.create_conversation is False:
            raise _unsupported("create_conversation")
        payload: dict[str, Any] = {
            "to": [{"email": to_email, "name": to_name}],
            "subject": subject,
            "content": content,
        }
        if inbox_id:
            payload["inbox_id"] = inbox_id
        try:
            body = await self._request("POST", "/unibox/conversations", json_body=payload)
        except APIError as error:
            if error.status in (404, 405, 501):
                self.capabilities.create_conversation = False
                raise _unsupported("create_conversation") from None
            raise
        self.capabilities.create_conversation = True
        data = as_dict(body).get("data")
        return Conversation.from_api(data) if isinstance(data, dict) else None

    # -- attachments -----------------------------------------------------------------------------

    @asynccontextmanager
    async def open_attachment(
        self, conversation_id: str, attachment_id: str
    ) -> AsyncIterator[httpx.Response]:
        """Open an attachment's byte stream (status checked); retried only until bytes flow."""
        path = (
            f"/unibox/conversations/{_seg(conversation_id)}/attachments/{_seg(attachment_id)}"
        )
        attempt = 0
        while True:
            attempt += 1
            try:
                response = await self._send_stream(path)
                break
            except ReachkitError as error:
                if attempt >= self.retry.attempts or not error.transient:
                    raise
                delay = self._retry_delay(error, self.retry, attempt)
                if delay is None:
                    raise
                await asyncio.sleep(delay)
        try:
            yield response
        except HTTPX_ERRORS as error:
            raise from_httpx(error, self.base_url, what="download") from None
        finally:
            await response.aclose()

    async def _send_stream(self, path: str) -> httpx.Response:
        await self.budget.acquire()
        try:
            request = self._download_request(path)
            response = await self._http.send(request, stream=True)
        except HTTPX_ERRORS as error:
            raise from_httpx(error, self.base_url, what="download") from None
        except RuntimeError as error:
            raise self._closed_error(error) from None
        if response.status_code < 300:
            return response
        if response.status_code < 400:
            await response.aclose()
            raise _redirect_error(response, "GET", path)
        try:
            body = await self._error_body(response, "GET", path)
        finally:
            await response.aclose()
        raise self._noted(self._error_from(response, body, "GET", path))

    def _download_request(self, path: str) -> httpx.Request:
        """An attachment's GET. ``identity``: the bytes as stored, never re-encoded on the way
        (a gzip-compressed CSV saved as is would be a broken file)."""
        return self._http.build_request(
            "GET", path, headers={"Accept": "*/*", "Accept-Encoding": "identity"}
        )

    async def stream_attachment(
        self,
        conversation_id: str,
        attachment_id: str,
        part: str | os.PathLike[str],
        *,
        expected_size: int | None = None,
        progress: ProgressCallback | None = None,
        progress_interval: float = 0.05,
        chunk_size: int | None = None,
    ) -> DownloadResult:
        """Stream an attachment's bytes into ``part``; never overwrite, never truncate.

        ``part`` is created exclusively (a planted file or symlink makes it fail) and the size
        is checked against ``Content-Length`` and ``expected_size``; the result's ``path`` is
        ``part``, complete. Giving it its name is the caller's job (``store.downloads.
        save_attachment``). On any failure or cancellation ``part`` is removed before this
        returns. Trouble with the request is a ``ReachkitError``; trouble with the local file
        (disk full, no permission) is the ``OSError`` it is, for the owner of the folder to word.

        The bytes are received and written in a worker thread with a blocking connection
        (see ``_download``: about half the CPU of reading them on the event loop); ``progress``
        is still called on the event loop, at most every ``progress_interval`` seconds, and a
        request is retried (per ``self.retry``) only until bytes flow. ``chunk_size=None``
        passes on what each read returned.
        """
        part = Path(part)
        loop = asyncio.get_running_loop()

        def report(done: int, total: int | None) -> None:
            with contextlib.suppress(RuntimeError):  # the loop closed under a stopping download
                loop.call_soon_threadsafe(progress, done, total)  # type: ignore[arg-type]

        path = f"/unibox/conversations/{_seg(conversation_id)}/attachments/{_seg(attachment_id)}"
        try:
            request = self._download_request(path)
        except HTTPX_ERRORS as error:
            raise from_httpx(error, self.base_url, what="download") from None
        await self.budget.acquire()
        job = PartJob(
            http=self._blocking_http(),
            request=request,
            part=part,
            expected_size=expected_size,
            attempts=self.retry.attempts,
            retry_delay=lambda error, attempt: self._retry_delay(error, self.retry, attempt),
            error_from=lambda response, body: self._error_from(response, body, "GET", path),
            where=self.base_url,
            report=report if progress is not None else None,
            interval=progress_interval,
            chunk_size=chunk_size,
        )
        started = DOWNLOAD_THREADS.submit(job.run)
        running = asyncio.wrap_future(started)
        try:
            await asyncio.shield(running)
        except asyncio.CancelledError:
            job.stop()
            if not started.cancel():
                # The thread removes its .part at its next read (the socket is shut to wake it):
                # a few milliseconds, after which a cancelled download has left nothing behind.
                with contextlib.suppress(BaseException):
                    await running
            raise
        if progress:
            progress(job.received, job.received)  # after the thread's reports: the loop runs them in order
        return DownloadResult(part, job.received, job.content_type)

    def _blocking_http(self) -> httpx.Client:
        """The connection pool download threads use (requests are built by the async client)."""
        if self._blocking is None:
            _read_in_bigger_pieces()
            transport = self._blocking_transport
            if transport is None and self.route is not None:
                transport = self.route.blocking_transport(max_connections=8)
            self._blocking = httpx.Client(
                timeout=self.timeout, follow_redirects=False, trust_env=False, transport=transport
            )
        return self._blocking

    # -- inboxes ------------------------------------------------------------------------------------

    async def list_inboxes(self) -> list[Inbox]:
        return parse_list(await self._get_index("/inboxes", "inbox list"), Inbox.from_api)

    async def get_inbox(self, inbox_id: str) -> Inbox:
        data, _ = await self._get_data(f"/inboxes/{_seg(inbox_id)}")
        return Inbox.from_api(_require_dict(data, "inbox"))

    async def inbox_warmup_stats(self, inbox_id: str) -> WarmupStats:
        data, _ = await self._get_data(f"/inboxes/{_seg(inbox_id)}/warmup/stats")
        return WarmupStats.from_api(_require_dict(data, "warmup stats"))

    # -- blocklist ----------------------------------------------------------------------------------

    async def list_blocklist(self) -> list[BlocklistEntry]:
        return parse_list(await self._get_index("/blocklist", "blocklist"), BlocklistEntry.from_api)

    async def add_to_blocklist(self, email: str) -> list[BlocklistEntry]:
        """Block an address, or a whole domain written ``@acme.com``. Not retried."""
        email = email.strip()
        if not email:
            raise ValueError("add_to_blocklist needs an address or @domain")
        body = await self._request("POST", "/blocklist", json_body={"email": email})
        data = as_dict(body).get("data")
        if isinstance(data, dict):
            data = [data]
        return parse_list(data, BlocklistEntry.from_api)

    async def delete_blocklist_entry(self, entry_id: str) -> None:
        await self._request(
            "DELETE", f"/blocklist/{_seg(entry_id)}", retry=self.retry, not_found_ok_after_retry=True
        )

    async def check_blocklist(self, email: str, *, blocklist_id: str = "default") -> bool:
        """Whether ``email`` is blocked (domain rules included).

        The documented ``GET /blocklist/:id/check`` takes a body (we also send a query); Reachkit's
        newer page moved it to ``GET /blocklist/check?email=``. The documented form is tried first
        and the newer one on a 404; the form that answered is remembered for this client.
        """
        documented = f"/blocklist/{_seg(blocklist_id)}/check"
        if self.capabilities.extra.get(NEWER_BLOCKLIST_CHECK) is not True:
            try:
                body = await self._request(
                    "GET", documented, params={"email": email}, json_body={"email": email}, retry=self.retry
                )
            except NotFoundError:
                if self.capabilities.extra.get(NEWER_BLOCKLIST_CHECK) is False:
                    raise  # the documented form worked before: this 404 is about something else
            else:
                self.capabilities.extra[NEWER_BLOCKLIST_CHECK] = False
                return as_bool(as_dict(_data_of(body, "GET", documented)).get("blocked"))
        newer = "/blocklist/check"
        body = await self._request("GET", newer, params={"email": email}, retry=self.retry)
        self.capabilities.extra[NEWER_BLOCKLIST_CHECK] = True
        return as_bool(as_dict(_data_of(body, "GET", newer)).get("blocked"))

    # -- campaigns, sequences, leads ----------------------------------------------------------------

    async def list_campaigns(self) -> list[Campaign]:
        return parse_list(await self._get_index("/campaigns", "campaign list"), Campaign.from_api)

    async def get_campaign(self, campaign_id: str) -> Campaign:
        data, _ = await self._get_data(f"/campaigns/{_seg(campaign_id)}")
        return Campaign.from_api(_require_dict(data, "campaign"))

    async def set_campaign_status(self, campaign_id: str, status: str) -> str:
        """Pause or resume a campaign (``"active"`` / ``"paused"``); returns the new status.

        Retried like a GET: the body sets an absolute value, so a repeat changes nothing more.
        """
        if status not in CAMPAIGN_STATUSES:
            raise ValueError(f"status must be one of {CAMPAIGN_STATUSES}, not {status!r}")
        body = await self._request(
            "PATCH", f"/campaigns/{_seg(campaign_id)}", json_body={"status": status}, retry=self.retry
        )
        return as_str(as_dict(as_dict(body).get("data")).get("status")) or status

    async def campaign_analytics(self, campaign_id: str) -> CampaignAnalytics:
        data, _ = await self._get_data(f"/campaigns/{_seg(campaign_id)}/analytics")
        return CampaignAnalytics.from_api(_require_dict(data, "analytics"))

    async def list_sequences(self, campaign_id: str) -> list[SequenceStep]:
        data, _ = await self._get_data(f"/campaigns/{_seg(campaign_id)}/sequences")
        return parse_list(_require_list(data, "sequence list"), SequenceStep.from_api)

    async def set_variant_enabled(self, campaign_id: str, variant_id: str, enabled: bool) -> bool:
        body = await self._request(
            "PATCH",
            f"/campaigns/{_seg(campaign_id)}/variants/{_seg(variant_id)}",
            json_body={"enabled": bool(enabled)},
            retry=self.retry,
        )
        return as_bool(as_dict(as_dict(body).get("data")).get("enabled"), default=bool(enabled))

    async def list_leads(
        self,
        campaign_id: str,
        *,
        page: int = 1,
        page_size: int = 30,
        search: str | None = None,
        sort_by: str | None = None,
        sort_order: str | None = None,
        filters: Mapping[str, Any] | None = None,
    ) -> Page[Lead]:
        """One page of a campaign's leads; ``page_size`` is clamped to 1..100.

        ``filters`` go out as ``filters[key]=value`` (a list value repeats the key, booleans are
        ``true``/``false``); ``search`` is the server's own matching, so callers that need an exact
        address compare the results themselves.
        """
        page = max(1, int(page))
        page_size = min(MAX_PAGE_SIZE, max(1, int(page_size)))
        params: dict[str, Any] = {"page": page, "page_size": page_size}
        if search and search.strip():
            params["search"] = search.strip()
        if sort_by:
            params["sort_by"] = sort_by
        if sort_order:
            params["sort_order"] = "desc" if sort_order.lower().startswith("d") else "asc"
        for key, value in (filters or {}).items():
            params[f"filters[{key}]"] = value
        path = f"/campaigns/{_seg(campaign_id)}/leads"
        body = await self._request("GET", path, params=params, retry=self.retry)
        _require_list(_data_of(body, "GET", path), "lead list")
        return Page.from_api(
            as_dict(body),
            lambda raw, index: Lead.from_api(raw, index, campaign_id=campaign_id),
            page=page,
            page_size=page_size,
        )

    async def get_lead(self, campaign_id: str, lead_id: str) -> Lead:
        data, _ = await self._get_data(f"/campaigns/{_seg(campaign_id)}/leads/{_seg(lead_id)}")
        return Lead.from_api(_require_dict(data, "lead"), campaign_id=campaign_id)

    async def create_lead(
        self,
        campaign_id: str,
        *,
        email: str,
        first_name: str = "",
        last_name: str = "",
        variables: Mapping[str, Any] | None = None,
    ) -> Lead:
        """Add a lead to a campaign. Not retried (a second POST could add it twice)."""
        email = email.strip()
        if not email:
            raise ValueError("create_lead needs an email address")
        payload: dict[str, Any] = {"email": email}
        if first_name:
            payload["first_name"] = first_name
        if last_name:
            payload["last_name"] = last_name
        if variables:
            payload["variables"] = dict(variables)
        body = await self._request(
            "POST", f"/campaigns/{_seg(campaign_id)}/leads", json_body=payload
        )
        data = as_dict(as_dict(body).get("data"))
        # A 2xx means it was created: if the answer says nothing usable, report what we sent.
        return Lead.from_api(data if data.get("email") else payload, campaign_id=campaign_id)

    async def delete_lead(self, campaign_id: str, lead_id: str) -> None:
        await self._request(
            "DELETE",
            f"/campaigns/{_seg(campaign_id)}/leads/{_seg(lead_id)}",
            retry=self.retry,
            not_found_ok_after_retry=True,
        )

    # -- helpers for callers --------------------------------------------------------------------------

    async def verify(self) -> None:
        """A cheap authenticated GET: raises ``AuthenticationError`` for a bad key.

        The answer must be Reachkit's ``{"data": ...}``: a redirect or a web page at the wrong
        address must not pass for a working key (``ProtocolError``).
        """
        _data_of(await self._request("GET", "/campaigns", retry=NO_RETRY), "GET", "/campaigns")


def _check_host_as_httpx_reads_it(base_url: str, allow_insecure: bool) -> None:
    """The loopback decision again, on the host httpx will connect to: parsers must not disagree."""
    try:
        url = httpx.URL(base_url)
    except httpx.InvalidURL:
        raise InsecureURLError(f"Not a usable API address: {base_url!r} (expected https://host).") from None
    if url.scheme == "http" and not allow_insecure and not is_loopback(url.host):
        raise InsecureURLError(
            f"Refusing plain http:// to {url.host}: the API key would travel unencrypted. "
            "Use https://, or pass --insecure if you really mean it."
        )


def _redirect_error(response: httpx.Response, method: str, path: str) -> APIError:
    """Redirects are not followed (the key must not travel to wherever they point): say where."""
    location = _short(response.headers.get("location", ""), 200)
    return APIError(
        f"The server redirected {method} {path} (HTTP {response.status_code})"
        + (f" to {location}" if location else "")
        + "; check the API address (--base-url).",
        status=response.status_code,
        method=method,
        path=path,
    )


#: Largest single read of an HTTP/1.1 body in a download thread (httpcore's default: 64 KiB).
BODY_READ_BYTES: Final = 1024 * 1024


def _read_in_bigger_pieces() -> None:
    """Let the blocking HTTP/1.1 connections of download threads read up to 1 MiB at once.

    Each read costs a trip through httpcore and h11: 3,200 of them for a 200 MB attachment at
    64 KiB. A read returns what has arrived, so small answers are unaffected. ``READ_NUM_BYTES``
    is a class attribute of httpcore's sync connection, which only our download threads use.
    """
    import httpcore

    connection = getattr(httpcore, "HTTP11Connection", None)
    if connection is not None and getattr(connection, "READ_NUM_BYTES", BODY_READ_BYTES) < BODY_READ_BYTES:
        connection.READ_NUM_BYTES = BODY_READ_BYTES


def _unsupported(capability: str) -> UnsupportedError:
    return UnsupportedError(
        "This Reachkit server does not support that yet (newer API endpoint missing).",
        capability=capability,
    )


def _seg(value: str) -> str:
    """One URL path segment: ids come from the server and must not change the path.

    ``.`` and ``..`` are dot segments that URL joining removes (``conversations/../reply`` would
    become ``/unibox/reply``), so their dots are escaped; a lone surrogate is sent as its bytes.
    """
    text = str(value)
    if text in (".", ".."):
        return text.replace(".", "%2E")
    return quote(text.encode("utf-8", "surrogatepass"), safe="")


def _clean_params(params: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if params is None:
        return None
    return {k: (("true" if v else "false") if isinstance(v, bool) else v) for k, v in params.items() if v is not None}


def _decode_json(body: bytes, method: str, path: str) -> Any:
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        pass
    try:
        # One number of more than 4,300 digits makes json.loads refuse the whole answer (Python's
        # guard against slow int parsing): read such numbers as infinite, so one record is
        # damaged rather than the whole page lost.
        return json.loads(body, parse_int=_bounded_int)
    except (ValueError, UnicodeDecodeError):
        raise ProtocolError(
            f"The answer to {method} {path} was not valid JSON ({len(body):,} bytes)."
        ) from None


def _bounded_int(text: str) -> int | float:
    if len(text) > 4000:
        return float("-inf") if text.startswith("-") else float("inf")
    return int(text)


def _data_of(body: Any, method: str, path: str) -> Any:
    if not isinstance(body, dict) or "data" not in body:
        raise ProtocolError(f"The answer to {method} {path} has no `data` field.")
    return body["data"]


def _require_list(data: Any, what: str) -> list[Any]:
    """A list answer, copied; anything else is the wrong shape (never "nothing there")."""
    if not isinstance(data, list):
        raise ProtocolError(f"The {what} came back in an unexpected shape (no `data` list).")
    return list(data)


def _require_dict(data: Any, what: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise ProtocolError(f"The {what} came back in an unexpected shape.")
    return data

