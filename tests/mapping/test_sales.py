"""Sales documents: lexoffice samples -> unified, create -> lexoffice body, round trips, list filters."""

from __future__ import annotations

import json
import string
import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, get_args

import msgspec
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from connectors.lexoffice.mapping.sales import (
    SALES_KINDS,
    create_params,
    sales_document_from_lexoffice,
    sales_document_to_lexoffice,
    sales_summary_matches,
    voucherlist_item_from_lexoffice,
    voucherlist_params,
)
from schemas.sales import (
    AddressCreate,
    CashDiscountCreate,
    CreditNote,
    CreditNoteCreate,
    DeliveryCreate,
    DeliveryType,
    Invoice,
    InvoiceCreate,
    LineItemCreate,
    LineItemType,
    PaymentTermsCreate,
    SalesDocument,
    SalesDocumentCreate,
    SalesDocumentFilter,
    SalesDocumentSummary,
    TaxMode,
    UnitPriceCreate,
)
from tests.support.samples import SAMPLES_DIR, sample_exact
from tests.support.sandbox import SandboxOrg

CET = timezone(timedelta(hours=1))
CEST = timezone(timedelta(hours=2))
D = Decimal
CONTACT = "777c7793-9fbb-4ec7-9254-0619c199761e"
INVOICE_ID = "e9066f04-8cc7-4616-93f8-ac9ecc8479c8"
LOCK = "Abus Kabelschloss Primo 590 "
LOCK_TEXT = (
    "· 9,5 mm starkes, smoke-mattes Spiralkabel mit integrierter Halterlösung zur Befestigung am "
    "Sattelklemmbolzen · bewährter Qualitäts-Schließzylinder mit praktischem Wendeschlüssel · "
    "KabelØ: 9,5 mm, Länge: 150 cm"
)
TERMS = "10 Tage - 3 %, 30 Tage netto"
wire = msgspec.json.Encoder(decimal_format="number")  # lexoffice wants JSON numbers
upstream_json = msgspec.json.Decoder(float_hook=Decimal)  # how the connector reads lexoffice


def roundtrip_json(doc: msgspec.Struct) -> None:
    """The struct is JSON-serialisable and decodes back equal (decimals travel as strings)."""
    assert msgspec.json.decode(msgspec.json.encode(doc), type=type(doc)) == doc


def decimals_exact(actual: Decimal | None, expected: Decimal | None) -> bool:
    return str(actual) == str(expected)


# --- lexoffice samples -> unified ---------------------------------------------------------------------


def test_invoice_sample_040() -> None:
    doc = sales_document_from_lexoffice(sample_exact("040_invoices_retrieve_response.json"), kind="invoice")
    assert isinstance(doc, Invoice)
    assert (doc.id, doc.type, doc.version, doc.status, doc.number) == (
        INVOICE_ID,
        "invoice",
        0,
        "draft",
        "RE1019",
    )
    assert doc.issue_date == date(2023, 2, 22)
    assert doc.due_date is None
    assert doc.currency == "EUR"
    assert doc.contact_id is None
    assert doc.address is not None
    assert (doc.address.name, doc.address.postal_code, doc.address.city) == (
        "Bike & Ride GmbH & Co. KG",
        "79112",
        "Freiburg",
    )
    assert (doc.address.supplement, doc.address.street, doc.address.country_code) == (
        "Gebäude 10",
        "Musterstraße 42",
        "DE",
    )
    assert (doc.tax_mode, doc.prices_include_tax, doc.tax_note) == ("net", False, None)
    lock, mounting, bar = doc.line_items
    assert (lock.type, lock.product_id, lock.name, lock.description) == (
        "material",
        "97b98491-e953-4dc9-97a9-ae437a8052b4",
        LOCK,
        LOCK_TEXT,
    )
    assert (lock.quantity, lock.unit_name, lock.discount_percentage, lock.amount) == (
        D(2),
        "Stück",
        D(50),
        D("13.4"),
    )
    assert lock.unit_price is not None
    assert (lock.unit_price.net, lock.unit_price.gross, lock.unit_price.tax_rate) == (
        D("13.4"),
        D("15.95"),
        D(19),
    )
    assert (mounting.type, mounting.unit_name, mounting.amount, mounting.currency) == (
        "service",
        "Stunde",
        D("8.32"),
        "EUR",
    )
    assert mounting.unit_price is not None
    assert (mounting.unit_price.gross, mounting.unit_price.tax_rate) == (D("8.9"), D(7))
    assert (bar.type, bar.product_id, bar.amount) == ("custom", None, D(5))
    assert doc.totals is not None
    assert (doc.totals.net, doc.totals.tax, doc.totals.gross) == (D("26.72"), D("3.13"), D("29.85"))
    assert (doc.totals.discount_absolute, doc.totals.discount_percentage, doc.totals.currency) == (
        None,
        None,
        "EUR",
    )
    assert [(t.rate, t.net, t.tax) for t in doc.tax_breakdown] == [
        (D(0), D(5), D(0)),
        (D(7), D("8.32"), D("0.58")),
        (D(19), D("13.4"), D("2.55")),
    ]
    assert doc.payment_terms is not None
    assert doc.payment_terms.label == TERMS
    assert doc.payment_terms.label_template == "{discountRange} Tage -{discount}, {paymentRange} Tage netto"
    assert doc.payment_terms.due_days == 30
    assert doc.payment_terms.discount is not None
    assert (doc.payment_terms.discount.percentage, doc.payment_terms.discount.days) == (D(3), 10)
    assert doc.delivery is not None
    assert (doc.delivery.type, doc.delivery.date, doc.delivery.end_date) == (
        "delivery",
        date(2023, 4, 22),
        None,
    )
    assert (doc.title, doc.remark) == ("Rechnung", "Vielen Dank für Ihren Einkauf")
    assert doc.introduction == "Ihre bestellten Positionen stellen wir Ihnen hiermit in Rechnung"
    assert (doc.language, doc.archived) == ("de", False)
    assert doc.created_at == datetime(2023, 4, 24, 8, 20, 22, 528000, tzinfo=CEST)
    assert doc.updated_at == doc.created_at
    assert (doc.related_documents, doc.preceding_document_id, doc.document_file_id) == ([], None, None)
    assert (doc.xrechnung_buyer_reference, doc.closing_invoice, doc.recurring_template_id) == (
        None,
        False,
        None,
    )
    assert (doc.claimed_gross_amount, doc.down_payment_deductions) == (None, [])
    assert doc.raw is None
    roundtrip_json(doc)


