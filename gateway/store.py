"""Typed async Redis access for tenants, API keys and accounts (no business rules here).

Writes that span two hash slots (a record and its index) are ordered so that a crash in between leaves
nothing reachable that points at missing data: records are written before their index entries and index
entries are removed before their records.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any, cast

import msgspec
from redis.asyncio import Redis
from redis.exceptions import WatchError

from schemas.accounts import Connector

from . import keys
from .crypto import Envelope


class TenantRecord(msgspec.Struct, frozen=True):
    """A tenant as stored (a Redis hash; ``rate``/``burst`` absent = gateway default)."""

    id: str
    name: str
    created_at: datetime
    rate: float | None = None
    burst: int | None = None


class ApiKeyRecord(msgspec.Struct, frozen=True):
    """An API key's metadata as stored: its SHA-256 digest, never the key."""

    id: str
    tenant_id: str
    prefix: str
    digest: str
    created_at: datetime


class ApiKeyUse(msgspec.Struct, frozen=True):
    """An API key's metadata with its last use."""

    record: ApiKeyRecord
    last_used_at: datetime | None


class KeyOwner(msgspec.Struct, frozen=True):
    """Whom an API key digest belongs to."""

    tenant_id: str
    key_id: str


class AccountRecord(msgspec.Struct, frozen=True):
    """An account document as stored; ``credentials`` is sealed with the account id as associated data."""

    id: str
    tenant_id: str
    connector: Connector
    name: str | None
    external_id: str | None
    organization: dict[str, Any]
    credentials: Envelope
    created_at: datetime
    updated_at: datetime
    credentials_updated_at: datetime


