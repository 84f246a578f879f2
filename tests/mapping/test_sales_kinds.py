"""The kinds beyond invoices and credit notes: quote/sales order/delivery note fields, down payment invoices,
recurring templates (documented samples), and the unified totals computation."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import msgspec

from connectors.lexoffice.mapping.sales import (
    SALES_KINDS,
    create_params,
    recurring_summary_from_lexoffice,
    sales_document_from_lexoffice,
    sales_document_to_lexoffice,
)
from schemas.sales import (
    DownPaymentInvoice,
    QuoteCreate,
    RecurringInvoice,
    SalesOrderCreate,
    totals_of,
)
from tests.support.samples import sample

Json = dict[str, Any]


def _request(**changes: Any) -> Json:
    return {
        "issue_date": "2024-03-31",
        "address": {"name": "Musterfirma GmbH", "country_code": "DE"},
        "line_items": [
            {"name": "A", "quantity": "3", "unit_name": "h",
             "unit_price": {"amount": "33.33", "tax_rate": "19"}, "discount_percentage": "10"},
            {"name": "B", "quantity": "1.5", "unit_name": "kg",
             "unit_price": {"amount": "9.99", "tax_rate": "7"}},
        ],
        **changes,
    }  # fmt: skip


def test_kind_fields_are_written_by_name() -> None:
    quote = msgspec.convert(_request(expiration_date="2024-04-30", finalize=True), QuoteCreate, strict=False)
    body = sales_document_to_lexoffice(quote)
    assert body["expirationDate"] == "2024-04-30T00:00:00.000+02:00"
    assert create_params(quote) == {"finalize": "true"}
    order = msgspec.convert(
        _request(delivery={"type": "delivery", "date": "2024-04-02"}, delivery_terms="Frei Haus"),
        SalesOrderCreate,
        strict=False,
    )
    assert sales_document_to_lexoffice(order)["deliveryTerms"] == "Frei Haus"


def test_down_payment_invoice_and_recurring_template_samples() -> None:
    down = sales_document_from_lexoffice(
        sample("026_down-payment-invoices_resource_sample.json"), kind="down_payment_invoice"
    )
    assert type(down) is DownPaymentInvoice
    assert (down.type, down.status, down.closing_invoice_id) == ("down_payment_invoice", "open", None)
    template = sales_document_from_lexoffice(
        sample("062_recurring-templates_resource_sample.json"), kind="recurring_invoice"
    )
    assert isinstance(template, RecurringInvoice)
    assert (template.status, template.number, template.issue_date) == ("active", None, None)
    assert template.schedule is not None
    assert (template.schedule.interval, template.schedule.start_date) == ("monthly", date(2023, 3, 1))
    assert template.schedule.finalize
    assert template.schedule.delivery_type == "service"
    item = sample("065_recurring-templates_list_response.json")["content"][0]
    summary = recurring_summary_from_lexoffice(item)
    assert (summary.type, summary.status, summary.total_amount) == (
        "recurring_invoice",
        "paused",
        Decimal(299),
    )
    assert summary.contact_id == item["address"]["contactId"]


def test_read_only_kinds_are_marked() -> None:
    assert not SALES_KINDS["down_payment_invoice"].creatable
    assert not SALES_KINDS["recurring_invoice"].voucherlist
    assert not SALES_KINDS["dunning"].listable
    assert SALES_KINDS["sales_order"].path == "sales-orders"


def test_totals_of_net_and_gross() -> None:
    net = totals_of(msgspec.convert(_request(expiration_date="2024-04-30"), QuoteCreate, strict=False))
    # 3 × 33.33 × 0.9 = 89.991 -> 89.99 (19 %: 17.10); 1.5 × 9.99 = 14.985 -> 14.99 (7 %: 1.05)
    assert (net.net, net.tax, net.gross) == (Decimal("104.98"), Decimal("18.15"), Decimal("123.13"))
    gross = totals_of(
        msgspec.convert(
            _request(expiration_date="2024-04-30", tax_mode="gross", discount_percentage="10"),
            QuoteCreate,
            strict=False,
        )
    )
    # sum 104.98, 10 % = 10.50 -> 94.48 spread: 19 % 80.99, 7 % 13.49; net 68.06 + 12.61
    assert (gross.net, gross.tax, gross.gross) == (Decimal("80.67"), Decimal("13.81"), Decimal("94.48"))
