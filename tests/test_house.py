"""The house rules that no import contract can see: widgets get data and post messages, nobody
touches another object's private parts, no mixins, no oversized UI modules.

Read by the AST, so a rule holds for every line, tested or not. Each failure names the file, the
line and what to do instead.
"""

from __future__ import annotations

import ast
from pathlib import Path

from textual.app import App
from textual.screen import Screen

import unibox_tui

PACKAGE = Path(unibox_tui.__file__).parent
UI = PACKAGE / "ui"
WIDGETS = UI / "widgets"

#: Modules a widget may not import, even for type hints: what it needs is passed when it is built.
ABOVE_WIDGETS = ("unibox_tui.ui.screens", "unibox_tui.ui.app", "unibox_tui.ui.workspace", "unibox_tui.ui.reply_news")
#: Where a module of ui/ gets too big to hold in one's head: split it by responsibility.
MAX_UI_LINES = 450

#: Reads of a private attribute of another object that stay, each with its reason.
ALLOWED_PRIVATE = {
    # Textual has no public "this frame is being batched (and dropped)"; read only, never written.
    ("ui/widgets/conversation_list.py", "self.app._batch_count"),
}


def _modules(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.py"))


def _where(path: Path, node: ast.AST) -> str:
    return f"{path.relative_to(PACKAGE)}:{getattr(node, 'lineno', 0)}"


def _module_name(path: Path) -> str:
    return "unibox_tui." + ".".join(path.relative_to(PACKAGE).with_suffix("").parts)


def _imported(path: Path, node: ast.Import | ast.ImportFrom) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if not node.level:
        return [node.module or ""]
    base = _module_name(path).split(".")[: -node.level]
    module = ".".join(base + ([node.module] if node.module else []))
    return [module] + [f"{module}.{alias.name}" for alias in node.names]


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _is_self(node: ast.AST) -> bool:
    """``self``, ``cls`` or ``super()``: an object's own attributes."""
    if isinstance(node, ast.Name):
        return node.id in ("self", "cls")
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "super"


def _on(node: ast.AST, owner: str) -> bool:
    """``self.app`` / ``self.screen``."""
    return isinstance(node, ast.Attribute) and node.attr == owner and isinstance(node.value, ast.Name) and node.value.id == "self"


def _public(thing: object) -> set[str]:
    """Textual's API on an app or a screen: its public names (a screen's signals live on instances)."""
    return {name for name in dir(thing) if not name.startswith("_")}


def widget_problems() -> list[str]:
    """Widgets never import a screen or the app, never reach into ``self.app``/``self.screen`` for
    one of ours (only Textual's own API), never look up attributes of them by name."""
    public = {"app": _public(App), "screen": _public(Screen()) | _public(Screen)}
    problems = []
    for path in _modules(WIDGETS):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import | ast.ImportFrom):
                for name in _imported(path, node):
                    if any(name == bad or name.startswith(bad + ".") for bad in ABOVE_WIDGETS):
                        problems.append(f"{_where(path, node)} imports {name}: pass what the widget needs when it is built")
            elif isinstance(node, ast.Attribute):
                for owner in ("app", "screen"):
                    # (Private names are test_nobody_touches_another_objects_private_attributes' to judge.)
                    if _on(node.value, owner) and not node.attr.startswith("_") and node.attr not in public[owner]:
                        problems.append(
                            f"{_where(path, node)} self.{owner}.{node.attr} is not Textual's API: pass it in, or post a message"
                        )
                if node.attr == "unibox" and _is_self(node.value):
                    problems.append(f"{_where(path, node)} self.unibox: a widget does not know our app")
    return problems


def getattr_problems() -> list[str]:
    """No ``getattr(self.app, ...)`` / ``getattr(self.screen, ...)`` anywhere in the UI: a contract
    looked up by name is a contract nobody can see."""
    problems = []
    for path in _modules(UI):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("getattr", "hasattr")
                and node.args and (_on(node.args[0], "app") or _on(node.args[0], "screen"))
            ):
                problems.append(f"{_where(path, node)} {ast.unparse(node)}")
    return problems


def private_problems() -> list[str]:
    """No ``x._name`` (read, write or call) where ``x`` is not ``self``/``cls``/``super()``, nor
    ``getattr``/``setattr``/``hasattr`` of a private name on another object."""
    problems = []
    for path in _modules(PACKAGE):
        where = str(path.relative_to(PACKAGE))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and _private(node.attr) and not _is_self(node.value):
                if (where, ast.unparse(node)) not in ALLOWED_PRIVATE:
                    problems.append(f"{_where(path, node)} {ast.unparse(node)}")
            elif (
                isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id in ("getattr", "setattr", "hasattr") and len(node.args) > 1
                and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str)
                and _private(node.args[1].value) and not _is_self(node.args[0])
            ):
                problems.append(f"{_where(path, node)} {ast.unparse(node)}")
    return problems


def mixin_problems() -> list[str]:
    return [
        f"{_where(path, node)} class {node.name}"
        for path in _modules(PACKAGE)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ClassDef) and "mixin" in node.name.lower()
    ]


def size_problems() -> list[str]:
    problems = []
    for path in _modules(UI):
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_UI_LINES:
            problems.append(f"{path.relative_to(PACKAGE)} has {lines} lines (at most {MAX_UI_LINES}): split it by responsibility")
    return problems


def test_widgets_get_data_and_post_messages():
    assert widget_problems() == []


def test_no_getattr_on_the_app_or_the_screen():
    assert getattr_problems() == []


def test_nobody_touches_another_objects_private_attributes():
    assert private_problems() == []


def test_no_mixins():
    assert mixin_problems() == []


def test_no_ui_module_is_too_big_to_read():
    assert size_problems() == []


if __name__ == "__main__":  # ``python tests/test_house.py``: every finding, one a line
    for check in (widget_problems, getattr_problems, private_problems, mixin_problems, size_problems):
        found = check()
        print(f"{check.__name__}: {len(found)}")
        for line in found:
            print("   ", line)
