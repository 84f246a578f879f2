"""Bookkeeping vouchers over real HTTP (gateway -> sandbox), checked against the sandbox state."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
import pytest
import redis

from connectors.lexoffice.sandbox.web import encode
from connectors.lexoffice.vouchers import VoucherVersioning
from connectors.redis_store import version_cache_key
from tests.e2e.helpers import created, listed, problem, upstream_calls, upstream_state, voucher_request
from tests.support.redis_server import RedisServer
from tests.support.sandbox import SandboxOrg
from tests.support.uploads import PDF
from tests.support.vouchers import GOODS, add_contact, create_body, purchase_body, send

Json = dict[str, Any]
VOUCHERS = "/v1/accounting/vouchers"


def upload_receipt(api: httpx.Client) -> str:
    response = api.post("/v1/accounting/files", files={"file": ("beleg.pdf", PDF, "application/pdf")})
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def changed_in_the_app(lex: SandboxOrg, voucher_id: str, **fields: Any) -> None:
    """A lexoffice user edits the voucher in the web app (a new version upstream)."""
    record = lex.org.collection("vouchers")[voucher_id]
    record.update(fields)
    lex.org.touch(record, "voucher.changed")


def test_voucher_with_a_receipt_keeps_it_through_updates(
    api: httpx.Client, account: Json, redis_server: RedisServer
) -> None:
    lex: SandboxOrg = account["lex"]
    file_id = upload_receipt(api)
    before = upstream_calls(lex)
    response = api.post(VOUCHERS, json=voucher_request(attachments=[file_id], remark="Shop order"))
    assert response.status_code == 201, response.text
    assert upstream_calls(lex) - before == 1  # POST: the response is what was sent plus lexoffice's answer
    voucher = response.json()
    assert voucher == api.get(f"{VOUCHERS}/{voucher['id']}").json()
    assert response.headers["etag"] == '"1"'
    assert response.headers["location"] == f"{VOUCHERS}/{voucher['id']}"
    assert voucher["attachments"] == [file_id]
    assert (voucher["type"], voucher["status"], voucher["number"]) == ("sales_invoice", "open", "SHOP-1001")
    assert voucher["totals"] == {"gross": "119.0", "tax": "19.0"}
    assert voucher["items"] == [
        {"amount": "119.0", "tax_amount": "19.0", "tax_rate": "19", "ledger_account_id": GOODS}
    ]
    assert (voucher["issue_date"], voucher["due_date"]) == ("2024-03-31", "2024-03-31")
    record = lex.org.collection("vouchers")[voucher["id"]]
    assert (record["files"], record["remark"], record["voucherDate"]) == (
        [file_id],
        "Shop order",
        "2024-03-31T00:00:00.000+01:00",
    )
    assert lex.org.files[file_id].voucher_id == voucher["id"]

    before = upstream_calls(lex)  # warm: the GET above cached the voucher, so the update is one PUT
    response = api.patch(f"{VOUCHERS}/{voucher['id']}", json={"remark": "Paid by card"})
    assert response.status_code == 200, response.text
    assert upstream_calls(lex) - before == 1
    updated = response.json()
    assert (updated["remark"], updated["version"], updated["attachments"]) == ("Paid by card", 2, [file_id])
    assert response.headers["etag"] == '"2"'
    assert (record["remark"], record["files"], record["version"]) == ("Paid by card", [file_id], 2)
    assert record["voucherDate"] == "2024-03-31T00:00:00.000+01:00"  # the date survived the round trip
    assert file_id in lex.org.files

    cache = redis.Redis.from_url(redis_server.url)  # cold: nothing cached, so GET + PUT
    cache.delete(version_cache_key(account["id"], f"vouchers/{voucher['id']}"))
    cache.close()
    before = upstream_calls(lex)
    response = api.patch(f"{VOUCHERS}/{voucher['id']}", json={"due_date": "2024-04-30"})
    assert response.status_code == 200, response.text
    assert upstream_calls(lex) - before == 2
    assert (record["dueDate"], record["files"], record["version"]) == (
        "2024-04-30T00:00:00.000+02:00",
        [file_id],
        3,
    )

    changed_in_the_app(lex, voucher["id"], remark="Edited in the app")  # another field: merged
    before = upstream_calls(lex)
    response = api.patch(f"{VOUCHERS}/{voucher['id']}", json={"number": "SHOP-1001-A"})
    assert response.status_code == 200, response.text
    assert upstream_calls(lex) - before == 3  # PUT (409: stale cache), GET, PUT
    assert (record["voucherNumber"], record["remark"], record["files"]) == (
        "SHOP-1001-A",
        "Edited in the app",
        [file_id],
    )
    assert (response.json()["remark"], response.json()["version"]) == ("Edited in the app", 5)

    changed_in_the_app(lex, voucher["id"], remark="Changed again in the app")  # the same field: a conflict
    state = upstream_state(lex)
    response = api.patch(f"{VOUCHERS}/{voucher['id']}", json={"remark": "Ours"})
    answer = problem(response, 409, "version-conflict")
    assert answer["conflicts"] == [
        {"field": "remark", "base": "Edited in the app", "ours": "Ours", "theirs": "Changed again in the app"}
    ]
    assert upstream_state(lex) == state


def test_if_match_makes_the_update_strict(api: httpx.Client, account: Json) -> None:
    lex: SandboxOrg = account["lex"]
    voucher = created(api, VOUCHERS, voucher_request())
    path = f"{VOUCHERS}/{voucher['id']}"
    assert api.patch(path, json={"remark": "first"}, headers={"If-Match": '"1"'}).status_code == 200
    state = upstream_state(lex)
    answer = problem(
        api.patch(path, json={"remark": "stale"}, headers={"If-Match": '"1"'}), 409, "version-conflict"
    )
    assert (answer["expected_version"], answer["current_version"]) == (1, 2)
    problem(api.patch(path, json={"remark": "x"}, headers={"If-Match": "v2"}), 400, "bad-request")
    assert upstream_state(lex) == state

    response = api.patch(path, json={"remark": None}, headers={"If-Match": '"2"'})
    assert response.status_code == 200, response.text
    assert response.json()["remark"] is None
    assert "remark" not in lex.org.collection("vouchers")[voucher["id"]]


def test_include_raw_and_raw_write_merge(api: httpx.Client, account: Json) -> None:
    lex: SandboxOrg = account["lex"]
    voucher = created(api, f"{VOUCHERS}?include_raw=true", voucher_request(raw={"remark": "from raw"}))
    record = lex.org.collection("vouchers")[voucher["id"]]
    assert record["remark"] == "from raw" == voucher["remark"] == voucher["raw"]["remark"]
    assert voucher["raw"]["voucherItems"][0]["categoryId"] == GOODS

    got = api.get(f"{VOUCHERS}/{voucher['id']}", params={"include_raw": "true"})
    assert got.headers["etag"] == '"1"'
    assert (got.json()["raw"]["id"], got.json()["raw"]["taxType"]) == (voucher["id"], "gross")
    assert api.get(f"{VOUCHERS}/{voucher['id']}").json()["raw"] is None

    patched = api.patch(f"{VOUCHERS}/{voucher['id']}", json={"raw": {"remark": "patched raw"}})
    assert patched.status_code == 200, patched.text
    assert record["remark"] == "patched raw"


def test_items_update_recomputes_the_totals(api: httpx.Client, account: Json) -> None:
    lex: SandboxOrg = account["lex"]
    contact_id = add_contact(lex, "customer")
    voucher = created(api, VOUCHERS, voucher_request())
    items = [
        {"amount": "100.00", "tax_rate": "19", "ledger_account_id": GOODS},
        {"amount": "50.00", "tax_rate": "7", "ledger_account_id": GOODS},
    ]
    response = api.patch(
        f"{VOUCHERS}/{voucher['id']}",
        json={"items": items, "prices_include_tax": False, "contact_id": contact_id},
    )
    assert response.status_code == 200, response.text
    record = lex.org.collection("vouchers")[voucher["id"]]
    assert (record["taxType"], record["contactId"], record["useCollectiveContact"]) == (
        "net",
        contact_id,
        False,
    )
    assert (Decimal(record["totalGrossAmount"]), Decimal(record["totalTaxAmount"])) == (
        Decimal("172.50"),
        Decimal("22.50"),
    )
    assert [Decimal(item["taxAmount"]) for item in record["voucherItems"]] == [
        Decimal("19.00"),
        Decimal("3.50"),
    ]


# --- lists ----------------------------------------------------------------------------------------


def _seed(lex: SandboxOrg, number: str, day: str, **changes: Any) -> str:
    """A sales voucher stored through the sandbox's own API (fast list fixtures)."""
    with lex.client() as client:
        response = send(
            client,
            "POST",
            "/v1/vouchers",
            create_body()
            | {"voucherNumber": number, "voucherDate": day, "dueDate": day, "shippingDate": day}
            | changes,
        )
        assert response.status_code == 201, response.text
        return str(response.json()["id"])


