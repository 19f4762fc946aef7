"""Command line: parse arguments, resolve settings, start the local server for --demo, run the app.

The only module that joins ``demo`` (the local Reachkit server) and ``ui`` (the app). Heavy
imports happen inside the branch that needs them, so ``--help`` and ``--version`` are instant
and the app does not pay for the server's stack unless the demo runs.
"""

from __future__ import annotations

import argparse
import gc
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from . import APP_NAME, __version__

if TYPE_CHECKING:
    from .demo.server import DemoServer

__all__ = ["build_parser", "main"]

SUBCOMMANDS = ("demo-server", "login", "logout", "profiles")


def _page_size(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError("must be a whole number from 1 to 100") from None
    if not 1 <= value <= 100:
        raise argparse.ArgumentTypeError("must be from 1 to 100")
    return value


def _profile_name(text: str) -> str:
    from .config import valid_profile_name

    if not valid_profile_name(text):
        raise argparse.ArgumentTypeError("use letters, digits, '_', '.' and '-' (at most 64)")
    return text


def _add_connection_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--base-url", metavar="URL", help="Reachkit API address (default: REACHKIT_BASE_URL, the profile's, https://reachkit.ai)")
    parser.add_argument("--profile", type=_profile_name, metavar="NAME", help="settings profile / workspace to use (default: default_profile in config.toml, or 'default')")
    parser.add_argument(
        "--insecure",
        action="store_true",
        help="allow plain http:// to a non-loopback host (the key travels unencrypted)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=APP_NAME,
        description="Triage the replies to your cold-email campaigns from Reachkit's Unibox, in the terminal.",
        epilog=(
            "commands: demo-server (run the local Reachkit-compatible server), "
            "login / logout (store or forget a profile's API key), profiles (list them). "
            f"Run `{APP_NAME} COMMAND --help` for a command's options."
        ),
    )
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    parser.add_argument("--demo", action="store_true", help="run against the built-in local demo server (no key, no network)")
    parser.add_argument("--dataset", default="default", metavar="NAME", help="demo data set for --demo (default, hostile)")
    parser.add_argument("--conversations", type=int, default=None, metavar="N", help="demo conversations for --demo (default 300)")
    _add_connection_options(parser)
    parser.add_argument("--download-dir", type=Path, metavar="DIR", help="where attachments are saved")
    parser.add_argument("--page-size", type=_page_size, metavar="N", help="conversations per page, 1..100")
    parser.add_argument("--log-file", type=Path, metavar="FILE", help="write a debug log here (never contains the key)")
    return parser


def _demo_server_parser() -> argparse.ArgumentParser:
    from .demo.server import add_arguments

    parser = argparse.ArgumentParser(
        prog=f"{APP_NAME} demo-server",
        description="Run the local Reachkit-compatible server (seeded SDR data, fault injection).",
    )
    add_arguments(parser)
    return parser


def _profile_parser(command: str, description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=f"{APP_NAME} {command}", description=description)
    if command == "login":
        _add_connection_options(parser)
    elif command == "logout":
        parser.add_argument("--profile", type=_profile_name, metavar="NAME", help="profile to forget (default: the default profile)")
    return parser


def _configure_logging(path: Path | None) -> logging.Handler:
    """Never log to the terminal: stray output would corrupt the screen.

    The debug log holds request lines (httpx), never headers; its formatter masks any key the
    process knows, should one slip into a message or a traceback.
    """
    from .redact import RedactingFormatter

    root = logging.getLogger()
    if path is None:
        handler: logging.Handler = logging.NullHandler()
        root.addHandler(handler)
        logging.lastResort = None  # type: ignore[assignment]
        return handler
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    logging.getLogger("httpcore").setLevel(logging.INFO)
    return handler


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in SUBCOMMANDS:
        return _run_subcommand(args[0], args[1:])
    parser = build_parser()
    options = parser.parse_args(args)
    return run_app(options)


def _run_subcommand(command: str, args: list[str]) -> int:
    if command == "demo-server":
        from .demo.server import run_from_args

        return run_from_args(_demo_server_parser().parse_args(args))
    from . import accounts

    if command == "login":
        options = _profile_parser(
            "login",
            "Verify an API key against Reachkit, then store it (owner-only) for a profile. The key is "
            "read without echo, or from standard input when it is piped. Exit status: 0 stored, "
            "1 refused (nothing stored), 2 usage error.",
        ).parse_args(args)
        return accounts.login(options)
    if command == "logout":
        options = _profile_parser("logout", "Forget a profile's stored API key.").parse_args(args)
        return accounts.logout(options)
    _profile_parser("profiles", "List profiles (never their keys).").parse_args(args)
    return accounts.list_profiles_command()


class _DemoLauncher:
    """Starts the local demo server once, on first call (``--demo``, or "Try the demo" in the app)."""

    def __init__(self, dataset: str, conversations: int) -> None:
        self.dataset = dataset
        self.conversations = conversations
        self.server: DemoServer | None = None

    def __call__(self) -> tuple[str, str]:
        """The demo's base URL and key (raises ``OSError``/``RuntimeError`` if it cannot start)."""
        if self.server is None:
            from .demo.server import DemoServer

            self.server = DemoServer(dataset=self.dataset, conversations=self.conversations).start()
        return self.server.base_url, self.server.key

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()


def run_app(options: argparse.Namespace) -> int:
    # Start-up allocates a great deal (modules, CSS rules, widgets) and frees little, so the
    # cyclic garbage collector's passes there are wasted: they were a third of the time to the
    # first rows. It is back on once the first frame is drawn (UniboxApp.on_ready).
    gc.disable()
    from .config import Overrides, load_settings

    _configure_logging(options.log_file)
    settings = load_settings(
        Overrides(
            profile=options.profile,
            base_url=options.base_url,
            page_size=options.page_size,
            download_dir=options.download_dir,
            insecure=options.insecure,
            demo=options.demo,
        )
    )
    demo = _DemoLauncher(options.dataset, 300 if options.conversations is None else options.conversations)
    if options.demo:
        try:
            settings.base_url, settings.api_key = demo()
        except Exception as error:  # noqa: BLE001 - say it in words, not a traceback
            print(f"{APP_NAME}: could not start the demo server: {error}", file=sys.stderr)
            return 1
        settings.api_key_source = "demo"
    try:
        from .ui.app import UniboxApp

        app = UniboxApp(settings, demo_launcher=demo)
        app.run()
    finally:
        demo.stop()
    return app.return_code or 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
