"""Quotes, sales orders, delivery notes, dunnings, down payment invoices, recurring invoices and the document
chain conversions over real HTTP (gateway -> sandbox), checked against sandbox state."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
import msgspec
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schemas.sales import QuoteCreate, totals_of
from tests.e2e.helpers import created, listed, problem, upstream_calls, upstream_state
from tests.support.sales import add_contact, control_create, down_payment_invoice, template_body
from tests.support.sandbox import SandboxOrg

Json = dict[str, Any]
A = "/v1/accounting"
UNKNOWN = "00000000-0000-4000-8000-000000000000"


def _item(net: str = "100.00", rate: str = "19", quantity: str = "2") -> Json:
    return {"name": "Beratung", "quantity": quantity, "unit_name": "Stunde",
            "unit_price": {"amount": net, "tax_rate": rate}}  # fmt: skip


def document_request(**changes: Any) -> Json:
    """The common part of every kind: 2 h at 100.00 net + 19 % = 238.00 gross, a one-time address."""
    return {
        "issue_date": "2024-03-31",
        "address": {"name": "Musterfirma GmbH", "country_code": "DE", "city": "Berlin"},
        "line_items": [_item()],
        **changes,
    }


def quote_request(**changes: Any) -> Json:
    return document_request(**{"expiration_date": "2024-04-30", **changes})


DELIVERY = {"type": "delivery", "date": "2024-04-02"}


def _quote(api: httpx.Client, *, finalize: bool = True) -> Json:
    return created(api, f"{A}/quotes", quote_request(finalize=finalize))


def _pdf(api: httpx.Client, path: str) -> None:
    response = api.get(f"{path}/pdf")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


# --- each kind's routes ----------------------------------------------------------------------------------


def test_quote_create_get_list_pdf_and_no_update(api: httpx.Client, account: Json) -> None:
    lex: SandboxOrg = account["lex"]
    draft = _quote(api, finalize=False)
    assert (draft["type"], draft["status"], draft["expiration_date"]) == ("quote", "draft", "2024-04-30")
    quote = _quote(api)
    assert quote["status"] == "open"
    assert quote["number"]
    assert quote["totals"] == {"currency": "EUR", "net": "200.00", "tax": "38.00", "gross": "238.00",
                               "discount_absolute": None, "discount_percentage": None}  # fmt: skip
    stored = lex.org.get("quotations", quote["id"])
    assert stored is not None
    assert stored["expirationDate"].startswith("2024-04-30")
    got = api.get(f"{A}/quotes/{quote['id']}")
    assert got.status_code == 200
    assert got.headers["etag"] == f'"{quote["version"]}"'
    assert set(listed(api, f"{A}/quotes")) == {draft["id"], quote["id"]}
    assert listed(api, f"{A}/quotes", status="draft") == [draft["id"]]
    _pdf(api, f"{A}/quotes/{quote['id']}")
    problem(api.patch(f"{A}/quotes/{quote['id']}", json={"remark": "x"}), 501, "not-supported-by-connector")
    problem(api.get(f"{A}/invoices/{quote['id']}"), 404, "not-found")


def test_sales_order_and_delivery_note_created_directly(api: httpx.Client) -> None:
    order = created(api, f"{A}/sales-orders", document_request(delivery=DELIVERY, delivery_terms="Frei Haus"))
    assert (order["type"], order["status"], order["delivery_terms"]) == ("sales_order", "draft", "Frei Haus")
    assert order["number"]
    assert order["totals"]["gross"] == "238.00"
    note = created(api, f"{A}/delivery-notes", document_request(delivery=DELIVERY))
    assert (note["type"], note["status"], note["totals"]) == ("delivery_note", "draft", None)
    assert listed(api, f"{A}/sales-orders") == [order["id"]]
    assert listed(api, f"{A}/delivery-notes") == [note["id"]]
    _pdf(api, f"{A}/sales-orders/{order['id']}")
    _pdf(api, f"{A}/delivery-notes/{note['id']}")


# --- conversions ------------------------------------------------------------------------------------------


def test_quote_to_sales_order_to_invoice_and_delivery_note(api: httpx.Client, account: Json) -> None:
    lex: SandboxOrg = account["lex"]
    quote = _quote(api)
    order = created(api, f"{A}/quotes/{quote['id']}/sales-orders", document_request(delivery=DELIVERY))
    assert order["preceding_document_id"] == quote["id"]
    assert api.get(f"{A}/quotes/{quote['id']}").json()["status"] == "accepted"
    invoice = created(
        api, f"{A}/sales-orders/{order['id']}/invoices", document_request(delivery=DELIVERY, finalize=True)
    )
    assert invoice["type"] == "invoice"
    assert invoice["preceding_document_id"] == order["id"]
    note = created(api, f"{A}/sales-orders/{order['id']}/delivery-notes", document_request())
    assert note["preceding_document_id"] == order["id"]
    related = {doc["id"] for doc in api.get(f"{A}/sales-orders/{order['id']}").json()["related_documents"]}
    assert {quote["id"], invoice["id"], note["id"]} <= related
    stored = lex.org.get("order-confirmations", order["id"])
    assert stored is not None
    assert {v["id"] for v in stored["relatedVouchers"]} == related


def test_quote_to_invoice_and_invoice_to_dunning(api: httpx.Client, account: Json) -> None:
    lex: SandboxOrg = account["lex"]
    quote = _quote(api)
    invoice = created(
        api, f"{A}/quotes/{quote['id']}/invoices", document_request(delivery=DELIVERY, finalize=True)
    )
    assert invoice["preceding_document_id"] == quote["id"]
    assert invoice["status"] == "open"
    # the body may repeat the path's id
    dunning = created(
        api, f"{A}/invoices/{invoice['id']}/dunnings", document_request(preceding_document_id=invoice["id"])
    )
    assert (dunning["type"], dunning["status"], dunning["preceding_document_id"]) == (
        "dunning",
        "draft",
        invoice["id"],
    )
    assert lex.org.get("dunnings", dunning["id"]) is not None
    assert api.get(f"{A}/dunnings/{dunning['id']}").json()["id"] == dunning["id"]
    _pdf(api, f"{A}/dunnings/{dunning['id']}")
    answer = problem(api.get(f"{A}/dunnings"), 501, "not-supported-by-connector")
    assert "lexoffice" in answer["detail"]


def test_invalid_transitions_are_refused_and_write_nothing(api: httpx.Client, account: Json) -> None:
    lex: SandboxOrg = account["lex"]
    draft_quote = _quote(api, finalize=False)
    invoice = created(api, f"{A}/invoices", document_request(delivery=DELIVERY, finalize=True))
    before = upstream_state(lex)
    # a draft quote cannot be converted: lexoffice's 406 becomes the problem
    answer = problem(
        api.post(f"{A}/quotes/{draft_quote['id']}/invoices", json=document_request(delivery=DELIVERY)),
        422,
        "upstream-validation",
    )
    assert answer["upstream"]["status"] == 406
    assert [error["field"] for error in answer["errors"]] == ["precedingSalesVoucherId"]
    # an invoice never becomes a sales order: no such route, and lexoffice refuses the pursue
    assert api.post(f"{A}/invoices/{invoice['id']}/sales-orders", json={}).status_code in (404, 405)
    answer = problem(
        api.post(
            f"{A}/sales-orders", json=document_request(delivery=DELIVERY, preceding_document_id=invoice["id"])
        ),
        422,
        "upstream-validation",
    )
    assert answer["upstream"]["status"] == 406
    # a conversion of an unknown document
    problem(api.post(f"{A}/quotes/{UNKNOWN}/sales-orders", json=document_request(delivery=DELIVERY)),
            422, "upstream-validation")  # fmt: skip
    # a body naming another preceding document than the path: refused before lexoffice
    calls = upstream_calls(lex)
    answer = problem(
        api.post(
            f"{A}/invoices/{invoice['id']}/dunnings", json=document_request(preceding_document_id=UNKNOWN)
        ),
        422,
        "validation-error",
    )
    assert answer["errors"][0]["field"] == "preceding_document_id"
    assert upstream_calls(lex) == calls
    assert upstream_state(lex) == before


def test_bad_input_is_refused_before_reaching_lexoffice(api: httpx.Client, account: Json) -> None:
    lex: SandboxOrg = account["lex"]
    before, calls = upstream_state(lex), upstream_calls(lex)
    bad = (
        (f"{A}/quotes", document_request()),  # no expiration_date
        (f"{A}/quotes", quote_request(unknown="x")),
        (f"{A}/quotes", quote_request(expiration_date="2024-02-30")),
        (f"{A}/sales-orders", document_request()),  # no delivery
        (f"{A}/dunnings", document_request()),  # no preceding_document_id
        (f"{A}/delivery-notes", document_request(tax_mode="nett")),
        (f"{A}/quotes/{UNKNOWN}/sales-orders", document_request()),
    )
    for path, body in bad:
        answer = problem(api.post(path, json=body), 422, "validation-error")
        assert answer["errors"], (path, body)
    problem(api.get(f"{A}/quotes", params={"status": "won"}), 422, "validation-error")
    assert upstream_state(lex) == before
    assert upstream_calls(lex) == calls


# --- read-only kinds --------------------------------------------------------------------------------------


def test_down_payment_invoices_are_read_only(api: httpx.Client, account: Json) -> None:
    lex: SandboxOrg = account["lex"]
    made = down_payment_invoice(lex)
    got = api.get(f"{A}/down-payment-invoices/{made['id']}", params={"include_raw": "true"})
    assert got.status_code == 200, got.text
    document = got.json()
    assert (document["type"], document["status"], document["closing_invoice_id"]) == (
        "down_payment_invoice",
        "open",
        None,
    )
    assert Decimal(document["totals"]["gross"]) == Decimal("666.00")
    assert document["raw"]["id"] == made["id"]
    assert listed(api, f"{A}/down-payment-invoices") == [made["id"]]
    before = upstream_state(lex)
    for response in (
        api.post(f"{A}/down-payment-invoices", json=document_request()),
        api.get(f"{A}/down-payment-invoices/{made['id']}/pdf"),
    ):
        assert "lexoffice" in problem(response, 501, "not-supported-by-connector")["detail"]
    assert upstream_state(lex) == before


def test_recurring_invoices_are_read_only_templates(api: httpx.Client, account: Json) -> None:
    lex: SandboxOrg = account["lex"]
    contact_id = add_contact(lex)
    template = control_create(lex, "recurring-templates", template_body(contact_id))
    got = api.get(f"{A}/recurring-invoices/{template['id']}")
    assert got.status_code == 200, got.text
    document = got.json()
    assert document["type"] == "recurring_invoice"
    assert document["contact_id"] == contact_id
    assert document["status"] in ("active", "paused", "ended")
    assert document["number"] is None
    settings_ = template["recurringTemplateSettings"]
    assert document["schedule"]["interval"] == settings_["executionInterval"].lower()
    assert document["schedule"]["finalize"] == settings_["finalize"]
    assert Decimal(str(document["totals"]["gross"])) == Decimal(
        str(template["totalPrice"]["totalGrossAmount"])
    )
    assert listed(api, f"{A}/recurring-invoices") == [template["id"]]
    assert listed(api, f"{A}/recurring-invoices", contact_id=UNKNOWN) == []
    assert listed(api, f"{A}/recurring-invoices", status=document["status"]) == [template["id"]]
    before = upstream_state(lex)
    problem(api.post(f"{A}/recurring-invoices", json=document_request()), 501, "not-supported-by-connector")
    problem(api.get(f"{A}/recurring-invoices/{template['id']}/pdf"), 501, "not-supported-by-connector")
    assert upstream_state(lex) == before


def test_capabilities_list_every_new_resource(tenant_client: httpx.Client) -> None:
    response = tenant_client.get("/v1/capabilities")
    assert response.status_code == 200, response.text
    [lexoffice] = [c for c in response.json()["data"] if c["connector"] == "lexoffice"]
    resources = {
        r["resource"]: {op["operation"]: op["supported"] for op in r["operations"]}
        for r in lexoffice["resources"]
    }
    assert resources["quotes"]["action"]
    assert resources["sales-orders"]["action"]
    assert resources["invoices"]["action"]
    assert resources["dunnings"]["list"] is False
    assert resources["dunnings"]["create"]
    for read_only in ("down-payment-invoices", "recurring-invoices"):
        assert resources[read_only]["get"]
        assert resources[read_only]["create"] is False


# --- totals ----------------------------------------------------------------------------------------------

_RATES = st.sampled_from(["0", "7", "19"])
_PRICE = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9999.99"), places=2)
_QUANTITY = st.decimals(min_value=Decimal("0.001"), max_value=Decimal("100"), places=3)
_PERCENT = st.decimals(min_value=Decimal(0), max_value=Decimal(100), places=2)
_LINE = st.fixed_dictionaries(
    {"name": st.just("Posten"), "quantity": _QUANTITY.map(str), "unit_name": st.just("Stück"),
     "unit_price": st.fixed_dictionaries({"amount": _PRICE.map(str), "tax_rate": _RATES})},
    optional={"discount_percentage": _PERCENT.map(str)},
)  # fmt: skip


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    items=st.lists(_LINE, min_size=1, max_size=5),
    tax_mode=st.sampled_from(["net", "gross"]),
    discount=st.none() | _PERCENT.map(str),
)
def test_upstream_totals_equal_the_unified_totals(
    api: httpx.Client, items: list[Json], tax_mode: str, discount: str | None
) -> None:
    body = quote_request(line_items=items, tax_mode=tax_mode)
    if discount is not None:
        body["discount_percentage"] = discount
    expected = totals_of(msgspec.convert(body, QuoteCreate, strict=False))
    totals = created(api, f"{A}/quotes", body)["totals"]
    for name in ("net", "tax", "gross"):
        assert Decimal(str(totals[name])) == getattr(expected, name), (name, totals, expected)
