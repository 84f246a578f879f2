"""Bookkeeping vouchers (``/v1/vouchers``) and voucher-list entries (``/v1/voucherlist``) <-> unified model.

Vocabulary (unknown upstream values pass through unchanged):

* ``type``: ``salesinvoice`` -> ``sales_invoice``, ``salescreditnote`` -> ``sales_credit_note``,
  ``purchaseinvoice`` -> ``purchase_invoice``, ``purchasecreditnote`` -> ``purchase_credit_note``; the voucher
  list also shows ``invoice``, ``creditnote`` -> ``credit_note``, ``downpaymentinvoice`` ->
  ``down_payment_invoice``, ``orderconfirmation`` -> ``order_confirmation``, ``quotation``,
  ``deliverynote`` -> ``delivery_note``.
* ``status``: lexoffice's words in snake_case: ``paidoff`` -> ``paid_off``, ``sepadebit`` -> ``sepa_debit``;
  ``open``, ``overdue``, ``paid``, ``voided``, ``transferred``, ``unchecked``, ``draft``, ``accepted``,
  ``rejected`` unchanged.
* ``taxType`` ``gross`` <-> ``prices_include_tax``; ``categoryId`` <-> ``ledger_account_id``;
  ``files`` <-> ``attachments``; ``useCollectiveContact`` <-> ``collective_contact``.

Voucher dates go up as plain ``yyyy-MM-dd`` (the vouchers endpoint takes no timestamps) and come back as
Europe/Berlin local-midnight timestamps, which map to their Berlin calendar date.

The gateway runs :func:`check_voucher_create` / :func:`check_voucher_update` before mapping: the mappings
assume valid input (amounts with at most two decimals, totals matching the items).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import msgspec

from connectors.lexoffice.mapping.common import (
    BERLIN,
    VOUCHER_STATUSES,
    VOUCHER_TYPES,
    decimal,
    deep_merge,
    local_date,
    parse_instant,
    search_term,
    unified_word,
    without_none,
)
from connectors.lexoffice.mapping.files import check_upload
from schemas.problem import FieldError
from schemas.vouchers import (
    Voucher,
    VoucherCreate,
    VoucherFilter,
    VoucherItem,
    VoucherItemCreate,
    VoucherSummary,
    VoucherTotals,
    VoucherUpdate,
)

BOOKKEEPING_TYPES: dict[str, str] = {
    upstream: unified
    for upstream, unified in VOUCHER_TYPES.items()
    if upstream.startswith(("sales", "purchase"))
}
"""lexoffice bookkeeping voucher types -> unified types (the types of ``/v1/vouchers``)."""
_UPSTREAM_TYPES = {unified: upstream for upstream, unified in BOOKKEEPING_TYPES.items()}
_UPSTREAM_STATUSES = {unified: upstream for upstream, unified in VOUCHER_STATUSES.items()}
_DATE_MEMBERS = ("voucherDate", "shippingDate", "dueDate")

TAX_RATES = frozenset(Decimal(rate) for rate in (0, 5, 7, 16, 19))
"""Tax rates a bookkeeping voucher may use at any date (lexoffice FAQ "Supported tax rates")."""
DESTINATION_LEDGER_ACCOUNTS = frozenset(
    {"4ebd965a-7126-416c-9d8c-a5c9366ee473", "7ecea006-844c-4c98-a02d-aa3142640dd5"}
)
"""Distance sales taxed in the destination EU country: these book the destination country's rate."""
MAX_EU_TAX_RATE = Decimal(27)
_RATE_RULE = "must be 0, 5, 7, 16 or 19 (any EU rate on a destination-principle distance-sales account)"
_CENT = Decimal("0.01")
_MAX_AMOUNT = Decimal(10) ** 12


# --- lexoffice -> unified -----------------------------------------------------------------------


def _item_from_lexoffice(item: dict[str, Any]) -> VoucherItem:
    return VoucherItem(
        amount=decimal(item.get("amount")),
        tax_amount=decimal(item.get("taxAmount")),
        tax_rate=decimal(item.get("taxRatePercent")),
        ledger_account_id=item.get("categoryId"),
    )


