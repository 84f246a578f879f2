"""Tenant webhook endpoints: create, list, read, update, delete, rotate the signing secret.

Signing secrets are sealed with the gateway's master key (the endpoint id is the associated data) because
they are needed in clear to sign; the API shows a secret only when it is made. Rotation keeps the previous
secret signing next to the new one for a grace period. Saving an endpoint asks the subscription sync to
bring the upstream event subscriptions of the tenant's accounts in line (``on_change``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import msgspec
from redis.asyncio import Redis
from redis.exceptions import WatchError

from schemas.problem import FieldError
from schemas.webhooks import (
    SigningSecretInfo,
    WebhookEndpoint,
    WebhookEndpointCreate,
    WebhookEndpointCreated,
    WebhookEndpointUpdate,
)

from .. import keys
from ..crypto import Envelope, Keyring
from ..ids import id_pattern, new_id
from ..paging import decode_cursor, encode_cursor
from ..problems import NOT_FOUND, VALIDATION, ProblemError
from .mapping import unknown_filters
from .signing import generate_secret
from .targets import TargetPolicy, TargetRefused

ENDPOINT_ID = id_pattern("wep")
MAX_ENDPOINTS_PER_TENANT = 100
TenantChanged = Callable[[str], Awaitable[None]]


class StoredSecret(msgspec.Struct, frozen=True):
    """A signing secret as stored: sealed, with its lifetime."""

    sealed: Envelope
    created_at: datetime
    expires_at: datetime | None = None


class EndpointRecord(msgspec.Struct, frozen=True):
    """A webhook endpoint as stored (JSON); ``secrets`` holds the current secret first."""

    id: str
    tenant_id: str
    url: str
    events: list[str]
    description: str | None
    include_resource: bool
    secrets: list[StoredSecret]
    created_at: datetime
    updated_at: datetime


class EndpointService:
    """The tenant-facing endpoint operations and the delivery side's view of endpoints."""

    def __init__(
        self, redis: Redis, keyring: Keyring, policy: TargetPolicy, on_change: TenantChanged | None = None
    ) -> None:
        self.redis = redis
        self.keyring = keyring
        self.policy = policy
        self.on_change = on_change

    async def create(self, tenant_id: str, spec: WebhookEndpointCreate) -> tuple[EndpointRecord, str]:
        """A new endpoint and its signing secret (to show once)."""
        url = await self._check_url(spec.url)
        _check_filters(spec.events)
        if await self.redis.zcard(keys.tenant_webhook_endpoints(tenant_id)) >= MAX_ENDPOINTS_PER_TENANT:
            raise ProblemError(VALIDATION, f"A tenant may have at most {MAX_ENDPOINTS_PER_TENANT} endpoints.")
        endpoint_id, now, secret = new_id("wep"), _now(), generate_secret()
        record = EndpointRecord(
            id=endpoint_id,
            tenant_id=tenant_id,
            url=url,
            events=_unique(spec.events),
            description=spec.description,
            include_resource=spec.include_resource,
            secrets=[StoredSecret(self._seal(endpoint_id, secret), now)],
            created_at=now,
            updated_at=now,
        )
        await self.redis.set(
            keys.tenant_webhook_endpoint(tenant_id, endpoint_id), msgspec.json.encode(record)
        )
        await self.redis.zadd(keys.tenant_webhook_endpoints(tenant_id), {endpoint_id: 0})
        await self._changed(tenant_id)
        return record, secret

    async def find(self, tenant_id: str, endpoint_id: str) -> EndpointRecord | None:
        """The endpoint, or ``None``."""
        if not ENDPOINT_ID.match(endpoint_id):
            return None
        raw = cast(str | None, await self.redis.get(keys.tenant_webhook_endpoint(tenant_id, endpoint_id)))
        return None if raw is None else msgspec.json.decode(raw, type=EndpointRecord)

    async def get(self, tenant_id: str, endpoint_id: str) -> EndpointRecord:
        """The tenant's endpoint; ``not-found`` otherwise."""
        record = await self.find(tenant_id, endpoint_id)
        if record is None:
            raise _not_found(endpoint_id)
        return record

    async def page(
        self, tenant_id: str, cursor: str | None, limit: int
    ) -> tuple[list[EndpointRecord], str | None]:
        """A page of the tenant's endpoints (oldest first) and the cursor of the next page."""
        after = decode_cursor(cursor, ENDPOINT_ID)
        start = "-" if after is None else f"({after}"
        ids = cast(
            list[str],
            await self.redis.zrange(
                keys.tenant_webhook_endpoints(tenant_id), start, "+", bylex=True, offset=0, num=limit + 1
            ),
        )
        records = await self._load(tenant_id, ids[:limit])
        return records, encode_cursor(ids[limit - 1]) if len(ids) > limit else None

    async def all(self, tenant_id: str) -> list[EndpointRecord]:
        """Every endpoint of the tenant."""
        ids = cast(list[str], await self.redis.zrange(keys.tenant_webhook_endpoints(tenant_id), 0, -1))
        return await self._load(tenant_id, ids)

    async def update(self, tenant_id: str, endpoint_id: str, change: WebhookEndpointUpdate) -> EndpointRecord:
        """Change url, events, description or ``include_resource``."""
        fields: dict[str, Any] = {}
        if not isinstance(change.url, msgspec.UnsetType):
            fields["url"] = await self._check_url(change.url)
        if not isinstance(change.events, msgspec.UnsetType):
            _check_filters(change.events)
            fields["events"] = _unique(change.events)
        if change.description is not msgspec.UNSET:
            fields["description"] = change.description
        if not isinstance(change.include_resource, msgspec.UnsetType):
            fields["include_resource"] = change.include_resource
        record = await self._modify(
            tenant_id, endpoint_id, lambda r: msgspec.structs.replace(r, updated_at=_now(), **fields)
        )
        if "events" in fields:
            await self._changed(tenant_id)
        return record

    async def delete(self, tenant_id: str, endpoint_id: str) -> None:
        """Delete the endpoint; its queued deliveries are canceled when they come up."""
        await self.get(tenant_id, endpoint_id)
        await self.redis.zrem(keys.tenant_webhook_endpoints(tenant_id), endpoint_id)
        await self.redis.delete(keys.tenant_webhook_endpoint(tenant_id, endpoint_id))
        await self._changed(tenant_id)

    async def rotate(
        self, tenant_id: str, endpoint_id: str, grace_seconds: int
    ) -> tuple[EndpointRecord, str, datetime]:
        """A new current secret; the previous ones stay valid ``grace_seconds`` at most."""
        secret, now = generate_secret(), _now()
        expires = now + timedelta(seconds=grace_seconds)

        def rotate(record: EndpointRecord) -> EndpointRecord:
            previous = [
                msgspec.structs.replace(s, expires_at=min(s.expires_at or expires, expires))
                for s in _valid(record.secrets, now)
            ]
            current = StoredSecret(self._seal(endpoint_id, secret), now)
            return msgspec.structs.replace(record, secrets=[current, *previous], updated_at=now)

        return await self._modify(tenant_id, endpoint_id, rotate), secret, expires

    def signing_secrets(self, record: EndpointRecord) -> list[str]:
        """The secrets a delivery is signed with now (current first)."""
        aad = _aad(record.id)
        return [self.keyring.open(s.sealed, aad).decode() for s in _valid(record.secrets, _now())]

    async def _modify(
        self, tenant_id: str, endpoint_id: str, change: Callable[[EndpointRecord], EndpointRecord]
    ) -> EndpointRecord:
        """Apply ``change`` atomically (optimistic, retried on a concurrent write)."""
        if not ENDPOINT_ID.match(endpoint_id):
            raise _not_found(endpoint_id)
        key = keys.tenant_webhook_endpoint(tenant_id, endpoint_id)
        async with self.redis.pipeline(transaction=True) as pipe:
            while True:
                try:
                    await pipe.watch(key)
                    raw = cast(str | None, await pipe.get(key))
                    if raw is None:
                        raise _not_found(endpoint_id)
                    updated = change(msgspec.json.decode(raw, type=EndpointRecord))
                    pipe.multi()  # type: ignore[no-untyped-call]
                    pipe.set(key, msgspec.json.encode(updated))
                    await pipe.execute()
                    return updated
                except WatchError:
                    continue

    async def _load(self, tenant_id: str, ids: list[str]) -> list[EndpointRecord]:
        if not ids:
            return []
        found = cast(
            list[str | None],
            await self.redis.mget(
                [keys.tenant_webhook_endpoint(tenant_id, endpoint_id) for endpoint_id in ids]
            ),
        )
        return [msgspec.json.decode(raw, type=EndpointRecord) for raw in found if raw is not None]

    async def _check_url(self, url: str) -> str:
        try:
            return str(await self.policy.check(url))
        except TargetRefused as exc:
            raise ProblemError(
                VALIDATION, f"The endpoint URL is refused: it {exc}.", errors=[FieldError("url", str(exc))]
            ) from None

    async def _changed(self, tenant_id: str) -> None:
        if self.on_change is not None:
            await self.on_change(tenant_id)

    def _seal(self, endpoint_id: str, secret: str) -> Envelope:
        return self.keyring.seal(secret.encode(), _aad(endpoint_id))


