"""Sales documents: invoices, credit notes, quotes, sales orders, delivery notes, dunnings, down payment
invoices (read-only) and recurring invoices (read-only templates).

Every kind shares one shape: :class:`SalesDocument` (responses), :class:`SalesDocumentCreate` (requests) and
:class:`SalesDocumentSummary` (list items). A kind adds only what is its own, as a small subclass
(:class:`Invoice`, :class:`InvoiceCreate`, ...). Totals, tax breakdown and line amounts are computed by the
accounting system, never sent. Sales documents cannot be edited after creation (no update request).

Vocabulary (response values are open: new upstream values pass through):

* ``type``: ``invoice``, ``credit_note``, ``quote``, ``sales_order``, ``delivery_note``, ``dunning``,
  ``down_payment_invoice``, ``recurring_invoice`` (related documents may also show ``sales_invoice``,
  ``sales_credit_note``, ``purchase_invoice``, ``purchase_credit_note``).
* ``status``: ``draft``, ``open``, ``paid`` (invoices), ``paid_off`` (credit notes), ``voided``; lists may
  also show ``transferred`` and ``sepa_debit`` (payment initiated, not yet booked). Quotes: ``draft``,
  ``open``, ``accepted``, ``rejected``; sales orders, delivery notes and dunnings are always ``draft`` (they
  are numbered at once). Recurring invoices (templates): ``active``, ``paused``, ``ended``.
* ``tax_mode``: ``net`` (prices exclude VAT), ``gross`` (prices include VAT) or a VAT-free mode:
  ``vat_free``, ``intra_community_supply``, ``construction_service_13b``, ``external_service_13b``,
  ``third_party_country_service``, ``third_party_country_delivery``, ``photovoltaic_equipment``.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Literal

import msgspec

from schemas.common import Address, CountryCode, RawJson, Text, Uuid

SalesDocumentType = Literal[
    "invoice",
    "credit_note",
    "quote",
    "sales_order",
    "delivery_note",
    "dunning",
    "down_payment_invoice",
    "recurring_invoice",
]
SalesDocumentStatus = Literal[
    "draft", "open", "paid", "paid_off", "voided", "accepted", "rejected", "active", "paused", "ended"
]
TaxMode = Literal[
    "net",
    "gross",
    "vat_free",
    "intra_community_supply",
    "construction_service_13b",
    "external_service_13b",
    "third_party_country_service",
    "third_party_country_delivery",
    "photovoltaic_equipment",
]
TaxSubType = Literal["distance_sales", "electronic_services"]
LineItemType = Literal["custom", "service", "material", "text"]
DeliveryType = Literal["service", "service_period", "delivery", "delivery_period", "none"]
Language = Literal["de", "en"]
Currency = Literal["EUR"]

Days = Annotated[int, msgspec.Meta(ge=0)]
_Date = date  # for annotations after a field named ``date``
# msgspec has no numeric constraints on Decimal: these are checked in ``__post_init__`` (a 422 on decode).
Percentage = Annotated[Decimal, msgspec.Meta(description="0..100, at most 2 decimals")]
Quantity = Annotated[Decimal, msgspec.Meta(description="≥ 0, at most 4 decimals")]

# --- responses --------------------------------------------------------------------------------------


class UnitPrice(msgspec.Struct, kw_only=True):
    """The price of one unit: both net and gross (the accounting system derives the one not sent)."""

    currency: str
    net: Decimal | None = None
    gross: Decimal | None = None
    tax_rate: Decimal | None = None
    """VAT rate in percent (``19``, ``7``, ``0``)."""


class LineItem(msgspec.Struct, kw_only=True):
    """One position of a sales document."""

    type: str
    """``custom``, ``service``, ``material`` (priced; service/material may name a product) or ``text``."""
    product_id: str | None = None
    """The referenced product/service of the accounting system, if any."""
    name: str | None = None
    description: str | None = None
    quantity: Decimal | None = None
    unit_name: str | None = None
    unit_price: UnitPrice | None = None
    discount_percentage: Decimal | None = None
    amount: Decimal | None = None
    """quantity × unit price − discount: gross when the document's ``prices_include_tax``, else net."""
    currency: str | None = None
    """Currency of ``amount`` (``null`` for text items)."""


