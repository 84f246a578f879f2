"""Sandbox sales vouchers beyond invoices and credit notes: quotations, order confirmations, delivery notes,
dunnings, down payment invoices and closing invoices — samples, arithmetic, documents, the document chain."""

from __future__ import annotations

import copy
import re
import zlib
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from connectors.lexoffice.sandbox import payments, sales
from tests.support.sales import (
    add_contact,
    assert_regular_error,
    control_create,
    control_post,
    create,
    credit_note_body,
    delivery_note_body,
    down_payment_body,
    down_payment_invoice,
    dunning_body,
    fetch,
    finalized_invoice,
    invoice_body,
    order_confirmation_body,
    payments_of,
    priced_item,
    quotation_body,
    stored_records,
    watching,
)
from tests.support.samples import sample
from tests.support.sandbox import SandboxOrg

Body = dict[str, Any]


def _without_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


def _amounts(items: list[Body]) -> list[Any]:
    """lineItemAmount of every priced item, sub items nested (some samples drop the text items)."""
    return [(i.get("lineItemAmount"), _amounts(i.get("subItems", []))) for i in items if i["type"] != "text"]


def _pdf_text(content: bytes) -> bytes:
    """The PDF's page content streams, inflated."""
    streams = re.findall(rb"stream\r?\n(.*?)\r?\nendstream", content, re.S)
    return b"".join(zlib.decompress(s) if s.startswith(b"x") else s for s in streams)


def _pay(lex: SandboxOrg, voucher_id: str, amount: float) -> None:
    control_post(lex, f"vouchers/{voucher_id}/payments", {"amount": amount}).raise_for_status()


def _decide(lex: SandboxOrg, quotation_id: str, status: str) -> httpx.Response:
    return control_post(lex, f"quotations/{quotation_id}/status", {"voucherStatus": status})


# --- the documented samples ----------------------------------------------------------------------------


def _request(lex: SandboxOrg, c: httpx.Client, collection: str) -> tuple[Body, dict[str, str]]:
    """The documented create request of a collection and its query (a quotation is finalized to carry its
    number; a dunning follows a finalized invoice)."""
    if collection == "quotations":
        return quotation_body(add_contact(lex)), {"finalize": "true"}
    if collection == "order-confirmations":
        return order_confirmation_body(), {}
    if collection == "delivery-notes":
        return delivery_note_body(), {}
    return dunning_body(), {"precedingSalesVoucherId": finalized_invoice(c)}


SAMPLES = [
    (
        "quotations",
        "059_quotations_create_response.json",
        ("056_quotations_resource_sample.json", "060_quotations_retrieve_response.json"),
    ),
    (
        "order-confirmations",
        "045_order-confirmations_create_response.json",
        ("042_order-confirmations_resource_sample.json", "046_order-confirmations_retrieve_response.json"),
    ),
    (
        "delivery-notes",
        "017_delivery-notes_create_response.json",
        ("014_delivery-notes_resource_sample.json", "018_delivery-notes_retrieve_response.json"),
    ),
    (
        "dunnings",
        "023_dunnings_create_response.json",
        ("020_dunnings_resource_sample.json", "024_dunnings_retrieve_response.json"),
    ),
]


@pytest.mark.parametrize(("collection", "action_sample", "shape_samples"), SAMPLES)
def test_create_samples_are_accepted_with_the_documented_shapes(
    lex: SandboxOrg, collection: str, action_sample: str, shape_samples: tuple[str, ...]
) -> None:
    documented = set().union(*(set(sample(name)) for name in shape_samples))
    with lex.client() as c:
        body, params = _request(lex, c, collection)
        response = c.post(f"/v1/{collection}", json=body, params=params)
        assert response.status_code == 201, response.text
        result = response.json()
        stored = fetch(c, collection, result["id"])
        document = c.get(f"/v1/{collection}/{result['id']}/document")
    assert set(result) == set(sample(action_sample))
    assert result["resourceUri"].endswith(f"/v1/{collection}/{result['id']}")
    assert result["version"] == 1
    assert documented <= set(stored)
    assert stored["organizationId"] == lex.id
    assert document.status_code == 200
    assert set(document.json()) == set(sample("041_invoices_document_response.json"))


