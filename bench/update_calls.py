"""Benchmark 3 — upstream calls per update of a lexoffice contact (``PUT /v1/contacts/{id}``).

The locking engine reads the last seen body and version from its Redis version cache, so an update is one
PUT when the cache is warm (goal 1) and GET + PUT when it is cold (2); a concurrent edit of another field
costs a 409, a re-read and a second PUT (3). Baseline: the usual read-modify-write, GET + PUT every time.
At lexoffice's 2 requests/second, each upstream call is about half a second of the account's quota.

    .venv/bin/python -m bench.update_calls [--updates 30]
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from bench._harness import Environment, arguments, environment, header, table
from connectors.concurrency import LockingEngine, Resource
from connectors.http import UpstreamClient
from connectors.lexoffice.traffic import (
    INTERVAL,
    LexofficeVersioning,
    lexoffice_credential,
    lexoffice_profile,
)
from connectors.pacer import Pacer
from connectors.redis_store import RedisStore
from tests.support.sandbox import SandboxOrg
from tests.traffic.workers import redis_client

SCOPE = "bench"
Update = Callable[[int], Awaitable[object]]


def new_contact(org: SandboxOrg) -> Resource:
    body = {"version": 0, "roles": {"customer": {}}, "company": {"name": "Bench GmbH"}, "note": "0"}
    with org.client() as c:
        created = c.post("/v1/contacts", json=body)
    created.raise_for_status()
    return Resource("contacts", created.json()["id"])


def user_edits(org: SandboxOrg, contact: Resource, number: int) -> None:
    """A user edits another field in the lexoffice app."""
    with org.sandbox.control() as c:
        path = f"/_sandbox/organizations/{org.id}/contacts/{contact.id}"
        c.patch(path, json={"company": {"name": f"App edit {number}"}}).raise_for_status()


async def measure(env: Environment, updates: int) -> list[tuple[str, float]]:
    """Upstream calls per update, by design."""
    org = env.sandbox.new_org()
    contact = new_contact(org)
    credential = lexoffice_credential(org.api_key, interval=0.001)  # unthrottled key: count calls, not wait
    redis = redis_client(env.redis_url)
    async with UpstreamClient(lexoffice_profile(env.sandbox.url), Pacer(RedisStore(redis))) as client:
        engine = LockingEngine(client, RedisStore(redis), LexofficeVersioning())
        path = f"/v1/contacts/{contact.id}"

        async def cold(n: int) -> object:
            await engine.forget(SCOPE, contact)
            return await engine.update(credential, SCOPE, contact, {"note": f"cold {n}"})

        async def concurrent(n: int) -> object:
            user_edits(org, contact, n)
            return await engine.update(credential, SCOPE, contact, {"note": f"merged {n}"})

        async def get_put(n: int) -> object:
            body = (await client.request(credential, "GET", path)).json()
            return await client.request(credential, "PUT", path, json=body | {"note": f"baseline {n}"})

        async def warm(n: int) -> object:
            return await engine.update(credential, SCOPE, contact, {"note": f"warm {n}"})

        await engine.read(credential, SCOPE, contact)
        designs: list[tuple[str, Update]] = [
            ("engine, warm version cache", warm),
            ("engine, cold version cache", cold),
            ("engine, concurrent edit of another field", concurrent),
            ("baseline: GET + PUT", get_put),
        ]
        results = []
        for name, update in designs:
            before = org.stats()["bucket"]["accepted"]
            for number in range(updates):
                await update(number)
            results.append((name, (org.stats()["bucket"]["accepted"] - before) / updates))
    await redis.aclose()
    return results


def main() -> None:
    args = arguments(__doc__ or "", updates=30)
    header("upstream calls per update (PUT /v1/contacts/{id})", f"{args.updates} updates per design")
    with environment() as env:
        results = asyncio.run(measure(env, args.updates))
    table(
        ["design", "upstream calls/update", "quota time/update at 1.95 req/s"],
        [[name, calls, f"{calls * INTERVAL:.2f}s"] for name, calls in results],
    )
    print(f"   warm engine / baseline: {results[0][1] / results[-1][1]:.2f}x the upstream calls")


if __name__ == "__main__":
    main()