class Totals(msgspec.Struct, kw_only=True):
    """The document's totals, computed by the accounting system."""

    currency: str
    net: Decimal | None = None
    tax: Decimal | None = None
    gross: Decimal | None = None
    discount_absolute: Decimal | None = None
    """Discount on the whole document, as an amount (net or gross by tax mode)."""
    discount_percentage: Decimal | None = None
    """Discount on the whole document, in percent of the net or gross sum (by tax mode)."""


class TaxBreakdown(msgspec.Struct, kw_only=True):
    """Net amount and VAT of one tax rate."""

    currency: str
    rate: Decimal
    net: Decimal | None = None
    tax: Decimal | None = None


class CashDiscount(msgspec.Struct, kw_only=True):
    """Early-payment discount (Skonto): ``percentage`` off when paid within ``days``."""

    percentage: Decimal
    days: int


class PaymentTerms(msgspec.Struct, kw_only=True):
    """When and how the document is to be paid."""

    label: str | None = None
    """The printed payment terms (e.g. "10 Tage - 3 %, 30 Tage netto")."""
    label_template: str | None = None
    """The label's template with ``{discountRange}``, ``{discount}``, ``{paymentRange}`` placeholders."""
    due_days: int | None = None
    """Days from the issue date until payment is due."""
    discount: CashDiscount | None = None


class Delivery(msgspec.Struct, kw_only=True):
    """When the goods were delivered or the service was rendered."""

    type: str
    """``service``, ``service_period``, ``delivery``, ``delivery_period`` or ``none``."""
    date: date | None = None
    end_date: _Date | None = None
    """Last day of a ``service_period`` / ``delivery_period``."""


class RelatedDocument(msgspec.Struct, kw_only=True):
    """Another document of the same chain (e.g. the invoice a credit note corrects)."""

    id: str
    type: str
    number: str | None = None


class SalesDocument(msgspec.Struct, kw_only=True):
    """A sales document as stored by the accounting system; each kind is a subclass."""

    id: str
    type: str
    """``invoice``, ``credit_note``, ``quote``, ... (see the module description)."""
    version: int
    status: str
    """``draft``, ``open``, ``paid`` (invoices), ``paid_off`` (credit notes) or ``voided``."""
    number: str | None = None
    """The document number; assigned when the document is finalized."""
    issue_date: date | None = None
    due_date: date | None = None
    currency: str | None = None
    contact_id: str | None = None
    """The contact the document is addressed to; ``null`` for a one-time address."""
    contact_person: str | None = None
    address: Address | None = None
    line_items: list[LineItem] = msgspec.field(default_factory=list)
    tax_mode: str | None = None
    """``net``, ``gross`` or a VAT-free mode (see the module description)."""
    tax_sub_type: str | None = None
    """``distance_sales`` or ``electronic_services`` for B2C sales into other EU countries."""
    tax_note: str | None = None
    """The printed reason for a VAT-free mode."""
    prices_include_tax: bool = False
    """Whether unit prices and line ``amount`` are gross (tax mode ``gross``)."""
    totals: Totals | None = None
    tax_breakdown: list[TaxBreakdown] = msgspec.field(default_factory=list)
    payment_terms: PaymentTerms | None = None
    delivery: Delivery | None = None
    title: str | None = None
    introduction: str | None = None
    remark: str | None = None
    language: str | None = None
    related_documents: list[RelatedDocument] = msgspec.field(default_factory=list)
    preceding_document_id: str | None = None
    """The document this one was created from (e.g. the invoice of a credit note)."""
    document_file_id: str | None = None
    """The rendered PDF, once there is one (download through the files API)."""
    archived: bool = False
    created_at: datetime | None = None
    updated_at: datetime | None = None
    raw: RawJson | None = None


class DownPaymentDeduction(msgspec.Struct, kw_only=True):
    """A down payment invoice deducted in a closing invoice."""

    id: str
    type: str
    title: str | None = None
    number: str | None = None
    issue_date: date | None = None
    currency: str
    received_gross: Decimal | None = None
    received_net: Decimal | None = None
    received_tax: Decimal | None = None
    tax_rate: Decimal | None = None