def test_list_filters_and_pages(api: httpx.Client, account: Json) -> None:
    lex: SandboxOrg = account["lex"]
    customer, vendor = add_contact(lex, "customer"), add_contact(lex, "vendor")
    first = _seed(lex, "A-1", "2024-01-10")
    second = _seed(lex, "A-2", "2024-02-10", useCollectiveContact=False, contactId=customer)
    third = _seed(lex, "A-3", "2024-03-10")
    with lex.sandbox.control() as control:  # a paid purchase invoice, entered by the user in the app
        body = purchase_body() | {"voucherNumber": "P-1", "useCollectiveContact": False, "contactId": vendor}
        purchase = control.post(
            f"/_sandbox/organizations/{lex.id}/vouchers",
            content=encode(body | {"voucherStatus": "paid"}),
            headers={"Content-Type": "application/json"},
        )
        assert purchase.status_code == 201, purchase.text
        purchase_id = purchase.json()["id"]
    created(api, "/v1/accounting/invoices", _invoice())  # sales documents are not vouchers
    vouchers = lex.org.collection("vouchers")
    for record_id, instant in (
        (first, "2024-05-01T10:00:00.000+02:00"),
        (second, "2024-05-01T10:00:05.000+02:00"),
        (third, "2024-05-02T08:00:00.000+02:00"),
        (purchase_id, "2024-05-02T09:00:00.000+02:00"),
    ):
        vouchers[record_id]["updatedDate"] = instant

    every = [first, second, third, purchase_id]
    assert listed(api, VOUCHERS) == every
    assert listed(api, VOUCHERS, limit=1) == every  # four pages
    assert listed(api, VOUCHERS, type="purchase_invoice") == [purchase_id]
    assert listed(api, VOUCHERS, type=["sales_invoice", "sales_credit_note"]) == [first, second, third]
    assert listed(api, VOUCHERS, status="paid") == [purchase_id]
    assert listed(api, VOUCHERS, status="open") == [first, second, third]
    assert listed(api, VOUCHERS, contact_id=customer) == [second]
    assert listed(api, VOUCHERS, number="A-2") == [second]
    assert listed(api, VOUCHERS, issued_from="2024-02-01", issued_to="2024-03-10") == [second, third]
    assert listed(api, VOUCHERS, updated_since="2024-05-01T10:00:03+02:00") == [second, third, purchase_id]

    page = api.get(VOUCHERS, params={"limit": 2, "type": "purchase_invoice", "include_raw": "true"}).json()
    assert page["next_cursor"] is None
    (summary,) = page["data"]
    assert (summary["type"], summary["status"], summary["number"]) == ("purchase_invoice", "paid", "P-1")
    assert (summary["contact_id"], summary["raw"]["voucherType"]) == (vendor, "purchaseinvoice")

    ids = [_seed(lex, f"B-{n}", "2024-06-01") for n in range(2)]
    pages = [api.get(VOUCHERS, params={"limit": 2}).json()]
    while pages[-1]["next_cursor"]:
        pages.append(api.get(VOUCHERS, params={"cursor": pages[-1]["next_cursor"]}).json())
    assert [[item["id"] for item in page["data"]] for page in pages] == [every[:2], every[2:], ids]