def test_invoice_resource_sample_036_with_nulls_and_a_text_item() -> None:
    data = sample_exact("036_invoices_resource_sample.json")
    doc = sales_document_from_lexoffice(data, kind="invoice", include_raw=True)
    assert isinstance(doc, Invoice)
    assert doc.document_file_id == "75295db7-7e69-4630-befd-a7f4ddfdaa83"
    assert doc.contact_id is None
    assert [item.type for item in doc.line_items] == ["material", "service", "custom", "text"]
    text = doc.line_items[3]
    assert (text.name, text.quantity, text.unit_price, text.amount, text.currency) == (
        "Freitextposition",
        None,
        None,
        None,
        None,
    )
    assert text.description == "This item type can contain either a name or a description or both."
    assert doc.line_items[2].description is None
    assert (doc.closing_invoice, doc.claimed_gross_amount, doc.down_payment_deductions) == (False, None, [])
    assert doc.xrechnung_buyer_reference is None
    assert doc.raw == data
    msgspec.json.encode(doc)  # raw included: still serialisable


def test_credit_note_samples_008_and_012() -> None:
    for name, file_id in (
        ("008_credit-notes_resource_sample.json", "a79fea19-a892-4ea9-89ad-e879946329a3"),
        ("012_credit-notes_retrieve_response.json", None),
    ):
        doc = sales_document_from_lexoffice(sample_exact(name), kind="credit_note")
        assert isinstance(doc, CreditNote)
        assert (doc.type, doc.status, doc.number, doc.version) == ("credit_note", "draft", "GS0007", 1)
        assert doc.issue_date == date(2023, 2, 22)
        assert doc.document_file_id == file_id
        lock, bar = doc.line_items
        assert lock.unit_price is not None
        assert decimals_exact(lock.unit_price.gross, D("15.946"))  # 4 decimals, exactly
        assert (lock.quantity, lock.amount, lock.discount_percentage) == (D(2), D("26.8"), None)
        assert (bar.amount, bar.currency) == (D(5), "EUR")
        assert doc.totals is not None
        assert (doc.totals.net, doc.totals.tax, doc.totals.gross) == (D("31.8"), D("5.09"), D("36.89"))
        assert [(t.rate, t.net, t.tax) for t in doc.tax_breakdown] == [
            (D(0), D(5), D(0)),
            (D(19), D("26.8"), D("5.09")),
        ]
        assert (doc.payment_terms, doc.delivery, doc.due_date) == (None, None, None)
        assert doc.title == "Rechnungskorrektur"
        assert doc.introduction == "Rechnungskorrektur zur Rechnung RE-00020"
        assert doc.created_at == datetime(2023, 6, 17, 18, 32, 7, 480000, tzinfo=CEST)
        assert doc.updated_at == datetime(2023, 6, 17, 18, 32, 7, 551000, tzinfo=CEST)
        roundtrip_json(doc)


def test_vat_free_fragment_009() -> None:
    fragment = json.loads(
        "{" + (SAMPLES_DIR / "009_credit-notes_taxconditions_vatfree_fragment.txt").read_text() + "}"
    )
    doc = sales_document_from_lexoffice(
        {**sample_exact("012_credit-notes_retrieve_response.json"), **fragment}, kind="credit_note"
    )
    assert (doc.tax_mode, doc.prices_include_tax) == ("construction_service_13b", False)
    assert doc.tax_note == "Steuerschuldnerschaft des Leistungsempfängers (Reverse Charge)"


def test_gross_prices_due_date_and_a_timed_voucher_date_026() -> None:
    """The down payment invoice sample has the shared shape with gross prices (read as an invoice here)."""
    doc = sales_document_from_lexoffice(
        sample_exact("026_down-payment-invoices_resource_sample.json"), kind="invoice"
    )
    assert (doc.tax_mode, doc.prices_include_tax, doc.status) == ("gross", True, "open")
    assert (doc.issue_date, doc.due_date) == (date(2023, 1, 20), date(2023, 2, 19))
    (item,) = doc.line_items
    assert decimals_exact(item.amount, D("666.00"))  # gross, digits as sent
    assert item.unit_price is not None
    assert (item.unit_price.net, item.unit_price.gross, item.unit_name) == (D("559.66"), D(666), None)
    assert doc.delivery is not None
    assert (doc.delivery.type, doc.delivery.date) == ("none", None)


