"""Bookkeeping vouchers: a sale or purchase booked by its amounts per tax rate, without line items.

A voucher records a sales invoice or credit note issued by another system (a shop, a POS) — or a purchase
invoice entered in the accounting system — as *positions grouped by tax rate*, each booked on a ledger
account, optionally with receipt files attached. Totals are not computed by the accounting system: they must
add up to the items. On create and update the gateway fills in what can be derived: an item's
``tax_amount`` from its amount and rate, and the ``totals`` from the items.

Writes are limited to sales vouchers (lexoffice only lets an API create ``sales_invoice`` and
``sales_credit_note``); purchase vouchers are read-only. Amounts are positive; the type gives the direction.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

import msgspec

from schemas.common import RawJson, Uuid

VoucherNumber = Annotated[str, msgspec.Meta(min_length=1, max_length=255)]
WritableVoucherType = Literal["sales_invoice", "sales_credit_note"]
VoucherType = Literal["sales_invoice", "sales_credit_note", "purchase_invoice", "purchase_credit_note"]
VoucherStatus = Literal[
    "open", "overdue", "paid", "paid_off", "voided", "transferred", "sepa_debit", "unchecked"
]


class VoucherTotals(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A voucher's totals, in the voucher's currency: ``gross`` includes ``tax``."""

    gross: Decimal
    """Sum of the items' gross amounts (item amounts, plus their tax amounts when amounts are net)."""
    tax: Decimal
    """Sum of the items' tax amounts."""


class VoucherItem(msgspec.Struct, kw_only=True):
    """One position of a voucher: the amount booked on one ledger account at one tax rate."""

    amount: Decimal | None = None
    """Gross or net, as the voucher's ``prices_include_tax`` says."""
    tax_amount: Decimal | None = None
    tax_rate: Decimal | None = None
    """Tax rate in percent (``19`` for 19 %)."""
    ledger_account_id: str | None = None
    """The posting category (lexoffice ``categoryId``, see ``/posting-categories``)."""


class Voucher(msgspec.Struct, kw_only=True):
    """A bookkeeping voucher as stored by the accounting system.

    Records of purchase vouchers created in the accounting system from an uploaded receipt may still lack
    data (status ``unchecked``), so most fields can be ``null``.
    """

    id: str
    version: int
    """Revision, increased on every change (send it as ``If-Match`` for a strict update)."""
    type: str | None = None
    """Open enum: ``sales_invoice``, ``sales_credit_note``, ``purchase_invoice``, ``purchase_credit_note``."""
    status: str | None = None
    """Open enum: ``open``, ``paid``, ``paid_off`` (credit note settled), ``voided``, ``transferred``
    (payment sent by online banking), ``sepa_debit`` (will be collected by direct debit), ``unchecked``
    (created from a receipt upload, data still missing). ``null`` where the upstream omits it."""
    number: str | None = None
    """The voucher number (the issuing system's order or invoice reference)."""
    issue_date: date | None = None
    delivery_date: date | None = None
    """Date of delivery or service (the end date of a period); sales vouchers only."""
    due_date: date | None = None
    currency: str = "EUR"
    """ISO 4217 code of every amount of the voucher."""
    prices_include_tax: bool | None = None
    """Whether the item amounts are gross (tax included) or net (tax added on top)."""
    totals: VoucherTotals | None = None
    items: list[VoucherItem] = msgspec.field(default_factory=list)
    contact_id: str | None = None
    """The customer or vendor; ``null`` when the voucher is booked on the collective contact."""
    collective_contact: bool = False
    """Booked on the collective customer/vendor (*Sammelkunde*/*Sammellieferant*) instead of a contact."""
    remark: str | None = None
    attachments: list[str] = msgspec.field(default_factory=list)
    """Ids of the receipt files attached to the voucher (download with ``GET /files/{id}``)."""
    created_at: datetime | None = None
    updated_at: datetime | None = None
    raw: RawJson | None = None


class VoucherItemCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """One position of a new voucher: amount, tax rate and ledger account.

    Amounts have at most two decimals and are not negative. ``tax_rate`` is one of 0, 5, 7, 16, 19 (the
    destination-principle distance-sales ledger accounts also take the destination country's rate).
    """

    amount: Decimal
    """Gross when the voucher's ``prices_include_tax`` is true, else net."""
    tax_rate: Decimal
    """Tax rate in percent (``19`` for 19 %)."""
    ledger_account_id: Uuid
    """The posting category (lexoffice ``categoryId``) — an income category for sales vouchers."""
    tax_amount: Decimal | None = None
    """Omit to have it computed: ``amount × rate / (100 + rate)`` when gross, ``amount × rate / 100`` when
    net, rounded half up to cents."""


