"""Invoices, credit notes and payments over real HTTP (gateway -> sandbox), checked against sandbox state."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
import pytest

from tests.e2e.helpers import created, listed, problem, upstream_calls, upstream_state
from tests.gateway.conftest import TenantHandle
from tests.support.sales import create, invoice_body, priced_item
from tests.support.sandbox import SandboxOrg
from tests.support.vouchers import add_contact

Json = dict[str, Any]


def invoice_request(**changes: Any) -> Json:
    """A unified invoice: 2 h at 100.00 net + 19 % = 238.00 gross."""
    return {
        "issue_date": "2024-03-31",
        "address": {"name": "Musterfirma GmbH", "country_code": "DE", "city": "Berlin"},
        "line_items": [
            {
                "name": "Beratung",
                "quantity": "2",
                "unit_name": "Stunde",
                "unit_price": {"amount": "100.00", "tax_rate": "19"},
            }
        ],
        "delivery": {"type": "service", "date": "2024-03-31"},
        **changes,
    }


def credit_note_request(net: str, **changes: Any) -> Json:
    """A unified credit note of one position at ``net`` + 19 %."""
    return {
        "issue_date": "2024-04-02",
        "address": {"name": "Musterfirma GmbH", "country_code": "DE"},
        "line_items": [
            {
                "name": "Gutschrift",
                "quantity": "1",
                "unit_name": "Stück",
                "unit_price": {"amount": net, "tax_rate": "19"},
            }
        ],
        **changes,
    }


# --- create, get, include_raw, raw merge ---------------------------------------------------------------


def test_create_draft_invoice_then_get_it_with_etag_and_raw(api: httpx.Client, account: Json) -> None:
    lex: SandboxOrg = account["lex"]
    before = upstream_calls(lex)
    response = api.post("/v1/accounting/invoices", json=invoice_request(remark="Danke"))
    assert response.status_code == 201, response.text
    assert upstream_calls(lex) - before == 2  # POST, then GET of the stored invoice
    invoice = response.json()
    record = lex.org.collection("invoices")[invoice["id"]]
    assert (record["voucherStatus"], record["remark"]) == ("draft", "Danke")
    assert record["address"]["name"] == "Musterfirma GmbH"
    assert response.headers["etag"] == '"1"'
    assert response.headers["location"] == f"/v1/accounting/invoices/{invoice['id']}"
    assert (invoice["type"], invoice["status"], invoice["number"]) == ("invoice", "draft", None)
    assert invoice["issue_date"] == "2024-03-31"
    assert Decimal(invoice["totals"]["gross"]) == Decimal("238.00")
    assert Decimal(invoice["totals"]["net"]) == Decimal("200.00")
    assert invoice["line_items"][0]["unit_price"]["tax_rate"] == "19"
    assert invoice["raw"] is None

    got = api.get(f"/v1/accounting/invoices/{invoice['id']}", params={"include_raw": "true"})
    assert (got.status_code, got.headers["etag"]) == (200, '"1"')
    body = got.json()
    assert {k: v for k, v in body.items() if k != "raw"} == {k: v for k, v in invoice.items() if k != "raw"}
    assert (body["raw"]["id"], body["raw"]["voucherStatus"]) == (invoice["id"], "draft")
    assert body["raw"]["lineItems"][0]["unitName"] == "Stunde"


def test_create_finalized_invoice_with_raw_merged_into_the_upstream_body(
    api: httpx.Client, account: Json
) -> None:
    lex: SandboxOrg = account["lex"]
    contact_id = add_contact(lex, "customer")
    invoice = created(
        api,
        "/v1/accounting/invoices?include_raw=true",
        invoice_request(
            contact_id=contact_id, title="Rechnung", finalize=True, raw={"title": "Rechnung (raw)"}
        ),
    )
    record = lex.org.collection("invoices")[invoice["id"]]
    assert (record["voucherStatus"], record["voucherNumber"]) == ("open", invoice["number"])
    assert record["title"] == "Rechnung (raw)" == invoice["title"]
    assert record["address"]["contactId"] == contact_id == invoice["contact_id"]
    assert invoice["status"] == "open"
    assert invoice["number"].startswith("RE")
    assert invoice["raw"]["title"] == "Rechnung (raw)"


def test_get_of_another_kind_or_unknown_id_is_not_found(api: httpx.Client) -> None:
    invoice = created(api, "/v1/accounting/invoices", invoice_request())
    problem(api.get(f"/v1/accounting/credit-notes/{invoice['id']}"), 404, "not-found")
    problem(api.get("/v1/accounting/invoices/00000000-0000-4000-8000-000000000000"), 404, "not-found")


# --- PDF ------------------------------------------------------------------------------------------


def test_invoice_pdf_is_the_rendered_document(api: httpx.Client, account: Json) -> None:
    lex: SandboxOrg = account["lex"]
    invoice = created(api, "/v1/accounting/invoices", invoice_request(finalize=True))
    before = upstream_calls(lex)
    response = api.get(f"/v1/accounting/invoices/{invoice['id']}/pdf")
    assert response.status_code == 200, response.text
    assert upstream_calls(lex) - before == 2  # GET .../document, GET /v1/files/{id}
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert int(response.headers["content-length"]) == len(response.content)
    assert (
        response.headers["content-disposition"] == f'attachment; filename="Rechnung_{invoice["number"]}.pdf"'
    )
    file_id = lex.org.collection("invoices")[invoice["id"]]["files"]["documentFileId"]
    assert lex.org.files[file_id].content == response.content


def test_credit_note_pdf_and_a_drafts_pdf_is_a_clear_problem(api: httpx.Client) -> None:
    note = created(api, "/v1/accounting/credit-notes", credit_note_request("10.00", finalize=True))
    pdf = api.get(f"/v1/accounting/credit-notes/{note['id']}/pdf")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF-")
    assert pdf.headers["content-type"] == "application/pdf"

    draft = created(api, "/v1/accounting/invoices", invoice_request())
    answer = problem(api.get(f"/v1/accounting/invoices/{draft['id']}/pdf"), 422, "upstream-validation")
    assert "finalized documents only" in answer["detail"]
    assert answer["upstream"]["status"] == 406


# --- credit notes pursued from invoices, payments ----------------------------------------------------


def test_credit_note_pursued_from_an_invoice_settles_it_upstream(api: httpx.Client, account: Json) -> None:
    lex: SandboxOrg = account["lex"]
    invoice = created(api, "/v1/accounting/invoices", invoice_request(finalize=True))
    note = created(
        api,
        "/v1/accounting/credit-notes",
        credit_note_request("200.00", finalize=True, preceding_document_id=invoice["id"]),
    )
    assert (note["type"], note["status"]) == ("credit_note", "paid_off")
    assert note["number"].startswith("GS")
    assert note["preceding_document_id"] == invoice["id"]
    assert lex.org.collection("invoices")[invoice["id"]]["voucherStatus"] == "paid"
    assert lex.org.collection("credit-notes")[note["id"]]["voucherStatus"] == "paidoff"

    again = api.get(f"/v1/accounting/invoices/{invoice['id']}").json()
    assert again["status"] == "paid"
    assert again["version"] > invoice["version"]
    assert {"id": note["id"], "type": "credit_note", "number": note["number"]} in again["related_documents"]
    payment = api.get(f"/v1/accounting/payments/{invoice['id']}").json()
    assert (payment["payment_status"], Decimal(payment["open_amount"])) == ("balanced", 0)
    assert [item["type"] for item in payment["items"]] == ["credit_note"]


def test_payments_of_open_partly_paid_paid_and_draft_documents(api: httpx.Client, account: Json) -> None:
    lex: SandboxOrg = account["lex"]
    invoice = created(api, "/v1/accounting/invoices", invoice_request(finalize=True))
    path = f"/v1/accounting/payments/{invoice['id']}"
    open_ = api.get(path, params={"include_raw": "true"}).json()
    assert open_ | {"raw": None} == {
        "document_id": invoice["id"],
        "document_type": "invoice",
        "document_status": "open",
        "payment_status": "open",
        "open_amount": open_["open_amount"],
        "currency": "EUR",
        "paid_at": None,
        "items": [],
        "raw": None,
    }
    assert Decimal(open_["open_amount"]) == Decimal("238.00")
    assert open_["raw"]["paymentStatus"] == "openRevenue"

    created(  # a credit note of 59.50 gross pays part of the invoice
        api,
        "/v1/accounting/credit-notes",
        credit_note_request("50.00", finalize=True, preceding_document_id=invoice["id"]),
    )
    partly = api.get(path).json()
    assert (partly["document_status"], partly["payment_status"]) == ("open", "open")
    assert Decimal(partly["open_amount"]) == Decimal("178.50")
    assert [(i["type"], Decimal(i["amount"])) for i in partly["items"]] == [("credit_note", Decimal("59.50"))]

    with lex.sandbox.control() as control:  # the user books the bank transfer of the rest in the app
        booked = control.post(
            f"/_sandbox/organizations/{lex.id}/vouchers/{invoice['id']}/payments",
            json={"amount": 178.5, "postingDate": "2030-04-10T09:30:00.000+02:00"},
        )
        assert booked.status_code == 201, booked.text
    paid = api.get(path).json()
    assert (paid["document_status"], paid["payment_status"]) == ("paid", "balanced")
    assert paid["paid_at"] == "2030-04-10T09:30:00+02:00"  # the last payment
    assert paid["items"][-1] == {
        "type": "financial_transaction",
        "amount": "178.5",
        "currency": "EUR",
        "posting_date": "2030-04-10",
    }

    draft = created(api, "/v1/accounting/invoices", invoice_request())
    answer = problem(api.get(f"/v1/accounting/payments/{draft['id']}"), 422, "upstream-validation")
    assert "drafts have no payments" in answer["detail"]
    assert answer["upstream"]["status"] == 406
    problem(api.get("/v1/accounting/payments/00000000-0000-4000-8000-000000000000"), 404, "not-found")


# --- lists ----------------------------------------------------------------------------------------


def _seed(lex: SandboxOrg, *, day: str, finalize: bool = False, contact_id: str | None = None) -> str:
    """An invoice stored through the sandbox's own API (fast list fixtures)."""
    address = {"contactId": contact_id} if contact_id else {"name": "Laufkundschaft", "countryCode": "DE"}
    body = invoice_body(voucherDate=f"{day}T00:00:00.000+01:00", address=address, lineItems=[priced_item(10)])
    with lex.client() as client:
        return create(client, "invoices", body, **({"finalize": "true"} if finalize else {}))


