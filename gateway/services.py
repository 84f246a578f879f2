"""The gateway's service objects, kept in the app state and injected into controllers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Request
from litestar.datastructures import State
from litestar.di import Provide
from redis.asyncio import Redis

from .accounts import AccountService
from .auth import Principal
from .connectors import Connectors
from .metrics import Metrics
from .operations import Operations
from .ratelimit import InboundLimiter
from .settings import Settings
from .store import Store
from .tenants import TenantService
from .webhooks import Webhooks

STATE_KEY = "services"


@dataclass(frozen=True)
class Services:
    """Everything a controller may need, built once per app."""

    settings: Settings
    redis: Redis
    store: Store
    tenants: TenantService
    accounts: AccountService
    limiter: InboundLimiter
    metrics: Metrics
    webhooks: Webhooks
    connectors: Connectors
    operations: Operations


def _services(state: State) -> Services:
    services: Services = state[STATE_KEY]
    return services


def _tenants(state: State) -> TenantService:
    return _services(state).tenants


def _accounts(state: State) -> AccountService:
    return _services(state).accounts


def _webhooks(state: State) -> Webhooks:
    return _services(state).webhooks


def _operations(state: State) -> Operations:
    return _services(state).operations


def _principal(request: Request[Any, Any, Any]) -> Principal:
    principal: Principal = request.scope["user"]
    return principal


DEPENDENCIES = {
    "services": Provide(_services, sync_to_thread=False),
    "tenants": Provide(_tenants, sync_to_thread=False),
    "accounts": Provide(_accounts, sync_to_thread=False),
    "principal": Provide(_principal, sync_to_thread=False),
    "webhooks": Provide(_webhooks, sync_to_thread=False),
    "operations": Provide(_operations, sync_to_thread=False),
}
"""Inject with ``NamedDependency[...]`` parameters of these names."""
