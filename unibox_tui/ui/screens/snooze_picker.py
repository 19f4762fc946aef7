"""The snooze picker (``h``): a key per preset, each with its exact wake time, or a typed time.

``1`` in an hour, ``2`` tomorrow morning, ``3`` next Monday morning, ``4`` when the lead is back
from out of office (only when a return date is known), ``c`` a time typed as "3d", "fri 14:00" or
"2026-12-24 09:00" (read by ``domain.snooze``, its mistakes said under the field); ``esc``
cancels. Every line is ``Content``: the title names a stranger.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from ...domain.snooze import SnoozeChoice, SnoozeError, parse_wake_time, preset_choices
from ...render.formatting import back_on as back_on_text
from ...render.formatting import wake_time
from ...render.sanitize import clean_line

__all__ = ["CUSTOM", "SnoozePick", "SnoozePicker"]

#: The option that opens the typed-time field.
CUSTOM = "c"
PLACEHOLDER = "3d · 2h · fri 14:00 · tomorrow 8:30 · 2026-12-24 09:00"


@dataclass(frozen=True, slots=True)
class SnoozePick:
    """What was picked: the preset key (or ``c``), when it wakes, and our words for why."""

    key: str
    wake_at: datetime
    reason: str


class SnoozePicker(ModalScreen[SnoozePick | None]):
    """Returns a ``SnoozePick``, or ``None`` when cancelled."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="snooze.cancel"),
        Binding("c", "custom", "Type a time (3d, fri 14:00, 2026-12-24 09:00)", id="snooze.custom"),
    ]
    #: For the ``?`` screen: the picker's keys beyond its bindings.
    HELP_NOTES = [
        ("1 / 2 / 3", "In 1 hour / tomorrow morning / next Monday morning (each line shows its time)"),
        ("4", "When the lead is back from out of office (shown when a return date is known)"),
    ]

    def __init__(
        self,
        *,
        now: datetime,
        zone: tzinfo,
        morning: int = 9,
        back_on: date | None = None,
        several_returns: bool = False,
        who: str = "",
        count: int = 1,
    ) -> None:
        super().__init__()
        self.now, self.zone, self.morning = now, zone, morning
        self.back_on = back_on
        self.choices = preset_choices(now, zone, morning=morning, back_on=back_on)
        self.several_returns = several_returns
        self.who = clean_line(who, max_chars=50)
        self.count = count

    def compose(self) -> ComposeResult:
        width = max(len(self._label(choice)[0]) for choice in self.choices) + 2
        options = [Option(self._prompt(choice, width), id=choice.key) for choice in self.choices]
        options.append(Option(Content.assemble((CUSTOM, "bold $accent"), "  a time you type…"), id=CUSTOM))
        with Vertical(id="snooze-picker", classes="key-choice"):
            yield Static(self._title(), classes="key-choice--title")
            yield OptionList(*options, classes="key-choice--options", id="snooze-options")
            yield Input(placeholder=PLACEHOLDER, id="snooze-custom", max_length=60)
            yield Static(id="snooze-feedback")
            yield Static(
                Content.styled("a key or enter picks · c types a time · esc cancels", "$text-muted"),
                classes="key-choice--footer",
            )

    def _title(self) -> Content:
        if self.count > 1:
            return Content.assemble(("Snooze", "bold"), (f"  {self.count} marked conversations", "$text-muted"))
        return Content.assemble(("Snooze", "bold"), ("  " + self.who if self.who else "", "$text-muted"))

    def _label(self, choice: SnoozeChoice) -> tuple[str, str]:
        """The line's words and its exact wake time."""
        if choice.key == "4" and self.back_on is not None:
            if self.several_returns:
                return "when each lead is back", f"from {choice.when}"
            return f"when the lead is back ({back_on_text(self.back_on)})", choice.when
        return choice.label, choice.when

    def _prompt(self, choice: SnoozeChoice, width: int) -> Content:
        label, when = self._label(choice)
        return Content.assemble((choice.key, "bold $accent"), "  ", label.ljust(width), (when, "bold"))

    def on_mount(self) -> None:
        self.query_one(Input).display = False
        self._feedback(Content(""))
        self.query_one(OptionList).focus()

    def _feedback(self, content: Content) -> None:
        feedback = self.query_one("#snooze-feedback", Static)
        feedback.update(content)
        feedback.display = bool(content.plain)

    # -- picking -----------------------------------------------------------------------------------

    def on_key(self, event: events.Key) -> None:
        if self.query_one(Input).has_focus:
            return  # typing a time: the digits are the user's
        choice = next((c for c in self.choices if c.key == event.character), None)
        if choice is not None:
            event.stop()
            event.prevent_default()
            self._pick(choice)

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id == CUSTOM:
            self.action_custom()
            return
        choice = next((c for c in self.choices if c.key == event.option.id), None)
        if choice is not None:
            self._pick(choice)

    def _pick(self, choice: SnoozeChoice) -> None:
        reason = f"until the lead is back ({back_on_text(self.back_on)})" if choice.key == "4" and self.back_on else choice.label
        self.dismiss(SnoozePick(choice.key, choice.wake_at, reason))

    def action_custom(self) -> None:
        field = self.query_one(Input)
        field.display = True
        field.focus()

    def action_cancel(self) -> None:
        self.dismiss(None)

    # -- a typed time ------------------------------------------------------------------------------

    def _read(self, text: str) -> datetime:
        return parse_wake_time(text, self.now, self.zone, morning=self.morning)

    @on(Input.Changed, "#snooze-custom")
    def _typed(self, event: Input.Changed) -> None:
        """What the typed time means so far (mistakes are said once enter is pressed)."""
        try:
            wake = self._read(event.value)
        except SnoozeError:
            self._feedback(Content(""))
            return
        self._feedback(Content.assemble(("wakes ", "$text-muted"), (wake_time(wake, self.now, self.zone), "bold")))

    @on(Input.Submitted, "#snooze-custom")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            wake = self._read(event.value)
        except SnoozeError as error:
            self._feedback(Content.styled(str(error), "$text-error"))
            return
        self.dismiss(SnoozePick(CUSTOM, wake, f"typed “{clean_line(event.value, max_chars=40)}”"))

    def on_click(self, event: events.Click) -> None:
        if event.widget is self:
            self.dismiss(None)
