"""The operator's admin API: tenants and their API keys."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

TenantName = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Rate = Annotated[float, msgspec.Meta(gt=0, le=100_000)]
Burst = Annotated[int, msgspec.Meta(ge=1, le=1_000_000)]


class TenantCreate(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Onboard a tenant. Without ``rate``/``burst`` the gateway's defaults apply."""

    name: TenantName
    rate: Rate | None = None
    """Inbound requests per second (sustained)."""
    burst: Burst | None = None
    """Requests that may be sent at once after a quiet period."""


class TenantUpdate(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Rename a tenant or change its quota; ``null`` returns to the gateway default."""

    name: TenantName | msgspec.UnsetType = msgspec.UNSET
    rate: Rate | msgspec.UnsetType | None = msgspec.UNSET
    burst: Burst | msgspec.UnsetType | None = msgspec.UNSET


class ApiKey(msgspec.Struct, frozen=True):
    """An API key's metadata (the key itself is shown once, at creation)."""

    id: str
    prefix: str
    """The key's first characters, to recognise it."""
    created_at: datetime
    last_used_at: datetime | None = None


class IssuedApiKey(msgspec.Struct, frozen=True):
    """A new API key. ``key`` is shown this once; only its SHA-256 hash is stored."""

    id: str
    key: str
    prefix: str
    created_at: datetime


class Tenant(msgspec.Struct, frozen=True):
    """A tenant (a SaaS product using the gateway)."""

    id: str
    name: str
    rate: float | None
    """Configured requests per second; ``null`` means the gateway default."""
    burst: int | None
    """Configured burst; ``null`` means the gateway default."""
    created_at: datetime
    keys: list[ApiKey] = msgspec.field(default_factory=list)


class TenantCreated(msgspec.Struct, frozen=True):
    """A new tenant with its first API key."""

    tenant: Tenant
    api_key: IssuedApiKey


class TenantList(msgspec.Struct, frozen=True):
    """One page of tenants, oldest first."""

    data: list[Tenant]
    next_cursor: str | None = None
