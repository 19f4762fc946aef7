"""The layers run one way: the contracts in pyproject.toml hold, and importing a layer loads only what it needs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


ROOT = Path(__file__).resolve().parents[1]


def test_the_import_contracts_in_pyproject_hold():
    """``lint-imports`` (import-linter) keeps the layers: ui > domain > store > config | render > api,
    app > screens > widgets inside the UI, no Textual below it, the demo apart. Its report is the
    failure message: which import broke which contract, and by which chain."""
    code = "import sys; from importlinter.cli import lint_imports; sys.exit(lint_imports(no_cache=True, no_logo=True))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_importing_the_library_layers_loads_no_textual_and_no_server_stack():
    code = (
        "import sys, unibox_tui.api, unibox_tui.render, unibox_tui.store, unibox_tui.config;"
        "import unibox_tui.domain.inbox_model, unibox_tui.domain.triage_service, unibox_tui.domain.triage;"
        "import unibox_tui.domain.referral, unibox_tui.domain.transfers;"
        "import unibox_tui.domain.workspace, unibox_tui.domain.reply_session;"
        "import unibox_tui.domain.snippets, unibox_tui.domain.pipes, unibox_tui.domain.summary, unibox_tui.domain.bulk;"
        "import unibox_tui.store.config_edit, unibox_tui.store.journal, unibox_tui.store.exports, unibox_tui.store.pipe_history;"
        "bad = [m for m in ('textual', 'rich', 'starlette', 'uvicorn', 'html2text', 'httpx', 'tomlkit') if m in sys.modules];"
        "print(','.join(bad))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


def test_the_app_module_does_not_import_the_demo_server_html2text_or_httpx():
    """Start-up pays only for what the first frame needs: the client and converters load later."""
    code = (
        "import sys, unibox_tui.cli, unibox_tui.config, unibox_tui.ui.app;"
        "heavy = ('starlette', 'uvicorn', 'html2text', 'httpx', 'markdown_it', 'unibox_tui.demo.server',"
        " 'unibox_tui.domain.ooo');"
        "bad = [m for m in heavy if m in sys.modules];"
        "print(','.join(bad))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


def test_the_follow_up_modules_load_no_ui_no_network_and_no_date_library():
    """Snoozes, reminders and alerts are plain Python: they never need Textual, httpx or dateparser."""
    modules = (
        "unibox_tui.domain.ooo", "unibox_tui.domain.snooze", "unibox_tui.domain.waiting", "unibox_tui.domain.alerts",
        "unibox_tui.domain.notifier", "unibox_tui.domain.wakeup", "unibox_tui.store.followups",
    )
    code = (
        f"import sys; [__import__(m) for m in {modules!r}];"
        "bad = [m for m in ('textual', 'rich', 'httpx', 'html2text', 'dateparser', 'unibox_tui.api.client') if m in sys.modules];"
        "print(','.join(bad))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


def test_the_snooze_picker_and_the_store_do_not_load_the_out_of_office_parser():
    """Only reading an auto-reply pays for the parser's patterns; a snooze or a poll does not."""
    code = (
        "import sys, unibox_tui.domain.snooze, unibox_tui.domain.waiting, unibox_tui.domain.wakeup,"
        " unibox_tui.domain.alerts, unibox_tui.store.followups, unibox_tui.config;"
        "print('unibox_tui.domain.ooo' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
