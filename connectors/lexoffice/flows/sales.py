"""Creating a sales document of any kind as an operation: ``create`` (POST), optionally ``render_pdf`` (the
document's PDF rendered, its file id kept), then ``read`` (GET the stored document, totals computed upstream).

Upstream calls: 2, or 3 with ``include=pdf`` — a finalized invoice with its PDF is POST, GET ``/document``,
GET the invoice (whose ``document_file_id`` then names the PDF). A create whose outcome is unknown is found
by its content (:mod:`.lookup`) before it is sent again.
"""

from __future__ import annotations

from datetime import datetime

import msgspec

from connectors.flows import FlowResponse, Results, Step, StepResult
from connectors.lexoffice.client import LexofficeClient, decode_json, encode_json
from connectors.lexoffice.flows.lookup import find_created_document
from connectors.lexoffice.mapping.sales import (
    SalesKind,
    create_params,
    sales_document_from_lexoffice,
    sales_document_to_lexoffice,
)
from schemas.sales import SalesDocument, SalesDocumentCreate


class SalesCreateInput(msgspec.Struct, kw_only=True):
    """A create request of one kind (its create struct as JSON) and what the response should include."""

    request: msgspec.Raw
    requested_at: datetime
    include_pdf: bool = False
    include_raw: bool = False


def stored_document(result: StepResult) -> dict[str, object]:
    """The upstream document a ``read`` step kept (exact decimals)."""
    document: dict[str, object] = decode_json(result["document"].encode())
    return document


async def read_document(lex: LexofficeClient, kind: SalesKind, document_id: str) -> StepResult:
    """A ``read`` step's result: the stored document, kept as lexoffice's JSON text."""
    document = await lex.get_json(f"/v1/{kind.collection}/{document_id}")
    return {"upstream_id": document_id, "document": encode_json(document).decode()}


def document_response(
    kind: SalesKind, result: StepResult, *, include_raw: bool, status: int = 201
) -> FlowResponse:
    """The response of a flow that created a document of ``kind``: it as stored, with ``ETag`` and
    ``Location``."""
    document: SalesDocument = sales_document_from_lexoffice(
        stored_document(result), kind=kind.name, include_raw=include_raw
    )
    return FlowResponse(
        status,
        document,
        headers={"ETag": f'"{document.version}"'},
        location=f"/v1/accounting/{kind.path}/{document.id}",
    )


class CreateSalesDocument:
    """The flow ``create_<kind>`` (``create_invoice``, ``create_credit_note``, ...)."""

    def __init__(self, kind: SalesKind) -> None:
        self.sales_kind = kind
        self.kind = f"create_{kind.name}"

    def decode(self, data: bytes) -> SalesCreateInput:
        return msgspec.json.decode(data, type=SalesCreateInput)

    def encode(self, data: SalesCreateInput) -> bytes:
        return msgspec.json.encode(data)

    def request(self, data: SalesCreateInput) -> SalesDocumentCreate:
        """The create request the input holds."""
        return msgspec.json.decode(data.request, type=self.sales_kind.create)

    def steps(self, lex: LexofficeClient, data: SalesCreateInput, results: Results) -> list[Step]:
        kind = self.sales_kind
        req = self.request(data)
        body = sales_document_to_lexoffice(req)

        async def create() -> StepResult:
            created = await lex.post_json(f"/v1/{kind.collection}", body, params=create_params(req))
            return {"upstream_id": created["id"]}

        async def find() -> StepResult | None:
            preceding = getattr(req, "preceding_document_id", None)
            return await find_created_document(lex, kind, body, preceding, data.requested_at)

        async def render() -> StepResult:
            document_id = results["create"]["upstream_id"]
            rendered = await lex.get_json(f"/v1/{kind.collection}/{document_id}/document")
            return {"upstream_id": rendered["documentFileId"]}

        async def read() -> StepResult:
            return await read_document(lex, kind, results["create"]["upstream_id"])

        steps = [Step("create", create, find)]
        if data.include_pdf:
            steps.append(Step("render_pdf", render))
        return [*steps, Step("read", read)]

    def response(self, data: SalesCreateInput, results: Results) -> FlowResponse:
        return document_response(self.sales_kind, results["read"], include_raw=data.include_raw)
