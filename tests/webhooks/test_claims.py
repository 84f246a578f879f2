"""The delivery claim (``claim.lua`` / ``settle.lua``) on a real Redis: one attempt is sent by one holder.

An attempt can be queued twice (a repeated callback processed in another process while the first copy is
still pending); whichever copy claims first sends it, the other copy is ``covered`` and dropped, while the
holder's own entry, taken over by another consumer during a live lease, is only ``busy`` (left queued).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest_asyncio
from redis.asyncio import Redis

from gateway.ids import new_id
from gateway.webhooks.eventlog import EventLog
from schemas.events import Event, EventData, UpstreamEvent

LEASE_MS = 60_000
TENANT = "ten_claims"
ENDPOINT = "wep_claims"


@pytest_asyncio.fixture(loop_scope="function")
async def events(redis_url: str) -> AsyncIterator[EventLog]:
    redis = Redis.from_url(redis_url, decode_responses=True)
    yield EventLog(redis, retention_seconds=3600)
    await redis.aclose()


async def recorded(events: EventLog) -> str:
    """A new event with one pending delivery (to :data:`ENDPOINT`)."""
    resource_id = new_id("res")
    upstream = UpstreamEvent(
        connector="lexoffice",
        event_type="contact.changed",
        organization_id="org",
        resource_id=resource_id,
        event_date="2026-12-07T00:00:00.000+01:00",
    )
    event = Event(
        id=new_id("evt"),
        type="contact.updated",
        timestamp=datetime.now(UTC),
        account_id="acc_claims",
        data=EventData(resource_type="contact", resource_id=resource_id, upstream=upstream),
    )
    assert await events.record(TENANT, event, [ENDPOINT])
    return event.id


async def verdict(
    events: EventLog, event_id: str, owner: str, entry_id: str, lease_ms: int = LEASE_MS
) -> str:
    """The verdict of claiming the first attempt of ``event_id``."""
    claim = await events.claim(
        TENANT, event_id, ENDPOINT, 1, owner=owner, entry_id=entry_id, lease_ms=lease_ms
    )
    return claim.verdict


async def test_a_second_copy_of_a_claimed_attempt_is_covered_even_in_the_same_process(
    events: EventLog,
) -> None:
    event_id = await recorded(events)
    assert await verdict(events, event_id, "process-a", "1-0") == "ok"
    assert await verdict(events, event_id, "process-a", "2-0") == "covered"
    assert await verdict(events, event_id, "process-b", "2-0") == "covered"


async def test_the_holders_entry_is_busy_for_others_and_claimable_again_by_the_holder(
    events: EventLog,
) -> None:
    event_id = await recorded(events)
    assert await verdict(events, event_id, "process-a", "1-0") == "ok"
    assert await verdict(events, event_id, "process-b", "1-0") == "busy"
    assert await verdict(events, event_id, "process-a", "1-0") == "ok"


async def test_a_lapsed_lease_is_taken_over_by_any_copy(events: EventLog) -> None:
    event_id = await recorded(events)
    assert await verdict(events, event_id, "process-a", "1-0", lease_ms=0) == "ok"
    assert await verdict(events, event_id, "process-b", "2-0") == "ok"
    assert not await events.settle(TENANT, event_id, ENDPOINT, 1, "process-a", "delivered")
    assert await events.settle(TENANT, event_id, ENDPOINT, 1, "process-b", "delivered")


async def test_once_settled_every_copy_is_done(events: EventLog) -> None:
    event_id = await recorded(events)
    assert await verdict(events, event_id, "process-a", "1-0") == "ok"
    assert await events.settle(TENANT, event_id, ENDPOINT, 1, "process-a", "delivered")
    for owner, entry_id in (("process-a", "1-0"), ("process-a", "2-0"), ("process-b", "3-0")):
        assert await verdict(events, event_id, owner, entry_id) == "done"
