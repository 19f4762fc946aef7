"""The Reachkit-compatible ASGI app: auth, routes under /api/v1, validation and JSON error shapes.

Routing is a small table matched on the *raw* path split into segments, each percent-decoded on
its own: ids of any shape (spaces, unicode, even an encoded ``/``) reach the handlers intact,
which Starlette's path router cannot promise. Starlette provides the request and responses.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any
from urllib.parse import quote, unquote_to_bytes

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from unibox_tui.demo._asgi import Receive, Scope, Send
from unibox_tui.demo.store import Invalid, NotFound, Workspace

PREFIX = "/api/v1"
_log = logging.getLogger(__name__)
_INT = re.compile(r"^\s*[0-9]+\s*$")
_HEADER_SAFE = re.compile(r"^[\x20-\x7e]*$")


class BadRequest(Exception):
    """The request cannot be read at all (HTTP 400), e.g. a body that is not JSON."""


class _NotFoundRoute(Exception):
    """Answer exactly like an unknown route: ``{"error": "Not found"}``."""


def json_response(payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    # allow_nan and default=str: raw records given by tests are served as given, whatever they hold
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), allow_nan=True, default=str)
    try:
        encoded = body.encode("utf-8")
    except UnicodeEncodeError:
        # A lone surrogate (hostile data) has no UTF-8 form: send it as the JSON escape "\ud800".
        encoded = json.dumps(payload, ensure_ascii=True, separators=(",", ":"), allow_nan=True,
                             default=str).encode("ascii")
    return Response(encoded, status, headers, media_type="application/json")


def error(status: int, message: str, details: Any = None, headers: dict[str, str] | None = None) -> Response:
    payload: dict[str, Any] = {"error": message}
    if details is not None:
        payload["details"] = details
    return json_response(payload, status, headers)


def content_disposition(filename: str) -> str:
    """``attachment; filename*=UTF-8''...``: every byte outside RFC 5987's attr-char is encoded,
    so no name (quotes, CR/LF, bidi controls) can break or extend the header."""
    # surrogatepass: a lone surrogate in a hostile name is sent as its (invalid) UTF-8 bytes
    return "attachment; filename*=UTF-8''" + quote(filename, safe="!#$&+-.^_`|~", errors="surrogatepass")


def safe_content_type(value: str) -> str:
    value = value.strip()
    if not value or not _HEADER_SAFE.match(value) or "/" not in value:
        return "application/octet-stream"
    return value


Handler = Callable[[Request, dict[str, str]], Awaitable[Response]]  # a bound ReachkitApp method
ROUTES: list[tuple[str, tuple[str, ...], str]] = []  # (method, pattern segments, handler name)


BLOCKLIST_CHECK_FORMS = ("old", "new", "both")


def route(method: str, pattern: str) -> Callable[[Any], Any]:
    def register(fn: Any) -> Any:
        ROUTES.append((method, tuple(s for s in pattern.strip("/").split("/")), fn.__name__))
        return fn

    return register


class ReachkitApp:
    def __init__(self, workspace: Workspace, key: str, patch_enabled: bool = True,
                 blocklist_check: str = "both") -> None:
        if blocklist_check not in BLOCKLIST_CHECK_FORMS:
            raise ValueError(f"blocklist_check must be one of {BLOCKLIST_CHECK_FORMS}")
        self.ws = workspace
        self.key = key
        self.patch_enabled = patch_enabled
        #: Which blocklist check this server has: the documented ``GET /blocklist/:id/check``
        #: ("old"), the newer page's ``GET /blocklist/check?email=`` ("new"), or both.
        self.blocklist_check = blocklist_check

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        request = Request(scope, receive)
        try:
            response = await self.dispatch(request)
        except _NotFoundRoute:
            response = error(404, "Not found")
        except NotFound as exc:
            response = error(404, "Not found", str(exc))
        except Invalid as exc:
            response = error(422, "Validation failed", str(exc))
        except BadRequest as exc:
            response = error(400, "Bad request", str(exc))
        except Exception:
            _log.exception("demo server: unexpected error in %s %s", scope["method"], scope["path"])
            response = error(500, "Internal server error")
        await response(scope, receive, send)

    async def dispatch(self, request: Request) -> Response:
        raw: bytes = request.scope.get("raw_path") or request.scope["path"].encode("utf-8")
        raw_path = raw.split(b"?", 1)[0].decode("latin-1")
        if raw_path != PREFIX and not raw_path.startswith(PREFIX + "/"):
            raise _NotFoundRoute
        if not self.authorised(request):
            return error(401, "Unauthorized", "Missing or invalid API key. Send 'Authorization: Bearer <key>'.",
                         {"WWW-Authenticate": 'Bearer realm="reachkit"'})
        rest = raw_path[len(PREFIX):].strip("/")
        segments = tuple(unquote_to_bytes(s).decode("utf-8", "replace") for s in rest.split("/")) if rest else ()
        method = request.method.upper()
        if method == "HEAD":
            method = "GET"
        allowed = []
        for route_method, pattern, name in ROUTES:
            params = _match(pattern, segments)
            if params is None:
                continue
            if route_method == "PATCH" and name == "patch_conversation" and not self.patch_enabled:
                continue
            if route_method == method:
                handler: Handler = getattr(self, name)
                return await handler(request, params)
            allowed.append(route_method)
        if self.patch_enabled is False and method == "PATCH" and segments[:2] == ("unibox", "conversations") \
                and len(segments) == 3:
            raise _NotFoundRoute  # an older server: no such route
        if allowed:
            allow = ", ".join(sorted(set(allowed) | ({"HEAD"} if "GET" in allowed else set())))
            return error(405, "Method not allowed", f"{request.method} is not allowed here; use {allow}",
                         {"Allow": allow})
        raise _NotFoundRoute

    def authorised(self, request: Request) -> bool:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        return scheme.lower() == "bearer" and token.strip() == self.key and bool(self.key)

    # --- unibox ----------------------------------------------------------------------------------

    @route("GET", "unibox/conversations")
    async def list_conversations(self, request: Request, params: dict[str, str]) -> Response:
        q = request.query_params
        page = _positive_int(q, "page", 1)
        page_size = min(_positive_int(q, "page_size", 20), 100)
        folder = q.get("folder")
        if folder is not None:
            folder = folder.strip().lower()
            if folder not in ("primary", "others"):
                raise Invalid('folder must be "primary" or "others"')
        search = q.get("search") or None
        items, total = self.ws.list_conversations(folder, search, page, page_size)
        return json_response({"data": items, "metadata": _metadata(page, page_size, total)})

    @route("POST", "unibox/conversations")
    async def create_conversation(self, request: Request, params: dict[str, str]) -> Response:
        body = await _json_object(request)
        conv = self.ws.create_conversation(body.get("to"), body.get("subject"), body.get("content"),
                                           body.get("inbox_id"))
        return json_response({"data": conv}, 201)

    @route("GET", "unibox/conversations/:id")
    async def show_conversation(self, request: Request, params: dict[str, str]) -> Response:
        return json_response({"data": self.ws.get_conversation_dict(params["id"])})

    @route("PATCH", "unibox/conversations/:id")
    async def patch_conversation(self, request: Request, params: dict[str, str]) -> Response:
        body = await _json_object(request)
        changes = {k: body[k] for k in ("is_read", "label_override") if k in body}
        return json_response({"data": self.ws.patch_conversation(params["id"], **changes)})

    @route("POST", "unibox/conversations/:id/reply")
    async def reply(self, request: Request, params: dict[str, str]) -> Response:
        self.ws.find(params["id"])  # 404 before 422, as the resource is checked first
        body = await _json_object(request)
        content = body.get("content")
        if content is None:
            raise Invalid("content is required")
        if not isinstance(content, str):
            raise Invalid("content must be a string")
        if not content.strip():
            raise Invalid("content must not be empty")
        return json_response({"data": self.ws.reply(params["id"], content)}, 201)

    @route("POST", "_demo/conversations/:id/incoming")
    async def demo_incoming(self, request: Request, params: dict[str, str]) -> Response:
        """Not Reachkit's: new mail from the contact arrives now (``text``, optional ``subject``).

        What tests do with ``state.add_incoming_message``, over HTTP, so a person trying the app
        against ``demo-server`` can make a snoozed conversation wake or an alert ring."""
        self.ws.conversation(params["id"])  # 404 first: only generated conversations get new mail
        body = await _json_object(request)
        text, subject = body.get("text", "Following up on this."), body.get("subject")
        if not isinstance(text, str) or (subject is not None and not isinstance(subject, str)):
            raise Invalid("text and subject must be strings")
        return json_response({"data": self.ws.add_incoming_message(params["id"], text=text, subject=subject)}, 201)

    @route("GET", "unibox/conversations/:conversation_id/attachments/:id")
    async def download(self, request: Request, params: dict[str, str]) -> Response:
        att = self.ws.attachment(params["conversation_id"], params["id"])
        chunks = self.ws.attachment_chunks(att)

        async def stream() -> AsyncIterator[bytes]:
            for chunk in chunks:
                yield chunk
                # Writing never blocks while the socket buffer has room, so without this the loop
                # would not notice a client that left until all 200 MB went into a dead socket.
                await asyncio.sleep(0)

        headers = {"Content-Length": str(att.size), "Content-Disposition": content_disposition(att.filename),
                   "Cache-Control": "private, max-age=0"}
        return StreamingResponse(stream(), headers=headers, media_type=safe_content_type(att.content_type))

    # --- inboxes -----------------------------------------------------------------------------------

    @route("GET", "inboxes")
    async def list_inboxes(self, request: Request, params: dict[str, str]) -> Response:
        return json_response({"data": [self.ws.inbox_dict(i) for i in self.ws.inboxes]})

    @route("GET", "inboxes/:id")
    async def show_inbox(self, request: Request, params: dict[str, str]) -> Response:
        return json_response({"data": self.ws.inbox_dict(self.ws.inbox(params["id"]))})

    @route("GET", "inboxes/:id/warmup/stats")
    async def warmup_stats(self, request: Request, params: dict[str, str]) -> Response:
        return json_response({"data": self.ws.warmup_stats(params["id"])})

    # --- blocklist ----------------------------------------------------------------------------------

    @route("GET", "blocklist")
    async def list_blocklist(self, request: Request, params: dict[str, str]) -> Response:
        return json_response({"data": self.ws.blocklist_dicts()})

    @route("POST", "blocklist")
    async def create_block(self, request: Request, params: dict[str, str]) -> Response:
        body = await _json_object(request)
        if body.get("domain") is not None:
            entries = self.ws.block_domain(body["domain"])
        elif body.get("email") is not None:
            entries = self.ws.block(body["email"])
        elif body.get("emails") is not None:
            entries = self.ws.block(body["emails"])
        else:
            raise Invalid("email is required (an address, or @domain for a whole domain)")
        return json_response({"data": entries}, 201)

    @route("DELETE", "blocklist/:id")
    async def delete_block(self, request: Request, params: dict[str, str]) -> Response:
        self.ws.unblock(params["id"])
        return Response(status_code=204)

    @route("GET", "blocklist/:blocklist_id/check")
    async def check_block(self, request: Request, params: dict[str, str]) -> Response:
        if self.blocklist_check == "new":
            raise _NotFoundRoute  # a server that moved the check
        return await self._check_block(request)

    @route("GET", "blocklist/check")
    async def check_block_newer(self, request: Request, params: dict[str, str]) -> Response:
        """Reachkit's newer page: ``GET /api/v1/blocklist/check?email=``."""
        if self.blocklist_check == "old":
            raise _NotFoundRoute  # a server from before the move
        return await self._check_block(request)

    async def _check_block(self, request: Request) -> Response:
        email = request.query_params.get("email")
        if email is None:
            raw = await request.body()
            if raw.strip():
                try:
                    body = json.loads(raw)
                except ValueError:
                    raise BadRequest("body must be valid JSON") from None
                if isinstance(body, dict):
                    email = body.get("email")
        if email is None:
            raise Invalid("email is required (query parameter or JSON body)")
        return json_response({"data": {"blocked": self.ws.is_blocked(email)}})

    # --- campaigns, leads, sequences ---------------------------------------------------------------

    @route("GET", "campaigns")
    async def list_campaigns(self, request: Request, params: dict[str, str]) -> Response:
        return json_response({"data": [self.ws.campaign_dict(c) for c in self.ws.campaigns]})

    @route("GET", "campaigns/:id")
    async def show_campaign(self, request: Request, params: dict[str, str]) -> Response:
        return json_response({"data": self.ws.campaign_dict(self.ws.campaign(params["id"]), detail=True)})

    @route("PATCH", "campaigns/:id")
    async def patch_campaign(self, request: Request, params: dict[str, str]) -> Response:
        self.ws.campaign(params["id"])
        body = await _json_object(request)
        if "status" not in body:
            raise Invalid("status is required")
        return json_response({"data": self.ws.set_campaign_status(params["id"], body["status"])})

    @route("GET", "campaigns/:id/analytics")
    async def analytics(self, request: Request, params: dict[str, str]) -> Response:
        return json_response({"data": self.ws.analytics(params["id"])})

    @route("GET", "campaigns/:id/sequences")
    async def sequences(self, request: Request, params: dict[str, str]) -> Response:
        return json_response({"data": self.ws.sequences(params["id"])})

    @route("PATCH", "campaigns/:id/variants/:variant_id")
    async def patch_variant(self, request: Request, params: dict[str, str]) -> Response:
        self.ws.campaign(params["id"])
        body = await _json_object(request)
        if "enabled" not in body:
            raise Invalid("enabled is required")
        return json_response({"data": self.ws.set_variant_enabled(params["id"], params["variant_id"],
                                                                  body["enabled"])})

    @route("GET", "campaigns/:id/leads")
    async def list_leads(self, request: Request, params: dict[str, str]) -> Response:
        q = request.query_params
        self.ws.campaign(params["id"])
        page = _positive_int(q, "page", 1)
        page_size = min(_positive_int(q, "page_size", 30), 100)
        order = (q.get("sort_order") or "asc").strip().lower()
        if order not in ("asc", "desc"):
            raise Invalid('sort_order must be "asc" or "desc"')
        items, total = self.ws.list_leads(params["id"], page, page_size, q.get("search") or None,
                                          q.get("sort_by") or None, order, _filters(request))
        return json_response({"data": items, "metadata": _metadata(page, page_size, total)})

    @route("POST", "campaigns/:id/leads")
    async def create_lead(self, request: Request, params: dict[str, str]) -> Response:
        self.ws.campaign(params["id"])
        body = await _json_object(request)
        return json_response({"data": self.ws.create_lead(params["id"], body)}, 201)

    @route("GET", "campaigns/:id/leads/:lead_id")
    async def show_lead(self, request: Request, params: dict[str, str]) -> Response:
        from unibox_tui.demo.store import lead_dict

        return json_response({"data": lead_dict(self.ws.lead(params["id"], params["lead_id"]))})

    @route("DELETE", "campaigns/:id/leads/:lead_id")
    async def delete_lead(self, request: Request, params: dict[str, str]) -> Response:
        self.ws.delete_lead(params["id"], params["lead_id"])
        return Response(status_code=204)


