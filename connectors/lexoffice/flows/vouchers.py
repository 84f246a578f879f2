"""A bookkeeping voucher with its receipts in one operation: ``create_voucher`` (POST ``/v1/vouchers``), then
``upload_receipt_<n>`` per receipt (POST ``/v1/vouchers/{id}/files``, which attaches it at once).

Upstream calls: 1 + one per receipt — the physical minimum. The response is built from what was sent and
what lexoffice answered, without reading the voucher back: its content as sent (amounts checked and
completed by the gateway; the due date defaults to the voucher date, as lexoffice's does), lexoffice's id,
dates and version — each attached receipt is one more version upstream — and the receipts' file ids.
``include_raw`` adds a ``read`` step (a GET), as ``raw`` must be lexoffice's own.

Unknown outcomes: a create is found by its voucher number (``GET /v1/vouchers?voucherNumber=``) with the
same date and totals; an upload by a file on the voucher that none of the operation's earlier steps
attached.
"""

from __future__ import annotations

from typing import Any

import msgspec

from connectors.flows import AmbiguousResult, FlowResponse, Results, Step, StepResult
from connectors.lexoffice.client import LexofficeClient, as_sent_back, decode_json, encode_json
from connectors.lexoffice.files import upload_file
from connectors.lexoffice.mapping.common import decimal
from connectors.lexoffice.mapping.vouchers import (
    voucher_from_lexoffice,
    voucher_number_query,
    voucher_to_lexoffice,
)
from connectors.lexoffice.vouchers import COLLECTION
from schemas.vouchers import Voucher, VoucherCreate, VoucherReceipt

CREATED_STATUS = "open"
"""lexoffice's status of a sales voucher created complete through the API."""


class VoucherInput(msgspec.Struct, kw_only=True):
    voucher: VoucherCreate
    include_raw: bool = False


def upload_step(index: int) -> str:
    return f"upload_receipt_{index}"


class CreateVoucher:
    """The flow ``create_voucher``."""

    kind = "create_voucher"

    def decode(self, data: bytes) -> VoucherInput:
        return msgspec.json.decode(data, type=VoucherInput)

    def encode(self, data: VoucherInput) -> bytes:
        return msgspec.json.encode(data)

    def steps(self, lex: LexofficeClient, data: VoucherInput, results: Results) -> list[Step]:
        body = voucher_to_lexoffice(data.voucher)

        def voucher_id() -> str:
            created: str = results["create_voucher"]["upstream_id"]
            return created

        async def create() -> StepResult:
            answer = await lex.post_json(f"/v1/{COLLECTION}", body)
            return _created(answer)

        async def find_created() -> StepResult | None:
            found = await lex.get_json(f"/v1/{COLLECTION}", voucher_number_query(body["voucherNumber"]))
            matches = [v for v in (found or {}).get("content") or () if _same_voucher(body, v)]
            if len(matches) > 1:
                raise AmbiguousResult(
                    "several vouchers have this number, date and total", [v["id"] for v in matches]
                )
            return _created(matches[0]) if matches else None

        def upload(index: int, receipt: VoucherReceipt) -> Step:
            async def perform() -> StepResult:
                uploaded = await upload_file(
                    lex, filename=receipt.filename, content=receipt.content, media_type=receipt.media_type,
                    voucher_id=voucher_id(),
                )  # fmt: skip
                return {"upstream_id": uploaded.id}

            async def find() -> StepResult | None:
                voucher = await lex.get_json(f"/v1/{COLLECTION}/{voucher_id()}")
                known = {*(data.voucher.attachments or ()), *_uploaded(results, index)}
                extra = [file_id for file_id in voucher.get("files") or () if file_id not in known]
                if len(extra) > 1:
                    raise AmbiguousResult("several files were attached to the voucher meanwhile", extra)
                return {"upstream_id": extra[0]} if extra else None

            return Step(upload_step(index), perform, find)

        async def read() -> StepResult:
            voucher = await lex.get_json(f"/v1/{COLLECTION}/{voucher_id()}")
            return {"upstream_id": voucher_id(), "voucher": encode_json(voucher).decode()}

        steps = [Step("create_voucher", create, find_created)]
        steps += [upload(index, receipt) for index, receipt in enumerate(data.voucher.receipts, start=1)]
        return [*steps, Step("read", read)] if data.include_raw else steps

    def response(self, data: VoucherInput, results: Results) -> FlowResponse:
        if data.include_raw:
            stored = decode_json(results["read"]["voucher"].encode())
            voucher = voucher_from_lexoffice(stored, include_raw=True)
        else:
            voucher = self.synthesized(data, results)
        return FlowResponse(
            201,
            voucher,
            headers={"ETag": f'"{voucher.version}"'},
            location=f"/v1/accounting/vouchers/{voucher.id}",
        )

    @staticmethod
    def synthesized(data: VoucherInput, results: Results) -> Voucher:
        """The voucher as lexoffice now stores it, from the request and the steps' answers."""
        created = results["create_voucher"]
        uploaded = _uploaded(results, len(data.voucher.receipts) + 1)
        sent = voucher_to_lexoffice(data.voucher)
        body = sent | {
            "id": created["upstream_id"],
            "voucherStatus": created.get("status") or CREATED_STATUS,
            "createdDate": created["created"],
            "updatedDate": created["updated"],
            "version": created["version"] + len(uploaded),
            "files": [*(data.voucher.attachments or ()), *uploaded],
            "dueDate": sent.get("dueDate") or sent["voucherDate"],
        }
        return voucher_from_lexoffice(as_sent_back(body))


def _created(answer: dict[str, Any]) -> StepResult:
    """A create step's result from lexoffice's action result (or a voucher found by lookup)."""
    return {
        "upstream_id": answer["id"],
        "version": int(answer.get("version", 0)),
        "created": answer.get("createdDate"),
        "updated": answer.get("updatedDate"),
        "status": answer.get("voucherStatus"),
    }


def _uploaded(results: Results, before: int) -> list[str]:
    """The file ids the upload steps ``1 .. before-1`` attached (those done so far)."""
    return [results[upload_step(i)]["upstream_id"] for i in range(1, before) if upload_step(i) in results]


def _same_voucher(sent: dict[str, Any], stored: dict[str, Any]) -> bool:
    """Whether ``stored`` is the voucher ``sent`` created: same number, date and totals."""
    return (
        stored.get("voucherNumber") == sent["voucherNumber"]
        and str(stored.get("voucherDate", ""))[:10] == str(sent["voucherDate"])[:10]
        and decimal(stored.get("totalGrossAmount")) == decimal(sent["totalGrossAmount"])
        and decimal(stored.get("totalTaxAmount")) == decimal(sent["totalTaxAmount"])
    )
