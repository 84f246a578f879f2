"""``/v1/accounting/contacts`` end to end: gateway over HTTP, sandbox, real Redis.

Upstream calls are counted with the sandbox key's bucket statistics (every request that reaches the
sandbox takes a token), and upstream state is asserted on the sandbox organization itself.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.e2e.helpers import problem, upstream_calls
from tests.gateway.conftest import Gateway
from tests.support.sandbox import SandboxOrg

CONTACTS = "/v1/accounting/contacts"
UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"

COMPANY = {
    "type": "company",
    "roles": ["customer"],
    "company": {"name": "Alpha & Co KG", "vat_id": "DE123456789"},
    "addresses": {
        "billing": [{"street": "Hauptstr. 1", "postal_code": "10115", "city": "Berlin", "country_code": "DE"}]
    },
    "emails": {"business": ["billing@alpha.example"]},
    "note": "mapped note",
    "raw": {"note": "from raw"},
}


def person(last_name: str, *roles: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "person",
        "roles": list(roles or ["customer"]),
        "person": {"last_name": last_name},
        **extra,
    }


def seed(lex: SandboxOrg, *bodies: dict[str, Any]) -> list[str]:
    """Contacts created directly in the sandbox (lexoffice JSON), returning their ids."""
    with lex.client() as client:
        return [client.post("/v1/contacts", json={"version": 0, **body}).json()["id"] for body in bodies]


def edit_in_app(lex: SandboxOrg, contact_id: str, changes: dict[str, Any]) -> None:
    """A lexoffice user changes the contact in the web app (the sandbox's control route)."""
    with lex.sandbox.control() as control:
        control.patch(
            f"/_sandbox/organizations/{lex.id}/contacts/{contact_id}", json=changes
        ).raise_for_status()


def test_create_returns_the_stored_contact_with_raw_merged_in(
    api: httpx.Client, account: dict[str, Any]
) -> None:
    lex: SandboxOrg = account["lex"]
    before = upstream_calls(lex)
    created = api.post(CONTACTS, json=COMPANY)
    assert created.status_code == 201, created.text
    assert upstream_calls(lex) - before == 2  # POST, then GET (lexoffice answers only id and version)
    contact = created.json()
    assert created.headers["ETag"] == '"1"'
    assert created.headers["Location"] == f"{CONTACTS}/{contact['id']}"
    assert contact["type"] == "company"
    assert contact["name"] == "Alpha & Co KG"
    assert contact["company"]["vat_id"] == "DE123456789"
    assert contact["roles"] == ["customer"]
    assert contact["customer_number"] == 10001
    assert contact["note"] == "from raw"  # raw overrides the mapped value
    assert contact["addresses"]["billing"][0] == {
        "street": "Hauptstr. 1",
        "postal_code": "10115",
        "city": "Berlin",
        "country_code": "DE",
    }
    stored = lex.org.get("contacts", contact["id"])
    assert stored is not None
    assert stored["note"] == "from raw"
    assert stored["emailAddresses"] == {"business": ["billing@alpha.example"]}


def test_get_sends_the_version_as_etag_and_raw_on_request(api: httpx.Client, account: dict[str, Any]) -> None:
    lex: SandboxOrg = account["lex"]
    [contact_id] = seed(
        lex, {"roles": {"vendor": {}}, "person": {"firstName": "Bertha", "lastName": "Beispiel"}}
    )
    edit_in_app(lex, contact_id, {"note": "edited"})

    plain = api.get(f"{CONTACTS}/{contact_id}")
    assert plain.status_code == 200
    assert plain.headers["ETag"] == '"2"'
    body = plain.json()
    assert (body["name"], body["roles"], body["supplier_number"], body["note"]) == (
        "Bertha Beispiel",
        ["supplier"],
        70001,
        "edited",
    )
    assert body["raw"] is None
    raw = api.get(f"{CONTACTS}/{contact_id}", params={"include_raw": "true"}).json()["raw"]
    with lex.client() as client:
        assert raw == client.get(f"/v1/contacts/{contact_id}").json()

    missing = problem(api.get(f"{CONTACTS}/{UNKNOWN_ID}"), 404, "not-found")
    assert missing["upstream"]["status"] == 404


def test_every_filter_is_applied_upstream(api: httpx.Client, account: dict[str, Any]) -> None:
    lex: SandboxOrg = account["lex"]
    seed(
        lex,
        {
            "roles": {"customer": {}},
            "company": {"name": "Alpha & Co KG"},
            "emailAddresses": {"business": ["a@alpha.example"]},
        },
        {
            "roles": {"vendor": {}},
            "person": {"lastName": "Beispiel"},
            "emailAddresses": {"office": ["b@beta.example"]},
        },
        {"roles": {"customer": {}, "vendor": {}}, "company": {"name": "Gamma GmbH"}},
    )

    def names(**params: Any) -> list[str]:
        response = api.get(CONTACTS, params=params)
        assert response.status_code == 200, response.text
        return [contact["name"] for contact in response.json()["data"]]

    assert names() == ["Alpha & Co KG", "Beispiel", "Gamma GmbH"]
    assert names(email="alpha.example") == ["Alpha & Co KG"]
    assert names(name="& Co") == ["Alpha & Co KG"]  # entity-encoded as lexoffice matches it
    assert names(number=10002) == ["Gamma GmbH"]
    assert names(number=70001) == ["Beispiel"]
    assert names(role="supplier") == ["Beispiel", "Gamma GmbH"]
    assert names(role="customer", name="Gamma") == ["Gamma GmbH"]
    [gamma] = api.get(CONTACTS, params={"name": "Gamma", "include_raw": "true"}).json()["data"]
    assert gamma["raw"]["roles"] == {"customer": {"number": 10002}, "vendor": {"number": 70002}}

    before = upstream_calls(lex)
    unsupported = problem(
        api.get(CONTACTS, params={"updated_since": "2024-01-01T00:00:00Z"}), 501, "not-supported-by-connector"
    )
    assert unsupported["errors"][0]["field"] == "updated_since"
    short = problem(api.get(CONTACTS, params={"name": "Al"}), 422, "validation-error")
    assert short["errors"][0]["field"] == "name"
    problem(api.get(CONTACTS, params={"role": "boss"}), 422, "validation-error")
    problem(api.get(CONTACTS, params={"number": "ten"}), 422, "validation-error")
    problem(api.get(CONTACTS, params={"updated_since": "yesterday"}), 422, "validation-error")
    assert upstream_calls(lex) == before


def test_cursor_pagination_walks_lexoffice_pages(api: httpx.Client, account: dict[str, Any]) -> None:
    lex: SandboxOrg = account["lex"]
    seed(
        lex,
        *(
            {"roles": {"customer": {}}, "person": {"lastName": name}}
            for name in ("Eta", "Beta", "Delta", "Alpha", "Gamma")
        ),
    )
    pages: list[list[str]] = []
    params: dict[str, Any] = {"limit": 2}
    while True:
        page = api.get(CONTACTS, params=params)
        assert page.status_code == 200, page.text
        body = page.json()
        pages.append([contact["name"] for contact in body["data"]])
        if body["next_cursor"] is None:
            break
        params = {"cursor": body["next_cursor"]}
    assert pages == [["Alpha", "Beta"], ["Delta", "Eta"], ["Gamma"]]
    invalid = problem(api.get(CONTACTS, params={"cursor": "not-a-cursor"}), 422, "validation-error")
    assert invalid["errors"][0]["field"] == "cursor"
    problem(api.get(CONTACTS, params={"limit": 251}), 422, "validation-error")


def test_patch_with_a_warm_cache_is_one_upstream_call(api: httpx.Client, account: dict[str, Any]) -> None:
    lex: SandboxOrg = account["lex"]
    contact_id = api.post(CONTACTS, json=person("Muster")).json()["id"]
    before = upstream_calls(lex)
    updated = api.patch(
        f"{CONTACTS}/{contact_id}",
        json={
            "person": {"first_name": "Max"},
            "roles": ["supplier"],
            "phones": {"mobile": ["+49 170 1234567"]},
        },
    )
    assert updated.status_code == 200, updated.text
    assert upstream_calls(lex) - before == 1  # the PUT: the create left the body in the version cache
    assert updated.headers["ETag"] == '"2"'
    body = updated.json()
    assert (body["name"], body["roles"], body["version"]) == ("Max Muster", ["customer", "supplier"], 2)
    stored = lex.org.get("contacts", contact_id)
    assert stored is not None
    assert stored["phoneNumbers"] == {"mobile": ["+49 170 1234567"]}
    assert set(stored["roles"]) == {"customer", "vendor"}


def test_patch_merges_a_concurrent_change_of_another_field(
    api: httpx.Client, account: dict[str, Any]
) -> None:
    lex: SandboxOrg = account["lex"]
    contact_id = api.post(CONTACTS, json=person("Muster")).json()["id"]
    edit_in_app(lex, contact_id, {"note": "called on Monday"})
    before = upstream_calls(lex)
    updated = api.patch(f"{CONTACTS}/{contact_id}", json={"emails": {"business": ["max@muster.example"]}})
    assert updated.status_code == 200, updated.text
    assert upstream_calls(lex) - before == 3  # PUT (409 on the cached version), GET, PUT
    body = updated.json()
    assert body["note"] == "called on Monday"
    assert body["emails"]["business"] == ["max@muster.example"]
    assert (body["version"], updated.headers["ETag"]) == (3, '"3"')
    stored = lex.org.get("contacts", contact_id)
    assert stored is not None
    assert (stored["note"], stored["emailAddresses"], stored["version"]) == (
        "called on Monday",
        {"business": ["max@muster.example"]},
        3,
    )


def test_patch_of_a_field_changed_concurrently_is_a_conflict_with_both_values(
    api: httpx.Client, account: dict[str, Any]
) -> None:
    lex: SandboxOrg = account["lex"]
    contact_id = api.post(CONTACTS, json=person("Muster", note="original")).json()["id"]
    edit_in_app(lex, contact_id, {"note": "theirs"})
    conflict = problem(api.patch(f"{CONTACTS}/{contact_id}", json={"note": "ours"}), 409, "version-conflict")
    assert conflict["conflicts"] == [
        {"field": "note", "base": "original", "ours": "ours", "theirs": "theirs"}
    ]
    assert (conflict["expected_version"], conflict["current_version"]) == (1, 2)
    assert conflict["errors"][0]["field"] == "note"
    stored = lex.org.get("contacts", contact_id)
    assert stored is not None
    assert (stored["note"], stored["version"]) == ("theirs", 2)


def test_if_match_is_strict(api: httpx.Client, account: dict[str, Any]) -> None:
    lex: SandboxOrg = account["lex"]
    contact_id = api.post(CONTACTS, json=person("Muster")).json()["id"]
    edit_in_app(lex, contact_id, {"note": "app"})
    url = f"{CONTACTS}/{contact_id}"
    stale = problem(
        api.patch(url, json={"phones": {"fax": ["030 1"]}}, headers={"If-Match": '"1"'}),
        409,
        "version-conflict",
    )
    assert (stale["expected_version"], stale["current_version"], stale["conflicts"]) == (1, 2, [])
    stored = lex.org.get("contacts", contact_id)
    assert stored is not None
    assert (stored["version"], "phoneNumbers" in stored) == (2, False)

    current = api.get(url).headers["ETag"]
    updated = api.patch(url, json={"phones": {"fax": ["030 1"]}}, headers={"If-Match": current})
    assert updated.status_code == 200, updated.text
    assert updated.headers["ETag"] == '"3"'
    assert updated.json()["note"] == "app"
    malformed = problem(api.patch(url, json={"note": "x"}, headers={"If-Match": "3"}), 400, "bad-request")
    assert malformed["errors"][0]["field"] == "If-Match"
    unchanged = api.patch(url, json={}, headers={"If-Match": '"3"'})
    assert (unchanged.status_code, unchanged.headers["ETag"]) == (200, '"3"')
    problem(api.patch(url, json={}, headers={"If-Match": '"2"'}), 409, "version-conflict")


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status", "slug", "field"),
    [
        (
            "POST",
            "",
            {"content": b'{"type": "person",', "headers": {"Content-Type": "application/json"}},
            400,
            "invalid-json",
            None,
        ),
        ("POST", "", {"json": {**person("Muster"), "roles": "customer"}}, 422, "validation-error", "roles"),
        ("POST", "", {"json": {**person("Muster"), "nickname": "Maxi"}}, 422, "validation-error", "nickname"),
        ("POST", "", {"json": person("Muster", "boss")}, 422, "validation-error", "roles[0]"),
        ("POST", "", {"json": {"type": "robot", "roles": ["customer"]}}, 422, "validation-error", None),
        (
            "POST",
            "",
            {"json": {"type": "company", "roles": ["customer"]}},
            422,
            "validation-error",
            "company",
        ),
        (
            "POST",
            "",
            {"json": {**person("Muster"), "addresses": {"billing": [{"country_code": "Deutschland"}]}}},
            422,
            "validation-error",
            "addresses.billing[0].country_code",
        ),
        ("POST", "", {"json": person(" ")}, 422, "validation-error", "person.last_name"),
        ("POST", "", {"json": {**person("Muster"), "note": "x" * 70_000}}, 413, "payload-too-large", None),
        (
            "POST",
            "",
            {"content": b"type=person", "headers": {"Content-Type": "application/x-www-form-urlencoded"}},
            415,
            "unsupported-media-type",
            None,
        ),
        ("PATCH", f"/{UNKNOWN_ID}", {"json": {"nickname": "Maxi"}}, 422, "validation-error", "nickname"),
        (
            "PATCH",
            f"/{UNKNOWN_ID}",
            {"json": {"company": {"name": "A"}, "person": {"last_name": "B"}}},
            422,
            "validation-error",
            "person",
        ),
        ("PATCH", f"/{UNKNOWN_ID}", {"json": {"roles": []}}, 422, "validation-error", "roles"),
    ],
)
def test_bad_input_is_a_problem_and_reaches_nothing_upstream(
    api: httpx.Client,
    account: dict[str, Any],
    method: str,
    path: str,
    kwargs: dict[str, Any],
    status: int,
    slug: str,
    field: str | None,
) -> None:
    lex: SandboxOrg = account["lex"]
    before = upstream_calls(lex)
    body = problem(api.request(method, CONTACTS + path, **kwargs), status, slug)
    if field is not None:
        assert field in [error["field"] for error in body["errors"]], body
    assert upstream_calls(lex) == before
    assert lex.org.collection("contacts") == {}


