"""Fixtures of the traffic-engine tests: a Redis store and pacer, and an UpstreamClient on the sandbox."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
import pytest_asyncio
from redis.asyncio import Redis

from connectors.http import TrafficProfile, UpstreamClient, UpstreamCredential
from connectors.lexoffice.traffic import lexoffice_credential, lexoffice_profile
from connectors.pacer import Pacer
from connectors.redis_store import RedisStore
from connectors.retry import RetryPolicy
from tests.support.sandbox import SandboxOrg

FAST_INTERVAL = 0.001  # the default sandbox key is not throttled; keep tests quick


@pytest_asyncio.fixture(loop_scope="function")
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url)
    yield client
    await client.aclose()


@pytest.fixture
def store(redis: Redis) -> RedisStore:
    return RedisStore(redis)


@pytest.fixture
def pacer(store: RedisStore) -> Pacer:
    return Pacer(store)


@pytest.fixture
def profile(lex: SandboxOrg) -> TrafficProfile:
    """lexoffice's profile pointed at the sandbox, with short penalties and backoffs."""
    return replace(
        lexoffice_profile(lex.sandbox.url),
        penalty=0.05,
        retry=RetryPolicy(max_attempts=4, base_delay=0.01, max_delay=0.05),
    )


@pytest.fixture
def credential(lex: SandboxOrg) -> UpstreamCredential:
    return lexoffice_credential(lex.api_key, interval=FAST_INTERVAL)


@pytest_asyncio.fixture(loop_scope="function")
async def upstream(profile: TrafficProfile, pacer: Pacer) -> AsyncIterator[UpstreamClient]:
    async with UpstreamClient(profile, pacer) as client:
        yield client
