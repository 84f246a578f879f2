"""lexoffice sales vouchers (invoices, credit notes, quotations, order confirmations, delivery notes,
dunnings, down payment invoices, recurring templates; voucherlist) <-> unified sales documents.

One mapping serves every kind. :data:`SALES_KINDS` holds what differs per kind: the lexoffice collection and
voucherType, the statuses, the unified structs and the voucher types it may be created from. Fields only some
kinds have are mapped by name (:data:`_KIND_READERS`, :data:`_KIND_WRITERS`): a kind's struct that declares
the field gets it, so a new kind is a row of the table plus its structs.

Unified names differ from lexoffice's for some kinds: ``quote`` (quotation, ``/quotes``), ``sales_order``
(order confirmation, ``/sales-orders``), ``recurring_invoice`` (recurring template, ``/recurring-invoices``).
Recurring templates are not vouchers: no number, dates or voucherStatus; their unified ``status`` is the
schedule's ``executionStatus`` lowercased and ``schedule`` maps ``recurringTemplateSettings``. lexoffice lists
them at ``GET /v1/recurring-templates`` (no filters: :func:`sales_summary_matches_all` filters locally);
dunnings are listed nowhere. :data:`CONVERSIONS` names the document chain steps the gateway offers as routes.

Vocabulary (lexoffice -> unified; unknown upstream values pass through unchanged):

* voucherType: ``creditnote`` -> ``credit_note``, ``downpaymentinvoice`` -> ``down_payment_invoice``,
  ``quotation`` -> ``quote``, ``orderconfirmation`` -> ``sales_order``, ``deliverynote`` -> ``delivery_note``,
  ``salesinvoice`` -> ``sales_invoice`` (bookkeeping), ... (:data:`VOUCHER_TYPES`).
* voucherStatus: ``paidoff`` (credit notes) -> ``paid_off``, ``sepadebit`` -> ``sepa_debit``, the
  voucherlist's derived ``overdue`` -> ``open`` with ``overdue: true``; ``draft``, ``open``, ``paid``,
  ``voided`` unchanged.
* taxType: camelCase -> snake_case (``vatfree`` -> ``vat_free``, ``constructionService13b`` ->
  ``construction_service_13b``, ...); shippingType ``serviceperiod`` -> ``service_period`` and
  ``deliveryperiod`` -> ``delivery_period``.

Dates: ``voucherDate``, ``dueDate`` and shipping dates are Europe/Berlin calendar dates (written as local
midnight). List filters: :func:`voucherlist_params` gives the voucherlist query; lexoffice filters updates by
whole Berlin days, so the gateway applies :func:`sales_summary_matches` to each item for the exact instant.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from connectors.lexoffice.mapping.common import (
    BERLIN,
    VOUCHER_STATUSES,
    VOUCHER_TYPES,
    decimal,
    deep_merge,
    local_date,
    local_midnight,
    parse_instant,
    search_term,
    unified_word,
    upstream_word,
    without_none,
)
from schemas.common import Address
from schemas.sales import (
    CashDiscount,
    CreditNote,
    CreditNoteCreate,
    Delivery,
    DeliveryCreate,
    DeliveryNote,
    DeliveryNoteCreate,
    DownPaymentDeduction,
    DownPaymentInvoice,
    Dunning,
    DunningCreate,
    Invoice,
    InvoiceCreate,
    LineItem,
    LineItemCreate,
    PaymentTerms,
    PaymentTermsCreate,
    Quote,
    QuoteCreate,
    RecurringInvoice,
    RecurringSchedule,
    RelatedDocument,
    SalesDocument,
    SalesDocumentCreate,
    SalesDocumentFilter,
    SalesDocumentSummary,
    SalesOrder,
    SalesOrderCreate,
    TaxBreakdown,
    Totals,
    UnitPrice,
)

CURRENCY = "EUR"  # the only currency lexoffice supports

_STATUSES: Mapping[str, str] = {**VOUCHER_STATUSES, "overdue": "open"}
_TAX_MODES: Mapping[str, str] = {
    "net": "net",
    "gross": "gross",
    "vatfree": "vat_free",
    "intraCommunitySupply": "intra_community_supply",
    "constructionService13b": "construction_service_13b",
    "externalService13b": "external_service_13b",
    "thirdPartyCountryService": "third_party_country_service",
    "thirdPartyCountryDelivery": "third_party_country_delivery",
    "photovoltaicEquipment": "photovoltaic_equipment",
}
_TAX_SUB_TYPES: Mapping[str, str] = {
    "distanceSales": "distance_sales",
    "electronicServices": "electronic_services",
}
_DELIVERY_TYPES: Mapping[str, str] = {"serviceperiod": "service_period", "deliveryperiod": "delivery_period"}


def document_type(voucher_type: str) -> str:
    """The unified document type of a lexoffice voucherType (unknown types pass through)."""
    return VOUCHER_TYPES.get(voucher_type, voucher_type)


def document_status(voucher_status: str) -> str:
    """The unified status of a lexoffice voucherStatus (unknown statuses pass through)."""
    return _STATUSES.get(voucher_status, voucher_status)


@dataclass(frozen=True)
class SalesKind:
    """One kind of sales document, as lexoffice serves it."""

    name: str  # unified type, e.g. "credit_note"
    collection: str  # lexoffice URL segment: POST/GET /v1/<collection>
    voucher_type: str  # lexoffice voucherType (voucherlist, relatedVouchers, payments)
    statuses: tuple[str, ...]  # lexoffice voucherStatus values of this kind
    response: type[SalesDocument]
    create: type[SalesDocumentCreate]
    preceded_by: tuple[str, ...]  # voucherTypes this kind can be created from, nearest first
    resource: str = ""  # unified URL segment under /v1/accounting (default: ``collection``)
    creatable: bool = True  # POST /v1/<collection> exists (not: made in the lexoffice app)
    pdf: bool = True  # GET /v1/<collection>/{id}/document exists
    voucherlist: bool = True  # listed by /v1/voucherlist (else: a paged GET /v1/<collection>)
    listable: bool = True  # lexoffice lists it at all (dunnings: neither voucherlist nor a list endpoint)

    @property
    def path(self) -> str:
        """The unified URL segment (``sales-orders``)."""
        return self.resource or self.collection


CONVERSIONS: tuple[tuple[str, str], ...] = (
    ("quote", "sales_order"),
    ("quote", "invoice"),
    ("sales_order", "invoice"),
    ("sales_order", "delivery_note"),
    ("invoice", "dunning"),
)
"""(source kind, target kind): ``POST /<source>/{id}/<target>`` creates the target from the source."""

SALES_KINDS: Mapping[str, SalesKind] = {
    kind.name: kind
    for kind in (
        SalesKind(
            name="invoice",
            collection="invoices",
            voucher_type="invoice",
            statuses=("draft", "open", "paid", "voided"),
            response=Invoice,
            create=InvoiceCreate,
            preceded_by=("orderconfirmation", "quotation"),
        ),
        SalesKind(
            name="credit_note",
            collection="credit-notes",
            voucher_type="creditnote",
            statuses=("draft", "open", "paidoff", "voided"),
            response=CreditNote,
            create=CreditNoteCreate,
            preceded_by=("invoice",),
        ),
        SalesKind(
            name="quote",
            collection="quotations",
            resource="quotes",
            voucher_type="quotation",
            statuses=("draft", "open", "accepted", "rejected"),
            response=Quote,
            create=QuoteCreate,
            preceded_by=(),
        ),
        SalesKind(
            name="sales_order",
            collection="order-confirmations",
            resource="sales-orders",
            voucher_type="orderconfirmation",
            statuses=("draft",),
            response=SalesOrder,
            create=SalesOrderCreate,
            preceded_by=("quotation",),
        ),
        SalesKind(
            name="delivery_note",
            collection="delivery-notes",
            voucher_type="deliverynote",
            statuses=("draft",),
            response=DeliveryNote,
            create=DeliveryNoteCreate,
            preceded_by=("orderconfirmation", "invoice"),
        ),
        SalesKind(
            name="dunning",
            collection="dunnings",
            voucher_type="dunning",
            statuses=("draft",),
            response=Dunning,
            create=DunningCreate,
            preceded_by=("invoice", "downpaymentinvoice"),
            listable=False,
        ),
        SalesKind(
            name="down_payment_invoice",
            collection="down-payment-invoices",
            voucher_type="downpaymentinvoice",
            statuses=("draft", "open", "paid", "voided"),
            response=DownPaymentInvoice,
            create=SalesDocumentCreate,
            preceded_by=("orderconfirmation", "quotation"),
            creatable=False,
            pdf=False,
        ),
        SalesKind(
            name="recurring_invoice",
            collection="recurring-templates",
            resource="recurring-invoices",
            voucher_type="recurringtemplate",
            statuses=(),
            response=RecurringInvoice,
            create=SalesDocumentCreate,
            preceded_by=(),
            creatable=False,
            pdf=False,
            voucherlist=False,
        ),
    )
}
"""Unified type -> kind."""

# --- lexoffice -> unified -------------------------------------------------------------------------------


def _object(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = data.get(key)
    return value if isinstance(value, Mapping) else {}


def _list(data: Mapping[str, Any], key: str) -> list[Any]:
    value = data.get(key)
    return value if isinstance(value, list) else []


def _address_from(address: Mapping[str, Any]) -> Address:
    return Address(
        name=address.get("name"),
        supplement=address.get("supplement"),
        street=address.get("street"),
        postal_code=address.get("zip"),
        city=address.get("city"),
        country_code=address.get("countryCode"),
    )


def _line_item_from(item: Mapping[str, Any], currency: str) -> LineItem:
    price = item.get("unitPrice")
    amount = decimal(item.get("lineItemAmount"))
    return LineItem(
        type=item["type"],
        product_id=item.get("id"),
        name=item.get("name"),
        description=item.get("description"),
        quantity=decimal(item.get("quantity")),
        unit_name=item.get("unitName"),
        unit_price=None
        if price is None
        else UnitPrice(
            currency=price.get("currency") or currency,
            net=decimal(price.get("netAmount")),
            gross=decimal(price.get("grossAmount")),
            tax_rate=decimal(price.get("taxRatePercentage")),
        ),
        discount_percentage=decimal(item.get("discountPercentage")),
        amount=amount,
        currency=currency if price is not None or amount is not None else None,
    )


def _totals_from(total: Mapping[str, Any], currency: str) -> Totals:
    return Totals(
        currency=currency,
        net=decimal(total.get("totalNetAmount")),
        tax=decimal(total.get("totalTaxAmount")),
        gross=decimal(total.get("totalGrossAmount")),
        discount_absolute=decimal(total.get("totalDiscountAbsolute")),
        discount_percentage=decimal(total.get("totalDiscountPercentage")),
    )


def _tax_from(tax: Mapping[str, Any], currency: str) -> TaxBreakdown:
    return TaxBreakdown(
        currency=currency,
        rate=decimal(tax.get("taxRatePercentage")) or Decimal(0),
        net=decimal(tax.get("netAmount")),
        tax=decimal(tax.get("taxAmount")),
    )


def _payment_terms_from(conditions: Mapping[str, Any]) -> PaymentTerms:
    discount = _object(conditions, "paymentDiscountConditions")
    percentage = decimal(discount.get("discountPercentage"))
    days = discount.get("discountRange")
    return PaymentTerms(
        label=conditions.get("paymentTermLabel"),
        label_template=conditions.get("paymentTermLabelTemplate"),
        due_days=conditions.get("paymentTermDuration"),
        discount=None
        if percentage is None or days is None
        else CashDiscount(percentage=percentage, days=days),
    )


def _delivery_from(conditions: Mapping[str, Any]) -> Delivery:
    return Delivery(
        type=unified_word(_DELIVERY_TYPES, conditions.get("shippingType")) or "none",
        date=local_date(conditions.get("shippingDate")),
        end_date=local_date(conditions.get("shippingEndDate")),
    )


def _related_from(voucher: Mapping[str, Any]) -> RelatedDocument:
    return RelatedDocument(
        id=voucher["id"], type=document_type(voucher["voucherType"]), number=voucher.get("voucherNumber")
    )


def _preceding(kind: SalesKind, related: list[Any]) -> str | None:
    candidates = [voucher for voucher in related if voucher.get("voucherType") in kind.preceded_by]
    candidates.sort(key=lambda voucher: kind.preceded_by.index(voucher["voucherType"]))
    return candidates[0]["id"] if candidates else None


def _deduction_from(deduction: Mapping[str, Any], currency: str) -> DownPaymentDeduction:
    return DownPaymentDeduction(
        id=deduction["id"],
        type=document_type(deduction.get("voucherType") or "downpaymentinvoice"),
        title=deduction.get("title"),
        number=deduction.get("voucherNumber"),
        issue_date=local_date(deduction.get("voucherDate")),
        currency=currency,
        received_gross=decimal(deduction.get("receivedGrossAmount")),
        received_net=decimal(deduction.get("receivedNetAmount")),
        received_tax=decimal(deduction.get("receivedTaxAmount")),
        tax_rate=decimal(deduction.get("taxRatePercentage")),
    )


def _schedule_from(settings: Mapping[str, Any] | None) -> RecurringSchedule | None:
    if settings is None:
        return None
    return RecurringSchedule(
        interval=str(settings.get("executionInterval", "")).lower(),
        start_date=local_date(settings.get("startDate")),
        end_date=local_date(settings.get("endDate")),
        next_execution_date=local_date(settings.get("nextExecutionDate")),
        finalize=bool(settings.get("finalize")),
        delivery_type=unified_word(_DELIVERY_TYPES, settings.get("shippingType")),
        last_execution_failed=bool(settings.get("lastExecutionFailed")),
        last_execution_error=settings.get("lastExecutionErrorMessage"),
    )


def _status_of(data: Mapping[str, Any]) -> str:
    """The unified status: the voucherStatus, or a recurring template's execution status (lowercase)."""
    if "voucherStatus" in data:
        return document_status(data["voucherStatus"])
    settings = data.get("recurringTemplateSettings") or {}
    return str(settings.get("executionStatus") or "active").lower()


