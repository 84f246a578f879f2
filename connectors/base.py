"""What every connector declares: the unified operations and, per resource, which of them it supports.

:data:`CAPABILITIES` is the one table the gateway consults: ``GET /v1/capabilities`` publishes it, and a route
whose operation a connector cannot perform answers the problem ``not-supported-by-connector`` with the
row's ``note`` (never a silent no-op). Rows are grouped by resource family; each family adds its own rows.
"""

from __future__ import annotations

from enum import StrEnum

import msgspec


class Operation(StrEnum):
    """The unified operations on a resource."""

    LIST = "list"
    GET = "get"
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    DOWNLOAD = "download"
    """Download the resource's document (a PDF, a file's content)."""
    UPLOAD = "upload"
    """Upload a file to the resource."""
    ACTION = "action"
    """A resource-specific action (finalize, pursue, ...); the row's note names it."""


class Capability(msgspec.Struct, frozen=True, kw_only=True):
    """Whether one connector can perform one operation on one resource."""

    resource: str
    """The resource's path segment under ``/v1/accounting`` (``contacts``, ``ledger-accounts``, ...)."""
    operation: Operation
    supported: bool
    note: str | None = None
    """Why an operation is unsupported (and what to do instead), or a limitation of a supported one."""


def _rows(
    resource: str, supported: dict[Operation, str | None], unsupported: dict[Operation, str]
) -> list[Capability]:
    """The rows of one resource: supported operations (with optional notes), then unsupported ones."""
    return [
        *(
            Capability(resource=resource, operation=op, supported=True, note=note)
            for op, note in supported.items()
        ),
        *(
            Capability(resource=resource, operation=op, supported=False, note=note)
            for op, note in unsupported.items()
        ),
    ]


_LEXOFFICE_READ_ONLY = "lexoffice offers this list read-only; change it in the lexoffice web app."

LEXOFFICE_CONTACTS = _rows(
    "contacts",
    {
        Operation.LIST: "Filters email, name, number, role; `updated_since` is not supported (use the "
        "contact.* webhooks to follow changes).",
        Operation.GET: None,
        Operation.CREATE: None,
        Operation.UPDATE: "Roles can be added, never removed.",
        Operation.ACTION: "POST /contacts/upsert finds the contact by email, customer number or your "
        "external id, then updates or creates it (one operation).",
    },
    {Operation.DELETE: "lexoffice's API cannot delete contacts; archive or delete them in the web app."},
)
LEXOFFICE_REFERENCE = [
    *(
        row
        for resource in ("countries", "ledger-accounts", "payment-terms")
        for row in _rows(
            resource,
            {Operation.LIST: None},
            {Operation.CREATE: _LEXOFFICE_READ_ONLY, Operation.UPDATE: _LEXOFFICE_READ_ONLY},
        )
    ),
    *_rows(
        "tax-rates",
        {Operation.LIST: "A fixed table of the German VAT rates (lexoffice has no tax-rate endpoint)."},
        {},
    ),
    *_rows(
        "company",
        {Operation.GET: None},
        {Operation.UPDATE: "lexoffice's API cannot change the company profile."},
    ),
]