class Invoice(SalesDocument, kw_only=True):
    """A sales invoice."""

    xrechnung_buyer_reference: str | None = None
    """The XRechnung buyer reference (Leitweg-ID) of an e-invoice."""
    closing_invoice: bool = False
    """A closing invoice (Schlussrechnung) deducting down payment invoices; read-only in the API."""
    claimed_gross_amount: Decimal | None = None
    """Of a closing invoice: the gross amount still claimed after the deductions (document currency)."""
    down_payment_deductions: list[DownPaymentDeduction] = msgspec.field(default_factory=list)
    recurring_template_id: str | None = None
    """The recurring invoice template that generated this invoice."""


class CreditNote(SalesDocument, kw_only=True):
    """A sales credit note (amounts are positive; the type conveys the direction)."""


class Quote(SalesDocument, kw_only=True):
    """A quote (lexoffice: quotation): ``draft``, ``open`` when finalized, then ``accepted`` (once converted
    into a sales order or invoice) or ``rejected``."""

    expiration_date: date | None = None
    """Until when the offer stands."""


class SalesOrder(SalesDocument, kw_only=True):
    """A sales order (lexoffice: order confirmation); numbered at once, always ``draft``."""

    delivery_terms: str | None = None
    """The printed delivery terms."""


class DeliveryNote(SalesDocument, kw_only=True):
    """A delivery note: line items without amounts (no totals); numbered at once, always ``draft``."""

    delivery_terms: str | None = None
    """The printed delivery terms."""


class Dunning(SalesDocument, kw_only=True):
    """A dunning (payment reminder) of an open invoice (``preceding_document_id``); always ``draft``."""


class DownPaymentInvoice(SalesDocument, kw_only=True):
    """A down payment invoice (Abschlagsrechnung); made in the lexoffice app, read-only in the API."""

    closing_invoice_id: str | None = None
    """The closing invoice that deducts this down payment, once there is one."""


class RecurringSchedule(msgspec.Struct, kw_only=True):
    """When a recurring invoice template creates its invoices."""

    interval: str
    """``weekly``, ``biweekly``, ``monthly``, ``quarterly``, ``biannually`` or ``annually``."""
    start_date: date | None = None
    end_date: _Date | None = None
    next_execution_date: _Date | None = None
    finalize: bool = False
    """Whether the created invoices are finalized at once."""
    delivery_type: str | None = None
    """The delivery type of the created invoices (dates are their execution period)."""
    last_execution_failed: bool = False
    last_execution_error: str | None = None


class RecurringInvoice(SalesDocument, kw_only=True):
    """A recurring invoice template (lexoffice: recurring template), read-only in the API.

    Not a document: it has no number, issue date, due date or payment state. ``status`` is the schedule's
    (``active``, ``paused``, ``ended``); the invoices it creates carry its id as ``recurring_template_id``.
    """

    schedule: RecurringSchedule | None = None


class SalesDocumentSummary(msgspec.Struct, kw_only=True):
    """A sales document in a list: its metadata and amounts, without line items."""

    id: str
    type: str
    status: str
    overdue: bool = False
    """Open and past its due date."""
    number: str | None = None
    issue_date: date | None = None
    due_date: date | None = None
    contact_id: str | None = None
    """``null`` for documents of the collective (walk-in) contact or with a one-time address."""
    contact_name: str | None = None
    currency: str | None = None
    total_amount: Decimal | None = None
    """The document total (gross for sales documents)."""
    open_amount: Decimal | None = None
    """What is still to be paid; ``null`` for drafts and documents without payments."""
    archived: bool = False
    created_at: datetime | None = None
    updated_at: datetime | None = None
    """Last change, including status and payment changes."""
    raw: RawJson | None = None


# --- requests ---------------------------------------------------------------------------------------


