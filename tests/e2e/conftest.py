"""End-to-end fixtures: the gateway over real HTTP on the session's sandbox and real Redis, a tenant, and an
account connected to a fresh sandbox organization.

* ``e2e_gateway`` / ``gateway_url`` — one gateway for the session (lexoffice pacing shortened: the sandbox
  keys of the tests are not throttled);
* ``tenant`` — a new tenant with its API key; ``tenant_client`` — an httpx client with that key;
* ``account`` — ``{"id": ..., "lex": SandboxOrg}``: an account of the tenant connected to the fresh ``lex``
  organization;
* ``api`` — an httpx client with the API key **and** ``X-Account-Id`` of ``account``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from gateway.app import create_app
from gateway.serving import ThreadedServer
from tests.gateway.conftest import Gateway, TenantHandle, gateway_settings
from tests.support.redis_server import RedisServer
from tests.support.sandbox import RunningSandbox, SandboxOrg

FAST_INTERVAL = 0.001
"""Seconds between two calls with one lexoffice key (the sandbox's test keys take 1000/s)."""


@pytest.fixture(scope="session")
def e2e_gateway(redis_server: RedisServer, sandbox: RunningSandbox) -> Iterator[Gateway]:
    """The gateway for the end-to-end tests, served on a loopback port for the whole session."""
    settings = gateway_settings(redis_server.url, sandbox)
    with ThreadedServer(create_app(settings, lexoffice_interval=FAST_INTERVAL)) as server:
        yield Gateway(server.url, settings)


@pytest.fixture(scope="session")
def gateway_url(e2e_gateway: Gateway) -> str:
    return e2e_gateway.url


@pytest.fixture
def tenant(e2e_gateway: Gateway) -> TenantHandle:
    """A new tenant with its first API key."""
    return e2e_gateway.new_tenant("E2E SaaS")


@pytest.fixture
def tenant_client(tenant: TenantHandle) -> Iterator[httpx.Client]:
    """An httpx client authenticated with the tenant's API key (no account header)."""
    with tenant.client() as client:
        yield client


@pytest.fixture
def account(tenant_client: httpx.Client, lex: SandboxOrg) -> dict[str, Any]:
    """An account of the tenant connected to a fresh sandbox organization: ``{"id", "lex"}``."""
    response = tenant_client.post(
        "/v1/accounts", json={"connector": "lexoffice", "credentials": {"api_key": lex.api_key}}
    )
    assert response.status_code == 201, response.text
    return {"id": response.json()["id"], "lex": lex}


@pytest.fixture
def api(tenant: TenantHandle, account: dict[str, Any]) -> Iterator[httpx.Client]:
    """An httpx client with the tenant's API key and ``X-Account-Id`` of ``account``."""
    with tenant.client() as client:
        client.headers["X-Account-Id"] = account["id"]
        yield client
