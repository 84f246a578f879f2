"""Payments of invoices, down payment invoices, credit notes and bookkeeping vouchers.

``GET /v1/payments/{voucherId}`` computes the payment state from the voucher and the payment items the
"user in the app" recorded (``org.payment_items``). The control routes under ``/_sandbox/`` are that
user: record a payment (a voucher whose open amount reaches 0 becomes ``paid``/``paidoff``), void a
voucher, revert a sales voucher to draft. Every change bumps the voucher's version and fires the
documented events (``payment.changed``, ``<prefix>.status.changed``).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import msgspec
from litestar import Request, Response, get, post
from litestar.params import FromPath

from .amounts import quantize2
from .clock import format_timestamp, parse_timestamp
from .errors import ApiError, Detail, not_found
from .state import Organization, Record
from .web import json_body, json_response, organization, sandbox_state, validate

CURRENCY = "EUR"
PAYMENT_ITEM_TYPES = frozenset(
    {
        "partPaymentFinancialTransaction",
        "partPaymentCreditNote",
        "partPaymentCashBox",
        "manualPayment",
        "cashDiscount",
        "dunningCosts",
        "currencyConversion",
    }
)
CREDIT_NOTE_TYPES = frozenset({"creditnote", "salescreditnote", "purchasecreditnote"})
EXPENSE_TYPES = frozenset({"purchaseinvoice", "purchasecreditnote"})
PAID_STATUSES = frozenset({"paid", "paidoff"})
CLOSED_STATUSES = PAID_STATUSES | {"voided"}  # nothing is open any more


@dataclass(frozen=True)
class Payable:
    """A collection whose records carry payments."""

    prefix: str  # event prefix (``<prefix>.status.changed``)
    voucher_type: str | None  # None: the record's own ``type`` (bookkeeping vouchers)
    revertible: bool  # the user can turn an open voucher back into a draft


# sales kinds here must match their row of sales.KINDS (prefix, voucherType); sales imports this module
# (a pursued credit note pays its invoice), so the table cannot be derived from KINDS without a cycle
PAYABLE: dict[str, Payable] = {
    "invoices": Payable("invoice", "invoice", revertible=True),
    "down-payment-invoices": Payable("down-payment-invoice", "downpaymentinvoice", revertible=True),
    "credit-notes": Payable("credit-note", "creditnote", revertible=True),
    "vouchers": Payable("voucher", None, revertible=False),
}


def find(org: Organization, voucher_id: str) -> tuple[str, Record] | None:
    """The payable record with this id and its collection."""
    for collection in PAYABLE:
        record = org.get(collection, voucher_id)
        if record is not None:
            return collection, record
    return None


def voucher_type(collection: str, record: Record) -> str:
    return PAYABLE[collection].voucher_type or str(record["type"])


def settled_status(voucher_type_: str) -> str:
    """The status a voucher of this type takes when nothing is left to pay."""
    return "paidoff" if voucher_type_ in CREDIT_NOTE_TYPES else "paid"


def _gross(record: Record) -> Decimal:
    """What the voucher claims: a closing invoice claims its total minus the deducted down payments."""
    if "totalPrice" not in record:
        return Decimal(record["totalGrossAmount"])
    return Decimal(record.get("claimedGrossAmount", record["totalPrice"]["totalGrossAmount"]))


def open_amount(org: Organization, record: Record) -> Decimal | None:
    """What is left to pay (positive for revenues and expenses); ``None`` for drafts and records that
    carry no payments. Paid and voided vouchers have nothing open."""
    if record.get("voucherStatus") == "draft" or find(org, record["id"]) is None:
        return None
    if record["voucherStatus"] in CLOSED_STATUSES:
        return quantize2(0)
    paid = sum((Decimal(item["amount"]) for item in org.payment_items.get(record["id"], [])), Decimal(0))
    return quantize2(max(_gross(record) - paid, Decimal(0)))


def payment_item(item_type: str, amount: Decimal, posting_date: str) -> Record:
    return {"paymentItemType": item_type, "postingDate": posting_date, "amount": amount, "currency": CURRENCY}


def record_payment(org: Organization, collection: str, record: Record, item: Record) -> list[str]:
    """Add a payment item; a voucher with nothing left open becomes paid. Returns the events to fire
    (the caller bumps the version with ``org.touch``)."""
    org.payment_items.setdefault(record["id"], []).append(item)
    events = ["payment.changed"]
    if open_amount(org, record) == 0:
        record["voucherStatus"] = settled_status(voucher_type(collection, record))
        events.append(f"{PAYABLE[collection].prefix}.status.changed")
    return events


def payment_state(org: Organization, collection: str, record: Record) -> Record:
    """The ``GET /v1/payments/{voucherId}`` body."""
    amount = open_amount(org, record)
    if amount is None:
        message = "Payments of draft vouchers are not available"
        raise ApiError(406, message, [Detail("INVALID", "voucherStatus", message)])
    type_ = voucher_type(collection, record)
    items = org.payment_items.get(record["id"], [])
    body: Record = {
        "openAmount": amount,
        "currency": CURRENCY,
        "paymentStatus": "balanced"
        if amount == 0
        else ("openExpense" if type_ in EXPENSE_TYPES else "openRevenue"),
        "voucherType": type_,
        "voucherStatus": record["voucherStatus"],
    }
    if record["voucherStatus"] in PAID_STATUSES:
        dates = [item["postingDate"] for item in items]
        body["paidDate"] = max(dates, key=parse_timestamp) if dates else record["updatedDate"]
    body["paymentItems"] = items
    return body


@get("/v1/payments/{voucher_id:str}", sync_to_thread=False)
def get_payments(request: Request[Any, Any, Any], voucher_id: FromPath[str]) -> Response[bytes]:
    org = organization(request)
    found = find(org, voucher_id)
    if found is None:
        raise not_found("Voucher")
    return json_response(payment_state(org, *found))


# --- control surface: the lexoffice user ------------------------------------------------------------


class NewPayment(msgspec.Struct, forbid_unknown_fields=True):
    amount: Any
    paymentItemType: str = "partPaymentFinancialTransaction"
    postingDate: str | None = None


def _voucher(
    request: Request[Any, Any, Any], organization_id: str, voucher_id: str
) -> tuple[Organization, str, Record]:
    org = sandbox_state(request).organizations.get(organization_id)
    if org is None:
        raise ApiError(404, f"no organization {organization_id}")
    found = find(org, voucher_id)
    if found is None:
        raise ApiError(404, f"no invoice, down payment invoice, credit note or voucher {voucher_id}")
    return org, *found


def _amount(value: Any, open_: Decimal) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise ApiError(400, "amount must be a number")
    amount = Decimal(value)
    if amount <= 0 or amount != quantize2(amount):
        raise ApiError(400, "amount must be positive with at most 2 decimals")
    if amount > open_:
        raise ApiError(400, f"amount {amount} exceeds the open amount {open_}")
    return amount


def _posting_date(value: str | None, org: Organization) -> str:
    if value is None:
        return format_timestamp(org.clock.now())
    try:
        parse_timestamp(value)
    except ValueError as exc:
        raise ApiError(400, f"postingDate {exc}") from None
    return value


_PREFIX = "/_sandbox/organizations/{organization_id:str}/vouchers/{voucher_id:str}"


@post(f"{_PREFIX}/payments")
async def add_payment(
    request: Request[Any, Any, Any], organization_id: FromPath[str], voucher_id: FromPath[str]
) -> Response[bytes]:
    """Record a payment (bank transaction, cash, Skonto ...) the way a user assigns one in lexoffice."""
    spec = validate(await json_body(request), NewPayment)
    org, collection, record = _voucher(request, organization_id, voucher_id)
    open_ = open_amount(org, record)
    if open_ is None or record["voucherStatus"] in CLOSED_STATUSES:
        raise ApiError(409, f"a {record['voucherStatus']} voucher takes no payments")
    if spec.paymentItemType not in PAYMENT_ITEM_TYPES:
        raise ApiError(400, f"paymentItemType must be one of {sorted(PAYMENT_ITEM_TYPES)}")
    item = payment_item(
        spec.paymentItemType, _amount(spec.amount, open_), _posting_date(spec.postingDate, org)
    )
    org.touch(record, *record_payment(org, collection, record, item))
    return json_response(payment_state(org, collection, record), 201)


def _change_status(org: Organization, collection: str, record: Record, status: str) -> Response[bytes]:
    record["voucherStatus"] = status
    org.touch(record, "payment.changed", f"{PAYABLE[collection].prefix}.status.changed")
    return json_response(record)


@post(f"{_PREFIX}/void")
async def void_voucher(
    request: Request[Any, Any, Any], organization_id: FromPath[str], voucher_id: FromPath[str]
) -> Response[bytes]:
    """Cancel a finalized voucher; it then counts as balanced with nothing open."""
    org, collection, record = _voucher(request, organization_id, voucher_id)
    if record["voucherStatus"] in ("draft", "voided"):
        raise ApiError(409, f"a {record['voucherStatus']} voucher cannot be voided")
    return _change_status(org, collection, record, "voided")


@post(f"{_PREFIX}/revert-to-draft")
async def revert_to_draft(
    request: Request[Any, Any, Any], organization_id: FromPath[str], voucher_id: FromPath[str]
) -> Response[bytes]:
    """Turn an open (down payment) invoice or credit note without payments back into a draft (fires
    ``payment.changed``)."""
    org, collection, record = _voucher(request, organization_id, voucher_id)
    if not PAYABLE[collection].revertible:
        raise ApiError(409, "only sales vouchers can be reverted to draft")
    if record["voucherStatus"] != "open" or org.payment_items.get(record["id"]):
        raise ApiError(409, "only an open voucher without payments can be reverted to draft")
    return _change_status(org, collection, record, "draft")


ROUTES = [get_payments, add_payment, void_voucher, revert_to_draft]
