"""A small corporate network on loopback, for tests: a CONNECT proxy and a TLS front door.

``ConnectProxy`` is an HTTP proxy that only tunnels (``CONNECT host:port``), as corporate proxies
do for https; it records what it was asked and every byte it relayed, and maps the names it is
asked for to local ports (no DNS). ``TlsFront`` terminates TLS with a certificate made here by the
``openssl`` command and passes the plain bytes on to a local server (the demo server). Both run
on their own event loop in a thread, so blocking clients (download threads) can use them too.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import ssl
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest


@dataclass(frozen=True)
class Certificate:
    cert: Path
    key: Path


def make_certificate(folder: Path, name: str) -> Certificate:
    """A self-signed certificate for ``name`` (and 127.0.0.1); skips the test without openssl."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is needed to make a test certificate")
    folder.mkdir(parents=True, exist_ok=True)
    cert, key = folder / f"{name}.pem", folder / f"{name}.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30",
         "-keyout", str(key), "-out", str(cert), "-subj", f"/CN={name}",
         "-addext", f"subjectAltName=DNS:{name},IP:127.0.0.1",
         "-addext", "basicConstraints=critical,CA:TRUE"],
        check=True, capture_output=True, timeout=60,
    )
    return Certificate(cert, key)


def hashed_certificate_dir(folder: Path, certificate: Certificate) -> Path:
    """A folder laid out as ``SSL_CERT_DIR`` expects: ``<subject hash>.0`` per certificate."""
    folder.mkdir(parents=True, exist_ok=True)
    digest = subprocess.run(
        ["openssl", "x509", "-hash", "-noout", "-in", str(certificate.cert)],
        check=True, capture_output=True, text=True, timeout=30,
    ).stdout.strip()
    shutil.copy(certificate.cert, folder / f"{digest}.0")
    return folder


class _LoopThread:
    """An event loop in a daemon thread; servers are started and stopped on it."""

    def __init__(self, name: str) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name=name, daemon=True)
        self.thread.start()

    def run(self, coroutine, timeout: float = 10.0):  # noqa: ANN001, ANN201 - test helper
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def stop(self, server: asyncio.Server) -> None:
        """Close ``server`` and every connection it has open, then the loop itself."""

        async def shut() -> None:
            server.close()
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await server.wait_closed()

        self.run(shut())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, seen: bytearray | None) -> None:
    try:
        while data := await reader.read(65536):
            if seen is not None:
                seen.extend(data)
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.IncompleteReadError, ssl.SSLError):
        pass
    finally:
        writer.close()


async def _splice(client: tuple, upstream: tuple, seen: bytearray | None) -> None:
    (c_reader, c_writer), (u_reader, u_writer) = client, upstream
    try:
        await asyncio.gather(_pipe(c_reader, u_writer, seen), _pipe(u_reader, c_writer, None))
    finally:
        for writer in (c_writer, u_writer):
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()


@dataclass
class ConnectProxy:
    """``http://127.0.0.1:port``: tunnels CONNECT to ``routes[host:port]``; anything else gets 405."""

    routes: dict[str, tuple[str, int]] = field(default_factory=dict)
    #: Answer every CONNECT with this status instead of tunnelling (e.g. 407), when set.
    refuse_with: int | None = None
    #: The request lines received ("CONNECT reachkit.test:443 HTTP/1.1"), in order.
    requests: list[str] = field(default_factory=list)
    #: Every byte the clients sent through the tunnels (what the proxy could read).
    relayed: bytearray = field(default_factory=bytearray)
    port: int = 0

    def start(self) -> ConnectProxy:
        self._loop = _LoopThread("test-proxy")
        self._server = self._loop.run(asyncio.start_server(self._serve, "127.0.0.1", 0))
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self._loop.stop(self._server)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            writer.close()
            return
        line = head.split(b"\r\n", 1)[0].decode("latin-1")
        self.requests.append(line)
        method, _, rest = line.partition(" ")
        target = rest.partition(" ")[0]
        if method != "CONNECT":
            writer.write(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            writer.close()
            return
        if self.refuse_with is not None or target not in self.routes:
            status = self.refuse_with or 502
            writer.write(f"HTTP/1.1 {status} Refused\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".encode())
            writer.close()
            return
        upstream = await asyncio.open_connection(*self.routes[target])
        writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        await writer.drain()
        await _splice((reader, writer), upstream, self.relayed)


@dataclass
class TlsFront:
    """``https://127.0.0.1:port`` with ``certificate``, passing the plain bytes to ``upstream``."""

    certificate: Certificate
    upstream: tuple[str, int]
    port: int = 0

    def start(self) -> TlsFront:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.certificate.cert, self.certificate.key)
        self._loop = _LoopThread("test-tls-front")
        self._server = self._loop.run(asyncio.start_server(self._serve, "127.0.0.1", 0, ssl=context))
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    def stop(self) -> None:
        self._loop.stop(self._server)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            upstream = await asyncio.open_connection(*self.upstream)
        except OSError:
            writer.close()
            return
        await _splice((reader, writer), upstream, None)
