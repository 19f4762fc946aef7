"""Corporate networks: HTTPS_PROXY / HTTP_PROXY / ALL_PROXY / NO_PROXY and SSL_CERT_FILE / SSL_CERT_DIR.

A real CONNECT proxy and a TLS front door run on loopback (``netfixtures.py``); the API answers
at ``https://reachkit.test``, a name only the proxy knows (it maps it to the TLS front, which
passes the requests on to the local demo server). So a request that reaches the demo server went
through the proxy, and TLS was verified against the certificate named in the environment.
"""

from __future__ import annotations

import httpx
import pytest
from netfixtures import ConnectProxy, TlsFront, hashed_certificate_dir, make_certificate

from unibox_tui.api import (
    Conversation,
    InsecureURLError,
    NetworkSetupError,
    NotDeliveredError,
    ReachkitClient,
    RetryPolicy,
)
from unibox_tui.api.network import plan_route
from unibox_tui.config import load_settings
from unibox_tui.store.downloads import save_attachment
from unibox_tui.ui.app import make_client

API = "https://reachkit.test"
NO_RETRY = RetryPolicy(attempts=1)
#: A direct connection to reachkit.test must fail fast (no DNS for it, or nobody there).
SHORT = httpx.Timeout(5.0, connect=2.0)


@pytest.fixture
def corporate(tmp_path, demo_server, monkeypatch):
    """The demo server behind a TLS front, reachable as https://reachkit.test only through the proxy."""
    certificate = make_certificate(tmp_path / "certs", "reachkit.test")
    front = TlsFront(certificate, ("127.0.0.1", demo_server.port)).start()
    proxy = ConnectProxy(routes={"reachkit.test:443": ("127.0.0.1", front.port)}).start()
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate.cert))
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    yield proxy, demo_server, certificate
    proxy.stop()
    front.stop()


def client(server, **kwargs) -> ReachkitClient:
    kwargs.setdefault("retry", NO_RETRY)
    kwargs.setdefault("timeout", SHORT)
    return ReachkitClient(server.key, API, **kwargs)


@pytest.mark.parametrize("variable", ["HTTPS_PROXY", "https_proxy", "ALL_PROXY"])
async def test_an_https_api_goes_through_the_proxy_in_the_environment(corporate, monkeypatch, variable, tmp_path):
    proxy, server, _ = corporate
    monkeypatch.setenv(variable, proxy.url)
    async with client(server) as api:
        assert api.route is not None and api.route.proxy_shown == proxy.url
        page = await api.list_conversations(folder="primary")
        conversation = await api.get_conversation(page.items[0].id)
        # The download threads' own connections take the same way.
        conversation_id, attachment = an_attachment(server)
        saved = await save_attachment(api, conversation_id, attachment.id, tmp_path / "file.bin")
        assert saved.size == attachment.size
    assert conversation.id == page.items[0].id
    assert page.items and [c.id for c in page.items] == server.state.conversation_ids(folder="primary")[:20]
    assert proxy.requests and all(line == "CONNECT reachkit.test:443 HTTP/1.1" for line in proxy.requests)
    assert server.requests and all(r.headers["authorization"] == f"Bearer {server.key}" for r in server.requests)
    # The proxy relayed a TLS tunnel: the key and the paths never crossed it readable.
    assert proxy.relayed and server.key.encode() not in proxy.relayed and b"/api/v1" not in proxy.relayed


def an_attachment(server):
    for conversation_id in server.state.conversation_ids():
        conversation = Conversation.from_api(server.state.get_conversation_dict(conversation_id))
        for _, attachment in conversation.attachments:
            if attachment.size and attachment.size < 500_000:
                return conversation_id, attachment
    raise AssertionError("the demo data has no attachment")


async def test_with_trust_env_off_the_proxy_is_not_used(corporate, monkeypatch):
    proxy, server, _ = corporate
    monkeypatch.setenv("HTTPS_PROXY", proxy.url)
    async with client(server, trust_env=False) as api:
        assert api.route is not None and api.route.proxy is None
        with pytest.raises(NotDeliveredError):  # reachkit.test exists only behind the proxy
            await api.list_conversations()
    assert proxy.requests == [] and server.requests == []


async def test_trust_env_false_in_the_settings_file_reaches_the_client(corporate, monkeypatch):
    from unibox_tui import config

    proxy, server, _ = corporate
    monkeypatch.setenv("HTTPS_PROXY", proxy.url)
    path = config.config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'[defaults]\nbase_url = "{API}"\ntrust_env = false\n')
    settings = load_settings(env={})
    settings.api_key = server.key
    assert settings.trust_env is False and not settings.warnings
    api = make_client(settings)
    assert api.route is not None and api.route.proxy is None
    await api.aclose()
    path.write_text(f'[defaults]\nbase_url = "{API}"\n')
    settings = load_settings(env={})
    settings.api_key = server.key
    api = make_client(settings)
    assert settings.trust_env is True and api.route is not None and api.route.proxy_shown == proxy.url
    await api.list_conversations()
    await api.aclose()
    assert proxy.requests == ["CONNECT reachkit.test:443 HTTP/1.1"]


