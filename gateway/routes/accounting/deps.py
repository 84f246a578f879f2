"""What the accounting controllers inject: the account (``X-Account-Id``), its connector client,
``include_raw``, list paging, and the ``ETag``/``If-Match`` helpers.

Dependencies (declare a handler parameter of this name): ``account`` (:class:`ResolvedAccount`, the caller's
account named by ``X-Account-Id``; another tenant's account is a 404 like a missing one), ``lexoffice``
(a :class:`LexofficeClient` for it), ``include_raw`` (``?include_raw=true``), ``paging``
(:class:`PageParams` from ``?limit=`` and ``?cursor=``) and ``submit`` (an :class:`OperationSubmitter`).

**Cursors** carry the upstream page number and size (base64url of ``{"p": page, "s": size}``, opaque to
clients); ``next_cursor`` is ``null`` on the last page. A cursor fixes the page size: ``limit`` applies to
the first page only.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any, TypeVar

import msgspec
from litestar import Request, Response
from litestar.di import NamedDependency, Provide
from litestar.exceptions import ValidationException
from litestar.params import HeaderParameter, Parameter, QueryParameter

from connectors.base import Operation, capability
from connectors.lexoffice.client import LexofficeClient
from schemas.common import Page
from schemas.problem import FieldError

from ...accounts import AccountService, ResolvedAccount
from ...auth import Principal
from ...operations import Operations
from ...operations.requests import OperationSubmitter
from ...paging import DEFAULT_LIMIT, MAX_LIMIT, Cursor, Limit
from ...problems import BAD_REQUEST, NOT_SUPPORTED, VALIDATION, ProblemError
from ...services import Services

T = TypeVar("T")
S = TypeVar("S", bound=msgspec.Struct)

ACCOUNT_HEADER = "X-Account-Id"
AccountIdHeader = Annotated[
    str,
    HeaderParameter(
        name=ACCOUNT_HEADER,
        description="The connected account to work on (`acc_...`, from `/v1/accounts`).",
    ),
]
IncludeRaw = Annotated[
    bool,
    QueryParameter(
        name="include_raw",
        description="Add `raw`: the upstream's JSON of each object, verbatim.",
    ),
]
IfMatch = Annotated[
    str | None,
    HeaderParameter(
        name="If-Match",
        description='The `ETag` you read (`"<version>"`): the update applies to exactly that version, or '
        "fails with `409 version-conflict`. Without it, concurrent changes to other fields are merged.",
    ),
]


async def provide_account(
    principal: NamedDependency[Principal],
    accounts: NamedDependency[AccountService],
    x_account_id: AccountIdHeader,
) -> ResolvedAccount:
    """The caller's account named by ``X-Account-Id``, with its credentials decrypted (a missing header is a
    ``422`` naming it; an unknown account or another tenant's is a ``404``)."""
    return await accounts.resolve(principal.tenant_id, x_account_id)


def provide_lexoffice(
    account: NamedDependency[ResolvedAccount], services: NamedDependency[Services]
) -> LexofficeClient:
    """A lexoffice client for the request's account."""
    if account.record.connector != "lexoffice":
        raise ProblemError(
            NOT_SUPPORTED, f"This route needs a lexoffice account, not {account.record.connector}."
        )
    return services.connectors.lexoffice(account)


async def provide_submit(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    account: NamedDependency[ResolvedAccount],
    operations: NamedDependency[Operations],
) -> OperationSubmitter:
    """Submits the request's operations (its tenant, account and ``Idempotency-Key``)."""
    return OperationSubmitter(request, principal, account, operations)


def provide_include_raw(raw: IncludeRaw = False) -> bool:
    return raw


def converted(data: dict[str, Any], kind: type[S]) -> S:
    """``data`` (e.g. query parameters) as a struct; its constraints failing is a ``422`` naming the field."""
    try:
        return msgspec.convert(data, kind)
    except msgspec.ValidationError as exc:
        raise ValidationException(str(exc)) from exc


# --- paging ---

_CURSOR_TEXT = re.compile(r"^[A-Za-z0-9_-]{1,200}$")


class _CursorState(msgspec.Struct, forbid_unknown_fields=True):
    p: Annotated[int, msgspec.Meta(ge=0, le=1_000_000)]
    s: Annotated[int, msgspec.Meta(ge=1, le=MAX_LIMIT)]


