"""lexoffice's three error shapes, parsed into connector errors.

* legacy ``{"IssueList": [{i18nKey, source, type, additionalData, args}]}`` (contacts, files, vouchers);
* regular ``{timestamp, status, error, path, traceId, message, details: [{violation, field, message}]}``;
* gateway ``{"message": ...}`` (authentication, throttling, time-outs; ``message`` may be ``null``).

Anything else (an HTML page from a proxy, an empty body) keeps the status and the reason phrase.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

import httpx

from ..errors import ConnectorError, Detail, error_for_status


def parse_error(response: httpx.Response) -> ConnectorError:
    """The connector error for a lexoffice error answer."""
    try:
        body: Any = response.json()
    except ValueError:
        body = response.text or None
    message, details = describe(body)
    return error_for_status(
        response.status_code,
        message or _reason(response.status_code),
        details=details,
        upstream_body=body,
    )


def describe(body: Any) -> tuple[str | None, list[Detail]]:
    """The message and field details of a lexoffice error body (any of the three shapes)."""
    if not isinstance(body, dict):
        return None, []
    issues = body.get("IssueList")
    if isinstance(issues, list):
        details = [_issue(issue) for issue in issues if isinstance(issue, dict)]
        return "; ".join(_issue_text(d) for d in details) or None, details
    message = body.get("message")
    raw_details = body.get("details")
    details = [
        Detail(item.get("field"), str(item.get("message") or ""), item.get("violation"))
        for item in (raw_details if isinstance(raw_details, list) else [])
        if isinstance(item, dict)
    ]
    return (str(message) if message is not None else None), details


def _issue(issue: dict[str, Any]) -> Detail:
    code = str(issue.get("i18nKey") or issue.get("type") or "invalid_value")
    return Detail(issue.get("source"), code.replace("_", " "), code)


def _issue_text(detail: Detail) -> str:
    return f"{detail.field}: {detail.code}" if detail.field else str(detail.code)


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return f"HTTP {status}"