@pytest.mark.parametrize(
    ("collection", "request_name", "expected_name"),
    [
        ("quotations", "056_quotations_resource_sample.json", None),
        ("quotations", "060_quotations_retrieve_response.json", None),
        ("quotations", "058_quotations_create_request.json", "060_quotations_retrieve_response.json"),
        ("order-confirmations", "042_order-confirmations_resource_sample.json", None),
        ("order-confirmations", "046_order-confirmations_retrieve_response.json", None),
        (
            "order-confirmations",
            "044_order-confirmations_create_request.json",
            "046_order-confirmations_retrieve_response.json",
        ),
        ("dunnings", "020_dunnings_resource_sample.json", None),
        ("dunnings", "024_dunnings_retrieve_response.json", None),
        (
            "dunnings",
            "022_dunnings_create_request.json",
            "024_dunnings_retrieve_response.json",
        ),  # wrong totals
    ],
)
def test_amounts_reproduce_the_samples(
    lex: SandboxOrg, collection: str, request_name: str, expected_name: str | None
) -> None:
    """The documented voucher (or request), read-only fields and all, sent as a request: the amounts come
    out as documented (quotations: optional and alternative items do not count)."""
    documented = sample(request_name)
    expected = sample(expected_name or request_name)
    body, params = copy.deepcopy(documented), {}
    if collection == "quotations":
        body = quotation_body(add_contact(lex), **{k: v for k, v in body.items() if k != "address"})
    with lex.client() as c:
        if collection == "dunnings":
            params = {"precedingSalesVoucherId": finalized_invoice(c)}
        stored = fetch(c, collection, create(c, collection, body, **params))
    assert stored["totalPrice"] == _without_nulls(expected["totalPrice"])
    assert stored["taxAmounts"] == expected["taxAmounts"]
    assert _amounts(stored["lineItems"]) == _amounts([i for i in expected["lineItems"]])
    assert stored["id"] != documented.get("id")
    assert stored["version"] == 1


@pytest.mark.parametrize(
    "documented_name",
    ["014_delivery-notes_resource_sample.json", "018_delivery-notes_retrieve_response.json"],
)
def test_delivery_notes_carry_no_amounts(lex: SandboxOrg, documented_name: str) -> None:
    documented = sample(documented_name)
    with lex.client() as c:
        stored = fetch(c, "delivery-notes", create(c, "delivery-notes", documented))
    assert not {"totalPrice", "taxAmounts"} & set(stored)
    assert [i.get("lineItemAmount") for i in stored["lineItems"]] == [None] * len(documented["lineItems"])
    assert [i["unitPrice"] for i in stored["lineItems"]] == [i["unitPrice"] for i in documented["lineItems"]]


@pytest.mark.parametrize(
    "documented_name",
    ["026_down-payment-invoices_resource_sample.json", "028_down-payment-invoices_retrieve_response.json"],
)
def test_down_payment_invoice_samples(lex: SandboxOrg, documented_name: str) -> None:
    """Down payment invoices are read-only through the API; the app (control surface) makes them."""
    documented = sample(documented_name)
    shape = set(sample("026_down-payment-invoices_resource_sample.json")) | set(documented)
    made = control_create(lex, "down-payment-invoices", documented, finalize="true")
    with lex.client() as c:
        stored = fetch(c, "down-payment-invoices", made["id"])
        refused = c.post("/v1/down-payment-invoices", json=documented)
        no_document = c.get(f"/v1/down-payment-invoices/{made['id']}/document")
        download = c.get(f"/v1/files/{stored['files']['documentFileId']}", headers={"Accept": "*/*"})
    assert stored == made
    assert shape <= set(stored)
    for key in ("totalPrice", "taxAmounts", "shippingConditions", "title", "dueDate"):
        assert stored[key] == documented[key], key
    assert _amounts(stored["lineItems"]) == _amounts(documented["lineItems"])
    assert (stored["voucherStatus"], stored["voucherNumber"], stored["version"]) == ("open", "RE1001", 1)
    assert stored["closingInvoiceId"] is None
    assert stored["relatedVouchers"] == []
    assert refused.status_code == 404  # no such route, as for any unknown lexoffice route
    assert no_document.status_code == 404
    assert download.content.startswith(b"%PDF-")  # rendered on finalization, as lexoffice does


# --- kinds: numbers, defaults, rules ------------------------------------------------------------------


def test_numbers_per_kind(lex: SandboxOrg) -> None:
    """Draft-only kinds are numbered on creation, the others on finalization; dunnings have no number;
    down payment invoices share the invoices' number range."""
    contact_id = add_contact(lex)
    with lex.client() as c:
        draft_quotation = fetch(c, "quotations", create(c, "quotations", quotation_body(contact_id)))
        quotation = fetch(
            c, "quotations", create(c, "quotations", quotation_body(contact_id), finalize="true")
        )
        confirmation = fetch(
            c, "order-confirmations", create(c, "order-confirmations", order_confirmation_body())
        )
        delivery = fetch(c, "delivery-notes", create(c, "delivery-notes", delivery_note_body()))
        invoice_id = finalized_invoice(c)
        dunning = fetch(
            c, "dunnings", create(c, "dunnings", dunning_body(), precedingSalesVoucherId=invoice_id)
        )
    down_payment = down_payment_invoice(lex)
    assert "voucherNumber" not in draft_quotation
    assert (quotation["voucherStatus"], quotation["voucherNumber"]) == ("open", "AG1001")
    assert (confirmation["voucherStatus"], confirmation["voucherNumber"]) == ("draft", "AB1001")
    assert (delivery["voucherStatus"], delivery["voucherNumber"]) == ("draft", "LS1001")
    assert dunning["voucherStatus"] == "draft"
    assert "voucherNumber" not in dunning
    assert down_payment["voucherNumber"] == "RE1002"
    assert "dueDate" not in quotation


