"""Reference data of the connected organization: countries, ledger accounts, payment terms, tax rates and
the company profile. All read-only."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import msgspec

from schemas.common import RawJson


class Country(msgspec.Struct, kw_only=True):
    """A country the accounting system accepts in addresses, with its VAT classification."""

    code: str
    """ISO 3166-1 alpha-2 (lexoffice adds ``ES_CN`` Canary Islands and ``GR_69`` Mount Athos)."""
    name_de: str | None = None
    name_en: str | None = None
    tax_classification: str | None = None
    """Seen from the organization: ``domestic``, ``eu`` (intra-community supplies possible) or
    ``third_country`` (open enum; an unknown upstream value passes through unchanged)."""
    raw: RawJson | None = None


class LedgerAccount(msgspec.Struct, kw_only=True):
    """An account (lexoffice: posting category) that bookkeeping voucher items are booked to."""

    id: str
    name: str | None = None
    type: str | None = None
    """``income`` (sales vouchers) or ``expense`` (purchase vouchers); open enum."""
    contact_required: bool = False
    """Vouchers booked to this account must reference a contact."""
    split_allowed: bool = False
    """Vouchers booked to this account may have items with different tax rates."""
    group_name: str | None = None
    raw: RawJson | None = None


class PaymentDiscount(msgspec.Struct, kw_only=True):
    """An early-payment discount (Skonto)."""

    percentage: Decimal
    days: int
    """The discount applies when paid within this many days."""


class PaymentTerm(msgspec.Struct, kw_only=True):
    """A payment term the organization has set up (lexoffice: payment condition)."""

    id: str
    label_template: str | None = None
    """The printed text; the upstream's placeholders (``{paymentRange}``, ``{discount}``,
    ``{discountRange}``) are filled in on documents."""
    due_days: int | None = None
    """Days from the voucher date until payment is due."""
    discount: PaymentDiscount | None = None
    default: bool = False
    """The organization's default term (exactly one is)."""
    raw: RawJson | None = None


class TaxRate(msgspec.Struct, kw_only=True):
    """A VAT rate and when it may be used (a fixed table: lexoffice has no tax-rate endpoint, so no ``raw``).

    A rate may appear more than once with different validity windows or uses.
    """

    rate: Decimal
    """In percent (``19`` = 19 %)."""
    label: str
    valid_from: date | None = None
    """First day the rate may be used (``null``: no lower bound)."""
    valid_to: date | None = None
    """Last day the rate may be used (``null``: no upper bound)."""
    applies_to: list[str]
    """``sales`` (invoices, credit notes, quotations, ...: by the document's date) and/or ``bookkeeping``
    (bookkeeping vouchers)."""


class UserRef(msgspec.Struct, kw_only=True):
    """A user of the accounting system."""

    user_id: str | None = None
    user_name: str | None = None
    user_email: str | None = None


class CompanyInfo(msgspec.Struct, kw_only=True):
    """The connected organization's company profile."""

    organization_id: str
    company_name: str | None = None
    tax_type: str | None = None
    """How the organization invoices by default: ``net``, ``gross`` or ``vat_free`` (open enum)."""
    small_business: bool | None = None
    """A small business under §19 UStG (Kleinunternehmer): no VAT on invoices."""
    distance_sales_principle: str | None = None
    """EU distance sales taxed at ``origin`` or ``destination`` (open enum); ``null`` when not set."""
    business_features: list[str] = msgspec.field(default_factory=list)
    """Booked feature sets, e.g. ``invoicing``, ``invoicing_pro``, ``bookkeeping`` (upstream values,
    lower-cased; open enum)."""
    connection_id: str | None = None
    """The id of this API connection at the upstream."""
    created_by: UserRef | None = None
    """Who created the organization."""
    created_at: datetime | None = None
    raw: RawJson | None = None
