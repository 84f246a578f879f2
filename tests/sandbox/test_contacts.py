"""The sandbox's contacts endpoint over real HTTP: create, read, update, the filtered list, the legacy
error bodies and the control routes for what a user does in the app."""

from __future__ import annotations

import copy
from typing import Any

import httpx
import pytest

from tests.support.samples import sample
from tests.support.sandbox import RunningSandbox, SandboxOrg

READ_ONLY = ("id", "organizationId", "version", "archived")


def person(last: str, first: str | None = None, **extra: Any) -> dict[str, Any]:
    """A create body for a private person with the customer role (``extra`` overrides top-level fields)."""
    body: dict[str, Any] = {"version": 0, "roles": {"customer": {}}, "person": {"lastName": last}}
    if first:
        body["person"]["firstName"] = first
    body.update(extra)
    return body


def company(name: str, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"version": 0, "roles": {"customer": {}}, "company": {"name": name}}
    body.update(extra)
    return body


def create(client: httpx.Client, body: dict[str, Any]) -> str:
    response = client.post("/v1/contacts", json=body)
    assert response.status_code == 201, response.text
    contact_id: str = response.json()["id"]
    return contact_id


def issue(
    source: str | None, key: str = "missing_entity", kind: str = "validation_failure"
) -> dict[str, Any]:
    return {"i18nKey": key, "source": source, "type": kind, "additionalData": None, "args": None}


def names(page: dict[str, Any]) -> list[str]:
    return [c["company"]["name"] if "company" in c else c["person"]["lastName"] for c in page["content"]]


def control_path(lex: SandboxOrg, contact_id: str) -> str:
    return f"/_sandbox/organizations/{lex.id}/contacts/{contact_id}"


# --- create and read ---


def test_documented_create_request_is_accepted(lex: SandboxOrg) -> None:
    with lex.client() as c:
        response = c.post("/v1/contacts", json=sample("003_contacts_create_request.json"))
        assert response.status_code == 201
        result = response.json()
        assert set(result) == set(sample("004_contacts_create_response.json"))
        assert result["version"] == 1
        assert result["resourceUri"].endswith(f"/v1/contacts/{result['id']}")
        contact = c.get(f"/v1/contacts/{result['id']}").json()
    assert set(contact) == set(sample("005_contacts_retrieve_response.json"))
    assert contact["person"] == sample("005_contacts_retrieve_response.json")["person"]
    assert contact["note"] == "Notizen"
    assert contact["organizationId"] == lex.id
    assert contact["roles"] == {"customer": {"number": 10001}}
    assert contact["archived"] is False


def test_full_company_contact_round_trips_and_read_only_content_is_ignored(lex: SandboxOrg) -> None:
    documented = sample("001_contacts_resource_sample_company_customer_vendor.json")
    body = {**documented, "version": 0, "archived": True, "createdDate": "whenever", "unknownField": 1}
    with lex.client() as c:
        contact = c.get(f"/v1/contacts/{create(c, body)}").json()
    assert set(contact) == set(documented)
    assert contact["roles"] == {"customer": {"number": 10001}, "vendor": {"number": 70001}}
    assert contact["id"] != documented["id"]
    assert contact["archived"] is False
    assert contact["version"] == 1
    for key in set(documented) - {*READ_ONLY, "roles"}:
        assert contact[key] == documented[key], key


def test_optional_parts_default_and_empty_ones_are_left_out(lex: SandboxOrg) -> None:
    body = company(
        "Leer GmbH",
        note=None,
        emailAddresses={"business": []},
        phoneNumbers={},
        addresses={"billing": [], "shipping": None},
    )
    body["company"]["contactPersons"] = [{"lastName": "Ohneprimär"}]
    with lex.client() as c:
        contact = c.get(f"/v1/contacts/{create(c, body)}").json()
    assert set(contact) == {"id", "organizationId", "version", "roles", "company", "archived"}
    assert contact["company"]["contactPersons"] == [{"lastName": "Ohneprimär", "primary": False}]