def endpoint_view(record: EndpointRecord) -> WebhookEndpoint:
    """The API's view of an endpoint (never a secret)."""
    return WebhookEndpoint(
        id=record.id,
        url=record.url,
        events=record.events,
        description=record.description,
        include_resource=record.include_resource,
        signing_secrets=[
            SigningSecretInfo(s.created_at, s.expires_at) for s in _valid(record.secrets, _now())
        ],
        created_at=record.created_at,
        updated_at=record.updated_at,
    )


def created_view(record: EndpointRecord, secret: str) -> WebhookEndpointCreated:
    """The API's view of a new endpoint, with its secret (shown this once)."""
    return WebhookEndpointCreated(**msgspec.structs.asdict(endpoint_view(record)), secret=secret)


def _check_filters(filters: list[str]) -> None:
    unknown = set(unknown_filters(filters))
    if unknown:
        raise ProblemError(
            VALIDATION,
            "Unknown event types: " + ", ".join(sorted(unknown)) + ".",
            errors=[
                FieldError(f"events[{index}]", "is not a known event type or family")
                for index, value in enumerate(filters)
                if value in unknown
            ],
        )


def _valid(stored: list[StoredSecret], now: datetime) -> list[StoredSecret]:
    return [s for s in stored if s.expires_at is None or s.expires_at > now]


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _aad(endpoint_id: str) -> bytes:
    return f"webhook-endpoint:{endpoint_id}".encode()


def _not_found(endpoint_id: str) -> ProblemError:
    return ProblemError(NOT_FOUND, f"No webhook endpoint {endpoint_id[:64]!r}.")


def _now() -> datetime:
    return datetime.now(UTC)