_SALES_LIST = (
    "Filters status, contact_id, number, issued_from/issued_to, updated_since (lexoffice filters updates "
    "by whole days; the gateway applies the exact instant, so a page may hold fewer than `limit` entries)."
)
_SALES_PDF = "The rendered PDF of a finalized document; drafts have none."
LEXOFFICE_SALES_DOCUMENTS = [
    *_rows(
        "invoices",
        {
            Operation.LIST: _SALES_LIST,
            Operation.GET: None,
            Operation.CREATE: "A draft, or finalized at once (`finalize`); `preceding_document_id` creates "
            "it from a quotation or order confirmation; `include=pdf` renders the PDF in the same call.",
            Operation.DOWNLOAD: _SALES_PDF,
            Operation.ACTION: "POST /invoices/{id}/credit-notes credits the invoice fully or some of its "
            "lines; POST /invoices/{id}/dunnings creates a dunning of an open invoice (same body as POST "
            "/dunnings; contact and tax mode must be the invoice's).",
        },
        {
            Operation.UPDATE: "lexoffice cannot change an invoice after creation; correct a finalized one "
            "with a credit note (POST /credit-notes with `preceding_document_id`).",
            Operation.DELETE: "lexoffice's API cannot delete invoices; void them in the web app.",
        },
    ),
    *_rows(
        "credit-notes",
        {
            Operation.LIST: _SALES_LIST,
            Operation.GET: None,
            Operation.CREATE: "A draft, or finalized at once (`finalize`); `preceding_document_id` names the "
            "invoice it corrects (at most one credit note per invoice), whose open amount it reduces.",
            Operation.DOWNLOAD: _SALES_PDF,
        },
        {
            Operation.UPDATE: "lexoffice cannot change a credit note after creation; create a new one.",
            Operation.DELETE: "lexoffice's API cannot delete credit notes; void them in the web app.",
        },
    ),
    *_rows(
        "quotes",
        {
            Operation.LIST: _SALES_LIST,
            Operation.GET: None,
            Operation.CREATE: "A draft, or finalized at once (`finalize`; then `open`).",
            Operation.DOWNLOAD: _SALES_PDF,
            Operation.ACTION: "POST /quotes/{id}/sales-orders and /quotes/{id}/invoices create the follow-up "
            "document from a finalized quote (which becomes `accepted`); a draft quote is refused (422).",
        },
        {
            Operation.UPDATE: "lexoffice cannot change a quote after creation; create a new one.",
            Operation.DELETE: "lexoffice's API cannot delete quotes; delete them in the web app.",
        },
    ),
    *_rows(
        "sales-orders",
        {
            Operation.LIST: _SALES_LIST,
            Operation.GET: None,
            Operation.CREATE: "Numbered at once and always `draft`; `preceding_document_id`: a finalized "
            "quote.",
            Operation.DOWNLOAD: "The rendered PDF (sales orders are rendered as drafts).",
            Operation.ACTION: "POST /sales-orders/{id}/invoices and /sales-orders/{id}/delivery-notes create "
            "the follow-up document.",
        },
        {
            Operation.UPDATE: "lexoffice cannot change a sales order after creation; create a new one.",
            Operation.DELETE: "lexoffice's API cannot delete sales orders; delete them in the web app.",
        },
    ),
    *_rows(
        "delivery-notes",
        {
            Operation.LIST: _SALES_LIST,
            Operation.GET: None,
            Operation.CREATE: "Numbered at once and always `draft`, without totals; `preceding_document_id`: "
            "a sales order or a finalized invoice.",
            Operation.DOWNLOAD: "The rendered PDF (delivery notes are rendered as drafts).",
        },
        {
            Operation.UPDATE: "lexoffice cannot change a delivery note after creation; create a new one.",
            Operation.DELETE: "lexoffice's API cannot delete delivery notes; delete them in the web app.",
        },
    ),
    *_rows(
        "dunnings",
        {
            Operation.GET: None,
            Operation.CREATE: "Of an open invoice (`preceding_document_id`, required), with its contact and "
            "tax mode; always `draft`.",
            Operation.DOWNLOAD: "The rendered PDF (dunnings are rendered as drafts).",
        },
        {
            Operation.LIST: "lexoffice lists no dunnings (they are not in its voucher list); keep the ids "
            "returned on create, or follow the dunning.* webhooks.",
            Operation.UPDATE: "lexoffice cannot change a dunning after creation; create a new one.",
            Operation.DELETE: "lexoffice's API cannot delete dunnings; delete them in the web app.",
        },
    ),
    *_rows(
        "down-payment-invoices",
        {Operation.LIST: _SALES_LIST, Operation.GET: None},
        {
            Operation.CREATE: "lexoffice's API cannot create down payment invoices; make them in the "
            "web app.",
            Operation.UPDATE: "lexoffice's API cannot change down payment invoices.",
            Operation.DOWNLOAD: "lexoffice's API renders no down payment invoice PDF; download the file by "
            "`document_file_id` (GET /files/{id}) once there is one.",
        },
    ),
    *_rows(
        "recurring-invoices",
        {
            Operation.LIST: "Recurring invoice templates, oldest first; lexoffice filters none of them, the "
            "gateway filters status, contact_id, updated_since per page (templates have no number or issue "
            "date), so a page may hold fewer than `limit` entries.",
            Operation.GET: None,
        },
        {
            Operation.CREATE: "lexoffice's API cannot create recurring invoice templates; set them up in the "
            "web app.",
            Operation.UPDATE: "lexoffice's API cannot change recurring invoice templates.",
            Operation.DOWNLOAD: "A template has no PDF; its invoices do (recurring_template_id).",
        },
    ),
    *_rows(
        "payments",
        {Operation.GET: "Of finalized invoices, credit notes and vouchers; drafts have no payments."},
        {Operation.CREATE: "lexoffice's API records no payments; they are booked in the web app."},
    ),
]
LEXOFFICE_BOOKKEEPING = [
    *_rows(
        "vouchers",
        {
            Operation.LIST: "Filters type, status, contact_id, number, issued_from/issued_to, updated_since.",
            Operation.GET: None,
            Operation.CREATE: "Sales vouchers only (sales_invoice, sales_credit_note); purchase vouchers are "
            "entered in the web app. `receipts` (or POST /vouchers/with-receipts, multipart) are uploaded "
            "and attached in the same call.",
            Operation.UPDATE: "Sales vouchers only. Receipts stay attached unless `attachments` is given.",
            Operation.UPLOAD: "POST /files with `voucher_id` attaches a receipt at once.",
        },
        {Operation.DELETE: "lexoffice's API cannot delete vouchers; delete them in the web app."},
    ),
    *_rows(
        "files",
        {
            Operation.UPLOAD: "Receipts: PDF, JPEG or PNG, at most 5 MB.",
            Operation.DOWNLOAD: "Receipts and rendered documents, by file id.",
            Operation.GET: "The upload status: whether a receipt is attached to a voucher yet.",
        },
        {},
    ),
]


