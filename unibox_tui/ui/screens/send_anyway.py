"""ctrl+s on a reply whose delivery is unknown: what is known, and "send anyway" only on an explicit yes."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from textual.content import Content
from textual.widgets import Button, Static

from ...domain.reply_session import DeliveryFacts, Mode
from ...render.formatting import human_duration
from .confirm import ConfirmScreen

if TYPE_CHECKING:
    from ...clock import Clock
    from ...domain.reply_session import ReplySession

__all__ = ["SendAnywayScreen", "describe_facts"]


def _clock_time(moment: float) -> str:
    try:
        return datetime.fromtimestamp(moment).strftime("%H:%M:%S")
    except (OverflowError, ValueError, OSError):
        return "?"


def describe_facts(facts: DeliveryFacts, clock: Clock) -> str:
    """"Sent at 15:31:07 (4 min ago); checked 3 times, last at 15:33:10: ... Next check in 40 s."."""
    parts = []
    if facts.sent_at is not None:
        parts.append(f"Sent at {_clock_time(facts.sent_at)} ({human_duration(clock.time() - facts.sent_at)} ago)")
    if facts.checks:
        times = "once" if facts.checks == 1 else f"{facts.checks} times"
        last = f", last at {_clock_time(facts.checked_at)}" if facts.checked_at is not None else ""
        parts.append(f"checked {times}{last}: {facts.last_result or 'no answer'}")
    else:
        parts.append("not checked yet")
    text = "; ".join(parts) + "."
    if facts.checking:
        return text + " Checking again now…"
    if facts.next_check_in is not None:
        return text + f" Next check in {human_duration(facts.next_check_in)}."
    return text


def _body(session: ReplySession, clock: Clock) -> Content:
    lead = session.lead
    return Content.assemble(
        "Your reply to ",
        (lead, "bold"),
        " may have arrived: its answer was lost, and no check has found it yet.\n\n",
        describe_facts(session.facts(), clock),
        "\n\n",
        ("Sending it anyway may give ", "$text-error"),
        (lead, "bold $text-error"),
        (" the same reply twice.", "$text-error"),
    )


class SendAnywayScreen(ConfirmScreen):
    """Dismissed with True only by "Send anyway" (or ``y``); closes itself once the reply is found."""

    def __init__(self, session: ReplySession, clock: Clock) -> None:
        super().__init__("Delivery unknown", _body(session, clock), "Send anyway", danger=True)
        self.session = session
        self.clock = clock

    def on_mount(self) -> None:
        self.query_one("#confirm-no", Button).label = Content("Keep checking  n")
        self.query_one("#confirm-no", Button).focus()  # enter must not send twice by accident
        self.session.changed.connect(self._session_changed)
        self.call_after_refresh(self._session_changed, self.session)  # it may have settled before we showed
        self.set_interval(1.0, lambda: self._session_changed(self.session))  # "12 s ago", "next check in 40 s"

    def on_unmount(self) -> None:
        self.session.changed.disconnect(self._session_changed)

    def _session_changed(self, session: ReplySession) -> None:
        if not self.is_attached or self.app.screen is not self:
            return
        if session.mode not in (Mode.UNKNOWN, Mode.CHECKING):
            self.dismiss(False)  # found (sent), or no longer waiting: nothing left to decide
            return
        self.query_one("#confirm-body", Static).update(_body(session, self.clock))
