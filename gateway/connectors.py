"""The connectors of one gateway process: the shared upstream client, pacer and locking engine, and per
request a :class:`~connectors.lexoffice.client.LexofficeClient` for the resolved account.

One :class:`~connectors.http.UpstreamClient` (one connection pool) serves every lexoffice account; pacing
is per API key in Redis, so every process shares each key's schedule. An account's version cache is scoped
by its account id.
"""

from __future__ import annotations

from dataclasses import dataclass

from redis.asyncio import Redis

from connectors.concurrency import LockingEngine
from connectors.http import UpstreamClient
from connectors.lexoffice.client import LexofficeClient
from connectors.lexoffice.traffic import (
    INTERVAL,
    LexofficeVersioning,
    lexoffice_credential,
    lexoffice_profile,
)
from connectors.pacer import Pacer
from connectors.redis_store import RedisStore

from .accounts import ResolvedAccount
from .settings import Settings


@dataclass(frozen=True)
class Connectors:
    """The process-wide connector machinery."""

    lexoffice_upstream: UpstreamClient
    lexoffice_locking: LockingEngine
    lexoffice_interval: float = INTERVAL
    """Seconds between two calls with one lexoffice API key."""

    @classmethod
    def build(
        cls, settings: Settings, redis: Redis, *, lexoffice_interval: float | None = None
    ) -> Connectors:
        """The connectors for these settings; ``lexoffice_interval`` overrides lexoffice's pacing (e.g. for
        an unthrottled sandbox key)."""
        store = RedisStore(redis)
        upstream = UpstreamClient(lexoffice_profile(settings.lexoffice_base_url), Pacer(store))
        locking = LockingEngine(upstream, store, LexofficeVersioning())
        return cls(upstream, locking, INTERVAL if lexoffice_interval is None else lexoffice_interval)

    def lexoffice(self, account: ResolvedAccount, deadline: float | None = None) -> LexofficeClient:
        """A client for this lexoffice account; ``deadline`` bounds all its calls (seconds)."""
        credential = lexoffice_credential(account.credentials["api_key"], interval=self.lexoffice_interval)
        return LexofficeClient(
            self.lexoffice_upstream, self.lexoffice_locking, credential, account.record.id, deadline
        )

    async def aclose(self) -> None:
        """Close the upstream connection pools (app shutdown)."""
        await self.lexoffice_upstream.aclose()