_KIND_READERS: Mapping[str, Callable[[Mapping[str, Any], str], Any]] = {
    "xrechnung_buyer_reference": lambda data, _: _object(data, "xRechnung").get("buyerReference"),
    "closing_invoice": lambda data, _: bool(data.get("closingInvoice")),
    "claimed_gross_amount": lambda data, _: decimal(data.get("claimedGrossAmount")),
    "down_payment_deductions": lambda data, currency: [
        _deduction_from(deduction, currency) for deduction in _list(data, "downPaymentDeductions")
    ],
    "recurring_template_id": lambda data, _: data.get("recurringTemplateId"),
    "expiration_date": lambda data, _: local_date(data.get("expirationDate")),
    "delivery_terms": lambda data, _: data.get("deliveryTerms"),
    "closing_invoice_id": lambda data, _: data.get("closingInvoiceId"),
    "schedule": lambda data, _: _schedule_from(data.get("recurringTemplateSettings")),
}
"""Fields of some kinds only: unified field -> reader(lexoffice voucher, currency)."""


def sales_document_from_lexoffice(
    data: Mapping[str, Any], *, kind: str, include_raw: bool = False
) -> SalesDocument:
    """A lexoffice sales voucher of ``kind`` (unified type, a key of :data:`SALES_KINDS`) as the kind's
    unified struct (lexoffice's voucher JSON does not say its kind)."""
    spec = SALES_KINDS[kind]
    total = data.get("totalPrice")
    currency = (total or {}).get("currency") or CURRENCY
    address = _object(data, "address")
    taxes = _object(data, "taxConditions")
    shipping = data.get("shippingConditions")
    payment = data.get("paymentConditions")
    related = _list(data, "relatedVouchers")
    specific = {
        name: read(data, currency)
        for name, read in _KIND_READERS.items()
        if name in spec.response.__struct_fields__
    }
    return spec.response(
        id=data["id"],
        type=spec.name,
        version=data["version"],
        status=_status_of(data),
        number=data.get("voucherNumber"),
        issue_date=local_date(data.get("voucherDate")),
        due_date=local_date(data.get("dueDate")),
        currency=currency,
        contact_id=address.get("contactId"),
        contact_person=address.get("contactPerson"),
        address=_address_from(address),
        line_items=[_line_item_from(item, currency) for item in _list(data, "lineItems")],
        tax_mode=unified_word(_TAX_MODES, taxes.get("taxType")),
        tax_sub_type=unified_word(_TAX_SUB_TYPES, taxes.get("taxSubType")),
        tax_note=taxes.get("taxTypeNote"),
        prices_include_tax=taxes.get("taxType") == "gross",
        totals=None if total is None else _totals_from(total, currency),
        tax_breakdown=[_tax_from(tax, currency) for tax in _list(data, "taxAmounts")],
        payment_terms=None if payment is None else _payment_terms_from(payment),
        delivery=None if shipping is None else _delivery_from(shipping),
        title=data.get("title"),
        introduction=data.get("introduction"),
        remark=data.get("remark"),
        language=data.get("language"),
        related_documents=[_related_from(voucher) for voucher in related],
        preceding_document_id=_preceding(spec, related),
        document_file_id=_object(data, "files").get("documentFileId"),
        archived=bool(data.get("archived")),
        created_at=parse_instant(data.get("createdDate")),
        updated_at=parse_instant(data.get("updatedDate")),
        raw=dict(data) if include_raw else None,
        **specific,
    )