def _invoice() -> Json:
    return {
        "issue_date": "2024-03-31",
        "address": {"name": "Musterfirma GmbH", "country_code": "DE"},
        "line_items": [
            {"name": "x", "quantity": "1", "unit_name": "h", "unit_price": {"amount": "1", "tax_rate": "19"}}
        ],
        "delivery": {"type": "service", "date": "2024-03-31"},
    }


# --- bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (voucher_request(totals={"gross": "120.00", "tax": "19.00"}), "totals.gross"),
        (
            voucher_request(items=[{"amount": "1.005", "tax_rate": "19", "ledger_account_id": GOODS}]),
            "items[0].amount",
        ),
        (
            voucher_request(items=[{"amount": "10", "tax_rate": "8", "ledger_account_id": GOODS}]),
            "items[0].tax_rate",
        ),
        (voucher_request(type="purchase_invoice"), "type"),
        (voucher_request(issue_date="31.03.2024"), "issue_date"),
        (voucher_request(prices_include_tax="yes"), "prices_include_tax"),
        (voucher_request(discount="10"), "discount"),
        (voucher_request(collective_contact=False), "contact_id"),
        (voucher_request(items=[]), "items"),
    ],
)
def test_invalid_vouchers_are_refused_before_reaching_lexoffice(
    api: httpx.Client, account: Json, body: Json, field: str
) -> None:
    lex: SandboxOrg = account["lex"]
    state, calls_before = upstream_state(lex), upstream_calls(lex)
    answer = problem(api.post(VOUCHERS, json=body), 422, "validation-error")
    assert field in [error["field"] for error in answer["errors"]], answer
    assert upstream_state(lex) == state
    assert upstream_calls(lex) == calls_before