@pytest.mark.parametrize("collection", ["order-confirmations", "delivery-notes", "dunnings"])
def test_draft_only_kinds_cannot_be_finalized(lex: SandboxOrg, collection: str) -> None:
    with lex.client() as c:
        body, params = _request(lex, c, collection)
        before = stored_records(lex)
        response = c.post(f"/v1/{collection}", json=body, params={**params, "finalize": "true"})
    assert_regular_error(response, 406, f"/v1/{collection}", "finalize")
    assert stored_records(lex) == before


def test_default_texts_per_kind(lex: SandboxOrg) -> None:
    minimal = {
        "voucherDate": "2023-02-22T00:00:00.000+01:00",
        "expirationDate": "2023-03-22T00:00:00.000+01:00",
        "address": {"name": "Kunde", "countryCode": "DE"},
        "lineItems": [priced_item(100)],
        "totalPrice": {"currency": "EUR"},
        "taxConditions": {"taxType": "net"},
        "shippingConditions": {"shippingType": "none"},
    }
    with lex.client() as c:
        stored = {
            collection: fetch(c, collection, create(c, collection, minimal))
            for collection in ("quotations", "order-confirmations", "delivery-notes")
        }
        english = fetch(
            c, "order-confirmations", create(c, "order-confirmations", {**minimal, "language": "en"})
        )
    assert [stored[k]["title"] for k in stored] == ["Angebot", "Auftragsbestätigung", "Lieferschein"]
    assert stored["order-confirmations"]["deliveryTerms"] == "Lieferung an die angegebene Lieferadresse"
    assert stored["delivery-notes"]["deliveryTerms"]
    assert "deliveryTerms" not in stored["quotations"]
    assert "shippingConditions" not in stored["quotations"]
    assert stored["quotations"]["paymentConditions"]["paymentTermDuration"] == 30
    assert (english["title"], english["deliveryTerms"]) == (
        "Order confirmation",
        "Delivery to the given delivery address",
    )


QUOTATION_ITEM_CASES = [
    (
        "sub item not alternative",
        ("lineItems", 0, "subItems", 0, "alternative"),
        False,
        "subItems[0].alternative",
    ),
    ("sub item optional", ("lineItems", 0, "subItems", 0, "optional"), True, "subItems[0].optional"),
    ("alternative on top", ("lineItems", 1, "alternative"), True, "lineItems[1].alternative"),
    (
        "nested sub items",
        ("lineItems", 0, "subItems", 0, "subItems"),
        [priced_item(1)],
        "subItems[0].subItems",
    ),
    ("sub item without price", ("lineItems", 0, "subItems", 0, "unitPrice"), None, "subItems[0].unitPrice"),
    (
        "expiration before voucher date",
        ("expirationDate",),
        "2023-03-15T12:43:03.900+01:00",
        "expirationDate",
    ),
    ("expiration missing", ("expirationDate",), None, "expirationDate"),
]


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [case[1:] for case in QUOTATION_ITEM_CASES],
    ids=[c[0] for c in QUOTATION_ITEM_CASES],
)
def test_quotation_rules(lex: SandboxOrg, path: tuple[Any, ...], value: Any, field: str) -> None:
    body = quotation_body(add_contact(lex))
    node: Any = body
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    with lex.client() as c:
        response = c.post("/v1/quotations", json=body, params={"finalize": "true"})
    detail = assert_regular_error(response, 406, "/v1/quotations")
    assert response.json()["details"][0]["field"].endswith(field), detail
    assert not lex.org.collection("quotations")


def test_optional_and_alternative_items_count_only_in_quotations(lex: SandboxOrg) -> None:
    items = [
        {**priced_item(100), "subItems": [{**priced_item(80), "alternative": True}]},
        {**priced_item(50), "optional": True},
    ]
    with lex.client() as c:
        quotation = fetch(
            c,
            "quotations",
            create(
                c,
                "quotations",
                quotation_body(add_contact(lex), lineItems=items, taxConditions={"taxType": "net"}),
            ),
        )
        confirmation = fetch(
            c,
            "order-confirmations",
            create(c, "order-confirmations", order_confirmation_body(lineItems=items)),
        )
    assert quotation["totalPrice"]["totalNetAmount"] == 100
    assert quotation["lineItems"][0]["subItems"][0]["lineItemAmount"] == 80
    assert [(i["alternative"], i["optional"]) for i in quotation["lineItems"]] == [
        (False, False),
        (False, True),
    ]
    assert confirmation["totalPrice"]["totalNetAmount"] == 150
    assert not any({"subItems", "optional", "alternative"} & set(i) for i in confirmation["lineItems"])


