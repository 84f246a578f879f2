"""Sandbox recurring templates: made in the app, read through the API (single and paged list), executed by
the schedule runner into invoices."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import httpx
import pytest

from connectors.lexoffice.sandbox.clock import BERLIN, parse_timestamp
from connectors.lexoffice.sandbox.recurring import due_until
from tests.support.sales import (
    TEMPLATE_SAMPLE,
    add_contact,
    assert_regular_error,
    control_create,
    control_post,
    fetch,
    payments_of,
    run_schedule,
    template_body,
    watching,
)
from tests.support.samples import sample, sample_bytes
from tests.support.sandbox import SandboxOrg, running_sandbox

Body = dict[str, Any]
LIST_SAMPLE = "065_recurring-templates_list_response.json"


def _template(lex: SandboxOrg, contact_id: str | None = None, **settings: Any) -> Body:
    """A template of the documented sample (monthly 2023-03-01 .. 2023-06-30, finalized, service)."""
    return control_create(
        lex, "recurring-templates", template_body(contact_id or add_contact(lex), **settings)
    )


def _page(lex: SandboxOrg, **params: Any) -> Body:
    with lex.client() as c:
        response = c.get("/v1/recurring-templates", params=params)
    assert response.status_code == 200, response.text
    data: Body = response.json()
    return data


def _invoices(lex: SandboxOrg, executions: list[Body]) -> list[Body]:
    with lex.client() as c:
        return [fetch(c, "invoices", e["invoiceId"]) for e in executions]


# --- the documented shapes ---------------------------------------------------------------------------------


def test_template_sample_is_stored_with_the_documented_shape(lex: SandboxOrg) -> None:
    documented = sample(TEMPLATE_SAMPLE)
    contact_id = add_contact(lex)
    with watching(lex, "recurring-template.created") as seen:
        made = _template(lex, contact_id)
        events = seen()
    with lex.client() as c:
        stored = fetch(c, "recurring-templates", made["id"])
    assert stored == made
    assert set(stored) == set(documented)
    assert set(stored["recurringTemplateSettings"]) == set(documented["recurringTemplateSettings"])
    assert stored["totalPrice"] == {k: v for k, v in documented["totalPrice"].items() if v is not None}
    assert stored["taxAmounts"] == documented["taxAmounts"]
    assert [i.get("lineItemAmount") for i in stored["lineItems"]] == [
        i.get("lineItemAmount") for i in documented["lineItems"]
    ]
    assert stored["address"]["contactId"] == contact_id
    assert (stored["organizationId"], stored["version"]) == (lex.id, 1)
    settings = stored["recurringTemplateSettings"]
    assert settings == {**documented["recurringTemplateSettings"], "id": settings["id"]}
    assert settings["id"] != documented["recurringTemplateSettings"]["id"]
    assert events == [("recurring-template.created", stored["id"])]


def test_the_gross_retrieve_sample_reproduces_its_amounts(lex: SandboxOrg) -> None:
    """Sample 064 elides its settings; with the resource sample's settings it is a complete template."""
    settings = json.dumps(sample(TEMPLATE_SAMPLE)["recurringTemplateSettings"])
    text = sample_bytes("064_recurring-templates_retrieve_response.txt").decode()
    documented = json.loads(text.replace("{\n        ....\n    }", settings))
    documented["address"]["contactId"] = add_contact(lex)
    stored = control_create(lex, "recurring-templates", documented)
    assert stored["totalPrice"] == documented["totalPrice"]  # 605.04 / 720 / 114.96
    assert stored["taxAmounts"] == documented["taxAmounts"]
    assert stored["lineItems"][0]["lineItemAmount"] == 720
    assert stored["paymentConditions"]["paymentTermDuration"] == 0