def test_list_filters(api: httpx.Client, account: Json) -> None:
    lex: SandboxOrg = account["lex"]
    contact_id = add_contact(lex, "customer")
    draft = _seed(lex, day="2024-01-10", contact_id=contact_id)
    opened = _seed(lex, day="2024-02-10", finalize=True)
    paid = _seed(lex, day="2024-03-10", finalize=True, contact_id=contact_id)
    with lex.sandbox.control() as control:
        control.post(f"/_sandbox/organizations/{lex.id}/vouchers/{paid}/payments", json={"amount": 11.9})
    note = created(api, "/v1/accounting/credit-notes", credit_note_request("1.00", finalize=True))
    invoices = lex.org.collection("invoices")
    for record_id, instant in (
        (draft, "2024-05-01T10:00:00.000+02:00"),
        (opened, "2024-05-01T10:00:05.000+02:00"),
        (paid, "2024-05-02T08:00:00.000+02:00"),
    ):
        invoices[record_id]["updatedDate"] = instant

    path = "/v1/accounting/invoices"
    assert listed(api, path) == [draft, opened, paid]  # oldest first; the credit note is not an invoice
    assert listed(api, "/v1/accounting/credit-notes") == [note["id"]]
    assert listed(api, path, status="draft") == [draft]
    assert listed(api, path, status=["open", "paid"]) == [opened, paid]
    assert listed(api, path, status="paid_off") == []  # no invoice can have it
    assert listed(api, path, contact_id=contact_id) == [draft, paid]
    assert listed(api, path, number=invoices[paid]["voucherNumber"]) == [paid]
    assert listed(api, path, issued_from="2024-02-01") == [opened, paid]
    assert listed(api, path, issued_from="2024-02-01", issued_to="2024-02-29") == [opened]
    # lexoffice filters updates by Berlin day; the gateway keeps only changes at or after the instant
    assert listed(api, path, updated_since="2024-05-01T10:00:03+02:00") == [opened, paid]
    assert listed(api, path, updated_since="2024-05-01T23:00:00Z") == [paid]

    page = api.get(path, params={"status": "open", "include_raw": "true"}).json()
    assert page["next_cursor"] is None
    (summary,) = page["data"]
    assert (summary["id"], summary["status"], summary["type"]) == (opened, "open", "invoice")
    assert summary["number"] == invoices[opened]["voucherNumber"]
    assert Decimal(summary["total_amount"]) == Decimal("11.90") == Decimal(summary["open_amount"])
    assert summary["raw"]["voucherType"] == "invoice"