def test_customer_and_vendor_numbers_are_separate_sequences_per_organization(
    lex: SandboxOrg, sandbox: RunningSandbox
) -> None:
    roles = [{"customer": {}}, {"vendor": {}}, {"customer": {}, "vendor": {}}, {"customer": {"number": 5}}]
    with lex.client() as c:
        ids = [create(c, person("Nummer", roles=r)) for r in roles]
        numbers = [c.get(f"/v1/contacts/{i}").json()["roles"] for i in ids]
    assert numbers == [
        {"customer": {"number": 10001}},
        {"vendor": {"number": 70001}},
        {"customer": {"number": 10002}, "vendor": {"number": 70002}},
        {"customer": {"number": 10003}},
    ]
    other = sandbox.new_org()
    with other.client() as c:
        assert (
            c.get(f"/v1/contacts/{create(c, person('Anders'))}").json()["roles"]["customer"]["number"]
            == 10001
        )


def test_unknown_or_foreign_contact_is_404_legacy(lex: SandboxOrg, sandbox: RunningSandbox) -> None:
    foreign = sandbox.new_org()
    with foreign.client() as c:
        foreign_id = create(c, person("Fremd"))
    with lex.client() as c:
        for contact_id in ("00000000-0000-0000-0000-000000000000", foreign_id):
            response = c.get(f"/v1/contacts/{contact_id}")
            assert response.status_code == 404
            assert response.json() == {"IssueList": [issue(None, "not_found", "not_found")]}


# --- validation ---


@pytest.mark.parametrize(
    ("change", "issues"),
    [
        (lambda b: b.pop("version"), [issue("version")]),
        (lambda b: b.update(version=1), [issue("version", "invalid_value")]),
        (lambda b: b.pop("roles"), [issue("roles")]),
        (lambda b: b.update(roles={}), [issue("roles")]),
        (lambda b: b.update(roles={"partner": {}}), [issue("roles")]),
        (lambda b: b["company"].update(name=""), [issue("company.name")]),
        (lambda b: b["company"].update(name="   "), [issue("company.name")]),
        (lambda b: b["company"].update(name=None), [issue("company.name")]),
        (
            lambda b: b["company"].update(contactPersons=[{"lastName": "Da"}, {"firstName": "Ohne"}]),
            [issue("company.contactPersons[1].lastName")],
        ),
        (
            lambda b: b["company"].update(contactPersons=[{"lastName": "Da", "salutation": "x" * 26}]),
            [issue("company.contactPersons[0].salutation", "invalid_value")],
        ),
        (lambda b: b.pop("company"), [issue("company"), issue("person")]),
        (
            lambda b: b.update(person={"lastName": "Beides"}),
            [issue("company", "invalid_value"), issue("person", "invalid_value")],
        ),
        (
            lambda b: b.update(
                addresses={"billing": [{"countryCode": "DE"}], "shipping": [{}, {"city": "X"}]}
            ),
            [issue("addresses.shipping[0].countryCode"), issue("addresses.shipping[1].countryCode")],
        ),
        (
            lambda b: b.update(addresses={"billing": [{"countryCode": "XX"}]}),
            [issue("addresses.billing[0].countryCode", "invalid_value")],
        ),
        (
            lambda b: b.update(xRechnung={"buyerReference": "04011000-1234512345-35"}),
            [issue("xRechnung.vendorNumberAtCustomer")],
        ),
        (
            lambda b: b.update(emailAddresses={"work": ["a@b.de"]}),
            [issue("emailAddresses.work", "invalid_value")],
        ),
        (
            lambda b: b.update(phoneNumbers={"pager": ["123"]}),
            [issue("phoneNumbers.pager", "invalid_value")],
        ),
        (
            lambda b: (b.pop("version"), b["company"].update(name="")),
            [issue("version"), issue("company.name")],
        ),
    ],
)
def test_rule_violations_are_406_legacy_and_store_nothing(
    lex: SandboxOrg, change: Any, issues: list[dict[str, Any]]
) -> None:
    body = company("Regel GmbH")
    change(body)
    with lex.client() as c:
        response = c.post("/v1/contacts", json=body)
    assert response.status_code == 406
    assert response.json() == {"IssueList": issues}
    assert lex.org.collection("contacts") == {}
    assert lex.org.counters == {}


