"""The lexoffice credit note crediting an invoice fully or partly (pure: invoice JSON in, POST body out)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from schemas.problem import FieldError
from schemas.sales import CreditNoteFromInvoice

from .common import local_midnight, without_none

_LINE_MEMBERS = ("id", "type", "name", "description", "quantity", "unitName", "discountPercentage")
_DEFAULT_TITLE = "Rechnungskorrektur"


def _credited_line(item: dict[str, Any], quantity: Decimal | None, gross: bool) -> dict[str, Any]:
    line = {member: item.get(member) for member in _LINE_MEMBERS}
    if quantity is not None:
        line["quantity"] = quantity
    price = item.get("unitPrice")
    if price is not None:
        amount = "grossAmount" if gross else "netAmount"
        line["unitPrice"] = {
            "currency": price.get("currency"),
            amount: price.get(amount),
            "taxRatePercentage": price.get("taxRatePercentage"),
        }
    return without_none(line)


def credit_line_errors(invoice: dict[str, Any], request: CreditNoteFromInvoice) -> list[FieldError]:
    """Why the requested lines cannot be credited (an index the invoice lacks, too much quantity, twice)."""
    items = invoice.get("lineItems") or []
    errors, seen = [], set()
    for position, line in enumerate(request.lines or ()):
        field = f"lines[{position}]"
        if line.index >= len(items):
            errors.append(FieldError(f"{field}.index", f"the invoice has {len(items)} lines (0-based)"))
            continue
        if line.index in seen:
            errors.append(FieldError(f"{field}.index", "is credited twice"))
        seen.add(line.index)
        available = items[line.index].get("quantity")
        if line.quantity is not None and available is not None and line.quantity > Decimal(str(available)):
            errors.append(FieldError(f"{field}.quantity", f"is more than the invoiced {available}"))
    return errors


def credit_note_from_invoice(
    invoice: dict[str, Any], request: CreditNoteFromInvoice, today: date
) -> dict[str, Any]:
    """The ``POST /v1/credit-notes`` body crediting ``invoice`` (check :func:`credit_line_errors` first):
    its addressee, currency and tax conditions, and the credited lines at the invoice's prices."""
    items = invoice.get("lineItems") or []
    taxes = invoice.get("taxConditions") or {}
    gross = taxes.get("taxType") == "gross"
    if request.lines is None:
        lines = [_credited_line(item, None, gross) for item in items]
    else:
        lines = [_credited_line(items[line.index], line.quantity, gross) for line in request.lines]
    address = invoice.get("address") or {}
    return without_none(
        {
            "voucherDate": local_midnight(request.issue_date or today),
            "address": {"contactId": address["contactId"]} if address.get("contactId") else address,
            "lineItems": lines,
            "totalPrice": {"currency": (invoice.get("totalPrice") or {}).get("currency", "EUR")},
            "taxConditions": without_none(
                {key: taxes.get(key) for key in ("taxType", "taxSubType", "taxTypeNote")}
            ),
            "title": request.title or _DEFAULT_TITLE,
            "introduction": request.introduction,
            "remark": request.remark,
        }
    )
