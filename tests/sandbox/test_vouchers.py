"""Sandbox bookkeeping vouchers: create/read/update, the validation rules, file assignment, the
voucherNumber filter and the control route for purchase vouchers."""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from tests.support.samples import sample
from tests.support.sandbox import SandboxOrg
from tests.support.uploads import PDF, upload
from tests.support.uploads import legacy_issue as issue
from tests.support.vouchers import (
    DESTINATION_SALES,
    GOODS,
    INTRA_EU,
    PURCHASE_GOODS,
    Body,
    add_contact,
    create,
    create_body,
    purchase_body,
    send,
)

READ_ONLY = ("id", "organizationId", "voucherStatus", "createdDate", "updatedDate", "version")


def without_read_only(record: Body) -> Body:
    return {k: v for k, v in record.items() if k not in READ_ONLY}


# --------------------------------------------------------------------------- create and read


def test_sample_request_is_accepted_and_read_back_like_the_sample(lex: SandboxOrg) -> None:
    with lex.client() as c:
        created = send(c, "POST", "/v1/vouchers", create_body())
        assert created.status_code == 201
        result = created.json()
        assert set(result) == set(sample("069_vouchers_create_response.json"))
        assert result["version"] == 1
        assert result["resourceUri"].endswith(f"/v1/vouchers/{result['id']}")
        got = c.get(f"/v1/vouchers/{result['id']}")
    assert got.status_code == 200
    voucher, expected = got.json(), sample("070_vouchers_retrieve_response.json")
    assert set(voucher) == set(expected)
    assert without_read_only(voucher) == without_read_only(expected)
    assert voucher["voucherStatus"] == "open"
    assert voucher["organizationId"] == lex.id
    assert '"totalGrossAmount":119.00' in got.text  # amounts are echoed as sent


def test_winter_dates_get_the_cet_offset_and_due_date_defaults_to_voucher_date(lex: SandboxOrg) -> None:
    body = create_body() | {"voucherDate": "2023-01-31"}
    del body["dueDate"], body["shippingDate"]
    voucher = create(lex, body)
    assert voucher["voucherDate"] == "2023-01-31T00:00:00.000+01:00"
    assert voucher["dueDate"] == "2023-01-31T00:00:00.000+01:00"
    assert "shippingDate" not in voucher


def test_dst_switch_days_are_local_midnight(lex: SandboxOrg) -> None:
    voucher = create(lex, create_body() | {"voucherDate": "2023-03-26", "dueDate": "2023-10-29"})
    assert voucher["voucherDate"] == "2023-03-26T00:00:00.000+01:00"
    assert voucher["dueDate"] == "2023-10-29T00:00:00.000+02:00"


def test_full_timestamps_as_returned_by_get_are_accepted(lex: SandboxOrg) -> None:
    voucher = create(lex, create_body() | {"voucherDate": "2023-06-27T22:00:00.000Z"})
    assert voucher["voucherDate"] == "2023-06-28T00:00:00.000+02:00"


def test_resource_sample_with_three_tax_rates_round_trips(lex: SandboxOrg) -> None:
    resource = sample("067_vouchers_resource_sample_collective_contact.json")
    body = without_read_only(resource) | {"version": 0}
    body |= {"voucherDate": "2023-06-30", "shippingDate": "2023-07-02", "dueDate": "2023-07-07"}
    assert without_read_only(create(lex, body)) == without_read_only(resource)


def test_net_voucher_with_a_customer_contact(lex: SandboxOrg) -> None:
    contact_id = add_contact(lex, "customer", "vendor")
    body = create_body() | {
        "taxType": "net",
        "useCollectiveContact": False,
        "contactId": contact_id,
        "totalGrossAmount": 238.00,
        "totalTaxAmount": 38.00,
        "version": 0,
    }
    body["voucherItems"] = [
        {"amount": 100.00, "taxAmount": 19.00, "taxRatePercent": 19, "categoryId": GOODS},
        {"amount": 100.00, "taxAmount": 19.00, "taxRatePercent": 19, "categoryId": GOODS},
    ]
    voucher = create(lex, body)
    assert voucher["contactId"] == contact_id
    assert voucher["useCollectiveContact"] is False