class Store:
    """Tenants, API keys and accounts in Redis. Needs a client made with ``decode_responses=True``."""

    def __init__(self, redis: Redis) -> None:
        if not redis.connection_pool.connection_kwargs.get("decode_responses"):
            raise ValueError("the gateway's Redis client needs decode_responses=True")
        self.redis = redis

    async def ping(self) -> bool:
        return bool(await self.redis.ping())

    # tenants

    async def create_tenant(self, tenant: TenantRecord) -> None:
        await self.save_tenant(tenant)
        await self.redis.zadd(keys.TENANTS, {tenant.id: 0})

    async def save_tenant(self, tenant: TenantRecord) -> None:
        """Write every field of the tenant (unset optional fields are removed)."""
        fields = msgspec.to_builtins(tenant)
        present = {name: str(value) for name, value in fields.items() if value is not None}
        absent = [name for name, value in fields.items() if value is None]
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(keys.tenant(tenant.id), mapping=present)
            if absent:
                pipe.hdel(keys.tenant(tenant.id), *absent)
            await pipe.execute()

    async def get_tenant(self, tenant_id: str) -> TenantRecord | None:
        data = cast(dict[str, str], await self.redis.hgetall(keys.tenant(tenant_id)))
        return msgspec.convert(data, TenantRecord, strict=False) if data else None

    async def list_tenants(self, after: str | None, limit: int) -> tuple[list[TenantRecord], str | None]:
        """Up to ``limit`` tenants with ids after ``after`` in id (= creation) order, and the next cursor."""
        ids, next_after = await self._page(keys.TENANTS, after, limit)
        async with self.redis.pipeline(transaction=False) as pipe:
            for tenant_id in ids:
                pipe.hgetall(keys.tenant(tenant_id))
            found: list[dict[str, str]] = await pipe.execute()
        return [msgspec.convert(data, TenantRecord, strict=False) for data in found if data], next_after

    # API keys

    async def add_api_key(self, key: ApiKeyRecord) -> None:
        await self.redis.hset(keys.tenant_api_keys(key.tenant_id), key.id, msgspec.json.encode(key).decode())
        await self.redis.hset(
            keys.api_key_lookup(key.digest), mapping={"tenant_id": key.tenant_id, "key_id": key.id}
        )

    async def find_api_key(self, digest: str) -> KeyOwner | None:
        data = cast(dict[str, str], await self.redis.hgetall(keys.api_key_lookup(digest)))
        return msgspec.convert(data, KeyOwner) if data else None

    async def list_api_keys(self, tenant_id: str) -> list[ApiKeyUse]:
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.hgetall(keys.tenant_api_keys(tenant_id))
            pipe.hgetall(keys.tenant_api_keys_used(tenant_id))
            records, used = await pipe.execute()
        uses = [
            ApiKeyUse(
                record=msgspec.json.decode(raw, type=ApiKeyRecord),
                last_used_at=datetime.fromtimestamp(int(used[key_id]), tz=UTC) if key_id in used else None,
            )
            for key_id, raw in records.items()
        ]
        return sorted(uses, key=lambda use: use.record.id)

    async def remove_api_key(self, tenant_id: str, key_id: str) -> bool:
        """Revoke: the lookup goes first, so the key stops working before its metadata disappears."""
        raw = cast(str | None, await self.redis.hget(keys.tenant_api_keys(tenant_id), key_id))
        if raw is None:
            return False
        record = msgspec.json.decode(raw, type=ApiKeyRecord)
        await self.redis.delete(keys.api_key_lookup(record.digest))
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hdel(keys.tenant_api_keys(tenant_id), key_id)
            pipe.hdel(keys.tenant_api_keys_used(tenant_id), key_id)
            await pipe.execute()
        return True

    # accounts

    async def create_account(self, account: AccountRecord) -> None:
        await self.redis.set(keys.account(account.id), msgspec.json.encode(account))
        await self.redis.zadd(keys.tenant_accounts(account.tenant_id), {account.id: 0})

    async def get_account(self, account_id: str) -> AccountRecord | None:
        raw = cast(str | None, await self.redis.get(keys.account(account_id)))
        return None if raw is None else msgspec.json.decode(raw, type=AccountRecord)

    async def update_account(
        self, account_id: str, change: Callable[[AccountRecord], AccountRecord]
    ) -> AccountRecord | None:
        """Apply ``change`` to the stored account atomically (optimistic, retried on a concurrent write)."""
        key = keys.account(account_id)
        async with self.redis.pipeline(transaction=True) as pipe:
            while True:
                try:
                    await pipe.watch(key)
                    raw = cast(str | None, await pipe.get(key))
                    if raw is None:
                        return None
                    updated = change(msgspec.json.decode(raw, type=AccountRecord))
                    pipe.multi()  # type: ignore[no-untyped-call]
                    pipe.set(key, msgspec.json.encode(updated))
                    await pipe.execute()
                    return updated
                except WatchError:
                    continue

    async def list_accounts(
        self, tenant_id: str, after: str | None, limit: int
    ) -> tuple[list[AccountRecord], str | None]:
        """Up to ``limit`` of the tenant's accounts after ``after`` in creation order, and the next cursor."""
        ids, next_after = await self._page(keys.tenant_accounts(tenant_id), after, limit)
        async with self.redis.pipeline(transaction=False) as pipe:
            for account_id in ids:
                pipe.get(keys.account(account_id))
            found: list[str | None] = await pipe.execute()
        return [msgspec.json.decode(raw, type=AccountRecord) for raw in found if raw is not None], next_after

    async def delete_account(self, account: AccountRecord) -> None:
        """Remove the account (its sealed credentials with it), then every other key under its hash tag."""
        await self.redis.zrem(keys.tenant_accounts(account.tenant_id), account.id)
        await self.redis.delete(keys.account(account.id))
        async for key in self.redis.scan_iter(match=keys.account_pattern(account.id), count=1000):
            await self.redis.delete(key)

    async def account_ids(self) -> AsyncIterator[str]:
        """Every account id of every tenant."""
        async for tenant_id in self._members(keys.TENANTS):
            async for account_id in self._members(keys.tenant_accounts(tenant_id)):
                yield account_id

    async def _page(self, index: str, after: str | None, limit: int) -> tuple[list[str], str | None]:
        """Up to ``limit`` members after ``after`` (lexical order), and the last one if more follow."""
        start = "-" if after is None else f"({after}"
        ids = cast(list[str], await self.redis.zrange(index, start, "+", bylex=True, offset=0, num=limit + 1))
        return ids[:limit], ids[limit - 1] if len(ids) > limit else None

    async def _members(self, index: str, batch: int = 500) -> AsyncIterator[str]:
        after: str | None = None
        while True:
            ids, after = await self._page(index, after, batch)
            for member in ids:
                yield member
            if after is None:
                return
