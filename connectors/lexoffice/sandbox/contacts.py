"""Contacts (``/v1/contacts``): create, read, full update and the filtered list, answering errors in
lexoffice's legacy ``IssueList`` format; plus the sandbox-only control routes for what a user does in
the web app (edit, delete).

A contact is stored as lexoffice returns it (documented fields only, empty parts left out) plus the
``createdDate``/``updatedDate`` that action results need; GET shows the documented fields.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

import msgspec
from litestar import Request, Response, delete, get, patch, post, put
from litestar.datastructures import MultiDict
from litestar.params import FromPath

from .catalog import COUNTRY_CODES
from .errors import ApiError, bad_request, combine, conflict, missing, not_found, validation_error
from .state import Organization, Record
from .web import (
    action_result,
    json_body,
    json_response,
    organization,
    organization_by_id,
    page_envelope,
    paging,
    sort_spec,
    validate,
)

COLLECTION = "contacts"
ROLES = ("customer", "vendor")
FIRST_NUMBER = {"customer": 10001, "vendor": 70001}
SALUTATION_MAX = 25
SALUTATION_TOO_LONG = f"Größe muss zwischen 0 und {SALUTATION_MAX} sein"
UNSUPPORTED_COUNTRY = f"unsupported country code; supported: {', '.join(sorted(COUNTRY_CODES))}"
SEARCH_MIN, SEARCH_MAX = 3, 255
FILTERS = ("email", "name", "number", "customer", "vendor")
# the documented fields of a contact, in the order lexoffice prints them
FIELDS = (
    "id",
    "organizationId",
    "version",
    "roles",
    "company",
    "person",
    "addresses",
    "xRechnung",
    "emailAddresses",
    "phoneNumbers",
    "note",
    "archived",
)
# kept by the sandbox across updates, never taken from a request
SERVER_FIELDS = ("id", "organizationId", "createdDate", "updatedDate", "version")


# --- request schema (lexoffice's field names; unknown and read-only fields are ignored) ---


class Role(msgspec.Struct):
    """A role is sent as ``{}``; its ``number`` is assigned by lexoffice (a sent one is ignored)."""


class Roles(msgspec.Struct):
    customer: Role | None = None
    vendor: Role | None = None


class ContactPerson(msgspec.Struct):
    salutation: str | None = None
    firstName: str | None = None
    lastName: str | None = None
    primary: bool = False
    emailAddress: str | None = None
    phoneNumber: str | None = None


class Company(msgspec.Struct):
    name: str | None = None
    taxNumber: str | None = None
    vatRegistrationId: str | None = None
    allowTaxFreeInvoices: bool | None = None
    contactPersons: list[ContactPerson] | None = None


class Person(msgspec.Struct):
    salutation: str | None = None
    firstName: str | None = None
    lastName: str | None = None


class Address(msgspec.Struct):
    supplement: str | None = None
    street: str | None = None
    zip: str | None = None
    city: str | None = None
    countryCode: str | None = None


class Addresses(msgspec.Struct):
    billing: list[Address] | None = None
    shipping: list[Address] | None = None


class XRechnung(msgspec.Struct):
    buyerReference: str | None = None
    vendorNumberAtCustomer: str | None = None


class EmailAddresses(msgspec.Struct):
    business: list[str] | None = None
    office: list[str] | None = None
    private: list[str] | None = None
    other: list[str] | None = None


class PhoneNumbers(msgspec.Struct):
    business: list[str] | None = None
    office: list[str] | None = None
    mobile: list[str] | None = None
    private: list[str] | None = None
    fax: list[str] | None = None
    other: list[str] | None = None


class ContactBody(msgspec.Struct):
    """The body of POST and PUT."""

    version: int | None = None
    roles: Roles | None = None
    company: Company | None = None
    person: Person | None = None
    addresses: Addresses | None = None
    xRechnung: XRechnung | None = None
    emailAddresses: EmailAddresses | None = None
    phoneNumbers: PhoneNumbers | None = None
    note: str | None = None


# objects whose keys are types of a list (a key outside the documented ones would lose data)
_TYPED_LISTS: dict[str, type[msgspec.Struct]] = {
    "addresses": Addresses,
    "emailAddresses": EmailAddresses,
    "phoneNumbers": PhoneNumbers,
}


# --- validation ---


def _blank(value: str | None) -> bool:
    return value is None or not value.strip()


def _name_issues(who: Person | ContactPerson, path: str) -> list[ApiError]:
    issues = []
    if _blank(who.lastName):
        issues.append(missing(f"{path}.lastName"))
    if who.salutation is not None and len(who.salutation) > SALUTATION_MAX:
        issues.append(validation_error(f"{path}.salutation", SALUTATION_TOO_LONG))
    return issues


def _party_issues(body: ContactBody) -> list[ApiError]:
    """Exactly one of company/person, with their required names."""
    if body.company is None and body.person is None:
        return [missing("company"), missing("person")]
    if body.company is not None and body.person is not None:
        message = "a contact is either a company or a person"
        return [validation_error("company", message), validation_error("person", message)]
    if body.person is not None:
        return _name_issues(body.person, "person")
    company = body.company or Company()
    issues = [missing("company.name")] if _blank(company.name) else []
    for index, person in enumerate(company.contactPersons or []):
        issues += _name_issues(person, f"company.contactPersons[{index}]")
    return issues


def _address_issues(addresses: Addresses | None) -> list[ApiError]:
    issues = []
    for kind in ("billing", "shipping"):
        for index, address in enumerate(getattr(addresses, kind, None) or []):
            path = f"addresses.{kind}[{index}].countryCode"
            if _blank(address.countryCode):
                issues.append(missing(path))
            elif address.countryCode not in COUNTRY_CODES:
                issues.append(validation_error(path, UNSUPPORTED_COUNTRY))
    return issues


def _unknown_types(data: dict[str, Any]) -> list[ApiError]:
    return [
        validation_error(f"{group}.{key}", f"unknown type, expected one of {schema.__struct_fields__}")
        for group, schema in _TYPED_LISTS.items()
        if isinstance(data.get(group), dict)
        for key in data[group]
        if key not in schema.__struct_fields__
    ]


def _issues(data: dict[str, Any], body: ContactBody, creating: bool) -> list[ApiError]:
    issues = []
    if body.version is None:
        issues.append(missing("version"))
    elif creating and body.version != 0:
        issues.append(validation_error("version", "must be 0 when creating a contact"))
    if body.roles is None or (body.roles.customer is None and body.roles.vendor is None):
        issues.append(missing("roles"))
    issues += _party_issues(body)
    issues += _address_issues(body.addresses)
    xrechnung = body.xRechnung
    if xrechnung and not _blank(xrechnung.buyerReference) and _blank(xrechnung.vendorNumberAtCustomer):
        issues.append(missing("xRechnung.vendorNumberAtCustomer"))
    return issues + _unknown_types(data)


def parse_contact(data: dict[str, Any], *, creating: bool) -> ContactBody:
    """Type-check a POST/PUT body and apply the contact rules; a 406 lists every problem."""
    body = validate(data, ContactBody)
    issues = _issues(data, body, creating)
    if issues:
        raise combine(issues)
    return body


# --- records ---


def _compact(value: Any) -> Any:
    """Drop ``None`` and empty lists/objects (lexoffice leaves out what a contact doesn't have)."""
    if isinstance(value, dict):
        pairs = ((key, _compact(item)) for key, item in value.items())
        return {key: item for key, item in pairs if item is not None and item != [] and item != {}}
    if isinstance(value, list):
        return [_compact(item) for item in value]
    return value


def _roles(org: Organization, roles: Roles, current: dict[str, Any]) -> dict[str, Any]:
    """The roles with their numbers: existing ones are kept, a new role gets the next number."""
    numbered = {}
    for role in ROLES:
        if getattr(roles, role) is not None:
            numbered[role] = current.get(role) or {
                "number": org.next_number(f"contact:{role}", FIRST_NUMBER[role])
            }
    return numbered


def _content(org: Organization, body: ContactBody, current_roles: dict[str, Any], archived: bool) -> Record:
    content: Record = _compact(msgspec.to_builtins(body))
    content.pop("version", None)
    content["roles"] = _roles(org, body.roles or Roles(), current_roles)
    content["archived"] = archived
    return content


def present(record: Record) -> Record:
    """A stored contact as lexoffice returns it (documented fields, documented order)."""
    return {key: record[key] for key in FIELDS if key in record}


def _replace(org: Organization, record: Record, body: ContactBody, archived: bool) -> None:
    """Full replacement of a contact's content; roles can be added but not removed."""
    removed = [
        validation_error(f"roles.{role}", "a role of a contact cannot be removed")
        for role in record["roles"]
        if getattr(body.roles, role, None) is None
    ]
    if removed:
        raise combine(removed)
    content = _content(org, body, record["roles"], archived)
    kept = {key: record[key] for key in SERVER_FIELDS}
    record.clear()
    record.update(kept)
    record.update(content)


def _stored(org: Organization, record_id: str) -> Record:
    record = org.get(COLLECTION, record_id)
    if record is None:
        raise not_found("Contact")
    return record


# --- search ---


def _pattern(parameter: str, term: str) -> re.Pattern[str]:
    """A case-insensitive substring match; ``%`` stands for any text and ``_`` for one character."""
    if not SEARCH_MIN <= len(term) <= SEARCH_MAX:
        size = f"size must be between {SEARCH_MIN} and {SEARCH_MAX}"
        raise bad_request(f"{parameter}: {size}", size)
    regex = "".join(".*" if char == "%" else "." if char == "_" else re.escape(char) for char in term)
    return re.compile(regex, re.IGNORECASE | re.DOTALL)


def _canonical(text: str) -> str:
    """The form lexoffice searches in: ``& < >`` as HTML entities."""
    return html.escape(text, quote=False)


def _names(record: Record) -> list[str]:
    """What the ``name`` filter looks at: the company name, or the person's name in either order."""
    if "company" in record:
        return [record["company"].get("name", "")]
    person = record.get("person", {})
    first, last = person.get("firstName", ""), person.get("lastName", "")
    return [f"{first} {last}".strip(), f"{last} {first}".strip()]


def sort_name(record: Record) -> str:
    """The ``name`` the list is sorted by: company name, or ``lastName firstName``."""
    return _names(record)[-1]


def _emails(record: Record) -> list[str]:
    return [address for addresses in record.get("emailAddresses", {}).values() for address in addresses]


def _numbers(record: Record) -> set[int]:
    return {role["number"] for role in record["roles"].values()}


def _single(params: MultiDict[str], name: str) -> str | None:
    values = params.getall(name, [])
    if len(values) > 1:
        raise bad_request(f"filter {name} must not be given more than once")
    return values[0] if values else None


def _integer(name: str, raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise bad_request(f"filter {name} must be an integer") from None


def _boolean(name: str, raw: str) -> bool:
    if raw.lower() not in ("true", "false"):
        raise bad_request(f"filter {name} must be true or false")
    return raw.lower() == "true"


@dataclass
class ContactFilter:
    """The ANDed filters of ``GET /v1/contacts``."""

    name: re.Pattern[str] | None = None
    email: re.Pattern[str] | None = None
    number: int | None = None
    roles: dict[str, bool] = field(default_factory=dict)

    @classmethod
    def from_query(cls, params: MultiDict[str]) -> ContactFilter:
        """Read the filters; 400 for a repeated filter, a bad value or a search term of the wrong size."""
        given = {name: value for name in FILTERS if (value := _single(params, name)) is not None}
        return cls(
            name=_pattern("name", given["name"]) if "name" in given else None,
            email=_pattern("email", given["email"]) if "email" in given else None,
            number=_integer("number", given["number"]) if "number" in given else None,
            roles={role: _boolean(role, given[role]) for role in ROLES if role in given},
        )

    def matches(self, record: Record) -> bool:
        name, email = self.name, self.email
        return (
            (name is None or any(name.search(_canonical(text)) for text in _names(record)))
            and (email is None or any(email.search(_canonical(text)) for text in _emails(record)))
            and (self.number is None or self.number in _numbers(record))
            and all((role in record["roles"]) == wanted for role, wanted in self.roles.items())
        )


# --- lexoffice endpoints ---


@post("/v1/contacts")
async def create_contact(request: Request[Any, Any, Any]) -> Response[bytes]:
    body = parse_contact(await json_body(request), creating=True)
    org = organization(request)
    record = org.create(COLLECTION, _content(org, body, {}, archived=False), event_prefix="contact")
    return action_result(request, COLLECTION, record, 201)


@get("/v1/contacts/{record_id:str}", sync_to_thread=False)
def get_contact(request: Request[Any, Any, Any], record_id: FromPath[str]) -> Response[bytes]:
    return json_response(present(_stored(organization(request), record_id)))


@put("/v1/contacts/{record_id:str}")
async def update_contact(request: Request[Any, Any, Any], record_id: FromPath[str]) -> Response[bytes]:
    """Full replacement; the body's ``version`` must be the stored one (409 otherwise)."""
    body = parse_contact(await json_body(request), creating=False)
    org = organization(request)
    record = _stored(org, record_id)
    if body.version != record["version"]:
        raise conflict(f"version {body.version} is outdated, the contact has version {record['version']}")
    _replace(org, record, body, archived=record["archived"])
    org.touch(record, "contact.changed")
    return action_result(request, COLLECTION, record, 200)


@get("/v1/contacts", sync_to_thread=False)
def list_contacts(request: Request[Any, Any, Any]) -> Response[bytes]:
    """The filtered contacts, always sorted by name (lexoffice offers no other sort)."""
    wanted = ContactFilter.from_query(request.query_params)
    page, size = paging(request)
    stored = organization(request).collection(COLLECTION).values()
    contacts = sorted(stored, key=lambda record: sort_name(record).casefold())
    found = [present(record) for record in contacts if wanted.matches(record)]
    return json_response(page_envelope(found, page, size, sort_spec("name")))


# --- sandbox control: what a user does in the app ---

CONTROL_PATH = "/_sandbox/organizations/{organization_id:str}/contacts/{contact_id:str}"


def _target(
    request: Request[Any, Any, Any], organization_id: str, contact_id: str
) -> tuple[Organization, Record]:
    org = organization_by_id(request, organization_id)
    record = org.get(COLLECTION, contact_id)
    if record is None:
        raise ApiError(404, f"no contact {contact_id}")
    return org, record


def merge_patch(target: Any, changes: Any) -> Any:
    """RFC 7396 JSON merge patch: objects merge deeply, ``null`` removes a key, anything else replaces."""
    if not isinstance(changes, dict):
        return changes
    merged = dict(target) if isinstance(target, dict) else {}
    for key, value in changes.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = merge_patch(merged.get(key), value)
    return merged


@patch(CONTROL_PATH)
async def edit_contact(
    request: Request[Any, Any, Any], organization_id: FromPath[str], contact_id: FromPath[str]
) -> Response[bytes]:
    """A user edits the contact in the app: the body is merged into it (``archived`` too); fires
    ``contact.changed``. The result must still be a valid contact."""
    changes = await json_body(request)
    org, record = _target(request, organization_id, contact_id)
    if fixed := sorted(set(changes) & set(SERVER_FIELDS)):
        raise ApiError(400, f"read-only fields cannot be edited: {fixed}")
    merged = merge_patch(present(record), changes)
    archived = merged.get("archived", False)
    if not isinstance(archived, bool):
        raise ApiError(400, "archived must be true or false")
    try:
        _replace(org, record, parse_contact(merged, creating=False), archived)
    except ApiError as error:
        problems = "; ".join(f"{d.field}: {d.message}" for d in error.details)
        raise ApiError(error.status, f"{error.message} {problems}") from None
    org.touch(record, "contact.changed")
    return json_response(present(record))


@delete(CONTROL_PATH, status_code=204, sync_to_thread=False)
def delete_contact(
    request: Request[Any, Any, Any], organization_id: FromPath[str], contact_id: FromPath[str]
) -> None:
    """A user deletes the contact in the app (the API has no DELETE); fires ``contact.deleted``."""
    org, record = _target(request, organization_id, contact_id)
    del org.collection(COLLECTION)[record["id"]]
    org.emit(org, "contact.deleted", record["id"])


ROUTES = [create_contact, get_contact, update_contact, list_contacts, edit_contact, delete_contact]