def test_related_documents_and_the_preceding_document() -> None:
    invoice_ref = {"id": INVOICE_ID, "voucherNumber": "RE0357", "voucherType": "invoice"}
    dunning_ref = {"id": "52cd26a2-ea26-11eb-a4f0-2bb179f80c5a", "voucherType": "dunning"}
    delivery_ref = {"id": "52cd26a2-ea26-11eb-a4f0-2bb179f80c5b", "voucherType": "deliverynote"}
    credit_note = {
        **sample_exact("012_credit-notes_retrieve_response.json"),
        "relatedVouchers": [invoice_ref],
    }
    doc = sales_document_from_lexoffice(credit_note, kind="credit_note")
    assert doc.preceding_document_id == INVOICE_ID
    assert [(r.id, r.type, r.number) for r in doc.related_documents] == [(INVOICE_ID, "invoice", "RE0357")]
    follower = {
        "id": "0b1f3f8e-5d7c-4c55-b0a7-8e0c9a9e5f11",
        "voucherNumber": "GS0001",
        "voucherType": "creditnote",
    }
    quote = {
        "id": "c3a4f5e6-0000-4000-8000-000000000001",
        "voucherNumber": "AG0001",
        "voucherType": "quotation",
    }
    order = {
        "id": "c3a4f5e6-0000-4000-8000-000000000002",
        "voucherNumber": "AB0001",
        "voucherType": "orderconfirmation",
    }
    invoice = {
        **sample_exact("040_invoices_retrieve_response.json"),
        "relatedVouchers": [follower, delivery_ref, quote, order, dunning_ref],
    }
    doc = sales_document_from_lexoffice(invoice, kind="invoice")
    assert doc.preceding_document_id == order["id"]  # the nearest predecessor; the others follow
    assert [r.type for r in doc.related_documents] == [
        "credit_note",
        "delivery_note",
        "quote",
        "sales_order",
        "dunning",
    ]
    invoice["relatedVouchers"] = [follower, delivery_ref, dunning_ref]
    assert sales_document_from_lexoffice(invoice, kind="invoice").preceding_document_id is None


def test_invoice_only_fields() -> None:
    data = {
        **sample_exact("040_invoices_retrieve_response.json"),
        "address": {"contactId": CONTACT, "name": "Test GmbH", "contactPerson": "Frau Erika Musterfrau"},
        "xRechnung": {"buyerReference": "04011000-1234512345-35"},
        "closingInvoice": True,
        "claimedGrossAmount": D("119.00"),
        "downPaymentDeductions": [
            {
                "id": "0333f0c7-2b89-4889-b64e-68b3ca3f167a",
                "voucherType": "downpaymentinvoice",
                "title": "1. Abschlagsrechnung",
                "voucherNumber": "RE1129",
                "voucherDate": "2023-03-26T00:00:00.000+01:00",
                "receivedGrossAmount": 666,
                "receivedNetAmount": D("559.66"),
                "receivedTaxAmount": D("106.34"),
                "taxRatePercentage": 19,
            }
        ],
        "recurringTemplateId": "ac1d66a8-6d59-408b-9413-d56b1db7946f",
    }
    doc = sales_document_from_lexoffice(data, kind="invoice")
    assert isinstance(doc, Invoice)
    assert (doc.contact_id, doc.contact_person) == (CONTACT, "Frau Erika Musterfrau")
    assert (doc.xrechnung_buyer_reference, doc.closing_invoice) == ("04011000-1234512345-35", True)
    assert decimals_exact(doc.claimed_gross_amount, D("119.00"))
    (deduction,) = doc.down_payment_deductions
    assert (deduction.type, deduction.number, deduction.issue_date) == (
        "down_payment_invoice",
        "RE1129",
        date(2023, 3, 26),
    )
    assert (deduction.received_gross, deduction.received_net, deduction.received_tax, deduction.tax_rate) == (
        D(666),
        D("559.66"),
        D("106.34"),
        D(19),
    )
    assert doc.recurring_template_id == "ac1d66a8-6d59-408b-9413-d56b1db7946f"
    roundtrip_json(doc)


def test_missing_optional_fields_do_not_crash() -> None:
    minimal = {"id": INVOICE_ID, "version": 3, "voucherStatus": "open"}
    for kind in SALES_KINDS:
        doc = sales_document_from_lexoffice(minimal, kind=kind)
        assert (doc.status, doc.issue_date, doc.line_items, doc.totals, doc.tax_mode) == (
            "open",
            None,
            [],
            None,
            None,
        )
        assert doc.currency == "EUR"
        roundtrip_json(doc)


def test_credit_note_paid_off_status() -> None:
    data = {**sample_exact("012_credit-notes_retrieve_response.json"), "voucherStatus": "paidoff"}
    assert sales_document_from_lexoffice(data, kind="credit_note").status == "paid_off"


# --- voucherlist -------------------------------------------------------------------------------------


def test_voucherlist_sample_066() -> None:
    purchase, invoice, overdue = (
        voucherlist_item_from_lexoffice(item)
        for item in sample_exact("066_voucherlist_list_response.json")["content"]
    )
    assert (purchase.type, purchase.contact_id, purchase.contact_name) == (
        "purchase_invoice",
        None,
        "Sammellieferant",
    )
    assert (purchase.issue_date, purchase.due_date) == (date(2023, 6, 14), date(2023, 6, 21))
    assert (invoice.id, invoice.type, invoice.status, invoice.overdue, invoice.number) == (
        "f3d3ae48-30d9-4b56-973a-b3159cbe743c",
        "invoice",
        "open",
        False,
        "RE1012",
    )
    assert (invoice.total_amount, invoice.open_amount, invoice.currency) == (D("99.8"), D("74.8"), "EUR")
    assert (invoice.contact_id, invoice.contact_name) == (
        "777c7793-9fbb-4ec7-9254-0619c199761e",
        "Musterfrau, Erika",
    )
    assert invoice.created_at == datetime(2023, 5, 14, 16, 52, 21, tzinfo=CEST)
    assert (overdue.status, overdue.overdue, overdue.issue_date) == ("open", True, date(2023, 3, 2))
    assert overdue.updated_at == datetime(2023, 3, 3, 16, 52, 21, tzinfo=CET)
    assert invoice.raw is None
    for summary in (purchase, invoice, overdue):
        roundtrip_json(summary)