def test_down_payment_invoices_have_exactly_one_priced_item(lex: SandboxOrg) -> None:
    two = down_payment_body(lineItems=[priced_item(100), priced_item(50)])
    text = down_payment_body(lineItems=[{"type": "text", "name": "Abschlag"}])
    responses = [control_post(lex, "down-payment-invoices", body, finalize="true") for body in (two, text)]
    with lex.sandbox.control() as control:
        unknown = control.post("/_sandbox/organizations/nope/down-payment-invoices", json=two)
    for response in responses:
        assert response.status_code == 406
        assert response.json()["message"].startswith("lineItems:")
    assert unknown.status_code == 404
    assert not lex.org.collection("down-payment-invoices")
    assert not lex.org.counters


def test_delivery_note_address_prefers_the_shipping_address(lex: SandboxOrg) -> None:
    contact_id = add_contact(lex)
    with lex.client() as c:
        delivery = fetch(
            c,
            "delivery-notes",
            create(c, "delivery-notes", delivery_note_body(address={"contactId": contact_id})),
        )
        confirmation = fetch(
            c,
            "order-confirmations",
            create(c, "order-confirmations", order_confirmation_body(address={"contactId": contact_id})),
        )
    assert (delivery["address"]["street"], delivery["address"]["name"]) == ("Schulstr. 13", "Testfirma")
    assert confirmation["address"]["street"] == "Hauptstr. 5"


# --- documents ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("collection", "priced"),
    [("quotations", True), ("order-confirmations", True), ("delivery-notes", False), ("dunnings", True)],
)
def test_documents_are_real_pdfs(lex: SandboxOrg, collection: str, priced: bool) -> None:
    """Draft-only kinds render as drafts; a delivery note shows no prices."""
    with lex.client() as c:
        body, params = _request(lex, c, collection)
        if collection == "delivery-notes":
            body = sample("018_delivery-notes_retrieve_response.json")
        record_id = create(c, collection, body, **params)
        file_id = c.get(f"/v1/{collection}/{record_id}/document").json()["documentFileId"]
        download = c.get(f"/v1/files/{file_id}", headers={"Accept": "*/*"})
        stored = fetch(c, collection, record_id)
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/pdf"
    assert download.content.startswith(b"%PDF-")
    assert stored["files"] == {"documentFileId": file_id}
    assert stored["version"] == 1
    assert (b"EUR" in _pdf_text(download.content)) is priced


def test_a_draft_quotation_has_no_document(lex: SandboxOrg) -> None:
    with lex.client() as c:
        quotation_id = create(c, "quotations", quotation_body(add_contact(lex)))
        path = f"/v1/quotations/{quotation_id}/document"
        assert_regular_error(c.get(path), 406, path, "voucherStatus")


@pytest.mark.parametrize(
    "collection", ["quotations", "order-confirmations", "delivery-notes", "dunnings", "down-payment-invoices"]
)
def test_unknown_ids_are_404(lex: SandboxOrg, collection: str) -> None:
    path = f"/v1/{collection}/00000000-0000-0000-0000-000000000000"
    with lex.client() as c:
        assert_regular_error(c.get(path), 404, path)


# --- the document chain ---------------------------------------------------------------------------------

Maker = Callable[[SandboxOrg, httpx.Client], tuple[str, str]]  # -> (collection, id)


def _quotation(status: str = "open") -> Maker:
    def make(lex: SandboxOrg, c: httpx.Client) -> tuple[str, str]:
        quotation_id = create(
            c, "quotations", quotation_body(add_contact(lex)), finalize=str(status != "draft").lower()
        )
        if status in ("accepted", "rejected"):
            _decide(lex, quotation_id, status).raise_for_status()
        return "quotations", quotation_id

    return make


def _invoice(status: str = "open") -> Maker:
    def make(lex: SandboxOrg, c: httpx.Client) -> tuple[str, str]:
        invoice_id = create(c, "invoices", invoice_body(), finalize=str(status != "draft").lower())
        if status == "paid":
            _pay(lex, invoice_id, 5)
        return "invoices", invoice_id

    return make


def _made(collection: str) -> Maker:
    def make(lex: SandboxOrg, c: httpx.Client) -> tuple[str, str]:
        if collection == "down-payment-invoices":
            return collection, down_payment_invoice(lex)["id"]
        if collection == "credit-notes":
            return collection, create(c, collection, credit_note_body(), finalize="true")
        body, params = _request(lex, c, collection)
        return collection, create(c, collection, body, **params)

    return make


def _follower_body(lex: SandboxOrg, collection: str, source: Body) -> Body:
    """A request for ``collection`` that fits ``source`` (dunnings: its tax conditions)."""
    if collection == "quotations":
        return quotation_body(add_contact(lex))
    if collection == "dunnings":
        return dunning_body(taxConditions={"taxType": source["taxConditions"]["taxType"]})
    bodies: dict[str, Callable[[], Body]] = {
        "invoices": invoice_body,
        "order-confirmations": order_confirmation_body,
        "delivery-notes": delivery_note_body,
        "down-payment-invoices": down_payment_body,
        "credit-notes": credit_note_body,
    }
    return bodies[collection]()