def _check_decimal(
    value: Decimal | None, field: str, *, places: int, low: Decimal | None = None, high: Decimal | None = None
) -> None:
    """Refuse (``ValueError``, a 422 on decode) a non-finite value, more than ``places`` decimals, or a
    value outside ``low..high``."""
    if value is None:
        return
    if not value.is_finite():
        raise ValueError(f"{field} must be a finite number")
    exponent = value.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -places:
        raise ValueError(f"{field} must have at most {places} decimal places")
    if low is not None and value < low:
        raise ValueError(f"{field} must be at least {low}")
    if high is not None and value > high:
        raise ValueError(f"{field} must be at most {high}")


class AddressCreate(Address, kw_only=True, forbid_unknown_fields=True):
    """A one-time address, or overrides of the referenced contact's address for this document only."""

    country_code: CountryCode | None = None


class UnitPriceCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """The price of one unit: net, or gross when the document's tax mode is ``gross``."""

    amount: Annotated[Decimal, msgspec.Meta(description="At most 4 decimals; may be negative")]
    tax_rate: Annotated[Decimal, msgspec.Meta(description="VAT in percent, 0..100; 0 for VAT-free modes")]
    currency: Currency = "EUR"

    def __post_init__(self) -> None:
        _check_decimal(self.amount, "amount", places=4)
        _check_decimal(self.tax_rate, "tax_rate", places=2, low=Decimal(0), high=Decimal(100))


class LineItemCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """One position. Priced items need ``quantity``, ``unit_name`` and ``unit_price``; text items carry
    ``name`` and ``description`` only."""

    type: LineItemType = "custom"
    product_id: Uuid | None = None
    """A product/service of the accounting system (``service`` and ``material`` items only); the item's
    fields are still required and are not written back to the product."""
    name: Text
    description: str | None = None
    quantity: Quantity | None = None
    unit_name: Text | None = None
    """Unit of ``quantity`` ("Stück", "hour", ...); unknown units are created on the fly."""
    unit_price: UnitPriceCreate | None = None
    discount_percentage: Percentage | None = None

    def __post_init__(self) -> None:
        priced = (self.quantity, self.unit_name, self.unit_price)
        if self.type == "text":
            if any(value is not None for value in (*priced, self.discount_percentage, self.product_id)):
                raise ValueError("text items carry name and description only")
            return
        if any(value is None for value in priced):
            raise ValueError(f"{self.type} items need quantity, unit_name and unit_price")
        if self.product_id is not None and self.type == "custom":
            raise ValueError("product_id needs type service or material")
        _check_decimal(self.quantity, "quantity", places=4, low=Decimal(0))
        _check_decimal(
            self.discount_percentage, "discount_percentage", places=2, low=Decimal(0), high=Decimal(100)
        )


class CashDiscountCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Early-payment discount (Skonto): ``percentage`` off when paid within ``days``."""

    percentage: Percentage
    days: Days

    def __post_init__(self) -> None:
        _check_decimal(self.percentage, "percentage", places=2, low=Decimal(0), high=Decimal(100))


class PaymentTermsCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Payment terms; without them the contact's or organization's defaults apply."""

    due_days: Days
    label: Text | None = None
    """The printed text; the accounting system composes one when absent."""
    discount: CashDiscountCreate | None = None


class DeliveryCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Delivery or service date: ``date`` unless ``type`` is ``none``; periods also need ``end_date``."""

    type: DeliveryType
    date: date | None = None
    end_date: _Date | None = None

    def __post_init__(self) -> None:
        if self.type != "none" and self.date is None:
            raise ValueError(f"delivery type {self.type} needs a date")
        if self.type.endswith("_period") and self.end_date is None:
            raise ValueError(f"delivery type {self.type} needs an end_date")
        if self.date is not None and self.end_date is not None and self.end_date < self.date:
            raise ValueError("end_date must not be before date")


class SalesDocumentCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """What every kind of sales document is created from; each kind is a subclass.

    Address a contact (``contact_id``, optionally with ``address`` overrides) or give a one-time ``address``
    with at least ``name`` and ``country_code``. Totals are computed by the accounting system.
    """

    issue_date: date
    contact_id: Uuid | None = None
    address: AddressCreate | None = None
    line_items: Annotated[list[LineItemCreate], msgspec.Meta(min_length=1)]
    tax_mode: TaxMode = "net"
    """``net``: unit prices exclude VAT; ``gross``: they include it; VAT-free modes need tax rate 0 and
    (except ``vat_free``) a ``contact_id``."""
    tax_sub_type: TaxSubType | None = None
    """For B2C sales into other EU countries (tax mode ``net`` or ``gross``)."""
    tax_note: str | None = None
    """Printed reason for a VAT-free mode; the organization's default when absent."""
    discount_percentage: Percentage | None = None
    """Discount on the whole document, in percent of the net or gross sum (by tax mode)."""
    discount_absolute: Annotated[Decimal, msgspec.Meta(description="≥ 0, at most 2 decimals")] | None = None
    """Discount on the whole document, as a net or gross amount (by tax mode)."""
    currency: Currency = "EUR"
    title: str | None = None
    introduction: str | None = None
    remark: str | None = None
    language: Language | None = None
    """``de`` (default) or ``en`` (lexoffice: needs the INVOICING_PRO feature)."""
    raw: RawJson | None = None
    """Merged into the upstream request body last (fields the model lacks)."""

    def __post_init__(self) -> None:
        if self.contact_id is None and (
            self.address is None or not self.address.name or not self.address.country_code
        ):
            raise ValueError("give contact_id, or an address with name and country_code")
        if self.tax_mode not in ("net", "gross"):
            if self.tax_sub_type is not None:
                raise ValueError("tax_sub_type needs tax mode net or gross")
            if any(item.unit_price is not None and item.unit_price.tax_rate != 0 for item in self.line_items):
                raise ValueError(f"tax mode {self.tax_mode} needs tax rate 0 on every line item")
            if self.tax_mode != "vat_free" and self.contact_id is None:
                raise ValueError(f"tax mode {self.tax_mode} needs a contact_id")
        _check_decimal(
            self.discount_percentage, "discount_percentage", places=2, low=Decimal(0), high=Decimal(100)
        )
        _check_decimal(self.discount_absolute, "discount_absolute", places=2, low=Decimal(0))


class InvoiceCreate(SalesDocumentCreate, kw_only=True, forbid_unknown_fields=True):
    """Create an invoice: a draft, or finalized (numbered, ``open``) with ``finalize``."""

    delivery: DeliveryCreate
    payment_terms: PaymentTermsCreate | None = None
    xrechnung_buyer_reference: str | None = None
    """Buyer reference (Leitweg-ID) for an XRechnung e-invoice, overriding the contact's; an empty string
    makes a standard invoice for an XRechnung contact."""
    finalize: bool = False
    """Finalize at once: the invoice gets its number and status ``open`` and can no longer change."""
    preceding_document_id: Uuid | None = None
    """Create the invoice from this document (e.g. a sales order) in its document chain."""


class CreditNoteCreate(SalesDocumentCreate, kw_only=True, forbid_unknown_fields=True):
    """Create a credit note: a draft, or finalized with ``finalize``."""

    finalize: bool = False
    """Finalize at once: the credit note gets its number and status ``open`` (``paid_off`` when it corrects an
    invoice, whose open amount it then reduces)."""
    preceding_document_id: Uuid | None = None
    """The invoice this credit note corrects (at most one credit note per invoice)."""


class QuoteCreate(SalesDocumentCreate, kw_only=True, forbid_unknown_fields=True):
    """Create a quote: a draft, or finalized (numbered, ``open``) with ``finalize``."""

    expiration_date: date
    """Until when the offer stands."""
    payment_terms: PaymentTermsCreate | None = None
    finalize: bool = False


class SalesOrderCreate(SalesDocumentCreate, kw_only=True, forbid_unknown_fields=True):
    """Create a sales order (numbered at once, stays ``draft``); ``preceding_document_id``: a finalized
    quote, which then becomes ``accepted``."""

    delivery: DeliveryCreate
    payment_terms: PaymentTermsCreate | None = None
    delivery_terms: str | None = None
    preceding_document_id: Uuid | None = None


class DeliveryNoteCreate(SalesDocumentCreate, kw_only=True, forbid_unknown_fields=True):
    """Create a delivery note (numbered at once, stays ``draft``; unit prices are kept but no totals);
    ``preceding_document_id``: a sales order or a finalized invoice."""

    delivery: DeliveryCreate | None = None
    delivery_terms: str | None = None
    preceding_document_id: Uuid | None = None


