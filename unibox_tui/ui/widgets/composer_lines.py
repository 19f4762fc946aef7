"""What the composer draws around the text, as one comparable snapshot and the lines made from it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from textual.content import Content

from ...render.compose import reply_subject
from ...render.sanitize import clean_line
from ...render.thread import person

if TYPE_CHECKING:
    from ...api.models import Conversation, Inbox
    from ...domain.reply_session import ReplySession

__all__ = ["ComposerView", "Keys", "head_line", "reminder_text", "signature_line", "status_line", "view_of"]

MARKDOWN_HINT: Final = "**bold** *italic* [link](https://…) - list"


@dataclass(frozen=True, slots=True)
class Keys:
    """The keys the hints name, as the user's keymap has them."""

    send: str = "ctrl+s"
    signature: str = "ctrl+g"
    undo: str = "ctrl+z"


@dataclass(frozen=True, slots=True)
class ComposerView:
    """Everything drawn besides the text: assigning a new one redraws, an equal one does nothing."""

    mode: str = "closed"
    from_line: str = ""
    to_line: str = ""
    subject: str = ""
    signature_state: str = "loading"
    signature_text: str = ""
    signature_error: str = ""
    with_signature: bool = True
    note: str = ""
    save_note: str = ""
    countdown: int = 0
    keys: Keys = Keys()
    #: "Remind me if no reply": ``off``, ``2d``, ``4d`` or ``1w`` (the draft's, else the setting's).
    remind: str = "off"


def _from_line(inbox: Inbox | None, address: str) -> str:
    if inbox is not None:
        return person(inbox.display_name, inbox.email) + ("  (inbox disconnected)" if inbox.disconnected else "")
    if not address:
        return "(the conversation's inbox is unknown: the server will choose)"
    return person("", address)


def full_note(session: ReplySession, keys: Keys) -> str:
    """The last outcome in words, with how to go on when the signature was missing."""
    if session.note_is_signature:
        return f"{session.note} {keys.send} tries again; {keys.signature} sends it without the signature."
    return session.note


def view_of(session: ReplySession, conversation: Conversation | None, keys: Keys, remind_default: str = "off") -> ComposerView:
    draft = session.draft
    address = conversation.inbox_email if conversation is not None else draft.from_email
    lead = person(conversation.lead_name, conversation.lead_email) if conversation is not None else session.lead
    subject = reply_subject(conversation.subject) if conversation is not None else draft.subject
    return ComposerView(
        mode=session.mode.value,
        from_line=_from_line(session.inbox, address),
        to_line=lead,
        subject=clean_line(subject, max_chars=300),
        signature_state=session.signature_state,
        signature_text=session.signature.text,
        signature_error=session.signature_error,
        with_signature=draft.signature,
        note=full_note(session, keys),
        save_note=session.save_note,
        countdown=session.countdown_left(),
        keys=keys,
        remind=draft.remind or remind_default,
    )


def head_line(view: ComposerView) -> Content:
    label = "$text-muted"
    return Content.assemble(
        ("From  ", label), (view.from_line, "bold"), "\n",
        ("To    ", label), (view.to_line, "$accent"), "\n",
        ("Subj  ", label), view.subject,
    )


def signature_line(view: ComposerView) -> Content:
    keys = view.keys
    if view.signature_state == "loading":
        return Content.styled("Signature: loading…", "$text-muted italic")
    if view.signature_state == "none":
        return Content.styled("This inbox has no signature.", "$text-muted italic")
    if view.signature_state == "failed" and view.with_signature:
        why = f" ({clean_line(view.signature_error, max_chars=160)})" if view.signature_error else ""
        return Content.styled(
            f"Signature: the inboxes could not be loaded{why}; {keys.send} tries again, {keys.signature} sends "
            "without it.",
            "$text-warning italic",
        )
    if not view.with_signature:
        return Content.styled(f"Signature removed ({keys.signature} puts it back).", "$text-muted italic")
    return Content.styled("-- \n" + view.signature_text, "$text-muted")


def reminder_text(view: ComposerView) -> Content:
    """``remind if no reply: 4 days`` (the key bar names the key): set when the reply is confirmed sent."""
    from ...domain.followups import remind_words

    if view.remind == "off":
        return Content.styled("no reminder", "$text-muted")
    return Content.assemble(("remind if no reply: ", "$text-muted"), (remind_words(view.remind), "bold $text-accent"))


def status_line(view: ComposerView) -> Content:
    keys, mode = view.keys, view.mode
    if mode == "countdown":
        line = Content.assemble((f"Sending in {view.countdown} s", "bold $warning"), f" · {keys.undo} or esc to undo")
    elif mode == "sending":
        line = Content.styled("Sending… (the text is locked until the server answers)", "bold $warning")
    elif mode == "checking":
        line = Content.styled("Checking whether the reply arrived…", "bold $warning")
    elif mode == "unknown":
        line = Content.assemble(
            ("Delivery unknown. ", "bold $error"),
            (clean_line(view.note, max_chars=300), "$text-warning"),
            f" {keys.send}: what is known, check now, or send anyway.",
        )
    elif view.note:
        line = Content.styled(clean_line(view.note, max_chars=400), "$text-error")
    else:
        line = Content.styled(MARKDOWN_HINT, "$text-muted")
    if mode in ("editing", "countdown"):
        line = Content.assemble(line, ("  ·  ", "$text-muted"), reminder_text(view))
    if view.save_note and mode == "editing":
        style = "bold $error" if view.save_note == "NOT SAVED" else "$text-muted"
        line = Content.assemble(line, ("  ·  ", "$text-muted"), (view.save_note, style))
    return line