def _pursue(
    lex: SandboxOrg, c: httpx.Client, collection: str, source: Body, body: Body | None = None
) -> httpx.Response:
    """Pursue ``source`` to a voucher of ``collection`` (down payment invoices: in the app)."""
    body = body or _follower_body(lex, collection, source)
    params = {"precedingSalesVoucherId": source["id"]}
    if collection == "down-payment-invoices":
        return control_post(lex, collection, body, **params)
    return c.post(f"/v1/{collection}", json=body, params=params)


VALID = [
    ("quotation -> order confirmation", _quotation(), "order-confirmations"),
    ("quotation -> invoice", _quotation(), "invoices"),
    ("accepted quotation -> invoice", _quotation("accepted"), "invoices"),
    ("quotation -> down payment invoice", _quotation(), "down-payment-invoices"),
    ("order confirmation -> invoice", _made("order-confirmations"), "invoices"),
    ("order confirmation -> delivery note", _made("order-confirmations"), "delivery-notes"),
    ("order confirmation -> down payment invoice", _made("order-confirmations"), "down-payment-invoices"),
    ("invoice -> delivery note", _invoice(), "delivery-notes"),
    ("paid invoice -> delivery note", _invoice("paid"), "delivery-notes"),
    ("invoice -> credit note", _invoice(), "credit-notes"),
    ("invoice -> dunning", _invoice(), "dunnings"),
    ("down payment invoice -> dunning", _made("down-payment-invoices"), "dunnings"),
]


@pytest.mark.parametrize(
    ("make", "collection"), [case[1:] for case in VALID], ids=[case[0] for case in VALID]
)
def test_valid_pursue_relates_both_vouchers(lex: SandboxOrg, make: Maker, collection: str) -> None:
    kinds = {kind.collection: kind for kind in sales.KINDS}
    with lex.client() as c:
        source_collection, source_id = make(lex, c)
        source_kind, target_kind = kinds[source_collection], kinds[collection]
        with watching(lex, f"{source_kind.prefix}.changed", f"{target_kind.prefix}.created") as seen:
            before = fetch(c, source_collection, source_id)
            response = _pursue(lex, c, collection, before)
            assert response.status_code == 201, response.text
            follower = fetch(c, collection, response.json()["id"])
            source = fetch(c, source_collection, source_id)
            events = seen()
    assert follower["relatedVouchers"] == [
        {
            "id": source_id,
            "voucherNumber": source.get("voucherNumber"),
            "voucherType": source_kind.voucher_type,
        }
    ]
    assert source["relatedVouchers"] == [
        *before["relatedVouchers"],
        {
            "id": follower["id"],
            "voucherNumber": follower.get("voucherNumber"),
            "voucherType": target_kind.voucher_type,
        },
    ]
    assert source["version"] == before["version"] + 1
    assert events == [
        (f"{target_kind.prefix}.created", follower["id"]),
        (f"{source_kind.prefix}.changed", source_id),
    ]


INVALID = [
    ("draft quotation -> invoice", _quotation("draft"), "invoices"),
    ("rejected quotation -> order confirmation", _quotation("rejected"), "order-confirmations"),
    ("quotation -> delivery note", _quotation(), "delivery-notes"),
    ("quotation -> dunning", _quotation(), "dunnings"),
    ("order confirmation -> quotation", _made("order-confirmations"), "quotations"),
    ("order confirmation -> credit note", _made("order-confirmations"), "credit-notes"),
    ("invoice -> order confirmation", _invoice(), "order-confirmations"),
    ("invoice -> invoice", _invoice(), "invoices"),
    ("draft invoice -> delivery note", _invoice("draft"), "delivery-notes"),
    ("draft invoice -> dunning", _invoice("draft"), "dunnings"),
    ("paid invoice -> dunning", _invoice("paid"), "dunnings"),
    ("delivery note -> invoice", _made("delivery-notes"), "invoices"),
    ("dunning -> invoice", _made("dunnings"), "invoices"),
    ("credit note -> dunning", _made("credit-notes"), "dunnings"),
    (
        "down payment invoice -> invoice (closing invoices are made in the app)",
        _made("down-payment-invoices"),
        "invoices",
    ),
    ("invoice -> down payment invoice", _invoice(), "down-payment-invoices"),
]