def test_account_header_must_name_an_account_of_the_tenant(
    e2e_gateway: Gateway, tenant_client: httpx.Client, api: httpx.Client, account: dict[str, Any]
) -> None:
    lex: SandboxOrg = account["lex"]
    other_org = lex.sandbox.new_org("Fremdfirma GmbH")
    with e2e_gateway.new_tenant("Other SaaS").client() as other:
        foreign = other.post(
            "/v1/accounts", json={"connector": "lexoffice", "credentials": {"api_key": other_org.api_key}}
        )
    assert foreign.status_code == 201
    before, other_before = upstream_calls(lex), upstream_calls(other_org)

    missing = problem(tenant_client.post(CONTACTS, json=person("Muster")), 422, "validation-error")
    assert missing["errors"] == [{"field": "X-Account-Id", "reason": "is required (header)"}]
    stolen = tenant_client.post(
        CONTACTS, json=person("Muster"), headers={"X-Account-Id": foreign.json()["id"]}
    )
    unknown = tenant_client.get(CONTACTS, headers={"X-Account-Id": "acc_00000000000000000000000000"})
    assert problem(stolen, 404, "not-found")["detail"] == problem(unknown, 404, "not-found")[
        "detail"
    ].replace("acc_00000000000000000000000000", foreign.json()["id"])
    problem(api.get(CONTACTS, headers={"Authorization": "Bearer lb_wrong"}), 401, "unauthorized")
    assert (upstream_calls(lex), upstream_calls(other_org)) == (before, other_before)
    assert other_org.org.collection("contacts") == lex.org.collection("contacts") == {}


