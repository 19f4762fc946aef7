"""The command palette, built from the key bindings in force (never a hand-written list of keys).

A binding is offered in the palette when it has an ``id`` and a ``tooltip`` (the palette's help
line); its name is the binding's description, or the longer one its class gives in
``PALETTE_NAMES``; the key shown is the binding's key after the user's keymap. Bindings are taken
from the app, the screen and every widget on it that is shown (the composer's only while it is
open). Commands that are not bindings (a folder, removing an added lead) are the caller's, and
name a key only through ``bound_key``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping
from functools import partial
from typing import Any, Protocol, runtime_checkable

from textual.app import SystemCommand
from textual.binding import Binding
from textual.dom import DOMNode
from textual.markup import escape

from .keys import bound_key, display_keys

__all__ = ["binding_commands", "palette_commands"]


def _declared(owner: type, attribute: str) -> Iterator[Any]:
    """Every class in ``owner``'s MRO that declares ``attribute`` itself, most derived first."""
    for cls in owner.__mro__:
        if attribute in vars(cls):
            yield vars(cls)[attribute]


def _bindings(owner: type) -> list[Binding]:
    return [binding for declared in _declared(owner, "BINDINGS") for binding in declared if isinstance(binding, Binding)]


def _names(owner: type) -> dict[str, str]:
    names: dict[str, str] = {}
    for declared in reversed(list(_declared(owner, "PALETTE_NAMES"))):
        names.update(declared)
    return names


async def _run_chosen(node: Any, action: str) -> None:
    """A command chosen by name: a screen that lets some keys step aside while the user types
    (the inbox's openers, see type_ahead.py) runs it anyway, as asked."""
    if isinstance(node, ChosenByName):
        await node.run_chosen(action)
    else:
        await node.run_action(action)


@runtime_checkable
class ChosenByName(Protocol):
    async def run_chosen(self, action: str) -> None: ...


def binding_commands(node: DOMNode, keymap: Mapping[str, str], *, hide: Collection[str] = ()) -> Iterator[SystemCommand]:
    """``node``'s bindings that are meant for the palette, each running its action on ``node``."""
    names = _names(type(node))
    for binding in _bindings(type(node)):
        if not binding.id or not binding.tooltip or binding.id in hide:
            continue
        key = display_keys(bound_key(keymap, binding.id, binding.key))
        # The palette parses help text as markup: the key (from the user's config) goes in escaped.
        help_text = f"{escape(binding.tooltip)} ({escape(key)})"
        run: Callable[[], Any] = partial(_run_chosen, node, binding.action)
        yield SystemCommand(names.get(binding.id, binding.description), help_text, run)


def palette_commands(
    app: DOMNode, screen: DOMNode, keymap: Mapping[str, str], *, hide: Collection[str] = ()
) -> Iterator[SystemCommand]:
    """The palette's binding commands for ``screen``: the app's, the screen's, its shown widgets'."""
    yield from binding_commands(app, keymap, hide=hide)
    yield from binding_commands(screen, keymap, hide=hide)
    for widget in screen.query("*"):
        if widget.display and widget.BINDINGS:
            yield from binding_commands(widget, keymap, hide=hide)
