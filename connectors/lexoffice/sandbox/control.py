"""The sandbox-only control surface under ``/_sandbox/``: what a lexoffice user does in the web app
(organizations, API keys) and the knobs tests need (rate limits, fault injection, the clock, the
webhook deliveries, the stored records). Not part of the lexoffice API; no authentication.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import msgspec
from litestar import Request, Response, delete, get, post, put
from litestar.params import FromPath
from litestar.response import Response as PlainResponse

from .errors import ApiError
from .faults import Fault, FaultPlan
from .state import ApiKey, SandboxState
from .web import json_body, json_response, organization_by_id, sandbox_state, validate


class NewOrganization(msgspec.Struct, forbid_unknown_fields=True):
    companyName: str = "Sandbox GmbH"
    taxType: str = "net"
    smallBusiness: bool = False
    distanceSalesPrinciple: str = "ORIGIN"
    apiKey: str | None = None
    rate: float | None = None
    burst: float | None = None


class NewKey(msgspec.Struct, forbid_unknown_fields=True):
    apiKey: str | None = None
    rate: float | None = None
    burst: float | None = None


class RateLimit(msgspec.Struct, forbid_unknown_fields=True):
    rate: float | None = None
    burst: float | None = None


class FaultSpec(msgspec.Struct, forbid_unknown_fields=True):
    kind: str
    count: int = 1
    methods: list[str] = []
    path_prefix: str = ""
    skip: int = 0


class FaultConfig(msgspec.Struct, forbid_unknown_fields=True):
    latency_ms: int = 0
    timeout_seconds: float = 0.0
    queue: list[FaultSpec] = []
    rates: dict[str, float] = {}
    seed: int = 0


class ClockShift(msgspec.Struct, forbid_unknown_fields=True):
    days: float = 0
    seconds: float = 0


_FAULT_KINDS = ("timeout", "timeout-after-perform")


def _key(state: SandboxState, token: str) -> ApiKey:
    key = state.keys.get(token)
    if key is None:
        raise ApiError(404, "no such API key")
    return key


def _check_kind(kind: str) -> str:
    if kind in _FAULT_KINDS:
        return kind
    if kind.startswith("status:") and kind[7:].isdigit() and 400 <= int(kind[7:]) <= 599:
        return kind
    raise ApiError(
        400, f"unknown fault kind {kind!r}: use status:<4xx/5xx>, timeout or timeout-after-perform"
    )


@post("/_sandbox/organizations")
async def create_organization(request: Request[Any, Any, Any]) -> Response[bytes]:
    spec = validate(await json_body(request), NewOrganization)
    state = sandbox_state(request)
    org = state.create_organization(
        spec.companyName,
        tax_type=spec.taxType,
        small_business=spec.smallBusiness,
        distance_sales_principle=spec.distanceSalesPrinciple,
    )
    key = state.create_key(org.id, spec.apiKey, spec.rate, spec.burst)
    return json_response({"organizationId": org.id, "apiKey": key.token}, 201)


@get("/_sandbox/organizations/{organization_id:str}", sync_to_thread=False)
def describe_organization(request: Request[Any, Any, Any], organization_id: FromPath[str]) -> Response[bytes]:
    org = organization_by_id(request, organization_id)
    return json_response(
        {
            "profile": org.profile(),
            "counts": {name: len(records) for name, records in org.collections.items()},
            "files": len(org.files),
        }
    )


@get("/_sandbox/organizations/{organization_id:str}/records/{collection:str}", sync_to_thread=False)
def list_records(
    request: Request[Any, Any, Any], organization_id: FromPath[str], collection: FromPath[str]
) -> Response[bytes]:
    """Every stored record of one collection, as stored (for test assertions)."""
    org = organization_by_id(request, organization_id)
    return json_response(list(org.collection(collection).values()))


@post("/_sandbox/organizations/{organization_id:str}/keys")
async def create_key(request: Request[Any, Any, Any], organization_id: FromPath[str]) -> Response[bytes]:
    spec = validate(await json_body(request), NewKey)
    state = sandbox_state(request)
    organization_by_id(request, organization_id)
    key = state.create_key(organization_id, spec.apiKey, spec.rate, spec.burst)
    return json_response({"organizationId": organization_id, "apiKey": key.token}, 201)


@delete("/_sandbox/keys/{token:str}", status_code=204, sync_to_thread=False)
def revoke_key(request: Request[Any, Any, Any], token: FromPath[str]) -> None:
    """Revoke a key (the user deletes the API client); fires ``token.revoked`` with the connection id."""
    state = sandbox_state(request)
    key = _key(state, token)
    key.revoked = True
    org = state.organizations[key.organization_id]
    org.emit(org, "token.revoked", org.connection_id)


@put("/_sandbox/keys/{token:str}/rate-limit")
async def set_rate_limit(request: Request[Any, Any, Any], token: FromPath[str]) -> Response[bytes]:
    spec = validate(await json_body(request), RateLimit)
    key = _key(sandbox_state(request), token)
    key.bucket.configure(spec.rate, spec.burst)
    return json_response(key.bucket.stats())


@get("/_sandbox/keys/{token:str}/stats", sync_to_thread=False)
def key_stats(request: Request[Any, Any, Any], token: FromPath[str]) -> Response[bytes]:
    """Requests accepted and rejected (429) by the key's bucket, and its fault plan."""
    key = _key(sandbox_state(request), token)
    return json_response({"bucket": key.bucket.stats(), "faults": key.faults.describe()})


