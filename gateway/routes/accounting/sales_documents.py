"""The routes of one kind of sales document (``/invoices``, ``/credit-notes``): one implementation for every
kind of :data:`~connectors.lexoffice.mapping.sales.SALES_KINDS`, built by :func:`sales_router`.

The handlers are annotated with the base structs (:data:`Create`, :data:`Document`); each kind's router
resolves these names to its own structs through ``signature_namespace``, so request validation and the
OpenAPI schema are the kind's (``InvoiceCreate``, ``CreditNote``, ...).
"""

from __future__ import annotations

from typing import Annotated

from litestar import Response, Router, get, patch, post
from litestar.params import FromPath, JSONBody, Parameter

from connectors.base import Operation
from connectors.lexoffice import documents as lexoffice_documents
from connectors.lexoffice.mapping.sales import SalesKind
from schemas.common import Page
from schemas.sales import (
    SalesDocument,
    SalesDocumentCreate,
    SalesDocumentFilter,
    SalesDocumentStatus,
    SalesDocumentSummary,
)

from ...problems import problem_responses
from .deps import (
    Account,
    IncludeRawFlag,
    IssuedFrom,
    IssuedTo,
    Lexoffice,
    Paging,
    UpdatedSince,
    converted,
    not_supported,
    page_of,
    with_etag,
)
from .files import file_response

Create = SalesDocumentCreate
"""The create struct of the router's kind (resolved per kind through ``signature_namespace``)."""
Document = SalesDocument
"""The response struct of the router's kind (resolved per kind through ``signature_namespace``)."""

DocumentId = Annotated[str, Parameter(description="The document's id (a UUID).", max_length=100)]
_READ_ERRORS = (400, 401, 404, 422, 424, 429, 502, 503)
_WRITE_ERRORS = (400, 401, 404, 413, 415, 422, 424, 429, 502, 503, 504)


def sales_router(kind: SalesKind) -> Router:
    """The router of ``kind``: list, get, create, PDF download, and an explicit 501 for updates."""
    resource = kind.collection
    noun = kind.name.replace("_", " ")
    namespace = {"Create": kind.create, "Document": kind.response}

    @get("/", responses=problem_responses(*_READ_ERRORS), summary=f"List {noun}s")
    async def list_documents(
        lexoffice: Lexoffice,
        include_raw: IncludeRawFlag,
        paging: Paging,
        status: Annotated[
            list[SalesDocumentStatus] | None, Parameter(description="Any of these statuses (repeatable).")
        ] = None,
        contact_id: Annotated[str | None, Parameter(description="Addressed to this contact.")] = None,
        number: Annotated[str | None, Parameter(description="Exactly this document number.")] = None,
        issued_from: IssuedFrom = None,
        issued_to: IssuedTo = None,
        updated_since: UpdatedSince = None,
    ) -> Page[SalesDocumentSummary]:
        """The documents matching every given filter, oldest first (without line items).

        A page may hold fewer than ``limit`` entries while ``next_cursor`` still leads to more.
        """
        filters = converted(
            {
                "type": [kind.name],
                "status": status,
                "contact_id": contact_id,
                "number": number,
                "issued_from": issued_from,
                "issued_to": issued_to,
                "updated_since": updated_since,
            },
            SalesDocumentFilter,
        )
        found, last = await lexoffice_documents.list_documents(
            lexoffice, filters, paging.page, paging.size, include_raw=include_raw
        )
        return page_of(found, paging.next_cursor(last))

    @get(
        "/{document_id:str}",
        responses=problem_responses(*_READ_ERRORS),
        summary=f"Get a {noun}",
        signature_namespace=namespace,
    )
    async def get_document(
        document_id: FromPath[DocumentId], lexoffice: Lexoffice, include_raw: IncludeRawFlag
    ) -> Response[Document]:
        """The document, with its version as ``ETag``."""
        document = await lexoffice_documents.get_document(
            lexoffice, kind, document_id, include_raw=include_raw
        )
        return with_etag(document, document.version)

    @post(
        "/",
        status_code=201,
        responses=problem_responses(*_WRITE_ERRORS),
        summary=f"Create a {noun}",
        signature_namespace=namespace,
    )
    async def create_document(
        data: JSONBody[Create], lexoffice: Lexoffice, include_raw: IncludeRawFlag
    ) -> Response[Document]:
        """Create a draft, or with ``finalize`` a finalized document (numbered, no longer changeable);
        ``preceding_document_id`` creates it from that document of its chain. Returns it as stored
        upstream (totals computed there); ``raw`` is deep-merged into the upstream request body."""
        document = await lexoffice_documents.create_document(lexoffice, kind, data, include_raw=include_raw)
        response = with_etag(document, document.version, status_code=201)
        response.headers["Location"] = f"/v1/accounting/{resource}/{document.id}"
        return response

    @patch(
        "/{document_id:str}",
        status_code=501,
        responses=problem_responses(401, 404, 429, 501),
        summary=f"Update a {noun} (not supported)",
    )
    async def update_document(document_id: FromPath[DocumentId], account: Account) -> None:
        """Always ``501 not-supported-by-connector``: the accounting system cannot change the document
        after creation (the problem says what to do instead)."""
        raise not_supported(resource, Operation.UPDATE, account.record.connector)

    @get(
        "/{document_id:str}/pdf",
        media_type="application/pdf",
        responses=problem_responses(*_READ_ERRORS),
        summary=f"Download a {noun} as PDF",
    )
    async def download_pdf(document_id: FromPath[DocumentId], lexoffice: Lexoffice) -> Response[bytes]:
        """The rendered PDF of a finalized document (a draft has none: ``422``), with its file name in
        ``Content-Disposition``."""
        content, headers = await lexoffice_documents.document_pdf(lexoffice, kind, document_id)
        return file_response(document_id, content, headers)

    return Router(
        f"/{resource}",
        route_handlers=[list_documents, get_document, create_document, update_document, download_pdf],
        tags=[resource],
    )