def test_missing_company_name_answers_exactly_the_documented_legacy_body(lex: SandboxOrg) -> None:
    body = company("weg")
    del body["company"]["name"]
    with lex.client() as c:
        response = c.post("/v1/contacts", json=body)
    assert response.status_code == 406
    assert response.json() == sample("077_errors_legacy_issuelist_response.json")


@pytest.mark.parametrize(
    ("field", "value", "source"),
    [
        ("note", 5, "note"),
        ("person", "Musterfrau", "person"),
        ("roles", {"customer": True}, "roles.customer"),
        ("emailAddresses", {"business": "a@b.de"}, "emailAddresses.business"),
        ("phoneNumbers", {"fax": [42]}, "phoneNumbers.fax[0]"),
        ("person", {"lastName": ["Muster"]}, "person.lastName"),
        ("addresses", {"billing": [{"countryCode": "DE", "zip": 12345}]}, "addresses.billing[0].zip"),
    ],
)
def test_wrong_types_are_406_naming_the_field(lex: SandboxOrg, field: str, value: Any, source: str) -> None:
    body = person("Typ")
    body[field] = value
    with lex.client() as c:
        response = c.post("/v1/contacts", json=body)
    assert response.status_code == 406
    [problem] = response.json()["IssueList"]
    assert problem["source"] == source
    assert problem["type"] == "validation_failure"
    assert lex.org.collection("contacts") == {}


def test_contact_person_with_wrong_boolean_names_the_field(lex: SandboxOrg) -> None:
    body = company("Typ GmbH")
    body["company"]["contactPersons"] = [{"lastName": "A", "primary": "vielleicht"}]
    with lex.client() as c:
        response = c.post("/v1/contacts", json=body)
    assert response.status_code == 406
    assert response.json()["IssueList"][0]["source"] == "company.contactPersons[0].primary"


def test_body_without_json_content_type_is_415(lex: SandboxOrg) -> None:
    with lex.client() as c:
        response = c.post("/v1/contacts", content=b'{"version": 0}')
    assert response.status_code == 415
    assert "IssueList" in response.json()


def test_malformed_json_is_400_legacy(lex: SandboxOrg) -> None:
    with lex.client() as c:
        response = c.post(
            "/v1/contacts", content=b'{"version": 0,', headers={"Content-Type": "application/json"}
        )
    assert response.status_code == 400
    assert response.json()["IssueList"][0]["i18nKey"] == "bad_request_error"


# --- update ---


def test_put_replaces_the_contact_and_bumps_the_version(lex: SandboxOrg) -> None:
    with lex.client() as c:
        contact_id = create(c, person("Musterfrau", "Inge", note="alt"))
        created = c.get(f"/v1/contacts/{contact_id}").json()
        changed = copy.deepcopy(created)
        changed["person"] = {"salutation": "Frau", "firstName": "Ingeborg", "lastName": "Musterfrau"}
        del changed["note"]
        changed["roles"] = {"customer": {"number": 99}, "vendor": {}}
        response = c.put(f"/v1/contacts/{contact_id}", json=changed)
        assert response.status_code == 200
        result = response.json()
        contact = c.get(f"/v1/contacts/{contact_id}").json()
    assert set(result) == set(sample("004_contacts_create_response.json"))
    assert result["version"] == 2
    assert result["id"] == contact_id
    assert contact["version"] == 2
    assert contact["person"]["firstName"] == "Ingeborg"
    assert "note" not in contact
    assert contact["roles"] == {"customer": {"number": 10001}, "vendor": {"number": 70001}}


