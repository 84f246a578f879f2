"""Secrets never leak: after successful and failing accounting calls, neither the tenant's API key nor the
account's lexoffice API key appears in plaintext in any log line, problem body, metric or Redis value."""

from __future__ import annotations

import io
from typing import Any

import httpx
import redis

from tests.e2e.helpers import upstream_calls
from tests.gateway.conftest import TenantHandle
from tests.support.logs import lines
from tests.support.redis_server import RedisServer
from tests.support.sandbox import SandboxOrg

CONTACTS = "/v1/accounting/contacts"


def person(last_name: str) -> dict[str, Any]:
    return {"type": "person", "roles": ["customer"], "person": {"last_name": last_name}}


def redis_values(url: str) -> bytes:
    """Every key and every value of every type in Redis, as one blob."""
    client = redis.Redis.from_url(url)
    parts: list[Any] = []
    try:
        for key in client.scan_iter(count=1000):
            parts.append(key)
            kind = client.type(key)
            if kind == b"string":
                parts.append(client.get(key) or b"")
            elif kind == b"hash":
                parts += [item for pair in client.hgetall(key).items() for item in pair]
            elif kind in (b"zset", b"list"):
                parts += client.zrange(key, 0, -1) if kind == b"zset" else client.lrange(key, 0, -1)
            elif kind == b"set":
                parts += list(client.smembers(key))
            elif kind == b"stream":
                parts.append(str(client.xrange(key)).encode())
            else:
                raise AssertionError(f"unexpected Redis type {kind!r} of {key!r}")
    finally:
        client.close()
    return b"\n".join(part if isinstance(part, bytes) else str(part).encode() for part in parts)


def exercise(api: httpx.Client, tenant: TenantHandle, lex: SandboxOrg) -> list[str]:
    """Successful and failing calls of every kind; returns the problem bodies answered."""
    answers: list[httpx.Response] = []
    created = api.post(
        CONTACTS, json={"type": "person", "roles": ["customer"], "person": {"last_name": "Geheim"}}
    )
    contact_id = created.json()["id"]
    answers += [
        created,
        api.get(CONTACTS, params={"name": "Geheim", "include_raw": "true"}),
        api.patch(f"{CONTACTS}/{contact_id}", json={"note": "updated"}),
        api.post(CONTACTS, json={"type": "person", "roles": ["boss"]}),  # 422 from the gateway
        api.post(CONTACTS, json={**person("X"), "raw": {"person": {"salutation": "S" * 40}}}),  # upstream 406
        api.get(f"{CONTACTS}/00000000-0000-4000-8000-000000000000"),  # upstream 404
        api.patch(f"{CONTACTS}/{contact_id}", json={"note": "stale"}, headers={"If-Match": '"1"'}),  # 409
        api.get("/v1/passthrough/v1/profile"),
        api.get("/v1/passthrough/v1/../profile"),
        api.get(CONTACTS, headers={"Authorization": f"Bearer {tenant.key}x"}),  # 401, the key as a prefix
    ]
    with tenant.client() as plain:
        answers.append(
            plain.post(
                "/v1/accounts", json={"connector": "lexoffice", "credentials": {"api_key": lex.api_key + "x"}}
            )
        )
    lex.set_faults(
        queue=[
            {"kind": "status:503", "methods": ["GET"]},
            {"kind": "timeout-after-perform", "methods": ["POST"]},
        ]
    )
    answers += [
        api.get(CONTACTS),  # retried
        api.post(
            CONTACTS, json={"type": "person", "roles": ["customer"], "person": {"last_name": "Y"}}
        ),  # 504
    ]
    with lex.sandbox.control() as control:
        control.delete(f"/_sandbox/keys/{lex.api_key}").raise_for_status()
    answers.append(api.get(CONTACTS))  # 424: the upstream rejects the revoked key
    statuses = [answer.status_code for answer in answers]
    assert statuses == [201, 200, 200, 422, 422, 404, 409, 200, 400, 401, 422, 200, 504, 424]
    return [answer.text for answer in answers if answer.status_code >= 400]


def test_keys_never_appear_in_logs_problems_metrics_or_redis(
    log_stream: io.StringIO,
    redis_server: RedisServer,
    gateway_url: str,
    tenant: TenantHandle,
    api: httpx.Client,
    account: dict[str, Any],
) -> None:
    lex: SandboxOrg = account["lex"]
    problems = exercise(api, tenant, lex)
    assert upstream_calls(lex) > 0
    metrics = httpx.get(f"{gateway_url}/metrics").text
    # the test's own calls of the sandbox control surface (keys in their URLs) are logged too: leave them out
    logged = "\n".join(line for line in log_stream.getvalue().splitlines() if "/_sandbox/" not in line)
    records = lines(log_stream)
    assert any(r["event"] == "upstream.call" and r.get("account_id") == account["id"] for r in records)
    stored = redis_values(redis_server.url)

    for secret in (tenant.key, lex.api_key):
        assert secret not in logged
        assert all(secret not in body for body in problems)
        assert secret not in metrics
        assert secret.encode() not in stored