def recurring_summary_from_lexoffice(
    data: Mapping[str, Any], *, include_raw: bool = False
) -> SalesDocumentSummary:
    """One item of ``GET /v1/recurring-templates`` (a projection) as a list summary."""
    address = _object(data, "address")
    total = _object(data, "totalPrice")
    return SalesDocumentSummary(
        id=data["id"],
        type="recurring_invoice",
        status=_status_of(data),
        contact_id=address.get("contactId"),
        contact_name=address.get("name"),
        currency=total.get("currency"),
        total_amount=decimal(total.get("totalGrossAmount")),
        created_at=parse_instant(data.get("createdDate")),
        updated_at=parse_instant(data.get("updatedDate")),
        raw=dict(data) if include_raw else None,
    )


def voucherlist_item_from_lexoffice(
    data: Mapping[str, Any], *, include_raw: bool = False
) -> SalesDocumentSummary:
    """One item of ``GET /v1/voucherlist`` as a list summary."""
    return SalesDocumentSummary(
        id=data["id"],
        type=document_type(data["voucherType"]),
        status=document_status(data["voucherStatus"]),
        overdue=data["voucherStatus"] == "overdue",
        number=data.get("voucherNumber"),
        issue_date=local_date(data.get("voucherDate")),
        due_date=local_date(data.get("dueDate")),
        contact_id=data.get("contactId"),
        contact_name=data.get("contactName"),
        currency=data.get("currency"),
        total_amount=decimal(data.get("totalAmount")),
        open_amount=decimal(data.get("openAmount")),
        archived=bool(data.get("archived")),
        created_at=parse_instant(data.get("createdDate")),
        updated_at=parse_instant(data.get("updatedDate")),
        raw=dict(data) if include_raw else None,
    )


