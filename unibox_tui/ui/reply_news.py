"""What the user is told about their replies, whether or not a composer shows them (naming the lead)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..domain.reply_session import Happened, ReplyEvent
from .messages import DraftsChanged, ReplySent
from .screens.send_anyway import describe_facts

if TYPE_CHECKING:
    from textual.screen import Screen

    from .app import UniboxApp

__all__ = ["describe_facts", "tell"]


def tell(app: UniboxApp, event: ReplyEvent) -> None:
    """One reply event, in words (notifications) and as messages to the inbox that shows it."""
    session, kind, detail = event.session, event.kind, event.detail
    lead = session.lead if session is not None else ""
    if kind is Happened.SENT and session is not None:
        what = "Your earlier reply" if event.earlier else "Reply"
        app.say(f"{what} to {lead} was sent.", title="Sent")
        _post(app, ReplySent(session.conversation_id, event.message, event.conversation))
    elif kind is Happened.NOT_SENT:
        app.say(f"{lead}: {detail}", title="Reply not sent", severity="error", timeout=12)
    elif kind is Happened.UNKNOWN:
        app.say(f"{lead}: {detail}", title="Delivery unknown", severity="warning", timeout=12)
    elif kind is Happened.STILL_UNKNOWN and event.reason == "startup" and session is not None:
        facts = describe_facts(session.facts(), app.clock)
        app.say(f"Your reply to {lead} is not in the conversation yet, so its delivery is unknown. {facts} "
                "It is not sent again unless you choose to.", title="Delivery unknown", severity="warning", timeout=20)
    elif kind is Happened.UNDONE:
        app.say(detail, title="Undo send")
    elif kind is Happened.SAVE_FAILED:
        app.say(f"{detail} Keep the composer open; it will try again.", title="Draft", severity="error", timeout=15)
    elif kind is Happened.PROBLEM:
        app.say(detail, title="Drafts", severity="warning", timeout=15)
    elif kind is Happened.FAILED:
        app.show_error(event.error, "Sending the reply")
    if kind in (Happened.SENT, Happened.DRAFTS_CHANGED):
        _post(app, DraftsChanged())


def _post(app: UniboxApp, message: ReplySent | DraftsChanged) -> None:
    screen = _inbox_of(app)
    if screen is not None:
        screen.post_message(message)


def _inbox_of(app: UniboxApp) -> Screen | None:
    from .screens.inbox import InboxScreen

    return next((s for s in app.screen_stack if isinstance(s, InboxScreen)), None)
