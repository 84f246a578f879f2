"""Sales vouchers — invoices and credit notes: create (draft, finalized or pursued), retrieve, render.

Every kind of sales voucher is one row of :data:`KINDS`: collection, event prefix, voucherType,
statuses, required fields, the record layout (which keys, in lexoffice's order), whether it can be
finalized and which voucher types it may be pursued from (:class:`PursueRule`). Routes, validation,
defaults and pursue effects are driven by that table; another kind (quotations, order confirmations,
delivery notes, dunnings, down payment invoices) is another row (plus a builder for any record key
no kind has yet).

A request is checked completely before anything is stored: input shape (msgspec, 406 naming the
field), then the rules per field (:data:`_CHECKS`), then the amounts (:mod:`.amounts`), then the
pursue rule. Read-only input (totals, ids, numbers, status, version ...) is ignored.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from functools import cached_property
from typing import Any, NamedTuple

import msgspec
from litestar import Request, Response, get, post
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath

from . import payments, render
from .amounts import VAT_FREE_TAX_TYPES, AmountError, compute_sales_totals, quantize2
from .catalog import COUNTRY_CODES, DEFAULT_PAYMENT_TERM_DAYS, PAYMENT_CONDITIONS
from .clock import BERLIN, format_timestamp, parse_timestamp
from .errors import ApiError, bad_request, missing, not_found, validation_error
from .state import Organization, Record
from .web import action_result, json_body, json_response, organization, require_timestamp, validate

# --- the table of kinds ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Texts:
    """Default title, introduction and remark of one language (used when the request sends none)."""

    title: str
    introduction: str
    remark: str


@dataclass(frozen=True)
class PursueRule:
    """A voucher may follow a preceding voucher (``precedingSalesVoucherId``) that is in ``statuses``."""

    statuses: tuple[str, ...]
    exclusive: bool = False  # at most one (not voided) voucher of this kind per preceding voucher
    settles: bool = False  # finalized, it is paid off at once and pays the preceding voucher's open amount


@dataclass(frozen=True)
class DocumentKind:
    """One kind of sales voucher."""

    collection: str  # URL segment and state collection, e.g. "credit-notes"
    prefix: str  # event prefix and amounts kind, e.g. "credit-note"
    voucher_type: str  # voucherType in relatedVouchers, voucherlist and payments, e.g. "creditnote"
    statuses: tuple[str, ...]
    layout: tuple[str, ...]  # the keys of a stored record, in order (see _BUILDERS)
    required: tuple[str, ...]  # top-level fields a create request must carry
    finalize: bool  # ?finalize=true allowed
    pursued_from: Mapping[str, PursueRule]  # preceding voucherType -> rule
    texts: Mapping[str, Texts]  # language -> default texts
    renders_drafts: bool = False  # GET .../document also for drafts

    @property
    def inputs(self) -> frozenset[str]:
        """The writable top-level fields of this kind (everything else in a request is ignored)."""
        return frozenset(self.layout) & frozenset(_Input.__struct_fields__)

    @property
    def noun(self) -> str:
        return self.prefix.replace("-", " ").capitalize()


_HEAD = (
    "id",
    "organizationId",
    "createdDate",
    "updatedDate",
    "version",
    "language",
    "archived",
    "voucherStatus",
    "voucherNumber",
    "voucherDate",
)
_PRICED = ("lineItems", "totalPrice", "taxAmounts", "taxConditions")
_TAIL = ("relatedVouchers", "title", "introduction", "remark", "files")
_THANKS_DE = "Vielen Dank für die gute Zusammenarbeit."
_THANKS_EN = "Thank you for the good cooperation."

KINDS: tuple[DocumentKind, ...] = (
    DocumentKind(
        collection="invoices",
        prefix="invoice",
        voucher_type="invoice",
        statuses=("draft", "open", "paid", "voided"),
        layout=(
            *_HEAD,
            "dueDate",
            "address",
            "xRechnung",
            *_PRICED,
            "paymentConditions",
            "shippingConditions",
            "closingInvoice",
            "claimedGrossAmount",
            "downPaymentDeductions",
            "recurringTemplateId",
            *_TAIL,
        ),
        required=("voucherDate", "address", "lineItems", "totalPrice", "taxConditions", "shippingConditions"),
        finalize=True,
        pursued_from={},  # quotations and order confirmations, once they exist
        texts={
            "de": Texts(
                "Rechnung",
                "Unsere Lieferungen/Leistungen stellen wir Ihnen wie folgt in Rechnung.",
                _THANKS_DE,
            ),
            "en": Texts(
                "Invoice", "We hereby invoice you for the following deliveries/services.", _THANKS_EN
            ),
        },
    ),
    DocumentKind(
        collection="credit-notes",
        prefix="credit-note",
        voucher_type="creditnote",
        statuses=("draft", "open", "paidoff", "voided"),
        layout=(*_HEAD, "address", *_PRICED, *_TAIL),
        required=("voucherDate", "address", "lineItems", "totalPrice", "taxConditions"),
        finalize=True,
        pursued_from={"invoice": PursueRule(("open", "paid"), exclusive=True, settles=True)},
        texts={
            "de": Texts(
                "Rechnungskorrektur", "Folgende Lieferungen/Leistungen schreiben wir Ihnen gut.", _THANKS_DE
            ),
            "en": Texts("Credit note", "We credit you for the following deliveries/services.", _THANKS_EN),
        },
    ),
)
KIND_BY_VOUCHER_TYPE = {kind.voucher_type: kind for kind in KINDS}

# --- reference values -----------------------------------------------------------------------------

CURRENCY = "EUR"
LANGUAGES = ("de", "en")
LINE_ITEM_TYPES = ("custom", "material", "service", "text")
TAX_TYPES = ("net", "gross", *sorted(VAT_FREE_TAX_TYPES))
TAX_SUB_TYPES = ("distanceSales", "electronicServices")
# shippingType -> (shippingDate required, shippingEndDate required)
SHIPPING_TYPES = {
    "service": (True, False),
    "serviceperiod": (True, True),
    "delivery": (True, False),
    "deliveryperiod": (True, True),
    "none": (False, False),
}
# the organization's default taxTypeNote per vat-free tax type
TAX_TYPE_NOTES = {
    "vatfree": "Gemäß § 19 UStG wird keine Umsatzsteuer berechnet.",
    "intraCommunitySupply": "Steuerfreie innergemeinschaftliche Lieferung",
    "constructionService13b": "Steuerschuldnerschaft des Leistungsempfängers (Reverse Charge)",
    "externalService13b": "Steuerschuldnerschaft des Leistungsempfängers (Reverse Charge)",
    "thirdPartyCountryService": "Nicht im Inland steuerbare Leistung",
    "thirdPartyCountryDelivery": "Steuerfreie Ausfuhrlieferung",
    "photovoltaicEquipment": "Nullsteuersatz für Photovoltaikanlagen (§ 12 Abs. 3 UStG)",
}
NET_TERMS_TEMPLATE = "Zahlbar in {paymentRange} Tagen, rein netto ohne Abzug"
DISCOUNT_TERMS_TEMPLATE = "{discountRange} Tage -{discount}, {paymentRange} Tage netto"
ORGANIZATION_TERMS = next(c for c in PAYMENT_CONDITIONS if c["organizationDefault"])
CONTACTS = "contacts"

# --- input shape (what a request may carry; unknown and read-only keys are dropped) ---------------


class _UnitPrice(msgspec.Struct, kw_only=True):
    currency: str
    netAmount: Decimal | None = None
    grossAmount: Decimal | None = None
    taxRatePercentage: Decimal


class _LineItem(msgspec.Struct, kw_only=True):
    id: str | None = None
    type: str
    name: str
    description: str | None = None
    quantity: Decimal | None = None
    unitName: str | None = None
    unitPrice: _UnitPrice | None = None
    discountPercentage: Decimal | None = None


class _Address(msgspec.Struct, kw_only=True):
    contactId: str | None = None
    name: str | None = None
    supplement: str | None = None
    street: str | None = None
    city: str | None = None
    zip: str | None = None
    countryCode: str | None = None


class _TotalPrice(msgspec.Struct, kw_only=True):
    currency: str
    totalDiscountAbsolute: Decimal | None = None
    totalDiscountPercentage: Decimal | None = None


class _TaxConditions(msgspec.Struct, kw_only=True):
    taxType: str
    taxSubType: str | None = None
    taxTypeNote: str | None = None


class _PaymentDiscount(msgspec.Struct, kw_only=True):
    discountPercentage: Decimal
    discountRange: int


class _PaymentConditions(msgspec.Struct, kw_only=True):
    paymentTermLabel: str | None = None
    paymentTermDuration: int | None = None
    paymentDiscountConditions: _PaymentDiscount | None = None


class _ShippingConditions(msgspec.Struct, kw_only=True):
    shippingDate: str | None = None
    shippingEndDate: str | None = None
    shippingType: str


class _XRechnung(msgspec.Struct, kw_only=True):
    buyerReference: str


class _Input(msgspec.Struct, kw_only=True):
    language: str | None = None
    voucherDate: str | None = None
    address: _Address | None = None
    xRechnung: _XRechnung | None = None
    lineItems: list[_LineItem] | None = None
    totalPrice: _TotalPrice | None = None
    taxConditions: _TaxConditions | None = None
    paymentConditions: _PaymentConditions | None = None
    shippingConditions: _ShippingConditions | None = None
    title: str | None = None
    introduction: str | None = None
    remark: str | None = None


def _without_nulls(value: Any) -> Any:
    """``null`` counts as absent (so a required ``null`` is reported as "darf nicht leer sein")."""
    if isinstance(value, dict):
        return {key: _without_nulls(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_without_nulls(item) for item in value]
    return value


def _plain(value: Any) -> Any:
    """A validated Struct as a dict in declaration order, unset fields left out."""
    if isinstance(value, msgspec.Struct):
        fields = ((name, getattr(value, name)) for name in value.__struct_fields__)
        return {name: _plain(item) for name, item in fields if item is not None}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


# --- a request being turned into a record ---------------------------------------------------------


class _Preceding(NamedTuple):
    kind: DocumentKind
    record: Record
    rule: PursueRule


@dataclass
class _Draft:
    """A validated create request and everything derived from it."""

    org: Organization
    kind: DocumentKind
    data: dict[str, Any]
    contact: Record | None
    finalize: bool
    computed: Record = field(default_factory=dict)  # lineItems, totalPrice, taxAmounts
    preceding: _Preceding | None = None
    number: str | None = None
    id: str = field(default_factory=lambda: str(uuid.uuid4()))

    @property
    def language(self) -> str:
        return str(self.data.get("language", "de"))

    @property
    def status(self) -> str:
        if not self.finalize:
            return "draft"
        if self.preceding is not None and self.preceding.rule.settles:
            return next(s for s in self.kind.statuses if s in payments.PAID_STATUSES)
        return "open"

    @cached_property
    def payment_conditions(self) -> Record:
        given = self.data.get("paymentConditions")
        if given is None:
            template = ORGANIZATION_TERMS["paymentTermLabelTemplate"]
            duration = ORGANIZATION_TERMS["paymentTermDuration"]
            discount = ORGANIZATION_TERMS.get("paymentDiscountConditions")
        else:
            duration = given.get("paymentTermDuration", DEFAULT_PAYMENT_TERM_DAYS)
            discount = given.get("paymentDiscountConditions")
            template = given.get("paymentTermLabel") or (
                DISCOUNT_TERMS_TEMPLATE if discount else NET_TERMS_TEMPLATE
            )
        conditions: Record = {
            "paymentTermLabel": _terms_label(template, duration, discount),
            "paymentTermLabelTemplate": template,
            "paymentTermDuration": duration,
        }
        if discount:
            conditions["paymentDiscountConditions"] = dict(discount)
        return conditions


def _terms_label(template: str, duration: int, discount: Mapping[str, Any] | None) -> str:
    values = {"{paymentRange}": str(duration)}
    if discount:
        percentage = str(discount["discountPercentage"]).replace(".", ",")
        values |= {"{discountRange}": str(discount["discountRange"]), "{discount}": f" {percentage} %"}
    for placeholder, value in values.items():
        template = template.replace(placeholder, value)
    return template


# --- field rules ----------------------------------------------------------------------------------


def _contact(org: Organization, data: Mapping[str, Any]) -> Record | None:
    contact_id = data.get("address", {}).get("contactId")
    if contact_id is None:
        return None
    contact = org.get(CONTACTS, contact_id)
    if contact is None:
        raise validation_error("address.contactId", f"no contact with id {contact_id}")
    return contact


def _check_voucher_date(draft: _Draft) -> None:
    require_timestamp(draft.data, "voucherDate")


def _check_language(draft: _Draft) -> None:
    language = draft.data["language"]
    if language not in LANGUAGES:
        raise validation_error("language", f"must be one of {', '.join(LANGUAGES)}")
    if language != "de" and "INVOICING_PRO" not in draft.org.business_features:
        raise validation_error("language", "vouchers in English need the business feature INVOICING_PRO")


def _check_address(draft: _Draft) -> None:
    address = draft.data["address"]
    if draft.contact is None:
        for key in ("name", "countryCode"):
            if not str(address.get(key, "")).strip():
                raise missing(f"address.{key}")
    country = address.get("countryCode")
    if country is not None and country not in COUNTRY_CODES:
        supported = ", ".join(sorted(COUNTRY_CODES))
        raise validation_error("address.countryCode", f"unsupported country code; supported: {supported}")


def _check_line_items(draft: _Draft) -> None:
    items = draft.data["lineItems"]
    if not items:
        raise missing("lineItems")
    for index, item in enumerate(items):
        path = f"lineItems[{index}]"
        if item["type"] not in LINE_ITEM_TYPES:
            raise validation_error(f"{path}.type", f"must be one of {', '.join(LINE_ITEM_TYPES)}")
        if not item["name"].strip():
            raise missing(f"{path}.name")
        if item["type"] == "text":
            continue
        for key in ("quantity", "unitName", "unitPrice"):
            if item.get(key) in (None, ""):
                raise missing(f"{path}.{key}")
        if item["unitPrice"]["currency"] != CURRENCY:
            raise validation_error(f"{path}.unitPrice.currency", f"only {CURRENCY} is supported")


def _check_total_price(draft: _Draft) -> None:
    if draft.data["totalPrice"]["currency"] != CURRENCY:
        raise validation_error("totalPrice.currency", f"only {CURRENCY} is supported")


def _check_tax_conditions(draft: _Draft) -> None:
    conditions = draft.data["taxConditions"]
    tax_type = conditions["taxType"]
    if tax_type not in TAX_TYPES:
        raise validation_error("taxConditions.taxType", f"must be one of {', '.join(TAX_TYPES)}")
    if tax_type in VAT_FREE_TAX_TYPES and tax_type != "vatfree" and draft.contact is None:
        raise validation_error(
            "taxConditions.taxType", f"{tax_type} needs a referenced contact (address.contactId)"
        )
    if tax_type != "vatfree" and (draft.org.small_business or draft.org.tax_type == "vatfree"):
        raise validation_error(
            "taxConditions.taxType", "a tax-exempt organization can only create vatfree vouchers"
        )
    sub_type = conditions.get("taxSubType")
    if sub_type is not None and (sub_type not in TAX_SUB_TYPES or tax_type not in ("net", "gross")):
        raise validation_error(
            "taxConditions.taxSubType",
            f"must be one of {', '.join(TAX_SUB_TYPES)}, with taxType net or gross",
        )


def _check_shipping(draft: _Draft) -> None:
    conditions = draft.data["shippingConditions"]
    if conditions["shippingType"] not in SHIPPING_TYPES:
        raise validation_error(
            "shippingConditions.shippingType", f"must be one of {', '.join(SHIPPING_TYPES)}"
        )
    needs_date, needs_end = SHIPPING_TYPES[conditions["shippingType"]]
    start = require_timestamp(conditions, "shippingDate", "shippingConditions.shippingDate", needs_date)
    end = require_timestamp(conditions, "shippingEndDate", "shippingConditions.shippingEndDate", needs_end)
    if start and end and parse_timestamp(end) < parse_timestamp(start):
        raise validation_error("shippingConditions.shippingEndDate", "must not be before shippingDate")


def _check_payment_conditions(draft: _Draft) -> None:
    conditions = draft.data["paymentConditions"]
    if conditions.get("paymentTermDuration", 0) < 0:
        raise validation_error("paymentConditions.paymentTermDuration", "must not be negative")
    discount = conditions.get("paymentDiscountConditions")
    if discount is None:
        return
    percentage = discount["discountPercentage"]
    if not 0 <= percentage <= 100 or percentage != quantize2(percentage):
        raise validation_error(
            "paymentConditions.paymentDiscountConditions.discountPercentage",
            "must be between 0 and 100 with at most 2 decimals",
        )
    if discount["discountRange"] < 0:
        raise validation_error(
            "paymentConditions.paymentDiscountConditions.discountRange", "must not be negative"
        )


def _xrechnung_enabled(contact: Record | None) -> bool:
    settings = (contact or {}).get("xRechnung") or {}
    return bool(settings.get("buyerReference") or settings.get("vendorNumberAtCustomer"))


def _check_xrechnung(draft: _Draft) -> None:
    if draft.data["xRechnung"]["buyerReference"] and not _xrechnung_enabled(draft.contact):
        raise validation_error(
            "xRechnung.buyerReference",
            "the referenced contact has neither a buyer reference nor a vendor number at the customer",
        )


# input field -> rule, run in this order when the field is present
_CHECKS: tuple[tuple[str, Callable[[_Draft], None]], ...] = (
    ("voucherDate", _check_voucher_date),
    ("language", _check_language),
    ("address", _check_address),
    ("lineItems", _check_line_items),
    ("totalPrice", _check_total_price),
    ("taxConditions", _check_tax_conditions),
    ("shippingConditions", _check_shipping),
    ("paymentConditions", _check_payment_conditions),
    ("xRechnung", _check_xrechnung),
)


def _totals(kind: DocumentKind, data: Mapping[str, Any]) -> Record:
    """Line items, total price and tax amounts as lexoffice computes them (text items: name/description)."""
    items = [
        {key: item[key] for key in ("type", "name", "description") if key in item}
        if item["type"] == "text"
        else item
        for item in data["lineItems"]
    ]
    priced = {key: data[key] for key in ("totalPrice", "taxConditions") if key in data}
    try:
        return compute_sales_totals({"lineItems": items, **priced}, kind=kind.prefix)
    except AmountError as exc:
        raise validation_error(exc.field, exc.message) from None


def _invalid_pursue(message: str) -> ApiError:
    return validation_error("precedingSalesVoucherId", message)


def _followers(org: Organization, source: Record, kind: DocumentKind) -> list[Record]:
    """The not voided vouchers of ``kind`` that follow ``source``."""
    related = (
        org.get(kind.collection, ref["id"])
        for ref in source["relatedVouchers"]
        if ref["voucherType"] == kind.voucher_type
    )
    return [record for record in related if record is not None and record["voucherStatus"] != "voided"]


def _preceding(org: Organization, kind: DocumentKind, preceding_id: str | None) -> _Preceding | None:
    """The voucher a request pursues, if the pursue is valid (406 otherwise)."""
    if preceding_id is None:
        return None
    for voucher_type, rule in kind.pursued_from.items():
        source_kind = KIND_BY_VOUCHER_TYPE[voucher_type]
        source = org.get(source_kind.collection, preceding_id)
        if source is None:
            continue
        if source["voucherStatus"] not in rule.statuses:
            raise _invalid_pursue(f"a {source['voucherStatus']} {source_kind.noun.lower()} cannot be pursued")
        if rule.exclusive and _followers(org, source, kind):
            raise _invalid_pursue(f"the {source_kind.noun.lower()} already has a {kind.noun.lower()}")
        return _Preceding(source_kind, source, rule)
    raise _invalid_pursue(f"no voucher {preceding_id} that a {kind.noun.lower()} can be pursued from")


def _draft(org: Organization, kind: DocumentKind, raw: dict[str, Any], finalize: bool) -> _Draft:
    """Validate a create request completely (406 naming the field)."""
    present = {key: value for key, value in _without_nulls(raw).items() if key in kind.inputs}
    for name in kind.required:
        if name not in present:
            raise missing(name)
    data = _plain(validate(present, _Input))
    draft = _Draft(org, kind, data, _contact(org, data), finalize)
    for name, check in _CHECKS:
        if name in data:
            check(draft)
    draft.computed = _totals(kind, data)
    return draft


# --- building the record --------------------------------------------------------------------------

_OMIT = object()  # a builder's "no such key in this record"


def _reference(kind: DocumentKind, record: Record) -> Record:
    """An entry of ``relatedVouchers``."""
    return {
        "id": record["id"],
        "voucherNumber": record.get("voucherNumber"),
        "voucherType": kind.voucher_type,
    }


def _due_date(draft: _Draft) -> Any:
    if draft.status == "draft":
        return _OMIT
    voucher_date = parse_timestamp(draft.data["voucherDate"]).astimezone(BERLIN)
    return format_timestamp(voucher_date + timedelta(days=draft.payment_conditions["paymentTermDuration"]))


def _contact_address(contact: Record) -> Record:
    company = contact.get("company")
    person = contact.get("person", {})
    name = (
        company["name"]
        if company
        else " ".join(filter(None, (person.get("firstName"), person.get("lastName"))))
    )
    billing = (contact.get("addresses", {}).get("billing") or [{}])[0]
    return {"name": name, **billing}


def _contact_person(contact: Record) -> str | None:
    people = (contact.get("company") or {}).get("contactPersons", [])
    primary = next((p for p in people if p.get("primary")), None)
    if primary is None:
        return None
    return " ".join(filter(None, (primary.get("firstName"), primary.get("lastName")))) or None


def _address(draft: _Draft) -> Record:
    """The request's address; with a contact, its name and billing address fill what was not sent."""
    given = draft.data["address"]
    if draft.contact is None:
        return dict(given)
    merged = {**_contact_address(draft.contact), **given}
    address: Record = {"contactId": draft.contact["id"]}
    address |= {
        key: merged[key] for key in _Address.__struct_fields__ if key in merged and key != "contactId"
    }
    person = _contact_person(draft.contact)
    if person:
        address["contactPerson"] = person
    return address