# --- unified -> lexoffice -------------------------------------------------------------------------------


def _address_to(req: SalesDocumentCreate) -> dict[str, Any]:
    address = req.address or Address()
    return without_none(
        {
            "contactId": req.contact_id,
            "name": address.name,
            "supplement": address.supplement,
            "street": address.street,
            "city": address.city,
            "zip": address.postal_code,
            "countryCode": address.country_code,
        }
    )


def _line_item_to(item: LineItemCreate, prices_include_tax: bool) -> dict[str, Any]:
    price = item.unit_price
    return without_none(
        {
            "id": item.product_id,
            "type": item.type,
            "name": item.name,
            "description": item.description,
            "quantity": item.quantity,
            "unitName": item.unit_name,
            "unitPrice": None
            if price is None
            else {
                "currency": price.currency,
                "grossAmount" if prices_include_tax else "netAmount": price.amount,
                "taxRatePercentage": price.tax_rate,
            },
            "discountPercentage": item.discount_percentage,
        }
    )


def _payment_terms_to(terms: PaymentTermsCreate) -> dict[str, Any]:
    discount = terms.discount
    return without_none(
        {
            "paymentTermLabel": terms.label,
            "paymentTermDuration": terms.due_days,
            "paymentDiscountConditions": None
            if discount is None
            else {"discountPercentage": discount.percentage, "discountRange": discount.days},
        }
    )


