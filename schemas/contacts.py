"""Contacts: the customers and suppliers of the connected organization (lexoffice ``/v1/contacts``).

A contact is either a **company** (with optional contact persons) or a **person**; it has one or both
roles ``customer`` and ``supplier``, each with a number the accounting system assigns. Creating a contact
uses ``type`` to pick the shape (``{"type": "company", "company": {...}}`` or ``{"type": "person",
"person": {...}}``); an update is a JSON merge patch: objects merge field by field, lists are replaced whole.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal, TypeAlias

import msgspec

from schemas.common import Address, CountryCode, RawJson, Text
from schemas.problem import FieldError

RoleName = Literal["customer", "supplier"]
Roles = Annotated[list[RoleName], msgspec.Meta(min_length=1, max_length=2)]
Salutation = Annotated[str, msgspec.Meta(max_length=25)]
SearchTerm = Annotated[
    str, msgspec.Meta(min_length=3, description="At least 3 characters (lexoffice refuses shorter terms).")
]

# --- shared by responses and requests ---


class EmailAddresses(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """E-mail addresses by kind."""

    business: list[str] = msgspec.field(default_factory=list)
    office: list[str] = msgspec.field(default_factory=list)
    private: list[str] = msgspec.field(default_factory=list)
    other: list[str] = msgspec.field(default_factory=list)


class PhoneNumbers(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Phone numbers by kind."""

    business: list[str] = msgspec.field(default_factory=list)
    office: list[str] = msgspec.field(default_factory=list)
    mobile: list[str] = msgspec.field(default_factory=list)
    private: list[str] = msgspec.field(default_factory=list)
    fax: list[str] = msgspec.field(default_factory=list)
    other: list[str] = msgspec.field(default_factory=list)


# --- response ---


class ContactPerson(msgspec.Struct, kw_only=True):
    """A person to talk to at a company contact."""

    salutation: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    primary: bool = False
    """The primary contact person is the one printed on documents."""
    email: str | None = None
    phone: str | None = None


class Company(msgspec.Struct, kw_only=True):
    """The company details of a company contact."""

    name: str | None = None
    tax_number: str | None = None
    """The German tax number (Steuernummer)."""
    vat_id: str | None = None
    """The VAT registration id (USt-IdNr.)."""
    allow_tax_free_invoices: bool | None = None
    """Whether tax-free (e.g. intra-community) invoices may be issued to this company."""
    contact_persons: list[ContactPerson] = msgspec.field(default_factory=list)


class Person(msgspec.Struct, kw_only=True):
    """The name of a person contact."""

    salutation: str | None = None
    first_name: str | None = None
    last_name: str | None = None


class ContactAddresses(msgspec.Struct, kw_only=True):
    """Billing and shipping addresses of a contact (``name`` is never set: the contact's name applies)."""

    billing: list[Address] = msgspec.field(default_factory=list)
    shipping: list[Address] = msgspec.field(default_factory=list)


class XRechnung(msgspec.Struct, kw_only=True):
    """Data for XRechnung e-invoices to public-sector customers."""

    buyer_reference: str | None = None
    """The Leitweg-ID of the customer."""
    vendor_number_at_customer: str | None = None
    """Your supplier number at the customer."""


class Contact(msgspec.Struct, kw_only=True):
    """A customer and/or supplier of the organization."""

    id: str
    version: int
    """Incremented by every change; send it as ``If-Match`` to update strictly."""
    type: str | None
    """``company`` or ``person`` (open enum)."""
    roles: list[str]
    """``customer`` and/or ``supplier`` (open enum)."""
    customer_number: int | None = None
    """Assigned by the accounting system when the contact becomes a customer; read-only."""
    supplier_number: int | None = None
    """Assigned by the accounting system when the contact becomes a supplier; read-only."""
    name: str | None = None
    """The company name, or ``first_name last_name`` of a person."""
    company: Company | None = None
    person: Person | None = None
    addresses: ContactAddresses = msgspec.field(default_factory=ContactAddresses)
    emails: EmailAddresses = msgspec.field(default_factory=EmailAddresses)
    phones: PhoneNumbers = msgspec.field(default_factory=PhoneNumbers)
    note: str | None = None
    archived: bool = False
    xrechnung: XRechnung | None = None
    created_at: datetime | None = None
    """``null`` where the accounting system does not report it (lexoffice's contact GET does not)."""
    updated_at: datetime | None = None
    """``null`` where the accounting system does not report it (lexoffice's contact GET does not)."""
    raw: RawJson | None = None


