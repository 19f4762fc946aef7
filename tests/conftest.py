"""Shared fixtures: an isolated environment for every test, and the local Reachkit server."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from unibox_tui.demo.server import DemoServer

def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--clock-shift",
        type=float,
        default=0.0,
        metavar="DAYS",
        help="run every test with the wall clock shifted by DAYS (e.g. 365 or -365): the suite must "
        "not depend on the date it runs (CI runs it both ways)",
    )
    parser.addoption(
        "--snapshot-update",
        action="store_true",
        default=False,
        help="write the screen snapshots (tests/snapshots/*.svg) anew instead of comparing with them",
    )


def pytest_configure(config: pytest.Config) -> None:
    """``--clock-shift``: the wall clock (time.time, datetime.now...) of this process, shifted.

    Monotonic clocks are left alone, as they are on a real machine whose date is different.
    """
    _fall_back_to_a_scratch_home(config)
    days = config.getoption("--clock-shift")
    if days:
        import time_machine

        traveller = time_machine.travel(time.time() + days * 86400, tick=True)
        traveller.start()
        config.add_cleanup(traveller.stop)


#: Where HOME and the XDG folders point between tests (see ``_fall_back_to_a_scratch_home``).
SCRATCH_HOME: Path | None = None
_HOME_VARIABLES = ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME")


def _fall_back_to_a_scratch_home(config: pytest.Config) -> None:
    """HOME and the XDG folders point at a scratch folder for the whole run, under each test's own.

    A test's ``monkeypatch.undo()`` also undoes ``isolated_env``'s folders: a test did that and
    its app then saved a key and a row cache in the real user's config and cache. Now such a
    write lands here, and ``isolated_env`` fails the test that made it.
    """
    global SCRATCH_HOME
    SCRATCH_HOME = Path(tempfile.mkdtemp(prefix="unibox-tests-home-"))
    saved = {name: os.environ.get(name) for name in _HOME_VARIABLES}
    for name in _HOME_VARIABLES:
        os.environ[name] = str(SCRATCH_HOME / name.lower())

    def restore() -> None:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        shutil.rmtree(SCRATCH_HOME, ignore_errors=True)

    config.add_cleanup(restore)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    """A failure's report may quote a stranger's text (lone surrogates from the hostile data set):
    escape what UTF-8 cannot carry, or pytest-xdist cannot send the report and the whole run
    ends in an INTERNALERROR that hides which test failed and why."""
    outcome = yield
    report = outcome.get_result()
    if report.longrepr is not None and not isinstance(report.longrepr, tuple):
        text = str(report.longrepr)
        if _not_utf8(text):
            report.longrepr = _escaped(text)
    report.sections = [(name, _escaped(body)) if _not_utf8(body) else (name, body) for name, body in report.sections]


def _not_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _escaped(text: str) -> str:
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


# The demo's clock in tests: every generated date is relative to it, so data never drifts.
DEMO_NOW = dt.datetime(2026, 5, 28, 15, 30, tzinfo=dt.UTC)
DEMO_CONVERSATIONS = 60


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SimpleNamespace]:
    """No test reads or writes the real user's files, uses a real key or the machine's proxy.

    HOME and the XDG base directories point into ``tmp_path``; the downloads folder is set both
    by ``XDG_DOWNLOAD_DIR`` and by the ``user-dirs.dirs`` file platformdirs actually reads.
    """
    base = tmp_path / "env"
    dirs = {name: base / name for name in ("home", "config", "data", "cache", "state", "downloads")}
    for path in dirs.values():
        path.mkdir(parents=True)
    monkeypatch.setenv("HOME", str(dirs["home"]))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(dirs["config"]))
    monkeypatch.setenv("XDG_DATA_HOME", str(dirs["data"]))
    monkeypatch.setenv("XDG_CACHE_HOME", str(dirs["cache"]))
    monkeypatch.setenv("XDG_STATE_HOME", str(dirs["state"]))
    monkeypatch.setenv("XDG_DOWNLOAD_DIR", str(dirs["downloads"]))
    (dirs["config"] / "user-dirs.dirs").write_text(f'XDG_DOWNLOAD_DIR="{dirs["downloads"]}"\n')
    for name in ("REACHKIT_API_KEY", "REACHKIT_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    # The machine's proxies are not the tests' (tests that need one set it themselves).
    for name in ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    yield SimpleNamespace(**dirs)
    stray = sorted(str(path) for path in SCRATCH_HOME.rglob("*")) if SCRATCH_HOME else []
    if stray:
        shutil.rmtree(SCRATCH_HOME, ignore_errors=True)  # (the next test starts clean)
        SCRATCH_HOME.mkdir()
        pytest.fail(f"this test wrote outside its own folders (after a monkeypatch.undo()?): {stray[:5]}")


@pytest.fixture
def snapshots(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    """Pictures of the screens compared with tests/snapshots/ (see tests/snapshots.py)."""
    from snapshots import Snapshots

    return Snapshots(update=request.config.getoption("--snapshot-update"), failures=tmp_path / "snapshot-failures")


@pytest.fixture
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The viewer's time zone is UTC (dates on screen are drawn in local time)."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def make_demo_server() -> Iterator[Callable[..., DemoServer]]:
    """Start demo servers with any ``DemoServer`` arguments; each is stopped after the test.

    Defaults: a small workspace (``DEMO_CONVERSATIONS``) anchored at ``DEMO_NOW``.
    """
    started: list[DemoServer] = []

    def make(**kwargs: Any) -> DemoServer:
        kwargs.setdefault("conversations", DEMO_CONVERSATIONS)
        kwargs.setdefault("now", DEMO_NOW)
        server = DemoServer(**kwargs)
        started.append(server)
        return server.start()

    yield make
    for server in started:
        server.stop()


@pytest.fixture
def demo_server(make_demo_server: Callable[..., DemoServer]) -> DemoServer:
    """A running demo server with the default small workspace (key ``demo``)."""
    return make_demo_server()
