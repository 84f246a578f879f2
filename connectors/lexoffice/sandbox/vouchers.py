"""Bookkeeping vouchers (``/v1/vouchers``): sales vouchers are read/write, purchase vouchers read-only.

A voucher's positions are grouped by tax rate and booked on posting categories; the client supplies
all amounts and the sandbox checks they add up (to the cent) the way lexoffice does. Dates are sent as
``yyyy-MM-dd`` and stored/returned as Europe/Berlin local midnight. Errors use the legacy format.

The control route ``POST /_sandbox/organizations/{id}/vouchers`` stores any voucher type (purchase
vouchers are created by users in the lexoffice app, never through the API).
"""

from __future__ import annotations

import html
import uuid
from decimal import Decimal, InvalidOperation
from typing import Any

from litestar import Request, Response, get, post, put
from litestar.params import FromPath

from .amounts import quantize2
from .catalog import POSTING_CATEGORY_BY_ID
from .clock import berlin_date, format_timestamp, local_midnight, parse_date, parse_timestamp
from .errors import ApiError, bad_request, conflict, missing, not_found, validation_error
from .files import delete_file, is_unassigned_upload, receive_voucher_file, store_upload
from .state import Organization, Record
from .web import action_result, json_body, json_response, organization, page_envelope, paging, sandbox_state

VOUCHERS = "vouchers"
SALES_TYPES = ("salesinvoice", "salescreditnote")
PURCHASE_TYPES = ("purchaseinvoice", "purchasecreditnote")
VOUCHER_TYPES = SALES_TYPES + PURCHASE_TYPES
STATUSES = ("open", "paid", "paidoff", "voided", "transferred", "sepadebit", "unchecked")
TAX_TYPES = ("net", "gross")
TAX_RATES = frozenset(Decimal(r) for r in (0, 5, 7, 16, 19))
# destination-principle categories book the destination country's VAT rate (any EU rate)
_MAX_EU_RATE = Decimal(27)
_ORIGIN_CATEGORIES = frozenset(
    {"7c112b66-0565-479c-bc18-5845e080880a", "d73b880f-c24a-41ea-a862-18d90e1c3d82"}
)
_DESTINATION_CATEGORIES = frozenset(
    {"4ebd965a-7126-416c-9d8c-a5c9366ee473", "7ecea006-844c-4c98-a02d-aa3142640dd5"}
)
_CENT = Decimal("0.01")
_TAX_TOLERANCE = _CENT
_LIMIT = Decimal(10) ** 12


def search_value(raw: str) -> str:
    """A search query value as lexoffice compares it: ``&amp; &lt; &gt;`` stand for ``& < >``."""
    return html.unescape(raw)


# --- validation ---------------------------------------------------------------------------------


def _optional_text(data: dict[str, Any], name: str) -> str | None:
    value = data.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise validation_error(name, "must be a string")
    return value


def _text(data: dict[str, Any], name: str) -> str:
    value = _optional_text(data, name)
    if value is None:
        raise missing(name)
    return value


def _date(data: dict[str, Any], name: str, *, required: bool) -> str | None:
    """A ``yyyy-MM-dd`` date (a full lexoffice timestamp, as GET returns it, names its Berlin date),
    stored as Berlin local midnight."""
    value = data.get(name)
    if value is None or value == "":
        if required:
            raise missing(name)
        return None
    try:
        day = parse_date(value)
    except ValueError:
        try:
            day = berlin_date(parse_timestamp(value))
        except ValueError:
            raise validation_error(name, "must be a date of the form yyyy-MM-dd") from None
    return format_timestamp(local_midnight(day))


def _amount(value: Any, name: str) -> Decimal:
    """A non-negative JSON number with at most two decimals."""
    if value is None:
        raise missing(name)
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise validation_error(name, "must be a number")
    try:
        amount = Decimal(value)
        exact = amount == amount.quantize(_CENT)
    except InvalidOperation:
        exact = False
    if not exact or not 0 <= amount < _LIMIT:
        raise validation_error(name, "must be a non-negative amount with at most two decimals (##.00)")
    return amount


def _expected_tax(amount: Decimal, rate: Decimal, tax_type: str) -> Decimal:
    base = rate + 100 if tax_type == "gross" else Decimal(100)
    return quantize2(amount * rate / base)