def test_stale_put_is_409_and_changes_nothing(lex: SandboxOrg) -> None:
    with lex.client() as c:
        contact_id = create(c, person("Alt"))
        before = c.get(f"/v1/contacts/{contact_id}").json()
        stale = {**before, "version": 0, "note": "zu spät"}
        response = c.put(f"/v1/contacts/{contact_id}", json=stale)
        assert response.status_code == 409
        assert response.json()["IssueList"][0]["i18nKey"] == "conflict"
        assert c.get(f"/v1/contacts/{contact_id}").json() == before


def test_put_cannot_remove_a_role(lex: SandboxOrg) -> None:
    with lex.client() as c:
        contact_id = create(c, person("Rolle", roles={"customer": {}, "vendor": {}}))
        before = c.get(f"/v1/contacts/{contact_id}").json()
        response = c.put(f"/v1/contacts/{contact_id}", json={**before, "roles": {"vendor": {}}})
        assert response.status_code == 406
        assert response.json() == {"IssueList": [issue("roles.customer", "invalid_value")]}
        assert c.get(f"/v1/contacts/{contact_id}").json() == before


def test_invalid_put_changes_nothing(lex: SandboxOrg) -> None:
    with lex.client() as c:
        contact_id = create(c, person("Gültig"))
        before = c.get(f"/v1/contacts/{contact_id}").json()
        response = c.put(f"/v1/contacts/{contact_id}", json={**before, "person": {"firstName": "Ohne"}})
        assert response.status_code == 406
        assert response.json() == {"IssueList": [issue("person.lastName")]}
        assert c.get(f"/v1/contacts/{contact_id}").json() == before


def test_put_of_unknown_contact_is_404(lex: SandboxOrg) -> None:
    with lex.client() as c:
        response = c.put(
            "/v1/contacts/00000000-0000-0000-0000-000000000000", json=person("Niemand", version=1)
        )
    assert response.status_code == 404
    assert response.json()["IssueList"][0]["i18nKey"] == "not_found"


# --- list and filters ---


@pytest.fixture
def directory(lex: SandboxOrg) -> SandboxOrg:
    """Four contacts: a company with both roles, two persons (customers), a vendor company."""
    with lex.client() as c:
        create(
            c,
            company(
                "Johnson & Partner",
                roles={"customer": {}, "vendor": {}},
                emailAddresses={"business": ["info@johnson.example"]},
            ),
        )
        create(c, person("Mustermann", "Max", emailAddresses={"private": ["max@gmx.de"]}))
        create(
            c, person("Musterfrau", "Inge", emailAddresses={"office": ["Inge@GMX.de"], "other": ["i@x.org"]})
        )
        create(c, company("Zeta Lieferant AG", roles={"vendor": {}}))
    return lex