def test_upstream_refusals_keep_the_upstream_answer(api: httpx.Client, account: dict[str, Any]) -> None:
    lex: SandboxOrg = account["lex"]
    refused = problem(
        api.post(CONTACTS, json={**person("Muster"), "raw": {"person": {"salutation": "S" * 30}}}),
        422,
        "upstream-validation",
    )
    assert refused["upstream"]["status"] == 406
    assert "IssueList" in refused["upstream"]["body"]
    assert refused["errors"][0]["field"] == "person.salutation"
    assert lex.org.collection("contacts") == {}


def test_upstream_faults(api: httpx.Client, account: dict[str, Any]) -> None:
    lex: SandboxOrg = account["lex"]
    lex.set_faults(queue=[{"kind": "status:503", "methods": ["GET"]}])
    absorbed = api.get(CONTACTS)
    assert absorbed.status_code == 200, absorbed.text
    assert lex.stats()["faults"]["injected"] == 1

    lex.set_faults(queue=[{"kind": "timeout-after-perform", "methods": ["POST"]}])
    unknown = problem(api.post(CONTACTS, json=person("Muster")), 504, "outcome-unknown")
    assert "may or may not have been performed" in unknown["detail"]
    assert unknown["upstream"]["status"] == 504
    assert [c["person"]["lastName"] for c in lex.org.collection("contacts").values()] == ["Muster"]

    lex.set_faults(queue=[{"kind": "status:503", "methods": ["POST"]}])
    failed = problem(api.post(CONTACTS, json=person("Zweiter")), 502, "upstream-unavailable")
    assert failed["upstream"]["status"] == 503
    assert len(lex.org.collection("contacts")) == 1


def test_revoked_credentials_ask_for_new_ones(api: httpx.Client, account: dict[str, Any]) -> None:
    lex: SandboxOrg = account["lex"]
    with lex.sandbox.control() as control:
        control.delete(f"/_sandbox/keys/{lex.api_key}").raise_for_status()
    rejected = problem(api.get(CONTACTS), 424, "account-credentials-rejected")
    assert "/v1/accounts/{account_id}" in rejected["detail"]
    assert rejected["upstream"]["status"] == 401