class MultiStep(msgspec.Struct, frozen=True, kw_only=True):
    """A unified call that takes several upstream calls and runs as a resumable operation."""

    kind: str
    """The operation kind shown at ``/v1/operations/{id}``."""
    route: str
    steps: list[str]
    upstream_calls: str
    """How many upstream calls it takes (the physical minimum)."""
    note: str


LEXOFFICE_MULTI_STEP = [
    MultiStep(
        kind="create_voucher",
        route="POST /v1/accounting/vouchers (JSON, `receipts` base64) or /vouchers/with-receipts (multipart)",
        steps=["create_voucher", "upload_receipt_<n>"],
        upstream_calls="1 + 1 per receipt",
        note="The voucher with its receipts attached; a retry never doubles the voucher or a file.",
    ),
    MultiStep(
        kind="create_invoice",
        route="POST /v1/accounting/invoices?include=pdf (every document create runs so: create_<kind>)",
        steps=["create", "render_pdf", "read"],
        upstream_calls="3 with include=pdf, else 2",
        note="A finalized invoice with its rendered PDF (`document_file_id`); an unconfirmed create is found "
        "by its content before it is sent again.",
    ),
    MultiStep(
        kind="credit_invoice",
        route="POST /v1/accounting/invoices/{id}/credit-notes",
        steps=["read_invoice", "create_credit_note", "read"],
        upstream_calls="3",
        note="A credit note of every line or of some lines (and quantities), linked to the invoice upstream.",
    ),
    MultiStep(
        kind="upsert_contact",
        route="POST /v1/accounting/contacts/upsert",
        steps=["find_contact", "write_contact", "read"],
        upstream_calls="2 to update, 3 to create",
        note="Match by email, customer number (updates only) or external id (kept by LedgerBridge).",
    ),
]

MULTI_STEP: dict[str, list[MultiStep]] = {"lexoffice": LEXOFFICE_MULTI_STEP}
"""Connector name -> its multi-step operations (``GET /v1/capabilities`` lists them)."""

CAPABILITIES: dict[str, list[Capability]] = {
    "lexoffice": [
        *LEXOFFICE_CONTACTS,
        *LEXOFFICE_REFERENCE,
        *LEXOFFICE_SALES_DOCUMENTS,
        *LEXOFFICE_BOOKKEEPING,
    ],
}
"""Connector name -> its capability rows."""


def capability(connector: str, resource: str, operation: Operation) -> Capability | None:
    """The row of one connector, resource and operation (``None`` if the table has none)."""
    return next(
        (
            row
            for row in CAPABILITIES.get(connector, [])
            if row.resource == resource and row.operation == operation
        ),
        None,
    )
