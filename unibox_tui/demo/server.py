"""``DemoServer``: the Reachkit-compatible app on a real socket, served by uvicorn in a thread.

Used by ``unibox-tui --demo`` (in-process, ephemeral port), by ``unibox-tui demo-server``
(``add_arguments``/``run_from_args``) and by tests, which also read its request log and change its
faults and data while it runs. uvicorn and starlette are imported only when a server starts, so
building the CLI's parser costs nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import logging
import signal
import socket
import sys
import threading
import time
from typing import TYPE_CHECKING, Any

from unibox_tui.demo import datasets
from unibox_tui.demo.faults import DroppedConnection, Faults
from unibox_tui.demo.ratelimit import RateLimit, parse_rate
from unibox_tui.demo.requestlog import RequestLog, RequestRecord

if TYPE_CHECKING:
    from unibox_tui.demo.store import Workspace

__all__ = ["DemoServer", "add_arguments", "run_from_args"]

STOP_GRACE = 0.5  # seconds in-flight responses get to finish when the server stops


def _epoch(now: dt.datetime | float | int | None) -> tuple[float, bool]:
    """The anchor of the generated dates, and whether it was fixed by the caller."""
    if now is None:
        t = time.time()
        return float(int(t) - int(t) % 60), False
    if isinstance(now, dt.datetime):
        if now.tzinfo is None:
            now = now.replace(tzinfo=dt.UTC)
        return now.timestamp(), True
    return float(now), True


class _QuietDrops(logging.Filter):
    """Our own fault injection's connection drops are not server errors worth a traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, DroppedConnection | asyncio.CancelledError)


def _configure_logging(quiet: bool) -> None:
    error_log = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _QuietDrops) for f in error_log.filters):
        error_log.addFilter(_QuietDrops())
    # In-process (--demo, tests) nothing may reach the terminal the TUI draws on: a handler here
    # stops logging's last-resort stderr output, and records still propagate to the app's own
    # handlers if it configured any.
    for name in ("uvicorn", "unibox_tui.demo"):
        logger = logging.getLogger(name)
        if quiet and not any(isinstance(h, logging.NullHandler) for h in logger.handlers):
            logger.addHandler(logging.NullHandler())


def _server_class() -> type:
    """A uvicorn ``Server`` that starts signalling readiness and stops in milliseconds, not ~0.2 s."""
    import uvicorn

    class _Server(uvicorn.Server):
        def __init__(self, config: Any, ready: threading.Event, on_close: Any) -> None:
            super().__init__(config)
            self.ready = ready
            self.on_close = on_close
            self.loop: asyncio.AbstractEventLoop | None = None
            self.wake: asyncio.Event | None = None

        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            self.loop = asyncio.get_running_loop()
            self.wake = asyncio.Event()
            try:
                await super().startup(sockets=sockets)
            finally:
                self.ready.set()

        async def main_loop(self) -> None:
            counter = 0
            while not await self.on_tick(counter):
                counter = (counter + 1) % 864000
                assert self.wake is not None
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self.wake.wait(), 0.1)

        async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
            for server in getattr(self, "servers", []):
                server.close()
            for sock in sockets or []:
                sock.close()
            for connection in list(self.server_state.connections):
                connection.shutdown()
            self.on_close()
            tasks = [t for t in self.server_state.tasks if not t.done()]
            if tasks:
                _, pending = await asyncio.wait(tasks, timeout=STOP_GRACE)
                for task in pending:
                    task.cancel()
                await asyncio.gather(*pending, return_exceptions=True)
            # abort, not close: close() would wait to flush what a stalled client never reads
            for connection in list(self.server_state.connections):
                transport = getattr(connection, "transport", None)
                if transport is not None:
                    transport.abort()
            await asyncio.sleep(0)  # let connection_lost run
            for server in getattr(self, "servers", []):
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(server.wait_closed(), 1.0)

    return _Server