def _category(org: Organization, item: dict[str, Any], path: str, voucher_type: str) -> dict[str, Any]:
    category_id = item.get("categoryId")
    if category_id is None or category_id == "":
        raise missing(f"{path}.categoryId")
    category = POSTING_CATEGORY_BY_ID.get(category_id) if isinstance(category_id, str) else None
    if category is None:
        raise validation_error(f"{path}.categoryId", "unknown posting category")
    wanted = "income" if voucher_type in SALES_TYPES else "outgo"
    if category["type"] != wanted:
        raise validation_error(
            f"{path}.categoryId", f"category of type {category['type']} cannot be used for {voucher_type}"
        )
    wrong_pair = _DESTINATION_CATEGORIES if org.distance_sales_principle == "ORIGIN" else _ORIGIN_CATEGORIES
    if category_id in wrong_pair:
        raise validation_error(
            f"{path}.categoryId",
            f"category does not match the distanceSalesPrinciple {org.distance_sales_principle}",
        )
    return category


def _items(
    org: Organization, data: dict[str, Any], voucher_type: str, tax_type: str
) -> tuple[list[Record], list[dict[str, Any]]]:
    """The checked voucher items and their posting categories."""
    raw = data.get("voucherItems")
    if not raw:
        raise missing("voucherItems")
    if not isinstance(raw, list):
        raise validation_error("voucherItems", "must be a list")
    items: list[Record] = []
    categories: list[dict[str, Any]] = []
    for index, item in enumerate(raw):
        path = f"voucherItems[{index}]"
        if not isinstance(item, dict):
            raise validation_error(path, "must be an object")
        amount = _amount(item.get("amount"), f"{path}.amount")
        tax = _amount(item.get("taxAmount"), f"{path}.taxAmount")
        rate = item.get("taxRatePercent")
        if rate is None:
            raise missing(f"{path}.taxRatePercent")
        category = _category(org, item, path, voucher_type)
        rate_ok = (
            not isinstance(rate, bool)
            and isinstance(rate, int | Decimal)
            and (
                Decimal(rate) in TAX_RATES
                or (category["id"] in _DESTINATION_CATEGORIES and 0 <= rate <= _MAX_EU_RATE)
            )
        )
        if not rate_ok:
            raise validation_error(f"{path}.taxRatePercent", "unsupported tax rate (0, 5, 7, 16 or 19)")
        if abs(tax - _expected_tax(amount, Decimal(rate), tax_type)) > _TAX_TOLERANCE:
            raise validation_error(f"{path}.taxAmount", f"does not match {rate} % of the {tax_type} amount")
        items.append(
            {
                "amount": item["amount"],
                "taxAmount": item["taxAmount"],
                "taxRatePercent": rate,
                "categoryId": category["id"],
            }
        )
        categories.append(category)
    rates = {Decimal(i["taxRatePercent"]) for i in items}
    for index, category in enumerate(categories):
        if not category["splitAllowed"] and len(rates) > 1:
            raise validation_error(
                f"voucherItems[{index}].categoryId", "category does not allow items with different tax rates"
            )
    return items, categories


def _check_totals(data: dict[str, Any], items: list[Record], tax_type: str) -> None:
    gross = _amount(data.get("totalGrossAmount"), "totalGrossAmount")
    tax = _amount(data.get("totalTaxAmount"), "totalTaxAmount")
    amounts = sum((Decimal(i["amount"]) for i in items), Decimal(0))
    taxes = sum((Decimal(i["taxAmount"]) for i in items), Decimal(0))
    if gross != (amounts if tax_type == "gross" else amounts + taxes):
        raise validation_error("totalGrossAmount", "does not match the sum of the voucher items")
    if tax != taxes:
        raise validation_error("totalTaxAmount", "does not match the sum of the voucher items' tax amounts")


