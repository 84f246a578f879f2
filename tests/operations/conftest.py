"""Fixtures of the operation process tests: a survivor gateway process on a Redis database of its own, and
helpers to find an operation's record and to let its lease run out."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import redis

from gateway import keys
from gateway.operations.service import operation_id_for
from tests.support.redis_server import RedisServer
from tests.support.sandbox import RunningSandbox
from tests.webhooks.conftest import database
from tests.webhooks.processes import GatewayProcess, gateway_environment

CRASH_DB = 6
"""A Redis database of their own (other gateways of the session must not sweep these operations)."""


@dataclass
class Cluster:
    """The survivor process (it stays up) and the environment to start victims with."""

    survivor: GatewayProcess
    environment: dict[str, str]
    redis: redis.Redis


@pytest.fixture(scope="module")
def cluster(redis_server: RedisServer, sandbox: RunningSandbox) -> Iterator[Cluster]:
    url = database(redis_server.url, CRASH_DB)
    environment = gateway_environment(url, sandbox.url, operation_sweep_seconds="0.2")
    survivor = GatewayProcess(environment).start()
    client = redis.Redis.from_url(url, decode_responses=True)
    try:
        yield Cluster(survivor, environment, client)
    finally:
        survivor.stop()
        client.close()


def expire_lease(client: redis.Redis, tenant_id: str, operation_id: str) -> None:
    """What the passing of the lease's time does: the dead process no longer holds the operation."""
    client.hset(keys.tenant_operation(tenant_id, operation_id), "lease_until", 0)
    client.zadd(keys.OPERATIONS_DUE, {f"{tenant_id}/{operation_id}": 0})


def operation_of_request(client: redis.Redis, account_id: str, key: str) -> tuple[str, str]:
    """Tenant and id of the operation the request with ``key`` runs as (derived from tenant, account and
    key; the tenant is read off the record's key)."""
    for record in client.scan_iter(match=keys.tenant_operation("*", "op_*"), count=1000):
        tenant_id = record.split("{tenant:")[1].split("}")[0]
        candidate = operation_id_for(tenant_id, account_id, key)
        if record == keys.tenant_operation(tenant_id, candidate):
            return tenant_id, candidate
    raise AssertionError("no operation recorded for the request")
