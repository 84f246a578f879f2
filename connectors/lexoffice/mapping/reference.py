"""lexoffice reference data -> unified reference data (:mod:`schemas.reference`).

Countries (``/v1/countries``), posting categories (``/v1/posting-categories``) as ledger accounts, payment
conditions (``/v1/payment-conditions``) as payment terms, the profile (``/v1/profile``) as company info, and
the German VAT rates as a fixed table (lexoffice has no tax-rate endpoint). None of these lists can be
filtered upstream; the tax-rate filters are applied by :func:`tax_rates`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from schemas.reference import (
    CompanyInfo,
    Country,
    LedgerAccount,
    PaymentDiscount,
    PaymentTerm,
    TaxRate,
    UserRef,
)

from .common import decimal, parse_instant, unified_word

TAX_CLASSIFICATIONS = {"de": "domestic", "intraCommunity": "eu", "thirdPartyCountry": "third_country"}
LEDGER_ACCOUNT_TYPES = {"income": "income", "outgo": "expense"}
TAX_TYPES = {"net": "net", "gross": "gross", "vatfree": "vat_free"}

_SALES, _BOOKKEEPING = "sales", "bookkeeping"


def _rate(percent: int, label: str, *applies_to: str, valid: tuple[date | None, date | None]) -> TaxRate:
    valid_from, valid_to = valid
    return TaxRate(
        rate=Decimal(percent),
        label=label,
        valid_from=valid_from,
        valid_to=valid_to,
        applies_to=list(applies_to),
    )


_ALWAYS = (None, None)
_BEFORE = (None, date(2020, 6, 30))
_DURING = (date(2020, 7, 1), date(2020, 12, 31))
"""The 2020 COVID-19 VAT reduction: sales documents of the period use 16 % and 5 % instead of 19 % and 7 %."""
_AFTER = (date(2021, 1, 1), None)

TAX_RATES: tuple[TaxRate, ...] = (
    _rate(0, "0 % (tax-free or zero-rated)", _SALES, _BOOKKEEPING, valid=_ALWAYS),
    _rate(19, "19 % standard rate", _SALES, valid=_BEFORE),
    _rate(7, "7 % reduced rate", _SALES, valid=_BEFORE),
    _rate(16, "16 % standard rate (2020 reduction)", _SALES, valid=_DURING),
    _rate(5, "5 % reduced rate (2020 reduction)", _SALES, valid=_DURING),
    _rate(19, "19 % standard rate", _SALES, valid=_AFTER),
    _rate(7, "7 % reduced rate", _SALES, valid=_AFTER),
    _rate(19, "19 % standard rate", _BOOKKEEPING, valid=_ALWAYS),
    _rate(16, "16 % standard rate (2020 reduction)", _BOOKKEEPING, valid=_ALWAYS),
    _rate(7, "7 % reduced rate", _BOOKKEEPING, valid=_ALWAYS),
    _rate(5, "5 % reduced rate (2020 reduction)", _BOOKKEEPING, valid=_ALWAYS),
)
"""The German VAT rates lexoffice accepts (its FAQ "valid tax rates"). Sales documents may use only the rates
valid on their relevant date (0/7/19, but 0/5/16 from 2020-07-01 to 2020-12-31); bookkeeping vouchers may
use 0, 5, 7, 16 and 19 on any date. EU destination-country rates (distance sales) are not listed."""


def tax_rates(*, valid_on: date | None = None, applies_to: str | None = None) -> list[TaxRate]:
    """The rows of :data:`TAX_RATES` usable on ``valid_on`` for ``applies_to`` (``None``: any)."""
    return [
        rate
        for rate in TAX_RATES
        if (applies_to is None or applies_to in rate.applies_to)
        and (valid_on is None or (rate.valid_from or date.min) <= valid_on <= (rate.valid_to or date.max))
    ]


def country_from_lexoffice(data: dict[str, Any], *, include_raw: bool = False) -> Country:
    """A lexoffice country; an unknown ``taxClassification`` passes through unchanged."""
    classification = data.get("taxClassification")
    return Country(
        code=data["countryCode"],
        name_de=data.get("countryNameDE"),
        name_en=data.get("countryNameEN"),
        tax_classification=unified_word(TAX_CLASSIFICATIONS, classification),
        raw=data if include_raw else None,
    )


def ledger_account_from_lexoffice(data: dict[str, Any], *, include_raw: bool = False) -> LedgerAccount:
    """A lexoffice posting category as a ledger account (``outgo`` -> ``expense``)."""
    return LedgerAccount(
        id=data["id"],
        name=data.get("name"),
        type=unified_word(LEDGER_ACCOUNT_TYPES, data.get("type")),
        contact_required=bool(data.get("contactRequired", False)),
        split_allowed=bool(data.get("splitAllowed", False)),
        group_name=data.get("groupName"),
        raw=data if include_raw else None,
    )


def payment_term_from_lexoffice(data: dict[str, Any], *, include_raw: bool = False) -> PaymentTerm:
    """A lexoffice payment condition as a payment term (exact decimal discount percentage)."""
    conditions = data.get("paymentDiscountConditions") or {}
    percentage, days = decimal(conditions.get("discountPercentage")), conditions.get("discountRange")
    discount = (
        None if percentage is None or days is None else PaymentDiscount(percentage=percentage, days=days)
    )
    return PaymentTerm(
        id=data["id"],
        label_template=data.get("paymentTermLabelTemplate"),
        due_days=data.get("paymentTermDuration"),
        discount=discount,
        default=bool(data.get("organizationDefault", False)),
        raw=data if include_raw else None,
    )


def company_info_from_lexoffice(data: dict[str, Any], *, include_raw: bool = False) -> CompanyInfo:
    """The lexoffice profile as company info (enum values of features and principle lower-cased)."""
    created: Mapping[str, Any] = data.get("created") or {}
    creator = UserRef(
        user_id=created.get("userId"), user_name=created.get("userName"), user_email=created.get("userEmail")
    )
    principle = data.get("distanceSalesPrinciple")
    return CompanyInfo(
        organization_id=data["organizationId"],
        company_name=data.get("companyName"),
        tax_type=unified_word(TAX_TYPES, data.get("taxType")),
        small_business=data.get("smallBusiness"),
        distance_sales_principle=None if principle is None else principle.lower(),
        business_features=[feature.lower() for feature in data.get("businessFeatures") or []],
        connection_id=data.get("connectionId"),
        created_by=creator if created else None,
        created_at=parse_instant(created.get("date")),
        raw=data if include_raw else None,
    )
