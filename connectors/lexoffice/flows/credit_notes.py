"""Crediting an invoice as an operation (``POST /invoices/{id}/credit-notes``): ``read_invoice`` (GET),
``create_credit_note`` (POST ``/v1/credit-notes?precedingSalesVoucherId=``: lexoffice pursues the invoice),
``read`` (GET the stored credit note). Upstream calls: 3.

A create whose outcome is unknown is found among the invoice's related vouchers by its content.
"""

from __future__ import annotations

from datetime import datetime

import msgspec

from connectors.flows import FlowResponse, InvalidInput, Results, Step, StepResult
from connectors.lexoffice.client import LexofficeClient, decode_json
from connectors.lexoffice.flows.lookup import find_created_document
from connectors.lexoffice.flows.sales import document_response, read_document
from connectors.lexoffice.mapping.common import BERLIN
from connectors.lexoffice.mapping.credit_notes import credit_line_errors, credit_note_from_invoice
from connectors.lexoffice.mapping.sales import SALES_KINDS
from schemas.sales import CreditNoteFromInvoice

INVOICE = SALES_KINDS["invoice"]
CREDIT_NOTE = SALES_KINDS["credit_note"]


class CreditNoteInput(msgspec.Struct, kw_only=True):
    invoice_id: str
    request: CreditNoteFromInvoice
    requested_at: datetime
    include_raw: bool = False


class CreateCreditNoteFromInvoice:
    """The flow ``credit_invoice``."""

    kind = "credit_invoice"

    def decode(self, data: bytes) -> CreditNoteInput:
        return msgspec.json.decode(data, type=CreditNoteInput)

    def encode(self, data: CreditNoteInput) -> bytes:
        return msgspec.json.encode(data)

    def steps(self, lex: LexofficeClient, data: CreditNoteInput, results: Results) -> list[Step]:
        def body() -> dict[str, object]:
            invoice = decode_json(results["read_invoice"]["document"].encode())
            if errors := credit_line_errors(invoice, data.request):
                raise InvalidInput("The invoice has no such lines to credit.", errors)
            today = data.requested_at.astimezone(BERLIN).date()
            return credit_note_from_invoice(invoice, data.request, today)

        async def read_invoice() -> StepResult:
            return await read_document(lex, INVOICE, data.invoice_id)

        async def create() -> StepResult:
            params = {"precedingSalesVoucherId": data.invoice_id}
            if data.request.finalize:
                params["finalize"] = "true"
            created = await lex.post_json(f"/v1/{CREDIT_NOTE.collection}", body(), params=params)
            return {"upstream_id": created["id"]}

        async def find() -> StepResult | None:
            return await find_created_document(lex, CREDIT_NOTE, body(), data.invoice_id, data.requested_at)

        async def read() -> StepResult:
            return await read_document(lex, CREDIT_NOTE, results["create_credit_note"]["upstream_id"])

        return [
            Step("read_invoice", read_invoice),
            Step("create_credit_note", create, find),
            Step("read", read),
        ]

    def response(self, data: CreditNoteInput, results: Results) -> FlowResponse:
        return document_response(CREDIT_NOTE, results["read"], include_raw=data.include_raw)
