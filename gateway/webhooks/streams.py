"""Redis Streams work queues shared by every gateway process: one consumer group per stream.

Producers append with ``enqueue.lua`` (which also creates the group, so no stream exists before there is
work). Each process reads new entries as its own consumer (``XREADGROUP``); an entry stays pending until
it is acknowledged, and pending entries of a consumer that went silent (a crashed process) are taken over
with ``XAUTOCLAIM`` once idle long enough. Acknowledged entries are deleted, so a stream's length is the work
not yet done.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from redis.asyncio import Redis
from redis.exceptions import ResponseError

GROUP = "ledgerbridge"
_ENQUEUE = (Path(__file__).parent / "enqueue.lua").read_text()


@dataclass(frozen=True)
class Entry:
    """One stream entry."""

    id: str
    fields: dict[str, str]


class WorkStream:
    """One stream as seen by one consumer (a gateway process)."""

    def __init__(self, redis: Redis, key: str, consumer: str) -> None:
        self.redis = redis
        self.key = key
        self.consumer = consumer
        self._enqueue = redis.register_script(_ENQUEUE)
        self._claim_cursor = "0-0"

    async def add(
        self, fields: Mapping[str, str | int], *, once: str | None = None, once_ttl_ms: int = 0
    ) -> bool:
        """Append an entry; with ``once`` (a marker key) only if that marker is not set yet."""
        args: list[str | int] = [GROUP, once_ttl_ms]
        for name, value in fields.items():
            args += [name, value]
        added = await self._enqueue(keys=[self.key, *([once] if once else [])], args=args)
        return added is not None

    async def read(self, count: int, block_ms: int) -> list[Entry] | None:
        """Up to ``count`` new entries, waiting up to ``block_ms``; ``None`` if there is no stream yet."""
        try:
            reply = await self.redis.xreadgroup(
                GROUP, self.consumer, {self.key: ">"}, count=count, block=block_ms
            )
        except ResponseError as exc:
            if "NOGROUP" not in str(exc):
                raise
            return None if not await self._create_group() else []
        streams = cast(list[tuple[str, list[Any]]], reply or [])
        return [entry for _, entries in streams for entry in _entries(entries)]

    async def reclaim(self, min_idle_ms: int, count: int) -> list[Entry]:
        """Take over up to ``count`` entries pending longer than ``min_idle_ms`` with any consumer."""
        try:
            reply = await self.redis.xautoclaim(
                self.key, GROUP, self.consumer, min_idle_ms, start_id=self._claim_cursor, count=count
            )
        except ResponseError as exc:
            if "NOGROUP" not in str(exc):
                raise
            return []
        self._claim_cursor = reply[0]
        vanished = [entry_id for entry_id, fields in reply[1] if fields is None]
        if vanished:  # deleted while pending (Redis 6 keeps them in the pending list)
            await self.redis.xack(self.key, GROUP, *vanished)
        return _entries(reply[1])

    async def done(self, entry_id: str) -> None:
        """Acknowledge and delete an entry."""
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.xack(self.key, GROUP, entry_id)
            pipe.xdel(self.key, entry_id)
            await pipe.execute()

    async def length(self) -> int:
        """Entries not yet done (new and pending)."""
        return int(await self.redis.xlen(self.key))

    async def _create_group(self) -> bool:
        """Create the group if the stream exists; whether the stream exists."""
        try:
            await self.redis.xgroup_create(self.key, GROUP, id="0")
        except ResponseError as exc:
            return "BUSYGROUP" in str(exc)
        return True


def _entries(raw: list[Any]) -> list[Entry]:
    return [Entry(entry_id, dict(fields)) for entry_id, fields in raw if fields is not None]
