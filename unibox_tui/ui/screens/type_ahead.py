"""Keys that open something (a composer, the search, a picker) act before the next key arrives.

Textual hands a key to the focused widget and runs a screen's binding only when the key has
bubbled back up, after the app has already handed the keys typed next to the same widget: "r1 pm"
typed fast labelled the conversation Interested (``1``) and replied " pm". A priority binding runs
inline, as the app reads the key, so the opener is done (and has moved the focus) before the next
key is dispatched. :func:`eager` makes these bindings priority ones; :func:`inbox_owns_key` keeps
each such key from taking over where it used to be somebody else's: typed text in an input or
the composer, and a focused widget's own binding for the same key (``h``/``l`` in the folder
bar, ``r`` in the downloads panel).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace

from textual.binding import Binding
from textual.keys import key_to_character
from textual.screen import Screen
from textual.widgets import Input, TextArea

__all__ = ["EAGER_ACTIONS", "OpenerGate", "eager", "inbox_owns_key"]

#: The actions (their names, without arguments) that open something the next keys are typed into.
EAGER_ACTIONS = frozenset({"reply", "search", "pick_label", "filter", "snooze", "pipe", "waiting", "day_summary", "block"})


def _action_name(action: str) -> str:
    return action.split("(", 1)[0]


def eager(bindings: Iterable[Binding]) -> list[Binding]:
    """``bindings`` with the openers among them made priority bindings (ids and keys unchanged)."""
    return [replace(b, priority=True) if _action_name(b.action) in EAGER_ACTIONS else b for b in bindings]


def _keys(node: object, keymap: Mapping[str, str], action: str | None = None) -> set[str]:
    """The keys ``node``'s class binds (to ``action``, or to anything), after the user's keymap,
    each as the character it types when it types one (``slash`` and ``/`` are the same key)."""
    keys: set[str] = set()
    for cls in type(node).__mro__:
        for binding in vars(cls).get("BINDINGS", ()):
            if isinstance(binding, Binding) and (action is None or _action_name(binding.action) == action):
                written = (keymap.get(binding.id) if binding.id else None) or binding.key
                keys.update(key_to_character(key.strip()) or key.strip() for key in written.split(","))
    return keys


def inbox_owns_key(screen: Screen, action: str, keymap: Mapping[str, str]) -> bool:
    """May the screen's opener ``action`` take its key now, ahead of the focused widget?

    Not while the user types (an input or a text area has the focus), nor when the focused widget
    or a container between it and the screen binds the same key itself.
    """
    focused = screen.focused
    if focused is None:
        return True
    if isinstance(focused, (Input, TextArea)):
        return False
    keys = _keys(screen, keymap, action)
    for node in focused.ancestors_with_self:
        if node is screen:
            break
        if keys & _keys(node, keymap):
            return False
    return True


class OpenerGate:
    """The screen's ``check_action`` for its openers, and the way round it for the palette.

    The step-aside rule is about a *key*: ``/`` typed in the composer is a slash. An opener chosen
    by name in the palette ("Search" while the composer has the focus) is asked for, and runs.
    """

    def __init__(self, screen: Screen, keymap: Callable[[], Mapping[str, str]]) -> None:
        self._screen = screen
        self._keymap = keymap
        self._chosen = False

    def allows(self, action: str) -> bool:
        return self._chosen or action not in EAGER_ACTIONS or inbox_owns_key(self._screen, action, self._keymap())

    async def run_chosen(self, action: str) -> None:
        """Run ``action`` as chosen by name (the palette), whoever has the focus."""
        self._chosen = True
        try:
            await self._screen.run_action(action)
        finally:
            self._chosen = False