def test_voucherlist_params() -> None:
    assert voucherlist_params(SalesDocumentFilter()) == {  # every kind the voucherlist shows
        "voucherType": "invoice,creditnote,quotation,orderconfirmation,deliverynote,downpaymentinvoice",
        "voucherStatus": "any",
    }
    filters = SalesDocumentFilter(
        type=["credit_note"],
        status=["open", "paid_off"],
        contact_id=CONTACT,
        number="RE <1> & 2",
        issued_from=date(2024, 3, 1),
        issued_to=date(2024, 3, 31),
        updated_since=datetime(2024, 3, 30, 23, 30, tzinfo=UTC),  # already the 31st in Berlin
        archived=False,
    )
    assert voucherlist_params(filters) == {
        "voucherType": "creditnote",
        "voucherStatus": "open,paidoff,overdue",
        "contactId": CONTACT,
        "voucherNumber": "RE &lt;1&gt; &amp; 2",
        "voucherDateFrom": "2024-03-01",
        "voucherDateTo": "2024-03-31",
        "updatedDateFrom": "2024-03-31",
        "archived": "false",
    }
    both = voucherlist_params(SalesDocumentFilter(status=["paid", "paid_off", "draft"]))
    assert both["voucherStatus"] == "draft,paid,paidoff"


def test_the_updated_since_predicate_is_exact_to_the_second() -> None:
    since = datetime(2023, 5, 14, 16, 52, 21, 400000, tzinfo=CEST)
    summary = voucherlist_item_from_lexoffice(
        sample_exact("066_voucherlist_list_response.json")["content"][1]
    )
    assert sales_summary_matches(summary, SalesDocumentFilter())
    assert sales_summary_matches(summary, SalesDocumentFilter(updated_since=since))  # same second: kept
    assert sales_summary_matches(summary, SalesDocumentFilter(updated_since=since - timedelta(hours=5)))
    assert not sales_summary_matches(summary, SalesDocumentFilter(updated_since=since + timedelta(seconds=1)))
    undated = SalesDocumentSummary(id=INVOICE_ID, type="invoice", status="open")
    assert not sales_summary_matches(undated, SalesDocumentFilter(updated_since=since))


# --- create -> lexoffice ------------------------------------------------------------------------------


def decode_create(kind: type[SalesDocumentCreate], data: dict[str, Any]) -> SalesDocumentCreate:
    """A create request as the gateway receives it (JSON)."""
    return msgspec.json.decode(json.dumps(data).encode(), type=kind)


ONE_TIME_ADDRESS = {
    "name": "Bike & Ride GmbH & Co. KG",
    "supplement": "Gebäude 10",
    "street": "Musterstraße 42",
    "city": "Freiburg",
    "postal_code": "79112",
    "country_code": "DE",
}
TEXT_ITEM = {
    "type": "text",
    "name": "Strukturieren Sie Ihre Belege durch Text-Elemente.",
    "description": "Das hilft beim Verständnis",
}
BAR = {
    "name": "Energieriegel Testpaket",
    "quantity": 1,
    "unit_name": "Stück",
    "unit_price": {"amount": "5", "tax_rate": 0},
}


def documented(name: str) -> dict[str, Any]:
    body: dict[str, Any] = sample_exact(name)
    del body["archived"]  # read-only: the mapping does not send it
    return body


def test_credit_note_create_reproduces_sample_010() -> None:
    req = decode_create(
        CreditNoteCreate,
        {
            "issue_date": "2023-02-22",
            "address": ONE_TIME_ADDRESS,
            "line_items": [
                {
                    "name": LOCK,
                    "description": LOCK_TEXT,
                    "quantity": 2,
                    "unit_name": "Stück",
                    "unit_price": {"amount": "13.4", "tax_rate": 19},
                },
                BAR,
                TEXT_ITEM,
            ],
            "title": "Rechnungskorrektur",
            "introduction": "Rechnungskorrektur zur Rechnung RE-00020",
            "remark": "Folgende Lieferungen/Leistungen schreiben wir Ihnen gut.",
        },
    )
    body = sales_document_to_lexoffice(req)
    assert body == documented("010_credit-notes_create_request.json")
    assert create_params(req) == {}


def test_invoice_create_reproduces_sample_038() -> None:
    req = decode_create(
        InvoiceCreate,
        {
            "issue_date": "2023-02-22",
            "address": ONE_TIME_ADDRESS,
            "line_items": [{**BAR, "type": "custom", "discount_percentage": 0}, TEXT_ITEM],
            "payment_terms": {"label": TERMS, "due_days": 30, "discount": {"percentage": 3, "days": 10}},
            "delivery": {"type": "delivery", "date": "2023-04-22"},
            "title": "Rechnung",
            "introduction": "Ihre bestellten Positionen stellen wir Ihnen hiermit in Rechnung",
            "remark": "Vielen Dank für Ihren Einkauf",
            "finalize": True,
        },
    )
    body = sales_document_to_lexoffice(req)
    assert body == documented("038_invoices_create_request.json")
    assert body["voucherDate"] == "2023-02-22T00:00:00.000+01:00"
    assert body["shippingConditions"]["shippingDate"] == "2023-04-22T00:00:00.000+02:00"  # summer time
    assert create_params(req) == {"finalize": "true"}


