"""``/v1/admin``: the operator's API for tenants and their API keys (admin token only)."""

from __future__ import annotations

from litestar import Router, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from schemas.admin import IssuedApiKey, Tenant, TenantCreate, TenantCreated, TenantList, TenantUpdate

from ..auth import ADMIN
from ..paging import DEFAULT_LIMIT, Cursor, Limit
from ..problems import problem_responses
from ..tenants import TenantService

Tenants = NamedDependency[TenantService]


@post(
    "/tenants",
    status_code=201,
    responses=problem_responses(400, 401, 413, 415, 422),
    summary="Create a tenant",
)
async def create_tenant(data: JSONBody[TenantCreate], tenants: Tenants) -> TenantCreated:
    """A new tenant and its first API key (shown only in this response)."""
    tenant, key = await tenants.create(data)
    return TenantCreated(await tenants.view(tenant), key.view())


@get("/tenants", responses=problem_responses(401, 422), summary="List tenants")
async def list_tenants(tenants: Tenants, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None) -> TenantList:
    found, next_cursor = await tenants.page(cursor, limit)
    return TenantList([await tenants.view(tenant) for tenant in found], next_cursor)


@get("/tenants/{tenant_id:str}", responses=problem_responses(401, 404), summary="Get a tenant")
async def get_tenant(tenant_id: FromPath[str], tenants: Tenants) -> Tenant:
    return await tenants.view(await tenants.get(tenant_id))


@patch(
    "/tenants/{tenant_id:str}",
    responses=problem_responses(400, 401, 404, 415, 422),
    summary="Update a tenant",
)
async def update_tenant(tenant_id: FromPath[str], data: JSONBody[TenantUpdate], tenants: Tenants) -> Tenant:
    """Rename the tenant or change its inbound quota."""
    return await tenants.view(await tenants.update(tenant_id, data))


@post(
    "/tenants/{tenant_id:str}/keys",
    status_code=201,
    responses=problem_responses(401, 404),
    summary="Issue a key",
)
async def create_key(tenant_id: FromPath[str], tenants: Tenants) -> IssuedApiKey:
    """A new API key for the tenant (shown only in this response); its other keys stay valid."""
    return (await tenants.issue_key(tenant_id)).view()


@delete(
    "/tenants/{tenant_id:str}/keys/{key_id:str}",
    responses=problem_responses(401, 404),
    summary="Revoke a key",
)
async def revoke_key(tenant_id: FromPath[str], key_id: FromPath[str], tenants: Tenants) -> None:
    """Revoke an API key; it stops working immediately."""
    await tenants.revoke_key(tenant_id, key_id)


router = Router(
    "/v1/admin",
    route_handlers=[create_tenant, list_tenants, get_tenant, update_tenant, create_key, revoke_key],
    opt=ADMIN,
    tags=["admin"],
    security=[{"AdminToken": []}],
)
