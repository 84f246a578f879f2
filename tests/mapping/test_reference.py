"""lexoffice reference data -> unified reference data: countries, ledger accounts, payment terms, company info
and the tax-rate table."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from connectors.lexoffice.mapping.reference import (
    TAX_RATES,
    company_info_from_lexoffice,
    country_from_lexoffice,
    ledger_account_from_lexoffice,
    payment_term_from_lexoffice,
    tax_rates,
)
from schemas.reference import (
    CompanyInfo,
    Country,
    LedgerAccount,
    PaymentDiscount,
    PaymentTerm,
    TaxRate,
    UserRef,
)
from tests.support.samples import sample, sample_exact

PROFILE = "055_profile_retrieve_response.json"


def _json_round_trip(value: Any) -> None:
    assert msgspec.json.decode(msgspec.json.encode(value), type=type(value)) == value


# --- countries ---


def test_countries_sample() -> None:
    countries = [country_from_lexoffice(item) for item in sample("007_countries_list_response.json")]

    assert countries == [
        Country(code="DE", name_de="Deutschland", name_en="Germany", tax_classification="domestic"),
        Country(code="FR", name_de="Frankreich", name_en="France", tax_classification="eu"),
        Country(
            code="US",
            name_de="Vereinigte Staaten von Amerika",
            name_en="United States",
            tax_classification="third_country",
        ),
    ]
    for country in countries:
        _json_round_trip(country)


@given(
    classification=st.text().filter(lambda text: text not in ("de", "intraCommunity", "thirdPartyCountry"))
)
def test_unknown_tax_classification_survives(classification: str) -> None:
    data = {"countryCode": "XK", "taxClassification": classification}

    country = country_from_lexoffice(data, include_raw=True)

    assert country.tax_classification == classification
    assert country.raw == data
    assert (country.name_de, country.name_en) == (None, None)


# --- ledger accounts ---


def test_posting_categories_sample() -> None:
    accounts = [
        ledger_account_from_lexoffice(item) for item in sample("054_posting-categories_list_response.json")
    ]

    assert accounts[0] == LedgerAccount(
        id="cf03a2b0-f838-474f-ac5e-67adb9b830c7",
        name="Reise MA",
        type="expense",
        contact_required=False,
        split_allowed=True,
        group_name="Reisen",
    )
    assert [(a.id, a.name, a.type, a.group_name) for a in accounts[1:]] == [
        ("3620798f-ae06-4492-b775-1c87eb99247c", "Fahrtkosten MA", "expense", "Reisen"),
        ("8f8664a1-fd86-11e1-a21f-0800200c9a66", "Einnahmen", "income", "Einnahmen"),
        ("8f8664a0-fd86-11e1-a21f-0800200c9a66", "Dienstleistung", "income", "Einnahmen"),
    ]
    for account in accounts:
        _json_round_trip(account)


@given(kind=st.text().filter(lambda text: text not in ("income", "outgo")))
def test_unknown_posting_category_type_survives(kind: str) -> None:
    account = ledger_account_from_lexoffice({"id": "x", "type": kind, "contactRequired": True})

    assert (account.type, account.contact_required, account.split_allowed) == (kind, True, False)


# --- payment terms ---


def test_payment_conditions_sample() -> None:
    terms = [
        payment_term_from_lexoffice(item)
        for item in sample_exact("053_payment-conditions_list_response.json")
    ]

    assert terms == [
        PaymentTerm(
            id="65be0654-60b6-11eb-b66d-5731dbc9bf6b",
            label_template="Zahlbar in {paymentRange} Tagen, rein netto ohne Abzug",
            due_days=14,
            discount=None,
            default=False,
        ),
        PaymentTerm(
            id="3fcc62d1-0925-456d-890b-779b56e7289e",
            label_template="10 Tage - 3 %, 30 Tage netto",
            due_days=30,
            discount=PaymentDiscount(percentage=Decimal("3.00"), days=10),
            default=True,
        ),
    ]
    assert b'"percentage":"3.00"' in msgspec.json.encode(terms[1])
    for term in terms:
        _json_round_trip(term)


def test_payment_condition_from_float_json_is_exact() -> None:
    term = payment_term_from_lexoffice(sample("053_payment-conditions_list_response.json")[1])

    assert term.discount == PaymentDiscount(percentage=Decimal("3.0"), days=10)


@given(
    percentage=st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False),
    days=st.integers(min_value=0, max_value=365),
)
def test_discount_percentage_is_exact(percentage: Decimal, days: int) -> None:
    data = {"id": "x", "paymentDiscountConditions": {"discountPercentage": percentage, "discountRange": days}}

    term = payment_term_from_lexoffice(data)

    assert term.discount is not None
    assert term.discount.percentage == percentage
    assert str(term.discount.percentage) == str(percentage)
    _json_round_trip(term)


def test_incomplete_payment_condition_does_not_break_the_mapping() -> None:
    term = payment_term_from_lexoffice({"id": "x", "paymentDiscountConditions": {"discountRange": 10}})

    assert term == PaymentTerm(id="x")


# --- company info ---


def test_profile_sample() -> None:
    data = sample(PROFILE)

    info = company_info_from_lexoffice(data, include_raw=True)

    assert info == CompanyInfo(
        organization_id="aa93e8a8-2aa3-470b-b914-caad8a255dd8",
        company_name="Testfirma GmbH",
        tax_type="net",
        small_business=False,
        distance_sales_principle=None,
        business_features=["invoicing", "invoicing_pro", "bookkeeping"],
        connection_id="3dea098a-fae5-4458-a85c-f97965966c25",
        created_by=UserRef(
            user_id="1aea5501-3f3e-403d-8492-2dad03016289",
            user_name="Frau Erika Musterfrau",
            user_email="erika.musterfrau@testfirma.de",
        ),
        created_at=datetime(2017, 1, 3, 13, 15, 45, tzinfo=timezone(timedelta(hours=1))),
        raw=data,
    )
    assert info.raw is not None
    assert info.raw["features"] == ["cashbox"]
    _json_round_trip(info)


@pytest.mark.parametrize(
    ("upstream", "tax_type", "principle"),
    [("vatfree", "vat_free", "destination"), ("gross", "gross", "origin"), ("later", "later", "future")],
)
def test_profile_vocabulary(upstream: str, tax_type: str, principle: str) -> None:
    data = {"organizationId": "o", "taxType": upstream, "distanceSalesPrinciple": principle.upper()}

    info = company_info_from_lexoffice(data)

    assert (info.tax_type, info.distance_sales_principle) == (tax_type, principle)
    assert (info.created_by, info.created_at, info.business_features) == (None, None, [])


@pytest.mark.parametrize(
    ("timestamp", "local"),
    [
        ("2024-03-31T01:30:00.000+01:00", datetime(2024, 3, 31, 1, 30)),
        ("2024-03-31T03:30:00.000+02:00", datetime(2024, 3, 31, 3, 30)),
        ("2024-10-27T02:30:00.000+02:00", datetime(2024, 10, 27, 2, 30)),
        ("2024-10-27T02:30:00.000+01:00", datetime(2024, 10, 27, 2, 30, fold=1)),
        ("2024-10-27T01:30:00.000Z", datetime(2024, 10, 27, 2, 30, fold=1)),
    ],
)
def test_created_at_is_the_exact_instant_across_dst_changes(timestamp: str, local: datetime) -> None:
    info = company_info_from_lexoffice({"organizationId": "o", "created": {"date": timestamp}})

    assert info.created_at is not None
    berlin = info.created_at.astimezone(ZoneInfo("Europe/Berlin"))
    assert (berlin.replace(tzinfo=None), berlin.fold) == (local, local.fold)
    _json_round_trip(info)


# --- tax rates ---

SALES_NORMAL = {Decimal(0), Decimal(7), Decimal(19)}
SALES_2020_REDUCTION = {Decimal(0), Decimal(5), Decimal(16)}
BOOKKEEPING = {Decimal(0), Decimal(5), Decimal(7), Decimal(16), Decimal(19)}


def _rates(valid_on: date, applies_to: str) -> set[Decimal]:
    found = [rate.rate for rate in tax_rates(valid_on=valid_on, applies_to=applies_to)]
    assert len(found) == len(set(found))
    return set(found)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2020, 6, 25), SALES_NORMAL),
        (date(2020, 6, 30), SALES_NORMAL),
        (date(2020, 7, 1), SALES_2020_REDUCTION),
        (date(2020, 12, 31), SALES_2020_REDUCTION),
        (date(2021, 1, 1), SALES_NORMAL),
        (date(2024, 3, 31), SALES_NORMAL),
    ],
)
def test_sales_rates_by_date(day: date, expected: set[Decimal]) -> None:
    assert _rates(day, "sales") == expected


@given(day=st.dates())
def test_rates_on_any_day(day: date) -> None:
    reduced = date(2020, 7, 1) <= day <= date(2020, 12, 31)

    assert _rates(day, "sales") == (SALES_2020_REDUCTION if reduced else SALES_NORMAL)
    assert _rates(day, "bookkeeping") == BOOKKEEPING
    assert {rate.rate for rate in tax_rates(valid_on=day)} == BOOKKEEPING


def test_tax_rate_table() -> None:
    assert tax_rates() == list(TAX_RATES)
    assert len(TAX_RATES) == 11
    assert TAX_RATES[0] == TaxRate(
        rate=Decimal(0), label=TAX_RATES[0].label, applies_to=["sales", "bookkeeping"]
    )
    assert all(isinstance(rate.rate, Decimal) for rate in TAX_RATES)
    assert tax_rates(applies_to="payroll") == []
    for rate in TAX_RATES:
        _json_round_trip(rate)
    assert b'"rate":"19"' in msgspec.json.encode(TAX_RATES[1])
