"""The sales voucher document chain: which voucher may follow which (``precedingSalesVoucherId``), and
what following does to both vouchers.

lexoffice documents the chain only as a diagram that is not part of the text; :data:`CHAIN` is the
sandbox's table of it. A pursue that is not in the table, or from a voucher in another status, is a 406
on ``precedingSalesVoucherId``. Both vouchers list each other in ``relatedVouchers``; the preceding one
is changed (version, ``<prefix>.changed``) and, per rule, marked (a quotation becomes ``accepted``) or
paid (a finalized credit note settles its invoice).

Closing invoices (Schlussrechnungen) are made in the app from finalized down payment invoices of the
same contact (:func:`down_payments`): each becomes a ``downPaymentDeductions`` entry of the invoice and
gets the invoice's id as ``closingInvoiceId``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from . import payments
from .clock import format_timestamp
from .errors import ApiError, missing, validation_error
from .sales_rules import DocumentKind
from .state import Organization, Record


@dataclass(frozen=True)
class PursueRule:
    """A voucher may follow a preceding voucher that is in one of ``statuses``."""

    statuses: tuple[str, ...]
    exclusive: bool = False  # at most one (not voided) follower of this kind per preceding voucher
    settles: bool = False  # finalized, the follower is paid off at once and pays the preceding voucher
    marks: str | None = None  # the status an ``open`` preceding voucher takes when it is pursued


_OFFER = ("open", "accepted")  # a finalized quotation the customer has not rejected
_BILLED = ("open", "paid")

# (preceding voucherType, following voucherType) -> rule. Down payment invoices follow only in the app
# (the control surface); closing invoices are not pursued but made from down payment invoices.
CHAIN: dict[tuple[str, str], PursueRule] = {
    ("quotation", "orderconfirmation"): PursueRule(_OFFER, marks="accepted"),
    ("quotation", "invoice"): PursueRule(_OFFER, marks="accepted"),
    ("quotation", "downpaymentinvoice"): PursueRule(_OFFER, marks="accepted"),
    ("orderconfirmation", "invoice"): PursueRule(("draft",)),
    ("orderconfirmation", "deliverynote"): PursueRule(("draft",)),
    ("orderconfirmation", "downpaymentinvoice"): PursueRule(("draft",)),
    ("invoice", "deliverynote"): PursueRule(_BILLED),
    ("invoice", "creditnote"): PursueRule(_BILLED, exclusive=True, settles=True),
    ("invoice", "dunning"): PursueRule(("open",)),  # open includes overdue
    ("downpaymentinvoice", "dunning"): PursueRule(("open",)),
}


def sources(voucher_type: str) -> dict[str, PursueRule]:
    """The voucher types a voucher of ``voucher_type`` may follow, with their rules."""
    return {source: rule for (source, target), rule in CHAIN.items() if target == voucher_type}


class Preceding(NamedTuple):
    kind: DocumentKind
    record: Record
    rule: PursueRule


def reference(kind: DocumentKind, record: Record) -> Record:
    """An entry of ``relatedVouchers``."""
    return {
        "id": record["id"],
        "voucherNumber": record.get("voucherNumber"),
        "voucherType": kind.voucher_type,
    }


def _invalid(message: str) -> ApiError:
    return validation_error("precedingSalesVoucherId", message)


def _followers(org: Organization, source: Record, kind: DocumentKind) -> list[Record]:
    """The not voided vouchers of ``kind`` that follow ``source``."""
    related = (
        org.get(kind.collection, ref["id"])
        for ref in source["relatedVouchers"]
        if ref["voucherType"] == kind.voucher_type
    )
    return [record for record in related if record is not None and record["voucherStatus"] != "voided"]


def find(
    org: Organization, kind: DocumentKind, preceding_id: str | None, kinds: Mapping[str, DocumentKind]
) -> Preceding | None:
    """The voucher a request pursues, if the pursue is valid (406 otherwise); ``kinds`` by voucherType."""
    if preceding_id is None:
        if kind.bound:
            raise missing("precedingSalesVoucherId")
        return None
    for voucher_type, rule in sources(kind.voucher_type).items():
        source_kind = kinds[voucher_type]
        source = org.get(source_kind.collection, preceding_id)
        if source is None:
            continue
        if source["voucherStatus"] not in rule.statuses:
            raise _invalid(f"a {source['voucherStatus']} {source_kind.noun.lower()} cannot be pursued")
        if rule.exclusive and _followers(org, source, kind):
            raise _invalid(f"the {source_kind.noun.lower()} already has a {kind.noun.lower()}")
        return Preceding(source_kind, source, rule)
    raise _invalid(f"no voucher {preceding_id} that a {kind.noun.lower()} can be pursued from")


def _tax_key(conditions: Mapping[str, Any]) -> tuple[Any, Any]:
    return conditions["taxType"], conditions.get("taxSubType")


def check_bound(kind: DocumentKind, preceding: Preceding | None, data: Mapping[str, Any]) -> None:
    """A bound voucher (dunning) has the contact and the tax conditions of its preceding voucher."""
    if not kind.bound or preceding is None:
        return
    source = preceding.record
    theirs = source["address"].get("contactId")
    ours = data["address"].get("contactId")
    if ours != theirs:
        contact = theirs or "none (collective customer)"
        raise validation_error(
            "address.contactId", f"must be the contact of the {preceding.kind.noun.lower()}: {contact}"
        )
    if _tax_key(data["taxConditions"]) != _tax_key(source["taxConditions"]):
        raise validation_error(
            "taxConditions", f"must match the tax conditions of the {preceding.kind.noun.lower()}"
        )


def follow(org: Organization, kind: DocumentKind, record: Record, preceding: Preceding) -> None:
    """The effects of a pursue on the preceding voucher: relation, mark, and (settling kinds) payment."""
    source_kind, source, rule = preceding
    source["relatedVouchers"].append(reference(kind, record))
    events = [f"{source_kind.prefix}.changed"]
    if rule.marks and source["voucherStatus"] == "open":
        source["voucherStatus"] = rule.marks
        events.append(f"{source_kind.prefix}.status.changed")
    if rule.settles and record["voucherStatus"] != "draft":
        gross = Decimal(record["totalPrice"]["totalGrossAmount"])
        posted = format_timestamp(org.clock.now())
        org.payment_items[record["id"]] = [payments.payment_item("partPaymentCreditNote", gross, posted)]
        applied = min(gross, payments.open_amount(org, source) or Decimal(0))
        if applied > 0:
            item = payments.payment_item("partPaymentCreditNote", applied, posted)
            events += payments.record_payment(org, source_kind.collection, source, item)
    org.touch(source, *events)


# --- closing invoices -----------------------------------------------------------------------------

_CLOSABLE = ("open", "paid")


def down_payments(
    org: Organization, kind: DocumentKind, ids: Iterable[str], contact_id: str | None
) -> list[Record]:
    """The down payment invoices a closing invoice deducts: finalized, not voided, not closed yet, of the
    invoice's contact (406 on ``downPaymentInvoiceIds`` otherwise)."""
    found: dict[str, Record] = {}
    for index, voucher_id in enumerate(ids):
        field = f"downPaymentInvoiceIds[{index}]"
        record = org.get(kind.collection, voucher_id)
        if record is None or voucher_id in found:
            raise validation_error(field, f"no (other) {kind.noun.lower()} {voucher_id}")
        if record["voucherStatus"] not in _CLOSABLE:
            raise validation_error(
                field, f"a {record['voucherStatus']} {kind.noun.lower()} cannot be deducted"
            )
        if record["closingInvoiceId"] is not None:
            raise validation_error(
                field, f"already deducted by the closing invoice {record['closingInvoiceId']}"
            )
        if record["address"].get("contactId") != contact_id:
            raise validation_error(field, "must be addressed to the contact of the closing invoice")
        found[voucher_id] = record
    if not found:
        raise missing("downPaymentInvoiceIds")
    return list(found.values())


def deduction(down_payment: Record) -> Record:
    """A ``downPaymentDeductions`` entry: the down payment invoice's amounts (it has one line item)."""
    total = down_payment["totalPrice"]
    return {
        "id": down_payment["id"],
        "voucherType": "downpaymentinvoice",
        "title": down_payment["title"],
        "voucherNumber": down_payment.get("voucherNumber"),
        "voucherDate": down_payment["voucherDate"],
        "receivedGrossAmount": total["totalGrossAmount"],
        "receivedNetAmount": total["totalNetAmount"],
        "receivedTaxAmount": total["totalTaxAmount"],
        "taxRatePercentage": down_payment["lineItems"][0]["unitPrice"]["taxRatePercentage"],
    }


def close(
    org: Organization, kind: DocumentKind, invoice: Record, dpi_kind: DocumentKind, deducted: list[Record]
) -> None:
    """The closing invoice ``invoice`` (of ``kind``) now deducts the down payment invoices."""
    for down_payment in deducted:
        down_payment["closingInvoiceId"] = invoice["id"]
        down_payment["relatedVouchers"].append(reference(kind, invoice))
        org.touch(down_payment, f"{dpi_kind.prefix}.changed")