async def test_no_proxy_names_hosts_reached_directly(corporate, monkeypatch):
    proxy, server, _ = corporate
    monkeypatch.setenv("HTTPS_PROXY", proxy.url)
    for no_proxy in ("reachkit.test", ".test", "*", "example.org,reachkit.test:443"):
        monkeypatch.setenv("NO_PROXY", no_proxy)
        async with client(server) as api:
            assert api.route is not None and api.route.proxy is None, no_proxy
    monkeypatch.setenv("NO_PROXY", "example.org,other.test")
    async with client(server) as api:
        assert api.route is not None and api.route.proxy_shown == proxy.url


async def test_a_loopback_api_is_always_reached_directly_whatever_the_proxy_variables(demo_server, monkeypatch):
    proxy = ConnectProxy().start()
    try:
        for name in ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "http_proxy"):
            monkeypatch.setenv(name, proxy.url)
        async with ReachkitClient(demo_server.key, demo_server.base_url, retry=NO_RETRY) as api:
            await api.list_conversations()
    finally:
        proxy.stop()
    assert proxy.requests == [] and demo_server.count() == 1


@pytest.mark.parametrize("variable", ["HTTP_PROXY", "ALL_PROXY"])
async def test_the_key_never_crosses_a_proxy_in_clear(monkeypatch, variable):
    """A plain-http API (only with --insecure) behind a proxy: refused, before any byte leaves."""
    proxy = ConnectProxy().start()
    try:
        monkeypatch.setenv(variable, proxy.url)
        with pytest.raises(InsecureURLError) as caught:
            ReachkitClient("k", "http://reachkit.test", allow_insecure=True)
    finally:
        proxy.stop()
    text = str(caught.value)
    assert f"through the proxy {proxy.url} ({variable})" in text and "NO_PROXY" in text and "trust_env" in text
    assert proxy.requests == []


async def test_a_proxy_that_refuses_is_explained_without_its_password(corporate, monkeypatch):
    proxy, server, _ = corporate
    proxy.refuse_with = 407
    monkeypatch.setenv("HTTPS_PROXY", f"http://sdr:hunter2-proxy-pw@127.0.0.1:{proxy.port}")
    async with client(server) as api:
        with pytest.raises(NotDeliveredError) as caught:
            await api.list_conversations()
        assert "hunter2" not in repr(api.route)
    text = str(caught.value)
    assert "proxy" in text and "HTTPS_PROXY" in text and "hunter2" not in text
    assert server.requests == []


async def test_ssl_cert_file_is_what_the_client_trusts(corporate, monkeypatch):
    _, server, certificate = corporate
    subjects = lambda context: [dict(pair[0] for pair in ca["subject"]).get("commonName") for ca in context.get_ca_certs()]  # noqa: E731
    assert subjects(plan_route(API).ssl_context) == ["reachkit.test"]
    assert "reachkit.test" not in subjects(plan_route(API, trust_env=False).ssl_context)
    # And in a handshake: without the variable, the test certificate is not trusted.
    proxy, _, _ = corporate
    monkeypatch.setenv("HTTPS_PROXY", proxy.url)
    monkeypatch.delenv("SSL_CERT_FILE")
    async with client(server) as api:
        with pytest.raises(NotDeliveredError) as caught:
            await api.list_conversations()
    assert "CERTIFICATE_VERIFY_FAILED" in str(caught.value) or "certificate" in str(caught.value).lower()
    assert server.requests == []


async def test_ssl_cert_dir_is_honoured_in_a_handshake(corporate, monkeypatch, tmp_path):
    proxy, server, certificate = corporate
    monkeypatch.delenv("SSL_CERT_FILE")
    monkeypatch.setenv("SSL_CERT_DIR", str(hashed_certificate_dir(tmp_path / "certdir", certificate)))
    monkeypatch.setenv("HTTPS_PROXY", proxy.url)
    async with client(server) as api:
        await api.list_conversations()
    assert server.count() == 1


def test_unusable_certificate_or_proxy_settings_are_words(monkeypatch, tmp_path):
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "missing.pem"))
    with pytest.raises(NetworkSetupError) as caught:
        ReachkitClient("k", API)
    assert "SSL_CERT_FILE" in str(caught.value) and "trust_env = false" in str(caught.value)
    assert ReachkitClient("k", API, trust_env=False).route is not None  # the setting turns it off
    monkeypatch.delenv("SSL_CERT_FILE")
    monkeypatch.setenv("ALL_PROXY", "ftp://proxy.example:21")
    with pytest.raises(NetworkSetupError) as caught:
        ReachkitClient("k", API)
    assert "ALL_PROXY" in str(caught.value)
