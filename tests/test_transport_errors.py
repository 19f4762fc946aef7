"""Every exception httpx can raise from a request lands in the client's one error tree, with words.

The table is checked against httpx's own exception tree, so a class added to httpx fails here
until it is mapped. ``httpx.MockTransport`` raising the exception is the transport seam (the local
server cannot produce most of these); the broken gzip body is also produced for real by the local
server's ``bad_gzip`` fault.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import httpx
import pytest

from unibox_tui.api import (
    Conversation,
    DamagedAnswerError,
    NetworkError,
    NotDeliveredError,
    OutcomeUnknownError,
    ProtocolError,
    ReachkitClient,
    ReachkitError,
    RetryPolicy,
)
from unibox_tui.api.keycheck import explain_key_error, make_checking_client, verify_key
from unibox_tui.store.downloads import save_attachment

FAST = RetryPolicy(attempts=3, base_delay=0.001, max_delay=0.002)

#: httpx class -> (our class, retried on a GET?)
EXPECTED: dict[type[Exception], tuple[type[ReachkitError], bool]] = {
    httpx.ConnectError: (NotDeliveredError, True),
    httpx.ConnectTimeout: (NotDeliveredError, True),
    httpx.PoolTimeout: (NotDeliveredError, True),
    httpx.ProxyError: (NotDeliveredError, True),
    httpx.UnsupportedProtocol: (NotDeliveredError, False),
    httpx.InvalidURL: (NotDeliveredError, False),
    httpx.ReadTimeout: (OutcomeUnknownError, True),
    httpx.WriteTimeout: (OutcomeUnknownError, True),
    httpx.TimeoutException: (OutcomeUnknownError, True),
    httpx.ReadError: (OutcomeUnknownError, True),
    httpx.WriteError: (OutcomeUnknownError, True),
    httpx.CloseError: (OutcomeUnknownError, True),
    httpx.NetworkError: (OutcomeUnknownError, True),
    httpx.RemoteProtocolError: (OutcomeUnknownError, True),
    httpx.ProtocolError: (OutcomeUnknownError, True),
    httpx.TransportError: (OutcomeUnknownError, True),
    httpx.LocalProtocolError: (OutcomeUnknownError, False),
    httpx.DecodingError: (DamagedAnswerError, True),
    httpx.TooManyRedirects: (ProtocolError, False),
    httpx.RequestError: (OutcomeUnknownError, False),
    httpx.HTTPStatusError: (OutcomeUnknownError, False),
    httpx.HTTPError: (OutcomeUnknownError, False),
    httpx.CookieConflict: (OutcomeUnknownError, False),
    httpx.StreamError: (OutcomeUnknownError, False),
    httpx.StreamConsumed: (OutcomeUnknownError, False),
    httpx.StreamClosed: (OutcomeUnknownError, False),
    httpx.ResponseNotRead: (OutcomeUnknownError, False),
    httpx.RequestNotRead: (OutcomeUnknownError, False),
}


def _descendants(root: type) -> Iterator[type]:
    yield root
    for child in root.__subclasses__():
        yield from _descendants(child)


def httpx_exception_classes() -> set[type[Exception]]:
    """Every exception class httpx defines (its module's), from its four roots."""
    roots = (httpx.HTTPError, httpx.InvalidURL, httpx.CookieConflict, httpx.StreamError)
    return {cls for root in roots for cls in _descendants(root) if cls.__module__.startswith("httpx")}


def make_error(cls: type[Exception]) -> Exception:
    request = httpx.Request("GET", "https://reachkit.example/api/v1/x")
    if cls is httpx.HTTPStatusError:
        return cls("boom", request=request, response=httpx.Response(500, request=request))
    if cls is httpx.StreamError:
        return cls("boom")
    if issubclass(cls, httpx.StreamError):
        return cls()
    return cls("boom")


def test_the_table_covers_every_exception_httpx_defines():
    assert httpx_exception_classes() - set(EXPECTED) == set()


CLASSES = sorted(EXPECTED, key=lambda cls: cls.__name__)


def raising(cls: type[Exception], calls: list[str]) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        raise make_error(cls)

    return httpx.MockTransport(handler)


class BreakingStream(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body whose first bytes arrive and whose next read raises (a failure mid-answer)."""

    def __init__(self, cls: type[Exception]) -> None:
        self.cls = cls

    def __iter__(self) -> Iterator[bytes]:
        yield b'{"data": ['
        raise make_error(self.cls)

    async def __aiter__(self):  # type: ignore[override]
        yield b'{"data": ['
        raise make_error(self.cls)


def breaking_mid_body(cls: type[Exception], calls: list[str]) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        return httpx.Response(200, headers={"content-type": "application/json"}, stream=BreakingStream(cls))

    return httpx.MockTransport(handler)


def assert_mapped(error: BaseException, cls: type[Exception]) -> None:
    expected, _ = EXPECTED[cls]
    assert isinstance(error, ReachkitError), f"{cls.__name__} escaped as {type(error).__name__}"
    assert isinstance(error, expected), f"{cls.__name__} became {type(error).__name__}, not {expected.__name__}"
    text = str(error)
    assert text.endswith(".") and " " in text, text  # a sentence, for the screen
    assert cls.__name__ in text  # and says what happened


@pytest.mark.parametrize("cls", CLASSES, ids=[c.__name__ for c in CLASSES])
async def test_a_request_that_raises_becomes_the_trees_error(cls):
    calls: list[str] = []
    async with ReachkitClient("k", "https://reachkit.example", transport=raising(cls, calls), retry=FAST) as client:
        with pytest.raises(ReachkitError) as caught:
            await client.list_conversations()
    assert_mapped(caught.value, cls)
    _, retried = EXPECTED[cls]
    assert len(calls) == (FAST.attempts if retried else 1)


@pytest.mark.parametrize("cls", CLASSES, ids=[c.__name__ for c in CLASSES])
async def test_a_post_that_raises_is_never_retried_and_never_called_not_sent_when_it_may_have_left(cls):
    calls: list[str] = []
    async with ReachkitClient("k", "https://reachkit.example", transport=raising(cls, calls), retry=FAST) as client:
        with pytest.raises(ReachkitError) as caught:
            await client.reply("c1", "<p>Hi</p>")
    assert_mapped(caught.value, cls)
    assert len(calls) == 1
    if isinstance(caught.value, NetworkError) and not caught.value.maybe_delivered:
        assert EXPECTED[cls][0] is NotDeliveredError


@pytest.mark.parametrize("cls", CLASSES, ids=[c.__name__ for c in CLASSES])
async def test_an_answer_that_breaks_mid_body_becomes_the_trees_error(cls):
    calls: list[str] = []
    transport = breaking_mid_body(cls, calls)
    async with ReachkitClient("k", "https://reachkit.example", transport=transport, retry=FAST) as client:
        with pytest.raises(ReachkitError) as caught:
            await client.list_conversations()
    assert isinstance(caught.value, ReachkitError)
    assert cls.__name__ in str(caught.value)


@pytest.mark.parametrize("cls", CLASSES, ids=[c.__name__ for c in CLASSES])
@pytest.mark.parametrize("where", ["at-send", "mid-body"])
async def test_a_download_that_raises_becomes_the_trees_error_and_leaves_no_file(cls, where, tmp_path):
    tmp_path = tmp_path / "downloads"
    tmp_path.mkdir()
    calls: list[str] = []
    transport = raising(cls, calls) if where == "at-send" else breaking_mid_body(cls, calls)
    dest = tmp_path / "deck.pdf"
    async with ReachkitClient("k", "https://reachkit.example", transport=transport, retry=FAST) as client:
        with pytest.raises(ReachkitError) as caught:
            await save_attachment(client, "c1", "a1", dest)
        with pytest.raises(ReachkitError) as streamed:
            async with client.open_attachment("c1", "a1") as response:
                async for _ in response.aiter_bytes():
                    pass
    assert cls.__name__ in str(caught.value) and cls.__name__ in str(streamed.value)
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("cls", CLASSES, ids=[c.__name__ for c in CLASSES])
async def test_the_key_check_explains_every_failure_in_words(cls):
    calls: list[str] = []
    client = make_checking_client("k", "https://reachkit.example", transport=raising(cls, calls))
    with pytest.raises(ReachkitError) as caught:
        await verify_key(client)
    await client.aclose()
    words = explain_key_error(caught.value, client.base_url)
    assert words.endswith((".", "?")) and cls.__name__ in words
    assert "(" + type(caught.value).__name__ + ")" not in words  # not the bare class-name fallback


async def test_a_closed_client_says_so_instead_of_raising_runtime_error():
    client = ReachkitClient("k", "https://reachkit.example", transport=httpx.MockTransport(lambda r: httpx.Response(200)))
    await client.aclose()
    with pytest.raises(NotDeliveredError) as caught:
        await client.list_conversations()
    assert "closed" in str(caught.value)


def test_an_error_answer_with_a_damaged_body_still_reports_its_status():
    """A 503 whose body is a broken gzip is still a 503 (retry-able), not a decoding error."""
    from unibox_tui.api import ServerError

    class NotGzip(httpx.AsyncByteStream):
        async def __aiter__(self):  # type: ignore[override]
            yield b"not gzip at all"

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(503, headers={"content-encoding": "gzip"}, stream=NotGzip())

    async def run() -> BaseException:
        async with ReachkitClient("k", "https://reachkit.example", transport=httpx.MockTransport(handler),
                                  retry=RetryPolicy(attempts=1)) as client:
            try:
                await client.list_conversations()
            except ReachkitError as error:
                return error
        raise AssertionError("no error")

    import asyncio

    error = asyncio.run(run())
    assert isinstance(error, ServerError) and error.status == 503


# -- the same, for real: the local server's broken gzip body -------------------------------------------


def an_attachment(server):
    for conversation_id in server.state.conversation_ids():
        conversation = Conversation.from_api(server.state.get_conversation_dict(conversation_id))
        for _, attachment in conversation.attachments:
            if attachment.size and attachment.size < 1_000_000:
                return conversation_id, attachment
    raise AssertionError("the demo data has no attachment")


def client_for(server, **kwargs) -> ReachkitClient:
    kwargs.setdefault("retry", FAST)
    return ReachkitClient(server.key, server.base_url, **kwargs)


async def test_a_broken_gzip_answer_is_retried_on_a_get_and_then_explained(demo_server):
    demo_server.faults.fail_next(1, kind="bad_gzip", path=r"/unibox/conversations$")
    async with client_for(demo_server) as client:
        page = await client.list_conversations(folder="primary")  # the second try is clean
        assert page.items
        demo_server.faults.fail_next(10, kind="bad_gzip", path=r"/unibox/conversations$")
        with pytest.raises(DamagedAnswerError) as caught:
            await client.list_conversations(folder="primary")
    assert "could not be decoded" in str(caught.value)
    assert [r.fault for r in demo_server.requests] == ["bad_gzip", None] + ["bad_gzip"] * FAST.attempts
    assert demo_server.faults.pending() == 10 - FAST.attempts


async def test_a_reply_whose_answer_is_a_broken_gzip_is_not_retried_and_counts_as_unknown(demo_server):
    target = demo_server.state.conversation_ids(folder="primary")[0]
    before = len(demo_server.state.replies(target))
    demo_server.faults.fail_next(1, kind="bad_gzip", method="POST", path=r"/reply$", after_commit=True)
    async with client_for(demo_server) as client:
        with pytest.raises(ProtocolError):  # the outbox treats "garbage" as a lost answer and checks
            await client.reply(target, "<p>Stored, but the answer was mangled</p>")
    assert demo_server.count("POST", r"/reply$") == 1
    assert len(demo_server.state.replies(target)) == before + 1


async def test_a_download_through_a_mangling_proxy_is_retried_then_saved_intact(demo_server, tmp_path):
    tmp_path = tmp_path / "downloads"
    tmp_path.mkdir()
    conversation_id, attachment = an_attachment(demo_server)
    demo_server.faults.fail_next(1, kind="bad_gzip", path=r"/attachments/")
    async with client_for(demo_server) as client:
        result = await save_attachment(client, conversation_id, attachment.id, tmp_path / "a.bin")
        assert result.size == attachment.size == (tmp_path / "a.bin").stat().st_size
        demo_server.faults.fail_next(10, kind="bad_gzip", path=r"/attachments/")
        with pytest.raises(DamagedAnswerError):
            await save_attachment(client, conversation_id, attachment.id, tmp_path / "b.bin")
    assert sorted(os.listdir(tmp_path)) == ["a.bin"]
    requests = [r for r in demo_server.requests if "/attachments/" in r.path]
    assert all(r.headers.get("accept-encoding") == "identity" for r in requests)  # bytes as stored


def test_login_explains_a_damaged_answer_and_stores_nothing(demo_server, monkeypatch, capsys):
    """``unibox-tui login`` through a mangling proxy: words and exit 1, not a traceback."""
    from test_accounts import FakeTty

    from unibox_tui import accounts, cli, config

    monkeypatch.setattr("sys.stdin", FakeTty())
    monkeypatch.setattr(accounts.getpass, "getpass", lambda prompt="": demo_server.key)
    demo_server.faults.fail_next(1, kind="bad_gzip", path=r"/campaigns$")
    assert cli.main(["login", "--base-url", demo_server.base_url]) == 1
    err = capsys.readouterr().err
    assert "could not be decoded" in err and "Nothing was stored" in err and "Traceback" not in err
    assert config.read_key("default") is None