@pytest.mark.parametrize(
    ("make", "collection"), [case[1:] for case in INVALID], ids=[case[0] for case in INVALID]
)
def test_invalid_pursue_is_406_and_changes_nothing(lex: SandboxOrg, make: Maker, collection: str) -> None:
    with lex.client() as c:
        source_collection, source_id = make(lex, c)
        source = fetch(c, source_collection, source_id)
        body = _follower_body(lex, collection, source)
        before = stored_records(lex)
        response = _pursue(lex, c, collection, source, body)
    if collection == "down-payment-invoices":  # the control surface: {status, message}
        assert response.status_code == 406
        assert response.json()["message"].startswith("precedingSalesVoucherId:")
    else:
        assert_regular_error(response, 406, f"/v1/{collection}", "precedingSalesVoucherId")
    assert stored_records(lex) == before


def test_pursuing_a_quotation_accepts_it(lex: SandboxOrg) -> None:
    with lex.client() as c:
        _, quotation_id = _quotation()(lex, c)
        with watching(
            lex, "quotation.changed", "quotation.status.changed", "order-confirmation.status.changed"
        ) as seen:
            create(c, "order-confirmations", order_confirmation_body(), precedingSalesVoucherId=quotation_id)
            create(c, "invoices", invoice_body(), precedingSalesVoucherId=quotation_id)
            events = seen()
        quotation = fetch(c, "quotations", quotation_id)
    assert quotation["voucherStatus"] == "accepted"
    assert [ref["voucherType"] for ref in quotation["relatedVouchers"]] == ["orderconfirmation", "invoice"]
    assert events == [
        ("quotation.changed", quotation_id),
        ("quotation.status.changed", quotation_id),
        ("quotation.changed", quotation_id),
    ]


def test_the_customer_accepts_or_rejects_a_quotation(lex: SandboxOrg) -> None:
    with watching(lex, "quotation.status.changed") as seen, lex.client() as c:
        _, accepted = _quotation()(lex, c)
        _, rejected = _quotation()(lex, c)
        _, draft = _quotation("draft")(lex, c)
        answers = [_decide(lex, accepted, "accepted"), _decide(lex, rejected, "rejected")]
        again = _decide(lex, accepted, "rejected")
        of_draft = _decide(lex, draft, "accepted")
        unknown_status = _decide(lex, rejected, "open")
        unknown_id = _decide(lex, "00000000-0000-0000-0000-000000000000", "accepted")
        statuses = [fetch(c, "quotations", q)["voucherStatus"] for q in (accepted, rejected, draft)]
        events = seen()
    assert [a.status_code for a in answers] == [200, 200]
    assert answers[0].json()["version"] == 2
    assert (again.status_code, of_draft.status_code) == (409, 409)
    assert (unknown_status.status_code, unknown_id.status_code) == (400, 404)
    assert statuses == ["accepted", "rejected", "draft"]
    assert events == [("quotation.status.changed", accepted), ("quotation.status.changed", rejected)]


# --- dunnings -------------------------------------------------------------------------------------------


def test_a_dunning_needs_its_invoice(lex: SandboxOrg) -> None:
    with lex.client() as c:
        response = c.post("/v1/dunnings", json=dunning_body())
    detail = assert_regular_error(response, 406, "/v1/dunnings", "precedingSalesVoucherId")
    assert detail["violation"] == "NOTNULL"
    assert not lex.org.collection("dunnings")


def test_a_dunning_takes_the_invoice_name_shipping_and_may_repeat(lex: SandboxOrg) -> None:
    with lex.client() as c:
        invoice_id = finalized_invoice(c)
        invoice = fetch(c, "invoices", invoice_id)
        renamed = dunning_body(address={"name": "Jemand anderes", "countryCode": "DE", "city": "Berlin"})
        nameless = dunning_body(address={"countryCode": "DE"})
        first = fetch(c, "dunnings", create(c, "dunnings", renamed, precedingSalesVoucherId=invoice_id))
        second = fetch(c, "dunnings", create(c, "dunnings", nameless, precedingSalesVoucherId=invoice_id))
        invoice_after = fetch(c, "invoices", invoice_id)
    assert first["address"] == {"name": invoice["address"]["name"], "city": "Berlin", "countryCode": "DE"}
    assert second["address"]["name"] == invoice["address"]["name"]
    assert first["shippingConditions"] == invoice["shippingConditions"]
    assert [ref["id"] for ref in invoice_after["relatedVouchers"]] == [first["id"], second["id"]]
    assert invoice_after["voucherStatus"] == "open"


def test_a_dunning_has_the_invoice_contact(lex: SandboxOrg) -> None:
    contact_id, other_id = add_contact(lex), add_contact(lex)
    with lex.client() as c:
        invoice_id = create(
            c,
            "invoices",
            invoice_body(address={"contactId": contact_id, "name": "Sonderkunde"}),
            finalize="true",
        )
        cases = {
            "none": dunning_body(),
            "other": dunning_body(address={"contactId": other_id}),
        }
        refused = {
            name: c.post("/v1/dunnings", json=body, params={"precedingSalesVoucherId": invoice_id})
            for name, body in cases.items()
        }
        dunning = fetch(
            c,
            "dunnings",
            create(
                c,
                "dunnings",
                dunning_body(address={"contactId": contact_id}),
                precedingSalesVoucherId=invoice_id,
            ),
        )
        collective_invoice = finalized_invoice(c)
        with_contact = c.post(
            "/v1/dunnings",
            json=dunning_body(address={"contactId": contact_id}),
            params={"precedingSalesVoucherId": collective_invoice},
        )
    for response in (*refused.values(), with_contact):
        assert_regular_error(response, 406, "/v1/dunnings", "address.contactId")
    assert dunning["address"]["contactId"] == contact_id
    assert dunning["address"]["name"] == "Sonderkunde"  # the invoice's name, not the contact's
    assert len(lex.org.collection("dunnings")) == 1


