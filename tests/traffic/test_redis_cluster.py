"""Every Redis script of the traffic engine and the gateway (operations too) on a real 3-node Redis Cluster
(redis-py's cluster client): each script's keys share one hash tag, so each runs on one node — and keys of
different credentials, accounts and tenants spread over the nodes."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime

import msgspec
import pytest
import pytest_asyncio
from redis.asyncio import RedisCluster

from connectors.concurrency import LockingEngine
from connectors.http import TrafficProfile, UpstreamClient
from connectors.lexoffice.client import LexofficeClient
from connectors.lexoffice.flows import VOUCHER_FLOW
from connectors.lexoffice.flows.vouchers import VoucherInput
from connectors.lexoffice.traffic import LexofficeVersioning, lexoffice_credential, lexoffice_profile
from connectors.pacer import Pacer
from connectors.redis_store import RedisStore, pacer_key
from gateway import keys
from gateway.idempotency import LEASE_SECONDS, SCRIPT, request_fingerprint
from gateway.operations.runner import run_flow
from gateway.operations.store import LeaseLost, OperationStore, StoredResponse
from gateway.ratelimit import InboundLimiter
from schemas.operations import Operation
from schemas.vouchers import VoucherCreate
from tests.e2e.helpers import voucher_request
from tests.support.operations import receipt
from tests.support.redis_cluster import redis_cluster
from tests.support.sandbox import SandboxOrg
from tests.traffic.test_pacer import LONG, MICRO


@pytest.fixture(scope="module")
def cluster_url() -> Iterator[str]:
    with redis_cluster(nodes=3) as servers:
        yield servers[0].url.rsplit("/", 1)[0]


@pytest_asyncio.fixture(loop_scope="function")
async def cluster(cluster_url: str) -> AsyncIterator[RedisCluster]:
    client = RedisCluster.from_url(cluster_url, decode_responses=True)
    await client.initialize()
    yield client
    await client.aclose()


def _nodes_of(cluster: RedisCluster, names: list[str]) -> set[str]:
    return {cluster.get_node_from_key(name).name for name in names}


async def test_pacer_schedules_spread_over_the_nodes_and_stay_exact(cluster: RedisCluster) -> None:
    pacer = Pacer(RedisStore(cluster))
    credentials = [f"cred-{n}" for n in range(12)]
    assert len(_nodes_of(cluster, [pacer_key(c) for c in credentials])) == 3
    firsts = await asyncio.gather(*(pacer.reserve(c, LONG) for c in credentials))
    seconds = await asyncio.gather(*(pacer.reserve(c, LONG) for c in credentials))
    for first, second in zip(firsts, seconds, strict=True):
        assert second.slot - first.slot == pytest.approx(LONG, abs=MICRO)


async def test_version_cache_on_the_cluster(cluster: RedisCluster) -> None:
    store = RedisStore(cluster)
    for account in ("acct-1", "acct-2", "acct-3"):
        await store.set_version_entry(account, "contacts/c1", {"version": 3, "id": account}, ttl_seconds=5)
        assert await store.get_version_entry(account, "contacts/c1") == {"version": 3, "id": account}
        await store.delete_version_entry(account, "contacts/c1")
        assert await store.get_version_entry(account, "contacts/c1") is None


async def test_paced_upstream_calls_with_a_cluster_pacer(cluster: RedisCluster, lex: SandboxOrg) -> None:
    profile: TrafficProfile = lexoffice_profile(lex.sandbox.url)
    credential = lexoffice_credential(lex.api_key, interval=0.001)
    async with UpstreamClient(profile, Pacer(RedisStore(cluster))) as client:
        answers = await asyncio.gather(*(client.request(credential, "GET", "/v1/profile") for _ in range(8)))
    assert {answer.json()["organizationId"] for answer in answers} == {lex.id}
    assert lex.stats()["bucket"]["rejected"] == 0


async def test_inbound_limiter_script_on_the_cluster(cluster: RedisCluster) -> None:
    limiter = InboundLimiter(cluster, default_rate=1.0, default_burst=2)
    tenants = [f"ten_{n}" for n in range(9)]
    assert len(_nodes_of(cluster, [keys.tenant_limiter(t) for t in tenants])) > 1
    for tenant in tenants:
        await cluster.hset(keys.tenant_api_keys(tenant), "key_1", "{}")
        verdicts = [await limiter.admit(tenant, "key_1") for _ in range(3)]
        assert [v.admitted if v else None for v in verdicts] == [True, True, False]
        assert await limiter.admit(tenant, "revoked") is None


async def test_idempotency_script_on_the_cluster(cluster: RedisCluster) -> None:
    script = cluster.register_script(SCRIPT)
    for tenant in (f"ten_{n}" for n in range(6)):
        record = keys.tenant_idempotency(tenant, "acc_1", hashlib.sha256(b"k").hexdigest())
        fingerprint = request_fingerprint("POST", "/v1/accounting/contacts?", "acc_1", b"{}")
        lease = LEASE_SECONDS * 1000
        assert await script(keys=[record], args=["claim", fingerprint, "me", lease]) == ["claimed"]
        assert await script(keys=[record], args=["claim", fingerprint, "other", lease]) == ["running"]
        assert await script(keys=[record], args=["claim", "another", "other", lease]) == ["mismatch"]
        finish = ["finish", "me", 201, "[]", "e30=", 60_000]
        assert await script(keys=[record], args=finish) == 1
        assert await script(keys=[record], args=["claim", fingerprint, "other", lease]) == [
            "done",
            "201",
            "[]",
            "e30=",
        ]


async def test_operations_on_the_cluster(cluster: RedisCluster, lex: SandboxOrg) -> None:
    """Operation records (claim, save, takeover, finish, the due index) and a whole voucher-with-receipt
    operation run by the step runner, with the pacer, version cache and records all on the cluster."""
    store = OperationStore(cluster, lease_seconds=30, retention_seconds=60)
    tenants = [f"ten_{n}" for n in range(6)]
    assert len(_nodes_of(cluster, [keys.tenant_operation(t, "op_1") for t in tenants])) > 1
    for tenant in tenants:
        operation = _new_operation()
        assert (await store.claim(tenant, operation, "fp", "me", b"{}")).verdict == "new"
        assert (await store.claim(tenant, operation, "other", "you", b"{}")).verdict == "mismatch"
        assert (await store.claim(tenant, operation, "fp", "you", b"{}")).verdict == "busy"
        await store.save(tenant, operation, "me")
        await cluster.hset(keys.tenant_operation(tenant, "op_1"), "lease_until", 0)  # the lease runs out
        await cluster.zadd(keys.OPERATIONS_DUE, {f"{tenant}/op_1": 0})
        assert (tenant, "op_1") in await store.due(100)
        taken = await store.takeover(tenant, "op_1", "you", failed_too=False)
        assert (taken.verdict, taken.input) == ("resumed", b"{}")
        with pytest.raises(LeaseLost):
            await store.save(tenant, operation, "me")
        stored = StoredResponse(status=201, headers=[], body=b"{}")
        await store.finish(tenant, operation, "you", stored)
        assert (await store.claim(tenant, operation, "fp", "they", b"{}")).response == stored

    shared = RedisStore(cluster)
    async with UpstreamClient(lexoffice_profile(lex.sandbox.url), Pacer(shared)) as upstream:
        client = LexofficeClient(
            upstream,
            LockingEngine(upstream, shared, LexofficeVersioning()),
            lexoffice_credential(lex.api_key, interval=0.001),
            "acc_cluster",
        )
        request = msgspec.convert(voucher_request(number="CL-1", receipts=[receipt()]), VoucherCreate)
        operation = _new_operation()
        assert (await store.claim("ten_flow", operation, "fp", "me", b"{}")).verdict == "new"
        response = await run_flow(
            VOUCHER_FLOW,
            client,
            VoucherInput(voucher=request),
            operation,
            lambda state: store.save("ten_flow", state, "me"),
        )
    [voucher] = [v for v in lex.org.collection("vouchers").values() if v["voucherNumber"] == "CL-1"]
    assert (response.status, response.content.attachments) == (201, voucher["files"])
    recorded = await store.load("ten_flow", "op_1")
    assert recorded is not None
    assert [step.status for step in recorded.steps] == ["done", "done"]


def _new_operation() -> Operation:
    created = datetime.now(UTC)
    return Operation(
        id="op_1",
        kind="create_voucher",
        status="running",
        account_id="acc_1",
        steps=[],
        created_at=created,
        updated_at=created,
    )