def test_collective_contact_ignores_the_contact_id(lex: SandboxOrg) -> None:
    voucher = create(lex, create_body() | {"contactId": "not-even-a-uuid"})
    assert voucher["useCollectiveContact"] is True
    assert "contactId" not in voucher


def test_tax_amounts_may_be_off_by_one_cent(lex: SandboxOrg) -> None:
    body = create_body() | {"totalTaxAmount": 18.99}
    body["voucherItems"][0]["taxAmount"] = 18.99
    assert create(lex, body)["totalTaxAmount"] == 18.99


def test_destination_categories_take_foreign_vat_rates(lex: SandboxOrg) -> None:
    org = lex.sandbox.new_org(distance_sales_principle="DESTINATION")
    contact_id = add_contact(org, "customer")
    body = create_body() | {
        "useCollectiveContact": False,
        "contactId": contact_id,
        "totalGrossAmount": 120.00,
        "totalTaxAmount": 20.00,
    }
    body["voucherItems"] = [
        {"amount": 120.00, "taxAmount": 20.00, "taxRatePercent": 20, "categoryId": DESTINATION_SALES}
    ]
    assert create(org, body)["voucherItems"][0]["taxRatePercent"] == 20


def test_create_fires_voucher_created_and_put_voucher_changed(lex: SandboxOrg) -> None:
    sandbox = lex.sandbox
    for event in ("voucher.created", "voucher.changed"):
        sub_id = str(uuid.uuid4())
        lex.org.collection("event-subscriptions")[sub_id] = {
            "subscriptionId": sub_id,
            "eventType": event,
            "callbackUrl": f"{sandbox.url}/_sandbox/health",
        }
    voucher = create(lex)
    with lex.client() as c:
        assert c.put(f"/v1/vouchers/{voucher['id']}", json=voucher).status_code == 200
    bodies = [json.loads(d["body"]) for d in sandbox.drain_events()]
    mine = [(b["eventType"], b["resourceId"]) for b in bodies if b["organizationId"] == lex.id]
    assert mine == [("voucher.created", voucher["id"]), ("voucher.changed", voucher["id"])]


def test_unknown_voucher_is_404_legacy(lex: SandboxOrg) -> None:
    with lex.client() as c:
        got = c.get(f"/v1/vouchers/{uuid.uuid4()}")
        put = send(c, "PUT", f"/v1/vouchers/{uuid.uuid4()}", create_body() | {"version": 1})
    for response in (got, put):
        assert response.status_code == 404
        assert issue(response)["i18nKey"] == "not_found"


# --------------------------------------------------------------------------- validation


def _set(path: str, value: Any) -> Callable[[Body], None]:
    """Set (or with ``...`` delete) a field; ``voucherItems.0.amount`` addresses an item field."""

    def apply(body: Body) -> None:
        *parents, last = path.split(".")
        target: Any = body
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        if value is ...:
            del target[int(last) if last.isdigit() else last]
        else:
            target[int(last) if last.isdigit() else last] = value

    return apply


def _items(*items: tuple[Any, Any, Any, str], gross: Any = None, tax: Any = None) -> Callable[[Body], None]:
    def apply(body: Body) -> None:
        body["voucherItems"] = [
            {"amount": a, "taxAmount": t, "taxRatePercent": r, "categoryId": cat} for a, t, r, cat in items
        ]
        body["totalGrossAmount"] = gross if gross is not None else sum(i[0] for i in items)
        body["totalTaxAmount"] = tax if tax is not None else sum(i[1] for i in items)

    return apply


