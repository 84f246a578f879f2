"""lexoffice contacts (``/v1/contacts``) <-> unified contacts (:mod:`schemas.contacts`).

lexoffice calls the supplier role ``vendor``; role numbers are read-only. List filters: ``email``, ``name``,
``number`` and ``role`` all become lexoffice query parameters (nothing is filtered by the gateway itself);
``updated_since`` is refused (:func:`contact_filter_errors`): lexoffice has no change-time filter for contacts
(sync them with the ``contact.*`` webhooks instead).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from schemas.common import Address
from schemas.contacts import (
    Company,
    CompanyContactCreate,
    CompanyInput,
    CompanyUpdate,
    Contact,
    ContactAddresses,
    ContactAddressInput,
    ContactCreate,
    ContactFilters,
    ContactPerson,
    ContactPersonInput,
    ContactUpdate,
    EmailAddresses,
    Person,
    PhoneNumbers,
    RoleName,
    XRechnung,
)
from schemas.problem import FieldError

from .common import deep_merge, parse_instant, search_term, without_none

ROLES_FROM_LEXOFFICE = {"customer": "customer", "vendor": "supplier"}
ROLES_TO_LEXOFFICE: dict[RoleName, str] = {"customer": "customer", "supplier": "vendor"}
ADDRESS_KINDS = ("billing", "shipping")
EMAIL_KINDS = ("business", "office", "private", "other")
PHONE_KINDS = ("business", "office", "mobile", "private", "fax", "other")

# unified field name -> lexoffice field name
_PERSON = {"salutation": "salutation", "first_name": "firstName", "last_name": "lastName"}
_CONTACT_PERSON = {**_PERSON, "primary": "primary", "email": "emailAddress", "phone": "phoneNumber"}
_COMPANY = {
    "name": "name",
    "tax_number": "taxNumber",
    "vat_id": "vatRegistrationId",
    "allow_tax_free_invoices": "allowTaxFreeInvoices",
}
_ADDRESS = {
    "supplement": "supplement",
    "street": "street",
    "postal_code": "zip",
    "city": "city",
    "country_code": "countryCode",
}
_XRECHNUNG = {"buyer_reference": "buyerReference", "vendor_number_at_customer": "vendorNumberAtCustomer"}
_ADDRESS_KINDS = {kind: kind for kind in ADDRESS_KINDS}
_EMAIL_KINDS = {kind: kind for kind in EMAIL_KINDS}
_PHONE_KINDS = {kind: kind for kind in PHONE_KINDS}


# --- lexoffice -> unified ---


def contact_from_lexoffice(data: dict[str, Any], *, include_raw: bool = False) -> Contact:
    """A lexoffice contact as a unified contact; unknown role names pass through unchanged."""
    roles: dict[str, Any] = data.get("roles") or {}
    company, person = data.get("company"), data.get("person")
    addresses = data.get("addresses") or {}
    emails, phones = data.get("emailAddresses") or {}, data.get("phoneNumbers") or {}
    xrechnung = data.get("xRechnung")
    return Contact(
        id=data["id"],
        version=data["version"],
        type="company" if company is not None else "person" if person is not None else None,
        roles=[ROLES_FROM_LEXOFFICE.get(role, role) for role in roles],
        customer_number=(roles.get("customer") or {}).get("number"),
        supplier_number=(roles.get("vendor") or {}).get("number"),
        name=_display_name(company, person),
        company=None if company is None else _company(company),
        person=None if person is None else Person(**_renamed(person, _PERSON)),
        addresses=ContactAddresses(
            **{kind: [_address(address) for address in addresses.get(kind) or []] for kind in ADDRESS_KINDS}
        ),
        emails=EmailAddresses(**{kind: list(emails.get(kind) or []) for kind in EMAIL_KINDS}),
        phones=PhoneNumbers(**{kind: list(phones.get(kind) or []) for kind in PHONE_KINDS}),
        note=data.get("note"),
        archived=bool(data.get("archived", False)),
        xrechnung=None if xrechnung is None else XRechnung(**_renamed(xrechnung, _XRECHNUNG)),
        created_at=parse_instant(data.get("createdDate")),
        updated_at=parse_instant(data.get("updatedDate")),
        raw=data if include_raw else None,
    )


def _renamed(data: Mapping[str, Any], names: Mapping[str, str]) -> dict[str, Any]:
    """The lexoffice fields ``names`` maps, under their unified names (absent ones as ``None``)."""
    return {name: data.get(upstream) for name, upstream in names.items()}


def _display_name(company: Mapping[str, Any] | None, person: Mapping[str, Any] | None) -> str | None:
    if company is not None:
        return company.get("name")
    if person is None:
        return None
    return " ".join(part for part in (person.get("firstName"), person.get("lastName")) if part) or None


def _company(data: Mapping[str, Any]) -> Company:
    return Company(
        **_renamed(data, _COMPANY),
        contact_persons=[
            ContactPerson(**{**_renamed(person, _CONTACT_PERSON), "primary": bool(person.get("primary"))})
            for person in data.get("contactPersons") or []
        ],
    )


def _address(data: Mapping[str, Any]) -> Address:
    return Address(**_renamed(data, _ADDRESS))


# --- unified -> lexoffice ---


def contact_to_lexoffice(req: ContactCreate) -> dict[str, Any]:
    """The lexoffice POST body of a new contact (``version: 0``, roles as ``{}``), ``req.raw`` merged last."""
    body: dict[str, Any] = {"version": 0, "roles": _roles(req.roles)}
    if isinstance(req, CompanyContactCreate):
        body["company"] = _company_to_lexoffice(req.company)
    else:
        body["person"] = without_none(_given(req.person, _PERSON))
    parts = {
        "addresses": _addresses_to_lexoffice(_non_empty(_given(req.addresses, _ADDRESS_KINDS))),
        "xRechnung": None if req.xrechnung is None else without_none(_given(req.xrechnung, _XRECHNUNG)),
        "emailAddresses": _non_empty(_given(req.emails, _EMAIL_KINDS)),
        "phoneNumbers": _non_empty(_given(req.phones, _PHONE_KINDS)),
        "note": req.note,
    }
    body.update((key, value) for key, value in parts.items() if value is not None and value != {})
    return deep_merge(body, req.raw or {})


def contact_patch_to_lexoffice(patch: ContactUpdate) -> dict[str, Any]:
    """Only the lexoffice fields ``patch`` mentions, as a JSON merge patch (``None`` clears a field).

    Roles are added to the current ones (the merge keeps roles the patch doesn't list); lists replace whole;
    ``xrechnung`` replaces both of its fields.
    """
    body: dict[str, Any] = {}
    if not isinstance(patch.roles, msgspec.UnsetType):
        body["roles"] = _roles(patch.roles)
    if not isinstance(patch.company, msgspec.UnsetType):
        body["company"] = _company_patch(patch.company)
    if not isinstance(patch.person, msgspec.UnsetType):
        body["person"] = _given(patch.person, _PERSON)
    if not isinstance(patch.addresses, msgspec.UnsetType):
        body["addresses"] = _addresses_to_lexoffice(_given(patch.addresses, _ADDRESS_KINDS))
    if not isinstance(patch.emails, msgspec.UnsetType):
        body["emailAddresses"] = _given(patch.emails, _EMAIL_KINDS)
    if not isinstance(patch.phones, msgspec.UnsetType):
        body["phoneNumbers"] = _given(patch.phones, _PHONE_KINDS)
    if not isinstance(patch.note, msgspec.UnsetType):
        body["note"] = patch.note
    if not isinstance(patch.xrechnung, msgspec.UnsetType):
        body["xRechnung"] = None if patch.xrechnung is None else _given(patch.xrechnung, _XRECHNUNG)
    if isinstance(patch.raw, msgspec.UnsetType):
        return body
    return deep_merge(body, patch.raw)


def _given(source: msgspec.Struct, names: Mapping[str, str]) -> dict[str, Any]:
    """The fields of ``source`` that are set (not ``UNSET``), under their lexoffice names."""
    return {
        upstream: value
        for name, upstream in names.items()
        if not isinstance(value := getattr(source, name), msgspec.UnsetType)
    }


def _non_empty(lists: Mapping[str, list[Any]]) -> dict[str, list[Any]]:
    """``lists`` without its empty lists (a new contact leaves out what it doesn't have)."""
    return {kind: items for kind, items in lists.items() if items}


def _roles(roles: list[RoleName]) -> dict[str, Any]:
    return {ROLES_TO_LEXOFFICE[role]: {} for role in roles}


def _company_to_lexoffice(company: CompanyInput) -> dict[str, Any]:
    body = without_none(_given(company, _COMPANY))
    if company.contact_persons:
        body["contactPersons"] = [_contact_person_to_lexoffice(person) for person in company.contact_persons]
    return body


def _company_patch(company: CompanyUpdate) -> dict[str, Any]:
    body = _given(company, _COMPANY)
    if not isinstance(company.contact_persons, msgspec.UnsetType):
        body["contactPersons"] = [_contact_person_to_lexoffice(person) for person in company.contact_persons]
    return body


def _contact_person_to_lexoffice(person: ContactPersonInput) -> dict[str, Any]:
    return without_none(_given(person, _CONTACT_PERSON))


def _addresses_to_lexoffice(addresses: Mapping[str, list[ContactAddressInput]]) -> dict[str, Any]:
    return {
        kind: [without_none(_given(address, _ADDRESS)) for address in items]
        for kind, items in addresses.items()
    }


# --- list filters ---


def contact_filter_errors(filters: ContactFilters) -> list[FieldError]:
    """The filters lexoffice cannot apply (the gateway refuses them with a 422)."""
    if filters.updated_since is None:
        return []
    reason = "not supported by connector lexoffice (it has no change-time filter for contacts)"
    return [FieldError("updated_since", reason)]


def contact_filters_to_lexoffice(filters: ContactFilters) -> dict[str, str]:
    """The lexoffice query parameters of the contact list filters (``ValueError`` for unsupported ones)."""
    if errors := contact_filter_errors(filters):
        raise ValueError("; ".join(f"{error.field}: {error.reason}" for error in errors))
    query: dict[str, str] = {}
    if filters.email is not None:
        query["email"] = search_term(filters.email)
    if filters.name is not None:
        query["name"] = search_term(filters.name)
    if filters.number is not None:
        query["number"] = str(filters.number)
    if filters.role is not None:
        query[ROLES_TO_LEXOFFICE[filters.role]] = "true"
    return query
