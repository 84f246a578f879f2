"""Four gateway processes (``ledgerbridge serve``) on one Redis, as replicas behind a load balancer.

One account whose lexoffice key allows 2 requests/second: mixed traffic spread over all of them never meets
an upstream 429 (the pacing is global), and an idempotent retry that lands on another process gets the first
process's response. An operation that failed in one process resumes in another, after its last finished
step. lexoffice callbacks spread over the processes (each sent twice, to two of them) are delivered once.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.e2e.helpers import problem, upstream_calls, voucher_request
from tests.support.callbacks import callback_body, respelled
from tests.support.operations import receipt, unassigned_uploads, vouchers_numbered
from tests.support.receiver import WebhookReceiver
from tests.support.sandbox import RunningSandbox, SandboxOrg
from tests.webhooks.conftest import create_endpoint, database
from tests.webhooks.processes import GatewayProcess, connect_accounts, gateway_processes, settled

REPLICAS = 4
REPLICAS_DB = 5
"""A Redis database of their own (other gateways of the session must not share their webhook work)."""
CONTACTS = "/v1/accounting/contacts"
VOUCHERS = "/v1/accounting/vouchers"


@pytest.fixture
def replicas_redis(redis_url: str) -> str:
    return database(redis_url, REPLICAS_DB)


@pytest.fixture
def replicas(replicas_redis: str, sandbox: RunningSandbox) -> Iterator[list[GatewayProcess]]:
    with gateway_processes(
        REPLICAS,
        replicas_redis,
        sandbox.url,
        mode="development",
        webhooks_allow_private_targets="true",
        lexoffice_webhook_public_key=sandbox.app.signing_key.public_pem().decode(),
    ) as processes:
        yield processes


def tenant_clients(replicas: list[GatewayProcess], lex: SandboxOrg) -> list[httpx.Client]:
    """A new tenant with ``lex`` connected; one client of it per process."""
    api_key, [account_id] = connect_accounts(replicas[0].url, "Replicas", [lex.api_key])
    headers = {"Authorization": f"Bearer {api_key}", "X-Account-Id": account_id}
    return [httpx.Client(base_url=p.url, headers=headers, timeout=60) for p in replicas]


def test_mixed_traffic_over_four_processes(replicas: list[GatewayProcess], lex: SandboxOrg) -> None:
    clients = tenant_clients(replicas, lex)
    lex.set_rate_limit(rate=2, burst=2)  # from now on, lexoffice's own limit: 2 requests/second
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


def test_an_operation_failed_in_one_process_resumes_in_another(
    replicas: list[GatewayProcess], lex: SandboxOrg
) -> None:
    first, other, *_ = tenant_clients(replicas, lex)
    key = {"Idempotency-Key": "replica-voucher"}
    body = voucher_request(number="REPLICA-1", receipts=[receipt(), receipt("b.pdf")])
    with first, other:
        lex.set_faults(queue=[{"kind": "status:503", "count": 10, "methods": ["POST"], "skip": 2}])
        failure = problem(first.post(VOUCHERS, json=body, headers=key), 502, "upstream-unavailable")
        assert failure["failed_step"] == "upload_receipt_2"
        lex.set_faults()

        before = upstream_calls(lex)
        resumed = other.post(VOUCHERS, json=body, headers=key)
        assert resumed.status_code == 201, resumed.text
        assert upstream_calls(lex) - before == 1  # the failed upload only
        replayed = first.post(VOUCHERS, json=body, headers=key)
        operation = first.get(failure["instance"]).json()
    assert replayed.json() == resumed.json()
    [stored] = vouchers_numbered(lex, "REPLICA-1")
    assert resumed.json()["attachments"] == stored["files"]
    assert len(stored["files"]) == 2
    assert unassigned_uploads(lex) == []
    assert [s["status"] for s in operation["steps"]] == ["done", "done", "done"]


def test_callbacks_spread_over_the_processes_are_delivered_once(
    replicas: list[GatewayProcess], replicas_redis: str, sandbox: RunningSandbox, lex: SandboxOrg
) -> None:
    clients = tenant_clients(replicas, lex)
    with WebhookReceiver() as receiver:
        create_endpoint(clients[0], receiver.url, ["contact.updated"], include_resource=False)
        bodies = [callback_body(lex.id) for _ in range(8)]
        # lexoffice may send a callback again; each goes to two processes, the second time spelled anew
        sends = [(clients[n % REPLICAS], body) for n, body in enumerate(bodies)] + [
            (clients[(n + 1) % REPLICAS], respelled(body)) for n, body in enumerate(bodies)
        ]

        def send(target: tuple[httpx.Client, bytes]) -> int:
            client, body = target
            signature = sandbox.app.signing_key.sign(body)
            headers = {"Content-Type": "application/json", "X-Lxo-Signature": signature}
            return client.post("/v1/webhooks/lexoffice", content=body, headers=headers).status_code

        with ThreadPoolExecutor(len(sends)) as pool:
            assert set(pool.map(send, sends)) == {202}
        settled(replicas_redis)
        posts = receiver.posts()
        events = clients[0].get("/v1/events", params={"limit": 100}).json()["data"]
    for client in clients:
        client.close()
    delivered = [json.loads(post.body)["data"]["resource_id"] for post in posts]
    assert sorted(delivered) == sorted(json.loads(body)["resourceId"] for body in bodies)
    assert len({post.header("webhook-id") for post in posts}) == len(bodies)
    assert {event["id"] for event in events} == {post.header("webhook-id") for post in posts}