def test_invalid_updates_write_nothing(api: httpx.Client, account: Json) -> None:
    lex: SandboxOrg = account["lex"]
    voucher = created(api, VOUCHERS, voucher_request())
    with lex.sandbox.control() as control:
        purchase = control.post(
            f"/_sandbox/organizations/{lex.id}/vouchers",
            content=encode(purchase_body()),
            headers={"Content-Type": "application/json"},
        )
        purchase_id = purchase.json()["id"]
    path = f"{VOUCHERS}/{voucher['id']}"
    state = upstream_state(lex)
    for patch, field in (
        (
            {"items": [{"amount": "10.00", "tax_rate": "19", "ledger_account_id": GOODS}]},
            "prices_include_tax",
        ),
        ({"prices_include_tax": False}, "items"),
        ({"collective_contact": False}, "collective_contact"),
        ({"attachments": "all"}, "attachments"),
        ({"number": ""}, "number"),
        ({"issue_date": "2024-02-30"}, "issue_date"),
        ({"colour": "blue"}, "colour"),
    ):
        answer = problem(api.patch(path, json=patch), 422, "validation-error")
        assert field in [error["field"] for error in answer["errors"]], (patch, answer)
    problem(
        api.patch(f"{VOUCHERS}/00000000-0000-4000-8000-000000000000", json={"remark": "x"}), 404, "not-found"
    )
    refused = problem(
        api.patch(f"{VOUCHERS}/{purchase_id}", json={"remark": "x"}), 422, "upstream-validation"
    )
    assert refused["upstream"]["status"] == 406
    problem(api.get(VOUCHERS, params={"type": "salesinvoice"}), 422, "validation-error")
    # a tax amount that does not fit its rate is left to lexoffice to refuse
    wrong_tax = [{"amount": "119.00", "tax_rate": "19", "ledger_account_id": GOODS, "tax_amount": "5.00"}]
    refused = problem(api.post(VOUCHERS, json=voucher_request(items=wrong_tax)), 422, "upstream-validation")
    assert refused["errors"] == [{"field": "voucherItems[0].taxAmount", "reason": "invalid value"}]
    problem(api.get(f"{VOUCHERS}/00000000-0000-4000-8000-000000000000"), 404, "not-found")
    assert upstream_state(lex) == state


def test_empty_update_writes_nothing(api: httpx.Client, account: Json) -> None:
    lex: SandboxOrg = account["lex"]
    voucher = created(api, VOUCHERS, voucher_request())
    state = upstream_state(lex)
    response = api.patch(f"{VOUCHERS}/{voucher['id']}", json={})
    assert (response.status_code, response.json()["version"]) == (200, 1)
    problem(
        api.patch(f"{VOUCHERS}/{voucher['id']}", json={}, headers={"If-Match": '"7"'}),
        409,
        "version-conflict",
    )
    assert upstream_state(lex) == state


def test_payments_of_a_voucher(api: httpx.Client) -> None:
    voucher = created(api, VOUCHERS, voucher_request())
    payment = api.get(f"/v1/accounting/payments/{voucher['id']}").json()
    assert (payment["document_type"], payment["payment_status"], Decimal(payment["open_amount"])) == (
        "sales_invoice",
        "open",
        Decimal("119"),
    )


def test_voucher_put_sends_plain_dates() -> None:
    """lexoffice documents voucher dates on input as ``yyyy-MM-dd`` only: the PUT body converts GET's
    local-midnight timestamps (by their Berlin date, across the DST change) and keeps everything else."""
    body = {
        "voucherDate": "2024-03-31T00:00:00.000+01:00",
        "dueDate": "2024-10-27T00:00:00.000+02:00",
        "files": ["f"],
        "version": 3,
    }
    assert VoucherVersioning().put_body(body, 3) == {
        "voucherDate": "2024-03-31",
        "dueDate": "2024-10-27",
        "files": ["f"],
        "version": 3,
    }