def test_the_list_is_the_documented_projection(lex: SandboxOrg) -> None:
    documented = sample(LIST_SAMPLE)
    paused_doc, active_doc = documented["content"]
    contact_id = add_contact(lex)
    paused = _template(lex, contact_id, executionStatus="PAUSED")
    active = _template(lex, contact_id)
    page = _page(lex, page=0, size=25, sort="createdDate,DESC")
    items = {item["id"]: item for item in page["content"]}
    assert set(page) == set(documented)
    assert page["sort"] == [{**documented["sort"][0], "property": "createdDate"}]
    assert (page["totalElements"], page["size"], page["number"], page["first"], page["last"]) == (
        2,
        25,
        0,
        True,
        True,
    )
    for item, doc in ((items[paused["id"]], paused_doc), (items[active["id"]], active_doc)):
        assert set(item) == set(doc)
        assert set(item["address"]) == set(doc["address"])
        assert set(item["totalPrice"]) == set(doc["totalPrice"])
        assert set(item["recurringTemplateSettings"]) == set(doc["recurringTemplateSettings"])
    assert items[active["id"]]["totalPrice"] == {
        "currency": "EUR",
        "totalNetAmount": 26.72,
        "totalGrossAmount": 29.85,
    }
    assert items[paused["id"]]["recurringTemplateSettings"]["executionStatus"] == "PAUSED"


def test_unknown_template_is_404(lex: SandboxOrg) -> None:
    other = lex.sandbox.new_org()
    foreign = _template(other)["id"]
    with lex.client() as c:
        for template_id in (foreign, "00000000-0000-0000-0000-000000000000"):
            path = f"/v1/recurring-templates/{template_id}"
            assert_regular_error(c.get(path), 404, path)


# --- paging and sorting ------------------------------------------------------------------------------------


def _ids(page: Body) -> list[str]:
    return [item["id"] for item in page["content"]]


def _by(items: list[Body], prop: str, descending: bool) -> list[str]:
    """The documented order: by ``prop``, ties by creation (then id), everything reversed for DESC."""
    ordered = sorted(
        items, key=lambda i: (parse_timestamp(i[prop]), parse_timestamp(i["createdDate"]), i["id"])
    )
    return [item["id"] for item in (ordered[::-1] if descending else ordered)]


def test_paging(lex: SandboxOrg) -> None:
    contact_id = add_contact(lex)
    made = [_template(lex, contact_id)["id"] for _ in range(3)]
    pages = [_page(lex, page=number, size=1) for number in range(4)]
    capped = _page(lex, size=1000)
    assert [p["totalPages"] for p in pages] == [3] * 4
    assert sorted(i for p in pages for i in _ids(p)) == sorted(made)
    assert [(p["first"], p["last"], p["numberOfElements"]) for p in pages] == [
        (True, False, 1),
        (False, False, 1),
        (False, True, 1),
        (False, True, 0),
    ]
    assert capped["size"] == 250
    with lex.client() as c:
        for params in ({"page": -1}, {"size": "x"}):
            assert_regular_error(
                c.get("/v1/recurring-templates", params=params), 400, "/v1/recurring-templates"
            )


def test_sorting(lex: SandboxOrg) -> None:
    """nextExecutionDate and lastExecutionDate sort nulls last ascending (first descending); the default is
    updatedDate,DESC."""
    contact_id = add_contact(lex)
    first = _template(lex, contact_id, startDate="2023-01-01", endDate=None, finalize=False)["id"]
    second = _template(lex, contact_id, startDate="2023-01-15", endDate=None, finalize=False)["id"]
    paused = _template(lex, contact_id, startDate=None)["id"]
    run_schedule(lex, "2023-02-15")  # first: last 2023-02-01, next 03-01; second: last 02-15, next 03-15
    items = _page(lex, size=250)["content"]
    assert _ids(_page(lex, sort="nextExecutionDate,ASC")) == [first, second, paused]
    assert _ids(_page(lex, sort="nextExecutionDate,DESC")) == [paused, second, first]
    assert _ids(_page(lex, sort="lastExecutionDate")) == [first, second, paused]
    assert _ids(_page(lex, sort="LASTEXECUTIONDATE,desc")) == [paused, second, first]
    for prop in ("createdDate", "updatedDate"):
        assert _ids(_page(lex, sort=f"{prop},ASC")) == _by(items, prop, descending=False)
        assert _ids(_page(lex, sort=f"{prop},DESC")) == _by(items, prop, descending=True)
    default = _page(lex)
    assert _ids(default) == _by(items, "updatedDate", descending=True)
    assert (default["sort"][0]["property"], default["sort"][0]["direction"]) == ("updatedDate", "DESC")