class DunningCreate(SalesDocumentCreate, kw_only=True, forbid_unknown_fields=True):
    """Create a dunning of an open invoice: same contact and tax mode as the invoice (stays ``draft``)."""

    preceding_document_id: Uuid
    """The open invoice (or down payment invoice) to remind of."""
    delivery: DeliveryCreate | None = None


def totals_of(req: SalesDocumentCreate) -> Totals:
    """The totals the accounting system computes for ``req`` (lexoffice's rules, half-up rounding):
    ``amount = round2(quantity × unit price × (1 − discount/100))`` per line item (net, or gross in tax mode
    ``gross``), summed per tax rate; the document discounts (percentage first, then absolute) are spread
    over the rates in proportion (rounding remainder to the largest group); per rate ``tax =
    round2(net × rate/100)`` (net modes) or ``net = round2(gross / (1 + rate/100))`` (gross mode)."""
    groups: dict[Decimal, Decimal] = {}
    for item in req.line_items:
        price = item.unit_price
        if price is None or item.quantity is None:
            continue
        factor = 1 - (item.discount_percentage or 0) / _HUNDRED
        amount = _round2(item.quantity * price.amount * factor)
        groups[price.tax_rate] = groups.get(price.tax_rate, Decimal(0)) + amount
    base = sum(groups.values(), Decimal(0))
    target = base
    if req.discount_percentage is not None:
        target -= _round2(base * req.discount_percentage / _HUNDRED)
    if req.discount_absolute is not None:
        target -= req.discount_absolute
    if target != base and groups:
        spread = {rate: _round2(amount * target / base) for rate, amount in groups.items()}
        largest = max(groups, key=lambda rate: (abs(groups[rate]), rate))
        spread[largest] += target - sum(spread.values(), Decimal(0))
        groups = spread
    net = tax = Decimal(0)
    for rate, amount in groups.items():
        if req.tax_mode == "gross":
            rate_net = _round2(amount / (1 + rate / _HUNDRED))
            net, tax = net + rate_net, tax + amount - rate_net
        else:
            net, tax = net + amount, tax + _round2(amount * rate / _HUNDRED)
    return Totals(
        currency=req.currency,
        net=net,
        tax=tax,
        gross=net + tax,
        discount_absolute=req.discount_absolute,
        discount_percentage=req.discount_percentage,
    )


_HUNDRED = Decimal(100)


def _round2(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


class SalesDocumentFilter(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Filters of the sales document list; absent filters match everything."""

    type: list[SalesDocumentType] | None = None
    status: list[SalesDocumentStatus] | None = None
    contact_id: Uuid | None = None
    number: str | None = None
    issued_from: date | None = None
    issued_to: date | None = None
    updated_since: Annotated[datetime, msgspec.Meta(tz=True)] | None = None
    """Changed at or after this instant (status and payment changes count)."""
    archived: bool | None = None


class CreditedLine(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """One line of the invoice to credit (a partial credit note)."""

    index: Annotated[int, msgspec.Meta(ge=0, description="The line's position in the invoice (0-based).")]
    quantity: Annotated[Decimal, msgspec.Meta(description="> 0")] | None = None
    """How much of it to credit (default: the line's whole quantity; at most that)."""

    def __post_init__(self) -> None:
        if self.quantity is not None and self.quantity <= 0:
            raise ValueError("quantity must be greater than 0")


class CreditNoteFromInvoice(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """``POST /invoices/{id}/credit-notes``: credit an invoice fully (no ``lines``) or some of its lines.

    The credit note gets the invoice's addressee, tax mode and the credited lines with the invoice's prices.
    """

    lines: Annotated[list[CreditedLine], msgspec.Meta(min_length=1)] | None = None
    """The lines to credit (default: every line, with its whole quantity)."""
    issue_date: date | None = None
    """The credit note's date (default: today in Europe/Berlin)."""
    finalize: bool = False
    """Finalize at once (numbered; the invoice's open amount is reduced)."""
    title: str | None = None
    introduction: str | None = None
    remark: str | None = None
