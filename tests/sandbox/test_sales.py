"""Sandbox sales vouchers: invoices and credit notes — create, finalize, pursue, retrieve, render."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from tests.support.sales import (
    CREDIT_NOTE_REQUEST,
    DRAFT_LACKS,
    INVOICE_REQUEST,
    REGULAR_406,
    add_contact,
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

# --- create and retrieve -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("collection", "request_sample", "action_sample", "shape_samples"),
    [
        (
            "invoices",
            INVOICE_REQUEST,
            "039_invoices_create_response.json",
            ("036_invoices_resource_sample.json", "040_invoices_retrieve_response.json"),
        ),
        (
            "credit-notes",
            CREDIT_NOTE_REQUEST,
            "011_credit-notes_create_response.json",
            ("008_credit-notes_resource_sample.json", "012_credit-notes_retrieve_response.json"),
        ),
    ],
)
def test_create_samples_are_accepted_with_the_documented_shapes(
    lex: SandboxOrg, collection: str, request_sample: str, action_sample: str, shape_samples: tuple[str, ...]
) -> None:
    documented = set().union(*(set(sample(name)) for name in shape_samples))
    with lex.client() as c:
        response = c.post(f"/v1/{collection}", json=sample(request_sample))
        assert response.status_code == 201
        result = response.json()
        assert set(result) == set(sample(action_sample))
        assert result["resourceUri"].endswith(f"/v1/{collection}/{result['id']}")
        assert result["version"] == 1
        draft = fetch(c, collection, result["id"])
        final = fetch(c, collection, create(c, collection, sample(request_sample), finalize="true"))
    assert documented - DRAFT_LACKS <= set(draft)
    assert not DRAFT_LACKS & set(draft)
    assert documented <= set(final)
    assert draft["organizationId"] == lex.id
    assert draft["voucherStatus"] == "draft"
    assert draft["version"] == 1


@pytest.mark.parametrize(
    ("collection", "resource_sample"),
    [
        ("invoices", "040_invoices_retrieve_response.json"),
        ("credit-notes", "012_credit-notes_retrieve_response.json"),
    ],
)
def test_amounts_reproduce_the_samples_and_read_only_input_is_ignored(
    lex: SandboxOrg, collection: str, resource_sample: str
) -> None:
    """The retrieve sample itself, read-only fields and all, posted as a request."""
    documented = sample(resource_sample)
    with lex.client() as c:
        stored = fetch(c, collection, create(c, collection, documented))
    for key in ("totalPrice", "taxAmounts"):
        assert stored[key] == documented[key]
    assert [i.get("lineItemAmount") for i in stored["lineItems"]] == [
        i.get("lineItemAmount") for i in documented["lineItems"]
    ]
    assert stored["id"] != documented["id"]
    assert stored["organizationId"] == lex.id
    assert stored["voucherStatus"] == "draft"
    assert "voucherNumber" not in stored
    assert stored["version"] == 1


def test_the_invoice_sample_totals(lex: SandboxOrg) -> None:
    with lex.client() as c:
        stored = fetch(c, "invoices", create(c, "invoices", invoice_body()))
    assert stored["totalPrice"] == {
        "currency": "EUR",
        "totalNetAmount": 5,
        "totalGrossAmount": 5,
        "totalTaxAmount": 0,
    }
    assert stored["taxAmounts"] == [{"taxRatePercentage": 0, "taxAmount": 0, "netAmount": 5}]
    assert stored["lineItems"][1] == sample(INVOICE_REQUEST)["lineItems"][1]  # text item untouched


def test_finalize_numbers_per_kind_and_derives_the_due_date(lex: SandboxOrg) -> None:
    with lex.client() as c:
        draft = fetch(c, "invoices", create(c, "invoices", invoice_body()))
        first = fetch(c, "invoices", create(c, "invoices", invoice_body(), finalize="true"))
        second = fetch(c, "invoices", create(c, "invoices", invoice_body(), finalize="true"))
        credit = fetch(c, "credit-notes", create(c, "credit-notes", credit_note_body(), finalize="true"))
        summer = fetch(
            c,
            "invoices",
            create(
                c,
                "invoices",
                invoice_body(
                    voucherDate="2023-03-20T00:00:00.000+01:00",
                    paymentConditions={"paymentTermLabel": "14 Tage netto", "paymentTermDuration": 14},
                ),
                finalize="true",
            ),
        )
    assert "voucherNumber" not in draft
    assert draft["voucherStatus"] == "draft"
    assert (first["voucherNumber"], second["voucherNumber"], credit["voucherNumber"]) == (
        "RE1001",
        "RE1002",
        "GS1001",
    )
    assert first["voucherStatus"] == "open"
    assert credit["voucherStatus"] == "open"
    assert first["dueDate"] == "2023-03-24T00:00:00.000+01:00"  # voucherDate + 30 days
    assert summer["dueDate"] == "2023-04-03T00:00:00.000+02:00"  # across the change to summer time
    assert "dueDate" not in credit


def test_finalize_fires_only_the_created_event(lex: SandboxOrg) -> None:
    with (
        watching(lex, "invoice.created", "invoice.status.changed", "credit-note.created") as seen,
        lex.client() as c,
    ):
        invoice_id = create(c, "invoices", invoice_body(), finalize="true")
        credit_id = create(c, "credit-notes", credit_note_body())
        assert seen() == [("invoice.created", invoice_id), ("credit-note.created", credit_id)]


def test_finalize_must_be_a_boolean(lex: SandboxOrg) -> None:
    with lex.client() as c:
        response = c.post("/v1/invoices", json=invoice_body(), params={"finalize": "yes"})
    assert_regular_error(response, 400, "/v1/invoices")
    assert not lex.org.collection("invoices")


def test_defaults_for_omitted_fields(lex: SandboxOrg) -> None:
    minimal = {
        "voucherDate": "2023-02-22T00:00:00.000+01:00",
        "address": {"name": "Kunde", "countryCode": "DE"},
        "lineItems": [priced_item(100)],
        "totalPrice": {"currency": "EUR"},
        "taxConditions": {"taxType": "net"},
    }
    with lex.client() as c:
        invoice = fetch(
            c, "invoices", create(c, "invoices", {**minimal, "shippingConditions": {"shippingType": "none"}})
        )
        credit = fetch(c, "credit-notes", create(c, "credit-notes", minimal))
        english = fetch(
            c,
            "invoices",
            create(
                c, "invoices", {**minimal, "language": "en", "shippingConditions": {"shippingType": "none"}}
            ),
        )
    assert invoice["language"] == "de"
    assert invoice["archived"] is False
    assert (invoice["title"], credit["title"], english["title"]) == (
        "Rechnung",
        "Rechnungskorrektur",
        "Invoice",
    )
    assert invoice["introduction"]
    assert invoice["remark"]
    assert credit["introduction"]
    assert credit["remark"]
    assert invoice["paymentConditions"] == {
        "paymentTermLabel": "10 Tage - 3 %, 30 Tage netto",
        "paymentTermLabelTemplate": "10 Tage - 3 %, 30 Tage netto",
        "paymentTermDuration": 30,
        "paymentDiscountConditions": {"discountRange": 10, "discountPercentage": 3},
    }
    assert invoice["shippingConditions"] == {"shippingType": "none"}
    assert invoice["relatedVouchers"] == []
    assert invoice["files"] == {}
    assert credit["files"] == {}
    assert invoice["closingInvoice"] is False
    assert invoice["downPaymentDeductions"] == []
    assert invoice["recurringTemplateId"] is None
    assert invoice["xRechnung"] is None
    assert invoice["claimedGrossAmount"] == invoice["totalPrice"]["totalGrossAmount"] == 119
    assert "paymentConditions" not in credit
    assert "shippingConditions" not in credit


def test_payment_conditions_without_a_label_get_a_generated_one(lex: SandboxOrg) -> None:
    terms = {
        "paymentTermDuration": 20,
        "paymentDiscountConditions": {"discountPercentage": 2.5, "discountRange": 7},
    }
    with lex.client() as c:
        stored = fetch(c, "invoices", create(c, "invoices", invoice_body(paymentConditions=terms)))
    assert stored["paymentConditions"]["paymentTermLabel"] == "7 Tage - 2,5 %, 20 Tage netto"
    assert stored["paymentConditions"]["paymentTermDuration"] == 20


def test_fields_a_kind_does_not_have_are_ignored(lex: SandboxOrg) -> None:
    extra = {
        "shippingConditions": {"shippingType": "bogus"},
        "paymentConditions": 5,
        "xRechnung": {},
        "foo": 1,
    }
    with lex.client() as c:
        stored = fetch(c, "credit-notes", create(c, "credit-notes", credit_note_body(**extra)))
    assert not {"shippingConditions", "paymentConditions", "xRechnung", "foo"} & set(stored)


def test_contact_address_fills_what_the_request_leaves_out(lex: SandboxOrg) -> None:
    contact_id = add_contact(lex)
    with lex.client() as c:
        plain = fetch(c, "invoices", create(c, "invoices", invoice_body(address={"contactId": contact_id})))
        changed = fetch(
            c,
            "invoices",
            create(
                c,
                "invoices",
                invoice_body(address={"contactId": contact_id, "street": "Nebenweg 1", "supplement": None}),
            ),
        )
    assert plain["address"] == {
        "contactId": contact_id,
        "name": "Testfirma",
        "supplement": "Rechnungsadressenzusatz",
        "street": "Hauptstr. 5",
        "city": "Musterort",
        "zip": "12345",
        "countryCode": "DE",
        "contactPerson": "Max Mustermann",
    }
    assert changed["address"]["street"] == "Nebenweg 1"
    assert changed["address"]["city"] == "Musterort"
    assert lex.org.collection("contacts")[contact_id]["addresses"]["billing"][0]["street"] == "Hauptstr. 5"


def test_person_contact_name_is_first_and_last_name(lex: SandboxOrg) -> None:
    contact_id = add_contact(lex, "002_contacts_resource_sample_person.json")
    with lex.client() as c:
        stored = fetch(
            c, "credit-notes", create(c, "credit-notes", credit_note_body(address={"contactId": contact_id}))
        )
    assert stored["address"] == {"contactId": contact_id, "name": "Inge Musterfrau"}


def test_xrechnung_follows_the_contact_unless_overridden(lex: SandboxOrg) -> None:
    contact_id = add_contact(lex)
    address = {"contactId": contact_id}
    with lex.client() as c:
        inherited = fetch(c, "invoices", create(c, "invoices", invoice_body(address=address)))
        overridden = fetch(
            c,
            "invoices",
            create(
                c, "invoices", invoice_body(address=address, xRechnung={"buyerReference": "991-12345-67"})
            ),
        )
        standard = fetch(
            c,
            "invoices",
            create(c, "invoices", invoice_body(address=address, xRechnung={"buyerReference": ""})),
        )
    assert inherited["xRechnung"] == {"buyerReference": "04011000-1234512345-35"}
    assert overridden["xRechnung"] == {"buyerReference": "991-12345-67"}
    assert standard["xRechnung"] is None


def test_vat_free_types_with_a_contact_get_the_default_note(lex: SandboxOrg) -> None:
    contact_id = add_contact(lex)
    with lex.client() as c:
        stored = fetch(
            c,
            "invoices",
            create(
                c,
                "invoices",
                invoice_body(
                    address={"contactId": contact_id}, taxConditions={"taxType": "constructionService13b"}
                ),
            ),
        )
    assert stored["taxConditions"] == {
        "taxType": "constructionService13b",
        "taxTypeNote": "Steuerschuldnerschaft des Leistungsempfängers (Reverse Charge)",
    }


# --- validation ------------------------------------------------------------------------------------------

Mutation = Callable[[dict[str, Any]], None]


def _set(path: str, value: Any) -> Mutation:
    """Set (or with ``value=...`` delete) a dotted path; list indexes as numbers (``lineItems.0.name``)."""

    def mutate(body: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = body
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node[key]
        if value is ...:
            del node[last]
        else:
            node[last] = value

    return mutate


VALIDATION_CASES: list[tuple[str, str, Mutation, str, str]] = [
    ("voucherDate missing", "invoices", _set("voucherDate", ...), "voucherDate", "NOTNULL"),
    ("voucherDate null", "invoices", _set("voucherDate", None), "voucherDate", "NOTNULL"),
    (
        "voucherDate no millis",
        "invoices",
        _set("voucherDate", "2023-02-22T00:00:00+01:00"),
        "voucherDate",
        "INVALID",
    ),
    ("voucherDate date only", "credit-notes", _set("voucherDate", "2023-02-22"), "voucherDate", "INVALID"),
    (
        "voucherDate offset without colon",
        "invoices",
        _set("voucherDate", "2023-02-22T00:00:00.000+0100"),
        "voucherDate",
        "INVALID",
    ),
    ("voucherDate not a string", "invoices", _set("voucherDate", 20230222), "voucherDate", "INVALID"),
    ("address missing", "credit-notes", _set("address", ...), "address", "NOTNULL"),
    ("address name missing", "invoices", _set("address.name", ...), "address.name", "NOTNULL"),
    ("address name blank", "credit-notes", _set("address.name", " "), "address.name", "NOTNULL"),
    (
        "address country missing",
        "invoices",
        _set("address.countryCode", ...),
        "address.countryCode",
        "NOTNULL",
    ),
    (
        "address country unknown",
        "invoices",
        _set("address.countryCode", "XX"),
        "address.countryCode",
        "INVALID",
    ),
    (
        "address contact unknown",
        "invoices",
        _set("address.contactId", "00000000-0000-0000-0000-000000000000"),
        "address.contactId",
        "INVALID",
    ),
    ("lineItems missing", "invoices", _set("lineItems", ...), "lineItems", "NOTNULL"),
    ("lineItems empty", "credit-notes", _set("lineItems", []), "lineItems", "NOTNULL"),
    ("item type unknown", "invoices", _set("lineItems.0.type", "article"), "lineItems[0].type", "INVALID"),
    ("item type missing", "invoices", _set("lineItems.0.type", ...), "lineItems[0].type", "NOTNULL"),
    ("item name missing", "invoices", _set("lineItems.0.name", ...), "lineItems[0].name", "NOTNULL"),
    ("text item name missing", "invoices", _set("lineItems.1.name", ...), "lineItems[1].name", "NOTNULL"),
    ("item name not a string", "invoices", _set("lineItems.0.name", 5), "lineItems[0].name", "INVALID"),
    (
        "item quantity missing",
        "invoices",
        _set("lineItems.0.quantity", ...),
        "lineItems[0].quantity",
        "NOTNULL",
    ),
    (
        "item unitName missing",
        "credit-notes",
        _set("lineItems.0.unitName", ...),
        "lineItems[0].unitName",
        "NOTNULL",
    ),
    (
        "item unitPrice missing",
        "invoices",
        _set("lineItems.0.unitPrice", ...),
        "lineItems[0].unitPrice",
        "NOTNULL",
    ),
    (
        "item currency",
        "invoices",
        _set("lineItems.0.unitPrice.currency", "USD"),
        "lineItems[0].unitPrice.currency",
        "INVALID",
    ),
    (
        "item quantity 5 decimals",
        "invoices",
        _set("lineItems.0.quantity", 1.23456),
        "lineItems[0].quantity",
        "INVALID",
    ),
    (
        "item net price 5 decimals",
        "credit-notes",
        _set("lineItems.0.unitPrice.netAmount", 1.00001),
        "lineItems[0].unitPrice.netAmount",
        "INVALID",
    ),
    (
        "item discount above 100",
        "invoices",
        _set("lineItems.0.discountPercentage", 101),
        "lineItems[0].discountPercentage",
        "INVALID",
    ),
    ("total price missing", "invoices", _set("totalPrice", ...), "totalPrice", "NOTNULL"),
    ("total currency", "credit-notes", _set("totalPrice.currency", "USD"), "totalPrice.currency", "INVALID"),
    (
        "total currency missing",
        "invoices",
        _set("totalPrice.currency", ...),
        "totalPrice.currency",
        "NOTNULL",
    ),
    ("tax conditions missing", "invoices", _set("taxConditions", ...), "taxConditions", "NOTNULL"),
    ("tax type missing", "invoices", _set("taxConditions.taxType", ...), "taxConditions.taxType", "NOTNULL"),
    (
        "tax type unknown",
        "credit-notes",
        _set("taxConditions.taxType", "brutto"),
        "taxConditions.taxType",
        "INVALID",
    ),
    (
        "13b without contact",
        "invoices",
        _set("taxConditions.taxType", "intraCommunitySupply"),
        "taxConditions.taxType",
        "INVALID",
    ),
    (
        "tax sub type unknown",
        "invoices",
        _set("taxConditions.taxSubType", "b2c"),
        "taxConditions.taxSubType",
        "INVALID",
    ),
    ("shipping missing", "invoices", _set("shippingConditions", ...), "shippingConditions", "NOTNULL"),
    (
        "shipping type missing",
        "invoices",
        _set("shippingConditions.shippingType", ...),
        "shippingConditions.shippingType",
        "NOTNULL",
    ),
    (
        "shipping type unknown",
        "invoices",
        _set("shippingConditions.shippingType", "pickup"),
        "shippingConditions.shippingType",
        "INVALID",
    ),
    (
        "delivery without date",
        "invoices",
        _set("shippingConditions.shippingDate", ...),
        "shippingConditions.shippingDate",
        "NOTNULL",
    ),
    (
        "shipping date no millis",
        "invoices",
        _set("shippingConditions.shippingDate", "2023-04-22T00:00:00+02:00"),
        "shippingConditions.shippingDate",
        "INVALID",
    ),
    (
        "period without end",
        "invoices",
        _set("shippingConditions.shippingType", "serviceperiod"),
        "shippingConditions.shippingEndDate",
        "NOTNULL",
    ),
    (
        "payment term negative",
        "invoices",
        _set("paymentConditions.paymentTermDuration", -1),
        "paymentConditions.paymentTermDuration",
        "INVALID",
    ),
    (
        "payment term not a number",
        "invoices",
        _set("paymentConditions.paymentTermDuration", "dreißig"),
        "paymentConditions.paymentTermDuration",
        "INVALID",
    ),
    (
        "cash discount 3 decimals",
        "invoices",
        _set("paymentConditions.paymentDiscountConditions.discountPercentage", 2.125),
        "paymentConditions.paymentDiscountConditions.discountPercentage",
        "INVALID",
    ),
    ("language unknown", "invoices", _set("language", "fr"), "language", "INVALID"),
    (
        "xRechnung without contact",
        "invoices",
        _set("xRechnung", {"buyerReference": "991-1"}),
        "xRechnung.buyerReference",
        "INVALID",
    ),
    ("xRechnung without reference", "invoices", _set("xRechnung", {}), "xRechnung.buyerReference", "NOTNULL"),
]


@pytest.mark.parametrize(
    ("collection", "mutate", "field", "violation"),
    [case[1:] for case in VALIDATION_CASES],
    ids=[case[0] for case in VALIDATION_CASES],
)
def test_invalid_requests_are_406_and_change_nothing(
    lex: SandboxOrg, collection: str, mutate: Mutation, field: str, violation: str
) -> None:
    body = copy.deepcopy(invoice_body() if collection == "invoices" else credit_note_body())
    mutate(body)
    with lex.client() as c:
        response = c.post(f"/v1/{collection}", json=body, params={"finalize": "true"})
    detail = assert_regular_error(response, 406, f"/v1/{collection}", field)
    assert detail["violation"] == violation
    assert not lex.org.collection(collection)
    assert not lex.org.counters


def test_the_documented_406_sample(lex: SandboxOrg) -> None:
    body = invoice_body()
    del body["lineItems"][0]["unitPrice"]["taxRatePercentage"]
    with lex.client() as c:
        response = c.post("/v1/invoices", json=body)
    assert_regular_error(response, 406, "/v1/invoices")
    assert response.json()["details"] == REGULAR_406["details"]
    assert response.json()["message"] == REGULAR_406["message"]


@pytest.mark.parametrize(
    ("shipping", "field"),
    [
        (
            {
                "shippingType": "deliveryperiod",
                "shippingDate": "2023-04-22T00:00:00.000+02:00",
                "shippingEndDate": "2023-04-21T23:59:59.999+02:00",
            },
            "shippingConditions.shippingEndDate",
        ),
        ({"shippingType": "service"}, "shippingConditions.shippingDate"),
    ],
)
def test_shipping_dates_per_type(lex: SandboxOrg, shipping: dict[str, str], field: str) -> None:
    with lex.client() as c:
        response = c.post("/v1/invoices", json=invoice_body(shippingConditions=shipping))
    assert_regular_error(response, 406, "/v1/invoices", field)


def test_shipping_period_is_stored_with_both_dates(lex: SandboxOrg) -> None:
    shipping = {
        "shippingType": "serviceperiod",
        "shippingDate": "2023-04-01T00:00:00.000+02:00",
        "shippingEndDate": "2023-04-30T00:00:00.000+02:00",
    }
    ignored_end = {
        "shippingType": "delivery",
        "shippingDate": "2023-04-01T00:00:00.000+02:00",
        "shippingEndDate": "2023-04-30T00:00:00.000+02:00",
    }
    with lex.client() as c:
        period = fetch(c, "invoices", create(c, "invoices", invoice_body(shippingConditions=shipping)))
        single = fetch(c, "invoices", create(c, "invoices", invoice_body(shippingConditions=ignored_end)))
    assert period["shippingConditions"] == shipping
    assert "shippingEndDate" not in single["shippingConditions"]


def test_xrechnung_reference_needs_an_xrechnung_contact(lex: SandboxOrg) -> None:
    person = add_contact(lex, "002_contacts_resource_sample_person.json")
    with lex.client() as c:
        response = c.post(
            "/v1/invoices",
            json=invoice_body(address={"contactId": person}, xRechnung={"buyerReference": "991-1"}),
        )
    assert_regular_error(response, 406, "/v1/invoices", "xRechnung.buyerReference")


def test_tax_exempt_organizations_create_only_vatfree_vouchers(lex: SandboxOrg) -> None:
    small = lex.sandbox.new_org(small_business=True)
    with small.client() as c:
        refused = c.post("/v1/invoices", json=invoice_body())
        accepted = c.post("/v1/invoices", json=invoice_body(taxConditions={"taxType": "vatfree"}))
    assert_regular_error(refused, 406, "/v1/invoices", "taxConditions.taxType")
    assert accepted.status_code == 201


def test_english_needs_invoicing_pro(lex: SandboxOrg) -> None:
    basic = lex.sandbox.new_org(business_features=["INVOICING", "BOOKKEEPING"])
    with basic.client() as c:
        response = c.post("/v1/invoices", json=invoice_body(language="en"))
    assert_regular_error(response, 406, "/v1/invoices", "language")


# --- retrieve ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("collection", ["invoices", "credit-notes"])
def test_unknown_and_foreign_ids_are_404(lex: SandboxOrg, collection: str) -> None:
    other = lex.sandbox.new_org()
    body = invoice_body() if collection == "invoices" else credit_note_body()
    with other.client() as o:
        foreign = create(o, collection, body, finalize="true")
    with lex.client() as c:
        for record_id in (foreign, "00000000-0000-0000-0000-000000000000"):
            assert_regular_error(c.get(f"/v1/{collection}/{record_id}"), 404, f"/v1/{collection}/{record_id}")
            path = f"/v1/{collection}/{record_id}/document"
            assert_regular_error(c.get(path), 404, path)


# --- pursue ----------------------------------------------------------------------------------------------


def test_credit_note_pursued_from_an_invoice(lex: SandboxOrg) -> None:
    with (
        watching(
            lex, "credit-note.created", "invoice.changed", "invoice.status.changed", "payment.changed"
        ) as seen,
        lex.client() as c,
    ):
        invoice_id = finalized_invoice(c, priced_item(100))  # 119.00 gross
        credit_id = create(
            c,
            "credit-notes",
            credit_note_body(lineItems=[priced_item(10)]),
            precedingSalesVoucherId=invoice_id,
            finalize="true",
        )
        invoice, credit = fetch(c, "invoices", invoice_id), fetch(c, "credit-notes", credit_id)
        invoice_payments, credit_payments = payments_of(c, invoice_id), payments_of(c, credit_id)
        second = c.post(
            "/v1/credit-notes",
            json=credit_note_body(),
            params={"precedingSalesVoucherId": invoice_id, "finalize": "true"},
        )
        events = seen()
    assert credit["voucherStatus"] == "paidoff"
    assert credit["voucherNumber"] == "GS1001"
    assert credit["relatedVouchers"] == [
        {"id": invoice_id, "voucherNumber": "RE1001", "voucherType": "invoice"}
    ]
    assert invoice["relatedVouchers"] == [
        {"id": credit_id, "voucherNumber": "GS1001", "voucherType": "creditnote"}
    ]
    assert invoice["voucherStatus"] == "open"
    assert invoice["version"] == 2
    assert invoice_payments["openAmount"] == 107.1  # 119.00 - 11.90
    assert [(i["paymentItemType"], i["amount"]) for i in invoice_payments["paymentItems"]] == [
        ("partPaymentCreditNote", 11.9)
    ]
    assert credit_payments["paymentStatus"] == "balanced"
    assert credit_payments["voucherStatus"] == "paidoff"
    assert credit_payments["openAmount"] == 0
    assert "paidDate" in credit_payments
    assert_regular_error(second, 406, "/v1/credit-notes", "precedingSalesVoucherId")
    assert len(lex.org.collection("credit-notes")) == 1
    assert lex.org.counters["voucher:GS"] == 1001
    assert events == [
        ("credit-note.created", credit_id),
        ("invoice.changed", invoice_id),
        ("payment.changed", invoice_id),
    ]


def test_credit_note_for_the_full_amount_pays_the_invoice(lex: SandboxOrg) -> None:
    with watching(lex, "invoice.status.changed") as seen, lex.client() as c:
        invoice_id = finalized_invoice(c, priced_item(100))
        create(
            c,
            "credit-notes",
            credit_note_body(lineItems=[priced_item(100)]),
            precedingSalesVoucherId=invoice_id,
            finalize="true",
        )
        assert fetch(c, "invoices", invoice_id)["voucherStatus"] == "paid"
        assert payments_of(c, invoice_id)["paymentStatus"] == "balanced"
        assert seen() == [("invoice.status.changed", invoice_id)]


def test_credit_note_for_a_paid_invoice_leaves_it_paid(lex: SandboxOrg) -> None:
    with lex.client() as c, lex.sandbox.control() as control:
        invoice_id = finalized_invoice(c, priced_item(100))
        control.post(
            f"/_sandbox/organizations/{lex.id}/vouchers/{invoice_id}/payments", json={"amount": 119}
        ).raise_for_status()
        credit_id = create(
            c,
            "credit-notes",
            credit_note_body(lineItems=[priced_item(50)]),
            precedingSalesVoucherId=invoice_id,
            finalize="true",
        )
        assert fetch(c, "credit-notes", credit_id)["voucherStatus"] == "paidoff"
        invoice_payments = payments_of(c, invoice_id)
    assert invoice_payments["voucherStatus"] == "paid"
    assert [i["paymentItemType"] for i in invoice_payments["paymentItems"]] == [
        "partPaymentFinancialTransaction"
    ]


def test_a_draft_credit_note_is_related_but_settles_nothing(lex: SandboxOrg) -> None:
    with lex.client() as c:
        invoice_id = finalized_invoice(c, priced_item(100))
        credit_id = create(c, "credit-notes", credit_note_body(), precedingSalesVoucherId=invoice_id)
        credit, invoice = fetch(c, "credit-notes", credit_id), fetch(c, "invoices", invoice_id)
        again = c.post(
            "/v1/credit-notes", json=credit_note_body(), params={"precedingSalesVoucherId": invoice_id}
        )
        assert payments_of(c, invoice_id)["openAmount"] == 119
    assert credit["voucherStatus"] == "draft"
    assert invoice["relatedVouchers"] == [
        {"id": credit_id, "voucherNumber": None, "voucherType": "creditnote"}
    ]
    assert credit["relatedVouchers"][0]["id"] == invoice_id
    assert_regular_error(again, 406, "/v1/credit-notes", "precedingSalesVoucherId")


def test_a_voided_credit_note_frees_the_invoice(lex: SandboxOrg) -> None:
    with lex.client() as c, lex.sandbox.control() as control:
        invoice_id = finalized_invoice(c, priced_item(100))
        first = create(
            c, "credit-notes", credit_note_body(), precedingSalesVoucherId=invoice_id, finalize="true"
        )
        control.post(f"/_sandbox/organizations/{lex.id}/vouchers/{first}/void").raise_for_status()
        create(c, "credit-notes", credit_note_body(), precedingSalesVoucherId=invoice_id, finalize="true")
        assert len(fetch(c, "invoices", invoice_id)["relatedVouchers"]) == 2


@pytest.mark.parametrize("preceding", ["draft", "voided", "unknown", "credit-note"])
def test_invalid_pursue_is_406_and_changes_nothing(lex: SandboxOrg, preceding: str) -> None:
    with lex.client() as c, lex.sandbox.control() as control:
        if preceding == "credit-note":
            preceding_id = create(c, "credit-notes", credit_note_body(), finalize="true")
        elif preceding == "unknown":
            preceding_id = "00000000-0000-0000-0000-000000000000"
        else:
            preceding_id = create(c, "invoices", invoice_body(), finalize=str(preceding == "voided").lower())
            if preceding == "voided":
                control.post(
                    f"/_sandbox/organizations/{lex.id}/vouchers/{preceding_id}/void"
                ).raise_for_status()
        before = stored_records(lex)
        response = c.post(
            "/v1/credit-notes",
            json=credit_note_body(),
            params={"precedingSalesVoucherId": preceding_id, "finalize": "true"},
        )
    assert_regular_error(response, 406, "/v1/credit-notes", "precedingSalesVoucherId")
    assert stored_records(lex) == before


def test_invoices_cannot_be_pursued_from_kinds_outside_the_chain(lex: SandboxOrg) -> None:
    with lex.client() as c:
        invoice_id = finalized_invoice(c)
        response = c.post("/v1/invoices", json=invoice_body(), params={"precedingSalesVoucherId": invoice_id})
    assert_regular_error(response, 406, "/v1/invoices", "precedingSalesVoucherId")
    assert len(lex.org.collection("invoices")) == 1


# --- documents -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("collection", "body", "filename"),
    [
        ("invoices", invoice_body, "Rechnung_RE1001.pdf"),
        ("credit-notes", credit_note_body, "Gutschrift_GS1001.pdf"),
    ],
)
def test_document_renders_a_pdf_once_per_content(
    lex: SandboxOrg, collection: str, body: Callable[[], dict[str, Any]], filename: str
) -> None:
    with lex.client() as c:
        record_id = create(c, collection, body(), finalize="true")
        response = c.get(f"/v1/{collection}/{record_id}/document")
        assert response.status_code == 200
        assert set(response.json()) == set(sample("041_invoices_document_response.json"))
        file_id = response.json()["documentFileId"]
        again = c.get(f"/v1/{collection}/{record_id}/document").json()["documentFileId"]
        stored = fetch(c, collection, record_id)
        download = c.get(f"/v1/files/{file_id}", headers={"Accept": "*/*"})
    rendered = lex.org.files[file_id]
    assert rendered.content.startswith(b"%PDF-")
    assert rendered.media_type == "application/pdf"
    assert rendered.filename == filename
    assert again == file_id
    assert len(lex.org.files) == 1
    assert stored["files"] == {"documentFileId": file_id}
    assert stored["version"] == 1
    assert download.status_code == 200
    assert download.content == rendered.content


def test_a_changed_voucher_is_rendered_anew(lex: SandboxOrg) -> None:
    with lex.client() as c:
        invoice_id = finalized_invoice(c)
        first = c.get(f"/v1/invoices/{invoice_id}/document").json()["documentFileId"]
        record = lex.org.collection("invoices")[invoice_id]
        record["remark"] = "Zahlbar sofort."  # what a user edit in the app would do
        lex.org.touch(record, "invoice.changed")
        second = c.get(f"/v1/invoices/{invoice_id}/document").json()["documentFileId"]
    assert second != first
    assert lex.org.files[second].content != lex.org.files[first].content


@pytest.mark.parametrize("collection", ["invoices", "credit-notes"])
def test_drafts_have_no_document(lex: SandboxOrg, collection: str) -> None:
    body = invoice_body() if collection == "invoices" else credit_note_body()
    with lex.client() as c:
        record_id = create(c, collection, body)
        path = f"/v1/{collection}/{record_id}/document"
        assert_regular_error(c.get(path), 406, path, "voucherStatus")
    assert not lex.org.files


def test_amounts_in_responses_are_json_numbers(lex: SandboxOrg) -> None:
    with lex.client() as c:
        raw = c.get(
            f"/v1/invoices/{create(c, 'invoices', invoice_body(lineItems=[priced_item(13.4, 19, 2)]))}"
        )
    stored = json.loads(raw.content, parse_float=Decimal)
    assert stored["totalPrice"]["totalGrossAmount"] == Decimal("31.89")
    assert stored["lineItems"][0]["unitPrice"]["grossAmount"] == Decimal("15.946")
