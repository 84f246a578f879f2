"""lexoffice I/O of sales documents (every kind of ``SALES_KINDS``) and payments.

Each function makes the upstream calls of one unified operation through a :class:`LexofficeClient` and
maps the answer with :mod:`connectors.lexoffice.mapping`; nothing here knows about HTTP routes.

Upstream calls per operation: list 1 (a voucherlist page; recurring templates: a page of their own list),
get 1, PDF 2 (``GET .../document`` renders and names the file, ``GET /v1/files/{id}`` fetches it),
payments 1. Creates run as operations: :mod:`connectors.lexoffice.flows.sales`.
"""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from connectors.errors import UpstreamRejected
from connectors.lexoffice.client import LexofficeClient, UpstreamPage
from connectors.lexoffice.mapping.payments import payment_from_lexoffice
from connectors.lexoffice.mapping.sales import (
    SALES_KINDS,
    SalesKind,
    recurring_summary_from_lexoffice,
    sales_document_from_lexoffice,
    sales_summary_matches,
    sales_summary_matches_all,
    voucherlist_item_from_lexoffice,
    voucherlist_params,
)
from schemas.payments import Payment
from schemas.sales import SalesDocument, SalesDocumentFilter, SalesDocumentSummary

VOUCHERLIST_SORT = "createdDate,ASC"
"""Oldest first: documents created while a client pages through a list are appended, never shift pages."""
_NOT_ACCEPTABLE = 406  # lexoffice's status for a request it understood but refuses


async def voucherlist_page(
    lex: LexofficeClient, query: Mapping[str, str], page: int, size: int
) -> UpstreamPage:
    """Page ``page`` (0-based, ``size`` entries) of ``GET /v1/voucherlist`` with the filters ``query``."""
    return await lex.get_page("/v1/voucherlist", {**query, "sort": VOUCHERLIST_SORT}, page=page, size=size)


async def list_documents(
    lex: LexofficeClient, filters: SalesDocumentFilter, page: int, size: int, *, include_raw: bool = False
) -> tuple[list[SalesDocumentSummary], bool]:
    """One page of the sales documents matching ``filters``, and whether it is the last.

    lexoffice filters by whole Berlin days for ``updated_since``: the page's entries are then also checked
    to the instant, so a page can hold fewer than ``size`` entries while more pages follow.
    """
    listed = [SALES_KINDS[name] for name in filters.type or ()]
    if len(listed) == 1 and not listed[0].voucherlist:  # a kind with its own list endpoint
        return await _list_collection(lex, listed[0], filters, page, size, include_raw=include_raw)
    query = voucherlist_params(filters)
    if not query["voucherStatus"]:  # statuses none of the requested kinds can have
        return [], True
    found = await voucherlist_page(lex, query, page, size)
    summaries = (voucherlist_item_from_lexoffice(item, include_raw=include_raw) for item in found.items)
    return [s for s in summaries if sales_summary_matches(s, filters)], found.last


async def _list_collection(
    lex: LexofficeClient,
    kind: SalesKind,
    filters: SalesDocumentFilter,
    page: int,
    size: int,
    *,
    include_raw: bool = False,
) -> tuple[list[SalesDocumentSummary], bool]:
    """One page of a kind lexoffice lists at ``GET /v1/<collection>`` without filters (recurring templates):
    the filters are applied to the page's entries."""
    found = await lex.get_page(f"/v1/{kind.collection}", {"sort": VOUCHERLIST_SORT}, page=page, size=size)
    summaries = (recurring_summary_from_lexoffice(item, include_raw=include_raw) for item in found.items)
    return [s for s in summaries if sales_summary_matches_all(s, filters)], found.last


def _path(kind: SalesKind, document_id: str) -> str:
    return f"/v1/{kind.collection}/{document_id}"


async def get_document(
    lex: LexofficeClient, kind: SalesKind, document_id: str, *, include_raw: bool = False
) -> SalesDocument:
    """The sales document ``document_id`` of ``kind`` (``NotFound`` for an id of another kind)."""
    data = await lex.get_json(_path(kind, document_id))
    return sales_document_from_lexoffice(data, kind=kind.name, include_raw=include_raw)


async def document_pdf(
    lex: LexofficeClient, kind: SalesKind, document_id: str
) -> tuple[bytes, httpx.Headers]:
    """The rendered PDF of a finalized document and lexoffice's headers (type, name, length); lexoffice
    renders it on demand and keeps its file id.

    A draft has no PDF: lexoffice refuses to render it (406), which becomes an ``UpstreamRejected`` that
    says so.
    """
    noun = kind.name.replace("_", " ")
    try:
        rendered = await lex.get_json(f"{_path(kind, document_id)}/document")
    except UpstreamRejected as exc:
        if exc.status != _NOT_ACCEPTABLE:
            raise
        raise _explained(
            exc, f"The {noun} {document_id} has no PDF: lexoffice renders finalized documents only."
        ) from exc
    return await lex.download(f"/v1/files/{rendered['documentFileId']}", accept="application/pdf")


async def get_payment(lex: LexofficeClient, document_id: str, *, include_raw: bool = False) -> Payment:
    """The payment state of a finalized document (invoice, credit note, bookkeeping voucher, ...).

    Drafts carry no payments: lexoffice's 406 becomes an ``UpstreamRejected`` that says so.
    """
    try:
        data = await lex.get_json(f"/v1/payments/{document_id}")
    except UpstreamRejected as exc:
        if exc.status != _NOT_ACCEPTABLE:
            raise
        raise _explained(
            exc, f"The document {document_id} is a draft: drafts have no payments until finalized."
        ) from exc
    return payment_from_lexoffice(data, document_id=document_id, include_raw=include_raw)


def _explained(exc: UpstreamRejected, message: str) -> UpstreamRejected:
    """``exc`` with a message that tells the client what went wrong (status, body and details kept)."""
    return UpstreamRejected(message, status=exc.status, upstream_body=exc.upstream_body, details=exc.details)
