"""Two conversations that stress the reader, for benchmarks: a 1 MB HTML email, a 2,000-message thread."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

HEAVY_ID = "bench-heavy-1mb"
LONG_ID = "bench-2000-messages"

_PARAGRAPH = (
    "<tr><td style=\"padding:12px 24px;font-family:Arial,sans-serif;font-size:14px;color:#333\">"
    "<h3 style=\"margin:0 0 8px\">Quarterly pipeline review, section {n}</h3>"
    "<p>Our team reviewed <b>{n} opportunities</b> this week across the EMEA and NA books. "
    "The forecast moved by <i>{n}%</i> after the board asked for a cleaner split between "
    "commit and best case. <a href=\"https://example.com/report/{n}\">Read the full report</a>.</p>"
    "<p>Next steps: align the CRM stages with the spreadsheet, retire the legacy fields, and "
    "send the summary to finance before Friday. Questions go to the RevOps channel.</p>"
    "<img src=\"https://example.com/chart{n}.png\" alt=\"Chart {n}\" width=\"600\" height=\"200\">"
    "</td></tr>"
)


def heavy_html(target_bytes: int = 1_000_000) -> str:
    """A newsletter-like HTML body of about ``target_bytes``: layout tables, links, images."""
    head = (
        "<html><head><style>td{font-family:Arial}</style></head><body>"
        "<div style=\"display:none\">Preheader text nobody should see</div>"
        "<table width=\"100%\" cellpadding=\"0\" cellspacing=\"0\"><tr><td align=\"center\">"
        "<table width=\"640\" cellpadding=\"0\" cellspacing=\"0\">"
    )
    tail = "</table></td></tr></table></body></html>"
    parts = [head]
    size = len(head) + len(tail)
    n = 0
    while size < target_bytes:
        n += 1
        chunk = _PARAGRAPH.format(n=n)
        parts.append(chunk)
        size += len(chunk)
    parts.append(tail)
    return "".join(parts)


def _message(direction: str, when: datetime, text: str, html: str = "", subject: str = "Re: Forecast accuracy") -> dict[str, Any]:
    lead, inbox = "dana.whitfield@acme-robotics.example", "alex@getlanternfish.example"
    return {
        "direction": direction,
        "subject": subject,
        "text_body": text,
        "html_body": html,
        "from_email": lead if direction == "incoming" else inbox,
        "to_email": inbox if direction == "incoming" else lead,
        "email_date": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "is_read": direction == "outgoing",
        "attachments": [],
    }


def add_benchmark_conversations(state: Any, now: datetime | None = None) -> None:
    """Put both conversations at the top of Primary (``state`` is the demo Workspace)."""
    now = now or datetime.now(UTC)
    html = heavy_html()
    state.add_raw_conversation(
        {
            "id": HEAVY_ID,
            "status": "open",
            "created_at": (now - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "updated_at": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "messages": [
                _message("outgoing", now - timedelta(days=1), "Hi Dana, worth a look?", subject="Forecast accuracy"),
                _message("incoming", now, "", html),
            ],
        },
        folder="primary",
        position=0,
    )
    start = now - timedelta(days=400)
    messages = [
        _message(
            "incoming" if i % 2 else "outgoing",
            start + timedelta(hours=4 * i),
            f"Message {i + 1} of the long thread. Following up on the point about stage hygiene.",
            f"<div dir=\"ltr\">Message {i + 1} of the long thread.<br>Following up on the point about stage hygiene.</div>",
        )
        for i in range(2000)
    ]
    state.add_raw_conversation(
        {
            "id": LONG_ID,
            "status": "open",
            "created_at": messages[0]["email_date"],
            "updated_at": messages[-1]["email_date"],
            "messages": messages,
        },
        folder="primary",
        position=1,
    )