def test_contact_gross_prices_periods_discounts_and_pursue() -> None:
    req = InvoiceCreate(
        issue_date=date(2024, 10, 27),
        contact_id=CONTACT,
        address=AddressCreate(supplement="Hinterhaus"),
        line_items=[
            LineItemCreate(
                type="service",
                product_id="dc4c805b-7df1-4310-a548-22be4499eb04",
                name="Montage",
                quantity=D("1.5"),
                unit_name="Stunde",
                unit_price=UnitPriceCreate(amount=D("59.5000"), tax_rate=D("19")),
                discount_percentage=D("12.5"),
            )
        ],
        tax_mode="gross",
        tax_sub_type="distance_sales",
        discount_percentage=D("2.50"),
        discount_absolute=D("1.00"),
        payment_terms=PaymentTermsCreate(due_days=14),
        delivery=DeliveryCreate(type="service_period", date=date(2024, 3, 31), end_date=date(2024, 4, 1)),
        language="en",
        xrechnung_buyer_reference="",
        preceding_document_id=INVOICE_ID,
    )
    body = sales_document_to_lexoffice(req)
    assert body["address"] == {"contactId": CONTACT, "supplement": "Hinterhaus"}
    assert body["voucherDate"] == "2024-10-27T00:00:00.000+02:00"  # the day winter time begins
    assert body["lineItems"] == [
        {
            "id": "dc4c805b-7df1-4310-a548-22be4499eb04",
            "type": "service",
            "name": "Montage",
            "quantity": D("1.5"),
            "unitName": "Stunde",
            "unitPrice": {"currency": "EUR", "grossAmount": D("59.5000"), "taxRatePercentage": 19},
            "discountPercentage": D("12.5"),
        }
    ]
    assert body["totalPrice"] == {
        "currency": "EUR",
        "totalDiscountAbsolute": 1,
        "totalDiscountPercentage": D("2.5"),
    }
    assert body["taxConditions"] == {"taxType": "gross", "taxSubType": "distanceSales"}
    assert body["paymentConditions"] == {"paymentTermDuration": 14}
    assert body["shippingConditions"] == {
        "shippingDate": "2024-03-31T00:00:00.000+01:00",  # midnight before the switch to summer time
        "shippingEndDate": "2024-04-01T00:00:00.000+02:00",
        "shippingType": "serviceperiod",
    }
    assert (body["language"], body["xRechnung"]) == ("en", {"buyerReference": ""})
    assert create_params(req) == {"precedingSalesVoucherId": INVOICE_ID}
    assert b'"quantity":1.5,' in wire.encode(body)  # JSON numbers on the wire


def test_vat_free_modes_use_lexoffice_words() -> None:
    req = CreditNoteCreate(
        issue_date=date(2024, 1, 1),
        contact_id=CONTACT,
        line_items=[
            LineItemCreate(
                name="x", quantity=D(1), unit_name="h", unit_price=UnitPriceCreate(amount=D(1), tax_rate=D(0))
            )
        ],
        tax_mode="intra_community_supply",
        tax_note="Steuerfreie innergemeinschaftliche Lieferung",
    )
    assert sales_document_to_lexoffice(req)["taxConditions"] == {
        "taxType": "intraCommunitySupply",
        "taxTypeNote": "Steuerfreie innergemeinschaftliche Lieferung",
    }


def test_raw_is_deep_merged_last() -> None:
    req = decode_create(
        InvoiceCreate,
        {
            "issue_date": "2024-03-31",
            "contact_id": CONTACT,
            "line_items": [BAR],
            "tax_note": "mapped",
            "delivery": {"type": "none"},
            "raw": {
                "taxConditions": {"taxType": "vatfree"},
                "shippingConditions": {
                    "shippingType": "service",
                    "shippingDate": "2024-03-30T00:00:00.000+01:00",
                },
                "lineItems": [],
                "deliveryTerms": "ab Werk",
            },
        },
    )
    body = sales_document_to_lexoffice(req)
    assert body["taxConditions"] == {"taxType": "vatfree", "taxTypeNote": "mapped"}  # merged key by key
    assert body["shippingConditions"] == {
        "shippingType": "service",
        "shippingDate": "2024-03-30T00:00:00.000+01:00",
    }
    assert body["lineItems"] == []  # lists are replaced
    assert body["deliveryTerms"] == "ab Werk"
    assert body["address"] == {"contactId": CONTACT}


@pytest.mark.parametrize(
    ("kind", "changes", "path"),
    [
        (CreditNoteCreate, {"line_items": []}, "$.line_items"),
        (CreditNoteCreate, {"line_items": [{**BAR, "quantity": "1.00001"}]}, "$.line_items[0]"),
        (CreditNoteCreate, {"line_items": [{**BAR, "quantity": "-1"}]}, "$.line_items[0]"),
        (
            CreditNoteCreate,
            {"line_items": [{**BAR, "unit_price": {"amount": "0.00001", "tax_rate": 0}}]},
            "$.line_items[0].unit_price",
        ),
        (
            CreditNoteCreate,
            {"line_items": [{**BAR, "unit_price": {"amount": "NaN", "tax_rate": 0}}]},
            "$.line_items[0].unit_price",
        ),
        (
            CreditNoteCreate,
            {"line_items": [{**BAR, "unit_price": {"amount": 1, "tax_rate": 101}}]},
            "$.line_items[0].unit_price",
        ),
        (
            CreditNoteCreate,
            {"line_items": [{**BAR, "unit_price": {"amount": 1, "tax_rate": 0, "currency": "USD"}}]},
            "$.line_items[0].unit_price.currency",
        ),
        (CreditNoteCreate, {"line_items": [{**BAR, "discount_percentage": "100.01"}]}, "$.line_items[0]"),
        (CreditNoteCreate, {"line_items": [{**BAR, "discount_percentage": "1.005"}]}, "$.line_items[0]"),
        (CreditNoteCreate, {"line_items": [{**BAR, "unit_price": None}]}, "$.line_items[0]"),
        (CreditNoteCreate, {"line_items": [{**TEXT_ITEM, "quantity": 1}]}, "$.line_items[0]"),
        (CreditNoteCreate, {"line_items": [{**BAR, "type": "bundle"}]}, "$.line_items[0].type"),
        (CreditNoteCreate, {"line_items": [{**BAR, "name": ""}]}, "$.line_items[0].name"),
        (CreditNoteCreate, {"line_items": [{**BAR, "product_id": INVOICE_ID}]}, "$.line_items[0]"),
        (CreditNoteCreate, {"line_items": [{**BAR, "price": 1}]}, "$.line_items[0]"),
        (CreditNoteCreate, {"contact_id": None, "address": {"name": "Erika"}}, "$"),
        (CreditNoteCreate, {"contact_id": "not-a-uuid"}, "$.contact_id"),
        (CreditNoteCreate, {"address": {"country_code": "Deutschland"}}, "$.address.country_code"),
        (CreditNoteCreate, {"tax_mode": "vatfree"}, "$.tax_mode"),
        (
            CreditNoteCreate,
            {"tax_mode": "vat_free", "line_items": [{**BAR, "unit_price": {"amount": 1, "tax_rate": 7}}]},
            "$",
        ),
        (CreditNoteCreate, {"tax_mode": "vat_free", "tax_sub_type": "distance_sales"}, "$"),
        (
            CreditNoteCreate,
            {"tax_mode": "external_service_13b", "contact_id": None, "address": ONE_TIME_ADDRESS},
            "$",
        ),
        (CreditNoteCreate, {"discount_percentage": "100.5"}, "$"),
        (CreditNoteCreate, {"discount_absolute": "-1"}, "$"),
        (CreditNoteCreate, {"language": "fr"}, "$.language"),
        (CreditNoteCreate, {"payment_terms": {"due_days": 3}}, "$"),  # credit notes have no payment terms
        (CreditNoteCreate, {"totals": {"gross": 1}}, "$"),
        (CreditNoteCreate, {"issue_date": "2024-03-31T00:00:00+01:00"}, "$.issue_date"),
        (InvoiceCreate, {}, "$"),  # invoices need a delivery
        (InvoiceCreate, {"delivery": {"type": "delivery"}}, "$.delivery"),
        (InvoiceCreate, {"delivery": {"type": "service_period", "date": "2024-01-02"}}, "$.delivery"),
        (
            InvoiceCreate,
            {"delivery": {"type": "delivery_period", "date": "2024-01-02", "end_date": "2024-01-01"}},
            "$.delivery",
        ),
        (InvoiceCreate, {"delivery": {"type": "serviceperiod", "date": "2024-01-02"}}, "$.delivery.type"),
        (
            InvoiceCreate,
            {"delivery": {"type": "none"}, "payment_terms": {"due_days": -1}},
            "$.payment_terms.due_days",
        ),
        (
            InvoiceCreate,
            {
                "delivery": {"type": "none"},
                "payment_terms": {"due_days": 1, "discount": {"percentage": "2.125", "days": 1}},
            },
            "$.payment_terms.discount",
        ),
    ],
)
def test_invalid_creates_are_refused_naming_the_field(
    kind: type[SalesDocumentCreate], changes: dict[str, Any], path: str
) -> None:
    data = {"issue_date": "2024-01-01", "contact_id": CONTACT, "line_items": [BAR], **changes}
    with pytest.raises(msgspec.ValidationError) as refused:
        decode_create(kind, data)
    assert str(refused.value).endswith(f"at `{path}`") or (
        path == "$" and " - at `" not in str(refused.value)
    )