INVALID = [
    ("missing type", _set("type", ...), "type", "missing_entity"),
    ("unknown type", _set("type", "invoice"), "type", "invalid_value"),
    ("purchase type is read-only", _set("type", "purchaseinvoice"), "type", "invalid_value"),
    ("purchase credit note is read-only", _set("type", "purchasecreditnote"), "type", "invalid_value"),
    ("missing voucherNumber", _set("voucherNumber", ...), "voucherNumber", "missing_entity"),
    ("empty voucherNumber", _set("voucherNumber", ""), "voucherNumber", "missing_entity"),
    ("numeric voucherNumber", _set("voucherNumber", 123), "voucherNumber", "invalid_value"),
    ("missing voucherDate", _set("voucherDate", ...), "voucherDate", "missing_entity"),
    ("german voucherDate", _set("voucherDate", "28.06.2023"), "voucherDate", "invalid_value"),
    ("impossible voucherDate", _set("voucherDate", "2023-02-30"), "voucherDate", "invalid_value"),
    (
        "timestamp without millis",
        _set("voucherDate", "2023-06-28T00:00:00+02:00"),
        "voucherDate",
        "invalid_value",
    ),
    ("bad shippingDate", _set("shippingDate", "2023/07/02"), "shippingDate", "invalid_value"),
    ("bad dueDate", _set("dueDate", "tomorrow"), "dueDate", "invalid_value"),
    ("missing totalGrossAmount", _set("totalGrossAmount", ...), "totalGrossAmount", "missing_entity"),
    ("string totalGrossAmount", _set("totalGrossAmount", "119.00"), "totalGrossAmount", "invalid_value"),
    ("three decimals", _items((119.001, 19.00, 19, GOODS)), "voucherItems[0].amount", "invalid_value"),
    ("negative amount", _items((-119.00, -19.00, 19, GOODS)), "voucherItems[0].amount", "invalid_value"),
    ("missing totalTaxAmount", _set("totalTaxAmount", ...), "totalTaxAmount", "missing_entity"),
    ("missing taxType", _set("taxType", ...), "taxType", "missing_entity"),
    ("unknown taxType", _set("taxType", "brutto"), "taxType", "invalid_value"),
    ("no contact", _set("useCollectiveContact", False), "contactId", "missing_entity"),
    (
        "non-boolean collective flag",
        _set("useCollectiveContact", "yes"),
        "useCollectiveContact",
        "invalid_value",
    ),
    ("missing voucherItems", _set("voucherItems", ...), "voucherItems", "missing_entity"),
    ("empty voucherItems", _set("voucherItems", []), "voucherItems", "missing_entity"),
    ("voucherItems not a list", _set("voucherItems", {"amount": 1}), "voucherItems", "invalid_value"),
    ("item not an object", _set("voucherItems", [1]), "voucherItems[0]", "invalid_value"),
    ("missing item amount", _set("voucherItems.0.amount", ...), "voucherItems[0].amount", "missing_entity"),
    (
        "missing item taxAmount",
        _set("voucherItems.0.taxAmount", ...),
        "voucherItems[0].taxAmount",
        "missing_entity",
    ),
    (
        "missing taxRatePercent",
        _set("voucherItems.0.taxRatePercent", ...),
        "voucherItems[0].taxRatePercent",
        "missing_entity",
    ),
    (
        "unsupported tax rate",
        _items((120.00, 20.00, 20, GOODS)),
        "voucherItems[0].taxRatePercent",
        "invalid_value",
    ),
    (
        "missing categoryId",
        _set("voucherItems.0.categoryId", ...),
        "voucherItems[0].categoryId",
        "missing_entity",
    ),
    (
        "unknown categoryId",
        _set("voucherItems.0.categoryId", str(uuid.uuid4())),
        "voucherItems[0].categoryId",
        "invalid_value",
    ),
    (
        "purchase category on a sales voucher",
        _set("voucherItems.0.categoryId", PURCHASE_GOODS),
        "voucherItems[0].categoryId",
        "invalid_value",
    ),
    (
        "destination category in an ORIGIN organization",
        _items((119.00, 19.00, 19, DESTINATION_SALES)),
        "voucherItems[0].categoryId",
        "invalid_value",
    ),
    (
        "item tax off by two cents",
        _items((119.00, 19.02, 19, GOODS)),
        "voucherItems[0].taxAmount",
        "invalid_value",
    ),
    (
        "net tax on a gross voucher",
        _items((100.00, 19.00, 19, GOODS)),
        "voucherItems[0].taxAmount",
        "invalid_value",
    ),
    ("tax on a 0 % item", _items((100.00, 1.00, 0, GOODS)), "voucherItems[0].taxAmount", "invalid_value"),
    (
        "gross total mismatch",
        _items((119.00, 19.00, 19, GOODS), gross=119.01),
        "totalGrossAmount",
        "invalid_value",
    ),
    ("tax total mismatch", _items((119.00, 19.00, 19, GOODS), tax=19.01), "totalTaxAmount", "invalid_value"),
    ("net total must add the tax", _set("taxType", "net"), "voucherItems[0].taxAmount", "invalid_value"),
    (
        "contact-required category with the collective contact",
        _items((100.00, 0, 0, INTRA_EU)),
        "contactId",
        "invalid_value",
    ),
    ("unknown file id", _set("files", [str(uuid.uuid4())]), "files[0]", "invalid_value"),
    ("files not a list", _set("files", "abc"), "files", "invalid_value"),
    ("version 1 on create", _set("version", 1), "version", "invalid_value"),
    ("string version", _set("version", "0"), "version", "invalid_value"),
]


