"""Payments of a document: what is still open and the payments booked against it (read-only).

Payments are recorded in the accounting system itself (bank matching, cash box, manual entry); the API
reads them per document. Amounts are positive; the direction follows from ``document_type``.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import msgspec

from schemas.common import RawJson


class PaymentItem(msgspec.Struct, kw_only=True):
    """One payment (or deduction) booked against the document."""

    type: str
    """``financial_transaction`` (bank), ``credit_note``, ``cash_box``, ``manual_payment`` (e.g. private
    deposit), ``cash_discount`` (Skonto), ``dunning_costs`` or ``currency_conversion``."""
    amount: Decimal | None = None
    currency: str | None = None
    posting_date: date | None = None


class Payment(msgspec.Struct, kw_only=True):
    """The payment state of one document."""

    document_id: str
    document_type: str
    """``invoice``, ``credit_note``, ``down_payment_invoice`` (sales documents) or a bookkeeping voucher:
    ``sales_invoice``, ``sales_credit_note``, ``purchase_invoice``, ``purchase_credit_note``."""
    document_status: str
    """``open``, ``paid``, ``paid_off`` (credit notes), ``voided``, ``transferred`` or ``sepa_debit``."""
    payment_status: str
    """``open`` (an amount is still open) or ``balanced`` (nothing open: paid, paid off or voided)."""
    open_amount: Decimal | None = None
    currency: str | None = None
    paid_at: datetime | None = None
    """When the last payment settled the document (paid documents only)."""
    items: list[PaymentItem] = msgspec.field(default_factory=list)
    raw: RawJson | None = None