class VoucherReceipt(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A receipt file to attach to a new voucher."""

    filename: Annotated[str, msgspec.Meta(min_length=1, max_length=255)]
    media_type: Annotated[str, msgspec.Meta(max_length=100)]
    """``application/pdf``, ``image/jpeg`` or ``image/png``."""
    content: bytes
    """The file, base64-encoded (at most 5 MB decoded)."""


class VoucherCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A new sales voucher.

    Either ``contact_id`` or ``collective_contact: true``. ``totals`` may be omitted (they are computed from
    the items); when given they must equal the computed ones.
    """

    type: WritableVoucherType
    number: VoucherNumber
    """The voucher number (e.g. the shop's order number)."""
    issue_date: date
    prices_include_tax: bool
    """Whether the item amounts are gross (tax included) or net (tax added on top)."""
    items: Annotated[list[VoucherItemCreate], msgspec.Meta(min_length=1)]
    """One position per ledger account and tax rate."""
    delivery_date: date | None = None
    """Date of delivery or service (the end date of a period)."""
    due_date: date | None = None
    """Defaults to ``issue_date``."""
    currency: Literal["EUR"] = "EUR"
    totals: VoucherTotals | None = None
    contact_id: Uuid | None = None
    """The customer (it must have the customer role); required unless ``collective_contact``."""
    collective_contact: bool = False
    """Book on the collective customer (*Sammelkunde*) instead of a contact."""
    remark: str | None = None
    """Free text; part of the accounting system's full-text search."""
    attachments: list[Uuid] | None = None
    """Ids of uploaded receipt files (``POST /files``) not yet attached to any voucher."""
    receipts: Annotated[list[VoucherReceipt], msgspec.Meta(max_length=20)] = msgspec.field(
        default_factory=list
    )
    """Receipt files uploaded and attached in the same call (one operation: a retry with the same
    ``Idempotency-Key`` resumes it, never doubling the voucher or a file)."""
    raw: RawJson | None = None


class VoucherUpdate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Changes to a sales voucher; absent fields stay as they are, ``null`` clears.

    ``items`` and ``prices_include_tax`` go together: send both to change either (``totals`` are then
    recomputed, or checked when sent). ``contact_id`` switches to that contact, ``collective_contact: true``
    to the collective contact.

    ``attachments`` **replaces** the list of receipt files: files left out are deleted permanently in the
    accounting system. Leave it out to keep the files as they are.
    """

    type: WritableVoucherType | msgspec.UnsetType = msgspec.UNSET
    number: VoucherNumber | msgspec.UnsetType = msgspec.UNSET
    issue_date: date | msgspec.UnsetType = msgspec.UNSET
    delivery_date: date | msgspec.UnsetType | None = msgspec.UNSET
    due_date: date | msgspec.UnsetType | None = msgspec.UNSET
    """``null`` resets it to the issue date."""
    prices_include_tax: bool | msgspec.UnsetType = msgspec.UNSET
    items: Annotated[list[VoucherItemCreate], msgspec.Meta(min_length=1)] | msgspec.UnsetType = msgspec.UNSET
    totals: VoucherTotals | msgspec.UnsetType = msgspec.UNSET
    contact_id: Uuid | msgspec.UnsetType = msgspec.UNSET
    collective_contact: bool | msgspec.UnsetType = msgspec.UNSET
    """Only ``true`` (to switch to the collective contact); set ``contact_id`` to switch back."""
    remark: str | msgspec.UnsetType | None = msgspec.UNSET
    attachments: list[Uuid] | msgspec.UnsetType = msgspec.UNSET
    """The complete new list of file ids: ids left out are **deleted permanently**; ``[]`` deletes all."""
    raw: RawJson | msgspec.UnsetType = msgspec.UNSET


class VoucherSummary(msgspec.Struct, kw_only=True):
    """One entry of the voucher list: a voucher's key data, without items."""

    id: str
    type: str | None = None
    """Open enum: the voucher types, plus the sales documents the list also shows (``invoice``,
    ``credit_note``, ``down_payment_invoice``, ``order_confirmation``, ``quotation``, ``delivery_note``)."""
    status: str | None = None
    """Open enum: the voucher statuses plus ``draft``, ``overdue`` (open, due date passed), ``accepted``
    and ``rejected`` (quotations)."""
    number: str | None = None
    issue_date: date | None = None
    due_date: date | None = None
    contact_id: str | None = None
    """``null`` for the collective contact."""
    contact_name: str | None = None
    total_amount: Decimal | None = None
    """The gross total."""
    open_amount: Decimal | None = None
    """What remains to be paid; ``null`` where not applicable (drafts, documents that are not invoices)."""
    currency: str = "EUR"
    archived: bool = False
    created_at: datetime | None = None
    updated_at: datetime | None = None
    """Also moves on status changes (e.g. when paid)."""
    raw: RawJson | None = None


class VoucherFilter(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Filters of the voucher list; all given filters must match."""

    type: list[VoucherType] | None = None
    """Any of these types (default: all four voucher types)."""
    status: list[VoucherStatus] | None = None
    """Any of these statuses (default: any); ``open`` includes ``overdue``."""
    contact_id: Uuid | None = None
    number: VoucherNumber | None = None
    """Exactly this voucher number."""
    issued_from: date | None = None
    """Issued on or after this day."""
    issued_to: date | None = None
    """Issued on or before this day."""
    updated_since: Annotated[datetime, msgspec.Meta(tz=True)] | None = None
    """Changed at or after this instant (status changes count)."""