@pytest.mark.parametrize(
    ("change", "source", "key"), [case[1:] for case in INVALID], ids=[c[0] for c in INVALID]
)
def test_invalid_voucher_is_406_legacy_and_stores_nothing(
    lex: SandboxOrg, change: Callable[[Body], None], source: str, key: str
) -> None:
    body = create_body()
    change(body)
    with lex.client() as c:
        response = send(c, "POST", "/v1/vouchers", body)
    assert response.status_code == 406, response.text
    assert issue(response) == {
        "i18nKey": key,
        "source": source,
        "type": "validation_failure",
        "additionalData": None,
        "args": None,
    }
    assert lex.org.collection("vouchers") == {}


def test_net_totals_add_the_tax(lex: SandboxOrg) -> None:
    body = create_body() | {"taxType": "net"}
    _items((100.00, 19.00, 19, GOODS), gross=100.00)(body)
    with lex.client() as c:
        response = send(c, "POST", "/v1/vouchers", body)
    assert response.status_code == 406
    assert issue(response)["source"] == "totalGrossAmount"


@pytest.mark.parametrize(
    ("roles", "accepted"),
    [(("customer",), True), (("vendor",), False), ((), False)],
    ids=["customer", "vendor", "none"],
)
def test_contact_must_be_a_customer(lex: SandboxOrg, roles: tuple[str, ...], accepted: bool) -> None:
    body = create_body() | {"useCollectiveContact": False, "contactId": add_contact(lex, *roles)}
    with lex.client() as c:
        response = send(c, "POST", "/v1/vouchers", body)
    assert response.status_code == (201 if accepted else 406)
    if not accepted:
        assert issue(response)["source"] == "contactId"


def test_unknown_contact_is_406(lex: SandboxOrg) -> None:
    body = create_body() | {"useCollectiveContact": False, "contactId": str(uuid.uuid4())}
    with lex.client() as c:
        response = send(c, "POST", "/v1/vouchers", body)
    assert response.status_code == 406
    assert issue(response)["source"] == "contactId"


def test_category_without_split_forbids_several_tax_rates(lex: SandboxOrg) -> None:
    body = create_body() | {"useCollectiveContact": False, "contactId": add_contact(lex, "customer")}
    single_rate = copy.deepcopy(body)
    _items((100.00, 0, 0, INTRA_EU), (50.00, 0, 0, INTRA_EU))(single_rate)
    _items((100.00, 0, 0, INTRA_EU), (119.00, 19.00, 19, GOODS))(body)
    with lex.client() as c:
        mixed = send(c, "POST", "/v1/vouchers", body)
        assert send(c, "POST", "/v1/vouchers", single_rate).status_code == 201
    assert mixed.status_code == 406
    assert issue(mixed)["source"] == "voucherItems[0].categoryId"


