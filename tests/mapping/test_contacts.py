"""lexoffice contacts <-> unified contacts: the documentation samples, the create round trip, the patch
mapping and the list filters."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from connectors.lexoffice.mapping.contacts import (
    contact_filter_errors,
    contact_filters_to_lexoffice,
    contact_from_lexoffice,
    contact_patch_to_lexoffice,
    contact_to_lexoffice,
    search_term,
)
from connectors.merge import apply_patch
from schemas.common import Address
from schemas.contacts import (
    Company,
    CompanyContactCreate,
    CompanyInput,
    CompanyUpdate,
    Contact,
    ContactAddresses,
    ContactAddressesInput,
    ContactAddressesUpdate,
    ContactAddressInput,
    ContactCreate,
    ContactFilters,
    ContactPerson,
    ContactPersonInput,
    ContactUpdate,
    EmailAddresses,
    EmailAddressesUpdate,
    Person,
    PersonContactCreate,
    PersonInput,
    PersonUpdate,
    PhoneNumbers,
    PhoneNumbersUpdate,
    XRechnung,
    XRechnungInput,
    validate_contact_update,
)
from tests.support.samples import sample, sample_exact

COMPANY_SAMPLE = "001_contacts_resource_sample_company_customer_vendor.json"
PERSON_SAMPLE = "002_contacts_resource_sample_person.json"
UNSET = msgspec.UNSET


def _json_round_trip(contact: Contact) -> None:
    assert msgspec.json.decode(msgspec.json.encode(contact), type=Contact) == contact


# --- samples ---


def test_company_sample_maps_every_documented_field() -> None:
    contact = contact_from_lexoffice(sample_exact(COMPANY_SAMPLE))

    assert contact == Contact(
        id="be9475f4-ef80-442b-8ab9-3ab8b1a2aeb9",
        version=1,
        type="company",
        roles=["customer", "supplier"],
        customer_number=10307,
        supplier_number=70303,
        name="Testfirma",
        company=Company(
            name="Testfirma",
            tax_number="12345/12345",
            vat_id="DE123456789",
            allow_tax_free_invoices=True,
            contact_persons=[
                ContactPerson(
                    salutation="Herr",
                    first_name="Max",
                    last_name="Mustermann",
                    primary=True,
                    email="contactpersonmail@lexoffice.de",
                    phone="08000/11111",
                )
            ],
        ),
        addresses=ContactAddresses(
            billing=[
                Address(
                    supplement="Rechnungsadressenzusatz",
                    street="Hauptstr. 5",
                    postal_code="12345",
                    city="Musterort",
                    country_code="DE",
                )
            ],
            shipping=[
                Address(
                    supplement="Lieferadressenzusatz",
                    street="Schulstr. 13",
                    postal_code="76543",
                    city="MUsterstadt",
                    country_code="DE",
                )
            ],
        ),
        emails=EmailAddresses(
            business=["business@lexoffice.de"],
            office=["office@lexoffice.de"],
            private=["private@lexoffice.de"],
            other=["other@lexoffice.de"],
        ),
        phones=PhoneNumbers(
            business=["08000/1231"],
            office=["08000/1232"],
            mobile=["08000/1233"],
            private=["08000/1234"],
            fax=["08000/1235"],
            other=["08000/1236"],
        ),
        note="Notizen",
        archived=False,
        xrechnung=XRechnung(buyer_reference="04011000-1234512345-35", vendor_number_at_customer="70123456"),
    )
    assert contact.created_at is None
    assert contact.updated_at is None
    _json_round_trip(contact)


@pytest.mark.parametrize(
    ("name", "note"), [(PERSON_SAMPLE, None), ("005_contacts_retrieve_response.json", "Notizen")]
)
def test_person_samples(name: str, note: str | None) -> None:
    contact = contact_from_lexoffice(sample(name))

    assert contact.id == "e9066f04-8cc7-4616-93f8-ac9ecc8479c8"
    assert contact.version == 0
    assert contact.type == "person"
    assert contact.roles == ["customer"]
    assert (contact.customer_number, contact.supplier_number) == (10308, None)
    assert contact.name == "Inge Musterfrau"
    assert contact.person == Person(salutation="Frau", first_name="Inge", last_name="Musterfrau")
    assert contact.company is None
    assert contact.addresses == ContactAddresses()
    assert contact.emails == EmailAddresses()
    assert contact.phones == PhoneNumbers()
    assert contact.xrechnung is None
    assert contact.note == note
    assert contact.archived is False
    _json_round_trip(contact)


def test_list_sample_maps_each_item() -> None:
    contacts = [contact_from_lexoffice(item) for item in sample("006_contacts_list_response.json")["content"]]

    assert [(c.name, c.customer_number, c.archived) for c in contacts] == [
        ("Inge Musterfrau", 10308, False),
        ("Max Mustermann", 10309, True),
    ]
    assert contacts[1].id == "313ef116-a432-4823-9dfe-1b1200eb458a"
    assert contacts[1].person == Person(salutation="Herr", first_name="Max", last_name="Mustermann")


def test_create_request_sample_is_what_the_unified_create_maps_to() -> None:
    create = msgspec.json.decode(
        b'{"type": "person", "roles": ["customer"], "note": "Notizen",'
        b' "person": {"salutation": "Frau", "first_name": "Inge", "last_name": "Musterfrau"}}',
        type=ContactCreate,
    )

    assert contact_to_lexoffice(create) == sample("003_contacts_create_request.json")


def test_stored_contact_with_action_result_dates() -> None:
    """What lexoffice stores after the create of sample 003 (answered by sample 004) maps back in full."""
    result = sample("004_contacts_create_response.json")
    stored = {
        **sample("003_contacts_create_request.json"),
        "id": result["id"],
        "version": result["version"],
        "roles": {"customer": {"number": 10310}},
        "createdDate": result["createdDate"],
        "updatedDate": result["updatedDate"],
    }

    contact = contact_from_lexoffice(stored)

    created = datetime(2023, 6, 29, 15, 15, 9, 447000, tzinfo=timezone(timedelta(hours=2)))
    assert (contact.id, contact.version, contact.customer_number) == (result["id"], 1, 10310)
    assert contact.created_at == created
    assert contact.updated_at == created
    assert contact.note == "Notizen"


def test_raw_is_the_upstream_json_verbatim() -> None:
    data = sample_exact(COMPANY_SAMPLE)

    assert contact_from_lexoffice(data, include_raw=True).raw == data
    assert contact_from_lexoffice(data).raw is None


def test_missing_optional_fields_and_unknown_roles_do_not_break_the_mapping() -> None:
    contact = contact_from_lexoffice(
        {"id": "x", "version": 3, "roles": {"vendor": {}, "employee": {"number": 5}}, "person": {}}
    )

    assert contact.roles == ["supplier", "employee"]
    assert (contact.customer_number, contact.supplier_number) == (None, None)
    assert (contact.type, contact.name) == ("person", None)
    assert contact_from_lexoffice({"id": "x", "version": 0}).type is None


@given(role=st.text(min_size=1).filter(lambda role: role not in ("customer", "vendor")))
def test_unknown_upstream_roles_survive(role: str) -> None:
    contact = contact_from_lexoffice({"id": "x", "version": 0, "roles": {role: {}, "vendor": {"number": 7}}})

    assert contact.roles == [role, "supplier"]
    assert contact.supplier_number == 7


# --- create validation ---


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"type": "company", "roles": ["customer"]}, "missing required field `company`"),
        (
            {
                "type": "company",
                "roles": ["customer"],
                "company": {"name": "A"},
                "person": {"last_name": "B"},
            },
            "unknown field `person`",
        ),
        ({"type": "person", "roles": [], "person": {"last_name": "B"}}, "`$.roles`"),
        ({"type": "person", "roles": ["vendor"], "person": {"last_name": "B"}}, "`$.roles[0]`"),
        ({"type": "company", "roles": ["customer"], "company": {"name": "  "}}, "`$.company.name`"),
        ({"type": "person", "roles": ["customer"], "person": {"first_name": "A"}}, "`last_name`"),
        (
            {"type": "person", "roles": ["customer"], "person": {"last_name": "B", "salutation": "x" * 26}},
            "`$.person.salutation`",
        ),
        (
            {
                "type": "person",
                "roles": ["customer"],
                "person": {"last_name": "B"},
                "addresses": {"billing": [{"city": "Berlin", "country_code": "Germany"}]},
            },
            "`$.addresses.billing[0].country_code`",
        ),
        (
            {
                "type": "person",
                "roles": ["customer"],
                "person": {"last_name": "B"},
                "xrechnung": {"buyer_reference": "04011000-1234512345-35"},
            },
            "`vendor_number_at_customer`",
        ),
        ({"type": "robot", "roles": ["customer"]}, "Invalid value 'robot'"),
    ],
)
def test_create_refuses_invalid_contacts(body: dict[str, Any], message: str) -> None:
    with pytest.raises(msgspec.ValidationError, match=re.escape(message)):
        msgspec.convert(body, ContactCreate)


def test_update_refuses_company_and_person_changes_together() -> None:
    patch = ContactUpdate(company=CompanyUpdate(name="A"), person=PersonUpdate(last_name="B"))

    [error] = validate_contact_update(patch)
    assert error.field == "person"
    assert "not both" in error.reason
    assert validate_contact_update(ContactUpdate(person=PersonUpdate(last_name="B"))) == []


# --- create round trip ---

texts = st.text(max_size=12)
optional_texts = st.none() | texts
non_blank = st.text(min_size=1, max_size=12).filter(lambda text: re.search(r"\S", text) is not None)
roles = st.lists(st.sampled_from(["customer", "supplier"]), min_size=1, max_size=2)
country_codes = st.from_regex(r"[A-Z]{2}(_[A-Z0-9]{2})?", fullmatch=True)
addresses = st.builds(
    ContactAddressInput,
    supplement=optional_texts,
    street=optional_texts,
    postal_code=optional_texts,
    city=optional_texts,
    country_code=country_codes,
)
contact_persons = st.builds(
    ContactPersonInput,
    salutation=st.none() | st.text(max_size=25),
    first_name=optional_texts,
    last_name=non_blank,
    primary=st.booleans(),
    email=optional_texts,
    phone=optional_texts,
)
companies = st.builds(
    CompanyInput,
    name=non_blank,
    tax_number=optional_texts,
    vat_id=optional_texts,
    allow_tax_free_invoices=st.none() | st.booleans(),
    contact_persons=st.lists(contact_persons, max_size=2),
)
persons = st.builds(
    PersonInput, salutation=st.none() | st.text(max_size=25), first_name=optional_texts, last_name=non_blank
)
text_lists = st.lists(texts, max_size=2)
emails = st.builds(
    EmailAddresses, business=text_lists, office=text_lists, private=text_lists, other=text_lists
)
phones = st.builds(
    PhoneNumbers,
    business=text_lists,
    office=text_lists,
    mobile=text_lists,
    private=text_lists,
    fax=text_lists,
    other=text_lists,
)
xrechnungs = st.builds(XRechnungInput, buyer_reference=optional_texts, vendor_number_at_customer=non_blank)
common_create_fields: dict[str, Any] = {
    "roles": roles,
    "addresses": st.builds(
        ContactAddressesInput,
        billing=st.lists(addresses, max_size=2),
        shipping=st.lists(addresses, max_size=2),
    ),
    "emails": emails,
    "phones": phones,
    "note": optional_texts,
    "xrechnung": st.none() | xrechnungs,
}
creates = st.builds(CompanyContactCreate, company=companies, **common_create_fields) | st.builds(
    PersonContactCreate, person=persons, **common_create_fields
)
ROLE_NUMBERS = {"customer": 10001, "vendor": 70001}


def _as_stored(body: dict[str, Any]) -> dict[str, Any]:
    """What lexoffice stores for a POST body: its own id, version and role numbers added."""
    return {
        **body,
        "id": "6f5d1f0e-0000-4000-8000-000000000000",
        "organizationId": "aa93e8a8-2aa3-470b-b914-caad8a255dd8",
        "version": 1,
        "roles": {role: {"number": ROLE_NUMBERS[role]} for role in body["roles"]},
        "archived": False,
    }


def _response_part(value: msgspec.Struct, response_type: type[Any]) -> Any:
    """A request part as the response struct of the same shape."""
    return msgspec.convert(msgspec.to_builtins(value), response_type)


@given(create=creates)
def test_create_round_trip_keeps_every_field(create: ContactCreate) -> None:
    body = contact_to_lexoffice(create)
    contact = contact_from_lexoffice(_as_stored(body))

    assert body["version"] == 0
    assert all(role == {} for role in body["roles"].values())
    assert sorted(contact.roles) == sorted(set(create.roles))
    assert (contact.customer_number is not None) == ("customer" in create.roles)
    assert (contact.supplier_number is not None) == ("supplier" in create.roles)
    if isinstance(create, CompanyContactCreate):
        assert contact.type == "company"
        assert contact.company == _response_part(create.company, Company)
        assert contact.name == create.company.name
        assert contact.person is None
    else:
        assert contact.type == "person"
        assert contact.person == _response_part(create.person, Person)
        assert contact.company is None
    assert contact.addresses == _response_part(create.addresses, ContactAddresses)
    assert contact.emails == create.emails
    assert contact.phones == create.phones
    assert contact.note == create.note
    assert contact.xrechnung == (
        None if create.xrechnung is None else _response_part(create.xrechnung, XRechnung)
    )
    _json_round_trip(contact)


@given(create=creates, note=texts, last_name=texts, extra=texts)
def test_raw_is_deep_merged_over_the_mapped_body(
    create: ContactCreate, note: str, last_name: str, extra: str
) -> None:
    part = "company" if isinstance(create, CompanyContactCreate) else "person"
    raw = {"note": note, part: {"lastName" if part == "person" else "name": last_name}, "extra": extra}

    body = contact_to_lexoffice(msgspec.structs.replace(create, raw=raw))
    contact = contact_from_lexoffice(_as_stored(body))

    assert body["extra"] == extra
    assert body["roles"] == contact_to_lexoffice(create)["roles"]
    assert contact.note == note
    if isinstance(create, CompanyContactCreate):
        assert contact.company is not None
        assert (contact.company.name, contact.company.tax_number) == (last_name, create.company.tax_number)
    else:
        assert contact.person is not None
        assert (contact.person.last_name, contact.person.first_name) == (last_name, create.person.first_name)


# --- patch ---


def _unset_or(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.just(UNSET) | strategy


company_updates = st.builds(
    CompanyUpdate,
    name=_unset_or(non_blank),
    tax_number=_unset_or(optional_texts),
    vat_id=_unset_or(optional_texts),
    allow_tax_free_invoices=_unset_or(st.none() | st.booleans()),
    contact_persons=_unset_or(st.lists(contact_persons, max_size=2)),
)
person_updates = st.builds(
    PersonUpdate,
    salutation=_unset_or(st.none() | st.text(max_size=25)),
    first_name=_unset_or(optional_texts),
    last_name=_unset_or(non_blank),
)
common_patch_fields: dict[str, Any] = {
    "roles": _unset_or(roles),
    "addresses": _unset_or(
        st.builds(
            ContactAddressesUpdate,
            billing=_unset_or(st.lists(addresses, max_size=2)),
            shipping=_unset_or(st.lists(addresses, max_size=2)),
        )
    ),
    "emails": _unset_or(
        st.builds(
            EmailAddressesUpdate,
            business=_unset_or(text_lists),
            office=_unset_or(text_lists),
            private=_unset_or(text_lists),
            other=_unset_or(text_lists),
        )
    ),
    "phones": _unset_or(
        st.builds(
            PhoneNumbersUpdate,
            business=_unset_or(text_lists),
            office=_unset_or(text_lists),
            mobile=_unset_or(text_lists),
            private=_unset_or(text_lists),
            fax=_unset_or(text_lists),
            other=_unset_or(text_lists),
        )
    ),
    "note": _unset_or(optional_texts),
    "xrechnung": _unset_or(st.none() | xrechnungs),
}
company_patches = st.builds(ContactUpdate, company=_unset_or(company_updates), **common_patch_fields)
person_patches = st.builds(ContactUpdate, person=_unset_or(person_updates), **common_patch_fields)
UPSTREAM_NAMES = {
    "roles": "roles",
    "company": "company",
    "person": "person",
    "addresses": "addresses",
    "emails": "emailAddresses",
    "phones": "phoneNumbers",
    "note": "note",
    "xrechnung": "xRechnung",
}


def test_patch_example() -> None:
    patch = ContactUpdate(
        roles=["supplier"],
        company=CompanyUpdate(vat_id="DE999999999", tax_number=None),
        emails=EmailAddressesUpdate(business=[]),
        note=None,
    )

    assert contact_patch_to_lexoffice(patch) == {
        "roles": {"vendor": {}},
        "company": {"vatRegistrationId": "DE999999999", "taxNumber": None},
        "emailAddresses": {"business": []},
        "note": None,
    }
    assert contact_patch_to_lexoffice(ContactUpdate()) == {}
    assert contact_patch_to_lexoffice(ContactUpdate(raw={"note": "x", "company": {"name": "y"}})) == {
        "note": "x",
        "company": {"name": "y"},
    }


@given(patch=company_patches | person_patches)
def test_patch_mentions_only_the_given_fields(patch: ContactUpdate) -> None:
    body = contact_patch_to_lexoffice(patch)
    given_fields = msgspec.to_builtins(patch)  # UNSET fields are left out

    assert set(body) == {UPSTREAM_NAMES[name] for name in given_fields}
    for part in ("company", "person", "emails", "phones", "addresses"):
        if part in given_fields:
            assert len(body[UPSTREAM_NAMES[part]]) == len(given_fields[part])


@pytest.mark.parametrize(
    ("base", "patches"), [(COMPANY_SAMPLE, company_patches), (PERSON_SAMPLE, person_patches)]
)
@given(data=st.data())
def test_patch_applied_upstream_changes_what_the_unified_merge_patch_changes(
    base: str, patches: st.SearchStrategy[ContactUpdate], data: st.DataObject
) -> None:
    """lexoffice patch merged onto the upstream contact == unified patch merged onto the unified contact."""
    upstream = sample(base)
    before = contact_from_lexoffice(upstream)
    patch = data.draw(patches)

    after = contact_from_lexoffice(apply_patch(upstream, contact_patch_to_lexoffice(patch)))

    changes = msgspec.to_builtins(patch)
    added_roles = [role for role in changes.pop("roles", []) if role not in before.roles]
    expected = msgspec.convert(apply_patch(msgspec.to_builtins(before), changes), Contact)
    assert after.roles == before.roles + list(dict.fromkeys(added_roles))
    assert (after.customer_number, after.supplier_number) == (before.customer_number, before.supplier_number)
    if after.company is not None:
        assert after.name == after.company.name
    else:
        assert after.person is not None
        assert after.name == (
            " ".join(filter(None, (after.person.first_name, after.person.last_name))) or None
        )
    assert msgspec.structs.replace(after, roles=[], name=None) == msgspec.structs.replace(
        expected, roles=[], name=None
    )


# --- filters ---


def test_filters_become_lexoffice_query_parameters() -> None:
    filters = ContactFilters(email="info@a&b.de", name="Johnson & <Partner>", number=10307, role="supplier")

    assert contact_filters_to_lexoffice(filters) == {
        "email": "info@a&amp;b.de",
        "name": "Johnson &amp; &lt;Partner&gt;",
        "number": "10307",
        "vendor": "true",
    }
    assert contact_filters_to_lexoffice(ContactFilters(role="customer")) == {"customer": "true"}
    assert contact_filters_to_lexoffice(ContactFilters()) == {}


@pytest.mark.parametrize("name", ["email", "name"])
def test_short_search_terms_are_refused_before_calling_upstream(name: str) -> None:
    with pytest.raises(msgspec.ValidationError, match=rf"length >= 3 - at `\$.{name}`"):
        msgspec.convert({name: "ab"}, ContactFilters)


def test_updated_since_is_refused_as_unsupported() -> None:
    filters = ContactFilters(updated_since=datetime(2024, 3, 31, tzinfo=UTC))

    [error] = contact_filter_errors(filters)
    assert error.field == "updated_since"
    assert "not supported by connector" in error.reason
    with pytest.raises(ValueError, match="updated_since"):
        contact_filters_to_lexoffice(filters)
    assert contact_filter_errors(ContactFilters(name="abc")) == []


@given(text=st.text(min_size=3))
def test_search_terms_are_html_entity_encoded(text: str) -> None:
    query = contact_filters_to_lexoffice(ContactFilters(name=text, email=text))

    for value in (query["name"], query["email"]):
        assert value == search_term(text)
        assert "<" not in value
        assert ">" not in value
        assert re.fullmatch(r"([^&]|&(amp|lt|gt);)*", value, re.DOTALL)
        assert html.unescape(value) == text
        if not set("&<>") & set(text):
            assert value == text