class DemoServer:
    """A local Reachkit: ``with DemoServer(conversations=60, now=...) as srv: srv.base_url``."""

    def __init__(self, conversations: int = 300, seed: int = 1, key: str = "demo",
                 host: str = "127.0.0.1", port: int = 0, faults: Faults | None = None,
                 patch_enabled: bool = True, dataset: str = "default",
                 now: dt.datetime | float | None = None, *, quiet: bool = True,
                 blocklist_check: str = "both", rate_limit: float | None = None) -> None:
        if conversations < 0:
            raise ValueError("conversations must be >= 0")
        anchor, fixed = _epoch(now)
        self.key = key
        self.host = host
        self.port = port
        self.patch_enabled = patch_enabled
        self.blocklist_check = blocklist_check
        self._faults = faults if faults is not None else Faults()
        self.quiet = quiet
        self.state: Workspace = datasets.get(dataset)(datasets.DatasetParams(conversations, seed, anchor, fixed))
        self._log = RequestLog()
        self._thread: threading.Thread | None = None
        self._server: Any = None
        self._failure: BaseException | None = None
        self._fault_layer: Any = None
        #: ``rate_limit`` requests a second at most, the rest answered 429 (None: no limit);
        #: ``server.rate_limit.configure(rate)`` changes it while serving.
        self.rate_limit = RateLimit(rate_limit)

    # --- lifecycle ---------------------------------------------------------------------------------

    def start(self) -> DemoServer:
        """Listen, serve in a background thread, and return once requests are being accepted."""
        if self._thread is not None:
            return self
        import uvicorn

        from unibox_tui.demo.app import ReachkitApp
        from unibox_tui.demo.faults import FaultMiddleware
        from unibox_tui.demo.ratelimit import RateLimitMiddleware
        from unibox_tui.demo.requestlog import RecorderMiddleware

        _configure_logging(self.quiet)
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        # proto=IPPROTO_TCP matters: asyncio sets TCP_NODELAY on accepted connections only when the
        # socket says it is TCP, and without it small responses wait ~40 ms for a delayed ACK.
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((self.host, self.port))
            sock.listen(128)
            sock.setblocking(False)
        except OSError:
            sock.close()
            raise
        self.port = sock.getsockname()[1]
        self._fault_layer = FaultMiddleware(
            ReachkitApp(self.state, self.key, self.patch_enabled, self.blocklist_check), self._faults
        )
        app = RecorderMiddleware(RateLimitMiddleware(self._fault_layer, self.rate_limit), self._log)
        config = uvicorn.Config(app, host=self.host, port=self.port, log_config=None, access_log=False,
                                lifespan="off", http="h11", ws="none", server_header=False,
                                timeout_graceful_shutdown=1, log_level="warning")
        ready = threading.Event()
        self._server = _server_class()(config, ready, self._fault_layer.close)

        def run() -> None:
            try:
                asyncio.run(self._server.serve(sockets=[sock]))
            except BaseException as exc:  # noqa: BLE001 - reported by start()
                self._failure = exc
                ready.set()
            finally:
                sock.close()

        self._thread = threading.Thread(target=run, name=f"unibox-demo-server:{self.port}", daemon=True)
        self._thread.start()
        ready.wait(30)
        if self._failure is not None or not self._server.started:
            self.stop()
            raise RuntimeError(f"demo server failed to start: {self._failure!r}")
        return self

    def stop(self) -> None:
        """Stop serving and wait for the thread (idempotent)."""
        thread, server = self._thread, self._server
        if thread is None:
            return
        server.should_exit = True
        loop = server.loop
        if loop is not None and server.wake is not None:
            with contextlib.suppress(RuntimeError):  # the loop already closed
                loop.call_soon_threadsafe(server.wake.set)
        thread.join(10)
        self._thread = None

    def __enter__(self) -> DemoServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def faults(self) -> Faults:
        """The fault config in force; change its fields, or assign a new one, at any time."""
        return self._faults

    @faults.setter
    def faults(self, faults: Faults) -> None:
        self._faults = faults
        if self._fault_layer is not None:
            self._fault_layer.faults = faults

    # --- addresses -----------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def api_url(self) -> str:
        return self.base_url + "/api/v1"

    # --- the request log -------------------------------------------------------------------------

    @property
    def requests(self) -> list[RequestRecord]:
        """A snapshot of every answered request, oldest first."""
        return self._log.snapshot()

    def count(self, method: str | None = None, path: str | None = None) -> int:
        """How many recorded requests match ``method`` and ``path`` (a regex, ``re.search``)."""
        return self._log.count(method, path)

    def clear_requests(self) -> None:
        self._log.clear()

    def on_request(self, listener: Any) -> None:
        """Call ``listener(record)`` (in the server thread) for every request from now on."""
        self._log.listeners.append(listener)


# --- the standalone command ------------------------------------------------------------------------