def test_list_pages_through_the_upstream_pages(api: httpx.Client, account: Json) -> None:
    lex: SandboxOrg = account["lex"]
    ids = [_seed(lex, day=f"2024-01-{day:02d}") for day in range(10, 15)]
    first = api.get("/v1/accounting/invoices", params={"limit": 2}).json()
    assert [item["id"] for item in first["data"]] == ids[:2]
    second = api.get("/v1/accounting/invoices", params={"cursor": first["next_cursor"]}).json()
    assert [item["id"] for item in second["data"]] == ids[2:4]
    third = api.get("/v1/accounting/invoices", params={"cursor": second["next_cursor"]}).json()
    assert [item["id"] for item in third["data"]] == ids[4:]
    assert third["next_cursor"] is None
    assert listed(api, "/v1/accounting/invoices", limit=2) == ids


# --- bad input: a problem, and nothing written upstream -------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (invoice_request(issue_date=20240331), "issue_date"),
        (invoice_request(issue_date="2024-02-30"), "issue_date"),
        (invoice_request(tax_mode="sometimes"), "tax_mode"),
        (invoice_request(colour="blue"), "colour"),
        (invoice_request(line_items=[]), "line_items"),
        (invoice_request(contact_id="not-a-uuid"), "contact_id"),
        (invoice_request(delivery={"type": "service"}), "delivery"),
        ({k: v for k, v in invoice_request().items() if k != "delivery"}, "delivery"),
        (invoice_request(line_items=[{"name": "x", "quantity": "1", "unit_name": "h"}]), "line_items[0]"),
    ],
)
def test_invalid_invoices_are_refused_before_reaching_lexoffice(
    api: httpx.Client, account: Json, body: Json, field: str
) -> None:
    lex: SandboxOrg = account["lex"]
    before, calls_before = upstream_state(lex), upstream_calls(lex)
    answer = problem(api.post("/v1/accounting/invoices", json=body), 422, "validation-error")
    assert any(error["field"] == field for error in answer["errors"]), answer
    assert upstream_state(lex) == before
    assert upstream_calls(lex) == calls_before