@put("/_sandbox/keys/{token:str}/faults")
async def set_faults(request: Request[Any, Any, Any], token: FromPath[str]) -> Response[bytes]:
    """Replace the key's fault plan (see :mod:`.faults` for the kinds)."""
    spec = validate(await json_body(request), FaultConfig)
    key = _key(sandbox_state(request), token)
    queue = [
        Fault(
            _check_kind(item.kind),
            tuple(m.upper() for m in item.methods),
            item.path_prefix,
            item.skip if copy == 0 else 0,
        )
        for item in spec.queue
        for copy in range(item.count)
    ]
    rates = {_check_kind(kind): rate for kind, rate in spec.rates.items()}
    key.faults.release()
    key.faults = FaultPlan(spec.latency_ms, spec.timeout_seconds, queue, rates, spec.seed)
    key.faults.reseed()
    return json_response(key.faults.describe())


@delete("/_sandbox/keys/{token:str}/faults", status_code=204, sync_to_thread=False)
def clear_faults(request: Request[Any, Any, Any], token: FromPath[str]) -> None:
    key = _key(sandbox_state(request), token)
    key.faults.release()
    key.faults = FaultPlan()


@post("/_sandbox/clock/advance")
async def advance_clock(request: Request[Any, Any, Any]) -> Response[bytes]:
    """Move the sandbox's "now" forward (documents become overdue, dates age)."""
    spec = validate(await json_body(request), ClockShift)
    state = sandbox_state(request)
    state.clock.advance(timedelta(days=spec.days, seconds=spec.seconds))
    return json_response({"now": state.clock.now().isoformat(timespec="milliseconds")})


@get("/_sandbox/public-key.pem", sync_to_thread=False)
def public_key(request: Request[Any, Any, Any]) -> PlainResponse[bytes]:
    """The public key that verifies ``X-Lxo-Signature`` of this sandbox's webhook callbacks."""
    sandbox = request.app.state["sandbox_app"]
    return PlainResponse(content=sandbox.signing_key.public_pem(), media_type="application/x-pem-file")


@get("/_sandbox/deliveries", sync_to_thread=False)
def list_deliveries(request: Request[Any, Any, Any]) -> Response[bytes]:
    return json_response(request.app.state["sandbox_app"].events.describe())


@post("/_sandbox/deliveries/drain")
async def drain_deliveries(request: Request[Any, Any, Any]) -> Response[bytes]:
    """Wait until every webhook callback under way has been answered (or failed)."""
    events = request.app.state["sandbox_app"].events
    await events.drain()
    return json_response(events.describe(), 200)


@get("/_sandbox/health", sync_to_thread=False)
def health() -> Response[bytes]:
    return json_response({"status": "ok"})


ROUTES = [
    create_organization,
    describe_organization,
    list_records,
    create_key,
    revoke_key,
    set_rate_limit,
    key_stats,
    set_faults,
    clear_faults,
    advance_clock,
    public_key,
    list_deliveries,
    drain_deliveries,
    health,
]
