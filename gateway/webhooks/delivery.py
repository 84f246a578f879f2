"""Outbound delivery: the attempt queue, the retry schedule, and sending one attempt (Standard Webhooks).

A job is one attempt (tenant, event, endpoint, attempt number) on the delivery stream. Before sending, the
attempt is claimed in the delivery's state (``claim.lua``): a job for an attempt that is done or superseded is
dropped, and so is a second copy of an attempt whose first copy is being sent (a repeated callback may queue
an attempt twice); the entry another live process is sending is left queued, so no two processes send the same
attempt at once; a crashed sender's job is taken over once its lease has passed (it is then sent again, with
the same ``webhook-id``: delivery is at least once). A failed attempt is settled as ``retrying``, then the
next one is scheduled after a random wait of up to the schedule's next delay (full jitter) in a sorted set
that ``promote.lua`` moves onto the stream when due; the failed attempt's job is acknowledged only after that,
so a sender dying in between leaves it to be taken over and the next attempt scheduled again. After the last
retry the delivery is ``dead``.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import httpx
import msgspec
import structlog
from redis.asyncio import Redis

from schemas.events import Event

from .. import keys
from .endpoints import EndpointRecord, EndpointService
from .eventlog import EventLog, Outcome
from .signing import webhook_headers
from .streams import GROUP, Entry, WorkStream
from .targets import TargetPolicy, TargetRefused

LEASE_MARGIN_SECONDS = 2.0
"""A claim outlives the attempt's time-out by this much before another process may take it over."""
USER_AGENT = "LedgerBridge-Webhooks/1"
MAX_ANSWER_BYTES = 64 * 1024
"""An endpoint's answer is read up to this much (then the connection is dropped instead of reused)."""
log = structlog.get_logger("ledgerbridge.webhooks")


@dataclass(frozen=True)
class Job:
    """One delivery attempt."""

    tenant_id: str
    event_id: str
    endpoint_id: str
    attempt: int

    @classmethod
    def of(cls, entry: Entry) -> Job:
        fields = entry.fields
        return cls(fields["t"], fields["e"], fields["w"], int(fields["n"]))

    def fields(self) -> dict[str, str | int]:
        return {"t": self.tenant_id, "e": self.event_id, "w": self.endpoint_id, "n": self.attempt}

    def member(self) -> str:
        """The job as a member of the retry schedule (read back by ``promote.lua``)."""
        return f"{self.tenant_id}|{self.event_id}|{self.endpoint_id}|{self.attempt}"


def backoff(delays: Sequence[float], tries: int, rng: random.Random) -> float | None:
    """Seconds to wait before the next attempt after ``tries`` failures (full jitter); ``None``: give up."""
    if tries >= len(delays):
        return None
    return rng.uniform(0, delays[tries])


class DeliveryQueue:
    """The delivery stream and the retry schedule."""

    def __init__(
        self,
        redis: Redis,
        stream: WorkStream,
        on_queued: Callable[[], None] | None = None,
        on_scheduled: Callable[[], None] | None = None,
    ) -> None:
        self.redis = redis
        self.stream = stream
        self.on_queued = on_queued
        self.on_scheduled = on_scheduled
        self._promote = redis.register_script((Path(__file__).parent / "promote.lua").read_text())

    async def enqueue(self, job: Job) -> None:
        """Queue an attempt now."""
        await self.stream.add(job.fields())
        if self.on_queued is not None:
            self.on_queued()

    async def schedule(self, job: Job, due_ms: int) -> None:
        """Queue an attempt at ``due_ms`` (Redis' clock)."""
        await self.redis.zadd(keys.WEBHOOK_RETRIES, {job.member(): due_ms})
        if self.on_scheduled is not None:
            self.on_scheduled()

    async def promote(self, limit: int = 500) -> float | None:
        """Move due attempts onto the stream; seconds until the next scheduled one (``None``: none)."""
        moved, next_ms = await self._promote(
            keys=[keys.WEBHOOK_RETRIES, keys.WEBHOOK_DELIVERIES], args=[GROUP, limit]
        )
        if int(moved) and self.on_queued is not None:
            self.on_queued()
        return None if int(next_ms) < 0 else int(next_ms) / 1000


