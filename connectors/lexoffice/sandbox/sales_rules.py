"""Sales vouchers, the input side: what a kind of voucher is (:class:`DocumentKind`), the reference values,
the request shape and the rules per field.

:func:`parse` turns a create request into validated data: unknown and read-only keys are dropped, ``null``
counts as absent, the shape is checked with msgspec (406 naming the field), then every present field runs
through its rule (:data:`_CHECKS`). :func:`totals` adds the amounts (:mod:`.amounts`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import msgspec

from .amounts import VAT_FREE_TAX_TYPES, AmountError, compute_sales_totals, quantize2
from .catalog import COUNTRY_CODES, PAYMENT_CONDITIONS
from .clock import parse_timestamp
from .errors import missing, validation_error
from .state import Organization, Record
from .web import require_timestamp, validate

# --- what a kind of sales voucher is --------------------------------------------------------------


@dataclass(frozen=True)
class Texts:
    """Default texts of one language (used when the request sends none)."""

    title: str
    introduction: str
    remark: str
    delivery_terms: str = ""


@dataclass(frozen=True)
class DocumentKind:
    """One kind of sales voucher (a row of ``sales.KINDS``)."""

    collection: str  # URL segment and state collection, e.g. "credit-notes"
    prefix: str  # event prefix and amounts kind, e.g. "credit-note"
    voucher_type: str  # voucherType in relatedVouchers, voucherlist and payments, e.g. "creditnote"
    statuses: tuple[str, ...]
    layout: tuple[str, ...]  # the keys of a stored record, in order
    required: tuple[str, ...]  # top-level fields a create request must carry
    texts: Mapping[str, Texts]  # language -> default texts
    finalize: bool = False  # ?finalize=true allowed (else always a draft)
    numbered_on_create: bool = False  # drafts get their voucherNumber too (draft-only kinds)
    api_create: bool = True  # POST /v1/<collection> (down payment invoices are made in the app)
    document: bool = True  # GET /v1/<collection>/{id}/document
    renders_drafts: bool = False  # ... also for drafts
    item_requires: tuple[str, ...] = ("quantity", "unitName", "unitPrice")  # per non-text line item
    single_item: bool = False  # exactly one line item, with a price (down payment invoices)
    item_options: bool = False  # optional items and alternative subItems (quotations)
    address_from: str = "billing"  # which address of a referenced contact fills the voucher's
    needs_contact: bool = False  # address.contactId is mandatory (recurring templates)
    # bound to its preceding voucher (dunnings): precedingSalesVoucherId is mandatory, contact and tax
    # conditions must be the preceding voucher's, the recipient's name is copied from it
    bound: bool = False

    @property
    def inputs(self) -> frozenset[str]:
        """The writable top-level fields of this kind (everything else in a request is ignored)."""
        return frozenset(self.layout) & frozenset(_Input.__struct_fields__)

    @property
    def priced(self) -> bool:
        """Whether the kind carries amounts (delivery notes do not)."""
        return "totalPrice" in self.layout

    @property
    def noun(self) -> str:
        return self.prefix.replace("-", " ").capitalize()


# --- reference values -----------------------------------------------------------------------------

CURRENCY = "EUR"
LANGUAGES = ("de", "en")
LINE_ITEM_TYPES = ("custom", "material", "service", "text")
ITEM_OPTIONS = ("subItems", "alternative", "optional")
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
    subItems: list[_LineItem] | None = None
    alternative: bool | None = None
    optional: bool | None = None


class _Address(msgspec.Struct, kw_only=True):
    contactId: str | None = None
    name: str | None = None
    supplement: str | None = None
    street: str | None = None
    city: str | None = None
    zip: str | None = None
    countryCode: str | None = None


ADDRESS_FIELDS = _Address.__struct_fields__


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
    expirationDate: str | None = None
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
    deliveryTerms: str | None = None


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


# --- field rules ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Submission:
    """What the field rules look at."""

    org: Organization
    kind: DocumentKind
    data: dict[str, Any]
    contact: Record | None


def _contact(org: Organization, data: Mapping[str, Any]) -> Record | None:
    contact_id = data.get("address", {}).get("contactId")
    if contact_id is None:
        return None
    contact = org.get(CONTACTS, contact_id)
    if contact is None:
        raise validation_error("address.contactId", f"no contact with id {contact_id}")
    return contact


def _check_voucher_date(sub: _Submission) -> None:
    require_timestamp(sub.data, "voucherDate")


def _check_expiration_date(sub: _Submission) -> None:
    expires = require_timestamp(sub.data, "expirationDate")
    issued = sub.data.get("voucherDate")
    if expires and issued and parse_timestamp(expires) < parse_timestamp(issued):
        raise validation_error("expirationDate", "must not be before voucherDate")


def _check_language(sub: _Submission) -> None:
    language = sub.data["language"]
    if language not in LANGUAGES:
        raise validation_error("language", f"must be one of {', '.join(LANGUAGES)}")
    if language != "de" and "INVOICING_PRO" not in sub.org.business_features:
        raise validation_error("language", "vouchers in English need the business feature INVOICING_PRO")


def _check_address(sub: _Submission) -> None:
    address = sub.data["address"]
    if sub.contact is None:
        if sub.kind.needs_contact:
            raise missing("address.contactId")
        # a bound voucher's recipient name is the preceding voucher's
        for key in ("countryCode",) if sub.kind.bound else ("name", "countryCode"):
            if not str(address.get(key, "")).strip():
                raise missing(f"address.{key}")
    country = address.get("countryCode")
    if country is not None and country not in COUNTRY_CODES:
        supported = ", ".join(sorted(COUNTRY_CODES))
        raise validation_error("address.countryCode", f"unsupported country code; supported: {supported}")


def _check_line_items(sub: _Submission) -> None:
    items = sub.data["lineItems"]
    if not items:
        raise missing("lineItems")
    if sub.kind.single_item and (len(items) != 1 or items[0]["type"] == "text"):
        raise validation_error(
            "lineItems", f"a {sub.kind.noun.lower()} has exactly one line item with a price"
        )
    for index, item in enumerate(items):
        _check_item(sub.kind, item, f"lineItems[{index}]", alternative=False)


def _check_item(kind: DocumentKind, item: Mapping[str, Any], path: str, *, alternative: bool) -> None:
    """One line item; ``alternative``: it is a sub item (quotations)."""
    if item["type"] not in LINE_ITEM_TYPES:
        raise validation_error(f"{path}.type", f"must be one of {', '.join(LINE_ITEM_TYPES)}")
    if not item["name"].strip():
        raise missing(f"{path}.name")
    if item["type"] == "text":
        if alternative:
            raise validation_error(f"{path}.type", "an alternative item cannot be a text item")
        return
    for key in kind.item_requires:
        if item.get(key) in (None, ""):
            raise missing(f"{path}.{key}")
    if "unitPrice" in item and item["unitPrice"]["currency"] != CURRENCY:
        raise validation_error(f"{path}.unitPrice.currency", f"only {CURRENCY} is supported")
    if kind.item_options:
        _check_options(kind, item, path, alternative=alternative)


def _check_options(kind: DocumentKind, item: Mapping[str, Any], path: str, *, alternative: bool) -> None:
    """Quotations: sub items are alternatives (``alternative: true``), never optional, never nested."""
    if alternative:
        if item.get("alternative") is not True:
            raise validation_error(f"{path}.alternative", "sub items must be alternative items (true)")
        if item.get("optional"):
            raise validation_error(f"{path}.optional", "an alternative item cannot be optional")
        if "subItems" in item:
            raise validation_error(f"{path}.subItems", "an alternative item cannot have sub items")
        return
    if item.get("alternative"):
        raise validation_error(f"{path}.alternative", "only sub items can be alternative items")
    for index, sub_item in enumerate(item.get("subItems", [])):
        _check_item(kind, sub_item, f"{path}.subItems[{index}]", alternative=True)


def _check_total_price(sub: _Submission) -> None:
    if sub.data["totalPrice"]["currency"] != CURRENCY:
        raise validation_error("totalPrice.currency", f"only {CURRENCY} is supported")


def _check_tax_conditions(sub: _Submission) -> None:
    conditions = sub.data["taxConditions"]
    tax_type = conditions["taxType"]
    if tax_type not in TAX_TYPES:
        raise validation_error("taxConditions.taxType", f"must be one of {', '.join(TAX_TYPES)}")
    if tax_type in VAT_FREE_TAX_TYPES and tax_type != "vatfree" and sub.contact is None:
        raise validation_error(
            "taxConditions.taxType", f"{tax_type} needs a referenced contact (address.contactId)"
        )
    if tax_type != "vatfree" and (sub.org.small_business or sub.org.tax_type == "vatfree"):
        raise validation_error(
            "taxConditions.taxType", "a tax-exempt organization can only create vatfree vouchers"
        )
    sub_type = conditions.get("taxSubType")
    if sub_type is not None and (sub_type not in TAX_SUB_TYPES or tax_type not in ("net", "gross")):
        raise validation_error(
            "taxConditions.taxSubType",
            f"must be one of {', '.join(TAX_SUB_TYPES)}, with taxType net or gross",
        )


def _check_shipping(sub: _Submission) -> None:
    conditions = sub.data["shippingConditions"]
    if conditions["shippingType"] not in SHIPPING_TYPES:
        raise validation_error(
            "shippingConditions.shippingType", f"must be one of {', '.join(SHIPPING_TYPES)}"
        )
    needs_date, needs_end = SHIPPING_TYPES[conditions["shippingType"]]
    start = require_timestamp(conditions, "shippingDate", "shippingConditions.shippingDate", needs_date)
    end = require_timestamp(conditions, "shippingEndDate", "shippingConditions.shippingEndDate", needs_end)
    if start and end and parse_timestamp(end) < parse_timestamp(start):
        raise validation_error("shippingConditions.shippingEndDate", "must not be before shippingDate")


def _check_payment_conditions(sub: _Submission) -> None:
    conditions = sub.data["paymentConditions"]
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


def _check_xrechnung(sub: _Submission) -> None:
    if sub.data["xRechnung"]["buyerReference"] and not _xrechnung_enabled(sub.contact):
        raise validation_error(
            "xRechnung.buyerReference",
            "the referenced contact has neither a buyer reference nor a vendor number at the customer",
        )


# input field -> rule, run in this order when the field is present
_CHECKS: tuple[tuple[str, Callable[[_Submission], None]], ...] = (
    ("voucherDate", _check_voucher_date),
    ("expirationDate", _check_expiration_date),
    ("language", _check_language),
    ("address", _check_address),
    ("lineItems", _check_line_items),
    ("totalPrice", _check_total_price),
    ("taxConditions", _check_tax_conditions),
    ("shippingConditions", _check_shipping),
    ("paymentConditions", _check_payment_conditions),
    ("xRechnung", _check_xrechnung),
)


def _with_options(kind: DocumentKind, items: list[Record], *, alternative: bool = False) -> list[Record]:
    """Line items with the quotation-only keys: set with their defaults for quotations, dropped elsewhere."""
    shaped = []
    for item in items:
        if item["type"] == "text":
            shaped.append(item)
            continue
        plain = {key: value for key, value in item.items() if key not in ITEM_OPTIONS}
        if kind.item_options:
            if "subItems" in item:
                plain["subItems"] = _with_options(kind, item["subItems"], alternative=True)
            plain["alternative"] = alternative
            plain["optional"] = bool(item.get("optional", False))
        shaped.append(plain)
    return shaped


def parse(
    org: Organization, kind: DocumentKind, raw: Mapping[str, Any]
) -> tuple[dict[str, Any], Record | None]:
    """Validate a create request completely (406 naming the field); returns its data and the contact."""
    present = {key: value for key, value in _without_nulls(dict(raw)).items() if key in kind.inputs}
    for name in kind.required:
        if name not in present:
            raise missing(name)
    data = _plain(validate(present, _Input))
    submission = _Submission(org, kind, data, _contact(org, data))
    for name, check in _CHECKS:
        if name in data:
            check(submission)
    if "lineItems" in data:
        data["lineItems"] = _with_options(kind, data["lineItems"])
    return data, submission.contact


def totals(kind: DocumentKind, data: Mapping[str, Any]) -> Record:
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
