"""``/v1/webhook-endpoints`` and ``/v1/events`` (tenants), ``/v1/webhooks/lexoffice`` (lexoffice)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response, Router, delete, get, head, patch, post
from litestar.di import NamedDependency
from litestar.enums import MediaType
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath, JSONBody, QueryParameter

from schemas.events import EventList, EventLogEntry, Redelivery
from schemas.webhooks import (
    RotatedSecret,
    SecretRotation,
    WebhookEndpoint,
    WebhookEndpointCreate,
    WebhookEndpointCreated,
    WebhookEndpointList,
    WebhookEndpointUpdate,
)

from ..auth import PUBLIC, Principal
from ..paging import DEFAULT_LIMIT, Cursor, Limit
from ..problems import problem_responses
from ..webhooks import Webhooks
from ..webhooks.endpoints import created_view, endpoint_view
from ..webhooks.inbound import SIGNATURE_HEADER

Hooks = NamedDependency[Webhooks]
Caller = NamedDependency[Principal]
EventType = Annotated[str | None, QueryParameter(description="Only events of this type.")]
AccountId = Annotated[str | None, QueryParameter(description="Only events of this account.")]


@post(
    "/",
    status_code=201,
    responses=problem_responses(400, 401, 413, 415, 422, 429),
    summary="Create an endpoint",
)
async def create_endpoint(
    data: JSONBody[WebhookEndpointCreate], principal: Caller, webhooks: Hooks
) -> WebhookEndpointCreated:
    """Register an endpoint; the answer carries its signing secret, shown this once."""
    record, secret = await webhooks.endpoints.create(principal.tenant_id, data)
    return created_view(record, secret)


@get("/", responses=problem_responses(401, 422, 429), summary="List endpoints")
async def list_endpoints(
    principal: Caller, webhooks: Hooks, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> WebhookEndpointList:
    """The tenant's endpoints, oldest first."""
    found, next_cursor = await webhooks.endpoints.page(principal.tenant_id, cursor, limit)
    return WebhookEndpointList([endpoint_view(record) for record in found], next_cursor)


@get("/{endpoint_id:str}", responses=problem_responses(401, 404, 429), summary="Get an endpoint")
async def get_endpoint(endpoint_id: FromPath[str], principal: Caller, webhooks: Hooks) -> WebhookEndpoint:
    return endpoint_view(await webhooks.endpoints.get(principal.tenant_id, endpoint_id))


@patch(
    "/{endpoint_id:str}",
    responses=problem_responses(400, 401, 404, 413, 415, 422, 429),
    summary="Update an endpoint",
)
async def update_endpoint(
    endpoint_id: FromPath[str], data: JSONBody[WebhookEndpointUpdate], principal: Caller, webhooks: Hooks
) -> WebhookEndpoint:
    """Change the URL, the event types, the description or whether events carry the resource."""
    return endpoint_view(await webhooks.endpoints.update(principal.tenant_id, endpoint_id, data))


@delete("/{endpoint_id:str}", responses=problem_responses(401, 404, 429), summary="Delete an endpoint")
async def delete_endpoint(endpoint_id: FromPath[str], principal: Caller, webhooks: Hooks) -> None:
    """Delete the endpoint; events queued for it are canceled."""
    await webhooks.endpoints.delete(principal.tenant_id, endpoint_id)


@post(
    "/{endpoint_id:str}/rotate-secret",
    status_code=200,
    responses=problem_responses(400, 401, 404, 415, 422, 429),
    summary="Rotate the signing secret",
)
async def rotate_secret(
    endpoint_id: FromPath[str],
    principal: Caller,
    webhooks: Hooks,
    data: JSONBody[SecretRotation | None] = None,
) -> RotatedSecret:
    """A new signing secret (shown this once); the old one keeps signing too until the grace period ends."""
    grace = (data or SecretRotation()).grace_period_seconds
    _, secret, expires = await webhooks.endpoints.rotate(principal.tenant_id, endpoint_id, grace)
    return RotatedSecret(secret, expires)


@get("/", responses=problem_responses(401, 422, 429), summary="List events")
async def list_events(
    principal: Caller,
    webhooks: Hooks,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
    type: EventType = None,
    account_id: AccountId = None,
) -> EventList:
    """The event log, newest first, with each event's delivery state per endpoint."""
    found, next_cursor = await webhooks.events.page(
        principal.tenant_id, cursor, limit, event_type=type, account_id=account_id
    )
    return EventList(found, next_cursor)


@get("/{event_id:str}", responses=problem_responses(401, 404, 429), summary="Get an event")
async def get_event(event_id: FromPath[str], principal: Caller, webhooks: Hooks) -> EventLogEntry:
    return await webhooks.events.get(principal.tenant_id, event_id)


@post(
    "/{event_id:str}/redeliver",
    status_code=202,
    responses=problem_responses(400, 401, 404, 415, 422, 429),
    summary="Deliver an event again",
)
async def redeliver_event(
    event_id: FromPath[str], principal: Caller, webhooks: Hooks, data: JSONBody[Redelivery | None] = None
) -> EventLogEntry:
    """Queue the event again (to one endpoint or all of them), also after it was dead-lettered or delivered.

    Deliveries already queued or under way are left as they are."""
    endpoint_id = data.endpoint_id if data else None
    return await webhooks.events.redeliver(principal.tenant_id, event_id, endpoint_id)


@post(
    "/v1/webhooks/lexoffice",
    status_code=202,
    opt=PUBLIC,
    tags=["webhooks"],
    responses=problem_responses(400, 401, 404, 409, 413, 415, 422, 503),
    summary="lexoffice event callback",
)
async def lexoffice_callback(request: Request[Any, Any, Any], webhooks: Hooks) -> Response[bytes]:
    """Called by lexoffice (signed with `X-Lxo-Signature`); queues the callback and answers at once (202,
    empty body)."""
    await webhooks.inbound.accept(await request.body(), request.headers.get(SIGNATURE_HEADER))
    return Response(b"", status_code=202, media_type=MediaType.TEXT)


@head("/v1/webhooks/lexoffice", opt=PUBLIC, tags=["webhooks"], summary="lexoffice callback check")
async def lexoffice_probe() -> None:
    """lexoffice checks a callback URL with HEAD before it subscribes it."""


endpoints_router = Router(
    "/v1/webhook-endpoints",
    route_handlers=[
        create_endpoint,
        list_endpoints,
        get_endpoint,
        update_endpoint,
        delete_endpoint,
        rotate_secret,
    ],
    tags=["webhooks"],
    security=[{"ApiKey": []}],
)
events_router = Router(
    "/v1/events",
    route_handlers=[list_events, get_event, redeliver_event],
    tags=["events"],
    security=[{"ApiKey": []}],
)
ROUTES: list[Router | HTTPRouteHandler] = [
    endpoints_router,
    events_router,
    lexoffice_callback,
    lexoffice_probe,
]