# --- round trip: create -> lexoffice -> unified ------------------------------------------------------

DST_DAYS = [
    date(2024, 3, 30),
    date(2024, 3, 31),
    date(2024, 4, 1),
    date(2024, 10, 26),
    date(2024, 10, 27),
    date(2024, 10, 28),
]
days = st.one_of(
    st.sampled_from(DST_DAYS), st.dates(min_value=date(1990, 1, 1), max_value=date(2099, 12, 31))
)
texts = st.text(st.characters(codec="utf-8"), min_size=1, max_size=30)
names = texts.filter(lambda text: not text.isspace())
uuids = st.uuids().map(str)


def decimals(places: int, low: int, high: int) -> st.SearchStrategy[Decimal]:
    """Exact decimals with 0..``places`` decimal digits (trailing zeros kept), ``low <= value <= high``."""
    return st.integers(0, places).flatmap(
        lambda k: st.integers(low * 10**k, high * 10**k).map(lambda n: Decimal(n).scaleb(-k))
    )


@st.composite
def line_items(draw: st.DrawFn, vat_free: bool) -> LineItemCreate:
    item_type = draw(st.sampled_from(get_args(LineItemType)))
    description = draw(st.none() | texts)
    if item_type == "text":
        return LineItemCreate(type="text", name=draw(names), description=description)
    return LineItemCreate(
        type=item_type,
        product_id=None if item_type == "custom" else draw(st.none() | uuids),
        name=draw(names),
        description=description,
        quantity=draw(decimals(4, 0, 10**6)),
        unit_name=draw(names),
        unit_price=UnitPriceCreate(
            amount=draw(decimals(4, -(10**6), 10**6)),
            tax_rate=Decimal(0)
            if vat_free
            else draw(st.sampled_from([D(0), D(7), D(19)]) | decimals(2, 0, 100)),
        ),
        discount_percentage=draw(st.none() | decimals(2, 0, 100)),
    )


@st.composite
def creates(draw: st.DrawFn) -> SalesDocumentCreate:
    tax_mode = draw(st.sampled_from(get_args(TaxMode)))
    vat_free = tax_mode not in ("net", "gross")
    contact_id = draw(uuids) if tax_mode not in ("net", "gross", "vat_free") else draw(st.none() | uuids)
    address = AddressCreate(
        name=draw(texts) if contact_id is None else draw(st.none() | texts),
        supplement=draw(st.none() | texts),
        street=draw(st.none() | texts),
        postal_code=draw(st.none() | texts),
        city=draw(st.none() | texts),
        country_code=draw(st.sampled_from(["DE", "AT", "ES_CN", "GR_69"]))
        if contact_id is None
        else draw(st.none() | st.just("FR")),
    )
    common: dict[str, Any] = {
        "issue_date": draw(days),
        "contact_id": contact_id,
        "address": address if contact_id is None or draw(st.booleans()) else None,
        "line_items": draw(st.lists(line_items(vat_free), min_size=1, max_size=4)),
        "tax_mode": tax_mode,
        "tax_sub_type": None
        if vat_free
        else draw(st.sampled_from([None, "distance_sales", "electronic_services"])),
        "tax_note": draw(st.none() | texts),
        "discount_percentage": draw(st.none() | decimals(2, 0, 100)),
        "discount_absolute": draw(st.none() | decimals(2, 0, 10**6)),
        "title": draw(st.none() | texts),
        "introduction": draw(st.none() | texts),
        "remark": draw(st.none() | texts),
        "language": draw(st.sampled_from([None, "de", "en"])),
        "finalize": draw(st.booleans()),
        "preceding_document_id": draw(st.none() | uuids),
    }
    if draw(st.booleans()):
        return CreditNoteCreate(**common)
    delivery_type = draw(st.sampled_from(get_args(DeliveryType)))
    start = None if delivery_type == "none" else draw(days)
    end = (
        start + timedelta(days=draw(st.integers(0, 400)))
        if start and delivery_type.endswith("_period")
        else None
    )
    discount = draw(
        st.none() | st.builds(CashDiscountCreate, percentage=decimals(2, 0, 100), days=st.integers(0, 3650))
    )
    return InvoiceCreate(
        **common,
        delivery=DeliveryCreate(type=delivery_type, date=start, end_date=end),
        payment_terms=draw(
            st.none()
            | st.builds(
                PaymentTermsCreate,
                due_days=st.integers(0, 3650),
                label=st.none() | names,
                discount=st.just(discount),
            )
        ),
        xrechnung_buyer_reference=draw(st.none() | st.just("") | texts),
    )


