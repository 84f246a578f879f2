"""Tenants and their API keys.

An API key is ``lb_`` followed by 32 random bytes (URL-safe base64). Only its SHA-256 hex digest is stored
(lookup digest -> tenant + key id), plus a short prefix to recognise it; the key is shown once, at creation.
Looking a key up by its digest needs no secret comparison, so it leaks nothing through timing.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime

import msgspec

from schemas.admin import ApiKey, IssuedApiKey, Tenant, TenantCreate, TenantUpdate

from .ids import id_pattern, new_id
from .paging import decode_cursor, encode_cursor
from .problems import NOT_FOUND, ProblemError
from .store import ApiKeyRecord, ApiKeyUse, KeyOwner, Store, TenantRecord

API_KEY_PREFIX = "lb_"
API_KEY_BYTES = 32
SHOWN_PREFIX_CHARS = 8
TENANT_ID = id_pattern("ten")
KEY_ID = id_pattern("key")


def generate_api_key() -> str:
    """A new API key: ``lb_`` and 256 random bits."""
    return API_KEY_PREFIX + secrets.token_urlsafe(API_KEY_BYTES)


def digest(api_key: str) -> str:
    """The SHA-256 hex digest under which an API key is stored."""
    return hashlib.sha256(api_key.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedKey:
    """A freshly created API key: the secret (to show once) and its stored record."""

    secret: str = field(repr=False)
    record: ApiKeyRecord

    def view(self) -> IssuedApiKey:
        return IssuedApiKey(self.record.id, self.secret, self.record.prefix, self.record.created_at)


class TenantService:
    """Onboarding tenants, issuing and revoking their API keys, identifying callers."""

    def __init__(self, store: Store) -> None:
        self.store = store

    async def create(self, spec: TenantCreate) -> tuple[TenantRecord, IssuedKey]:
        """A new tenant and its first API key."""
        tenant = TenantRecord(new_id("ten"), spec.name, _now(), spec.rate, spec.burst)
        await self.store.create_tenant(tenant)
        return tenant, await self.issue_key(tenant.id)

    async def get(self, tenant_id: str) -> TenantRecord:
        tenant = await self.store.get_tenant(tenant_id) if TENANT_ID.match(tenant_id) else None
        if tenant is None:
            raise ProblemError(NOT_FOUND, f"No tenant {tenant_id!r}.")
        return tenant

    async def update(self, tenant_id: str, change: TenantUpdate) -> TenantRecord:
        """Rename or change the quota; unset fields stay, ``None`` returns rate/burst to the default."""
        tenant = await self.get(tenant_id)
        changes = {k: v for k, v in msgspec.structs.asdict(change).items() if v is not msgspec.UNSET}
        updated = msgspec.structs.replace(tenant, **changes)
        await self.store.save_tenant(updated)
        return updated

    async def page(self, cursor: str | None, limit: int) -> tuple[list[TenantRecord], str | None]:
        """A page of tenants (oldest first) and the cursor of the next page."""
        tenants, after = await self.store.list_tenants(decode_cursor(cursor, TENANT_ID), limit)
        return tenants, encode_cursor(after)

    async def keys(self, tenant_id: str) -> list[ApiKeyUse]:
        await self.get(tenant_id)
        return await self.store.list_api_keys(tenant_id)

    async def issue_key(self, tenant_id: str) -> IssuedKey:
        """A new API key for the tenant (the tenant's other keys stay valid)."""
        await self.get(tenant_id)
        secret = generate_api_key()
        record = ApiKeyRecord(new_id("key"), tenant_id, secret[:SHOWN_PREFIX_CHARS], digest(secret), _now())
        await self.store.add_api_key(record)
        return IssuedKey(secret, record)

    async def revoke_key(self, tenant_id: str, key_id: str) -> None:
        """Revoke an API key: it stops working at once."""
        await self.get(tenant_id)
        if not (KEY_ID.match(key_id) and await self.store.remove_api_key(tenant_id, key_id)):
            raise ProblemError(NOT_FOUND, f"Tenant {tenant_id!r} has no API key {key_id!r}.")

    async def identify(self, api_key: str) -> KeyOwner | None:
        """Whose API key this is, or ``None`` (unknown, revoked or not an API key at all)."""
        if not api_key.startswith(API_KEY_PREFIX):
            return None
        return await self.store.find_api_key(digest(api_key))

    async def view(self, tenant: TenantRecord) -> Tenant:
        """The admin API's view of a tenant, with its keys' metadata."""
        keys = [
            ApiKey(use.record.id, use.record.prefix, use.record.created_at, use.last_used_at)
            for use in await self.store.list_api_keys(tenant.id)
        ]
        return Tenant(tenant.id, tenant.name, tenant.rate, tenant.burst, tenant.created_at, keys)


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)
