"""Operation records in Redis (:file:`operations.lua`): claim by id, save after every step, finish with the
final response, release the lease; and the index of running operations that the sweeper scans."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import msgspec
from redis.asyncio import Redis

from schemas.operations import Operation

from .. import keys

SCRIPT = Path(__file__).with_name("operations.lua").read_text()


class StoredResponse(msgspec.Struct, kw_only=True):
    """A finished operation's response, replayed to every retry."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes


@dataclass(frozen=True)
class Claim:
    """What a claim found: ``new``, ``resumed`` (both now ours), ``busy``, ``finished``, ``mismatch``,
    ``gone`` or ``idle``."""

    verdict: str
    operation: Operation | None = None
    input: bytes | None = None
    response: StoredResponse | None = None
    lease_until: int | None = None

    @property
    def ours(self) -> bool:
        return self.verdict in ("new", "resumed")


class LeaseLost(Exception):
    """Another process took the operation over (this one's lease had run out): stop without writing."""


def _member(tenant_id: str, operation_id: str) -> str:
    return f"{tenant_id}/{operation_id}"


class OperationStore:
    """The operations of every tenant; ``lease_seconds`` is how long a claim holds without renewal."""

    def __init__(self, redis: Redis, lease_seconds: float, retention_seconds: float) -> None:
        self.redis = redis
        self.lease_ms = int(lease_seconds * 1000)
        self.retention_ms = int(retention_seconds * 1000)
        self._script = redis.register_script(SCRIPT)

    async def _index(self, tenant_id: str, operation: Operation, score: int | None) -> None:
        member = _member(tenant_id, operation.id)
        if score is None:
            await self.redis.zrem(keys.OPERATIONS_DUE, member)
        else:
            await self.redis.zadd(keys.OPERATIONS_DUE, {member: score})

    async def claim(
        self, tenant_id: str, operation: Operation, fingerprint: str, owner: str, data: bytes
    ) -> Claim:
        """Create ``operation`` (running, ours) or find the one with its id (see :class:`Claim`)."""
        reply = await self._script(
            keys=[keys.tenant_operation(tenant_id, operation.id)],
            args=["claim", fingerprint, owner, self.lease_ms, msgspec.json.encode(operation), data],
        )
        claim = _claim(reply)
        if claim.ours:
            await self._index(tenant_id, claim.operation or operation, claim.lease_until)
        return claim

    async def takeover(self, tenant_id: str, operation_id: str, owner: str, *, failed_too: bool) -> Claim:
        """Take an unfinished operation whose lease ran out (with ``failed_too`` also a failed one)."""
        reply = await self._script(
            keys=[keys.tenant_operation(tenant_id, operation_id)],
            args=["takeover", owner, self.lease_ms, "any" if failed_too else "running"],
        )
        claim = _claim(reply)
        if claim.verdict in ("gone", "finished", "idle"):
            await self.redis.zrem(keys.OPERATIONS_DUE, _member(tenant_id, operation_id))
        elif claim.ours and claim.operation is not None:
            await self._index(tenant_id, claim.operation, claim.lease_until)
        return claim

    async def save(self, tenant_id: str, operation: Operation, owner: str) -> None:
        """Record the operation's state and renew the lease; :class:`LeaseLost` if it is no longer ours."""
        ok, *rest = await self._script(
            keys=[keys.tenant_operation(tenant_id, operation.id)],
            args=["save", owner, msgspec.json.encode(operation), self.lease_ms],
        )
        if not ok:
            raise LeaseLost(operation.id)
        await self._index(tenant_id, operation, int(rest[0]))

    async def finish(
        self, tenant_id: str, operation: Operation, owner: str, response: StoredResponse
    ) -> None:
        """Store the final state and response (kept for the retention time); :class:`LeaseLost` if the
        operation is no longer ours."""
        done = await self._script(
            keys=[keys.tenant_operation(tenant_id, operation.id)],
            args=[
                "finish",
                owner,
                msgspec.json.encode(operation),
                msgspec.json.encode(response),
                self.retention_ms,
            ],
        )
        if not done:
            raise LeaseLost(operation.id)
        await self._index(tenant_id, operation, None)

    async def release(self, tenant_id: str, operation: Operation, owner: str, *, failed: bool) -> None:
        """Give the lease up: a ``failed`` operation waits for a retry; otherwise (shutdown) another process
        picks it up at once."""
        released = await self._script(
            keys=[keys.tenant_operation(tenant_id, operation.id)],
            args=["release", owner, msgspec.json.encode(operation), "failed" if failed else "0"],
        )
        if released:
            await self._index(tenant_id, operation, None if failed else 0)

    async def load(self, tenant_id: str, operation_id: str) -> Operation | None:
        """The operation's recorded state (``None``: no such operation of this tenant)."""
        state = await self.redis.hget(keys.tenant_operation(tenant_id, operation_id), "state")
        return None if state is None else msgspec.json.decode(state, type=Operation)

    async def due(self, limit: int) -> list[tuple[str, str]]:
        """Up to ``limit`` running operations whose lease has run out: ``(tenant_id, operation_id)``."""
        seconds, micros = await self.redis.time()
        now_ms = int(seconds) * 1000 + int(micros) // 1000
        members = await self.redis.zrangebyscore(keys.OPERATIONS_DUE, "-inf", now_ms, start=0, num=limit)
        due = [str(member).partition("/") for member in members]
        return [(tenant_id, operation_id) for tenant_id, _, operation_id in due]


def _claim(reply: list[str]) -> Claim:
    verdict = reply[0]
    if verdict == "finished" and len(reply) > 1:
        return Claim(verdict, response=msgspec.json.decode(reply[1], type=StoredResponse))
    if verdict == "busy" and len(reply) > 1:
        return Claim(verdict, operation=msgspec.json.decode(reply[1], type=Operation))
    if verdict == "new":
        return Claim(verdict, lease_until=int(reply[1]))
    if verdict == "resumed":
        return Claim(
            verdict,
            operation=msgspec.json.decode(reply[1], type=Operation),
            input=reply[2].encode(),
            lease_until=int(reply[3]),
        )
    return Claim(verdict)
