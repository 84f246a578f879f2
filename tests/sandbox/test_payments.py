"""Sandbox payments: GET /v1/payments/{voucherId}; the control routes that pay, void and revert vouchers."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
import pytest

from tests.support.sales import (
    assert_regular_error,
    create,
    credit_note_body,
    fetch,
    finalized_invoice,
    invoice_body,
    payments_of,
    priced_item,
    stored_records,
    watching,
)
from tests.support.samples import sample
from tests.support.sandbox import SandboxOrg

PAYMENT_SAMPLES = [
    "048_payments_sample_invoice_open_no_items.json",
    "049_payments_sample_purchaseinvoice_open_partial.json",
    "050_payments_sample_purchasecreditnote_balanced.json",
    "051_payments_sample_invoice_paid_cashdiscount.json",
    "052_payments_retrieve_response.json",
]
PAID_KEYS = set(sample("051_payments_sample_invoice_paid_cashdiscount.json"))
OPEN_KEYS = set(sample("048_payments_sample_invoice_open_no_items.json"))
ITEM_KEYS = set(sample("049_payments_sample_purchaseinvoice_open_partial.json")["paymentItems"][0])


def control_post(
    lex: SandboxOrg, voucher_id: str, action: str, body: dict[str, Any] | None = None
) -> httpx.Response:
    with lex.sandbox.control() as control:
        return control.post(f"/_sandbox/organizations/{lex.id}/vouchers/{voucher_id}/{action}", json=body)


def pay(lex: SandboxOrg, voucher_id: str, amount: float, **extra: Any) -> httpx.Response:
    return control_post(lex, voucher_id, "payments", {"amount": amount, **extra})


def bookkeeping_voucher(lex: SandboxOrg, voucher_type: str, gross: str = "80.04") -> str:
    """A bookkeeping voucher stored directly, as the vouchers endpoint would store it."""
    record = {
        "type": voucher_type,
        "voucherStatus": "open",
        "voucherNumber": "2010096",
        "voucherDate": "2023-06-14T00:00:00.000+02:00",
        "totalGrossAmount": Decimal(gross),
        "totalTaxAmount": Decimal("12.78"),
        "taxType": "gross",
        "useCollectiveContact": True,
        "voucherItems": [],
        "files": [],
    }
    return str(lex.org.create("vouchers", record, event_prefix="voucher")["id"])


def test_an_open_invoice_without_payments(lex: SandboxOrg) -> None:
    with lex.client() as c:
        state = payments_of(c, finalized_invoice(c, priced_item(100)))
    assert set(state) == OPEN_KEYS
    assert state == {
        "openAmount": 119,
        "currency": "EUR",
        "paymentStatus": "openRevenue",
        "voucherType": "invoice",
        "voucherStatus": "open",
        "paymentItems": [],
    }


def test_partial_then_full_payment(lex: SandboxOrg) -> None:
    with (
        watching(lex, "payment.changed", "invoice.status.changed", "invoice.changed") as seen,
        lex.client() as c,
    ):
        invoice_id = finalized_invoice(c, priced_item(100))
        first = pay(lex, invoice_id, 72.5, postingDate="2023-07-14T00:00:00.000+02:00")
        partial = payments_of(c, invoice_id)
        assert fetch(c, "invoices", invoice_id)["version"] == 2
        pay(
            lex, invoice_id, 46.5, paymentItemType="cashDiscount", postingDate="2023-07-15T00:00:00.000+02:00"
        )
        paid = payments_of(c, invoice_id)
        invoice = fetch(c, "invoices", invoice_id)
        events = seen()
    assert first.status_code == 201
    assert first.json() == partial
    assert partial["openAmount"] == 46.5
    assert partial["voucherStatus"] == "open"
    assert "paidDate" not in partial
    assert partial["paymentItems"] == [
        {
            "paymentItemType": "partPaymentFinancialTransaction",
            "postingDate": "2023-07-14T00:00:00.000+02:00",
            "amount": 72.5,
            "currency": "EUR",
        }
    ]
    assert set(paid) == PAID_KEYS
    assert all(set(item) == ITEM_KEYS for item in paid["paymentItems"])
    assert (paid["openAmount"], paid["paymentStatus"], paid["voucherStatus"]) == (0, "balanced", "paid")
    assert paid["paidDate"] == "2023-07-15T00:00:00.000+02:00"
    assert invoice["voucherStatus"] == "paid"
    assert invoice["version"] == 3
    assert events == [
        ("payment.changed", invoice_id),
        ("payment.changed", invoice_id),
        ("invoice.status.changed", invoice_id),
    ]


def test_posting_date_defaults_to_now(lex: SandboxOrg) -> None:
    with lex.client() as c:
        invoice_id = finalized_invoice(c)
        pay(lex, invoice_id, 5).raise_for_status()
        state = payments_of(c, invoice_id)
    assert state["voucherStatus"] == "paid"
    assert state["paidDate"] == state["paymentItems"][0]["postingDate"]


@pytest.mark.parametrize(
    "body",
    [
        {"amount": 119.01},
        {"amount": 0},
        {"amount": -1},
        {"amount": 1.001},
        {"amount": "10"},
        {"amount": 10, "paymentItemType": "barzahlung"},
        {"amount": 10, "postingDate": "2023-07-14"},
    ],
)
def test_bad_payments_are_400_and_change_nothing(lex: SandboxOrg, body: dict[str, Any]) -> None:
    with lex.client() as c:
        invoice_id = finalized_invoice(c, priced_item(100))
        before = stored_records(lex)
        response = control_post(lex, invoice_id, "payments", body)
        assert payments_of(c, invoice_id)["paymentItems"] == []
    assert response.status_code == 400
    assert set(response.json()) == {"status", "message"}
    assert stored_records(lex) == before


@pytest.mark.parametrize("status", ["draft", "paid", "voided"])
def test_only_open_vouchers_take_payments(lex: SandboxOrg, status: str) -> None:
    with lex.client() as c:
        invoice_id = create(c, "invoices", invoice_body(), finalize=str(status != "draft").lower())
    if status == "paid":
        pay(lex, invoice_id, 5).raise_for_status()
    if status == "voided":
        control_post(lex, invoice_id, "void").raise_for_status()
    assert pay(lex, invoice_id, 1).status_code == 409


def test_payments_of_a_draft_are_406(lex: SandboxOrg) -> None:
    with lex.client() as c:
        draft_id = create(c, "invoices", invoice_body())
        response = c.get(f"/v1/payments/{draft_id}")
    assert_regular_error(response, 406, f"/v1/payments/{draft_id}", "voucherStatus")


def test_unknown_and_foreign_vouchers_are_404(lex: SandboxOrg) -> None:
    other = lex.sandbox.new_org()
    with other.client() as o:
        foreign = finalized_invoice(o)
    with lex.client() as c:
        for voucher_id in (foreign, "00000000-0000-0000-0000-000000000000"):
            assert_regular_error(c.get(f"/v1/payments/{voucher_id}"), 404, f"/v1/payments/{voucher_id}")
    assert pay(lex, foreign, 1).status_code == 404
    with lex.sandbox.control() as control:
        response = control.post(f"/_sandbox/organizations/nope/vouchers/{foreign}/void")
    assert response.status_code == 404


def test_a_voided_invoice_is_balanced(lex: SandboxOrg) -> None:
    with watching(lex, "payment.changed", "invoice.status.changed") as seen, lex.client() as c:
        invoice_id = finalized_invoice(c, priced_item(100))
        pay(lex, invoice_id, 20).raise_for_status()
        voided = control_post(lex, invoice_id, "void")
        state = payments_of(c, invoice_id)
        events = seen()
    assert voided.status_code == 200
    assert voided.json()["voucherStatus"] == "voided"
    assert (state["openAmount"], state["paymentStatus"], state["voucherStatus"]) == (0, "balanced", "voided")
    assert "paidDate" not in state
    assert len(state["paymentItems"]) == 1
    assert events[-2:] == [("payment.changed", invoice_id), ("invoice.status.changed", invoice_id)]
    assert control_post(lex, invoice_id, "void").status_code == 409


def test_a_standalone_credit_note_is_open_revenue_until_paid_off(lex: SandboxOrg) -> None:
    with watching(lex, "credit-note.status.changed") as seen, lex.client() as c:
        credit_id = create(c, "credit-notes", credit_note_body(), finalize="true")  # 36.89 gross
        open_state = payments_of(c, credit_id)
        pay(lex, credit_id, 36.89, paymentItemType="manualPayment").raise_for_status()
        paid_off = payments_of(c, credit_id)
        assert fetch(c, "credit-notes", credit_id)["voucherStatus"] == "paidoff"
        assert seen() == [("credit-note.status.changed", credit_id)]
    assert (open_state["openAmount"], open_state["paymentStatus"]) == (36.89, "openRevenue")
    assert open_state["voucherType"] == "creditnote"
    assert (paid_off["paymentStatus"], paid_off["voucherStatus"]) == ("balanced", "paidoff")


@pytest.mark.parametrize(
    ("voucher_type", "payment_status", "settled"),
    [
        ("purchaseinvoice", "openExpense", "paid"),
        ("purchasecreditnote", "openExpense", "paidoff"),
        ("salesinvoice", "openRevenue", "paid"),
        ("salescreditnote", "openRevenue", "paidoff"),
    ],
)
def test_bookkeeping_vouchers(lex: SandboxOrg, voucher_type: str, payment_status: str, settled: str) -> None:
    voucher_id = bookkeeping_voucher(lex, voucher_type)
    with watching(lex, "payment.changed", "voucher.status.changed") as seen, lex.client() as c:
        open_state = payments_of(c, voucher_id)
        pay(lex, voucher_id, 39.9, paymentItemType="manualPayment").raise_for_status()
        partial = payments_of(c, voucher_id)
        pay(lex, voucher_id, 40.14, paymentItemType="manualPayment").raise_for_status()
        closed = payments_of(c, voucher_id)
        events = seen()
    assert (open_state["openAmount"], open_state["paymentStatus"]) == (80.04, payment_status)
    assert open_state["voucherType"] == voucher_type
    assert partial["openAmount"] == 40.14
    assert partial["paymentStatus"] == payment_status
    assert (closed["openAmount"], closed["paymentStatus"], closed["voucherStatus"]) == (
        0,
        "balanced",
        settled,
    )
    assert lex.org.collection("vouchers")[voucher_id]["version"] == 3
    assert events == [
        ("payment.changed", voucher_id),
        ("payment.changed", voucher_id),
        ("voucher.status.changed", voucher_id),
    ]


def test_voiding_a_bookkeeping_voucher(lex: SandboxOrg) -> None:
    voucher_id = bookkeeping_voucher(lex, "purchaseinvoice")
    with watching(lex, "voucher.status.changed") as seen, lex.client() as c:
        assert control_post(lex, voucher_id, "void").status_code == 200
        assert payments_of(c, voucher_id)["paymentStatus"] == "balanced"
        assert seen() == [("voucher.status.changed", voucher_id)]


def test_revert_to_draft(lex: SandboxOrg) -> None:
    with watching(lex, "payment.changed", "invoice.status.changed") as seen, lex.client() as c:
        invoice_id = finalized_invoice(c)
        reverted = control_post(lex, invoice_id, "revert-to-draft")
        invoice = fetch(c, "invoices", invoice_id)
        payments = c.get(f"/v1/payments/{invoice_id}")
        events = seen()
    assert reverted.status_code == 200
    assert invoice["voucherStatus"] == "draft"
    assert invoice["version"] == 2
    assert invoice["voucherNumber"] == "RE1001"  # a number, once given, stays with the voucher
    assert payments.status_code == 406
    assert events == [("payment.changed", invoice_id), ("invoice.status.changed", invoice_id)]


@pytest.mark.parametrize("case", ["draft", "with payment", "bookkeeping voucher"])
def test_revert_to_draft_needs_an_open_sales_voucher_without_payments(lex: SandboxOrg, case: str) -> None:
    with lex.client() as c:
        if case == "bookkeeping voucher":
            voucher_id = bookkeeping_voucher(lex, "salesinvoice")
        else:
            voucher_id = create(
                c,
                "invoices",
                invoice_body(lineItems=[priced_item(10)]),
                finalize=str(case != "draft").lower(),
            )
    if case == "with payment":
        pay(lex, voucher_id, 1).raise_for_status()
    before = stored_records(lex)
    assert control_post(lex, voucher_id, "revert-to-draft").status_code == 409
    assert stored_records(lex) == before


@pytest.mark.parametrize("name", PAYMENT_SAMPLES)
def test_every_documented_payment_shape_is_produced(lex: SandboxOrg, name: str) -> None:
    documented = sample(name)
    voucher_type, status = documented["voucherType"], documented["voucherStatus"]
    with lex.client() as c:
        if voucher_type == "invoice":
            voucher_id = finalized_invoice(c, priced_item(100))
        else:
            voucher_id = bookkeeping_voucher(lex, voucher_type)
        gross = Decimal(str(payments_of(c, voucher_id)["openAmount"]))
        for item in documented["paymentItems"]:
            amount = gross if status in ("paid", "paidoff") and item is documented["paymentItems"][-1] else 1
            pay(lex, voucher_id, float(amount), paymentItemType=item["paymentItemType"]).raise_for_status()
            gross -= Decimal(amount)
        state = payments_of(c, voucher_id)
    assert set(state) == set(documented)
    assert (state["voucherType"], state["voucherStatus"], state["paymentStatus"]) == (
        voucher_type,
        status,
        documented["paymentStatus"],
    )
