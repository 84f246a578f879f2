"""The Redis GCRA pacer: slots are spaced exactly, across concurrent callers and event loops; fail-fast;
penalties; key names in one Redis Cluster slot. Assertions use the slots Redis returns, not wall clocks."""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

import pytest
from redis.asyncio import Redis
from redis.crc import key_slot

from connectors.errors import DeadlineExceeded
from connectors.pacer import Pacer, Reservation, fingerprint
from connectors.redis_store import RedisStore, pacer_key, version_cache_key
from tests.traffic.workers import ReserveSpec, reserving_worker, run_in_processes, run_in_threads

LONG = 10.0  # an interval so long that the schedule never falls behind Redis' clock during a test
MICRO = 1e-6


def gaps(reservations: list[Reservation]) -> list[float]:
    slots = sorted(r.slot for r in reservations)
    return [later - earlier for earlier, later in itertools.pairwise(slots)]


async def test_concurrent_callers_get_slots_exactly_one_interval_apart(pacer: Pacer) -> None:
    reservations = await asyncio.gather(*(pacer.reserve("cred-a", LONG) for _ in range(50)))
    assert all(gap == pytest.approx(LONG, abs=MICRO) for gap in gaps(reservations))
    first = min(reservations, key=lambda r: r.slot)
    assert first.wait == 0
    assert max(r.wait for r in reservations) == pytest.approx(49 * LONG, abs=0.5)


@pytest.mark.parametrize("run", [run_in_threads, run_in_processes], ids=["event loops", "processes"])
def test_callers_on_several_event_loops_and_processes_share_one_schedule(redis_url: str, run: Any) -> None:
    batches = run(reserving_worker, ReserveSpec(redis_url, "cred-b", LONG, count=10), 3)
    found = [reservation for batch in batches for reservation in batch]
    assert len(found) == 30
    assert all(gap == pytest.approx(LONG, abs=MICRO) for gap in gaps(found))


async def test_burst_lets_that_many_go_at_once_then_spaces(pacer: Pacer) -> None:
    reservations = [await pacer.reserve("cred-c", LONG, burst=3) for _ in range(5)]
    assert [r.wait for r in reservations[:3]] == [0, 0, 0]
    assert reservations[3].slot - reservations[0].slot == pytest.approx(LONG, abs=MICRO)
    assert reservations[4].slot - reservations[3].slot == pytest.approx(LONG, abs=MICRO)


async def test_a_slot_beyond_max_wait_fails_fast_and_reserves_nothing(pacer: Pacer) -> None:
    first = await pacer.reserve("cred-d", LONG)
    with pytest.raises(DeadlineExceeded) as caught:
        await pacer.reserve("cred-d", LONG, max_wait=4.0)
    assert 0 < (caught.value.retry_after or 0) <= LONG - 4.0
    after = await pacer.reserve("cred-d", LONG)
    assert after.slot - first.slot == pytest.approx(LONG, abs=MICRO)


async def test_penalize_pushes_the_schedule_back_but_never_forward(pacer: Pacer) -> None:
    schedule = await pacer.penalize("cred-e", 30.0)
    assert (await pacer.reserve("cred-e", 0.001)).slot == pytest.approx(schedule, abs=MICRO)
    queued = await pacer.reserve("cred-f", 100.0)
    await pacer.reserve("cred-f", 100.0)  # the schedule now runs 200 s ahead
    assert await pacer.penalize("cred-f", 1.0) == pytest.approx(queued.slot + 200.0, abs=MICRO)


async def test_schedules_are_per_credential(pacer: Pacer) -> None:
    await pacer.reserve("cred-g", LONG)
    assert (await pacer.reserve("cred-h", LONG)).wait == 0


async def test_schedule_keys_expire_once_the_schedule_has_passed(pacer: Pacer, redis: Redis) -> None:
    await pacer.reserve("cred-i", LONG)
    assert 0 < await redis.pttl(pacer_key("cred-i")) <= LONG * 1000


async def test_version_cache_entries_round_trip_with_a_ttl(store: RedisStore, redis: Redis) -> None:
    body = {"id": "c1", "version": 3, "name": "Müller & Söhne", "amount": 12.5}
    await store.set_version_entry("acct-1", "contacts/c1", body, ttl_seconds=60)
    assert await store.get_version_entry("acct-1", "contacts/c1") == body
    assert 0 < await redis.pttl(version_cache_key("acct-1", "contacts/c1")) <= 60_000
    assert await store.get_version_entry("acct-2", "contacts/c1") is None
    await store.delete_version_entry("acct-1", "contacts/c1")
    assert await store.get_version_entry("acct-1", "contacts/c1") is None


def test_keys_of_one_credential_or_account_share_a_cluster_slot() -> None:
    assert key_slot(pacer_key("abc").encode()) == key_slot(b"cred:abc")
    slots = {key_slot(version_cache_key("acct-7", r).encode()) for r in ("contacts/1", "vouchers/2", "x/y")}
    assert slots == {key_slot(b"acct:acct-7")}


def test_fingerprints_hide_the_secret_and_separate_namespaces() -> None:
    secret = "s3cr3t-api-key"
    print_ = fingerprint("lexoffice", secret)
    assert print_ == fingerprint("lexoffice", secret)
    assert secret not in print_
    assert len(print_) == 32
    assert fingerprint("other", secret) != print_
