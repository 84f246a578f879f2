"""lexoffice ``GET /v1/payments/{voucherId}`` -> unified :class:`~schemas.payments.Payment` (read-only).

Vocabulary (unknown upstream values pass through unchanged): voucherType and voucherStatus as for sales
documents (:func:`~connectors.lexoffice.mapping.sales.document_type`, ``document_status``); paymentStatus
``openRevenue``/``openExpense`` -> ``open`` (the side follows from the document type), ``balanced`` unchanged;
paymentItemType ``partPaymentFinancialTransaction`` -> ``financial_transaction``, ``partPaymentCreditNote`` ->
``credit_note``, ``partPaymentCashBox`` -> ``cash_box``, other camelCase values -> snake_case.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connectors.lexoffice.mapping.common import decimal, local_date, parse_instant
from connectors.lexoffice.mapping.sales import document_status, document_type
from schemas.payments import Payment, PaymentItem

_PAYMENT_STATUSES: Mapping[str, str] = {"openRevenue": "open", "openExpense": "open"}
_ITEM_TYPES: Mapping[str, str] = {
    "partPaymentFinancialTransaction": "financial_transaction",
    "partPaymentCreditNote": "credit_note",
    "partPaymentCashBox": "cash_box",
    "manualPayment": "manual_payment",
    "cashDiscount": "cash_discount",
    "dunningCosts": "dunning_costs",
    "currencyConversion": "currency_conversion",
}


def _item_from(item: Mapping[str, Any]) -> PaymentItem:
    item_type = item["paymentItemType"]
    return PaymentItem(
        type=_ITEM_TYPES.get(item_type, item_type),
        amount=decimal(item.get("amount")),
        currency=item.get("currency"),
        posting_date=local_date(item.get("postingDate")),
    )


def payment_from_lexoffice(
    data: Mapping[str, Any], *, document_id: str, include_raw: bool = False
) -> Payment:
    """The payments of document ``document_id`` (lexoffice's answer does not repeat the id)."""
    status = data["paymentStatus"]
    return Payment(
        document_id=document_id,
        document_type=document_type(data["voucherType"]),
        document_status=document_status(data["voucherStatus"]),
        payment_status=_PAYMENT_STATUSES.get(status, status),
        open_amount=decimal(data.get("openAmount")),
        currency=data.get("currency"),
        paid_at=parse_instant(data.get("paidDate")),
        items=[_item_from(item) for item in data.get("paymentItems") or []],
        raw=dict(data) if include_raw else None,
    )