def stored_by_lexoffice(req: SalesDocumentCreate, body: dict[str, Any]) -> dict[str, Any]:
    """What lexoffice stores for a POST body: the JSON numbers as sent, plus the read-only fields."""
    stored: dict[str, Any] = upstream_json.decode(wire.encode(body))
    params = create_params(req)
    preceding = params.get("precedingSalesVoucherId")
    stored |= {
        "id": str(uuid.uuid4()),
        "version": 1,
        "voucherStatus": "open" if params.get("finalize") else "draft",
        "createdDate": "2024-10-27T02:30:00.000+01:00",
        "updatedDate": "2024-10-27T02:30:00.000+01:00",
        "relatedVouchers": []
        if preceding is None
        else [{"id": preceding, "voucherType": SALES_KINDS[kind_of(req)].preceded_by[0]}],
    }
    return stored


def no_floats(value: Any) -> bool:
    if isinstance(value, dict):
        return all(no_floats(v) for v in value.values())
    if isinstance(value, list):
        return all(no_floats(v) for v in value)
    return not isinstance(value, float)


def kind_of(req: SalesDocumentCreate) -> str:
    return next(name for name, kind in SALES_KINDS.items() if type(req) is kind.create)


@given(creates())
@example(
    CreditNoteCreate(
        issue_date=date(2024, 3, 31),
        address=AddressCreate(name="n", country_code="DE"),
        line_items=[
            LineItemCreate(
                name="n",
                quantity=D("0.0001"),
                unit_name="u",
                unit_price=UnitPriceCreate(amount=D("-1.5000"), tax_rate=D("19.00")),
            )
        ],
    )
)
def test_create_round_trips_through_lexoffice(req: SalesDocumentCreate) -> None:
    assert msgspec.json.decode(msgspec.json.encode(req), type=type(req)) == req  # valid, exact on the wire
    body = sales_document_to_lexoffice(req)
    assert no_floats(body)
    doc = sales_document_from_lexoffice(stored_by_lexoffice(req, body), kind=kind_of(req))
    assert type(doc) is SALES_KINDS[kind_of(req)].response
    assert doc.issue_date == req.issue_date
    assert doc.contact_id == req.contact_id
    assert doc.address is not None
    given_address = msgspec.structs.asdict(req.address) if req.address else {}
    assert {k: v for k, v in msgspec.structs.asdict(doc.address).items() if v is not None} == {
        k: v for k, v in given_address.items() if v is not None
    }
    assert (doc.tax_mode, doc.tax_sub_type, doc.tax_note) == (req.tax_mode, req.tax_sub_type, req.tax_note)
    assert doc.prices_include_tax == (req.tax_mode == "gross")
    assert doc.totals is not None
    assert decimals_exact(doc.totals.discount_percentage, req.discount_percentage)
    assert decimals_exact(doc.totals.discount_absolute, req.discount_absolute)
    assert (doc.currency, doc.title, doc.introduction, doc.remark, doc.language) == (
        req.currency,
        req.title,
        req.introduction,
        req.remark,
        req.language,
    )
    assert len(doc.line_items) == len(req.line_items)
    for sent, got in zip(req.line_items, doc.line_items, strict=True):
        assert (got.type, got.product_id, got.name, got.description, got.unit_name) == (
            sent.type,
            sent.product_id,
            sent.name,
            sent.description,
            sent.unit_name,
        )
        assert decimals_exact(got.quantity, sent.quantity)
        assert decimals_exact(got.discount_percentage, sent.discount_percentage)
        if sent.unit_price is None:
            assert got.unit_price is None
            continue
        assert got.unit_price is not None
        price = got.unit_price.gross if doc.prices_include_tax else got.unit_price.net
        assert decimals_exact(price, sent.unit_price.amount)
        assert decimals_exact(got.unit_price.tax_rate, sent.unit_price.tax_rate)
        assert got.unit_price.currency == sent.unit_price.currency
    assert isinstance(req, InvoiceCreate | CreditNoteCreate)
    assert doc.preceding_document_id == req.preceding_document_id
    assert doc.status == ("open" if req.finalize else "draft")
    if isinstance(req, InvoiceCreate):
        assert isinstance(doc, Invoice)
        assert doc.delivery is not None
        assert (doc.delivery.type, doc.delivery.date, doc.delivery.end_date) == (
            req.delivery.type,
            req.delivery.date,
            req.delivery.end_date,
        )
        assert doc.xrechnung_buyer_reference == req.xrechnung_buyer_reference
        terms = req.payment_terms
        if terms is None:
            assert doc.payment_terms is None
        else:
            assert doc.payment_terms is not None
            assert (doc.payment_terms.label, doc.payment_terms.due_days) == (terms.label, terms.due_days)
            got_discount = doc.payment_terms.discount
            if terms.discount is None:
                assert got_discount is None
            else:
                assert got_discount is not None
                assert got_discount.days == terms.discount.days
                assert decimals_exact(got_discount.percentage, terms.discount.percentage)
    roundtrip_json(doc)


