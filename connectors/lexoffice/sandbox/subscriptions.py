"""Event subscriptions (``/v1/event-subscriptions``): an organization's webhooks.

A subscription is stored as the resource lexoffice returns (``subscriptionId``, ``organizationId``,
``createdDate``, ``eventType``, ``callbackUrl``); :mod:`.events` delivers the callbacks. Subscribing
checks the callback URL the way lexoffice does: an absolute https URL (http too when the sandbox allows
insecure callbacks) that answers a HEAD request (when the sandbox probes callbacks).
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

import httpx
import msgspec
from litestar import Request, Response, delete, get, post
from litestar.params import FromPath

from .clock import format_timestamp
from .errors import ApiError, Detail, missing, not_found, validation_error
from .events import SUBSCRIPTIONS
from .state import Organization, Record
from .web import action_result, json_body, json_response, organization, validate

if TYPE_CHECKING:
    from .app import SandboxConfig

_CRUD = ("created", "changed", "deleted")
_CRUD_AND_STATUS = (*_CRUD, "status.changed")

EVENT_TYPES: frozenset[str] = frozenset(
    [
        f"{resource}.{event}"
        for resource in ("contact", "delivery-note", "dunning", "recurring-template")
        for event in _CRUD
    ]
    + [
        f"{resource}.{event}"
        for resource in (
            "credit-note",
            "down-payment-invoice",
            "invoice",
            "order-confirmation",
            "quotation",
            "voucher",
        )
        for event in _CRUD_AND_STATUS
    ]
    + ["payment.changed", "token.revoked"]
)
"""The 38 documented event types (lexoffice handles them lower-case)."""

PROBE_TIMEOUT_SECONDS = 3.0


class NewSubscription(msgspec.Struct):
    eventType: str | None = None
    callbackUrl: str | None = None


def _config(request: Request[Any, Any, Any]) -> SandboxConfig:
    config: SandboxConfig = request.app.state["sandbox_app"].config
    return config


def _event_type(value: str | None) -> str:
    if not value:
        raise missing("eventType")
    event_type = value.lower()
    if event_type not in EVENT_TYPES:
        raise validation_error("eventType", "must be one of the documented event types")
    return event_type


def _callback_url(value: str | None, allow_insecure: bool) -> str:
    """The callback URL if it is absolute and secure enough; 406 otherwise."""
    if not value:
        raise missing("callbackUrl")
    schemes = ("https", "http") if allow_insecure else ("https",)
    try:
        url = httpx.URL(value)
    except httpx.InvalidURL:
        url = None
    if url is None or url.scheme not in schemes or not url.host:
        raise validation_error("callbackUrl", f"must be an absolute {' or '.join(schemes)} URL")
    return value


def _refuse_duplicate(org: Organization, event_type: str, callback_url: str) -> None:
    for sub in org.collection(SUBSCRIPTIONS).values():
        if sub["eventType"] == event_type and sub["callbackUrl"] == callback_url:
            message = (
                f"subscription {sub['subscriptionId']} already exists for this eventType and callbackUrl"
            )
            raise ApiError(409, message, [Detail("CONFLICT", "callbackUrl", message)])


async def _probe_failure(url: str) -> str | None:
    """Send lexoffice's HEAD check to ``url``: why it failed (transport or TLS error, time-out, a status
    of 400 or more; redirects are not followed and count as success), or ``None`` if it passed."""
    try:
        async with httpx.AsyncClient(timeout=PROBE_TIMEOUT_SECONDS) as client:
            response = await client.head(url)
    except (httpx.HTTPError, httpx.InvalidURL, ValueError) as exc:
        return f"HEAD request to the callback URL failed: {type(exc).__name__}"
    if response.status_code >= 400:
        return f"HEAD request to the callback URL answered {response.status_code}"
    return None


def _subscription(request: Request[Any, Any, Any], subscription_id: str) -> Record:
    record = organization(request).get(SUBSCRIPTIONS, subscription_id)
    if record is None:
        raise not_found("Event subscription")
    return record


@post("/v1/event-subscriptions")
async def create_subscription(request: Request[Any, Any, Any]) -> Response[bytes]:
    org = organization(request)
    config = _config(request)
    spec = validate(await json_body(request), NewSubscription)
    event_type = _event_type(spec.eventType)
    callback_url = _callback_url(spec.callbackUrl, config.allow_insecure_callbacks)
    _refuse_duplicate(org, event_type, callback_url)
    if config.probe_callbacks:
        failure = await _probe_failure(callback_url)
        if failure:
            raise validation_error("callbackUrl", failure)
        _refuse_duplicate(org, event_type, callback_url)  # a concurrent request may have won meanwhile
    now = format_timestamp(org.clock.now())
    record: Record = {
        "subscriptionId": str(uuid.uuid4()),
        "organizationId": org.id,
        "createdDate": now,
        "eventType": event_type,
        "callbackUrl": callback_url,
    }
    org.collection(SUBSCRIPTIONS)[record["subscriptionId"]] = record
    result = {"id": record["subscriptionId"], "createdDate": now, "updatedDate": now, "version": 0}
    return action_result(request, SUBSCRIPTIONS, result, 201)


@get("/v1/event-subscriptions/{subscription_id:str}", sync_to_thread=False)
def get_subscription(request: Request[Any, Any, Any], subscription_id: FromPath[str]) -> Response[bytes]:
    return json_response(_subscription(request, subscription_id))


@get("/v1/event-subscriptions", sync_to_thread=False)
def list_subscriptions(request: Request[Any, Any, Any]) -> Response[bytes]:
    """All subscriptions, oldest first, in lexoffice's unpaged ``{"content": [...]}``."""
    return json_response({"content": list(organization(request).collection(SUBSCRIPTIONS).values())})


@delete("/v1/event-subscriptions/{subscription_id:str}", status_code=204, sync_to_thread=False)
def delete_subscription(request: Request[Any, Any, Any], subscription_id: FromPath[str]) -> None:
    _subscription(request, subscription_id)
    organization(request).collection(SUBSCRIPTIONS).pop(subscription_id)


ROUTES = [create_subscription, get_subscription, list_subscriptions, delete_subscription]
