"""Conversions every lexoffice mapping module shares: dates, instants, decimals, raw merges."""

from __future__ import annotations

import html
from collections.abc import Mapping
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")

VOUCHER_TYPES: Mapping[str, str] = {
    "invoice": "invoice",
    "creditnote": "credit_note",
    "downpaymentinvoice": "down_payment_invoice",
    "quotation": "quote",
    "orderconfirmation": "sales_order",
    "deliverynote": "delivery_note",
    "salesinvoice": "sales_invoice",
    "salescreditnote": "sales_credit_note",
    "purchaseinvoice": "purchase_invoice",
    "purchasecreditnote": "purchase_credit_note",
}
"""lexoffice voucherType -> unified document type (the one vocabulary of every family)."""

VOUCHER_STATUSES: Mapping[str, str] = {"paidoff": "paid_off", "sepadebit": "sepa_debit"}
"""lexoffice voucherStatus words that change in the unified model; the others are the same."""


def unified_word(vocabulary: Mapping[str, str], value: str | None) -> str | None:
    """The unified word for an upstream enum value; unknown values pass through unchanged (open enums)."""
    return None if value is None else vocabulary.get(value, value)


def upstream_word(vocabulary: Mapping[str, str], value: str) -> str:
    """The upstream word for a unified enum value (the inverse of :func:`unified_word`)."""
    return next((upstream for upstream, unified in vocabulary.items() if unified == value), value)


def search_term(text: str) -> str:
    """A search value as lexoffice matches it: ``& < >`` HTML-entity-encoded (the URL encoding follows)."""
    return html.escape(text, quote=False)


def local_date(timestamp: str | None) -> date | None:
    """The Europe/Berlin calendar date of a lexoffice timestamp (``2023-06-28T00:00:00.000+02:00`` ->
    2023-06-28), converted through Berlin local time and never through UTC. A plain ``yyyy-MM-dd`` (as
    bookkeeping vouchers take) is that date."""
    if timestamp is None:
        return None
    if len(timestamp) == len("yyyy-MM-dd"):
        return date.fromisoformat(timestamp)
    return datetime.fromisoformat(timestamp.replace("Z", "+00:00")).astimezone(BERLIN).date()


def local_midnight(day: date | None) -> str | None:
    """A calendar date as lexoffice's timestamp of local midnight in Europe/Berlin (offset of that day)."""
    if day is None:
        return None
    return format_instant(datetime.combine(day, time(0), tzinfo=BERLIN))


def parse_instant(timestamp: str | None) -> datetime | None:
    """A lexoffice timestamp as an aware ``datetime``."""
    if timestamp is None:
        return None
    return datetime.fromisoformat(timestamp.replace("Z", "+00:00"))


def format_instant(instant: datetime) -> str:
    """An aware instant in the only form lexoffice accepts: ``yyyy-MM-ddTHH:mm:ss.SSSXXX`` (Berlin offset)."""
    if instant.tzinfo is None:
        raise ValueError("instants must be timezone-aware")
    return instant.astimezone(BERLIN).isoformat(timespec="milliseconds")


def decimal(value: Any) -> Decimal | None:
    """An upstream number (int, Decimal, float or numeric string) as an exact ``Decimal``."""
    if value is None:
        return None
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)


def deep_merge(base: Mapping[str, Any], overlay: Mapping[str, Any]) -> dict[str, Any]:
    """``overlay`` merged into a copy of ``base``: objects merge key by key, anything else replaces.

    Used for the ``raw`` escape hatch: a client's ``raw`` object is merged over the mapped upstream payload.
    """
    merged = dict(base)
    for key, value in overlay.items():
        current = merged.get(key)
        if isinstance(current, Mapping) and isinstance(value, Mapping):
            merged[key] = deep_merge(current, value)
        else:
            merged[key] = value
    return merged


def without_none(data: Mapping[str, Any]) -> dict[str, Any]:
    """``data`` without keys whose value is ``None`` (lexoffice treats absent and null alike on input)."""
    return {key: value for key, value in data.items() if value is not None}