class Deliverer:
    """Sends attempts: claim, sign, POST, record the outcome, schedule the next attempt."""

    def __init__(
        self,
        events: EventLog,
        endpoints: EndpointService,
        queue: DeliveryQueue,
        policy: TargetPolicy,
        http: httpx.AsyncClient,
        *,
        owner: str,
        timeout: float,
        delays: Sequence[float],
        rng: random.Random | None = None,
    ) -> None:
        self.events = events
        self.endpoints = endpoints
        self.queue = queue
        self.policy = policy
        self.http = http
        self.owner = owner
        self.timeout = timeout
        self.delays = tuple(delays)
        self.rng = rng or random.Random()
        self.lease_ms = int((timeout + LEASE_MARGIN_SECONDS) * 1000)

    async def attempt(self, job: Job, entry_id: str) -> bool:
        """Make the attempt (queued as stream entry ``entry_id``) if it is still due; ``False`` means
        "leave the job queued" (another process is sending it right now)."""
        claim = await self.events.claim(
            job.tenant_id,
            job.event_id,
            job.endpoint_id,
            job.attempt,
            owner=self.owner,
            entry_id=entry_id,
            lease_ms=self.lease_ms,
        )
        if claim.verdict == "busy":
            return False
        if claim.verdict == "reschedule":
            await self.queue.schedule(replace(job, attempt=job.attempt + 1), claim.value)
            return True
        if claim.verdict != "ok":
            return True
        endpoint, stored = await asyncio.gather(
            self.endpoints.find(job.tenant_id, job.endpoint_id), self.events.load(job.tenant_id, job.event_id)
        )
        if endpoint is None or stored is None:
            reason = "the endpoint was deleted" if endpoint is None else "the event expired"
            await self._settle(job, "canceled", error=reason)
            return True
        started = time.monotonic()
        status, error = await self._send(
            endpoint, job.event_id, _body(stored.payload, endpoint.include_resource)
        )
        outcome: Outcome = "delivered"
        due_ms = 0
        if status is None or not 200 <= status < 300:
            delay = backoff(self.delays, claim.value, self.rng)
            outcome = "dead" if delay is None else "retrying"
            due_ms = 0 if delay is None else claim.now_ms + int(delay * 1000)
        settled = await self._settle(job, outcome, next_attempt_ms=due_ms, status_code=status, error=error)
        if settled and outcome == "retrying":
            await self.queue.schedule(replace(job, attempt=job.attempt + 1), due_ms)
        log.info(
            "webhook.delivery",
            tenant_id=job.tenant_id,
            event_id=job.event_id,
            endpoint_id=job.endpoint_id,
            attempt=job.attempt,
            status=status,
            error=error,
            outcome=outcome,
            duration=round(time.monotonic() - started, 4),
        )
        return True

    async def _send(
        self, endpoint: EndpointRecord, event_id: str, body: bytes
    ) -> tuple[int | None, str | None]:
        """POST the body; the endpoint's status (the response body is not read) or why there is none."""
        try:
            async with asyncio.timeout(self.timeout):
                await self.policy.check(endpoint.url)
                headers = webhook_headers(
                    self.endpoints.signing_secrets(endpoint), event_id, int(time.time()), body
                )
                headers |= {"content-type": "application/json", "user-agent": USER_AGENT}
                async with self.http.stream("POST", endpoint.url, content=body, headers=headers) as response:
                    status = response.status_code
                    await _skim(response)
        except TargetRefused as exc:
            return None, f"target refused: it {exc}"
        except TimeoutError:
            return None, f"no answer within {self.timeout:g} s"
        except httpx.HTTPError as exc:
            return None, f"{type(exc).__name__}: {exc}"[:300]
        return status, None if 200 <= status < 300 else f"answered HTTP {status}"

    async def _settle(
        self,
        job: Job,
        outcome: Outcome,
        *,
        next_attempt_ms: int = 0,
        status_code: int | None = None,
        error: str | None = None,
    ) -> bool:
        settled = await self.events.settle(
            job.tenant_id,
            job.event_id,
            job.endpoint_id,
            job.attempt,
            self.owner,
            outcome,
            next_attempt_ms=next_attempt_ms,
            status_code=status_code,
            error=error,
        )
        if not settled:
            log.warning("webhook.claim_lost", event_id=job.event_id, endpoint_id=job.endpoint_id)
        return settled


async def _skim(response: httpx.Response) -> None:
    """Read (and drop) a short answer so the connection can be reused; a long one is cut off."""
    read = 0
    async for chunk in response.aiter_raw():
        read += len(chunk)
        if read > MAX_ANSWER_BYTES:
            return


def _body(payload: bytes, include_resource: bool) -> bytes:
    """The body for an endpoint: the stored payload, without the resource if the endpoint opted out."""
    if include_resource:
        return payload
    event = msgspec.json.decode(payload, type=Event)
    if event.data.resource is None:
        return payload
    return msgspec.json.encode(
        msgspec.structs.replace(event, data=msgspec.structs.replace(event.data, resource=None))
    )
