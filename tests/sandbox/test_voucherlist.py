"""Sandbox voucherlist: item shape, mandatory filters, derived overdue status, optional filters on
Europe/Berlin days, sorting, paging and the 10,000-element window."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest

from connectors.lexoffice.sandbox.clock import format_timestamp, local_midnight
from connectors.lexoffice.sandbox.payments import open_amount
from tests.support.samples import sample, sample_exact
from tests.support.sandbox import SandboxOrg
from tests.support.vouchers import add_contact, create, create_body, purchase_body, send

Body = dict[str, Any]
ANY = {"voucherType": "any", "voucherStatus": "any"}


def midnight(day: date) -> str:
    return format_timestamp(local_midnight(day))


def add_invoice(lex: SandboxOrg, collection: str = "invoices", **fields: Any) -> Body:
    """Store a sales document the way the sales endpoints do (shape of sample 040)."""
    record: Body = sample_exact("040_invoices_retrieve_response.json")
    record |= {"id": str(uuid.uuid4()), "organizationId": lex.id, "voucherStatus": "open"}
    record |= {"voucherNumber": "RE1001", "dueDate": "2030-03-04T00:00:00.000+01:00"}
    record["address"] = record["address"] | {"contactId": str(uuid.uuid4())}
    record |= fields
    lex.org.collection(collection)[record["id"]] = record
    return record


def listing(lex: SandboxOrg, **params: Any) -> httpx.Response:
    with lex.client() as c:
        return c.get("/v1/voucherlist", params=ANY | params)


def ids(lex: SandboxOrg, **params: Any) -> list[str]:
    response = listing(lex, **params)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["content"]]


def purchase_voucher(lex: SandboxOrg, **fields: Any) -> str:
    with lex.sandbox.control() as control:
        response = send(
            control, "POST", f"/_sandbox/organizations/{lex.id}/vouchers", purchase_body() | fields
        )
    assert response.status_code == 201, response.text
    voucher_id: str = response.json()["id"]
    return voucher_id


# --------------------------------------------------------------------------- shape


def test_items_and_envelope_have_the_shape_of_the_sample(lex: SandboxOrg) -> None:
    invoice = add_invoice(lex)
    voucher = create(lex)
    purchase_id = purchase_voucher(lex)
    response = listing(lex)
    assert response.status_code == 200
    page, expected = response.json(), sample("066_voucherlist_list_response.json")
    assert set(page) == set(expected)
    assert page["sort"] == expected["sort"]
    assert (page["totalElements"], page["size"], page["number"]) == (3, 25, 0)
    items = {item["id"]: item for item in page["content"]}
    for item in items.values():
        assert set(item) == set(expected["content"][0])
    assert items[invoice["id"]] == {
        "id": invoice["id"], "voucherType": "invoice", "voucherStatus": "open", "voucherNumber": "RE1001",
        "voucherDate": invoice["voucherDate"], "createdDate": invoice["createdDate"],
        "updatedDate": invoice["updatedDate"], "dueDate": invoice["dueDate"],
        "contactId": invoice["address"]["contactId"], "contactName": "Bike & Ride GmbH & Co. KG",
        "totalAmount": 29.85, "openAmount": 29.85, "currency": "EUR", "archived": False,
    }  # fmt: skip
    assert items[voucher["id"]] | {"voucherStatus": "?"} == {
        "id": voucher["id"], "voucherType": "salesinvoice", "voucherStatus": "?", "voucherNumber": "123-456",
        "voucherDate": "2023-06-28T00:00:00.000+02:00", "createdDate": voucher["createdDate"],
        "updatedDate": voucher["updatedDate"], "dueDate": "2023-07-05T00:00:00.000+02:00", "contactId": None,
        "contactName": "Sammelkunde", "totalAmount": 119, "openAmount": 119, "currency": "EUR",
        "archived": False,
    }  # fmt: skip
    assert items[purchase_id]["contactName"] == "Sammellieferant"
    assert items[purchase_id]["voucherType"] == "purchaseinvoice"


def test_documents_of_the_sales_endpoints_are_listed(lex: SandboxOrg) -> None:
    with lex.client() as c:
        created = c.post("/v1/invoices?finalize=true", json=sample("038_invoices_create_request.json"))
        assert created.status_code == 201, created.text
        invoice = c.get(f"/v1/invoices/{created.json()['id']}").json()
    (item,) = listing(lex, voucherType="invoice").json()["content"]
    assert item["id"] == invoice["id"]
    assert item["voucherNumber"] == invoice["voucherNumber"]
    assert item["totalAmount"] == invoice["totalPrice"]["totalGrossAmount"]
    assert item["contactName"] == invoice["address"]["name"]


def test_open_amount_comes_from_the_payments(lex: SandboxOrg) -> None:
    records = [add_invoice(lex, voucherStatus=status) for status in ("draft", "open", "paid", "voided")]
    records.append(add_invoice(lex, "credit-notes", voucherStatus="paidoff"))
    payment = {"paymentItemType": "manualPayment", "postingDate": "2023-03-01T00:00:00.000+01:00"}
    lex.org.payment_items[records[1]["id"]] = [payment | {"amount": Decimal(10), "currency": "EUR"}]
    items = {item["id"]: item for item in listing(lex).json()["content"]}
    for record in records:
        expected = open_amount(lex.org, record)
        assert items[record["id"]]["openAmount"] == (None if expected is None else float(expected))
    assert items[records[0]["id"]]["openAmount"] is None
    assert items[records[1]["id"]]["openAmount"] == 19.85
    assert items[records[4]["id"]]["voucherType"] == "creditnote"


def test_contact_names(lex: SandboxOrg) -> None:
    person = add_contact(lex, "customer", person=True)
    company = add_contact(lex, "customer")
    for contact_id in (person, company):
        create(lex, create_body() | {"useCollectiveContact": False, "contactId": contact_id})
    items = listing(lex).json()["content"]
    assert {item["contactId"]: item["contactName"] for item in items} == {
        person: "Musterfrau, Erika",
        company: "Test GmbH",
    }


# --------------------------------------------------------------------------- mandatory filters


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"voucherType": None}, "voucherType"),
        ({"voucherStatus": None}, "voucherStatus"),
        ({"voucherType": ""}, "voucherType"),
        ({"voucherType": "invoice,bill"}, "voucherType"),
        ({"voucherType": "invoice,"}, "voucherType"),
        ({"voucherStatus": "open,late"}, "voucherStatus"),
        ({"voucherStatus": "Open"}, "voucherStatus"),
    ],
)
def test_voucher_type_and_status_are_mandatory_known_values(
    lex: SandboxOrg, params: Body, field: str
) -> None:
    query = {k: v for k, v in (ANY | params).items() if v is not None}
    with lex.client() as c:
        response = c.get("/v1/voucherlist", params=query)
    assert response.status_code == 400
    body = response.json()
    assert (body["status"], body["path"]) == (400, "/v1/voucherlist")  # regular error format
    assert body["details"][0]["field"] == field


def test_voucher_type_filter(lex: SandboxOrg) -> None:
    invoice = add_invoice(lex)["id"]
    credit_note = add_invoice(lex, "credit-notes", voucherNumber="GS1001")["id"]
    sales = create(lex)["id"]
    purchase = purchase_voucher(lex)
    assert set(ids(lex, voucherType="invoice")) == {invoice}
    assert set(ids(lex, voucherType="creditnote,purchaseinvoice")) == {credit_note, purchase}
    assert set(ids(lex, voucherType="salesinvoice, invoice")) == {sales, invoice}
    assert set(ids(lex, voucherType="any,quotation")) == {invoice, credit_note, sales, purchase}
    assert ids(lex, voucherType="quotation,deliverynote,orderconfirmation,downpaymentinvoice") == []


# --------------------------------------------------------------------------- status and overdue


def test_overdue_is_derived_and_open_includes_it(lex: SandboxOrg) -> None:
    today = lex.org.clock.today()
    yesterday, tomorrow = midnight(today - timedelta(days=1)), midnight(today)
    overdue = add_invoice(lex, dueDate=yesterday)["id"]
    due_today = add_invoice(lex, dueDate=tomorrow)["id"]
    sepadebit = add_invoice(lex, dueDate=yesterday, voucherStatus="sepadebit")["id"]
    paid = add_invoice(lex, dueDate=yesterday, voucherStatus="paid")["id"]
    draft = add_invoice(lex, dueDate=yesterday, voucherStatus="draft")["id"]
    statuses = {item["id"]: item["voucherStatus"] for item in listing(lex).json()["content"]}
    assert statuses == {
        overdue: "overdue",
        due_today: "open",
        sepadebit: "overdue",
        paid: "paid",
        draft: "draft",
    }
    assert set(ids(lex, voucherStatus="open")) == {overdue, due_today}
    assert set(ids(lex, voucherStatus="overdue")) == {overdue, sepadebit}
    assert set(ids(lex, voucherStatus="sepadebit,paid")) == {sepadebit, paid}
    assert set(ids(lex, voucherStatus="draft,unchecked")) == {draft}


# --------------------------------------------------------------------------- optional filters


def test_archived_contact_and_number_filters(lex: SandboxOrg) -> None:
    contact_id = add_contact(lex, "customer")
    archived = add_invoice(lex, archived=True, voucherNumber="RE1002")["id"]
    invoice = add_invoice(lex, address={"contactId": contact_id, "name": "Test GmbH"})["id"]
    voucher = create(lex, create_body() | {"useCollectiveContact": False, "contactId": contact_id})["id"]
    assert ids(lex, archived="true") == [archived]
    assert set(ids(lex, archived="FALSE")) == {invoice, voucher}
    assert set(ids(lex, contactId=contact_id)) == {invoice, voucher}
    assert ids(lex, voucherNumber="RE1002") == [archived]
    assert ids(lex, voucherNumber="RE100") == []


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("archived", "yes"),
        ("contactId", "12345"),
        ("voucherDateFrom", "2023-6-1"),
        ("voucherDateTo", "01.06.2023"),
        ("createdDateFrom", "2023-06-01T00:00:00.000+02:00"),
        ("updatedDateTo", ""),
        ("sort", "totalAmount,ASC"),
        ("sort", "voucherDate,UP"),
        ("page", "-1"),
        ("size", "0"),
    ],
)
def test_bad_optional_parameters_are_400(lex: SandboxOrg, name: str, value: str) -> None:
    response = listing(lex, **{name: value})
    assert response.status_code == 400
    assert response.json()["status"] == 400


@pytest.mark.parametrize("prop", ["voucherDate", "createdDate", "updatedDate"])
def test_date_filters_are_whole_berlin_days(lex: SandboxOrg, prop: str) -> None:
    # both instants are on 2023-03-03 in UTC, but on different days in Berlin
    late = add_invoice(lex, **{prop: "2023-03-03T23:30:00.000+01:00"})["id"]  # 22:30Z, Berlin 3rd
    next_day = add_invoice(lex, **{prop: "2023-03-04T00:30:00.000+01:00"})["id"]  # 23:30Z, Berlin 4th
    summer = add_invoice(lex, **{prop: "2023-06-01T00:00:00.000+02:00"})["id"]  # 2023-05-31T22:00Z
    assert ids(lex, **{f"{prop}From": "2023-03-03", f"{prop}To": "2023-03-03"}) == [late]
    assert ids(lex, **{f"{prop}From": "2023-03-04", f"{prop}To": "2023-03-04"}) == [next_day]
    assert ids(lex, **{f"{prop}From": "2023-06-01"}) == [summer]
    assert set(ids(lex, **{f"{prop}To": "2023-05-31"})) == {late, next_day}
    assert ids(lex, **{f"{prop}From": "2023-06-02", f"{prop}To": "2023-06-01"}) == []


# --------------------------------------------------------------------------- sorting and paging


def test_sorting(lex: SandboxOrg) -> None:
    def invoice(number: str | None, day: int, created_day: int, **fields: Any) -> str:
        created = f"2023-01-{created_day:02d}T10:00:00.000+01:00"
        dates = {"voucherDate": midnight(date(2023, 1, day)), "createdDate": created}
        return add_invoice(lex, voucherNumber=number, **dates, **fields)["id"]

    a, b, draft = invoice("A", 2, 5), invoice("B", 3, 4), invoice(None, 1, 6, voucherStatus="draft")
    assert ids(lex) == [b, a, draft]  # default voucherDate,DESC
    assert ids(lex, sort="voucherDate,ASC") == [draft, a, b]
    assert ids(lex, sort="voucherNumber") == [a, b, draft]  # ascending by default, nulls last
    assert ids(lex, sort="voucherNumber,DESC") == [draft, b, a]
    assert ids(lex, sort="createdDate,asc") == [b, a, draft]
    assert ids(lex, sort="updatedDate,DESC") == [
        draft,
        a,
        b,
    ]  # equal updatedDates: createdDate, same direction
    sort = listing(lex, sort="voucherNumber,DESC").json()["sort"]
    assert sort == [{"direction": "DESC", "property": "vouchernumber", "ignoreCase": False,
                     "nullHandling": "NATIVE", "ascending": False}]  # fmt: skip


def test_paging(lex: SandboxOrg) -> None:
    for day in range(1, 6):
        add_invoice(lex, voucherDate=midnight(date(2023, 5, day)), voucherNumber=f"RE{day}")
    second = listing(lex, size=2, page=1, sort="voucherNumber,ASC").json()
    assert [item["voucherNumber"] for item in second["content"]] == ["RE3", "RE4"]
    assert (second["first"], second["last"], second["totalPages"], second["totalElements"]) == (
        False,
        False,
        3,
        5,
    )
    assert (second["numberOfElements"], second["size"], second["number"]) == (2, 2, 1)
    assert listing(lex, size=1000).json()["size"] == 250


def test_only_the_first_10000_elements_are_reachable(lex: SandboxOrg) -> None:
    template = add_invoice(lex)
    invoices = lex.org.collection("invoices")
    for n in range(10_049):
        record_id = str(uuid.uuid4())
        invoices[record_id] = template | {"id": record_id, "voucherNumber": f"RE{n:05d}"}
    last_page = listing(lex, page=39, size=250, sort="voucherNumber").json()
    beyond = listing(lex, page=40, size=250, sort="voucherNumber").json()
    assert last_page["numberOfElements"] == 250
    assert last_page["content"][-1]["voucherNumber"] == "RE09999"
    assert (beyond["content"], beyond["totalElements"], beyond["number"]) == ([], 10_050, 40)
