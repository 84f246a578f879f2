"""The tenant-facing event log: list and read events with their delivery state, deliver one again."""

from __future__ import annotations

from schemas.events import EventLogEntry
from schemas.problem import FieldError

from ..paging import decode_cursor, encode_cursor
from ..problems import NOT_FOUND, VALIDATION, ProblemError
from .delivery import DeliveryQueue, Job
from .eventlog import EVENT_ID, EventLog

SCAN_BATCHES = 10
"""How many index pages a filtered listing reads at most before answering with what it found."""


class EventService:
    """Reads the log and redelivers."""

    def __init__(self, log: EventLog, queue: DeliveryQueue) -> None:
        self.log = log
        self.queue = queue

    async def get(self, tenant_id: str, event_id: str) -> EventLogEntry:
        """One event of the tenant; ``not-found`` otherwise."""
        entry = await self.log.entry(tenant_id, event_id)
        if entry is None:
            raise ProblemError(NOT_FOUND, f"No event {event_id[:64]!r}.")
        return entry

    async def page(
        self,
        tenant_id: str,
        cursor: str | None,
        limit: int,
        *,
        event_type: str | None = None,
        account_id: str | None = None,
    ) -> tuple[list[EventLogEntry], str | None]:
        """A page of the tenant's events, newest first, optionally of one type and/or account.

        With filters a page may hold fewer than ``limit`` events although more follow (the cursor says so).
        """
        before = decode_cursor(cursor, EVENT_ID)
        found: list[EventLogEntry] = []
        for _ in range(SCAN_BATCHES):
            ids, before = await self.log.page(tenant_id, before, limit - len(found))
            expired: list[str] = []
            for event_id in ids:
                entry = await self.log.entry(tenant_id, event_id)
                if entry is None:
                    expired.append(event_id)
                elif (event_type is None or entry.type == event_type) and (
                    account_id is None or entry.account_id == account_id
                ):
                    found.append(entry)
            await self.log.forget(tenant_id, expired)
            if before is None or len(found) >= limit:
                break
        return found, encode_cursor(before)

    async def redeliver(self, tenant_id: str, event_id: str, endpoint_id: str | None) -> EventLogEntry:
        """Queue the event again for one endpoint or all of its endpoints (those not already on their way)."""
        entry = await self.get(tenant_id, event_id)
        targets = [d.endpoint_id for d in entry.deliveries]
        if endpoint_id is not None:
            if endpoint_id not in targets:
                raise ProblemError(
                    VALIDATION,
                    "The event was not sent to this endpoint.",
                    errors=[FieldError("endpoint_id", "is not an endpoint of this event")],
                )
            targets = [endpoint_id]
        for target in targets:
            attempt = await self.log.redeliver(tenant_id, event_id, target)
            if attempt > 0:
                await self.queue.enqueue(Job(tenant_id, event_id, target, attempt))
        return await self.get(tenant_id, event_id)
