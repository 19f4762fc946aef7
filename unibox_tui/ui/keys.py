"""Keys as the user has them: a binding's key after their keymap, written the way people read it.

The ``?`` screen, the command palette and hints in widgets ("S hides") name keys; all of them ask
here, so a remap in config.toml shows everywhere at once.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["bound_key", "display_keys"]

_NAMES = {
    "slash": "/",
    "question_mark": "?",
    "right_square_bracket": "]",
    "left_square_bracket": "[",
    "escape": "esc",
    "space": "space",
    "vertical_line": "|",
}


def bound_key(keymap: Mapping[str, str], binding_id: str, default: str) -> str:
    """The first key of binding ``binding_id`` now: the user's keymap for it, else ``default``."""
    keys = keymap.get(binding_id) or default
    return keys.split(",")[0].strip() or default


def display_keys(keys: str) -> str:
    """``slash,question_mark`` -> ``/ / ?``: every key of a binding, as written on the keyboard."""
    return " / ".join(_NAMES.get(key.strip(), key.strip()) for key in keys.split(","))