@pytest.mark.parametrize("sort", ["voucherDate", "createdDate,UP", "title,ASC", ""])
def test_unknown_sort_is_400(lex: SandboxOrg, sort: str) -> None:
    with lex.client() as c:
        response = c.get("/v1/recurring-templates", params={"sort": sort})
    assert_regular_error(response, 400, "/v1/recurring-templates", "sort")


# --- the schedule ------------------------------------------------------------------------------------------


def test_the_schedule_creates_the_invoices(lex: SandboxOrg) -> None:
    """The documented template: monthly from 2023-03-01 to 2023-06-30, finalized, shipping type service."""
    template = _template(lex)
    with watching(lex, "invoice.created", "recurring-template.changed") as seen:
        executions = run_schedule(lex, "2023-07-31")
        events = seen()
    again = run_schedule(lex, "2024-12-31")
    invoices = _invoices(lex, executions)
    with lex.client() as c:
        stored = fetch(c, "recurring-templates", template["id"])
        open_amount = payments_of(c, invoices[0]["id"])["openAmount"]
    days = ["2023-03-01T00:00:00.000+01:00", "2023-04-01T00:00:00.000+02:00", "2023-05-01T00:00:00.000+02:00"]
    days.append("2023-06-01T00:00:00.000+02:00")
    assert [e["executionDate"] for e in executions] == [
        "2023-03-01",
        "2023-04-01",
        "2023-05-01",
        "2023-06-01",
    ]
    assert all(e["error"] is None and e["recurringTemplateId"] == template["id"] for e in executions)
    assert [i["voucherDate"] for i in invoices] == days
    assert [i["shippingConditions"] for i in invoices] == [
        {"shippingDate": d, "shippingType": "service"} for d in days
    ]
    assert [i["voucherNumber"] for i in invoices] == ["RE1001", "RE1002", "RE1003", "RE1004"]
    for invoice in invoices:
        assert invoice["recurringTemplateId"] == template["id"]
        assert invoice["voucherStatus"] == "open"
        assert invoice["totalPrice"] == stored["totalPrice"]
        assert invoice["address"] == stored["address"]
        assert invoice["lineItems"] == stored["lineItems"]
        assert invoice["title"] == "Rechnung"
        assert invoice["files"]["documentFileId"] in lex.org.files  # e-mailed to the customer: rendered
    assert invoices[0]["dueDate"] == "2023-03-31T00:00:00.000+02:00"  # 30 days
    assert open_amount == 29.85
    settings = stored["recurringTemplateSettings"]
    assert (settings["executionStatus"], settings["nextExecutionDate"]) == ("ENDED", None)
    assert (settings["lastExecutionFailed"], settings["lastExecutionErrorMessage"]) == (False, None)
    assert stored["version"] == 5
    assert again == []
    assert events == [
        event
        for invoice in invoices
        for event in (("invoice.created", invoice["id"]), ("recurring-template.changed", template["id"]))
    ]


def test_until_runs_only_what_is_due(lex: SandboxOrg) -> None:
    template_id = _template(lex)["id"]
    runs = [run_schedule(lex, until) for until in ("2023-02-28", "2023-04-15", "2023-04-30", "2023-05-01")]
    assert [[e["executionDate"] for e in run] for run in runs] == [
        [],
        ["2023-03-01", "2023-04-01"],
        [],
        ["2023-05-01"],
    ]
    settings = lex.org.collection("recurring-templates")[template_id]["recurringTemplateSettings"]
    assert (settings["executionStatus"], settings["nextExecutionDate"]) == ("ACTIVE", "2023-06-01")