def voucher_from_lexoffice(data: dict[str, Any], *, include_raw: bool = False) -> Voucher:
    """A lexoffice bookkeeping voucher (``GET /v1/vouchers/{id}``, or an item of ``GET /v1/vouchers``)."""
    gross, tax = decimal(data.get("totalGrossAmount")), decimal(data.get("totalTaxAmount"))
    tax_type = data.get("taxType")
    return Voucher(
        id=data["id"],
        version=data.get("version", 0),
        type=unified_word(BOOKKEEPING_TYPES, data.get("type")),
        status=unified_word(VOUCHER_STATUSES, data.get("voucherStatus")),
        number=data.get("voucherNumber"),
        issue_date=local_date(data.get("voucherDate")),
        delivery_date=local_date(data.get("shippingDate")),
        due_date=local_date(data.get("dueDate")),
        prices_include_tax=None if tax_type is None else tax_type == "gross",
        totals=None if gross is None or tax is None else VoucherTotals(gross=gross, tax=tax),
        items=[_item_from_lexoffice(item) for item in data.get("voucherItems") or ()],
        contact_id=data.get("contactId"),
        collective_contact=bool(data.get("useCollectiveContact")),
        remark=data.get("remark"),
        attachments=list(data.get("files") or ()),
        created_at=parse_instant(data.get("createdDate")),
        updated_at=parse_instant(data.get("updatedDate")),
        raw=data if include_raw else None,
    )


def voucher_summary_from_voucherlist(data: dict[str, Any], *, include_raw: bool = False) -> VoucherSummary:
    """One ``content`` entry of ``GET /v1/voucherlist``."""
    return VoucherSummary(
        id=data["id"],
        type=unified_word(VOUCHER_TYPES, data.get("voucherType")),
        status=unified_word(VOUCHER_STATUSES, data.get("voucherStatus")),
        number=data.get("voucherNumber"),
        issue_date=local_date(data.get("voucherDate")),
        due_date=local_date(data.get("dueDate")),
        contact_id=data.get("contactId"),
        contact_name=data.get("contactName"),
        total_amount=decimal(data.get("totalAmount")),
        open_amount=decimal(data.get("openAmount")),
        currency=data.get("currency") or "EUR",
        archived=bool(data.get("archived")),
        created_at=parse_instant(data.get("createdDate")),
        updated_at=parse_instant(data.get("updatedDate")),
        raw=data if include_raw else None,
    )


# --- amounts ------------------------------------------------------------------------------------


def item_tax_amount(amount: Decimal, tax_rate: Decimal, *, prices_include_tax: bool) -> Decimal:
    """The tax in an amount: ``amount × r / (100 + r)`` when gross, ``amount × r / 100`` when net,
    rounded half up to cents (1000.00 gross at 19 % -> 159.66)."""
    base = Decimal(100) + tax_rate if prices_include_tax else Decimal(100)
    return (amount * tax_rate / base).quantize(_CENT, rounding=ROUND_HALF_UP)


def _tax(item: VoucherItemCreate, prices_include_tax: bool) -> Decimal:
    if item.tax_amount is not None:
        return item.tax_amount
    return item_tax_amount(item.amount, item.tax_rate, prices_include_tax=prices_include_tax)


def voucher_totals(items: Iterable[VoucherItemCreate], *, prices_include_tax: bool) -> VoucherTotals:
    """The totals the items add up to (missing tax amounts computed with :func:`item_tax_amount`)."""
    amounts, taxes = Decimal(0), Decimal(0)
    for item in items:
        amounts += item.amount
        taxes += _tax(item, prices_include_tax)
    gross = amounts if prices_include_tax else amounts + taxes
    return VoucherTotals(gross=gross.quantize(_CENT), tax=taxes.quantize(_CENT))


# --- validation ---------------------------------------------------------------------------------


def _is_cents(value: Decimal) -> bool:
    return value.is_finite() and 0 <= value < _MAX_AMOUNT and value == value.quantize(_CENT)


def _rate_ok(item: VoucherItemCreate) -> bool:
    rate = item.tax_rate
    if rate in TAX_RATES:
        return True
    destination = item.ledger_account_id.lower() in DESTINATION_LEDGER_ACCOUNTS
    return destination and rate.is_finite() and 0 <= rate <= MAX_EU_TAX_RATE and rate == rate.quantize(_CENT)


def _check_items(items: list[VoucherItemCreate]) -> list[FieldError]:
    errors: list[FieldError] = []
    for index, item in enumerate(items):
        path = f"items[{index}]"
        for name, value in (("amount", item.amount), ("tax_amount", item.tax_amount)):
            if value is not None and not _is_cents(value):
                errors.append(FieldError(f"{path}.{name}", "must be a non-negative amount with two decimals"))
        if not _rate_ok(item):
            errors.append(FieldError(f"{path}.tax_rate", _RATE_RULE))
    return errors