def _delivery_to(delivery: DeliveryCreate) -> dict[str, Any]:
    return without_none(
        {
            "shippingDate": local_midnight(delivery.date),
            "shippingEndDate": local_midnight(delivery.end_date),
            "shippingType": upstream_word(_DELIVERY_TYPES, delivery.type),
        }
    )


_KIND_WRITERS: Mapping[str, tuple[str, Callable[[Any], Any]]] = {
    "payment_terms": ("paymentConditions", _payment_terms_to),
    "delivery": ("shippingConditions", _delivery_to),
    "xrechnung_buyer_reference": ("xRechnung", lambda reference: {"buyerReference": reference}),
    "expiration_date": ("expirationDate", local_midnight),
    "delivery_terms": ("deliveryTerms", lambda terms: terms),
}
"""Create fields of some kinds only: unified field -> (lexoffice key, writer)."""


def sales_document_to_lexoffice(req: SalesDocumentCreate) -> dict[str, Any]:
    """The lexoffice POST body for ``req`` (any kind's create struct); ``req.raw`` is merged in last.

    POST it to ``/v1/<SALES_KINDS[type].collection>`` with the query of :func:`create_params`.
    Totals are computed by lexoffice: only the currency and the document discounts are sent.
    """
    gross = req.tax_mode == "gross"
    body = without_none(
        {
            "voucherDate": local_midnight(req.issue_date),
            "address": _address_to(req),
            "lineItems": [_line_item_to(item, gross) for item in req.line_items],
            "totalPrice": without_none(
                {
                    "currency": req.currency,
                    "totalDiscountAbsolute": req.discount_absolute,
                    "totalDiscountPercentage": req.discount_percentage,
                }
            ),
            "taxConditions": without_none(
                {
                    "taxType": upstream_word(_TAX_MODES, req.tax_mode),
                    "taxSubType": None
                    if req.tax_sub_type is None
                    else upstream_word(_TAX_SUB_TYPES, req.tax_sub_type),
                    "taxTypeNote": req.tax_note,
                }
            ),
            "title": req.title,
            "introduction": req.introduction,
            "remark": req.remark,
            "language": req.language,
        }
    )
    for name, (key, write) in _KIND_WRITERS.items():
        value = getattr(req, name, None)
        if value is not None:
            body[key] = write(value)
    return deep_merge(body, req.raw or {})