def test_malformed_requests_and_upstream_refusals_write_nothing(
    api: httpx.Client, account: Json, tenant: TenantHandle
) -> None:
    lex: SandboxOrg = account["lex"]
    invoice = created(api, "/v1/accounting/invoices", invoice_request(finalize=True))
    before = upstream_state(lex)
    path = "/v1/accounting/credit-notes"
    broken = api.post(path, content=b'{"issue_date": ', headers={"Content-Type": "application/json"})
    problem(broken, 400, "invalid-json")
    problem(
        api.post(path, content=b"issue_date=x", headers={"Content-Type": "text/plain"}),
        415,
        "unsupported-media-type",
    )
    # lexoffice refuses to pursue an unknown invoice: its answer becomes the problem
    refused = api.post(
        path, json=credit_note_request("1.00", preceding_document_id="00000000-0000-4000-8000-000000000000")
    )
    answer = problem(refused, 422, "upstream-validation")
    assert answer["upstream"]["status"] == 406
    assert [error["field"] for error in answer["errors"]] == ["precedingSalesVoucherId"]
    for params in ({"status": "unpaid"}, {"issued_from": "2024-13-01"}, {"updated_since": "2024-05-01T10:00"},
                   {"contact_id": "nope"}, {"limit": 0}, {"limit": 251}, {"cursor": "bogus!"}):  # fmt: skip
        answer = problem(api.get(path, params=params), 422, "validation-error")
        assert answer["errors"], params

    other = tenant.gateway.new_tenant("Other SaaS")  # a second tenant with its own account
    with other.client() as other_client:
        foreign_lex = lex.sandbox.new_org()
        connected = other_client.post(
            "/v1/accounts", json={"connector": "lexoffice", "credentials": {"api_key": foreign_lex.api_key}}
        )
        assert connected.status_code == 201, connected.text
        foreign_id = connected.json()["id"]
    for method, url in (("GET", f"/v1/accounting/invoices/{invoice['id']}"), ("POST", path)):
        response = api.request(
            method, url, headers={"X-Account-Id": foreign_id}, json=credit_note_request("1")
        )
        problem(response, 404, "not-found")
    with tenant.client() as no_account:
        missing = no_account.post(path, json=credit_note_request("1"))
        answer = problem(missing, 422, "validation-error")
        assert answer["errors"] == [{"field": "X-Account-Id", "reason": "is required (header)"}]
    assert upstream_state(lex) == before
    assert foreign_lex.org.collection("credit-notes") == {}


