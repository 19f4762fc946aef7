"""The layers run one way: api, domain, render and store never reach for the UI or Textual."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import unibox_tui

PACKAGE = Path(unibox_tui.__file__).parent
FORBIDDEN = {
    "api": ("textual", "rich", "unibox_tui.ui", "unibox_tui.demo"),
    "render": ("textual", "rich", "unibox_tui.ui", "unibox_tui.demo"),
    "store": ("textual", "rich", "unibox_tui.ui", "unibox_tui.demo"),
    "domain": ("textual", "rich", "unibox_tui.ui", "unibox_tui.demo"),
    "demo": ("textual", "unibox_tui.ui"),
}


def _imports(path: Path, package: str) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1] if node.level > 1 else base
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            names.append(module)
    return names


def test_lower_layers_never_import_the_ui_or_textual():
    problems = []
    for layer, banned in FORBIDDEN.items():
        for path in (PACKAGE / layer).rglob("*.py"):
            package = "unibox_tui." + ".".join(path.relative_to(PACKAGE).with_suffix("").parts[:-1])
            for name in _imports(path, package):
                if any(name == b or name.startswith(b + ".") for b in banned):
                    problems.append(f"{path.relative_to(PACKAGE)} imports {name}")
    assert problems == []


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
