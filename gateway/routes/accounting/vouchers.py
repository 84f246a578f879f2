"""``/v1/accounting/vouchers``: bookkeeping vouchers (sales vouchers writable, purchase ones read-only)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

import msgspec
from litestar import Response, Router, get, patch, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.exceptions import ValidationException
from litestar.params import Body, FromPath, JSONBody, Parameter

from connectors.lexoffice import vouchers as lexoffice_vouchers
from connectors.lexoffice.flows import VOUCHER_FLOW
from connectors.lexoffice.flows.vouchers import VoucherInput
from connectors.lexoffice.mapping.files import upload_media_type
from connectors.lexoffice.mapping.vouchers import check_voucher_create, check_voucher_update
from schemas.common import Page
from schemas.problem import FieldError
from schemas.vouchers import (
    Voucher,
    VoucherCreate,
    VoucherFilter,
    VoucherReceipt,
    VoucherStatus,
    VoucherSummary,
    VoucherType,
    VoucherUpdate,
)

from ...content import BODY_MEDIA_TYPES_OPT
from ...operations.requests import OPERATION_OPT
from ...problems import VALIDATION, ProblemError, problem_responses
from .deps import (
    IfMatch,
    IncludeRawFlag,
    IssuedFrom,
    IssuedTo,
    Lexoffice,
    Paging,
    Submit,
    UpdatedSince,
    converted,
    expected_version,
    page_of,
    with_etag,
)
from .files import MULTIPART

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


def _checked(voucher: VoucherCreate) -> VoucherCreate:
    if errors := check_voucher_create(voucher):
        raise ProblemError(VALIDATION, "The voucher is inconsistent.", errors=errors)
    return voucher


@post(
    "/",
    status_code=201,
    opt=OPERATION_OPT,
    responses=problem_responses(*_WRITE_ERRORS, 202),
    summary="Create a voucher",
)
async def create_voucher(
    data: JSONBody[VoucherCreate],
    submit: Submit,
    include_raw: IncludeRawFlag,
) -> Response[bytes]:
    """Book a sales invoice or credit note by its amounts per tax rate, with its receipts attached; returns
    it as stored upstream.

    Item tax amounts and the totals are computed when omitted, and checked when given. ``receipts``
    (base64) are uploaded and attached in the same call, ``attachments`` names receipts uploaded before
    (``POST /files``); ``raw`` is deep-merged into the upstream request body. It runs as an operation: a
    retry with the same ``Idempotency-Key`` resumes it after the last finished step, and a call that takes
    longer than the gateway waits is answered ``202`` with the operation's URL.
    """
    voucher = VoucherInput(voucher=_checked(data), include_raw=include_raw)
    return await submit(VOUCHER_FLOW, voucher)


@dataclass
class VoucherUpload:
    """A voucher with receipt files (``multipart/form-data``)."""

    voucher: str
    """The voucher as JSON (the body of ``POST /vouchers``, without ``receipts``)."""
    receipts: list[UploadFile] = field(default_factory=list)
    """The receipt files (repeat the part): PDF, JPEG or PNG, at most 5 MB each."""


@post(
    "/with-receipts",
    status_code=201,
    opt={**OPERATION_OPT, BODY_MEDIA_TYPES_OPT: [MULTIPART]},
    responses=problem_responses(*_WRITE_ERRORS, 202),
    summary="Create a voucher with receipt files (multipart)",
)
async def create_voucher_with_receipts(
    data: Annotated[VoucherUpload, Body(media_type=RequestEncodingType.MULTI_PART)],
    submit: Submit,
    include_raw: IncludeRawFlag,
) -> Response[bytes]:
    """``POST /vouchers`` as ``multipart/form-data``: the part ``voucher`` (JSON) and one ``receipts`` part
    per file. Same operation, same response."""
    try:
        voucher = msgspec.json.decode(data.voucher, type=VoucherCreate)
    except msgspec.ValidationError as exc:
        raise ValidationException(f"voucher: {exc}") from exc
    except msgspec.DecodeError:
        raise ProblemError(
            VALIDATION, "The voucher part is not JSON.", errors=[FieldError("voucher", "is not JSON")]
        ) from None
    receipts = [
        VoucherReceipt(
            filename=upload.filename or "receipt",
            media_type=upload_media_type(upload.filename, upload.content_type) or upload.content_type,
            content=await upload.read(),
        )
        for upload in data.receipts
    ]
    whole = msgspec.structs.replace(voucher, receipts=[*voucher.receipts, *receipts])
    voucher_input = VoucherInput(voucher=_checked(whole), include_raw=include_raw)
    content = msgspec.json.encode(whole)  # the parts as parsed: the multipart framing varies per send
    return await submit(VOUCHER_FLOW, voucher_input, content)


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
    route_handlers=[list_vouchers, get_voucher, create_voucher, create_voucher_with_receipts, update_voucher],
    tags=["vouchers"],
)