def test_a_dunning_has_the_invoice_tax_conditions(lex: SandboxOrg) -> None:
    with lex.client() as c:
        invoice_id = finalized_invoice(c)
        gross = c.post(
            "/v1/dunnings",
            json=dunning_body(taxConditions={"taxType": "gross"}),
            params={"precedingSalesVoucherId": invoice_id},
        )
    assert_regular_error(gross, 406, "/v1/dunnings", "taxConditions")
    assert not lex.org.collection("dunnings")


# --- down payment invoices and closing invoices -----------------------------------------------------------


def test_down_payment_invoices_take_payments(lex: SandboxOrg) -> None:
    with watching(
        lex, "down-payment-invoice.created", "down-payment-invoice.status.changed", "payment.changed"
    ) as seen:
        down_payment = down_payment_invoice(lex)
        draft = control_create(lex, "down-payment-invoices", down_payment_body())
        with lex.client() as c:
            open_state = payments_of(c, down_payment["id"])
            _pay(lex, down_payment["id"], 666)
            paid = fetch(c, "down-payment-invoices", down_payment["id"])
            draft_payments = c.get(f"/v1/payments/{draft['id']}")
        events = seen()
    assert (open_state["openAmount"], open_state["voucherType"], open_state["paymentStatus"]) == (
        666,
        "downpaymentinvoice",
        "openRevenue",
    )
    assert paid["voucherStatus"] == "paid"
    assert (draft["voucherStatus"], draft["files"]) == ("draft", {})
    assert "voucherNumber" not in draft
    assert draft_payments.status_code == 406
    assert events == [
        ("down-payment-invoice.created", down_payment["id"]),
        ("down-payment-invoice.created", draft["id"]),
        ("payment.changed", down_payment["id"]),
        ("down-payment-invoice.status.changed", down_payment["id"]),
    ]


def _closing_body(contact_id: str, *down_payment_ids: str, net: float = 2000) -> Body:
    return invoice_body(
        address={"contactId": contact_id},
        lineItems=[priced_item(net)],
        downPaymentInvoiceIds=list(down_payment_ids),
    )


def test_a_closing_invoice_deducts_its_down_payments(lex: SandboxOrg) -> None:
    contact_id = add_contact(lex)
    first, second = down_payment_invoice(lex, contact_id), down_payment_invoice(lex, contact_id)
    _pay(lex, second["id"], 666)
    with watching(lex, "invoice.created", "down-payment-invoice.changed") as seen:
        closing = control_create(
            lex, "closing-invoices", _closing_body(contact_id, first["id"], second["id"]), finalize="true"
        )
        events = seen()
    with lex.client() as c:
        stored = fetch(c, "invoices", closing["id"])
        deducted = [fetch(c, "down-payment-invoices", p["id"]) for p in (first, second)]
        open_state = payments_of(c, closing["id"])
        listed = c.get("/v1/voucherlist", params={"voucherType": "invoice", "voucherStatus": "any"}).json()[
            "content"
        ]
    assert stored == closing
    assert stored["closingInvoice"] is True
    assert stored["totalPrice"]["totalGrossAmount"] == 2380
    assert stored["claimedGrossAmount"] == 1048  # 2380.00 - 2 × 666.00
    assert stored["downPaymentDeductions"] == [
        {
            "id": p["id"],
            "voucherType": "downpaymentinvoice",
            "title": "1. Abschlagsrechnung",
            "voucherNumber": p["voucherNumber"],
            "voucherDate": p["voucherDate"],
            "receivedGrossAmount": 666,
            "receivedNetAmount": 559.66,
            "receivedTaxAmount": 106.34,
            "taxRatePercentage": 19,
        }
        for p in (first, second)
    ]
    assert [ref["id"] for ref in stored["relatedVouchers"]] == [first["id"], second["id"]]
    assert stored["files"]["documentFileId"] in lex.org.files
    for down_payment in deducted:
        assert down_payment["closingInvoiceId"] == closing["id"]
        assert down_payment["relatedVouchers"] == [
            {"id": closing["id"], "voucherNumber": "RE1003", "voucherType": "invoice"}
        ]
    assert deducted[0]["version"] == 2
    assert open_state["openAmount"] == 1048
    assert (listed[0]["totalAmount"], listed[0]["openAmount"]) == (2380, 1048)
    assert events == [
        ("invoice.created", closing["id"]),
        ("down-payment-invoice.changed", first["id"]),
        ("down-payment-invoice.changed", second["id"]),
    ]