def _contact(
    org: Organization, data: dict[str, Any], voucher_type: str, categories: list[dict[str, Any]]
) -> str | None:
    """The voucher's contact id, or ``None`` for the collective contact."""
    collective = data.get("useCollectiveContact")
    if collective is not None and not isinstance(collective, bool):
        raise validation_error("useCollectiveContact", "must be a boolean")
    if collective:
        if any(c["contactRequired"] for c in categories):
            raise validation_error(
                "contactId", "the posting category requires a contact (no collective contact)"
            )
        return None
    contact_id = _text(data, "contactId")
    contact = org.get("contacts", contact_id)
    role = "customer" if voucher_type in SALES_TYPES else "vendor"
    if contact is None:
        raise validation_error("contactId", "contact does not exist")
    if role not in (contact.get("roles") or {}):
        raise validation_error("contactId", f"contact must have the role {role}")
    return contact_id


def _files(org: Organization, data: dict[str, Any], current: list[str]) -> list[str]:
    """The voucher's file ids: ones it already has, or uploaded files not yet assigned anywhere."""
    files = data.get("files")
    if files is None:
        return []
    if not isinstance(files, list):
        raise validation_error("files", "must be a list of file ids")
    for index, file_id in enumerate(files):
        fresh = isinstance(file_id, str) and is_unassigned_upload(org, file_id)
        if not (fresh or file_id in current) or files.index(file_id) != index:
            raise validation_error(f"files[{index}]", "not an uploaded, unassigned voucher file")
    return list(files)


def _content(
    org: Organization, data: dict[str, Any], types: tuple[str, ...], current_files: list[str]
) -> Record:
    """Check a voucher body; return the stored fields (everything but id, status and bookkeeping)."""
    voucher_type = _text(data, "type")
    if voucher_type not in VOUCHER_TYPES:
        raise validation_error("type", "must be one of " + ", ".join(VOUCHER_TYPES))
    if voucher_type not in types:
        raise validation_error(
            "type", "purchase vouchers are read-only (write access: salesinvoice, salescreditnote)"
        )
    number = _text(data, "voucherNumber")
    voucher_date = _date(data, "voucherDate", required=True)
    shipping_date = _date(data, "shippingDate", required=False)
    if shipping_date and voucher_type not in SALES_TYPES:
        raise validation_error("shippingDate", "only allowed for salesinvoice and salescreditnote")
    due_date = _date(data, "dueDate", required=False) or voucher_date
    tax_type = _text(data, "taxType")
    if tax_type not in TAX_TYPES:
        raise validation_error("taxType", "must be net or gross")
    items, categories = _items(org, data, voucher_type, tax_type)
    _check_totals(data, items, tax_type)
    contact_id = _contact(org, data, voucher_type, categories)
    remark = _optional_text(data, "remark")
    files = _files(org, data, current_files)
    content: Record = {"type": voucher_type, "voucherNumber": number, "voucherDate": voucher_date}
    if shipping_date:
        content["shippingDate"] = shipping_date
    content |= {
        "dueDate": due_date,
        "totalGrossAmount": data["totalGrossAmount"],
        "totalTaxAmount": data["totalTaxAmount"],
        "taxType": tax_type,
        "useCollectiveContact": contact_id is None,
    }
    if contact_id:
        content["contactId"] = contact_id
    if remark is not None:
        content["remark"] = remark
    return content | {"voucherItems": items, "files": files}


def _version(data: dict[str, Any], *, default: int | None) -> int:
    value = data.get("version", default)
    if value is None:
        raise missing("version")
    if isinstance(value, bool) or not isinstance(value, int):
        raise validation_error("version", "must be an integer")
    return value


# --- storage ------------------------------------------------------------------------------------


def _assign(org: Organization, voucher_id: str, files: list[str]) -> None:
    for file_id in files:
        org.files[file_id].voucher_id = voucher_id


def _shaped(org: Organization, voucher_id: str, status: str, content: Record) -> Record:
    """A stored voucher in lexoffice's key order (createdDate, updatedDate, version follow)."""
    return {
        "id": voucher_id,
        "organizationId": org.id,
        "type": content["type"],
        "voucherStatus": status,
        **content,
    }


def create_voucher(
    org: Organization, data: dict[str, Any], types: tuple[str, ...], status: str = "open"
) -> Record:
    """Validate and store a new voucher; fires ``voucher.created``."""
    content = _content(org, data, types, [])
    if _version(data, default=0) != 0:
        raise validation_error("version", "must be 0 when creating a voucher")
    record = _shaped(org, str(uuid.uuid4()), status, content)
    _assign(org, record["id"], record["files"])
    return org.create(VOUCHERS, record, event_prefix="voucher")


