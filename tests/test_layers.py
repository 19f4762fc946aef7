"""The layers run one way: api, render and store never reach for the UI or Textual."""

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
        "heavy = ('starlette', 'uvicorn', 'html2text', 'httpx', 'markdown_it', 'unibox_tui.demo.server');"
        "bad = [m for m in heavy if m in sys.modules];"
        "print(','.join(bad))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""
