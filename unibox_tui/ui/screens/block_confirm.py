"""Block sender (``B``): shows exactly what will be blocked, and what blocking does, before it happens."""

from __future__ import annotations

from textual.content import Content

from ...render.sanitize import clean_line
from ...domain.triage import BlockTargets
from .key_choice import Choice, KeyChoiceScreen

__all__ = ["BLOCK_ADDRESS", "BLOCK_DOMAIN", "BlockConfirm"]

BLOCK_ADDRESS = "address"
BLOCK_DOMAIN = "domain"

WHAT_BLOCKING_DOES = (
    "Reachkit adds it to your workspace's blocklist: no campaign emails a blocked address (or "
    "anyone at a blocked domain) again. This conversation stays in your Unibox. "
    "u right after undoes the block."
)


class BlockConfirm(KeyChoiceScreen):
    """Returns :data:`BLOCK_ADDRESS`, :data:`BLOCK_DOMAIN`, or ``None`` (cancelled)."""

    def __init__(self, targets: BlockTargets, *, who: str = "") -> None:
        address = targets.address or ""
        choices = [
            Choice("y", BLOCK_ADDRESS, Content.assemble("Block ", (address, "bold")), Content.styled("this address", "$text-muted")),
        ]
        if targets.domain:
            choices.append(
                Choice(
                    "d",
                    BLOCK_DOMAIN,
                    Content.assemble("Block everyone at ", (targets.domain, "bold")),
                    Content.styled("the whole domain", "$warning"),
                )
            )
        elif targets.domain_problem:
            choices.append(Choice("d", BLOCK_DOMAIN, Content.styled(targets.domain_problem, "$text-muted"), disabled=True))
        name = clean_line(who, max_chars=50)
        title = Content.assemble(("Block sender?", "bold $error"), ("  " + name if name else "", "$text-muted"))
        super().__init__(
            title,
            choices,
            intro=Content(WHAT_BLOCKING_DOES),
            highlighted=BLOCK_ADDRESS,
            footer=Content.styled("enter or y blocks the address · d the domain · esc cancels", "$text-muted"),
            box_id="block-confirm",
        )