def test_list_is_sorted_by_name_with_the_documented_envelope(directory: SandboxOrg) -> None:
    with directory.client() as c:
        page = c.get("/v1/contacts", params={"page": 0}).json()
    documented = sample("006_contacts_list_response.json")
    assert set(page) == set(documented)
    assert page["sort"] == documented["sort"]
    assert names(page) == ["Johnson & Partner", "Musterfrau", "Mustermann", "Zeta Lieferant AG"]
    assert (page["size"], page["number"], page["totalElements"], page["totalPages"]) == (25, 0, 4, 1)
    assert page["first"] is page["last"] is True
    assert set(page["content"][1]) == {*sample("005_contacts_retrieve_response.json"), "emailAddresses"} - {
        "note"
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"name": "muster"}, ["Musterfrau", "Mustermann"]),
        ({"name": "Max Mustermann"}, ["Mustermann"]),
        ({"name": "Mustermann Max"}, ["Mustermann"]),
        ({"name": "Muster%ann"}, ["Mustermann"]),
        ({"name": "Musterf_au"}, ["Musterfrau"]),
        ({"name": "lieferant"}, ["Zeta Lieferant AG"]),
        ({"name": "johnson &amp; partner"}, ["Johnson & Partner"]),
        ({"name": "johnson & partner"}, []),
        ({"email": "gmx.de"}, ["Musterfrau", "Mustermann"]),
        ({"email": "MAX@gmx"}, ["Mustermann"]),
        ({"email": "x.org"}, ["Musterfrau"]),
        ({"email": "max@gmx.de", "name": "Mustermann"}, ["Mustermann"]),
        ({"email": "max@gmx.de", "name": "Musterfrau"}, []),
        ({"number": "10002"}, ["Mustermann"]),
        ({"number": "70001"}, ["Johnson & Partner"]),
        ({"number": "70002"}, ["Zeta Lieferant AG"]),
        ({"number": "12345"}, []),
        ({"customer": "true"}, ["Johnson & Partner", "Musterfrau", "Mustermann"]),
        ({"customer": "false"}, ["Zeta Lieferant AG"]),
        ({"vendor": "true", "customer": "false"}, ["Zeta Lieferant AG"]),
        ({"vendor": "FALSE"}, ["Musterfrau", "Mustermann"]),
        ({"vendor": "true", "customer": "true"}, ["Johnson & Partner"]),
    ],
)
def test_filters(directory: SandboxOrg, params: dict[str, str], expected: list[str]) -> None:
    with directory.client() as c:
        response = c.get("/v1/contacts", params=params)
    assert response.status_code == 200
    assert names(response.json()) == expected


def test_entity_encoded_name_search_as_documented(directory: SandboxOrg) -> None:
    with directory.client() as c:
        page = c.get("/v1/contacts?name=johnson%20%26amp%3B%20partner").json()
        contact = c.get(f"/v1/contacts/{page['content'][0]['id']}").json()
    assert names(page) == ["Johnson & Partner"]
    assert contact["company"]["name"] == "Johnson & Partner"


@pytest.mark.parametrize(
    "query",
    ["name=ab", "email=ab", "name=", f"name={'x' * 256}", f"email={'x' * 256}"],
)
def test_search_terms_outside_3_to_255_characters_are_400_legacy(directory: SandboxOrg, query: str) -> None:
    with directory.client() as c:
        response = c.get(f"/v1/contacts?{query}")
    assert response.status_code == 400
    size = "size must be between 3 and 255"
    assert response.json() == {"IssueList": [issue(size, "bad_request_error", "bad_request_error")]}


@pytest.mark.parametrize(
    "query",
    ["name=abc&name=abd", "customer=true&customer=false", "number=1&number=1", "number=abc", "vendor=yes"],
)
def test_repeated_or_malformed_filters_are_400_legacy(directory: SandboxOrg, query: str) -> None:
    with directory.client() as c:
        response = c.get(f"/v1/contacts?{query}")
    assert response.status_code == 400
    assert response.json() == {"IssueList": [issue(None, "bad_request_error", "bad_request_error")]}


def test_paging_walks_three_pages_of_two(lex: SandboxOrg) -> None:
    with lex.client() as c:
        for last in ("Eins", "Zwei", "Drei", "Vier", "Fünf"):
            create(c, person(last))
        pages = [c.get("/v1/contacts", params={"page": n, "size": 2}).json() for n in range(4)]
        everything = c.get("/v1/contacts").json()
    assert [p["numberOfElements"] for p in pages] == [2, 2, 1, 0]
    assert [(p["first"], p["last"]) for p in pages[:3]] == [(True, False), (False, False), (False, True)]
    assert all(p["totalPages"] == 3 and p["totalElements"] == 5 and p["size"] == 2 for p in pages)
    assert [p["number"] for p in pages] == [0, 1, 2, 3]
    assert [name for p in pages for name in names(p)] == names(everything)
    assert names(everything) == ["Drei", "Eins", "Fünf", "Vier", "Zwei"]


