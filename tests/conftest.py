"""Session fixtures shared by every test layer: a real Redis and a real sandbox over loopback HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis

from tests.support.redis_server import RedisServer
from tests.support.sandbox import RunningSandbox, SandboxOrg, running_sandbox

pytest_plugins = ["tests.support.logs"]  # the `log_stream` fixture


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """A private redis-server for the whole test session."""
    server = RedisServer.start()
    yield server
    server.stop()


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """The Redis URL, flushed before each test."""
    client = redis.Redis.from_url(redis_server.url)
    client.flushall()
    client.close()
    return redis_server.url


@pytest.fixture(scope="session")
def sandbox() -> Iterator[RunningSandbox]:
    """The lexoffice sandbox, served on a free loopback port for the whole session."""
    with running_sandbox() as running:
        yield running


@pytest.fixture
def lex(sandbox: RunningSandbox) -> SandboxOrg:
    """A fresh sandbox organization with an unthrottled API key."""
    return sandbox.new_org()
