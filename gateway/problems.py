"""Every error as RFC 9457 ``application/problem+json``, with stable ``type`` URIs.

Services raise :class:`ProblemError`; the exception handlers here turn it, Litestar's own exceptions
(validation, 404, 405, 413, ...) and anything unexpected (500, no stack trace) into a :class:`Problem`.
Text taken from the request passes through :func:`~gateway.logging.scrub`, so no key or token is echoed.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

import msgspec
import structlog
from litestar import Request, Response
from litestar.exceptions import (
    HTTPException,
    MethodNotAllowedException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    SerializationException,
    TooManyRequestsException,
    ValidationException,
)
from litestar.openapi.datastructures import ResponseSpec
from litestar.types import ExceptionHandlersMap
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from connectors.errors import (
    ConnectorError,
    CredentialRejected,
    DeadlineExceeded,
    NotFound,
    OutcomeUnknown,
    RateLimited,
    UpstreamRejected,
    VersionConflict,
)
from schemas.conflict import ConflictingField, VersionConflictProblem
from schemas.problem import PROBLEM_MEDIA_TYPE, FieldError, Problem, UpstreamError

from .logging import scrub
from .observe import request_id_of

PROBLEM_BASE_URI = "https://ledgerbridge.dev/problems/"
log = structlog.get_logger("ledgerbridge.gateway")


@dataclass(frozen=True)
class ProblemType:
    """A kind of problem: its slug (the last part of the ``type`` URI), title and HTTP status."""

    slug: str
    title: str
    status: int

    @property
    def uri(self) -> str:
        return PROBLEM_BASE_URI + self.slug


BAD_REQUEST = ProblemType("bad-request", "Bad request", 400)
INVALID_JSON = ProblemType("invalid-json", "Malformed JSON body", 400)
VALIDATION = ProblemType("validation-error", "Invalid request", 422)
UNAUTHORIZED = ProblemType("unauthorized", "Missing or invalid credentials", 401)
FORBIDDEN = ProblemType("forbidden", "Forbidden", 403)
NOT_FOUND = ProblemType("not-found", "Not found", 404)
METHOD_NOT_ALLOWED = ProblemType("method-not-allowed", "Method not allowed", 405)
PAYLOAD_TOO_LARGE = ProblemType("payload-too-large", "Request body too large", 413)
UNSUPPORTED_MEDIA_TYPE = ProblemType("unsupported-media-type", "Unsupported media type", 415)
RATE_LIMITED = ProblemType("rate-limited", "Too many requests", 429)
CREDENTIALS_REJECTED = ProblemType("credentials-rejected", "Credentials rejected by the upstream", 422)
ORGANIZATION_MISMATCH = ProblemType(
    "organization-mismatch", "Credentials belong to another upstream organization", 422
)
UPSTREAM_UNAVAILABLE = ProblemType("upstream-unavailable", "Upstream unavailable", 502)
UPSTREAM_RATE_LIMITED = ProblemType("upstream-rate-limited", "Upstream rate limit reached", 503)
STORAGE_UNAVAILABLE = ProblemType("storage-unavailable", "Storage unavailable", 503)
NOT_READY = ProblemType("not-ready", "Not ready", 503)
INTERNAL_ERROR = ProblemType("internal-error", "Internal server error", 500)
UPSTREAM_VALIDATION = ProblemType("upstream-validation", "Rejected by the upstream", 422)
VERSION_CONFLICT = ProblemType("version-conflict", "Version conflict", 409)
ACCOUNT_CREDENTIALS_REJECTED = ProblemType(
    "account-credentials-rejected", "The account's credentials were rejected by the upstream", 424
)
NOT_SUPPORTED = ProblemType("not-supported-by-connector", "Not supported by the connector", 501)
OUTCOME_UNKNOWN = ProblemType("outcome-unknown", "Outcome unknown", 504)

PROBLEM_TYPES: tuple[ProblemType, ...] = (
    BAD_REQUEST, INVALID_JSON, VALIDATION, UNAUTHORIZED, FORBIDDEN, NOT_FOUND, METHOD_NOT_ALLOWED,
    PAYLOAD_TOO_LARGE, UNSUPPORTED_MEDIA_TYPE, RATE_LIMITED, CREDENTIALS_REJECTED, ORGANIZATION_MISMATCH,
    UPSTREAM_UNAVAILABLE, UPSTREAM_RATE_LIMITED, STORAGE_UNAVAILABLE, NOT_READY, INTERNAL_ERROR,
    UPSTREAM_VALIDATION, VERSION_CONFLICT, ACCOUNT_CREDENTIALS_REJECTED, NOT_SUPPORTED, OUTCOME_UNKNOWN,
)  # fmt: skip
"""Every problem type the gateway foundation and the connectors' errors use."""
_GENERIC = {
    kind.status: kind
    for kind in (BAD_REQUEST, UNAUTHORIZED, FORBIDDEN, NOT_FOUND, METHOD_NOT_ALLOWED, PAYLOAD_TOO_LARGE,
                 UNSUPPORTED_MEDIA_TYPE, VALIDATION, RATE_LIMITED, INTERNAL_ERROR)
}  # fmt: skip
"""The problem type of a plain HTTP error status."""


