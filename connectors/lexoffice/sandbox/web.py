"""Request/response helpers shared by every sandbox endpoint: the caller's organization, strict JSON
bodies with field-level errors, action results, paging envelopes."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, TypeVar

import msgspec
from litestar import Request, Response

from .clock import parse_timestamp
from .errors import ApiError, Detail, bad_request, missing, validation_error
from .state import ApiKey, Organization, Record, SandboxState

T = TypeVar("T")

ORG_SCOPE_KEY = "lexoffice.organization"
KEY_SCOPE_KEY = "lexoffice.key"

_encoder = msgspec.json.Encoder(decimal_format="number")
_decoder = msgspec.json.Decoder(float_hook=Decimal)
_MISSING_FIELD = re.compile(r"Object missing required field `([^`]+)`(?: - at `\$(.*)`)?")
_AT = re.compile(r" - at `\$(.*)`$")


def sandbox_state(request: Request[Any, Any, Any]) -> SandboxState:
    state: SandboxState = request.app.state["sandbox"]
    return state


def organization_by_id(request: Request[Any, Any, Any], organization_id: str) -> Organization:
    """An organization named in a control-surface path (404 if there is none)."""
    org = sandbox_state(request).organizations.get(organization_id)
    if org is None:
        raise ApiError(404, f"no organization {organization_id}")
    return org


def organization(request: Request[Any, Any, Any]) -> Organization:
    """The organization of the authenticated API key (set by the gatekeeper)."""
    org: Organization = request.scope[ORG_SCOPE_KEY]  # type: ignore[literal-required]
    return org


def api_key(request: Request[Any, Any, Any]) -> ApiKey:
    key: ApiKey = request.scope[KEY_SCOPE_KEY]  # type: ignore[literal-required]
    return key


def decode(raw: bytes) -> Any:
    """Parse JSON with fractional numbers as exact ``Decimal`` (raises ``msgspec.DecodeError``)."""
    return _decoder.decode(raw)


def encode(data: Any) -> bytes:
    """JSON bytes with ``Decimal`` amounts as JSON numbers (as lexoffice sends them)."""
    return _encoder.encode(data)


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response[bytes]:
    return Response(content=encode(data), status_code=status, media_type="application/json", headers=headers)


def action_result(
    request: Request[Any, Any, Any], collection: str, record: Record, status: int
) -> Response[bytes]:
    """The ``{id, resourceUri, createdDate, updatedDate, version}`` answer of POST/PUT."""
    base = str(request.base_url).rstrip("/")
    return json_response(
        {
            "id": record["id"],
            "resourceUri": f"{base}/v1/{collection}/{record['id']}",
            "createdDate": record["createdDate"],
            "updatedDate": record["updatedDate"],
            "version": record["version"],
        },
        status,
    )


def _json_path(raw: str) -> str:
    """``$.lineItems[0].name`` -> ``lineItems[0].name``."""
    return raw[1:] if raw.startswith(".") else raw


def field_of(error: msgspec.ValidationError) -> tuple[str | None, str]:
    """Turn a msgspec validation message into (field path, reason)."""
    text = str(error)
    match = _MISSING_FIELD.match(text)
    if match:
        parent = _json_path(match.group(2) or "")
        name = match.group(1)
        return (f"{parent}.{name}" if parent else name), "darf nicht leer sein"
    at = _AT.search(text)
    path = _json_path(at.group(1)) if at else None
    reason = _AT.sub("", text)
    return path or None, reason


async def json_body(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """The request's JSON object (numbers with a fraction as ``Decimal``).

    415 without a JSON Content-Type, 400 for malformed JSON or a non-object body.
    """
    content_type = request.headers.get("content-type", "")
    if not content_type.split(";")[0].strip().lower().endswith("json"):
        raise ApiError(
            415,
            "Content type '' not supported"
            if not content_type
            else f"Content type '{content_type}' not supported",
        )
    raw = await request.body()
    try:
        data = _decoder.decode(raw)
    except msgspec.DecodeError as exc:
        raise bad_request(f"JSON parse error: {exc}") from None
    if not isinstance(data, dict):
        raise bad_request("JSON parse error: the request body must be a JSON object")
    return data


def validate(data: Any, schema: type[T]) -> T:
    """Check ``data`` against a msgspec Struct; a mismatch is a 406 naming the field."""
    try:
        return msgspec.convert(data, schema, strict=False)
    except msgspec.ValidationError as exc:
        path, reason = field_of(exc)
        if reason == "darf nicht leer sein" and path:
            raise missing(path) from None
        raise validation_error(path, reason) from None


def require_timestamp(
    data: dict[str, Any], field_name: str, path: str | None = None, required: bool = True
) -> str | None:
    """Check a strict lexoffice date-time field; 406 when unparseable (or missing and required)."""
    value = data.get(field_name)
    full = path or field_name
    if value is None:
        if required:
            raise missing(full)
        return None
    try:
        parse_timestamp(value)
    except ValueError as exc:
        raise validation_error(full, str(exc)) from None
    return str(value)


def paging(request: Request[Any, Any, Any], max_size: int = 250, default_size: int = 25) -> tuple[int, int]:
    """``page`` (0-based) and ``size`` from the query. Sizes above the endpoint maximum are capped
    (Spring Data behaviour); non-numeric or negative values are a 400."""
    try:
        page = int(request.query_params.get("page", 0))
        size = int(request.query_params.get("size", default_size))
    except ValueError:
        raise bad_request("page and size must be integers") from None
    if page < 0 or size < 1:
        raise bad_request("page must be >= 0 and size >= 1")
    return page, min(size, max_size)


def page_envelope(
    items: list[Any],
    page: int,
    size: int,
    sort: list[dict[str, Any]] | None,
    window: int | None = None,
) -> dict[str, Any]:
    """lexoffice's (Spring Data) page envelope over an already sorted list.

    ``window`` caps how many elements are reachable at all (voucherlist: 10,000).
    """
    total = len(items)
    reachable = items[:window] if window is not None else items
    content = reachable[page * size : (page + 1) * size]
    total_pages = (total + size - 1) // size if total else 0
    envelope: dict[str, Any] = {
        "content": content,
        "first": page == 0,
        "last": page >= total_pages - 1,
        "totalPages": total_pages,
        "totalElements": total,
        "numberOfElements": len(content),
        "size": size,
        "number": page,
    }
    if sort is not None:
        envelope["sort"] = sort
    return envelope


def sort_param(request: Request[Any, Any, Any], properties: tuple[str, ...], default: str) -> tuple[str, str]:
    """(property, direction) from ``sort=prop[,ASC|DESC]``; names are case-insensitive, others a 400."""
    prop, _, direction = request.query_params.get("sort", default).partition(",")
    names = {name.lower(): name for name in properties}
    if prop.strip().lower() not in names:
        raise bad_request("sort must be one of " + ", ".join(properties), "sort")
    direction = (direction.strip() or "ASC").upper()
    if direction not in ("ASC", "DESC"):
        raise bad_request("sort direction must be ASC or DESC", "sort")
    return names[prop.strip().lower()], direction


def sort_spec(prop: str, direction: str = "ASC") -> list[dict[str, Any]]:
    return [
        {
            "direction": direction,
            "property": prop,
            "ignoreCase": False,
            "nullHandling": "NATIVE",
            "ascending": direction == "ASC",
        }
    ]


__all__ = [
    "ApiError",
    "Detail",
    "action_result",
    "api_key",
    "encode",
    "json_body",
    "json_response",
    "organization",
    "page_envelope",
    "paging",
    "require_timestamp",
    "sandbox_state",
    "sort_spec",
    "validate",
]