def _check_totals(
    totals: VoucherTotals | None, items: list[VoucherItemCreate], prices_include_tax: bool
) -> list[FieldError]:
    if totals is None:
        return []
    expected = voucher_totals(items, prices_include_tax=prices_include_tax)
    return [
        FieldError(f"totals.{name}", f"must equal the sum of the items ({want})")
        for name, given, want in (("gross", totals.gross, expected.gross), ("tax", totals.tax, expected.tax))
        if given != want
    ]


def check_voucher_create(req: VoucherCreate) -> list[FieldError]:
    """What the gateway refuses in a new voucher (422) before it reaches lexoffice."""
    errors = _check_items(req.items)
    if not errors:
        errors = _check_totals(req.totals, req.items, req.prices_include_tax)
    if req.collective_contact and req.contact_id is not None:
        errors.append(FieldError("contact_id", "must be omitted when collective_contact is true"))
    if not req.collective_contact and req.contact_id is None:
        errors.append(FieldError("contact_id", "is required unless collective_contact is true"))
    for index, receipt in enumerate(req.receipts):
        problems = check_upload(receipt.filename, receipt.media_type, len(receipt.content))
        errors += [FieldError(f"receipts[{index}]", problem.reason) for problem in problems]
    return errors


def check_voucher_update(patch: VoucherUpdate) -> list[FieldError]:
    """What the gateway refuses in a voucher update (422) before it reaches lexoffice."""
    errors: list[FieldError] = []
    items, mode = patch.items, patch.prices_include_tax
    if isinstance(items, list) and isinstance(mode, bool):
        errors = _check_items(items)
        if not errors and isinstance(patch.totals, VoucherTotals):
            errors = _check_totals(patch.totals, items, mode)
    elif items is not msgspec.UNSET:
        errors.append(FieldError("prices_include_tax", "is required when items change"))
    elif mode is not msgspec.UNSET:
        errors.append(FieldError("items", "are required when prices_include_tax changes"))
    elif patch.totals is not msgspec.UNSET:
        errors.append(FieldError("totals", "can only change together with items"))
    if patch.collective_contact is False:
        errors.append(FieldError("collective_contact", "set contact_id to book on a contact"))
    elif patch.collective_contact is True and patch.contact_id is not msgspec.UNSET:
        errors.append(FieldError("contact_id", "must be omitted when collective_contact is true"))
    return errors


# --- unified -> lexoffice -----------------------------------------------------------------------


def _items_to_lexoffice(items: list[VoucherItemCreate], prices_include_tax: bool) -> list[dict[str, Any]]:
    return [
        {
            "amount": item.amount.quantize(_CENT),
            "taxAmount": _tax(item, prices_include_tax).quantize(_CENT),
            "taxRatePercent": item.tax_rate,
            "categoryId": item.ledger_account_id,
        }
        for item in items
    ]


def _amounts_to_lexoffice(
    items: list[VoucherItemCreate], prices_include_tax: bool, totals: VoucherTotals | None
) -> dict[str, Any]:
    """The interdependent members: totals (computed when not given), taxType and the items."""
    totals = totals or voucher_totals(items, prices_include_tax=prices_include_tax)
    return {
        "totalGrossAmount": totals.gross.quantize(_CENT),
        "totalTaxAmount": totals.tax.quantize(_CENT),
        "taxType": "gross" if prices_include_tax else "net",
    }


def voucher_to_lexoffice(req: VoucherCreate) -> dict[str, Any]:
    """The ``POST /v1/vouchers`` body (dates as ``yyyy-MM-dd``; ``files`` only when attachments are given)."""
    body = without_none(
        {
            "type": _UPSTREAM_TYPES[req.type],
            "voucherNumber": req.number,
            "voucherDate": req.issue_date.isoformat(),
            "shippingDate": req.delivery_date and req.delivery_date.isoformat(),
            "dueDate": req.due_date and req.due_date.isoformat(),
            **_amounts_to_lexoffice(req.items, req.prices_include_tax, req.totals),
            "useCollectiveContact": req.collective_contact,
            "contactId": None if req.collective_contact else req.contact_id,
            "remark": req.remark,
            "voucherItems": _items_to_lexoffice(req.items, req.prices_include_tax),
            "files": req.attachments,
            "version": 0,
        }
    )
    return deep_merge(body, req.raw) if req.raw else body