known_words = {
    "net",
    "gross",
    "vatfree",
    "draft",
    "open",
    "paid",
    "paidoff",
    "voided",
    "overdue",
    "sepadebit",
}
unknown_words = st.text(string.ascii_letters, min_size=1, max_size=20).filter(
    lambda word: (
        word not in known_words and word.lower() not in {"serviceperiod", "deliveryperiod", "creditnote"}
    )
)


@given(
    tax_type=unknown_words,
    sub_type=unknown_words,
    status=unknown_words,
    item_type=unknown_words,
    shipping_type=unknown_words,
    voucher_type=unknown_words,
)
def test_unknown_upstream_words_survive(
    tax_type: str, sub_type: str, status: str, item_type: str, shipping_type: str, voucher_type: str
) -> None:
    data = sample_exact("040_invoices_retrieve_response.json")
    data |= {
        "voucherStatus": status,
        "taxConditions": {"taxType": tax_type, "taxSubType": sub_type},
        "shippingConditions": {"shippingType": shipping_type},
        "relatedVouchers": [{"id": INVOICE_ID, "voucherType": voucher_type}],
    }
    data["lineItems"][0]["type"] = item_type
    doc = sales_document_from_lexoffice(data, kind="invoice")
    assert (doc.status, doc.tax_mode, doc.tax_sub_type, doc.line_items[0].type) == (
        status,
        tax_type,
        sub_type,
        item_type,
    )
    assert doc.delivery is not None
    assert doc.delivery.type == shipping_type
    assert doc.related_documents[0].type == voucher_type
    listed = {
        **sample_exact("066_voucherlist_list_response.json")["content"][1],
        "voucherType": voucher_type,
        "voucherStatus": status,
    }
    summary = voucherlist_item_from_lexoffice(listed)
    assert (summary.type, summary.status, summary.overdue) == (voucher_type, status, False)


# --- against the sandbox: lexoffice accepts the bodies and computes the totals ------------------------


def test_sandbox_accepts_the_bodies_and_they_map_back(lex: SandboxOrg) -> None:
    invoice_req = InvoiceCreate(
        issue_date=date(2024, 3, 31),
        address=AddressCreate(name="Bike & Ride GmbH & Co. KG", country_code="DE", postal_code="79112"),
        line_items=[
            LineItemCreate(
                name="Schloss",
                quantity=D("2"),
                unit_name="Stück",
                unit_price=UnitPriceCreate(amount=D("13.4"), tax_rate=D(19)),
                discount_percentage=D(50),
            ),
            LineItemCreate(
                type="service",
                name="Montage",
                quantity=D(1),
                unit_name="Stunde",
                unit_price=UnitPriceCreate(amount=D("8.32"), tax_rate=D(7)),
            ),
            LineItemCreate(
                name="Riegel",
                quantity=D(1),
                unit_name="Stück",
                unit_price=UnitPriceCreate(amount=D(5), tax_rate=D(0)),
            ),
            LineItemCreate(type="text", name="Danke"),
        ],
        delivery=DeliveryCreate(type="delivery_period", date=date(2024, 10, 26), end_date=date(2024, 10, 27)),
        payment_terms=PaymentTermsCreate(due_days=30, discount=CashDiscountCreate(percentage=D(3), days=10)),
        finalize=True,
    )
    with lex.client() as client:
        invoice = _create_and_fetch(client, invoice_req)
        assert isinstance(invoice, Invoice)
        assert (invoice.status, invoice.issue_date, invoice.due_date) == (
            "open",
            date(2024, 3, 31),
            date(2024, 4, 30),
        )
        assert invoice.number is not None
        assert invoice.totals is not None
        assert (invoice.totals.net, invoice.totals.tax, invoice.totals.gross) == (
            D("26.72"),
            D("3.13"),
            D("29.85"),
        )
        assert [item.amount for item in invoice.line_items] == [D("13.4"), D("8.32"), D(5), None]
        assert invoice.delivery is not None
        assert (invoice.delivery.type, invoice.delivery.date, invoice.delivery.end_date) == (
            "delivery_period",
            date(2024, 10, 26),
            date(2024, 10, 27),
        )
        credit_req = CreditNoteCreate(
            issue_date=date(2024, 4, 2),
            address=AddressCreate(name="Bike & Ride GmbH & Co. KG", country_code="DE"),
            line_items=[
                LineItemCreate(
                    name="Riegel",
                    quantity=D(1),
                    unit_name="Stück",
                    unit_price=UnitPriceCreate(amount=D(5), tax_rate=D(0)),
                )
            ],
            finalize=True,
            preceding_document_id=invoice.id,
        )
        credit_note = _create_and_fetch(client, credit_req)
        assert isinstance(credit_note, CreditNote)
        assert (credit_note.status, credit_note.preceding_document_id) == ("paid_off", invoice.id)
        listed = upstream_json.decode(
            client.get("/v1/voucherlist", params=voucherlist_params(SalesDocumentFilter())).content
        )
    summaries = {item["id"]: voucherlist_item_from_lexoffice(item) for item in listed["content"]}
    assert summaries[invoice.id].type == "invoice"
    assert summaries[invoice.id].open_amount == D("24.85")  # 29.85 less the credit note's 5
    assert summaries[credit_note.id].status == "paid_off"


def _create_and_fetch(client: Any, req: SalesDocumentCreate) -> SalesDocument:
    kind = SALES_KINDS[kind_of(req)]
    response = client.post(
        f"/v1/{kind.collection}",
        content=wire.encode(sales_document_to_lexoffice(req)),
        params=create_params(req),
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 201, response.text
    fetched = client.get(f"/v1/{kind.collection}/{response.json()['id']}")
    return sales_document_from_lexoffice(upstream_json.decode(fetched.content), kind=kind.name)
