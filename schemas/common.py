"""Types shared by every resource family of the unified accounting model.

Conventions (see DESIGN.md, "Unified REST API conventions"):

* JSON field names are ``snake_case``; ids are the upstream's ids, unchanged (lexoffice UUIDs).
* Money is ``decimal.Decimal`` — never float. On the wire amounts are JSON **strings** with the exact digits
  (``"119.00"``) so that no client parser rounds them; requests accept strings or numbers. Every object that
  carries amounts also carries its ``currency`` (ISO 4217).
* Calendar dates are ``datetime.date`` (``YYYY-MM-DD``); instants are timezone-aware ``datetime``
  (RFC 3339). lexoffice's local-midnight voucher dates become the Europe/Berlin calendar date, never via UTC.
* Enums in **responses** are open: a plain ``str`` whose known values are listed in the field's docstring, so
  a value the upstream adds later passes through instead of breaking clients. Enums in **requests** are closed
  (``Literal``), so a typo is a 422 naming the field.
* ``raw`` carries the upstream JSON verbatim when the client asks ``?include_raw=true``; on writes, a ``raw``
  object is deep-merged into the upstream payload (the escape hatch for fields the model lacks).
* Update requests use ``msgspec.UNSET`` defaults: a field that is absent is left alone, ``null`` clears it.
"""

from __future__ import annotations

from typing import Annotated, Any, Generic, TypeVar

import msgspec

T = TypeVar("T")

RawJson = dict[str, Any]
"""The upstream's JSON object for a resource, verbatim."""

Uuid = Annotated[
    str,
    msgspec.Meta(pattern=r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"),
]
"""A UUID in its canonical text form (lexoffice's ids)."""

CountryCode = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^[A-Z]{2}(_[A-Z0-9]{2})?$",
        description="ISO 3166-1 alpha-2, or lexoffice's tax-region codes `ES_CN` and `GR_69`",
    ),
]

Text = Annotated[str, msgspec.Meta(min_length=1, pattern=r"\S")]
"""A text that is not blank."""


class Address(msgspec.Struct, kw_only=True, omit_defaults=True):
    """A postal address."""

    name: str | None = None
    """Addressee (documents only; a contact's name lives on the contact)."""
    supplement: str | None = None
    street: str | None = None
    postal_code: str | None = None
    city: str | None = None
    country_code: str | None = None
    """ISO 3166-1 alpha-2 (lexoffice adds ``ES_CN`` Canary Islands and ``GR_69`` Mount Athos)."""


class Page(msgspec.Struct, Generic[T], kw_only=True):
    """One page of a list: ``next_cursor`` is ``null`` on the last page."""

    data: list[T]
    next_cursor: str | None = None


class Deleted(msgspec.Struct, kw_only=True):
    """Answer of a successful DELETE."""

    id: str
    deleted: bool = True