def _xrechnung(draft: _Draft) -> Record | None:
    given = draft.data.get("xRechnung")
    if given is not None:
        reference = given["buyerReference"]  # an empty string asks for a standard invoice
    else:
        reference = ((draft.contact or {}).get("xRechnung") or {}).get("buyerReference")
    return {"buyerReference": reference} if reference else None


def _tax_conditions(draft: _Draft) -> Record:
    conditions = dict(draft.data["taxConditions"])
    note = TAX_TYPE_NOTES.get(conditions["taxType"])
    if note is not None:
        conditions.setdefault("taxTypeNote", note)
    return conditions


def _shipping_conditions(draft: _Draft) -> Record:
    given = draft.data["shippingConditions"]
    needs_date, needs_end = SHIPPING_TYPES[given["shippingType"]]
    wanted = {"shippingDate": needs_date, "shippingEndDate": needs_end, "shippingType": True}
    return {key: given[key] for key, keep in wanted.items() if keep and key in given}


def _text(key: str) -> Callable[[_Draft], str]:
    def build(draft: _Draft) -> str:
        return str(draft.data.get(key) or getattr(draft.kind.texts[draft.language], key))

    return build


# record key -> value for a new record (createdDate, updatedDate and version are set by org.create)
_BUILDERS: dict[str, Callable[[_Draft], Any]] = {
    "id": lambda d: d.id,
    "organizationId": lambda d: d.org.id,
    "createdDate": lambda d: None,
    "updatedDate": lambda d: None,
    "version": lambda d: 0,
    "language": lambda d: d.language,
    "archived": lambda d: False,
    "voucherStatus": lambda d: d.status,
    "voucherNumber": lambda d: d.number or _OMIT,
    "voucherDate": lambda d: d.data["voucherDate"],
    "dueDate": _due_date,
    "address": _address,
    "xRechnung": _xrechnung,
    "lineItems": lambda d: d.computed["lineItems"],
    "totalPrice": lambda d: d.computed["totalPrice"],
    "taxAmounts": lambda d: d.computed["taxAmounts"],
    "taxConditions": _tax_conditions,
    "paymentConditions": lambda d: d.payment_conditions,
    "shippingConditions": _shipping_conditions,
    "closingInvoice": lambda d: False,
    "claimedGrossAmount": lambda d: d.computed["totalPrice"]["totalGrossAmount"],
    "downPaymentDeductions": lambda d: [],
    "recurringTemplateId": lambda d: None,
    "relatedVouchers": lambda d: [_reference(d.preceding.kind, d.preceding.record)] if d.preceding else [],
    "title": _text("title"),
    "introduction": _text("introduction"),
    "remark": _text("remark"),
    "files": lambda d: {},
}


