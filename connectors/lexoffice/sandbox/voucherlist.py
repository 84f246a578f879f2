"""``GET /v1/voucherlist``: the meta data of every voucher of the organization, filtered, sorted, paged.

Sources are bookkeeping vouchers and every sales document kind of ``sales.KINDS`` the voucherlist
shows (:data:`LISTED_COLLECTIONS`), so a new document kind is listed as soon as it is added there.
``overdue`` is derived (open/sepadebit with a dueDate before today, Europe/Berlin), and the ``open``
filter includes overdue vouchers (they are open; see the documentation's sample).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from litestar import Request, Response, get

from .clock import berlin_date, parse_date, parse_timestamp
from .errors import bad_request
from .payments import open_amount
from .sales import KINDS
from .state import Organization, Record
from .vouchers import PURCHASE_TYPES, VOUCHER_TYPES, VOUCHERS, search_value
from .web import json_response, organization, page_envelope, paging, sort_param, sort_spec

LIST_TYPES = (
    *VOUCHER_TYPES,
    "invoice",
    "downpaymentinvoice",
    "creditnote",
    "orderconfirmation",
    "quotation",
    "deliverynote",
)
LIST_STATUSES = (
    "draft",
    "open",
    "overdue",
    "paid",
    "paidoff",
    "voided",
    "transferred",
    "sepadebit",
    "accepted",
    "rejected",
    "unchecked",
)
# collection -> voucherType of its records (None: the record's own ``type``, bookkeeping vouchers).
# Sales kinds come from the one table sales.KINDS; kinds the voucherlist does not show (dunnings) drop out.
LISTED_COLLECTIONS: dict[str, str | None] = {
    VOUCHERS: None,
    **{kind.collection: kind.voucher_type for kind in KINDS if kind.voucher_type in LIST_TYPES},
}
SORT_PROPERTIES = ("voucherDate", "voucherNumber", "createdDate", "updatedDate")
DEFAULT_SORT = "voucherDate,DESC"
REACHABLE = 10_000  # lexoffice only serves the first 10,000 matches of a query
_OVERDUE_FROM = ("open", "sepadebit")
_DATE_FILTERS = ("voucherDate", "createdDate", "updatedDate")
_COLLECTIVE_NAMES = {"customer": "Sammelkunde", "vendor": "Sammellieferant"}


def _instant(value: str | None) -> datetime | None:
    return parse_timestamp(value) if value else None


def _contact_name(org: Organization, contact_id: str | None, voucher_type: str) -> str | None:
    if contact_id is None:
        return _COLLECTIVE_NAMES["vendor" if voucher_type in PURCHASE_TYPES else "customer"]
    contact = org.get("contacts", contact_id) or {}
    if "company" in contact:
        name: str | None = contact["company"].get("name")
        return name
    person = contact.get("person") or {}
    return ", ".join(part for part in (person.get("lastName"), person.get("firstName")) if part) or None


def _status(org: Organization, record: Record) -> str:
    """The workflow status, with ``overdue`` derived from the due date."""
    status: str = record["voucherStatus"]
    due = _instant(record.get("dueDate"))
    if status in _OVERDUE_FROM and due is not None and berlin_date(due) < org.clock.today():
        return "overdue"
    return status


class Entry:
    """One listed voucher: its record, type and derived status (projected only when on the page)."""

    def __init__(self, org: Organization, record: Record, voucher_type: str) -> None:
        self.record = record
        self.voucher_type = voucher_type
        self.status = _status(org, record)
        if voucher_type in VOUCHER_TYPES:
            self.contact_id: str | None = record.get("contactId")
            self.total: Any = record.get("totalGrossAmount")
        else:
            self.contact_id = (record.get("address") or {}).get("contactId")
            self.total = (record.get("totalPrice") or {}).get("totalGrossAmount")

    def day(self, name: str) -> date | None:
        """The Europe/Berlin calendar day of one of the record's timestamps."""
        instant = _instant(self.record.get(name))
        return berlin_date(instant) if instant else None

    def item(self, org: Organization) -> Record:
        record = self.record
        if self.voucher_type in VOUCHER_TYPES:
            name = _contact_name(org, self.contact_id, self.voucher_type)
        else:
            name = (record.get("address") or {}).get("name")
        return {
            "id": record["id"],
            "voucherType": self.voucher_type,
            "voucherStatus": self.status,
            "voucherNumber": record.get("voucherNumber"),
            "voucherDate": record.get("voucherDate"),
            "createdDate": record["createdDate"],
            "updatedDate": record["updatedDate"],
            "dueDate": record.get("dueDate"),
            "contactId": self.contact_id,
            "contactName": name,
            "totalAmount": self.total,
            "openAmount": open_amount(org, record),
            "currency": (record.get("totalPrice") or {}).get("currency", "EUR"),
            "archived": bool(record.get("archived", False)),
        }