@dataclass(frozen=True)
class PageParams:
    """The upstream page to fetch: ``page`` (0-based) of ``size`` items."""

    page: int
    size: int

    def next_cursor(self, last: bool) -> str | None:
        """The cursor of the page after this one (``None`` when this one is the last)."""
        if last:
            return None
        state = msgspec.json.encode(_CursorState(self.page + 1, self.size))
        return base64.urlsafe_b64encode(state).decode().rstrip("=")


def page_params(limit: int = DEFAULT_LIMIT, cursor: str | None = None) -> PageParams:
    """The page a request asks for: the first ``limit`` items, or the page a cursor continues with."""
    if cursor is None:
        return PageParams(0, limit)
    try:
        if not _CURSOR_TEXT.match(cursor):
            raise ValueError(cursor)
        state = msgspec.json.decode(
            base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)), type=_CursorState
        )
    except (ValueError, binascii.Error, msgspec.DecodeError):
        raise ProblemError(
            VALIDATION, "Invalid cursor.", errors=[FieldError("cursor", "is not a cursor of this list")]
        ) from None
    return PageParams(state.p, state.s)


def provide_paging(limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None) -> PageParams:
    return page_params(limit, cursor)


def page_of(items: Sequence[T], next_cursor: str | None) -> Page[T]:
    """A list response: ``{"data": [...], "next_cursor": ...}``."""
    return Page(data=list(items), next_cursor=next_cursor)


# --- versions ---


def etag(version: int) -> str:
    """The ``ETag`` of a resource version: ``"<version>"``."""
    return f'"{version}"'


def with_etag(content: T, version: int, status_code: int = 200) -> Response[T]:
    """A response carrying the resource's ``ETag``."""
    return Response(content, status_code=status_code, headers={"ETag": etag(version)})


_ETAG = re.compile(r'^(?:W/)?"(\d{1,18})"$')


def expected_version(if_match: str | None) -> int | None:
    """The version an ``If-Match`` header demands (``None``: none, or ``*``); 400 if it is not our ETag."""
    if if_match is None or if_match.strip() == "*":
        return None
    match = _ETAG.match(if_match.strip())
    if match is None:
        raise ProblemError(
            BAD_REQUEST,
            'If-Match must be an ETag of this API: "<version>".',
            errors=[FieldError("If-Match", 'is not an ETag "<version>"')],
        )
    return int(match[1])


# --- capabilities ---


def not_supported(resource: str, operation: Operation, connector: str = "lexoffice") -> ProblemError:
    """The ``501 not-supported-by-connector`` problem for an operation the connector cannot perform."""
    row = capability(connector, resource, operation)
    reason = row.note if row is not None and row.note else f"{connector} cannot {operation} {resource}."
    return ProblemError(NOT_SUPPORTED, f"{operation} {resource}: {reason}")


Account = NamedDependency[ResolvedAccount]
"""Handler parameter ``account``: the request's account."""
Lexoffice = NamedDependency[LexofficeClient]
"""Handler parameter ``lexoffice``: a lexoffice client for the request's account."""
IncludeRawFlag = NamedDependency[bool]
"""Handler parameter ``include_raw``: whether to add ``raw`` to each object."""
Paging = NamedDependency[PageParams]
"""Handler parameter ``paging``: the upstream page to fetch."""
Submit = NamedDependency[OperationSubmitter]
"""Handler parameter ``submit``: runs a flow as an operation of the request (routes with OPERATION_OPT)."""

DEPENDENCIES: dict[str, Any] = {
    "account": Provide(provide_account),
    "lexoffice": Provide(provide_lexoffice, sync_to_thread=False),
    "include_raw": Provide(provide_include_raw, sync_to_thread=False),
    "paging": Provide(provide_paging, sync_to_thread=False),
    "submit": Provide(provide_submit),
}
"""The accounting routers' dependencies (see the module docstring)."""


# list filters shared by the document resources
IssuedFrom = Annotated[date | None, Parameter(description="Issued on or after this day.")]
IssuedTo = Annotated[date | None, Parameter(description="Issued on or before this day.")]
UpdatedSince = Annotated[
    datetime | None, Parameter(description="Changed at or after this instant (RFC 3339).")
]
