"""Reachkit's REST API as an async library: client, typed models and one error tree (no UI).

Names are loaded on first use (PEP 562), so code that needs only the models or the errors
does not pay for importing httpx; the UI imports the client after its first frame.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_names

_WHERE = {
    **dict.fromkeys(
        ("DEFAULT_BASE_URL", "DownloadResult", "ReachkitClient", "RetryPolicy", "normalise_base_url"),
        ".client",
    ),
    **dict.fromkeys(
        (
            "APIError", "AuthenticationError", "ConflictError", "DamagedAnswerError", "DownloadError",
            "InsecureURLError", "NetworkError", "NetworkSetupError", "NotDeliveredError", "NotFoundError", "OutcomeUnknownError",
            "ProtocolError", "RateLimitedError", "ReachkitError", "ServerError", "UnsupportedError",
            "ValidationError",
        ),
        ".errors",
    ),
    **dict.fromkeys(
        (
            "LABELS", "Attachment", "BlocklistEntry", "Campaign", "CampaignAnalytics", "Conversation",
            "Inbox", "Lead", "Message", "Page", "SequenceStep", "Variant", "WarmupStats",
        ),
        ".models",
    ),
}


__getattr__ = lazy_names(__name__, globals(), _WHERE)


if TYPE_CHECKING:
    from .client import DEFAULT_BASE_URL, DownloadResult, ReachkitClient, RetryPolicy, normalise_base_url
    from .errors import (
        APIError,
        AuthenticationError,
        ConflictError,
        DamagedAnswerError,
        DownloadError,
        InsecureURLError,
        NetworkError,
        NetworkSetupError,
        NotDeliveredError,
        NotFoundError,
        OutcomeUnknownError,
        ProtocolError,
        RateLimitedError,
        ReachkitError,
        ServerError,
        UnsupportedError,
        ValidationError,
    )
    from .models import (
        LABELS,
        Attachment,
        BlocklistEntry,
        Campaign,
        CampaignAnalytics,
        Conversation,
        Inbox,
        Lead,
        Message,
        Page,
        SequenceStep,
        Variant,
        WarmupStats,
    )

__all__ = [
    "APIError",
    "Attachment",
    "AuthenticationError",
    "BlocklistEntry",
    "Campaign",
    "CampaignAnalytics",
    "ConflictError",
    "Conversation",
    "DEFAULT_BASE_URL",
    "DamagedAnswerError",
    "DownloadError",
    "DownloadResult",
    "Inbox",
    "InsecureURLError",
    "LABELS",
    "Lead",
    "Message",
    "NetworkError",
    "NetworkSetupError",
    "NotDeliveredError",
    "NotFoundError",
    "OutcomeUnknownError",
    "Page",
    "ProtocolError",
    "RateLimitedError",
    "ReachkitClient",
    "ReachkitError",
    "RetryPolicy",
    "SequenceStep",
    "ServerError",
    "UnsupportedError",
    "ValidationError",
    "Variant",
    "WarmupStats",
    "normalise_base_url",
]