@pytest.mark.parametrize(
    ("interval", "start", "dates"),
    [
        ("WEEKLY", "2024-01-01", ["2024-01-01", "2024-01-08", "2024-01-15", "2024-01-22"]),
        ("BIWEEKLY", "2024-01-01", ["2024-01-01", "2024-01-15", "2024-01-29", "2024-02-12"]),
        ("MONTHLY", "2024-01-31", ["2024-01-31", "2024-02-29", "2024-03-31", "2024-04-30"]),
        ("QUARTERLY", "2023-11-30", ["2023-11-30", "2024-02-29", "2024-05-30", "2024-08-30"]),
        ("BIANNUALLY", "2024-08-31", ["2024-08-31", "2025-02-28", "2025-08-31", "2026-02-28"]),
        ("ANNUALLY", "2024-02-29", ["2024-02-29", "2025-02-28", "2026-02-28", "2027-02-28"]),
    ],
)
def test_intervals(lex: SandboxOrg, interval: str, start: str, dates: list[str]) -> None:
    template_id = _template(
        lex, startDate=start, endDate=None, executionInterval=interval, finalize=False, shippingType="none"
    )["id"]
    executions = run_schedule(lex, dates[2])
    settings = lex.org.collection("recurring-templates")[template_id]["recurringTemplateSettings"]
    assert [e["executionDate"] for e in executions] == dates[:3]
    assert (settings["executionStatus"], settings["nextExecutionDate"]) == ("ACTIVE", dates[3])


@pytest.mark.parametrize(
    ("shipping_type", "expected"),
    [
        ("service", {"shippingDate": "2023-03-01T00:00:00.000+01:00", "shippingType": "service"}),
        ("delivery", {"shippingDate": "2023-03-01T00:00:00.000+01:00", "shippingType": "delivery"}),
        (
            "serviceperiod",
            {
                "shippingDate": "2023-03-01T00:00:00.000+01:00",
                "shippingEndDate": "2023-03-31T00:00:00.000+02:00",
                "shippingType": "serviceperiod",
            },
        ),
        (
            "deliveryperiod",
            {
                "shippingDate": "2023-03-01T00:00:00.000+01:00",
                "shippingEndDate": "2023-03-31T00:00:00.000+02:00",
                "shippingType": "deliveryperiod",
            },
        ),
        ("none", {"shippingType": "none"}),
    ],
)
def test_shipping_dates_per_type_and_drafts(lex: SandboxOrg, shipping_type: str, expected: Body) -> None:
    _template(lex, shippingType=shipping_type, finalize=False)
    (invoice,) = _invoices(lex, run_schedule(lex, "2023-03-01"))
    assert invoice["shippingConditions"] == expected
    assert invoice["voucherStatus"] == "draft"
    assert not {"voucherNumber", "dueDate"} & set(invoice)
    assert invoice["files"] == {}


def test_paused_templates_do_not_run(lex: SandboxOrg) -> None:
    without_start = _template(lex, startDate=None)
    paused = _template(lex, executionStatus="PAUSED")
    assert run_schedule(lex, "2030-01-01") == []
    for template in (without_start, paused):
        settings = template["recurringTemplateSettings"]
        assert (settings["executionStatus"], settings["nextExecutionDate"]) == ("PAUSED", None)
    assert not lex.org.collection("invoices")


def test_a_failed_execution_is_recorded_and_retried(lex: SandboxOrg) -> None:
    contact_id = add_contact(lex)
    template_id = _template(lex, contact_id)["id"]
    contact = lex.org.collection("contacts").pop(contact_id)  # the user deleted the contact
    failed = run_schedule(lex, "2023-04-15")
    template = lex.org.collection("recurring-templates")[template_id]
    settings, version = dict(template["recurringTemplateSettings"]), template["version"]
    still_failing = run_schedule(lex, "2023-04-15")
    version_after_retry = template["version"]
    lex.org.collection("contacts")[contact_id] = contact
    recovered = run_schedule(lex, "2023-04-15")
    assert [(e["executionDate"], e["invoiceId"]) for e in failed] == [("2023-03-01", None)]
    assert failed[0]["error"].startswith("address.contactId:")
    assert settings["lastExecutionFailed"] is True
    assert settings["lastExecutionErrorMessage"] == failed[0]["error"]
    assert (settings["nextExecutionDate"], settings["executionStatus"]) == ("2023-03-01", "ACTIVE")
    assert (version, version_after_retry) == (2, 2)
    assert still_failing == failed
    assert [e["executionDate"] for e in recovered] == ["2023-03-01", "2023-04-01"]
    assert template["recurringTemplateSettings"]["lastExecutionFailed"] is False
    assert template["recurringTemplateSettings"]["lastExecutionErrorMessage"] is None


def test_runs_are_per_organization(lex: SandboxOrg) -> None:
    other = lex.sandbox.new_org()
    _template(other)
    assert run_schedule(lex, "2023-12-31") == []
    assert not other.org.collection("invoices")


