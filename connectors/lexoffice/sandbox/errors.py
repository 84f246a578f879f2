"""lexoffice's error bodies.

Endpoints raise one exception type, :class:`ApiError`, with a status, a message and field-level
``details``. How it is rendered depends on the endpoint family, as lexoffice does it:

* legacy ``{"IssueList": [...]}`` — contacts, files and bookkeeping vouchers;
* regular ``{timestamp, status, error, path, traceId, message, details[]}`` — everything else;
* gateway ``{"message": ...}`` — authentication, throttling and time-outs, before any endpoint runs.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from .clock import Clock, format_timestamp

LEGACY_PREFIXES = ("/v1/contacts", "/v1/files", "/v1/vouchers/", "/v1/vouchers?")
LEGACY_EXACT = ("/v1/vouchers",)

# violation code -> (legacy i18nKey, legacy type)
_LEGACY_KEYS = {
    "NOTNULL": ("missing_entity", "validation_failure"),
    "INVALID": ("invalid_value", "validation_failure"),
    "CONFLICT": ("conflict", "conflict"),
    "BAD_REQUEST": ("bad_request_error", "bad_request_error"),
    "NOT_FOUND": ("not_found", "not_found"),
    "TECHNICAL": ("technical_error", "technical_error"),
}


@dataclass(frozen=True)
class Detail:
    """One field-level problem: ``violation`` (e.g. ``NOTNULL``), ``field`` (JSON-path-ish), message."""

    violation: str
    field: str | None
    message: str


@dataclass
class ApiError(Exception):
    """An error answer of a lexoffice endpoint."""

    status: int
    message: str
    details: list[Detail] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.status} {self.message}"


def combine(errors: list[ApiError]) -> ApiError:
    """One error listing the details of all ``errors`` (status and message of the first)."""
    return ApiError(errors[0].status, errors[0].message, [d for error in errors for d in error.details])


def validation_error(field_name: str | None, message: str, violation: str = "INVALID") -> ApiError:
    """A 406 for one invalid or missing field."""
    return ApiError(
        406,
        "Validation failed for request. Please see details list for specific causes.",
        [Detail(violation, field_name, message)],
    )


def missing(field_name: str) -> ApiError:
    """A 406 for a required field that is null or empty."""
    return validation_error(field_name, "darf nicht leer sein", "NOTNULL")


def bad_request(message: str, source: str | None = None) -> ApiError:
    """A 400 (malformed syntax or query)."""
    return ApiError(400, message, [Detail("BAD_REQUEST", source, message)])


def not_found(what: str = "Resource") -> ApiError:
    return ApiError(404, f"{what} not found", [Detail("NOT_FOUND", None, f"{what} not found")])


def conflict(message: str) -> ApiError:
    return ApiError(409, message, [Detail("CONFLICT", "version", message)])


def uses_legacy_format(path: str) -> bool:
    """Whether lexoffice answers errors of this path in the legacy ``IssueList`` format."""
    return path in LEGACY_EXACT or path.startswith(LEGACY_PREFIXES)


def render(error: ApiError, path: str, clock: Clock) -> dict[str, Any]:
    """The body lexoffice would send for ``error`` on ``path``."""
    if uses_legacy_format(path):
        issues = []
        details = error.details or [Detail("TECHNICAL" if error.status >= 500 else "BAD_REQUEST", None, "")]
        for detail in details:
            key, kind = _LEGACY_KEYS.get(detail.violation, ("invalid_value", "validation_failure"))
            issues.append(
                {"i18nKey": key, "source": detail.field, "type": kind, "additionalData": None, "args": None}
            )
        return {"IssueList": issues}
    body: dict[str, Any] = {
        "timestamp": format_timestamp(clock.now()),
        "status": error.status,
        "error": HTTPStatus(error.status).phrase,
        "path": path,
        "traceId": secrets.token_hex(6),
        "message": error.message,
    }
    if error.details:
        body["details"] = [
            {"violation": d.violation, "field": d.field, "message": d.message} for d in error.details
        ]
    return body


def gateway_body(status: int) -> dict[str, Any]:
    """lexoffice's API-gateway answers (before any endpoint logic runs)."""
    messages = {
        401: "Unauthorized",
        429: "Rate limit exceeded",
        500: None,
        502: "Bad Gateway",
        503: "Service Unavailable",
        504: "Endpoint request timed out",
    }
    return {"message": messages.get(status, HTTPStatus(status).phrase)}