def test_invoices_cannot_be_updated(api: httpx.Client, account: Json) -> None:
    lex: SandboxOrg = account["lex"]
    invoice = created(api, "/v1/accounting/invoices", invoice_request())
    before = upstream_state(lex)
    for path in (f"/v1/accounting/invoices/{invoice['id']}", f"/v1/accounting/credit-notes/{invoice['id']}"):
        answer = problem(api.patch(path, json={"remark": "changed"}), 501, "not-supported-by-connector")
        assert "lexoffice" in answer["detail"]
    assert upstream_state(lex) == before


def test_openapi_describes_each_kind_with_its_own_structs(gateway_url: str) -> None:
    schema = httpx.get(f"{gateway_url}/schema/openapi.json").json()
    paths = schema["paths"]

    def body_of(path: str) -> str:
        ref: str = paths[path]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        return ref.rsplit("/", 1)[-1]

    assert body_of("/v1/accounting/invoices") == "InvoiceCreate"
    assert body_of("/v1/accounting/credit-notes") == "CreditNoteCreate"
    pdf = paths["/v1/accounting/invoices/{document_id}/pdf"]["get"]["responses"]
    assert "application/pdf" in pdf["200"]["content"]
    assert {"404", "422", "502"} <= set(pdf)
    assert "501" in paths["/v1/accounting/credit-notes/{document_id}"]["patch"]["responses"]
    upload = paths["/v1/accounting/files"]["post"]["requestBody"]["content"]
    assert "multipart/form-data" in upload
    for path in ("/v1/accounting/vouchers/{voucher_id}", "/v1/accounting/payments/{document_id}",
                 "/v1/accounting/files/{file_id}/status"):  # fmt: skip
        assert "404" in next(iter(paths[path].values()))["responses"]