def test_running_without_a_body_runs_everything_due_by_now() -> None:
    """lexoffice runs nightly from 03:00 Berlin: by default everything due up to then is executed."""
    with running_sandbox() as fresh:
        lex = fresh.new_org()
        _template(
            lex, startDate="2023-01-02", endDate="2023-01-31", executionInterval="WEEKLY", finalize=False
        )
        with fresh.control() as control:
            response = control.post("/_sandbox/recurring-templates/run")
    assert response.status_code == 200
    assert response.json()["until"] == due_until(fresh.app.state.clock.now()).isoformat()
    assert [e["executionDate"] for e in response.json()["executions"]] == [
        "2023-01-02",
        "2023-01-09",
        "2023-01-16",
        "2023-01-23",
        "2023-01-30",
    ]


@pytest.mark.parametrize(
    ("local", "expected"),
    [
        ("2024-05-10T02:59:59", "2024-05-09"),
        ("2024-05-10T03:00:00", "2024-05-10"),
        ("2024-05-10T23:00:00", "2024-05-10"),
    ],
)
def test_the_nightly_run_starts_at_three(local: str, expected: str) -> None:
    assert due_until(datetime.fromisoformat(local).replace(tzinfo=BERLIN)).isoformat() == expected


# --- control surface validation ------------------------------------------------------------------------


def _settings(**changes: Any) -> Body:
    return {**sample(TEMPLATE_SAMPLE)["recurringTemplateSettings"], **changes}


INVALID_TEMPLATES = [
    ("no contact", {"address": {"name": "Kunde", "countryCode": "DE"}}, "address.contactId"),
    (
        "unknown contact",
        {"address": {"contactId": "00000000-0000-0000-0000-000000000000"}},
        "address.contactId",
    ),
    ("no settings", {"recurringTemplateSettings": None}, "recurringTemplateSettings"),
    (
        "no interval",
        {"recurringTemplateSettings": _settings(executionInterval=None)},
        "recurringTemplateSettings",
    ),
    (
        "bad interval",
        {"recurringTemplateSettings": _settings(executionInterval="DAILY")},
        "recurringTemplateSettings",
    ),
    (
        "bad shipping",
        {"recurringTemplateSettings": _settings(shippingType="pickup")},
        "recurringTemplateSettings",
    ),
    (
        "end before start",
        {"recurringTemplateSettings": _settings(endDate="2023-02-28")},
        "recurringTemplateSettings",
    ),
    (
        "bad start",
        {"recurringTemplateSettings": _settings(startDate="01.03.2023")},
        "recurringTemplateSettings",
    ),
    ("ended", {"recurringTemplateSettings": _settings(executionStatus="ENDED")}, "recurringTemplateSettings"),
    ("no line items", {"lineItems": []}, "lineItems"),
    ("bad tax type", {"taxConditions": {"taxType": "brutto"}}, "taxConditions.taxType"),
]


@pytest.mark.parametrize(
    ("changes", "field"),
    [case[1:] for case in INVALID_TEMPLATES],
    ids=[case[0] for case in INVALID_TEMPLATES],
)
def test_invalid_templates_are_refused(lex: SandboxOrg, changes: Body, field: str) -> None:
    body = {**template_body(add_contact(lex)), **changes}
    response = control_post(lex, "recurring-templates", body)
    assert response.status_code == 406, response.text
    assert response.json()["message"].startswith(field)
    assert not lex.org.collection("recurring-templates")


@pytest.mark.parametrize(
    ("body", "status"),
    [({"until": "2023-13-01"}, 400), ({"organizationId": "nope"}, 404), ({"untill": "2023-01-01"}, 406)],
)
def test_invalid_runs_are_refused(lex: SandboxOrg, body: Body, status: int) -> None:
    with lex.sandbox.control() as control:
        response: httpx.Response = control.post("/_sandbox/recurring-templates/run", json=body)
    assert response.status_code == status
    assert set(response.json()) == {"status", "message"}


def test_templates_need_an_organization(lex: SandboxOrg) -> None:
    with lex.sandbox.control() as control:
        response = control.post(
            "/_sandbox/organizations/nope/recurring-templates", json=template_body(add_contact(lex))
        )
    assert response.status_code == 404