class ProblemError(Exception):
    """An error that the client should see as this problem."""

    def __init__(
        self,
        kind: ProblemType,
        detail: str,
        *,
        errors: Iterable[FieldError] = (),
        upstream: UpstreamError | None = None,
        headers: Mapping[str, str] | None = None,
        conflict: VersionConflict | None = None,
    ) -> None:
        super().__init__(detail)
        self.kind = kind
        self.detail = detail
        self.errors = list(errors)
        self.upstream = upstream
        self.headers = dict(headers or {})
        self.conflict = conflict


def problem_response(request: Request[Any, Any, Any], error: ProblemError) -> Response[bytes]:
    """The ``application/problem+json`` response for ``error``."""
    kind = error.kind
    body = Problem(
        type=kind.uri,
        title=kind.title,
        status=kind.status,
        detail=scrub(error.detail),
        instance=scrub(request.url.path),
        errors=[FieldError(scrub(e.field), scrub(e.reason)) for e in error.errors],
        upstream=error.upstream,
        request_id=request_id_of(request.scope),
    )
    if error.conflict is not None:
        body = _conflict_problem(body, error.conflict)
    return Response(
        content=msgspec.json.encode(body),
        status_code=kind.status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=error.headers,
    )


def as_problem(exc: Exception) -> ProblemError:
    """The problem an exception stands for."""
    if isinstance(exc, ProblemError):
        return exc
    if isinstance(exc, ConnectorError):
        return connector_problem(exc)
    if isinstance(exc, ValidationException):
        return ProblemError(VALIDATION, "The request does not match the schema.", errors=_field_errors(exc))
    if isinstance(exc, HTTPException):
        return _http_problem(exc)
    if isinstance(exc, RedisConnectionError | RedisTimeoutError):
        return ProblemError(
            STORAGE_UNAVAILABLE, "The gateway's storage is unreachable.", headers={"Retry-After": "1"}
        )
    return ProblemError(
        INTERNAL_ERROR, "An unexpected error occurred; quote the request id when reporting it."
    )


def _http_problem(exc: HTTPException) -> ProblemError:
    headers = dict(exc.headers or {})
    if isinstance(exc.__cause__, SerializationException) and exc.status_code == 400:
        return ProblemError(INVALID_JSON, f"The body is not valid JSON: {exc.detail}.")
    if isinstance(exc, NotAuthorizedException):
        return ProblemError(UNAUTHORIZED, "Missing or invalid bearer token.", headers=headers)
    if isinstance(exc, PermissionDeniedException):
        return ProblemError(FORBIDDEN, "Not allowed.")
    if isinstance(exc, NotFoundException):
        return ProblemError(NOT_FOUND, "No such resource.")
    if isinstance(exc, MethodNotAllowedException):
        return ProblemError(METHOD_NOT_ALLOWED, f"Allowed: {headers.get('allow', 'none')}.", headers=headers)
    if isinstance(exc, TooManyRequestsException):
        return ProblemError(RATE_LIMITED, "Too many requests.", headers=headers)
    if exc.status_code == PAYLOAD_TOO_LARGE.status:
        return ProblemError(PAYLOAD_TOO_LARGE, "The request body exceeds the gateway's size limit.")
    kind = _GENERIC.get(exc.status_code) or ProblemType(
        _slug(HTTPStatus(exc.status_code).phrase), HTTPStatus(exc.status_code).phrase, exc.status_code
    )
    return ProblemError(kind, str(exc.detail), headers=headers)


_MSGSPEC_PATH = re.compile(r"^(?P<message>.*?)(?: - at `\$(?P<path>[^`]*)`)?$", re.DOTALL)
_NAMED_FIELD = re.compile(r"^Object (?P<what>missing required|contains unknown) field `(?P<name>[^`]+)`$")
_MISSING_PARAMETER = re.compile(r"^Missing required (?P<kind>\w+) parameter '(?P<name>[^']+)'")


def _field_errors(exc: ValidationException) -> list[FieldError]:
    """Field + reason for a Litestar validation error (from msgspec's message where there is one)."""
    cause = exc.__cause__
    if isinstance(cause, msgspec.ValidationError):
        match = _MSGSPEC_PATH.match(str(cause))
        assert match is not None  # the pattern matches any text
        path = (match["path"] or "").removeprefix(".data").removeprefix(".")
        return [_named(path, match["message"])]
    return [
        _named(str(item.get("key", "")), str(item.get("message", "invalid")))
        for item in (exc.extra if isinstance(exc.extra, list) else [])
        if isinstance(item, dict)
    ] or [_missing_parameter(str(exc.detail))]