# --- query parameters ---------------------------------------------------------------------------


def _choice(request: Request[Any, Any, Any], name: str, allowed: tuple[str, ...]) -> frozenset[str]:
    """A mandatory comma list of ``allowed`` values, or ``any``."""
    raw = request.query_params.get(name)
    if not raw:
        raise bad_request(f"{name} is required (a comma-separated list or 'any')", name)
    values = {value.strip() for value in raw.split(",")}
    if "any" in values:
        return frozenset(allowed)
    unknown = sorted(values - set(allowed))
    if unknown:
        raise bad_request(f"unknown {name}: {', '.join(unknown)}", name)
    return frozenset(values)


def _day(request: Request[Any, Any, Any], name: str) -> date | None:
    raw = request.query_params.get(name)
    if raw is None:
        return None
    try:
        return parse_date(raw)
    except ValueError:
        raise bad_request(f"{name} must be a date of the form yyyy-MM-dd", name) from None


def _filters(request: Request[Any, Any, Any]) -> list[Callable[[Entry], bool]]:
    """Predicates for the optional filters (dates compare Europe/Berlin calendar days, inclusive)."""
    query = request.query_params
    checks: list[Callable[[Entry], bool]] = []
    if "archived" in query:
        flag = query["archived"].lower()
        if flag not in ("true", "false"):
            raise bad_request("archived must be true or false", "archived")
        checks.append(lambda e: bool(e.record.get("archived", False)) == (flag == "true"))
    if "contactId" in query:
        try:
            contact_id = str(uuid.UUID(query["contactId"]))
        except ValueError:
            raise bad_request("contactId must be a uuid", "contactId") from None
        checks.append(lambda e: e.contact_id == contact_id)
    if "voucherNumber" in query:
        number = search_value(query["voucherNumber"])
        checks.append(lambda e: e.record.get("voucherNumber") == number)
    for prop in _DATE_FILTERS:
        since, until = _day(request, f"{prop}From"), _day(request, f"{prop}To")
        if since or until:
            checks.append(_between(prop, since, until))
    return checks


def _between(prop: str, since: date | None, until: date | None) -> Callable[[Entry], bool]:
    def check(entry: Entry) -> bool:
        day = entry.day(prop)
        return day is not None and (since is None or since <= day) and (until is None or day <= until)

    return check


def _sort_key(prop: str) -> Callable[[Entry], tuple[Any, ...]]:
    """Nulls last ascending (first descending), then createdDate and id for a stable order."""

    def key(entry: Entry) -> tuple[Any, ...]:
        raw = entry.record.get(prop)
        value = raw if prop == "voucherNumber" or raw is None else parse_timestamp(raw)
        return (value is None, value or "", parse_timestamp(entry.record["createdDate"]), entry.record["id"])

    return key


# --- route --------------------------------------------------------------------------------------


def _entries(org: Organization, types: frozenset[str]) -> list[Entry]:
    """Every listed voucher of the given types."""
    found = []
    for collection, fixed_type in LISTED_COLLECTIONS.items():
        for record in org.collection(collection).values():
            voucher_type = fixed_type or record["type"]
            if voucher_type in types:
                found.append(Entry(org, record, voucher_type))
    return found


def _matches_status(entry: Entry, statuses: frozenset[str]) -> bool:
    return entry.status in statuses or entry.record["voucherStatus"] in statuses


@get("/v1/voucherlist", sync_to_thread=False)
def voucherlist(request: Request[Any, Any, Any]) -> Response[bytes]:
    org = organization(request)
    types = _choice(request, "voucherType", LIST_TYPES)
    statuses = _choice(request, "voucherStatus", LIST_STATUSES)
    checks = _filters(request)
    prop, direction = sort_param(request, SORT_PROPERTIES, DEFAULT_SORT)
    page, size = paging(request)
    found = [e for e in _entries(org, types) if _matches_status(e, statuses) and all(c(e) for c in checks)]
    found.sort(key=_sort_key(prop), reverse=direction == "DESC")
    envelope = page_envelope(found, page, size, sort_spec(prop.lower(), direction), window=REACHABLE)
    envelope["content"] = [entry.item(org) for entry in envelope["content"]]
    return json_response(envelope)


ROUTES = [voucherlist]
