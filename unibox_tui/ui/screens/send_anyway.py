"""ctrl+s on a reply whose delivery is unknown: what is known, and "send anyway" only on an explicit yes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.content import Content
from textual.widgets import Button, Static

from ...domain.reply_session import Mode
from ..reply_news import describe_facts
from .confirm import ConfirmScreen

if TYPE_CHECKING:
    from ...clock import Clock
    from ...domain.reply_session import ReplySession

__all__ = ["SendAnywayScreen"]


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
