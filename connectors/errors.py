"""The connector error hierarchy: every way an upstream call can fail, in one small set of types.

The gateway turns these into RFC 9457 problems; connectors raise them and nothing else. Each error carries
the upstream's HTTP ``status`` (``None`` when no answer came), its parsed ``upstream_body``, field-level
``details`` and, where waiting helps, ``retry_after`` in seconds. No error ever holds a credential.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Detail:
    """One field-level problem the upstream reported (``field`` may be ``None``; ``code`` is its own code)."""

    field: str | None
    message: str
    code: str | None = None


@dataclass(frozen=True)
class FieldConflict:
    """One field that a concurrent change and our patch both set, to different values."""

    field: str
    base: Any
    ours: Any
    theirs: Any


class ConnectorError(Exception):
    """Base of every connector error."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        upstream_body: Any = None,
        details: Sequence[Detail] = (),
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.upstream_body = upstream_body
        self.details = list(details)
        self.retry_after = retry_after

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status={self.status!r}, message={self.message!r})"


class UpstreamRejected(ConnectorError):
    """The upstream refused the request (4xx): the request itself must change."""


class CredentialRejected(UpstreamRejected):
    """The upstream refused the credential (401/403): the account must be reconnected or re-scoped."""


class NotFound(UpstreamRejected):
    """The upstream resource does not exist (any more)."""


class VersionConflict(UpstreamRejected):
    """An optimistic-locking conflict.

    Raised as-is for an upstream 409; the locking engine raises it with ``fields`` (what both sides changed,
    with the base, our and their values) and the versions involved when a merge is impossible.
    """

    def __init__(
        self,
        message: str,
        *,
        fields: Sequence[FieldConflict] = (),
        expected_version: int | None = None,
        current_version: int | None = None,
        status: int | None = 409,
        upstream_body: Any = None,
        details: Sequence[Detail] = (),
    ) -> None:
        super().__init__(message, status=status, upstream_body=upstream_body, details=details)
        self.fields = list(fields)
        self.expected_version = expected_version
        self.current_version = current_version


class UpstreamUnavailable(ConnectorError):
    """The upstream failed (5xx, connection errors, time-outs) and retries in time did not help."""


class RateLimited(ConnectorError):
    """The upstream kept answering 429 until the retries ran out; ``retry_after`` says when to try again."""


class DeadlineExceeded(ConnectorError):
    """The request cannot be sent before its deadline (its pacing slot is too far away); nothing was sent."""


class OutcomeUnknown(ConnectorError):
    """A non-idempotent request timed out or got a 504: the upstream may or may not have performed it.

    It is never re-sent blindly; the layer above resolves it (e.g. by looking the record up).
    """

    def __init__(
        self, method: str, path: str, *, status: int | None = None, upstream_body: Any = None
    ) -> None:
        super().__init__(
            f"{method} {path}: the upstream may have performed the request",
            status=status,
            upstream_body=upstream_body,
        )
        self.method = method
        self.path = path


def error_for_status(
    status: int,
    message: str,
    *,
    details: Sequence[Detail] = (),
    upstream_body: Any = None,
    retry_after: float | None = None,
) -> ConnectorError:
    """The connector error for an upstream error answer with this ``status``."""
    kind: type[ConnectorError]
    if status == 409:
        return VersionConflict(message, upstream_body=upstream_body, details=details)
    if status == 429:
        kind = RateLimited
    elif status >= 500:
        kind = UpstreamUnavailable
    elif status in (401, 403):
        kind = CredentialRejected
    elif status == 404:
        kind = NotFound
    else:
        kind = UpstreamRejected
    return kind(message, status=status, upstream_body=upstream_body, details=details, retry_after=retry_after)