def _rate(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError("must be between 0 and 1")
    return value


def _statuses(text: str) -> list[int]:
    try:
        values = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError("a comma-separated list of HTTP statuses, e.g. 500,503,429") from None
    if not values or any(not 400 <= v <= 599 for v in values):
        raise argparse.ArgumentTypeError("statuses must be between 400 and 599")
    return values


def _non_negative(kind: type) -> Any:
    def parse(text: str) -> Any:
        value = kind(text)
        if value < 0:
            raise argparse.ArgumentTypeError("must not be negative")
        return value

    return parse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``demo-server`` flags."""
    data = parser.add_argument_group("server and data")
    data.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s)")
    data.add_argument("--port", type=_non_negative(int), default=8765,
                      help="port to listen on, 0 for any free port (default: %(default)s)")
    data.add_argument("--key", default="demo", help="the API key clients must send (default: %(default)s)")
    data.add_argument("--conversations", type=_non_negative(int), default=300, metavar="N",
                      help="how many conversations to generate (default: %(default)s)")
    data.add_argument("--seed", type=int, default=1, metavar="N",
                      help="seed of the generated workspace (default: %(default)s)")
    data.add_argument("--dataset", default="default", choices=datasets.names(),
                      help="which generated workspace to serve (default: %(default)s)")
    data.add_argument("--no-patch", action="store_true",
                      help="behave like an older server without PATCH /unibox/conversations/:id")
    data.add_argument("--blocklist-check", choices=("old", "new", "both"), default="both",
                      help="which blocklist check to serve: the documented GET /blocklist/:id/check "
                           "(old), the newer GET /blocklist/check?email= (new), or both (default)")
    data.add_argument("--rate-limit", type=_rate_limit, default=None, metavar="N/s",
                      help="answer 429 with Retry-After to requests over N a second (N/min works too)")
    data.add_argument("--log-requests", action="store_true", help="print one line per request")
    faults = parser.add_argument_group("fault injection")
    faults.add_argument("--latency-ms", type=_non_negative(float), default=0.0, metavar="MS",
                        help="delay every response by this much")
    faults.add_argument("--fail-rate", type=_rate, default=0.0, metavar="RATE",
                        help="share of requests (0..1) answered with an error status")
    faults.add_argument("--fail-status", type=_statuses, default=[500, 503, 429], metavar="LIST",
                        help="statuses to fail with, one picked per failure (default: 500,503,429)")
    faults.add_argument("--retry-after", type=_non_negative(int), default=1, metavar="SECONDS",
                        help="Retry-After sent with 429 and 503 (default: %(default)s)")
    faults.add_argument("--malformed-rate", type=_rate, default=0.0, metavar="RATE",
                        help="share of requests answered 200 with truncated JSON")
    faults.add_argument("--drop-rate", type=_rate, default=0.0, metavar="RATE",
                        help="share of requests whose connection is cut mid-body")
    faults.add_argument("--hang-rate", type=_rate, default=0.0, metavar="RATE",
                        help="share of requests that get no answer for --hang-seconds")
    faults.add_argument("--hang-seconds", type=_non_negative(float), default=30.0, metavar="SECONDS",
                        help="how long a hanging request waits (default: %(default)s)")
    faults.add_argument("--bad-gzip-rate", type=_rate, default=0.0, metavar="RATE",
                        help="share of requests answered 200 with Content-Encoding: gzip and a body "
                             "that is not gzip (a proxy mangling compression)")
    faults.add_argument("--reply-commit-delay", type=_non_negative(float), default=0.0, metavar="SECONDS",
                        help="store (and answer) each reply only this long after it arrives: a client "
                             "that gives up sooner does not know it went out")
    faults.add_argument("--fault-seed", type=int, default=None, metavar="N",
                        help="seed for which requests fail (default: random)")


def _rate_limit(text: str) -> float:
    try:
        return parse_rate(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def faults_from_args(ns: argparse.Namespace) -> Faults:
    return Faults(latency_ms=ns.latency_ms, fail_rate=ns.fail_rate, fail_statuses=list(ns.fail_status),
                  retry_after=ns.retry_after, malformed_rate=ns.malformed_rate, drop_rate=ns.drop_rate,
                  hang_rate=ns.hang_rate, hang_seconds=ns.hang_seconds, bad_gzip_rate=ns.bad_gzip_rate,
                  seed=ns.fault_seed, reply_commit_delay=ns.reply_commit_delay)


def run_from_args(ns: argparse.Namespace) -> int:
    """Serve in the foreground until Ctrl-C; returns the exit status."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        server = DemoServer(conversations=ns.conversations, seed=ns.seed, key=ns.key, host=ns.host,
                            port=ns.port, faults=faults_from_args(ns), patch_enabled=not ns.no_patch,
                            blocklist_check=ns.blocklist_check, rate_limit=ns.rate_limit,
                            dataset=ns.dataset, quiet=False)
        server.start()
    except OSError as exc:
        print(f"unibox-tui demo-server: cannot listen on {ns.host}:{ns.port}: {exc.strerror or exc}",
              file=sys.stderr)
        return 1
    if ns.log_requests:
        def show(r: RequestRecord) -> None:
            fault = f"  [{r.fault}]" if r.fault else ""
            print(f"{time.strftime('%H:%M:%S')} {r.method} {r.path} -> {r.status}{fault}", flush=True)

        server.on_request(show)
    stopping = threading.Event()
    previous = None
    if threading.current_thread() is threading.main_thread():
        # `kill` (and service managers) send SIGTERM: stop as cleanly as on Ctrl-C.
        previous = signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    print(f"Reachkit demo server on {server.base_url}  (API key: {server.key})  Ctrl-C to stop", flush=True)
    try:
        while server.running and not stopping.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    return 0
