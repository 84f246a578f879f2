"""Gateway fixtures: the gateway app served over loopback HTTP on the session's real Redis and sandbox."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import redis

from gateway.app import create_app
from gateway.serving import ThreadedServer
from gateway.settings import Settings
from gateway.verification import CredentialVerifier
from tests.support.redis_server import RedisServer
from tests.support.sandbox import RunningSandbox

ADMIN_TOKEN = "admin-" + secrets.token_urlsafe(24)
MASTER_KEY = base64.b64encode(secrets.token_bytes(32)).decode()


@dataclass(frozen=True)
class TenantHandle:
    """A tenant created through the admin API, with its first API key."""

    id: str
    key: str
    key_id: str
    gateway: Gateway

    def client(self) -> httpx.Client:
        return self.gateway.client(self.key)


@dataclass(frozen=True)
class Gateway:
    """A running gateway."""

    url: str
    settings: Settings

    def client(self, bearer: str | None = None, **kwargs: Any) -> httpx.Client:
        headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=10, **kwargs)

    def admin(self) -> httpx.Client:
        return self.client(ADMIN_TOKEN)

    def new_tenant(self, name: str = "Acme SaaS", **quota: Any) -> TenantHandle:
        with self.admin() as admin:
            response = admin.post("/v1/admin/tenants", json={"name": name, **quota})
        assert response.status_code == 201, response.text
        body = response.json()
        return TenantHandle(body["tenant"]["id"], body["api_key"]["key"], body["api_key"]["id"], self)


def gateway_settings(redis_url: str, sandbox: RunningSandbox, **overrides: Any) -> Settings:
    """Test settings: generous default quota (limiter tests set their own per tenant)."""
    values: dict[str, Any] = {
        "redis_url": redis_url,
        "master_key": MASTER_KEY,
        "admin_token": ADMIN_TOKEN,
        "lexoffice_base_url": sandbox.url,
        "default_tenant_rate": 10_000.0,
        "default_tenant_burst": 10_000,
        "max_body_bytes": 64 * 1024,
    }
    return Settings(**(values | overrides))


@contextmanager
def serve_gateway(settings: Settings, verifier: CredentialVerifier | None = None) -> Iterator[Gateway]:
    """The gateway app with these settings, served on a free loopback port."""
    with ThreadedServer(create_app(settings, verifier=verifier)) as server:
        yield Gateway(server.url, settings)


@pytest.fixture(scope="session")
def gateway(redis_server: RedisServer, sandbox: RunningSandbox) -> Iterator[Gateway]:
    """The gateway with the default test settings, for the whole session."""
    with serve_gateway(gateway_settings(redis_server.url, sandbox)) as running:
        yield running


def redis_keys(url: str) -> set[bytes]:
    """The names of all keys in Redis."""
    client = redis.Redis.from_url(url)
    try:
        return set(client.scan_iter(count=1000))
    finally:
        client.close()


def redis_dump(url: str) -> bytes:
    """Every key name and value in Redis (``DUMP`` plus the readable value of each type), as one blob."""
    client = redis.Redis.from_url(url)
    parts: list[bytes] = []
    try:
        for key in client.scan_iter(count=1000):
            parts += [key, client.dump(key) or b""]
            kind = client.type(key)
            if kind == b"string":
                parts.append(client.get(key) or b"")
            elif kind == b"hash":
                for field, value in client.hgetall(key).items():
                    parts += [field, value]
            elif kind == b"zset":
                parts += client.zrange(key, 0, -1)
            elif kind == b"set":
                parts += list(client.smembers(key))
            else:
                raise AssertionError(f"unexpected Redis type {kind!r} of {key!r}")
    finally:
        client.close()
    return b"\n".join(parts)
