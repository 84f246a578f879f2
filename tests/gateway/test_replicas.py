"""Four gateway processes (``ledgerbridge serve``) on one Redis, one account whose lexoffice key allows
2 requests/second: mixed traffic spread over all of them never meets an upstream 429 (the pacing is global),
and an idempotent retry that lands on another process gets the first process's response."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.support.sandbox import RunningSandbox, SandboxOrg
from tests.webhooks.conftest import database
from tests.webhooks.processes import GatewayProcess, connect_accounts, gateway_processes

REPLICAS = 4
REPLICAS_DB = 5
"""A Redis database of their own (other gateways of the session must not share their webhook work)."""
CONTACTS = "/v1/accounting/contacts"


@pytest.fixture
def replicas(redis_url: str, sandbox: RunningSandbox) -> Iterator[list[GatewayProcess]]:
    with gateway_processes(REPLICAS, database(redis_url, REPLICAS_DB), sandbox.url) as processes:
        yield processes


def test_mixed_traffic_over_four_processes(replicas: list[GatewayProcess], lex: SandboxOrg) -> None:
    api_key, [account_id] = connect_accounts(replicas[0].url, "Replicas", [lex.api_key])
    headers = {"Authorization": f"Bearer {api_key}", "X-Account-Id": account_id}
    clients = [httpx.Client(base_url=p.url, headers=headers, timeout=60) for p in replicas]
    with lex.sandbox.control() as control:  # from now on, lexoffice's own limit: 2 requests/second
        control.put(
            f"/_sandbox/keys/{lex.api_key}/rate-limit", json={"rate": 2, "burst": 2}
        ).raise_for_status()
    before = lex.stats()["bucket"]
    try:
        turn = itertools.cycle(clients)
        reads = [next(turn) for _ in range(8)]
        writes = [(next(turn), next(turn), n) for n in range(3)]

        def create_then_retry_elsewhere(pair: tuple[httpx.Client, httpx.Client, int]) -> tuple[int, ...]:
            first_process, other_process, n = pair
            body = {"type": "company", "roles": ["customer"], "company": {"name": f"Replica {n} GmbH"}}
            key = {"Idempotency-Key": f"replica-create-{n}"}
            first = first_process.post(CONTACTS, json=body, headers=key)
            again = other_process.post(CONTACTS, json=body, headers=key)
            assert again.headers.get("Idempotent-Replayed") == "true", again.text
            assert again.json() == first.json()
            return first.status_code, again.status_code

        with ThreadPoolExecutor(len(reads) + len(writes)) as pool:
            listed = pool.map(lambda client: client.get(CONTACTS).status_code, reads)
            created = pool.map(create_then_retry_elsewhere, writes)
            assert set(listed) == {200}
            assert set(itertools.chain.from_iterable(created)) == {201}
    finally:
        for client in clients:
            client.close()
    after = lex.stats()["bucket"]
    assert after["rejected"] == before["rejected"], (
        "an upstream 429: the pacing did not hold across processes"
    )
    assert after["accepted"] > before["accepted"]
    assert len(lex.org.collection("contacts")) == 3