def _missing_parameter(detail: str) -> FieldError:
    """A missing query parameter or header by name (Litestar's message also echoes the whole URL)."""
    missing = _MISSING_PARAMETER.match(detail)
    if missing is None:
        return FieldError("", detail)
    return FieldError(missing["name"], f"is required ({missing['kind']})")


def _named(path: str, message: str) -> FieldError:
    named = _NAMED_FIELD.match(message)
    if named is None:
        return FieldError(path, message.replace("`", ""))
    field = f"{path}.{named['name']}" if path else named["name"]
    return FieldError(field, "is required" if named["what"] == "missing required" else "is not a known field")


def connector_problem(exc: ConnectorError) -> ProblemError:
    """The problem a connector error stands for; ``upstream`` keeps the upstream's status and body."""
    upstream = None if exc.status is None else UpstreamError(exc.status, _scrubbed(exc.upstream_body))
    errors = [FieldError(detail.field or "", detail.message) for detail in exc.details]
    if isinstance(exc, VersionConflict):
        return ProblemError(
            VERSION_CONFLICT,
            _scrubbed(exc.message) + ". Re-read the resource and apply your change to its current version.",
            errors=[FieldError(c.field, "was changed concurrently to another value") for c in exc.fields],
            upstream=upstream,
            conflict=exc,
        )
    if isinstance(exc, CredentialRejected):
        return ProblemError(
            ACCOUNT_CREDENTIALS_REJECTED,
            f"The upstream rejected the account's credentials ({exc.status}); update them with "
            "PATCH /v1/accounts/{account_id} (e.g. a new API key).",
            upstream=upstream,
        )
    if isinstance(exc, NotFound):
        return ProblemError(NOT_FOUND, "The upstream has no such resource.", upstream=upstream)
    if isinstance(exc, UpstreamRejected):
        return ProblemError(
            UPSTREAM_VALIDATION,
            f"The upstream refused the request: {exc.message}",
            errors=errors,
            upstream=upstream,
        )
    if isinstance(exc, RateLimited | DeadlineExceeded):
        retry_after = str(max(1, math.ceil(exc.retry_after or 1)))
        return ProblemError(
            UPSTREAM_RATE_LIMITED,
            f"The upstream's rate limit for this account cannot serve the request in time; retry after "
            f"{retry_after} s.",
            upstream=upstream,
            headers={"Retry-After": retry_after},
        )
    if isinstance(exc, OutcomeUnknown):
        return ProblemError(
            OUTCOME_UNKNOWN,
            "The upstream did not confirm the request in time: it may or may not have been performed. Look "
            "the resource up before you retry, or you may create it twice.",
            upstream=upstream,
        )
    return ProblemError(
        UPSTREAM_UNAVAILABLE,
        f"The upstream failed: {exc.message}",
        upstream=upstream,
        headers={"Retry-After": "1"},
    )


def _conflict_problem(body: Problem, conflict: VersionConflict) -> VersionConflictProblem:
    """``body`` with the conflicting fields (both values) and the versions involved."""
    return VersionConflictProblem(
        **msgspec.structs.asdict(body),
        conflicts=[
            ConflictingField(c.field, _scrubbed(c.base), _scrubbed(c.ours), _scrubbed(c.theirs))
            for c in conflict.fields
        ],
        expected_version=conflict.expected_version,
        current_version=conflict.current_version,
    )


def _scrubbed(value: Any) -> Any:
    """A JSON-like value with secrets masked in every string (an upstream body may echo input)."""
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, dict):
        return {key: _scrubbed(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrubbed(item) for item in value]
    return value


def _slug(phrase: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", phrase.lower()).strip("-")


def handle_exception(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    """The gateway's one exception handler."""
    error = as_problem(exc)
    if error.kind is INTERNAL_ERROR:
        log.exception("unhandled error", path=request.url.path, method=request.method)
    elif error.kind.status >= 500:
        log.warning("request failed", problem=error.kind.slug, detail=error.detail, path=request.url.path)
    return problem_response(request, error)


EXCEPTION_HANDLERS: ExceptionHandlersMap = {Exception: handle_exception}


def problem_responses(*statuses: int) -> dict[int, ResponseSpec]:
    """OpenAPI response entries (problem+json) for these statuses, for a route's ``responses=``."""
    return {
        status: ResponseSpec(
            data_container=VersionConflictProblem if status == VERSION_CONFLICT.status else Problem,
            media_type=PROBLEM_MEDIA_TYPE,
            description=HTTPStatus(status).phrase,
            generate_examples=False,
        )
        for status in statuses
    }
