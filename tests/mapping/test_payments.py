"""Payments: the lexoffice payment samples (048-052) -> unified; unknown words survive; JSON round trip."""

from __future__ import annotations

import string
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import msgspec
from hypothesis import given
from hypothesis import strategies as st

from connectors.lexoffice.mapping.payments import payment_from_lexoffice
from schemas.payments import Payment
from tests.support.samples import sample_exact

DOCUMENT = "e9066f04-8cc7-4616-93f8-ac9ecc8479c8"
CEST = timezone(timedelta(hours=2))


def mapped(name: str, *, include_raw: bool = False) -> Payment:
    payment = payment_from_lexoffice(sample_exact(name), document_id=DOCUMENT, include_raw=include_raw)
    if not include_raw:
        assert msgspec.json.decode(msgspec.json.encode(payment), type=Payment) == payment
    return payment


def test_open_invoice_without_payments_048() -> None:
    payment = mapped("048_payments_sample_invoice_open_no_items.json")
    assert (payment.document_id, payment.document_type, payment.document_status) == (
        DOCUMENT,
        "invoice",
        "open",
    )
    assert (payment.payment_status, payment.open_amount, payment.currency) == (
        "open",
        Decimal("200.00"),
        "EUR",
    )
    assert str(payment.open_amount) == "200.00"
    assert (payment.paid_at, payment.items, payment.raw) == (None, [], None)


def test_partly_paid_purchase_invoice_049() -> None:
    payment = mapped("049_payments_sample_purchaseinvoice_open_partial.json")
    assert (payment.document_type, payment.payment_status, payment.open_amount) == (
        "purchase_invoice",
        "open",
        Decimal("39.90"),
    )
    assert [(i.type, i.amount, i.currency, i.posting_date) for i in payment.items] == [
        ("manual_payment", Decimal("10.50"), "EUR", date(2023, 11, 7)),
        ("manual_payment", Decimal("20.0"), "EUR", date(2023, 11, 13)),
    ]


def test_balanced_purchase_credit_note_050() -> None:
    payment = mapped("050_payments_sample_purchasecreditnote_balanced.json")
    assert (payment.document_type, payment.document_status, payment.payment_status) == (
        "purchase_credit_note",
        "paid_off",
        "balanced",
    )
    assert payment.open_amount == 0
    assert payment.paid_at == datetime(2023, 7, 14, 13, 42, 2, 123000, tzinfo=CEST)
    # "2023-07-14T00:00:00.000+01:00" is 01:00 summer time in Berlin: still the 14th
    assert [(i.type, i.amount, i.posting_date) for i in payment.items] == [
        ("manual_payment", Decimal("119.0"), date(2023, 7, 14))
    ]


def test_paid_invoice_with_cash_discount_051() -> None:
    payment = mapped("051_payments_sample_invoice_paid_cashdiscount.json")
    assert (payment.document_type, payment.document_status, payment.payment_status) == (
        "invoice",
        "paid",
        "balanced",
    )
    assert payment.paid_at == datetime(2023, 7, 14, 13, 42, 2, 123000, tzinfo=CEST)
    assert [(i.type, i.amount) for i in payment.items] == [
        ("manual_payment", Decimal("72.0")),
        ("cash_discount", Decimal("7.85")),
    ]


def test_retrieve_response_052_with_a_string_amount() -> None:
    payment = mapped("052_payments_retrieve_response.json", include_raw=True)
    assert payment.open_amount == Decimal("1337.00")
    assert str(payment.open_amount) == "1337.00"
    assert (payment.document_type, payment.document_status, payment.payment_status) == (
        "sales_invoice",
        "open",
        "open",
    )
    assert [(i.amount, i.posting_date) for i in payment.items] == [
        (Decimal("10.0"), date(2023, 11, 4)),
        (Decimal("39.99"), date(2023, 11, 6)),
    ]
    assert payment.raw == sample_exact("052_payments_retrieve_response.json")
    assert b'"openAmount":"1337.00"' in msgspec.json.encode(payment)


def test_every_documented_item_type_and_optional_fields() -> None:
    documented = {
        "partPaymentFinancialTransaction": "financial_transaction",
        "partPaymentCreditNote": "credit_note",
        "partPaymentCashBox": "cash_box",
        "manualPayment": "manual_payment",
        "cashDiscount": "cash_discount",
        "dunningCosts": "dunning_costs",
        "currencyConversion": "currency_conversion",
    }
    data = {
        "paymentStatus": "balanced",
        "voucherType": "creditnote",
        "voucherStatus": "voided",
        "paymentItems": [{"paymentItemType": item_type} for item_type in documented],
    }
    payment = payment_from_lexoffice(data, document_id=DOCUMENT)
    assert [item.type for item in payment.items] == list(documented.values())
    assert (payment.document_type, payment.document_status, payment.open_amount, payment.currency) == (
        "credit_note",
        "voided",
        None,
        None,
    )
    assert payment.items[0].amount is None
    assert payment.items[0].posting_date is None


words = st.text(string.ascii_letters, min_size=1, max_size=20)


@given(
    status=words.filter(lambda w: w not in {"openRevenue", "openExpense"}),
    voucher_type=words.filter(lambda w: not w.islower()),  # known voucherTypes are lowercase
    voucher_status=words.filter(lambda w: w not in {"paidoff", "sepadebit", "overdue"}),
    item_type=words.filter(lambda w: w[0].isupper()),  # known item types are camelCase
)
def test_unknown_upstream_words_survive(
    status: str, voucher_type: str, voucher_status: str, item_type: str
) -> None:
    data = {
        "openAmount": Decimal("1.10"),
        "currency": "EUR",
        "paymentStatus": status,
        "voucherType": voucher_type,
        "voucherStatus": voucher_status,
        "paymentItems": [{"paymentItemType": item_type, "amount": 1}],
    }
    payment = payment_from_lexoffice(data, document_id=DOCUMENT)
    assert (payment.payment_status, payment.document_type, payment.document_status) == (
        status,
        voucher_type,
        voucher_status,
    )
    assert payment.items[0].type == item_type
