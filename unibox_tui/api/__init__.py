"""Reachkit's REST API as an async library: client, typed models and one error tree (no UI).

Names are loaded on first use (PEP 562), so code that needs only the models or the errors
does not pay for importing httpx; the UI imports the client after its first frame.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_WHERE = {
    **dict.fromkeys(
        ("DEFAULT_BASE_URL", "DownloadResult", "ReachkitClient", "RetryPolicy", "normalise_base_url"),
        ".client",
    ),
    **dict.fromkeys(
        (
            "APIError", "AuthenticationError", "ConflictError", "DownloadError", "InsecureURLError",
            "NetworkError", "NotDeliveredError", "NotFoundError", "OutcomeUnknownError",
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


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


if TYPE_CHECKING:
    from .client import DEFAULT_BASE_URL, DownloadResult, ReachkitClient, RetryPolicy, normalise_base_url
    from .errors import (
        APIError,
        AuthenticationError,
        ConflictError,
        DownloadError,
        InsecureURLError,
        NetworkError,
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
    "DownloadError",
    "DownloadResult",
    "Inbox",
    "InsecureURLError",
    "LABELS",
    "Lead",
    "Message",
    "NetworkError",
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
