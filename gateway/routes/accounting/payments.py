"""``/v1/accounting/payments``: the payment state of a finalized document (read-only)."""

from __future__ import annotations

from typing import Annotated

from litestar import Router, get
from litestar.params import FromPath, Parameter

from connectors.lexoffice import documents as lexoffice_documents
from schemas.payments import Payment

from ...problems import problem_responses
from .deps import IncludeRawFlag, Lexoffice

DocumentId = Annotated[
    str, Parameter(description="An invoice, credit note or bookkeeping voucher id.", max_length=100)
]


@get(
    "/{document_id:str}",
    responses=problem_responses(400, 401, 404, 422, 424, 429, 502, 503),
    summary="Get a document's payments",
)
async def get_payment(
    document_id: FromPath[DocumentId], lexoffice: Lexoffice, include_raw: IncludeRawFlag
) -> Payment:
    """What is still open on a finalized document and the payments booked against it.

    Drafts have no payments (``422 upstream-validation``). Payments are recorded in the accounting system
    itself (bank matching, cash box), not through this API.
    """
    return await lexoffice_documents.get_payment(lexoffice, document_id, include_raw=include_raw)


router = Router("/payments", route_handlers=[get_payment], tags=["payments"])