# --- requests ---


class ContactPersonInput(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A contact person of a company contact."""

    salutation: Salutation | None = None
    first_name: str | None = None
    last_name: Text
    primary: bool = False
    """The primary contact person is the one printed on documents."""
    email: str | None = None
    phone: str | None = None


class CompanyInput(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """The company details of a new company contact."""

    name: Text
    tax_number: str | None = None
    """The German tax number (Steuernummer)."""
    vat_id: str | None = None
    """The VAT registration id (USt-IdNr.)."""
    allow_tax_free_invoices: bool | None = None
    """Whether tax-free (e.g. intra-community) invoices may be issued to this company."""
    contact_persons: list[ContactPersonInput] = msgspec.field(default_factory=list)


class PersonInput(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """The name of a new person contact."""

    salutation: Salutation | None = None
    first_name: str | None = None
    last_name: Text


class ContactAddressInput(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A billing or shipping address of a contact."""

    supplement: str | None = None
    street: str | None = None
    postal_code: str | None = None
    city: str | None = None
    country_code: CountryCode


class ContactAddressesInput(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Billing and shipping addresses of a contact."""

    billing: list[ContactAddressInput] = msgspec.field(default_factory=list)
    shipping: list[ContactAddressInput] = msgspec.field(default_factory=list)


class XRechnungInput(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """XRechnung data: a Leitweg-ID needs your supplier number at the customer as well."""

    buyer_reference: str | None = None
    """The Leitweg-ID of the customer."""
    vendor_number_at_customer: Text
    """Your supplier number at the customer."""


class ContactCreateBase(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, tag_field="type"):
    """The fields of a new contact of either type."""

    roles: Roles
    """``customer`` and/or ``supplier``."""
    addresses: ContactAddressesInput = msgspec.field(default_factory=ContactAddressesInput)
    emails: EmailAddresses = msgspec.field(default_factory=EmailAddresses)
    phones: PhoneNumbers = msgspec.field(default_factory=PhoneNumbers)
    note: str | None = None
    xrechnung: XRechnungInput | None = None
    raw: RawJson | None = None
    """Deep-merged into the upstream request body (escape hatch for fields the model lacks)."""


class CompanyContactCreate(ContactCreateBase, kw_only=True, tag="company"):
    """A new company contact (``"type": "company"``)."""

    company: CompanyInput


class PersonContactCreate(ContactCreateBase, kw_only=True, tag="person"):
    """A new person contact (``"type": "person"``)."""

    person: PersonInput


ContactCreate: TypeAlias = CompanyContactCreate | PersonContactCreate
"""A new contact; ``type`` selects the shape, so a company without ``company`` is refused at decoding."""


class CompanyUpdate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Changes to a company's details; absent fields stay, ``null`` clears."""

    name: Text | msgspec.UnsetType = msgspec.UNSET
    tax_number: str | msgspec.UnsetType | None = msgspec.UNSET
    vat_id: str | msgspec.UnsetType | None = msgspec.UNSET
    allow_tax_free_invoices: bool | msgspec.UnsetType | None = msgspec.UNSET
    contact_persons: list[ContactPersonInput] | msgspec.UnsetType = msgspec.UNSET
    """Replaces all contact persons."""


class PersonUpdate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Changes to a person's name; absent fields stay, ``null`` clears."""

    salutation: Salutation | msgspec.UnsetType | None = msgspec.UNSET
    first_name: str | msgspec.UnsetType | None = msgspec.UNSET
    last_name: Text | msgspec.UnsetType = msgspec.UNSET


class ContactAddressesUpdate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Replacement address lists; an absent list stays as it is."""

    billing: list[ContactAddressInput] | msgspec.UnsetType = msgspec.UNSET
    shipping: list[ContactAddressInput] | msgspec.UnsetType = msgspec.UNSET


class EmailAddressesUpdate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Replacement e-mail lists by kind; an absent kind stays as it is."""

    business: list[str] | msgspec.UnsetType = msgspec.UNSET
    office: list[str] | msgspec.UnsetType = msgspec.UNSET
    private: list[str] | msgspec.UnsetType = msgspec.UNSET
    other: list[str] | msgspec.UnsetType = msgspec.UNSET


class PhoneNumbersUpdate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Replacement phone lists by kind; an absent kind stays as it is."""

    business: list[str] | msgspec.UnsetType = msgspec.UNSET
    office: list[str] | msgspec.UnsetType = msgspec.UNSET
    mobile: list[str] | msgspec.UnsetType = msgspec.UNSET
    private: list[str] | msgspec.UnsetType = msgspec.UNSET
    fax: list[str] | msgspec.UnsetType = msgspec.UNSET
    other: list[str] | msgspec.UnsetType = msgspec.UNSET


class ContactUpdate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Changes to a contact (JSON merge patch): absent fields stay, ``null`` clears, lists are replaced.

    A contact keeps its type: send ``company`` changes for a company, ``person`` changes for a person.
    """

    roles: Roles | msgspec.UnsetType = msgspec.UNSET
    """Roles to **add**; roles not listed are kept (lexoffice never removes a role from a contact)."""
    company: CompanyUpdate | msgspec.UnsetType = msgspec.UNSET
    person: PersonUpdate | msgspec.UnsetType = msgspec.UNSET
    addresses: ContactAddressesUpdate | msgspec.UnsetType = msgspec.UNSET
    emails: EmailAddressesUpdate | msgspec.UnsetType = msgspec.UNSET
    phones: PhoneNumbersUpdate | msgspec.UnsetType = msgspec.UNSET
    note: str | msgspec.UnsetType | None = msgspec.UNSET
    xrechnung: XRechnungInput | msgspec.UnsetType | None = msgspec.UNSET
    """Replaces the XRechnung data; ``null`` removes it."""
    raw: RawJson | msgspec.UnsetType = msgspec.UNSET
    """Deep-merged into the upstream patch (escape hatch for fields the model lacks)."""


def validate_contact_update(patch: ContactUpdate) -> list[FieldError]:
    """The cross-field rules of an update that its struct cannot express (empty when it is valid)."""
    if patch.company is not msgspec.UNSET and patch.person is not msgspec.UNSET:
        return [FieldError("person", "a contact is a company or a person: change one of them, not both")]
    return []


# --- list filters ---


class ContactFilters(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Filters of the contact list; all given filters must match."""

    email: SearchTerm | None = None
    """Contacts with this text in one of their e-mail addresses."""
    name: SearchTerm | None = None
    """Contacts whose name contains this text."""
    number: Annotated[int, msgspec.Meta(ge=1)] | None = None
    """The contact with this customer or supplier number."""
    role: RoleName | None = None
    """Only customers, or only suppliers."""
    updated_since: datetime | None = None
    """Contacts changed since this instant (not every connector supports it: lexoffice does not)."""


class ContactMatch(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """How an upsert finds the existing contact: exactly one of these."""

    email: Annotated[str, msgspec.Meta(min_length=3, max_length=254)] | None = None
    """Any of the contact's email addresses equals this one (case-insensitive)."""
    customer_number: Annotated[int, msgspec.Meta(ge=1)] | None = None
    """The contact's customer number (the accounting system assigns them: an upsert by number only
    updates)."""
    external_id: Annotated[str, msgspec.Meta(min_length=1, max_length=200)] | None = None
    """Your own id of the contact; LedgerBridge keeps the mapping (lexoffice has no field for it)."""

    def __post_init__(self) -> None:
        given = [v for v in (self.email, self.customer_number, self.external_id) if v is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of email, customer_number, external_id")


class ContactUpsert(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """``POST /contacts/upsert``: update the contact ``match`` finds with ``contact``, or create it."""

    match: ContactMatch
    contact: ContactCreate
