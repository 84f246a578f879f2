"""The routes of one kind of sales document (``/invoices``, ``/credit-notes``, ``/quotes``, ...): one
implementation for every kind of :data:`~connectors.lexoffice.mapping.sales.SALES_KINDS`, built by
:func:`sales_router`. Operations lexoffice lacks for a kind (list of dunnings, create of down payment and
recurring invoices, their PDFs) answer ``501 not-supported-by-connector`` with the capability row's note.

Conversions (:data:`~connectors.lexoffice.mapping.sales.CONVERSIONS`), e.g.
``POST /quotes/{id}/sales-orders``: exactly the target's create with ``preceding_document_id`` = the path
id. The body is the target's full create request: nothing is copied from the source document (lexoffice's
pursue takes the whole document too, and a silent copy would hide what is sent); a
``preceding_document_id`` in the body must be absent or the path id. A transition the document chain does
not allow is lexoffice's 406 -> ``422 upstream-validation``, with nothing written.

The handlers are annotated with the base structs (:data:`Create`, :data:`Document`); each kind's router
resolves these names to its own structs through ``signature_namespace``, so request validation and the
OpenAPI schema are the kind's (``InvoiceCreate``, ``CreditNote``, ...).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

import msgspec
from litestar import Response, Router, get, patch, post
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath, JSONBody, Parameter, QueryParameter

from connectors.base import Operation
from connectors.lexoffice import documents as lexoffice_documents
from connectors.lexoffice.flows import CREDIT_NOTE_FLOW, SALES_FLOWS
from connectors.lexoffice.flows.credit_notes import CreditNoteInput
from connectors.lexoffice.flows.sales import SalesCreateInput
from connectors.lexoffice.mapping.sales import CONVERSIONS, SALES_KINDS, SalesKind
from schemas.common import Page
from schemas.problem import FieldError
from schemas.sales import (
    CreditNote,
    CreditNoteFromInvoice,
    SalesDocument,
    SalesDocumentCreate,
    SalesDocumentFilter,
    SalesDocumentStatus,
    SalesDocumentSummary,
)

from ...operations.requests import OPERATION_OPT, OperationSubmitter
from ...problems import VALIDATION, ProblemError, problem_responses
from .deps import (
    Account,
    IncludeRawFlag,
    IssuedFrom,
    IssuedTo,
    Lexoffice,
    Paging,
    Submit,
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

IncludeParam = Annotated[
    list[Literal["pdf"]] | None,
    QueryParameter(
        name="include",
        description="`pdf`: render the document's PDF in the same call (a finalized one); the response's "
        "`document_file_id` names it (`GET /files/{id}`).",
    ),
]
DocumentId = Annotated[str, Parameter(description="The document's id (a UUID).", max_length=100)]
_READ_ERRORS = (400, 401, 404, 422, 424, 429, 502, 503)
_WRITE_ERRORS = (400, 401, 404, 413, 415, 422, 424, 429, 502, 503, 504)


def sales_router(kind: SalesKind) -> Router:
    """The router of ``kind``: list, get, create, PDF download, an explicit 501 for updates (and for list,
    create and PDF where lexoffice lacks them), and the conversions of :data:`CONVERSIONS` from ``kind``."""
    resource = kind.path
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
        opt=OPERATION_OPT,
        responses=problem_responses(*_WRITE_ERRORS, 202),
        summary=f"Create a {noun}",
        signature_namespace=namespace,
    )
    async def create_document(
        data: JSONBody[Create],
        submit: Submit,
        include_raw: IncludeRawFlag,
        include: IncludeParam = None,
    ) -> Response[Document]:
        """Create a draft, or with ``finalize`` a finalized document (numbered, no longer changeable);
        ``preceding_document_id`` creates it from that document of its chain. Returns it as stored
        upstream (totals computed there); ``raw`` is deep-merged into the upstream request body.
        ``include=pdf`` renders its PDF in the same call (``document_file_id``; download it from
        ``/files/{id}``). Runs as an operation: a retry with the same ``Idempotency-Key`` resumes it, and
        a create whose outcome was unknown is looked up before it is sent again."""
        return await _create(submit, kind, data, include_raw, include)

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

    handlers: list[HTTPRouteHandler] = [get_document, update_document]
    handlers.append(list_documents if kind.listable else _unsupported("GET", "/", resource, Operation.LIST))
    handlers.append(
        create_document if kind.creatable else _unsupported("POST", "/", resource, Operation.CREATE)
    )
    handlers.append(
        download_pdf
        if kind.pdf
        else _unsupported("GET", "/{document_id:str}/pdf", resource, Operation.DOWNLOAD)
    )
    handlers += [
        _conversion(kind, SALES_KINDS[target]) for source, target in CONVERSIONS if source == kind.name
    ]
    if kind.name == "invoice":
        handlers.append(credit_invoice)
    return Router(f"/{resource}", route_handlers=handlers, tags=[resource])


async def _create(
    submit: OperationSubmitter,
    kind: SalesKind,
    data: SalesDocumentCreate,
    include_raw: bool,
    include: Sequence[str] | None,
) -> Response[Any]:
    """Create a document of ``kind`` as an operation (see :mod:`connectors.lexoffice.flows.sales`)."""
    pdf = "pdf" in (include or ())
    if pdf and not kind.pdf:
        raise not_supported(kind.path, Operation.DOWNLOAD, submit.account.record.connector)
    if pdf and getattr(data, "finalize", True) is False:
        raise ProblemError(
            VALIDATION,
            "Only a finalized document has a PDF: send `finalize: true` with `include=pdf`.",
            errors=[FieldError("finalize", "must be true with include=pdf")],
        )
    flow_input = SalesCreateInput(
        request=msgspec.Raw(msgspec.json.encode(data)),
        requested_at=datetime.now(UTC),
        include_pdf=pdf,
        include_raw=include_raw,
    )
    return await submit(SALES_FLOWS[kind.name], flow_input)


@post(
    "/{document_id:str}/credit-notes",
    status_code=201,
    opt=OPERATION_OPT,
    responses=problem_responses(*_WRITE_ERRORS, 202, 409),
    summary="Credit an invoice (full or some lines)",
)
async def credit_invoice(
    document_id: FromPath[DocumentId],
    data: JSONBody[CreditNoteFromInvoice],
    submit: Submit,
    include_raw: IncludeRawFlag,
) -> Response[CreditNote]:
    """A credit note for the invoice: every line (no ``lines``) or the given lines and quantities, with the
    invoice's addressee, tax mode and prices; lexoffice links it to the invoice (at most one credit note
    per invoice) and, once finalized, reduces the invoice's open amount. One operation: read the invoice,
    create the credit note, read it back."""
    flow_input = CreditNoteInput(
        invoice_id=document_id, request=data, requested_at=datetime.now(UTC), include_raw=include_raw
    )
    return await submit(CREDIT_NOTE_FLOW, flow_input)


def _unsupported(method: str, path: str, resource: str, operation: Operation) -> HTTPRouteHandler:
    """A route that always answers ``501 not-supported-by-connector`` with the capability row's note."""
    decorator = get if method == "GET" else post

    @decorator(  # type: ignore[untyped-decorator]
        path,
        status_code=501,
        responses=problem_responses(401, 404, 429, 501),
        summary=f"{operation.capitalize()} {resource.replace('-', ' ')} (not supported)",
    )
    async def unsupported(account: Account) -> None:
        """Always ``501 not-supported-by-connector``: lexoffice's API does not offer this operation (the
        problem says what to do instead)."""
        raise not_supported(resource, operation, account.record.connector)

    return unsupported