# --- helpers -------------------------------------------------------------------------------------------

def _match(pattern: tuple[str, ...], segments: tuple[str, ...]) -> dict[str, str] | None:
    if len(pattern) != len(segments):
        return None
    params = {}
    for want, got in zip(pattern, segments, strict=True):
        if want.startswith(":"):
            if got == "":
                return None
            params[want[1:]] = got
        elif want != got:
            return None
    return params


def _positive_int(q: Any, name: str, default: int) -> int:
    value = q.get(name)
    if value is None:
        return default
    if not _INT.match(value):
        raise Invalid(f"{name} must be a positive integer")
    number = int(value)
    if number < 1:
        raise Invalid(f"{name} must be a positive integer (>= 1)")
    return number


def _metadata(page: int, page_size: int, total: int) -> dict[str, int]:
    return {"page": page, "page_size": page_size, "total_count": total,
            "total_pages": math.ceil(total / page_size) if total else 0}


async def _json_object(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        raise Invalid("a JSON object body is required")
    try:
        body = json.loads(raw)
    except ValueError:
        raise BadRequest("body must be valid JSON") from None
    if not isinstance(body, dict):
        raise Invalid("body must be a JSON object")
    return body


_BRACKET = re.compile(r"^filters\[([^\]]+)\](\[\])?$")


def _filters(request: Request) -> dict[str, Any]:
    """``filters`` as a JSON object (``filters={"status":"replied"}``) or ``filters[status]=replied``."""
    out: dict[str, Any] = {}
    q = request.query_params
    raw = q.get("filters")
    if raw:
        try:
            parsed = json.loads(raw)
        except ValueError:
            raise Invalid("filters must be a JSON object, or use filters[field]=value") from None
        if not isinstance(parsed, dict):
            raise Invalid("filters must be a JSON object, or use filters[field]=value")
        out.update(parsed)
    for key in q:
        m = _BRACKET.match(key)
        if m:
            values = q.getlist(key)
            out[m.group(1)] = values if m.group(2) or len(values) > 1 else values[0]
    return out