def test_non_json_body_is_415(lex: SandboxOrg) -> None:
    with lex.client() as c:
        response = c.post("/v1/vouchers", content=b"type=salesinvoice")
    assert response.status_code == 415
    assert "IssueList" in response.json()


# --------------------------------------------------------------------------- update


def test_put_replaces_the_content_and_bumps_the_version(lex: SandboxOrg) -> None:
    voucher = create(lex)
    changed = voucher | {"remark": "Neu", "voucherDate": "2023-12-01"}
    del changed["shippingDate"]
    with lex.client() as c:
        response = c.put(f"/v1/vouchers/{voucher['id']}", json=changed)
        assert response.status_code == 200
        assert set(response.json()) == set(sample("069_vouchers_create_response.json"))
        assert response.json()["version"] == 2
        stored = c.get(f"/v1/vouchers/{voucher['id']}").json()
    assert stored["remark"] == "Neu"
    assert stored["voucherDate"] == "2023-12-01T00:00:00.000+01:00"
    assert "shippingDate" not in stored
    assert stored["createdDate"] == voucher["createdDate"]
    assert stored["version"] == 2


def test_stale_put_is_409_and_changes_nothing(lex: SandboxOrg) -> None:
    voucher = create(lex)
    with lex.client() as c:
        assert c.put(f"/v1/vouchers/{voucher['id']}", json=voucher).status_code == 200
        stale = c.put(f"/v1/vouchers/{voucher['id']}", json=voucher | {"remark": "verloren"})
        stored = c.get(f"/v1/vouchers/{voucher['id']}").json()
    assert stale.status_code == 409
    assert issue(stale)["i18nKey"] == "conflict"
    assert stored["remark"] == voucher["remark"]
    assert stored["version"] == 2


def test_put_without_version_is_406(lex: SandboxOrg) -> None:
    voucher = create(lex)
    del voucher["version"]
    with lex.client() as c:
        response = c.put(f"/v1/vouchers/{voucher['id']}", json=voucher)
    assert response.status_code == 406
    assert (issue(response)["source"], issue(response)["i18nKey"]) == ("version", "missing_entity")


def test_invalid_put_changes_nothing(lex: SandboxOrg) -> None:
    voucher = create(lex)
    with lex.client() as c:
        response = c.put(f"/v1/vouchers/{voucher['id']}", json=voucher | {"totalGrossAmount": 1})
        assert response.status_code == 406
        assert c.get(f"/v1/vouchers/{voucher['id']}").json() == voucher


# --------------------------------------------------------------------------- files


def test_put_omitting_a_file_deletes_it_permanently(lex: SandboxOrg) -> None:
    with lex.client() as c:
        kept, dropped = upload(c).json()["id"], upload(c).json()["id"]
        voucher = create(lex, create_body() | {"files": [kept, dropped]})
        assert voucher["files"] == [kept, dropped]
        assert c.get(f"/v1/files/{dropped}/status").json()["voucherId"] == voucher["id"]
        response = c.put(f"/v1/vouchers/{voucher['id']}", json=voucher | {"files": [kept]})
        assert response.status_code == 200
        assert c.get(f"/v1/files/{dropped}").status_code == 404
        assert c.get(f"/v1/files/{kept}").content == PDF
        assert c.get(f"/v1/vouchers/{voucher['id']}").json()["files"] == [kept]
    assert dropped not in lex.org.files


def test_put_keeping_the_files_keeps_them(lex: SandboxOrg) -> None:
    with lex.client() as c:
        file_id = upload(c).json()["id"]
        voucher = create(lex, create_body() | {"files": [file_id]})
        assert c.put(f"/v1/vouchers/{voucher['id']}", json=voucher | {"remark": "x"}).status_code == 200
        assert c.get(f"/v1/files/{file_id}").status_code == 200
        assert c.get(f"/v1/vouchers/{voucher['id']}").json()["files"] == [file_id]


