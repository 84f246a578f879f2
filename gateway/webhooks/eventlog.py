"""The per-tenant event log and each event's delivery state per endpoint (Redis, under the tenant's tag).

An event is a hash (payload JSON, type, account, endpoint ids) indexed in the tenant's sorted set; each
endpoint it goes to has a delivery hash whose state machine lives in Lua: ``record.lua`` (new event, every
delivery ``pending``), ``claim.lua`` (an attempt is taken by one consumer under a lease), ``settle.lua``
(its outcome, by the lease holder only) and ``redeliver.lua``. Everything expires after the retention
period; the index drops ids older than that.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, cast

import msgspec
from redis.asyncio import Redis

from schemas.events import Event, EventDelivery, EventLogEntry

from .. import keys
from ..ids import id_pattern

EVENT_ID = id_pattern("evt")
_HERE = Path(__file__).parent
_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # gateway.ids' alphabet: ids sort by creation time
_ID_BODY = 26
Verdict = Literal["ok", "covered", "busy", "reschedule", "stale", "done", "gone"]
Outcome = Literal["delivered", "retrying", "dead", "canceled"]


@dataclass(frozen=True)
class Claim:
    """The answer of ``claim.lua``: the verdict, Redis' clock (ms) and, for ``ok``, the failed tries of the
    current series or, for ``reschedule``, when the next attempt is due (ms)."""

    verdict: Verdict
    now_ms: int
    value: int


@dataclass(frozen=True)
class StoredEvent:
    """An event's hash: its payload (the JSON body, with the resource) and the endpoints it goes to."""

    payload: bytes
    account_id: str
    endpoint_ids: list[str]


def first_id_at(prefix: str, millis: int) -> str:
    """The smallest id of ``prefix`` made at ``millis`` (ids are ULID-style: time first)."""
    value = millis << 80
    body = "".join(_ALPHABET[(value >> shift) & 31] for shift in range(5 * (_ID_BODY - 1), -1, -5))
    return f"{prefix}_{body}"


