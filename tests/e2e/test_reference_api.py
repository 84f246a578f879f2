"""Reference data and capabilities end to end: countries, ledger accounts, payment terms, tax rates."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx

from tests.e2e.helpers import problem, upstream_calls
from tests.support.sandbox import SandboxOrg

BASE = "/v1/accounting"


def data(api: httpx.Client, path: str, **params: Any) -> list[dict[str, Any]]:
    response = api.get(BASE + path, params=params)
    assert response.status_code == 200, response.text
    assert response.json()["next_cursor"] is None
    items: list[dict[str, Any]] = response.json()["data"]
    return items


def test_lists_of_the_organization_in_one_upstream_call_each(
    api: httpx.Client, account: dict[str, Any]
) -> None:
    lex: SandboxOrg = account["lex"]
    with lex.client() as client:
        upstream = {
            path: client.get(path).json()
            for path in ("/v1/countries", "/v1/posting-categories", "/v1/payment-conditions")
        }
    before = upstream_calls(lex)

    countries = {country["code"]: country for country in data(api, "/countries")}
    assert len(countries) == len(upstream["/v1/countries"])
    assert countries["DE"]["tax_classification"] == "domestic"
    assert countries["AT"]["tax_classification"] == "eu"
    assert countries["CH"]["tax_classification"] == "third_country"

    accounts = data(api, "/ledger-accounts")
    assert [account["id"] for account in accounts] == [
        item["id"] for item in upstream["/v1/posting-categories"]
    ]
    assert {account["type"] for account in accounts} == {"income", "expense"}

    terms = data(api, "/payment-terms")
    assert len(terms) == len(upstream["/v1/payment-conditions"])
    assert sum(term["default"] for term in terms) == 1
    assert upstream_calls(lex) - before == 3

    raw = data(api, "/ledger-accounts", include_raw="true")
    assert [account["raw"] for account in raw] == upstream["/v1/posting-categories"]
    discounted = [term for term in data(api, "/payment-terms") if term["discount"]]
    for term in discounted:
        assert Decimal(term["discount"]["percentage"]) > 0  # exact decimals travel as strings


def test_company_profile(api: httpx.Client, account: dict[str, Any]) -> None:
    lex: SandboxOrg = account["lex"]
    response = api.get(f"{BASE}/company", params={"include_raw": "true"})
    assert response.status_code == 200, response.text
    company = response.json()
    assert (company["organization_id"], company["company_name"], company["tax_type"]) == (
        lex.id,
        "Testfirma GmbH",
        "net",
    )
    assert company["small_business"] is False
    with lex.client() as client:
        assert company["raw"] == client.get("/v1/profile").json()


def test_tax_rates_are_a_table_filtered_by_date_and_use(api: httpx.Client, account: dict[str, Any]) -> None:
    lex: SandboxOrg = account["lex"]
    before = upstream_calls(lex)

    def rates(**params: Any) -> list[str]:
        return sorted(rate["rate"] for rate in data(api, "/tax-rates", **params))

    assert rates(valid_on="2020-08-01", applies_to="sales") == ["0", "16", "5"]
    assert rates(valid_on="2024-03-31", applies_to="sales") == ["0", "19", "7"]
    assert rates(applies_to="bookkeeping") == ["0", "16", "19", "5", "7"]
    assert len(data(api, "/tax-rates")) == 11
    assert upstream_calls(lex) == before
    assert problem(api.get(f"{BASE}/tax-rates", params={"valid_on": "2024-02-30"}), 422, "validation-error")[
        "errors"
    ]
    problem(api.get(f"{BASE}/tax-rates", params={"applies_to": "payroll"}), 422, "validation-error")


def test_reference_routes_need_an_account(tenant_client: httpx.Client) -> None:
    for path in ("/countries", "/ledger-accounts", "/payment-terms", "/tax-rates", "/company"):
        body = problem(tenant_client.get(BASE + path), 422, "validation-error")
        assert body["errors"][0]["field"] == "X-Account-Id"


def test_capabilities_say_what_each_connector_supports(tenant_client: httpx.Client) -> None:
    response = tenant_client.get("/v1/capabilities")
    assert response.status_code == 200, response.text
    [lexoffice] = [c for c in response.json()["data"] if c["connector"] == "lexoffice"]
    resources = {
        r["resource"]: {op["operation"]: op for op in r["operations"]} for r in lexoffice["resources"]
    }
    contacts = resources["contacts"]
    assert all(contacts[op]["supported"] for op in ("list", "get", "create", "update"))
    assert contacts["delete"]["supported"] is False
    assert "web app" in contacts["delete"]["note"]
    assert resources["countries"]["list"]["supported"] is True
    assert resources["company"]["update"]["supported"] is False
    assert resources["tax-rates"]["list"]["supported"] is True
    with httpx.Client(base_url=str(tenant_client.base_url)) as anonymous:
        assert anonymous.get("/v1/capabilities").status_code == 401
