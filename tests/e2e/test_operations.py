"""Multi-step operations over real HTTP and Redis against the sandbox: each one in one call, at the upstream
call minimum, with its steps visible at ``/v1/operations/{id}``; retries replay or resume, faults are
resolved by looking the write up upstream, and a failed step says where it stopped and whether a retry
goes on."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from decimal import Decimal

import httpx
import pytest

from gateway.app import create_app
from gateway.serving import ThreadedServer
from tests.e2e.conftest import FAST_INTERVAL
from tests.e2e.helpers import Json, problem, upstream_calls, upstream_state, voucher_request
from tests.e2e.test_documents_api import invoice_request
from tests.gateway.conftest import Gateway, TenantHandle, gateway_settings
from tests.support.operations import receipt, unassigned_uploads, vouchers_numbered, wait_until_finished
from tests.support.redis_server import RedisServer
from tests.support.sandbox import RunningSandbox, SandboxOrg
from tests.support.uploads import PDF

VOUCHERS = "/v1/accounting/vouchers"
INVOICES = "/v1/accounting/invoices"
UPSERT = "/v1/accounting/contacts/upsert"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def operation_of(api: httpx.Client, response: httpx.Response) -> Json:
    found = api.get(f"/v1/operations/{response.headers['x-operation-id']}")
    assert found.status_code == 200, found.text
    body: Json = found.json()
    return body


def steps(operation: Json) -> list[tuple[str, str]]:
    return [(step["name"], step["status"]) for step in operation["steps"]]


# --- voucher with receipts ---------------------------------------------------------------------------------


def test_voucher_with_two_receipts_in_one_call(api: httpx.Client, account: Json) -> None:
    lex: SandboxOrg = account["lex"]
    before = upstream_calls(lex)
    body = voucher_request(number="OP-1", receipts=[receipt(), receipt("foto.png", PNG, "image/png")])
    response = api.post(VOUCHERS, json=body)
    assert response.status_code == 201, response.text
    assert upstream_calls(lex) - before == 3  # POST voucher, two uploads: nothing read back
    voucher = response.json()
    [stored] = vouchers_numbered(lex, "OP-1")
    assert voucher["attachments"] == stored["files"]
    assert len(stored["files"]) == 2
    assert response.headers["etag"] == f'"{stored["version"]}"'
    assert voucher == api.get(f"{VOUCHERS}/{voucher['id']}").json() | {"updated_at": voucher["updated_at"]}
    assert [lex.org.files[f].content for f in stored["files"]] == [PDF, PNG]
    operation = operation_of(api, response)
    assert (operation["kind"], operation["status"], operation["result_url"]) == (
        "create_voucher",
        "succeeded",
        f"{VOUCHERS}/{voucher['id']}",
    )
    assert steps(operation) == [
        ("create_voucher", "done"),
        ("upload_receipt_1", "done"),
        ("upload_receipt_2", "done"),
    ]
    assert [s["upstream_id"] for s in operation["steps"]] == [voucher["id"], *stored["files"]]


def test_voucher_with_receipts_as_multipart(api: httpx.Client, account: Json) -> None:
    lex: SandboxOrg = account["lex"]
    before = upstream_calls(lex)
    response = api.post(
        f"{VOUCHERS}/with-receipts",
        data={"voucher": httpx.Response(200, json=voucher_request(number="OP-MP")).text},
        files=[("receipts", ("beleg.pdf", PDF, "application/pdf"))],
    )
    assert response.status_code == 201, response.text
    assert upstream_calls(lex) - before == 2  # the physical minimum: voucher + 1 receipt
    [stored] = vouchers_numbered(lex, "OP-MP")
    assert response.json()["attachments"] == stored["files"]
    assert len(stored["files"]) == 1
    assert lex.org.files[stored["files"][0]].content == PDF


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"receipts": [receipt("notes.txt", b"hello", "text/plain")]}, "receipts[0]"),
        ({"receipts": [receipt(content=b"")]}, "receipts[0]"),
        (
            {"receipts": [{"filename": "x.pdf", "media_type": "application/pdf", "content": "%%%"}]},
            "receipts[0].content",
        ),
    ],
)
def test_bad_receipts_are_refused_before_anything_is_sent(
    api: httpx.Client, account: Json, change: Json, field: str
) -> None:
    lex: SandboxOrg = account["lex"]
    state = upstream_state(lex)
    body = problem(api.post(VOUCHERS, json=voucher_request(**change)), 422, "validation-error")
    assert field in [error["field"] for error in body["errors"]]
    assert upstream_state(lex) == state


def test_a_rejected_receipt_fails_its_step_and_reports_the_voucher_made(
    api: httpx.Client, account: Json
) -> None:
    lex: SandboxOrg = account["lex"]
    body = voucher_request(number="OP-BAD", receipts=[receipt(content=b"not a pdf at all")])
    response = api.post(VOUCHERS, json=body, headers={"Idempotency-Key": "op-bad"})
    failure = problem(response, 422, "upstream-validation")
    assert (failure["failed_step"], failure["resumable"]) == ("upload_receipt_1", False)
    [stored] = vouchers_numbered(lex, "OP-BAD")
    assert [(s["name"], s["status"], s["upstream_id"]) for s in failure["steps"]] == [
        ("create_voucher", "done", stored["id"]),
        ("upload_receipt_1", "failed", None),
    ]
    again = api.post(VOUCHERS, json=body, headers={"Idempotency-Key": "op-bad"})
    assert again.status_code == 422
    assert again.headers["idempotent-replayed"] == "true"
    assert len(vouchers_numbered(lex, "OP-BAD")) == 1


# --- idempotency of operations -----------------------------------------------------------------------------


def test_a_retry_replays_and_another_body_is_refused(api: httpx.Client, account: Json) -> None:
    lex: SandboxOrg = account["lex"]
    key = {"Idempotency-Key": "op-replay"}
    body = voucher_request(number="OP-R", receipts=[receipt()])
    first = api.post(VOUCHERS, json=body, headers=key)
    assert first.status_code == 201, first.text
    before = upstream_calls(lex)
    again = api.post(VOUCHERS, json=body, headers=key)
    assert (again.status_code, again.headers["idempotent-replayed"]) == (201, "true")
    assert again.json() == first.json()
    assert again.headers["location"] == first.headers["location"]
    assert upstream_calls(lex) == before
    problem(api.post(VOUCHERS, json=body | {"remark": "x"}, headers=key), 422, "idempotency-key-reused")
    assert len(vouchers_numbered(lex, "OP-R")) == 1


def test_operations_are_per_tenant(api: httpx.Client, e2e_gateway: Gateway) -> None:
    response = api.post(VOUCHERS, json=voucher_request(number="OP-T"))
    other: TenantHandle = e2e_gateway.new_tenant("Other SaaS")
    with other.client() as client:
        problem(client.get(f"/v1/operations/{response.headers['x-operation-id']}"), 404, "not-found")
    problem(api.get("/v1/operations/op_unknown"), 404, "not-found")


# --- outcome unknown: looked up, never re-sent blindly -----------------------------------------------------


@pytest.mark.parametrize("kind", ["timeout-after-perform", "timeout"])
@pytest.mark.parametrize("skip", [0, 1], ids=["create", "upload"])
def test_unconfirmed_writes_are_looked_up_before_anything_is_sent_again(
    api: httpx.Client, account: Json, kind: str, skip: int
) -> None:
    lex: SandboxOrg = account["lex"]
    lex.set_faults(timeout_seconds=0, queue=[{"kind": kind, "methods": ["POST"], "skip": skip}])
    response = api.post(VOUCHERS, json=voucher_request(number="OP-U", receipts=[receipt()]))
    assert response.status_code == 201, response.text
    [stored] = vouchers_numbered(lex, "OP-U")
    assert len(stored["files"]) == 1
    assert response.json()["attachments"] == stored["files"]
    assert unassigned_uploads(lex) == []
    step = operation_of(api, response)["steps"][skip]
    assert step["status"] == "done"
    if kind == "timeout-after-perform":  # written, then found upstream
        assert (step["attempts"], step["note"]) == (
            1,
            "found upstream: the earlier attempt's write had been performed",
        )
    else:  # not written: the lookup found nothing, so it was sent again
        assert (step["attempts"], step["note"]) == (2, None)


def test_an_unconfirmed_invoice_create_is_found_by_its_content(api: httpx.Client, account: Json) -> None:
    lex: SandboxOrg = account["lex"]
    lex.set_faults(timeout_seconds=0, queue=[{"kind": "timeout-after-perform", "methods": ["POST"]}])
    response = api.post(INVOICES, params={"include": "pdf"}, json=invoice_request(finalize=True))
    assert response.status_code == 201, response.text
    assert len(lex.org.collection("invoices")) == 1
    assert operation_of(api, response)["steps"][0]["note"].startswith("found upstream")


# --- transient failures: reported with the step, resumed by a retry ----------------------------------------


def test_an_upstream_outage_fails_the_step_and_a_retry_resumes_there(
    api: httpx.Client, account: Json
) -> None:
    lex: SandboxOrg = account["lex"]
    key = {"Idempotency-Key": "op-outage"}
    body = voucher_request(number="OP-O", receipts=[receipt(), receipt("b.pdf")])
    lex.set_faults(queue=[{"kind": "status:503", "count": 10, "methods": ["POST"], "skip": 2}])
    failure = problem(api.post(VOUCHERS, json=body, headers=key), 502, "upstream-unavailable")
    assert (failure["failed_step"], failure["resumable"]) == ("upload_receipt_2", True)
    assert [s["status"] for s in failure["steps"]] == ["done", "done", "failed"]
    assert "Retry with the same Idempotency-Key" in failure["detail"]
    [stored] = vouchers_numbered(lex, "OP-O")
    assert len(stored["files"]) == 1
    operation = api.get(failure["instance"]).json()
    assert (operation["status"], operation["resumable"], operation["failed_step"]) == (
        "failed",
        True,
        "upload_receipt_2",
    )

    lex.set_faults()
    before = upstream_calls(lex)
    resumed = api.post(VOUCHERS, json=body, headers=key)
    assert resumed.status_code == 201, resumed.text
    assert upstream_calls(lex) - before == 1  # only the failed upload: nothing before it is sent again
    [stored] = vouchers_numbered(lex, "OP-O")
    assert resumed.json()["attachments"] == stored["files"]
    assert len(stored["files"]) == 2
    assert api.get(failure["instance"]).json()["status"] == "succeeded"


def test_resume_by_operation_id_without_a_key(api: httpx.Client, account: Json) -> None:
    lex: SandboxOrg = account["lex"]
    lex.set_faults(queue=[{"kind": "status:503", "count": 10, "methods": ["POST"], "skip": 1}])
    failure = problem(
        api.post(VOUCHERS, json=voucher_request(number="OP-ID", receipts=[receipt()])),
        502,
        "upstream-unavailable",
    )
    lex.set_faults()
    resumed = api.post(f"/v1/operations/{failure['operation_id']}/resume")
    assert resumed.status_code == 201, resumed.text
    [stored] = vouchers_numbered(lex, "OP-ID")
    assert resumed.json()["attachments"] == stored["files"]
    assert len(stored["files"]) == 1
    again = api.post(f"/v1/operations/{failure['operation_id']}/resume")
    assert (again.status_code, again.headers["idempotent-replayed"]) == (201, "true")


def test_429_bursts_are_absorbed(api: httpx.Client, account: Json) -> None:
    lex: SandboxOrg = account["lex"]
    lex.set_faults(queue=[{"kind": "status:429", "count": 3}])
    response = api.post(VOUCHERS, json=voucher_request(number="OP-429", receipts=[receipt()]))
    assert response.status_code == 201, response.text
    [stored] = vouchers_numbered(lex, "OP-429")
    assert len(stored["files"]) == 1


# --- finalized invoice with its PDF ------------------------------------------------------------------------


def test_finalized_invoice_with_its_pdf_in_three_calls(api: httpx.Client, account: Json) -> None:
    lex: SandboxOrg = account["lex"]
    before = upstream_calls(lex)
    response = api.post(INVOICES, params={"include": "pdf"}, json=invoice_request(finalize=True))
    assert response.status_code == 201, response.text
    assert upstream_calls(lex) - before == 3  # POST, render, GET
    invoice = response.json()
    assert invoice["status"] == "open"
    assert invoice["number"]
    assert invoice["document_file_id"]
    pdf = api.get(f"/v1/accounting/files/{invoice['document_file_id']}")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    assert steps(operation_of(api, response)) == [
        ("create", "done"),
        ("render_pdf", "done"),
        ("read", "done"),
    ]


def test_include_pdf_needs_a_finalized_document(api: httpx.Client, account: Json) -> None:
    lex: SandboxOrg = account["lex"]
    state = upstream_state(lex)
    body = problem(
        api.post(INVOICES, params={"include": "pdf"}, json=invoice_request()), 422, "validation-error"
    )
    assert [e["field"] for e in body["errors"]] == ["finalize"]
    unknown = problem(
        api.post(INVOICES, params={"include": "xml"}, json=invoice_request()), 422, "validation-error"
    )
    assert [e["field"] for e in unknown["errors"]] == ["include[0]"]
    assert upstream_state(lex) == state


# --- credit note from an invoice ---------------------------------------------------------------------------


def _invoice(api: httpx.Client) -> Json:
    two_lines = invoice_request(finalize=True)
    two_lines["line_items"].append(
        {
            "name": "Reise",
            "quantity": "3",
            "unit_name": "km",
            "unit_price": {"amount": "0.50", "tax_rate": "19"},
        }
    )
    response = api.post(INVOICES, json=two_lines)
    assert response.status_code == 201, response.text
    invoice: Json = response.json()
    return invoice


def test_full_credit_note_of_an_invoice(api: httpx.Client, account: Json) -> None:
    lex: SandboxOrg = account["lex"]
    invoice = _invoice(api)
    before = upstream_calls(lex)
    response = api.post(f"{INVOICES}/{invoice['id']}/credit-notes", json={"finalize": True})
    assert response.status_code == 201, response.text
    assert upstream_calls(lex) - before == 3  # read the invoice, create, read the credit note
    note = response.json()
    assert (note["type"], note["status"], note["preceding_document_id"]) == (
        "credit_note",
        "paid_off",
        invoice["id"],
    )
    assert [(i["name"], Decimal(i["quantity"])) for i in note["line_items"]] == [
        ("Beratung", 2),
        ("Reise", 3),
    ]
    assert note["totals"]["gross"] == invoice["totals"]["gross"]
    assert lex.org.collection("invoices")[invoice["id"]]["voucherStatus"] == "paid"


def test_partial_credit_note_of_some_lines(api: httpx.Client, account: Json) -> None:
    invoice = _invoice(api)
    response = api.post(
        f"{INVOICES}/{invoice['id']}/credit-notes",
        json={"lines": [{"index": 1, "quantity": "1"}], "title": "Teilgutschrift"},
    )
    assert response.status_code == 201, response.text
    note = response.json()
    assert (note["status"], note["title"]) == ("draft", "Teilgutschrift")
    assert [(i["name"], Decimal(i["quantity"])) for i in note["line_items"]] == [("Reise", 1)]
    assert Decimal(note["totals"]["net"]) == Decimal("0.5")


def test_credit_lines_the_invoice_lacks_fail_without_writing(api: httpx.Client, account: Json) -> None:
    lex: SandboxOrg = account["lex"]
    invoice = _invoice(api)
    failure = problem(
        api.post(
            f"{INVOICES}/{invoice['id']}/credit-notes",
            json={"lines": [{"index": 5}, {"index": 0, "quantity": "9"}]},
        ),
        422,
        "validation-error",
    )
    assert (failure["failed_step"], failure["resumable"]) == ("create_credit_note", False)
    assert [e["field"] for e in failure["errors"]] == ["lines[0].index", "lines[1].quantity"]
    assert lex.org.collection("credit-notes") == {}
    problem(
        api.post(f"{INVOICES}/{invoice['id']}/credit-notes", json={"lines": [{"index": 0, "quantity": "0"}]}),
        422,
        "validation-error",
    )


# --- contact upsert ----------------------------------------------------------------------------------------


def person(last: str, email: str | None = None) -> Json:
    body: Json = {
        "type": "person",
        "roles": ["customer"],
        "person": {"first_name": "Erika", "last_name": last},
    }
    if email:
        body["emails"] = {"business": [email]}
    return body


def test_upsert_by_email_creates_then_updates(api: httpx.Client, account: Json) -> None:
    lex: SandboxOrg = account["lex"]
    upsert = {"match": {"email": "Erika@Example.com"}, "contact": person("Muster", "erika@example.com")}
    before = upstream_calls(lex)
    made = api.post(UPSERT, json=upsert)
    assert made.status_code == 201, made.text
    assert upstream_calls(lex) - before == 3  # find, POST, GET
    before = upstream_calls(lex)
    changed = api.post(UPSERT, json=upsert | {"contact": person("Mustermann", "erika@example.com")})
    assert changed.status_code == 200, changed.text
    assert upstream_calls(lex) - before == 2  # find (seeds the version cache), PUT
    assert changed.json()["id"] == made.json()["id"]
    assert changed.json()["person"]["last_name"] == "Mustermann"
    assert changed.headers["etag"] == f'"{changed.json()["version"]}"'
    assert len(lex.org.collection("contacts")) == 1


def test_upsert_by_external_id_keeps_the_mapping(api: httpx.Client, account: Json) -> None:
    lex: SandboxOrg = account["lex"]
    made = api.post(UPSERT, json={"match": {"external_id": "crm-42"}, "contact": person("Eins")})
    assert made.status_code == 201, made.text
    changed = api.post(UPSERT, json={"match": {"external_id": "crm-42"}, "contact": person("Zwei")})
    assert changed.status_code == 200, changed.text
    assert changed.json()["id"] == made.json()["id"]
    other = api.post(UPSERT, json={"match": {"external_id": "crm-43"}, "contact": person("Drei")})
    assert other.status_code == 201
    assert other.json()["id"] != made.json()["id"]
    assert len(lex.org.collection("contacts")) == 2


def test_upsert_by_customer_number_only_updates(api: httpx.Client, account: Json) -> None:
    lex: SandboxOrg = account["lex"]
    existing = api.post("/v1/accounting/contacts", json=person("Alt")).json()
    contact_id, number = existing["id"], existing["customer_number"]
    changed = api.post(UPSERT, json={"match": {"customer_number": number}, "contact": person("Neu")})
    assert changed.status_code == 200, changed.text
    assert changed.json()["id"] == contact_id
    state = upstream_state(lex)
    missing = problem(
        api.post(UPSERT, json={"match": {"customer_number": 99999}, "contact": person("X")}),
        422,
        "validation-error",
    )
    assert [e["field"] for e in missing["errors"]] == ["match.customer_number"]
    assert upstream_state(lex) == state


def test_ambiguous_or_bad_matches_write_nothing(api: httpx.Client, account: Json) -> None:
    lex: SandboxOrg = account["lex"]
    for last in ("A", "B"):
        assert api.post("/v1/accounting/contacts", json=person(last, "same@example.com")).status_code == 201
    state = upstream_state(lex)
    ambiguous = problem(
        api.post(UPSERT, json={"match": {"email": "same@example.com"}, "contact": person("C")}),
        409,
        "ambiguous-upstream-result",
    )
    assert ambiguous["failed_step"] == "find_contact"
    problem(api.post(UPSERT, json={"match": {}, "contact": person("C")}), 422, "validation-error")
    problem(
        api.post(UPSERT, json={"match": {"email": "a@b.c", "external_id": "x"}, "contact": person("C")}),
        422,
        "validation-error",
    )
    assert upstream_state(lex) == state


# --- capabilities -------------------------------------------------------------------------------------------


def test_operations_are_listed_in_the_capabilities(api: httpx.Client) -> None:
    [lexoffice] = [c for c in api.get("/v1/capabilities").json()["data"] if c["connector"] == "lexoffice"]
    kinds = {operation["kind"]: operation for operation in lexoffice["operations"]}
    assert set(kinds) == {"create_voucher", "create_invoice", "credit_invoice", "upsert_contact"}
    assert kinds["create_voucher"]["upstream_calls"] == "1 + 1 per receipt"
    notes = {
        r["resource"]: {o["operation"]: o.get("note") for o in r["operations"]}
        for r in lexoffice["resources"]
    }
    assert "receipts" in notes["vouchers"]["create"]
    assert "include=pdf" in notes["invoices"]["create"]
    assert "/credit-notes" in notes["invoices"]["action"]
    assert "upsert" in notes["contacts"]["action"]


# --- 202 and background completion -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def impatient_gateway(redis_server: RedisServer, sandbox: RunningSandbox) -> Iterator[Gateway]:
    """A gateway that answers 202 at once: every operation finishes in the background."""
    settings = gateway_settings(redis_server.url, sandbox, operation_wait_seconds=0)
    with ThreadedServer(create_app(settings, lexoffice_interval=FAST_INTERVAL)) as server:
        yield Gateway(server.url, settings)


def test_a_long_operation_answers_202_and_finishes_in_the_background(
    impatient_gateway: Gateway, lex: SandboxOrg
) -> None:
    tenant = impatient_gateway.new_tenant("Patient SaaS")
    with tenant.client() as client:
        account = client.post(
            "/v1/accounts", json={"connector": "lexoffice", "credentials": {"api_key": lex.api_key}}
        )
        client.headers["X-Account-Id"] = account.json()["id"]
        key = {"Idempotency-Key": "op-202"}
        body = voucher_request(number="OP-202", receipts=[receipt()])
        lex.set_faults(latency_ms=200)
        accepted = client.post(VOUCHERS, json=body, headers=key)
        assert accepted.status_code == 202, accepted.text
        url = accepted.headers["location"]
        assert (accepted.json()["status"], url) == ("running", f"/v1/operations/{accepted.json()['id']}")
        operation = wait_until_finished(client, url)
        assert operation["status"] == "succeeded"
        lex.set_faults()
        final = client.post(VOUCHERS, json=body, headers=key)
        assert (final.status_code, final.headers["idempotent-replayed"]) == (201, "true")
        assert final.headers["location"] == operation["result_url"]
    [stored] = vouchers_numbered(lex, "OP-202")
    assert len(stored["files"]) == 1