def _record(draft: _Draft) -> Record:
    values = ((key, _BUILDERS[key](draft)) for key in draft.kind.layout)
    return {key: value for key, value in values if value is not _OMIT}


def _follow(org: Organization, kind: DocumentKind, record: Record, preceding: _Preceding) -> None:
    """The effects of a pursue on the preceding voucher: relation, and (settling kinds) the payment."""
    source_kind, source, rule = preceding
    source["relatedVouchers"].append(_reference(kind, record))
    events = [f"{source_kind.prefix}.changed"]
    if rule.settles and record["voucherStatus"] != "draft":
        gross = Decimal(record["totalPrice"]["totalGrossAmount"])
        posted = format_timestamp(org.clock.now())
        org.payment_items[record["id"]] = [payments.payment_item("partPaymentCreditNote", gross, posted)]
        applied = min(gross, payments.open_amount(org, source) or Decimal(0))
        if applied > 0:
            item = payments.payment_item("partPaymentCreditNote", applied, posted)
            events += payments.record_payment(org, source_kind.collection, source, item)
    org.touch(source, *events)


def _finalize_flag(request: Request[Any, Any, Any]) -> bool:
    value = request.query_params.get("finalize")
    if value is None or value.lower() == "false":
        return False
    if value.lower() == "true":
        return True
    raise bad_request("finalize must be true or false", "finalize")


