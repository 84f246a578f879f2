"""``/v1/accounting/vouchers``: bookkeeping vouchers (sales vouchers writable, purchase ones read-only)."""

from __future__ import annotations

from typing import Annotated

from litestar import Response, Router, get, patch, post
from litestar.params import FromPath, JSONBody, Parameter

from connectors.lexoffice import vouchers as lexoffice_vouchers
from connectors.lexoffice.mapping.vouchers import check_voucher_create, check_voucher_update
from schemas.common import Page
from schemas.vouchers import (
    Voucher,
    VoucherCreate,
    VoucherFilter,
    VoucherStatus,
    VoucherSummary,
    VoucherType,
    VoucherUpdate,
)

from ...problems import VALIDATION, ProblemError, problem_responses
from .deps import (
    IfMatch,
    IncludeRawFlag,
    IssuedFrom,
    IssuedTo,
    Lexoffice,
    Paging,
    UpdatedSince,
    converted,
    expected_version,
    page_of,
    with_etag,
)

VoucherId = Annotated[str, Parameter(description="The voucher's id (a UUID).", max_length=100)]
_READ_ERRORS = (400, 401, 404, 422, 424, 429, 502, 503)
_WRITE_ERRORS = (400, 401, 404, 409, 413, 415, 422, 424, 429, 502, 503, 504)


@get("/", responses=problem_responses(*_READ_ERRORS), summary="List vouchers")
async def list_vouchers(
    lexoffice: Lexoffice,
    include_raw: IncludeRawFlag,
    paging: Paging,
    type: Annotated[
        list[VoucherType] | None, Parameter(description="Any of these types (repeatable; default: all four).")
    ] = None,
    status: Annotated[
        list[VoucherStatus] | None,
        Parameter(description="Any of these statuses (repeatable); `open` includes `overdue`."),
    ] = None,
    contact_id: Annotated[str | None, Parameter(description="Booked on this contact.")] = None,
    number: Annotated[str | None, Parameter(description="Exactly this voucher number.")] = None,
    issued_from: IssuedFrom = None,
    issued_to: IssuedTo = None,
    updated_since: UpdatedSince = None,
) -> Page[VoucherSummary]:
    """The vouchers matching every given filter, oldest first (without items).

    A page may hold fewer than ``limit`` entries while ``next_cursor`` still leads to more.
    """
    filters = converted(
        {
            "type": type,
            "status": status,
            "contact_id": contact_id,
            "number": number,
            "issued_from": issued_from,
            "issued_to": issued_to,
            "updated_since": updated_since,
        },
        VoucherFilter,
    )
    found, last = await lexoffice_vouchers.list_vouchers(
        lexoffice, filters, paging.page, paging.size, include_raw=include_raw
    )
    return page_of(found, paging.next_cursor(last))


@get("/{voucher_id:str}", responses=problem_responses(*_READ_ERRORS), summary="Get a voucher")
async def get_voucher(
    voucher_id: FromPath[VoucherId], lexoffice: Lexoffice, include_raw: IncludeRawFlag
) -> Response[Voucher]:
    """The voucher with its items and attachments, with its version as ``ETag``."""
    voucher = await lexoffice_vouchers.get_voucher(lexoffice, voucher_id, include_raw=include_raw)
    return with_etag(voucher, voucher.version)


@post("/", status_code=201, responses=problem_responses(*_WRITE_ERRORS), summary="Create a voucher")
async def create_voucher(
    data: JSONBody[VoucherCreate], lexoffice: Lexoffice, include_raw: IncludeRawFlag
) -> Response[Voucher]:
    """Book a sales invoice or credit note by its amounts per tax rate; returns it as stored upstream.

    Item tax amounts and the totals are computed when omitted, and checked when given. ``attachments``
    names uploaded receipts (``POST /files``); ``raw`` is deep-merged into the upstream request body.
    """
    if errors := check_voucher_create(data):
        raise ProblemError(VALIDATION, "The voucher is inconsistent.", errors=errors)
    voucher = await lexoffice_vouchers.create_voucher(lexoffice, data, include_raw=include_raw)
    response = with_etag(voucher, voucher.version, status_code=201)
    response.headers["Location"] = f"/v1/accounting/vouchers/{voucher.id}"
    return response


@patch("/{voucher_id:str}", responses=problem_responses(*_WRITE_ERRORS), summary="Update a voucher")
async def update_voucher(
    voucher_id: FromPath[VoucherId],
    data: JSONBody[VoucherUpdate],
    lexoffice: Lexoffice,
    include_raw: IncludeRawFlag,
    if_match: IfMatch = None,
) -> Response[Voucher]:
    """Change the fields given (``null`` clears); receipts stay attached unless ``attachments`` is given.

    With ``If-Match`` the change applies to exactly that version; without it, concurrent changes to other
    fields are merged and a concurrent change of the same field is a ``409`` showing both values.
    """
    if errors := check_voucher_update(data):
        raise ProblemError(VALIDATION, "The update is inconsistent.", errors=errors)
    voucher = await lexoffice_vouchers.update_voucher(
        lexoffice, voucher_id, data, expected_version=expected_version(if_match), include_raw=include_raw
    )
    return with_etag(voucher, voucher.version)


router = Router(
    "/vouchers",
    route_handlers=[list_vouchers, get_voucher, create_voucher, update_voucher],
    tags=["vouchers"],
)