def create_params(req: SalesDocumentCreate) -> dict[str, str]:
    """The query of the create call: ``finalize=true`` and the pursued ``precedingSalesVoucherId``."""
    preceding = getattr(req, "preceding_document_id", None)
    return without_none(
        {
            "finalize": "true" if getattr(req, "finalize", False) else None,
            "precedingSalesVoucherId": preceding,
        }
    )


# --- list filters ---------------------------------------------------------------------------------------


def voucherlist_params(filters: SalesDocumentFilter) -> dict[str, str]:
    """The ``GET /v1/voucherlist`` query for ``filters`` (without paging).

    Exact upstream: type, status (``open`` includes lexoffice's ``overdue``), contact, number, issue dates,
    archived. Whole Berlin days only: ``updated_since`` — apply :func:`sales_summary_matches` to the items.
    """
    kinds = [
        SALES_KINDS[name]
        for name in (filters.type or SALES_KINDS)
        if SALES_KINDS[name].voucherlist and SALES_KINDS[name].listable
    ]
    statuses = (
        "any"
        if not filters.status
        else ",".join(
            dict.fromkeys(
                status
                for kind in kinds
                for status in (*kind.statuses, "overdue")
                if document_status(status) in filters.status
            )
        )
    )
    since = filters.updated_since
    return without_none(
        {
            "voucherType": ",".join(kind.voucher_type for kind in kinds),
            "voucherStatus": statuses,
            "contactId": filters.contact_id,
            "voucherNumber": None if filters.number is None else search_term(filters.number),
            "voucherDateFrom": None if filters.issued_from is None else filters.issued_from.isoformat(),
            "voucherDateTo": None if filters.issued_to is None else filters.issued_to.isoformat(),
            "updatedDateFrom": None if since is None else since.astimezone(BERLIN).date().isoformat(),
            "archived": None if filters.archived is None else str(filters.archived).lower(),
        }
    )


def sales_summary_matches_all(summary: SalesDocumentSummary, filters: SalesDocumentFilter) -> bool:
    """Every filter applied locally (kinds lexoffice lists without filters: recurring templates, which have
    no number or issue date, so those filters match none)."""
    if filters.status and summary.status not in filters.status:
        return False
    if filters.contact_id is not None and summary.contact_id != filters.contact_id:
        return False
    if filters.number is not None and summary.number != filters.number:
        return False
    issued = summary.issue_date
    if (filters.issued_from is not None or filters.issued_to is not None) and issued is None:
        return False
    if filters.issued_from is not None and issued is not None and issued < filters.issued_from:
        return False
    if filters.issued_to is not None and issued is not None and issued > filters.issued_to:
        return False
    if filters.archived is not None and summary.archived != filters.archived:
        return False
    return sales_summary_matches(summary, filters)


def sales_summary_matches(summary: SalesDocumentSummary, filters: SalesDocumentFilter) -> bool:
    """The filters lexoffice cannot apply exactly: ``updated_since`` as an instant.

    Compared at whole seconds (the voucherlist's precision), so a borderline change is kept, never lost.
    """
    since = filters.updated_since
    if since is None:
        return True
    return summary.updated_at is not None and summary.updated_at >= since.replace(microsecond=0)
