"""Webhook fixtures: a gateway (real HTTP, real Redis) with webhook settings for tests, on the sandbox.

The gateway verifies callbacks with the sandbox's public key, accepts loopback endpoints, retries after a
few milliseconds, and gives events the current contact through :class:`SandboxContacts` (a real resource
fetcher reading the sandbox over HTTP). ``HookedGateway.drain()`` waits until every piece of webhook work is
done — no sleeps.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
import pytest
from litestar import Litestar

from gateway.app import create_app
from gateway.services import STATE_KEY, Services
from gateway.serving import ThreadedServer, free_port
from gateway.settings import Settings
from gateway.webhooks import Webhooks
from tests.gateway.conftest import Gateway, TenantHandle, gateway_settings
from tests.support.redis_server import RedisServer
from tests.support.sandbox import RunningSandbox, SandboxOrg

T = TypeVar("T")
RETRIES = 3
"""Retries after the first attempt (so four attempts in all)."""
FAST_INTERVAL = 0.001
"""Seconds between upstream calls with one key: the tests' sandbox keys are not throttled."""
HOOKED_DB, STRICT_DB, PROCESSES_DB = 2, 3, 4
"""Redis databases of their own: gateways on one database share the webhook work (and so must share their
settings); other test layers' gateways use database 0. The ``redis_url`` fixture flushes them all."""


def database(redis_url: str, number: int) -> str:
    """The URL of another database of the same Redis server."""
    return redis_url.rsplit("/", 1)[0] + f"/{number}"


@dataclass
class HookedGateway:
    """A running gateway with its app object at hand (for draining the webhook workers)."""

    app: Litestar
    server: ThreadedServer
    settings: Settings

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def redis_url(self) -> str:
        return self.settings.require_redis_url()

    @property
    def api(self) -> Gateway:
        return Gateway(self.url, self.settings)

    @property
    def webhooks(self) -> Webhooks:
        services: Services = self.app.state[STATE_KEY]
        return services.webhooks

    def run(self, work: Coroutine[Any, Any, T], timeout: float = 60) -> T:
        """Run a coroutine on the gateway's event loop and wait for its result."""
        assert self.server.loop is not None
        return asyncio.run_coroutine_threadsafe(work, self.server.loop).result(timeout)

    def drain(self, timeout: float = 30) -> None:
        """Wait until no webhook work is left (queued, scheduled, in flight)."""

        async def drained() -> None:
            async with asyncio.timeout(timeout):
                await self.webhooks.workers.drain()

        self.run(drained(), timeout + 5)


def webhook_settings(redis_url: str, sandbox: RunningSandbox, port: int, **overrides: Any) -> Settings:
    """Gateway test settings with webhooks on: the sandbox's key, loopback endpoints, fast retries."""
    public_key = httpx.get(f"{sandbox.url}/_sandbox/public-key.pem").text
    values: dict[str, Any] = {
        "public_url": f"http://127.0.0.1:{port}",
        "mode": "development",
        "webhooks_allow_private_targets": True,
        "lexoffice_webhook_public_key": public_key,
        "webhook_retry_schedule": ",".join(["0.02"] * RETRIES),
        "webhook_timeout": 5.0,
        "webhook_claim_idle": 5.0,
    }
    return gateway_settings(redis_url, sandbox, **(values | overrides))


@contextmanager
def hooked_gateway(redis_url: str, sandbox: RunningSandbox, **overrides: Any) -> Iterator[HookedGateway]:
    port = free_port()
    settings = webhook_settings(redis_url, sandbox, port, **overrides)
    app = create_app(settings, lexoffice_interval=FAST_INTERVAL)
    with ThreadedServer(app, port=port) as server:
        yield HookedGateway(app, server, settings)


@pytest.fixture(scope="session")
def hooked(redis_server: RedisServer, sandbox: RunningSandbox) -> Iterator[HookedGateway]:
    """The webhook-ready gateway, for the whole session (each test flushes Redis with ``redis_url``)."""
    with hooked_gateway(database(redis_server.url, HOOKED_DB), sandbox) as running:
        yield running


@pytest.fixture(scope="session")
def strict(redis_server: RedisServer, sandbox: RunningSandbox) -> Iterator[HookedGateway]:
    """A gateway as production runs it by default: https endpoints only, no private targets, and (here)
    no lexoffice key configured."""
    with hooked_gateway(
        database(redis_server.url, STRICT_DB),
        sandbox,
        mode="production",
        webhooks_allow_private_targets=False,
        lexoffice_webhook_public_key=None,
    ) as running:
        yield running


@dataclass(frozen=True)
class Connected:
    """A tenant with one account connected to a sandbox organization."""

    tenant: TenantHandle
    account_id: str
    lex: SandboxOrg

    def client(self) -> httpx.Client:
        return self.tenant.client()


@pytest.fixture
def connected(hooked: HookedGateway, redis_url: str, lex: SandboxOrg) -> Connected:
    """A fresh tenant (on a flushed Redis) with the test's sandbox organization connected."""
    tenant = hooked.api.new_tenant()
    with tenant.client() as client:
        response = client.post(
            "/v1/accounts", json={"connector": "lexoffice", "credentials": {"api_key": lex.api_key}}
        )
    assert response.status_code == 201, response.text
    return Connected(tenant, response.json()["id"], lex)


def create_endpoint(client: httpx.Client, url: str, events: list[str], **extra: Any) -> dict[str, Any]:
    """Register an endpoint; returns the answer (with the one-time ``secret``)."""
    response = client.post("/v1/webhook-endpoints", json={"url": url, "events": events, **extra})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def subscriptions(lex: SandboxOrg) -> list[dict[str, Any]]:
    """The organization's event subscriptions in the sandbox."""
    with lex.client() as client:
        response = client.get("/v1/event-subscriptions")
    assert response.status_code == 200
    content: list[dict[str, Any]] = response.json()["content"]
    return content
