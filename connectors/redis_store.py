"""The connector layer's Redis access: every key name and every Redis operation of the connectors.

Keys carry hash tags — ``lb:{cred:<id>}:…`` per upstream credential, ``lb:{acct:<scope>}:…`` per account —
so every script and multi-key operation of one credential or account stays in one Redis Cluster slot.
Works with ``redis.asyncio.Redis`` and ``redis.asyncio.RedisCluster`` alike, with or without
``decode_responses``. Every paced call makes a Redis round trip, so give ``Redis`` a
``BlockingConnectionPool``: a burst of callers then queues for a connection instead of failing.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from redis.asyncio import Redis, RedisCluster

RedisClient = Redis | RedisCluster

PACER_SCRIPT = Path(__file__).with_name("pacer.lua")


def pacer_key(credential_id: str) -> str:
    """The GCRA schedule (theoretical arrival time) of one upstream credential."""
    return f"lb:{{cred:{credential_id}}}:pacer"


def version_cache_key(account_scope: str, resource: str) -> str:
    """The last seen body of one upstream resource (e.g. ``contacts/<id>``) of one account."""
    return f"lb:{{acct:{account_scope}}}:version:{resource}"


def external_id_key(account_scope: str, collection: str, external_id: str) -> str:
    """The upstream id of the record a client knows by its own id (lexoffice has no field for it)."""
    digest = hashlib.sha256(external_id.encode()).hexdigest()
    return f"lb:{{acct:{account_scope}}}:external-id:{collection}:{digest}"


class RedisStore:
    """The typed Redis operations the connectors need."""

    def __init__(self, redis: RedisClient) -> None:
        self.redis = redis
        self._pacer = redis.register_script(PACER_SCRIPT.read_text())

    async def run_pacer(self, credential_id: str, *args: str | int) -> tuple[int, int, int]:
        """Run ``pacer.lua`` on the credential's schedule; returns its three integers."""
        result = await self._pacer(keys=[pacer_key(credential_id)], args=list(args))
        ok, amount, slot = (int(value) for value in result)
        return ok, amount, slot

    async def get_version_entry(self, account_scope: str, resource: str) -> dict[str, Any] | None:
        """The cached body of a resource, or ``None``."""
        raw = await self.redis.get(version_cache_key(account_scope, resource))
        if raw is None:
            return None
        body: dict[str, Any] = json.loads(raw)
        return body

    async def set_version_entry(
        self, account_scope: str, resource: str, body: dict[str, Any], ttl_seconds: float
    ) -> None:
        """Cache a resource's body (with its version) for ``ttl_seconds``."""
        payload = json.dumps(body, separators=(",", ":"), ensure_ascii=False)
        await self.redis.set(
            version_cache_key(account_scope, resource), payload, px=max(1, round(ttl_seconds * 1000))
        )

    async def delete_version_entry(self, account_scope: str, resource: str) -> None:
        """Forget a resource's cached body."""
        await self.redis.delete(version_cache_key(account_scope, resource))

    async def get_external_id(self, account_scope: str, collection: str, external_id: str) -> str | None:
        """The upstream id mapped to a client's ``external_id`` (``None``: none yet)."""
        found = await self.redis.get(external_id_key(account_scope, collection, external_id))
        return found.decode() if isinstance(found, bytes) else found

    async def set_external_id(
        self, account_scope: str, collection: str, external_id: str, upstream_id: str
    ) -> None:
        """Map a client's ``external_id`` to the upstream record (kept as long as the account)."""
        await self.redis.set(external_id_key(account_scope, collection, external_id), upstream_id)