def test_a_file_can_be_assigned_only_once(lex: SandboxOrg) -> None:
    with lex.client() as c:
        file_id = upload(c).json()["id"]
        create(lex, create_body() | {"files": [file_id]})
        second = send(c, "POST", "/v1/vouchers", create_body() | {"files": [file_id]})
        twice = send(c, "POST", "/v1/vouchers", create_body() | {"files": [upload(c).json()["id"]] * 2})
    for response in (second, twice):
        assert response.status_code == 406
    assert issue(second)["source"] == "files[0]"
    assert issue(twice)["source"] == "files[1]"


def test_rendered_documents_cannot_be_assigned(lex: SandboxOrg) -> None:
    document = lex.org.store_file(PDF, "application/pdf", "RE1001.pdf")
    with lex.client() as c:
        response = send(c, "POST", "/v1/vouchers", create_body() | {"files": [document.id]})
    assert response.status_code == 406
    assert issue(response)["source"] == "files[0]"


def test_upload_to_a_voucher_assigns_the_file(lex: SandboxOrg) -> None:
    voucher = create(lex)
    with lex.client() as c:
        response = c.post(f"/v1/vouchers/{voucher['id']}/files", files={"file": ("bon.pdf", PDF)})
        assert response.status_code == 202
        file_id = response.json()["id"]
        assert set(response.json()) == {"id"}
        stored = c.get(f"/v1/vouchers/{voucher['id']}").json()
        assert stored["files"] == [file_id]
        assert stored["version"] == 2
        assert c.get(f"/v1/files/{file_id}").content == PDF
        assert c.get(f"/v1/files/{file_id}/status").json() == {
            "id": file_id,
            "status": "assigned",
            "voucherId": voucher["id"],
        }
        # the voucher's current files are valid in a PUT; dropping them deletes them
        assert c.put(f"/v1/vouchers/{voucher['id']}", json=stored | {"files": []}).status_code == 200
        assert c.get(f"/v1/files/{file_id}").status_code == 404


@pytest.mark.parametrize(
    ("target", "files", "status"),
    [
        ("unknown", {"file": ("bon.pdf", PDF)}, 404),
        ("voucher", {"file": ("bon.txt", b"plain text")}, 406),
        ("voucher", {"other": ("bon.pdf", PDF)}, 500),
    ],
    ids=["unknown-voucher", "text-file", "no-file-part"],
)
def test_upload_to_a_voucher_errors(lex: SandboxOrg, target: str, files: dict, status: int) -> None:
    voucher = create(lex)
    voucher_id = voucher["id"] if target == "voucher" else str(uuid.uuid4())
    with lex.client() as c:
        response = c.post(f"/v1/vouchers/{voucher_id}/files", files=files)
        assert c.get(f"/v1/vouchers/{voucher['id']}").json() == voucher
    assert response.status_code == status
    assert "IssueList" in response.json()
    assert lex.org.files == {}


# --------------------------------------------------------------------------- filter by voucherNumber


def test_filter_by_voucher_number_is_an_exact_match_page(lex: SandboxOrg) -> None:
    first = create(lex, create_body() | {"voucherNumber": "123-456-789"})
    second = create(lex, create_body() | {"voucherNumber": "123-456-789"})
    create(lex, create_body() | {"voucherNumber": "123-456"})
    with lex.client() as c:
        page = c.get("/v1/vouchers", params={"voucherNumber": "123-456-789"}).json()
        small = c.get("/v1/vouchers", params={"voucherNumber": "123-456-789", "size": 1, "page": 1}).json()
        capped = c.get("/v1/vouchers", params={"voucherNumber": "123-456-789", "size": 1000}).json()
    expected = sample("071_vouchers_filter_by_vouchernumber_response.json")
    assert set(page) == set(expected)
    assert [v["id"] for v in page["content"]] == [first["id"], second["id"]]
    assert page["content"][0] == first
    assert (page["totalElements"], page["size"], page["first"], page["last"]) == (2, 25, True, True)
    assert [v["id"] for v in small["content"]] == [second["id"]]
    assert (small["totalPages"], small["number"], small["last"]) == (2, 1, True)
    assert capped["size"] == 250