def _conversion(source: SalesKind, target: SalesKind) -> HTTPRouteHandler:
    """``POST /<source>/{id}/<target>``: create a ``target`` document from the source document ``id``."""
    source_noun, target_noun = source.name.replace("_", " "), target.name.replace("_", " ")

    @post(
        f"/{{document_id:str}}/{target.path}",
        status_code=201,
        opt=OPERATION_OPT,
        responses=problem_responses(*_WRITE_ERRORS, 202),
        summary=f"Create a {target_noun} from a {source_noun}",
        signature_namespace={"Create": target.create, "Document": target.response},
    )
    async def convert(
        document_id: FromPath[DocumentId],
        data: JSONBody[Create],
        submit: Submit,
        include_raw: IncludeRawFlag,
        include: IncludeParam = None,
    ) -> Response[Document]:
        """Exactly ``POST /<target>`` with ``preceding_document_id`` = the path's id (the body is the
        target's create request; it may omit ``preceding_document_id`` or repeat the path's id). lexoffice
        refuses a transition its document chain does not allow (e.g. from a draft quote) with ``422
        upstream-validation``, and nothing is written."""
        given = getattr(data, "preceding_document_id", None)
        if given is not None and given != document_id:
            raise ProblemError(
                VALIDATION,
                "The document is created from the document in the path.",
                errors=[FieldError("preceding_document_id", f"must be absent or {document_id}")],
            )
        request_data = msgspec.structs.replace(data, preceding_document_id=document_id)
        return await _create(submit, target, request_data, include_raw, include)

    return convert


routers: list[Router] = [sales_router(kind) for kind in SALES_KINDS.values()]
"""One router per kind (``/invoices``, ``/credit-notes``, ``/quotes``, ...), mounted by the package."""