def voucher_patch_to_lexoffice(patch: VoucherUpdate) -> dict[str, Any]:
    """The upstream members a (checked) update sets, as a JSON Merge Patch (``None`` deletes a member).

    ``files`` appears only when the update sets ``attachments``: lexoffice permanently deletes every
    receipt whose id a PUT leaves out, so the current list must otherwise travel back unchanged.
    """
    body: dict[str, Any] = {}
    if not isinstance(patch.type, msgspec.UnsetType):
        body["type"] = _UPSTREAM_TYPES[patch.type]
    if not isinstance(patch.number, msgspec.UnsetType):
        body["voucherNumber"] = patch.number
    for member, day in (
        ("voucherDate", patch.issue_date),
        ("shippingDate", patch.delivery_date),
        ("dueDate", patch.due_date),
    ):
        if not isinstance(day, msgspec.UnsetType):
            body[member] = day and day.isoformat()
    if isinstance(patch.items, list) and isinstance(patch.prices_include_tax, bool):
        totals = patch.totals if isinstance(patch.totals, VoucherTotals) else None
        body |= _amounts_to_lexoffice(patch.items, patch.prices_include_tax, totals)
        body["voucherItems"] = _items_to_lexoffice(patch.items, patch.prices_include_tax)
    if not isinstance(patch.contact_id, msgspec.UnsetType):
        body |= {"useCollectiveContact": False, "contactId": patch.contact_id}
    elif patch.collective_contact is True:
        body |= {"useCollectiveContact": True, "contactId": None}
    if not isinstance(patch.remark, msgspec.UnsetType):
        body["remark"] = patch.remark
    if not isinstance(patch.attachments, msgspec.UnsetType):
        body["files"] = list(patch.attachments)
    return deep_merge(body, patch.raw) if not isinstance(patch.raw, msgspec.UnsetType) else body


def voucher_put_dates(body: dict[str, Any]) -> dict[str, Any]:
    """``body`` (a voucher as GET returns it) with its dates as the plain ``yyyy-MM-dd`` a PUT takes.

    For the locking engine: it PUTs the GET body with a patch applied, and lexoffice documents voucher
    dates on input as ``yyyy-MM-dd`` only.
    """
    dates = {member: local_date(body[member]) for member in _DATE_MEMBERS if body.get(member)}
    return body | {member: day.isoformat() for member, day in dates.items() if day is not None}


# --- list filters -------------------------------------------------------------------------------


def voucher_number_query(number: str) -> dict[str, str]:
    """Query of ``GET /v1/vouchers``: the full vouchers whose number equals ``number`` (e.g. to find out
    whether a create that timed out was performed)."""
    return {"voucherNumber": search_term(number)}


def voucherlist_query(filters: VoucherFilter) -> dict[str, str]:
    """Query of ``GET /v1/voucherlist`` (without paging).

    lexoffice applies ``type``, ``status`` (its ``open`` includes overdue vouchers), ``contact_id``,
    ``number`` and the issue-date range exactly. ``updated_since`` it applies by Europe/Berlin day only
    (``updatedDateFrom``): the gateway must also apply :func:`voucher_summary_matches`.
    """
    types = [_UPSTREAM_TYPES[kind] for kind in filters.type or ()] or list(BOOKKEEPING_TYPES)
    since = filters.updated_since
    query = {
        "voucherType": ",".join(types),
        "voucherStatus": ",".join(_UPSTREAM_STATUSES.get(s, s) for s in filters.status or ()) or "any",
        "contactId": filters.contact_id,
        "voucherNumber": filters.number and search_term(filters.number),
        "voucherDateFrom": filters.issued_from and filters.issued_from.isoformat(),
        "voucherDateTo": filters.issued_to and filters.issued_to.isoformat(),
        "updatedDateFrom": since and since.astimezone(BERLIN).date().isoformat(),
    }
    return {key: value for key, value in query.items() if value}


def voucher_summary_matches(summary: VoucherSummary, filters: VoucherFilter) -> bool:
    """The filter the gateway applies itself to voucher-list entries: ``updated_since`` to the instant."""
    since = filters.updated_since
    return since is None or (summary.updated_at is not None and summary.updated_at >= since)