CLOSING_CASES = ["already closed", "draft", "voided", "other contact", "none", "unknown", "twice", "too much"]


@pytest.mark.parametrize("case", CLOSING_CASES)
def test_invalid_closing_invoices_change_nothing(lex: SandboxOrg, case: str) -> None:
    contact_id, other_id = add_contact(lex), add_contact(lex)
    down_payment = down_payment_invoice(lex, contact_id)["id"]
    ids: list[str] = [down_payment]
    net = 2000.0
    if case == "already closed":
        control_create(lex, "closing-invoices", _closing_body(contact_id, down_payment))
    elif case == "draft":
        ids = [control_create(lex, "down-payment-invoices", down_payment_body(contact_id))["id"]]
    elif case == "voided":
        control_post(lex, f"vouchers/{down_payment}/void", None).raise_for_status()
    elif case == "other contact":
        ids = [down_payment_invoice(lex, other_id)["id"]]
    elif case == "none":
        ids = []
    elif case == "unknown":
        ids = ["00000000-0000-0000-0000-000000000000"]
    elif case == "twice":
        ids = [down_payment, down_payment]
    else:
        net = 100
    before = stored_records(lex)
    response = control_post(
        lex, "closing-invoices", _closing_body(contact_id, *ids, net=net), finalize="true"
    )
    assert response.status_code == 406, response.text
    assert response.json()["message"].startswith("downPaymentInvoiceIds")
    assert stored_records(lex) == before


# --- voucherlist, events, tables ----------------------------------------------------------------------


def test_the_voucherlist_shows_the_new_kinds_but_not_dunnings(lex: SandboxOrg) -> None:
    with lex.client() as c:
        quotation = create(c, "quotations", quotation_body(add_contact(lex)), finalize="true")
        confirmation = create(c, "order-confirmations", order_confirmation_body())
        delivery = create(c, "delivery-notes", delivery_note_body())
        invoice_id = finalized_invoice(c)
        create(c, "dunnings", dunning_body(), precedingSalesVoucherId=invoice_id)
        down_payment = down_payment_invoice(lex)["id"]
        _decide(lex, quotation, "accepted").raise_for_status()
        page = c.get(
            "/v1/voucherlist", params={"voucherType": "any", "voucherStatus": "any", "size": 250}
        ).json()
        accepted = c.get(
            "/v1/voucherlist", params={"voucherType": "quotation", "voucherStatus": "accepted"}
        ).json()
    listed = {item["id"]: item for item in page["content"]}
    assert {
        listed[i]["voucherType"] for i in (quotation, confirmation, delivery, down_payment, invoice_id)
    } == {
        "quotation",
        "orderconfirmation",
        "deliverynote",
        "downpaymentinvoice",
        "invoice",
    }
    assert len(listed) == 5  # the dunning is not listed
    assert listed[down_payment]["voucherStatus"] == "overdue"  # due 2023-02-19
    assert (listed[down_payment]["openAmount"], listed[down_payment]["totalAmount"]) == (666, 666)
    assert (listed[quotation]["voucherStatus"], listed[quotation]["openAmount"]) == ("accepted", None)
    assert (listed[delivery]["totalAmount"], listed[delivery]["voucherNumber"]) == (None, "LS1001")
    assert [item["id"] for item in accepted["content"]] == [quotation]


def test_each_kind_fires_its_created_event(lex: SandboxOrg) -> None:
    with (
        watching(
            lex, "quotation.created", "order-confirmation.created", "delivery-note.created", "dunning.created"
        ) as seen,
        lex.client() as c,
    ):
        quotation = create(c, "quotations", quotation_body(add_contact(lex)))
        confirmation = create(c, "order-confirmations", order_confirmation_body())
        delivery = create(c, "delivery-notes", delivery_note_body())
        dunning = create(c, "dunnings", dunning_body(), precedingSalesVoucherId=finalized_invoice(c))
        assert seen() == [
            ("quotation.created", quotation),
            ("order-confirmation.created", confirmation),
            ("delivery-note.created", delivery),
            ("dunning.created", dunning),
        ]


def test_payable_sales_kinds_match_the_table_of_kinds() -> None:
    """payments.PAYABLE cannot import sales.KINDS (sales imports payments); this keeps them in step."""
    kinds = {kind.collection: kind for kind in sales.KINDS}
    payable_kinds = {kind.collection for kind in sales.KINDS if set(kind.statuses) & payments.PAID_STATUSES}
    assert payable_kinds == set(payments.PAYABLE) - {"vouchers"}
    for collection in payable_kinds:
        row = payments.PAYABLE[collection]
        assert (row.prefix, row.voucher_type) == (kinds[collection].prefix, kinds[collection].voucher_type)
