"""RFC 9457 problem details: the body of every error response (``application/problem+json``)."""

from __future__ import annotations

from typing import Any

import msgspec

PROBLEM_MEDIA_TYPE = "application/problem+json"


class FieldError(msgspec.Struct, frozen=True):
    """One reason why one input field was refused."""

    field: str
    """Dotted path of the field (``credentials.api_key``, ``items[0].name``); empty for the whole body."""
    reason: str


class UpstreamError(msgspec.Struct, frozen=True):
    """What the upstream accounting system answered when it said no."""

    status: int
    body: Any = None
    """The upstream's response body (parsed JSON, or text), verbatim."""


class Problem(msgspec.Struct, frozen=True):
    """An RFC 9457 problem details object with LedgerBridge's extension members."""

    type: str
    """A stable URI identifying the kind of problem (``https://ledgerbridge.dev/problems/<slug>``)."""
    title: str
    """A short, human-readable summary of the kind of problem; the same for every occurrence."""
    status: int
    detail: str
    """An explanation specific to this occurrence."""
    instance: str | None = None
    """The request path that produced the problem."""
    errors: list[FieldError] = msgspec.field(default_factory=list)
    """Field-level reasons (validation problems); empty otherwise."""
    upstream: UpstreamError | None = None
    """The upstream's answer, where the upstream refused the call."""
    request_id: str | None = None
    """The request id (also sent as ``X-Request-Id``): quote it when reporting an issue."""