class EventLog:
    """Events and delivery states of all tenants."""

    def __init__(self, redis: Redis, retention_seconds: float) -> None:
        self.redis = redis
        self.retention_ms = int(retention_seconds * 1000)
        self._record = redis.register_script((_HERE / "record.lua").read_text())
        self._claim = redis.register_script((_HERE / "claim.lua").read_text())
        self._settle = redis.register_script((_HERE / "settle.lua").read_text())
        self._redeliver = redis.register_script((_HERE / "redeliver.lua").read_text())

    async def event_id_for(
        self, account_id: str, digest: str, fresh_id: str, ttl_seconds: int
    ) -> tuple[str, bool]:
        """The event id of an upstream callback (identified by ``digest``) and whether it is new:
        ``fresh_id`` the first time, the id given then for a duplicate seen within ``ttl_seconds``."""
        key = keys.account_webhook_event(account_id, digest)
        while True:
            if await self.redis.set(key, fresh_id, nx=True, ex=ttl_seconds):
                return fresh_id, True
            existing = cast(str | None, await self.redis.get(key))
            if existing is not None:
                return existing, False

    async def record(self, tenant_id: str, event: Event, endpoint_ids: list[str]) -> bool:
        """Store the event with a pending delivery per endpoint; ``False`` if it was stored before."""
        oldest = first_id_at("evt", int(time.time() * 1000) - self.retention_ms)
        stored = await self._record(
            keys=[
                keys.tenant_event(tenant_id, event.id),
                keys.tenant_events(tenant_id),
                *(keys.tenant_delivery(tenant_id, event.id, endpoint_id) for endpoint_id in endpoint_ids),
            ],
            args=[
                event.id,
                msgspec.json.encode(event),
                event.type,
                event.account_id,
                msgspec.json.encode(endpoint_ids),
                self.retention_ms,
                oldest,
            ],
        )
        return bool(stored)

    async def load(self, tenant_id: str, event_id: str) -> StoredEvent | None:
        """The stored event, or ``None`` (unknown or expired)."""
        fields = await self.redis.hmget(
            keys.tenant_event(tenant_id, event_id), ["payload", "account_id", "endpoints"]
        )
        payload, account_id, endpoints = cast(list[str | None], fields)
        if payload is None or account_id is None or endpoints is None:
            return None
        return StoredEvent(payload.encode(), account_id, msgspec.json.decode(endpoints, type=list[str]))

    async def pending_attempts(
        self, tenant_id: str, event_id: str, endpoint_ids: list[str]
    ) -> dict[str, int]:
        """Endpoint -> the attempt to enqueue, for each delivery that is ``pending`` (not yet under way)."""
        async with self.redis.pipeline(transaction=False) as pipe:
            for endpoint_id in endpoint_ids:
                pipe.hmget(keys.tenant_delivery(tenant_id, event_id, endpoint_id), ["status", "attempts"])
            states: list[list[str | None]] = await pipe.execute()
        return {
            endpoint_id: int(attempts or 0) + 1
            for endpoint_id, (status, attempts) in zip(endpoint_ids, states, strict=True)
            if status == "pending"
        }

    async def claim(
        self,
        tenant_id: str,
        event_id: str,
        endpoint_id: str,
        attempt: int,
        *,
        owner: str,
        entry_id: str,
        lease_ms: int,
    ) -> Claim:
        """Take attempt number ``attempt`` for ``owner``, queued as stream entry ``entry_id`` (see
        ``claim.lua``)."""
        verdict, now_ms, value = await self._claim(
            keys=[keys.tenant_delivery(tenant_id, event_id, endpoint_id)],
            args=[attempt, owner, lease_ms, entry_id],
        )
        return Claim(cast(Verdict, verdict), int(now_ms), int(value))

    async def settle(
        self,
        tenant_id: str,
        event_id: str,
        endpoint_id: str,
        attempt: int,
        owner: str,
        outcome: Outcome,
        *,
        next_attempt_ms: int = 0,
        status_code: int | None = None,
        error: str | None = None,
    ) -> bool:
        """Record the outcome of a claimed attempt; ``False`` if the claim was lost meanwhile."""
        settled = await self._settle(
            keys=[keys.tenant_delivery(tenant_id, event_id, endpoint_id)],
            args=[attempt, owner, outcome, next_attempt_ms, status_code or "", (error or "")[:500]],
        )
        return bool(settled)

    async def redeliver(self, tenant_id: str, event_id: str, endpoint_id: str) -> int:
        """Make a delivery due again: the attempt to enqueue, 0 if one is already on its way, -1 if gone."""
        attempt = await self._redeliver(
            keys=[
                keys.tenant_delivery(tenant_id, event_id, endpoint_id),
                keys.tenant_event(tenant_id, event_id),
            ],
            args=[self.retention_ms],
        )
        return int(attempt)

    async def entry(self, tenant_id: str, event_id: str) -> EventLogEntry | None:
        """The event with its delivery states, or ``None``."""
        if not EVENT_ID.match(event_id):
            return None
        stored = await self.load(tenant_id, event_id)
        if stored is None:
            return None
        async with self.redis.pipeline(transaction=False) as pipe:
            for endpoint_id in stored.endpoint_ids:
                pipe.hgetall(keys.tenant_delivery(tenant_id, event_id, endpoint_id))
            states: list[dict[str, str]] = await pipe.execute()
        event = msgspec.json.decode(stored.payload, type=Event)
        deliveries = [
            _delivery(endpoint_id, state)
            for endpoint_id, state in zip(stored.endpoint_ids, states, strict=True)
            if state
        ]
        return EventLogEntry(**msgspec.structs.asdict(event), deliveries=deliveries)

    async def page(self, tenant_id: str, before: str | None, limit: int) -> tuple[list[str], str | None]:
        """Up to ``limit`` event ids older than ``before`` (newest first), and the last one if more follow."""
        start = "+" if before is None else f"({before}"
        ids = cast(
            list[str],
            await self.redis.zrange(
                keys.tenant_events(tenant_id), start, "-", desc=True, bylex=True, offset=0, num=limit + 1
            ),
        )
        return ids[:limit], ids[limit - 1] if len(ids) > limit else None

    async def forget(self, tenant_id: str, event_ids: list[str]) -> None:
        """Drop expired events from the index."""
        if event_ids:
            await self.redis.zrem(keys.tenant_events(tenant_id), *event_ids)


def _delivery(endpoint_id: str, state: dict[str, str]) -> EventDelivery:
    return EventDelivery(
        endpoint_id=endpoint_id,
        status=state.get("status", "pending"),
        attempts=int(state.get("attempts", 0)),
        last_attempt_at=_instant(state.get("last_attempt_at")),
        last_status_code=int(state["last_status_code"]) if "last_status_code" in state else None,
        last_error=state.get("last_error"),
        next_attempt_at=_instant(state.get("next_attempt_at")),
        delivered_at=_instant(state.get("delivered_at")),
    )


def _instant(millis: Any) -> datetime | None:
    return None if millis is None else datetime.fromtimestamp(int(float(millis)) / 1000, tz=UTC)