def _voucher(org: Organization, voucher_id: str, *, writable: bool = False) -> Record:
    record = org.get(VOUCHERS, voucher_id)
    if record is None:
        raise not_found("Voucher")
    if writable and record["type"] not in SALES_TYPES:
        raise validation_error("type", "purchase vouchers are read-only")
    return record


# --- routes -------------------------------------------------------------------------------------


@post("/v1/vouchers")
async def post_voucher(request: Request[Any, Any, Any]) -> Response[bytes]:
    record = create_voucher(organization(request), await json_body(request), SALES_TYPES)
    return action_result(request, VOUCHERS, record, 201)


@get("/v1/vouchers/{voucher_id:str}", sync_to_thread=False)
def get_voucher(request: Request[Any, Any, Any], voucher_id: FromPath[str]) -> Response[bytes]:
    return json_response(_voucher(organization(request), voucher_id))


@put("/v1/vouchers/{voucher_id:str}")
async def put_voucher(request: Request[Any, Any, Any], voucher_id: FromPath[str]) -> Response[bytes]:
    """Replace a voucher's content; file ids it no longer lists are deleted permanently."""
    org = organization(request)
    record = _voucher(org, voucher_id, writable=True)
    data = await json_body(request)
    content = _content(org, data, SALES_TYPES, record["files"])
    if _version(data, default=None) != record["version"]:
        raise conflict("The voucher was changed in the meantime (version mismatch)")
    for file_id in set(record["files"]) - set(content["files"]):
        delete_file(org, file_id)
    _assign(org, voucher_id, content["files"])
    updated = _shaped(org, voucher_id, record["voucherStatus"], content)
    updated |= {key: record[key] for key in ("createdDate", "updatedDate", "version")}
    record.clear()
    record.update(updated)
    org.touch(record, "voucher.changed")
    return action_result(request, VOUCHERS, record, 200)


@get("/v1/vouchers", sync_to_thread=False)
def filter_vouchers(request: Request[Any, Any, Any]) -> Response[bytes]:
    """Vouchers whose ``voucherNumber`` equals the query value (paged, no sort information)."""
    raw = request.query_params.get("voucherNumber")
    if not raw:
        raise bad_request("voucherNumber is required", "voucherNumber")
    page, size = paging(request)
    number = search_value(raw)
    matches = [r for r in organization(request).collection(VOUCHERS).values() if r["voucherNumber"] == number]
    matches.sort(key=lambda r: (parse_timestamp(r["createdDate"]), r["id"]))
    return json_response(page_envelope(matches, page, size, sort=None))


@post("/v1/vouchers/{voucher_id:str}/files")
async def upload_voucher_file(request: Request[Any, Any, Any], voucher_id: FromPath[str]) -> Response[bytes]:
    """Upload a file and assign it to the voucher (202 ``{"id": fileId}`` like ``POST /v1/files``)."""
    org = organization(request)
    record = _voucher(org, voucher_id, writable=True)
    content, kind, filename = await receive_voucher_file(request, typed=False)
    stored = store_upload(org, content, kind, filename, voucher_id=voucher_id)
    record["files"].append(stored.id)
    org.touch(record, "voucher.changed")
    return json_response({"id": stored.id}, 202)


@post("/_sandbox/organizations/{organization_id:str}/vouchers")
async def control_create_voucher(
    request: Request[Any, Any, Any], organization_id: FromPath[str]
) -> Response[bytes]:
    """Store a voucher of any type (as a user would in the app); optional ``voucherStatus`` (default open)."""
    org = sandbox_state(request).organizations.get(organization_id)
    if org is None:
        raise ApiError(404, f"no organization {organization_id}")
    data = await json_body(request)
    status = data.get("voucherStatus", "open")
    if status not in STATUSES:
        raise validation_error("voucherStatus", "must be one of " + ", ".join(STATUSES))
    record = create_voucher(org, data, VOUCHER_TYPES, status)
    return action_result(request, VOUCHERS, record, 201)


ROUTES = [
    post_voucher,
    get_voucher,
    put_voucher,
    filter_vouchers,
    upload_voucher_file,
    control_create_voucher,
]
