"""The label picker (``l``): every label with its key, opened on the conversation's current label.

Also the filter picker (``f``): the same list, choosing which label the loaded page shows.
"""

from __future__ import annotations

from collections.abc import Mapping

from textual.content import Content

from ...api.models import LABELS
from ...render.formatting import label_name
from ...render.sanitize import clean_line
from ...domain.triage import DIRECT_LABELS, PICKER_LABELS
from .key_choice import Choice, KeyChoiceScreen

__all__ = ["CLEAR", "LabelPicker", "label_keys"]

#: The value returned for "clear the manual label" (and, when filtering, "show everything").
CLEAR = ":clear"


def label_keys(keymap: Mapping[str, str] | None = None) -> dict[str, str]:
    """label -> the key that sets it (the user's remaps of ``triage.label_*`` bindings applied)."""
    keymap = keymap or {}
    keys = {label: keymap.get(f"triage.label_{label}", key).split(",")[0].strip() for key, label in DIRECT_LABELS}
    keys.update({label: key for key, label in PICKER_LABELS})
    return keys


def _ordered_labels() -> list[str]:
    """The keyed labels in key order, then any other label the API knows."""
    ordered = [label for _, label in DIRECT_LABELS] + [label for _, label in PICKER_LABELS]
    return ordered + [label for label in LABELS if label not in ordered]


class LabelPicker(KeyChoiceScreen):
    """Returns a label, :data:`CLEAR`, or ``None`` (cancelled)."""

    def __init__(
        self,
        *,
        who: str = "",
        current: str | None = None,
        ai_label: str | None = None,
        local: bool = False,
        filtering: bool = False,
        keymap: Mapping[str, str] | None = None,
        clear_key: str = "0",
    ) -> None:
        keys = label_keys(keymap)
        choices: list[Choice] = []
        for label in _ordered_labels():
            note = None
            if not filtering and label == current:
                note = Content.styled("current" + (" (local)" if local else ""), "$success")
            elif not filtering and label == ai_label:
                note = Content.styled("AI's guess", "italic $text-muted")
            choices.append(Choice(keys.get(label, ""), label, Content(label_name(label)), note))
        if filtering:
            choices.append(Choice(clear_key, CLEAR, Content("Show all (clear the filter)")))
            title = Content.assemble(("Show only", "bold"), ("  on the loaded page", "$text-muted"))
            footer = "enter filters · esc cancels · the API cannot filter by label"
        else:
            ai = f", {clean_line(label_name(ai_label), max_chars=30)}" if ai_label else " (it has none)"
            choices.append(Choice(clear_key, CLEAR, Content(f"Clear: back to the AI's label{ai}")))
            name = clean_line(who, max_chars=50)
            title = Content.assemble(("Label", "bold"), ("  " + name if name else "", "$text-muted"))
            footer = "enter applies · esc cancels · u undoes it afterwards"
        # Opened on what the conversation shows now: its own label, else the AI's, else "clear".
        highlighted = current if filtering else (current or ai_label or CLEAR)
        super().__init__(
            title,
            choices,
            highlighted=highlighted,
            footer=Content.styled(footer, "$text-muted"),
            box_id="label-picker",
        )
