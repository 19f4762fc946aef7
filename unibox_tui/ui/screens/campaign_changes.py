"""What the Campaigns room asks before it changes Reachkit: exactly what will change, in words.

Pure text: a campaign (and a variant) in, the question's title, body, button label out; the
room shows it in a ``ConfirmScreen`` and sends the change only after "yes".
"""

from __future__ import annotations

from textual.content import Content

from ...api import Campaign, SequenceStep, Variant
from ...render.formatting import human_count
from ...render.rooms import percent
from ...render.sanitize import clean_line

__all__ = ["pause_question", "variant_question"]


def pause_question(campaign: Campaign, new_status: str) -> tuple[str, Content, str]:
    """Pausing (``new_status`` "paused") or resuming ``campaign``: (title, body, button label)."""
    status = campaign.status.lower()
    name = clean_line(campaign.name, max_chars=120) or "(unnamed)"
    inboxes = _inboxes_phrase(campaign)
    if new_status == "paused":
        title = "Pause this campaign?"
        what = Content.assemble(
            "“", (name, "bold"), "” is active. Pausing it stops every email it would send, first "
            f"touches and follow-ups, {inboxes}, until you resume it. Replies keep arriving in the Unibox.",
        )
        label = "Pause campaign"
    else:
        title = "Resume this campaign?"
        what = Content.assemble(
            "“", (name, "bold"), f"” is paused. Resuming it lets Reachkit send its scheduled emails "
            f"again, {inboxes}.",
        )
        label = "Resume campaign"
    body = Content("\n\n").join([
        what,
        Content.assemble(("Status: ", "$text-muted"), (status, "bold"), " → ", (new_status, "bold $accent")),
    ])
    return title, body, label


def variant_question(campaign: Campaign, step: SequenceStep, variant: Variant) -> tuple[str, Content, str, bool]:
    """Turning ``variant`` on or off: (title, body, button label, dangerous); dangerous when it is
    the step's last enabled variant."""
    enable = not variant.enabled
    name = clean_line(campaign.name, max_chars=120) or "(unnamed)"
    letter = clean_line(variant.letter, max_chars=4) or "?"
    others = [clean_line(v.letter, max_chars=4) for v in step.variants if v.id != variant.id and v.enabled]
    numbers = (
        f"Variant {letter} so far: {human_count(variant.sent)} sent, {human_count(variant.replies)} "
        f"replies ({percent(variant.reply_rate)})."
    )
    if enable:
        title = f"Enable variant {letter} of step {step.step}?"
        effect = (
            f"leads who reach step {step.step} can be sent variant {letter} again"
            + (f", alongside {', '.join(others)}." if others else ".")
        )
        label = "Enable variant"
    else:
        title = f"Disable variant {letter} of step {step.step}?"
        if others:
            effect = (
                f"leads who reach step {step.step} will no longer be sent variant {letter}; "
                f"they get {' or '.join(others)} instead."
            )
        else:
            effect = (
                f"this is the only enabled variant of step {step.step}: leads who reach step "
                f"{step.step} will get no email from this step until a variant is enabled again."
            )
        label = "Disable variant"
    body = Content("\n\n").join([
        Content.assemble("In “", (name, "bold"), "”, " + effect),
        Content.styled(numbers, "$text-muted"),
        Content.assemble(
            ("Variant: ", "$text-muted"),
            ("enabled" if variant.enabled else "disabled", "bold"),
            " → ",
            ("enabled" if enable else "disabled", "bold $accent"),
        ),
    ])
    return title, body, label, not enable and not others


def _inboxes_phrase(campaign: Campaign) -> str:
    if not campaign.inboxes:
        return "from its inboxes"
    emails = [clean_line(i.email, max_chars=60) for i in campaign.inboxes[:3]]
    more = f" and {len(campaign.inboxes) - 3} more" if len(campaign.inboxes) > 3 else ""
    noun = "inbox" if len(campaign.inboxes) == 1 else "inboxes"
    return f"from its {noun} {', '.join(emails)}{more}"