async def _create(kind: DocumentKind, request: Request[Any, Any, Any]) -> Response[bytes]:
    org = organization(request)
    finalize = _finalize_flag(request)
    if finalize and not kind.finalize:
        raise validation_error("finalize", f"{kind.collection} cannot be finalized")
    draft = _draft(org, kind, await json_body(request), finalize)
    draft.preceding = _preceding(org, kind, request.query_params.get("precedingSalesVoucherId"))
    if finalize:
        draft.number = org.next_voucher_number(kind.collection)
    record = org.create(kind.collection, _record(draft), event_prefix=kind.prefix)
    if draft.preceding is not None:
        _follow(org, kind, record, draft.preceding)
    return action_result(request, kind.collection, record, 201)


def _stored(org: Organization, kind: DocumentKind, record_id: str) -> Record:
    record = org.get(kind.collection, record_id)
    if record is None:
        raise not_found(kind.noun)
    return record


def _document_file(org: Organization, kind: DocumentKind, record: Record) -> str:
    """Render the voucher; an unchanged rendering keeps its file id (no version change: not an edit)."""
    if record["voucherStatus"] == "draft" and not kind.renders_drafts:
        raise validation_error("voucherStatus", "a document can only be rendered for a finalized voucher")
    pdf = render.render_sales_document(kind.prefix, record, org.company_name)
    current = org.files.get(record["files"].get("documentFileId", ""))
    if current is None or current.content != pdf:
        filename = render.document_filename(kind.prefix, record)
        stored = org.store_file(pdf, "application/pdf", filename, voucher_id=record["id"])
        record["files"] = {"documentFileId": stored.id}
    return str(record["files"]["documentFileId"])


# --- routes ---------------------------------------------------------------------------------------


def _routes(kind: DocumentKind) -> list[HTTPRouteHandler]:
    base = f"/v1/{kind.collection}"

    @post(base)
    async def create(request: Request[Any, Any, Any]) -> Response[bytes]:
        return await _create(kind, request)

    @get(f"{base}/{{record_id:str}}", sync_to_thread=False)
    def retrieve(request: Request[Any, Any, Any], record_id: FromPath[str]) -> Response[bytes]:
        return json_response(_stored(organization(request), kind, record_id))

    @get(f"{base}/{{record_id:str}}/document", sync_to_thread=False)
    def document(request: Request[Any, Any, Any], record_id: FromPath[str]) -> Response[bytes]:
        org = organization(request)
        return json_response({"documentFileId": _document_file(org, kind, _stored(org, kind, record_id))})

    return [create, retrieve, document]


ROUTES = [handler for kind in KINDS for handler in _routes(kind)]