def test_page_size_is_capped_at_250(directory: SandboxOrg) -> None:
    with directory.client() as c:
        page = c.get("/v1/contacts", params={"size": 1000}).json()
    assert page["size"] == 250
    assert page["numberOfElements"] == 4


# --- control: edits and deletions in the app ---


def test_app_edit_is_merged_and_makes_older_versions_stale(lex: SandboxOrg) -> None:
    with lex.client() as c:
        contact_id = create(c, person("Musterfrau", "Inge"))
        before = c.get(f"/v1/contacts/{contact_id}").json()
        with lex.sandbox.control() as control:
            edited = control.patch(
                control_path(lex, contact_id),
                json={"note": "edited in app", "person": {"firstName": "Ingrid"}},
            )
        assert edited.status_code == 200
        assert edited.json()["version"] == 2
        response = c.put(f"/v1/contacts/{contact_id}", json={**before, "note": "from the API"})
        assert response.status_code == 409
        contact = c.get(f"/v1/contacts/{contact_id}").json()
    assert contact["note"] == "edited in app"
    assert contact["person"] == {"firstName": "Ingrid", "lastName": "Musterfrau"}
    assert contact["version"] == 2


def test_app_can_archive_and_remove_fields(lex: SandboxOrg) -> None:
    with lex.client() as c:
        contact_id = create(c, person("Archiv", note="weg damit"))
        with lex.sandbox.control() as control:
            response = control.patch(control_path(lex, contact_id), json={"archived": True, "note": None})
        assert response.status_code == 200
        contact = c.get(f"/v1/contacts/{contact_id}").json()
        listed = c.get("/v1/contacts").json()["content"]
    assert contact["archived"] is True
    assert "note" not in contact
    assert listed == [contact]


@pytest.mark.parametrize(
    ("changes", "status"),
    [
        ({"version": 7}, 400),
        ({"id": "x"}, 400),
        ({"archived": "ja"}, 400),
        ({"person": {"lastName": None}}, 406),
        ({"roles": {"customer": None}}, 406),
    ],
)
def test_invalid_app_edits_change_nothing(lex: SandboxOrg, changes: dict[str, Any], status: int) -> None:
    with lex.client() as c:
        contact_id = create(c, person("Fest"))
        before = c.get(f"/v1/contacts/{contact_id}").json()
        with lex.sandbox.control() as control:
            response = control.patch(control_path(lex, contact_id), json=changes)
        assert response.status_code == status
        assert c.get(f"/v1/contacts/{contact_id}").json() == before


def test_app_delete_removes_the_contact_and_numbers_are_not_reused(lex: SandboxOrg) -> None:
    with lex.client() as c:
        contact_id = create(c, person("Weg"))
        with lex.sandbox.control() as control:
            assert control.delete(control_path(lex, contact_id)).status_code == 204
            assert control.delete(control_path(lex, contact_id)).status_code == 404
        assert c.get(f"/v1/contacts/{contact_id}").status_code == 404
        newer = c.get(f"/v1/contacts/{create(c, person('Neu'))}").json()
    assert newer["roles"]["customer"]["number"] == 10002


@pytest.mark.parametrize("method", ["PATCH", "DELETE"])
def test_control_routes_404_for_unknown_organization_or_contact(lex: SandboxOrg, method: str) -> None:
    with lex.client() as c:
        contact_id = create(c, person("Da"))
    paths = [
        f"/_sandbox/organizations/{lex.id}/contacts/00000000-0000-0000-0000-000000000000",
        f"/_sandbox/organizations/00000000-0000-0000-0000-000000000000/contacts/{contact_id}",
    ]
    with lex.sandbox.control() as control:
        for path in paths:
            body = {"note": "x"} if method == "PATCH" else None
            assert control.request(method, path, json=body).status_code == 404