def test_filter_decodes_html_entities(lex: SandboxOrg) -> None:
    voucher = create(lex, create_body() | {"voucherNumber": "A&B <1>"})
    with lex.client() as c:
        page = c.get("/v1/vouchers", params={"voucherNumber": "A&amp;B &lt;1&gt;"}).json()
    assert [v["id"] for v in page["content"]] == [voucher["id"]]


@pytest.mark.parametrize("query", ["", "?voucherNumber=", "?size=5"])
def test_filter_without_voucher_number_is_400(lex: SandboxOrg, query: str) -> None:
    with lex.client() as c:
        response = c.get(f"/v1/vouchers{query}")
    assert response.status_code == 400
    assert issue(response)["source"] == "voucherNumber"


# --------------------------------------------------------------------------- purchase vouchers (control)


def test_control_route_creates_read_only_purchase_vouchers(lex: SandboxOrg) -> None:
    with lex.sandbox.control() as control:
        created = send(control, "POST", f"/_sandbox/organizations/{lex.id}/vouchers", purchase_body())
        missing_org = send(
            control, "POST", f"/_sandbox/organizations/{uuid.uuid4()}/vouchers", purchase_body()
        )
    assert created.status_code == 201
    assert missing_org.status_code == 404
    voucher_id = created.json()["id"]
    with lex.client() as c:
        voucher = c.get(f"/v1/vouchers/{voucher_id}").json()
        put = c.put(f"/v1/vouchers/{voucher_id}", json=voucher | {"type": "salesinvoice"})
        attach = c.post(f"/v1/vouchers/{voucher_id}/files", files={"file": ("bon.pdf", PDF)})
        after = c.get(f"/v1/vouchers/{voucher_id}").json()
    assert voucher["type"] == "purchaseinvoice"
    assert voucher["voucherStatus"] == "open"
    for response in (put, attach):
        assert response.status_code == 406
        assert issue(response)["source"] == "type"
    assert after == voucher
    assert lex.org.files == {}


@pytest.mark.parametrize(
    ("change", "status"),
    [
        (lambda b: b, 201),
        (lambda b: b | {"voucherStatus": "paid"}, 201),
        (lambda b: b | {"voucherStatus": "archived"}, 406),
        (lambda b: b | {"shippingDate": "2023-07-01"}, 406),
        (lambda b: b | {"useCollectiveContact": False, "contactId": None}, 406),
        (lambda b: {**b, "voucherItems": [{**b["voucherItems"][0], "categoryId": GOODS}]}, 406),
    ],
    ids=["open", "paid", "bad-status", "shipping-date", "no-contact", "income-category"],
)
def test_control_route_validates_like_the_api(
    lex: SandboxOrg, change: Callable[[Body], Body], status: int
) -> None:
    with lex.sandbox.control() as control:
        response = send(
            control, "POST", f"/_sandbox/organizations/{lex.id}/vouchers", change(purchase_body())
        )
    assert response.status_code == status, response.text


def test_purchase_voucher_needs_a_vendor_contact(lex: SandboxOrg) -> None:
    url = f"/_sandbox/organizations/{lex.id}/vouchers"
    with lex.sandbox.control() as control:
        customer = purchase_body() | {
            "useCollectiveContact": False,
            "contactId": add_contact(lex, "customer"),
        }
        vendor = purchase_body() | {"useCollectiveContact": False, "contactId": add_contact(lex, "vendor")}
        assert send(control, "POST", url, customer).status_code == 406
        assert send(control, "POST", url, vendor).status_code == 201
