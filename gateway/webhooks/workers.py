"""The webhook background work of one gateway process, started and stopped with the app.

Loops: consume callbacks (inbound stream -> events), consume delivery attempts (delivery stream -> POST),
promote due retries onto the delivery stream, take over work a crashed process left pending
(``XAUTOCLAIM`` after ``claim_idle``), run subscription sync jobs, and — in one process per interval —
request the periodic subscription check. Each piece of work runs as its own task in a fresh logging context,
bounded per kind. Every process runs the same loops over the same Redis; the streams' consumer group and the
attempt claims share the work out.

:meth:`WebhookWorkers.drain` waits until there is no work left anywhere (queued, scheduled or in flight);
tests and benchmarks use it instead of sleeping.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import structlog
from redis.asyncio import Redis
from redis.exceptions import RedisError

from .. import keys
from .delivery import Deliverer, DeliveryQueue, Job
from .processing import CallbackProcessor
from .streams import Entry, WorkStream
from .subscriptions import SubscriptionSync

BLOCK_MS = 1000
MAX_IDLE_WAIT = 1.0
ERROR_PAUSE = 1.0
MAX_ERROR_PAUSE = 30.0
INBOUND_CONCURRENCY = 16
SYNC_CONCURRENCY = 4
DRAIN_POLL = 0.01
SYNC_WORK = "subscription-sync"
log = structlog.get_logger("ledgerbridge.webhooks")
Handler = Callable[[Entry], Awaitable[bool]]


@dataclass
class Signal:
    """Wakes a loop early when this process produced work for it."""

    event: asyncio.Event = field(default_factory=asyncio.Event)

    def set(self) -> None:
        self.event.set()

    async def wait(self, seconds: float) -> None:
        """Until set (by this process) or ``seconds`` passed."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.event.wait(), seconds)
        self.event.clear()


@dataclass
class Signals:
    """One signal per loop that producers in this process can wake."""

    inbound: Signal = field(default_factory=Signal)
    deliveries: Signal = field(default_factory=Signal)
    retries: Signal = field(default_factory=Signal)
    sync: Signal = field(default_factory=Signal)


class WebhookWorkers:
    """The loops of one process."""

    def __init__(
        self,
        redis: Redis,
        *,
        inbound: WorkStream,
        deliveries: WorkStream,
        processor: CallbackProcessor,
        deliverer: Deliverer,
        queue: DeliveryQueue,
        sync: SubscriptionSync,
        signals: Signals,
        concurrency: int,
        claim_idle: float,
        reconcile_interval: float,
    ) -> None:
        self.redis = redis
        self.inbound = inbound
        self.deliveries = deliveries
        self.processor = processor
        self.deliverer = deliverer
        self.queue = queue
        self.sync = sync
        self.signals = signals
        self.concurrency = concurrency
        self.claim_idle = claim_idle
        self.reconcile_interval = reconcile_interval
        self._loops: list[asyncio.Task[None]] = []
        self._work: dict[str, dict[str, asyncio.Task[None]]] = {}
        self._freed = asyncio.Event()

    async def start(self) -> None:
        """Start the loops."""
        loops: dict[str, Callable[[], Coroutine[Any, Any, None]]] = {
            "inbound": partial(
                self._consume, self.inbound, self._process, INBOUND_CONCURRENCY, self.signals.inbound
            ),
            "deliveries": partial(
                self._consume, self.deliveries, self._deliver, self.concurrency, self.signals.deliveries
            ),
            "retries": self._promote,
            "reclaim": self._reclaim,
            "sync": self._sync,
            "reconcile": self._reconcile,
        }
        self._loops = [
            asyncio.create_task(self._guarded(name, loop), name=f"webhooks:{name}")
            for name, loop in loops.items()
        ]

    async def stop(self, grace: float = 5.0) -> None:
        """Stop reading; give work in flight ``grace`` seconds, then cancel it (it stays queued)."""
        for task in self._loops:
            task.cancel()
        await asyncio.gather(*self._loops, return_exceptions=True)
        running = self._running()
        if running:
            _, late = await asyncio.wait(running, timeout=grace)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)

    async def drain(self) -> None:
        """Wait until no webhook work is queued, scheduled or in flight in any process (bound it with
        ``asyncio.timeout``)."""
        while self._running() or await self.backlog():  # noqa: ASYNC110 - other processes' work is in Redis
            await asyncio.sleep(DRAIN_POLL)

    async def backlog(self) -> int:
        """Work queued or scheduled, over all processes (callbacks, attempts, retries, sync jobs)."""
        return await pending_work(self.redis)

    # loops

    async def _guarded(self, name: str, loop: Callable[[], Coroutine[Any, Any, None]]) -> None:
        """Run a loop forever; after an error (Redis away, a bug) it restarts, pausing longer each time it
        fails again soon (up to :data:`MAX_ERROR_PAUSE`)."""
        pause = ERROR_PAUSE
        while True:
            started = time.monotonic()
            try:
                await loop()
            except RedisError as exc:
                log.warning("webhook.redis_unavailable", loop=name, error=repr(exc), retry_in=pause)
            except Exception:
                log.exception("webhook.loop_failed", loop=name, retry_in=pause)
            if time.monotonic() - started > MAX_ERROR_PAUSE:
                pause = ERROR_PAUSE
            await asyncio.sleep(pause)
            pause = min(pause * 2, MAX_ERROR_PAUSE)

    async def _consume(self, stream: WorkStream, handle: Handler, limit: int, signal: Signal) -> None:
        idle_wait = 0.05
        while True:
            busy = self._work.setdefault(stream.key, {})
            if len(busy) >= limit:
                self._freed.clear()
                await self._freed.wait()
                continue
            entries = await stream.read(limit - len(busy), BLOCK_MS)
            if entries is None:  # no stream yet: wait for work (woken at once if it is ours)
                await signal.wait(idle_wait)
                idle_wait = min(idle_wait * 2, MAX_IDLE_WAIT)
                continue
            idle_wait = 0.05
            for entry in entries:
                self._spawn(stream, entry, handle)

    async def _promote(self) -> None:
        while True:
            wait = await self.queue.promote()
            await self.signals.retries.wait(MAX_IDLE_WAIT if wait is None else min(wait, MAX_IDLE_WAIT))

    async def _reclaim(self) -> None:
        idle_ms = max(1, int(self.claim_idle * 1000))
        handlers: tuple[tuple[WorkStream, Handler], ...] = (
            (self.inbound, self._process),
            (self.deliveries, self._deliver),
        )
        while True:
            await asyncio.sleep(min(max(self.claim_idle / 2, 0.05), 5.0))
            for stream, handle in handlers:
                for entry in await stream.reclaim(idle_ms, 100):
                    self._spawn(stream, entry, handle)

    async def _sync(self) -> None:
        running = self._work.setdefault(SYNC_WORK, {})
        while True:
            if len(running) >= SYNC_CONCURRENCY:
                await asyncio.wait(running.values(), return_when=asyncio.FIRST_COMPLETED)
                continue
            job = await self.sync.next_job()
            if isinstance(job, tuple):
                task = _fresh_task(self._run_sync(*job))
                running[task.get_name()] = task
                task.add_done_callback(_forget(running))
                continue
            await self.signals.sync.wait(MAX_IDLE_WAIT if job is None else min(job, MAX_IDLE_WAIT))

    async def _reconcile(self) -> None:
        """At start-up and then every interval, one process (whichever takes the lock) requests a check of
        every account's subscriptions (lexoffice may have dropped some meanwhile)."""
        interval_ms = int(self.reconcile_interval * 1000)
        while True:
            if await self.redis.set(keys.WEBHOOK_RECONCILE_LOCK, "1", nx=True, px=max(1, interval_ms - 1000)):
                count = await self.sync.schedule_all()
                log.info("webhook.reconcile_scheduled", accounts=count)
            await asyncio.sleep(self.reconcile_interval)

    # work

    async def _run_sync(self, job: str, lease: int) -> None:
        try:
            await self.sync.run(job, lease)
        except Exception:  # the job stays leased and comes due again when the lease ends
            log.exception("webhook.sync_failed", job=job)

    async def _process(self, entry: Entry) -> bool:
        await self.processor.process(entry.fields["body"].encode())
        return True

    async def _deliver(self, entry: Entry) -> bool:
        return await self.deliverer.attempt(Job.of(entry), entry.id)

    def _spawn(self, stream: WorkStream, entry: Entry, handle: Handler) -> None:
        busy = self._work.setdefault(stream.key, {})
        if entry.id in busy:  # taken over from ourselves: it is still being handled here
            return

        async def run() -> None:
            try:
                if await handle(entry):
                    await stream.done(entry.id)
            except Exception:  # left pending: taken over again after claim_idle
                log.exception("webhook.work_failed", stream=stream.key, entry=entry.id)

        task = _fresh_task(run())
        busy[entry.id] = task

        def finished(_: asyncio.Task[None]) -> None:
            busy.pop(entry.id, None)
            self._freed.set()

        task.add_done_callback(finished)

    def _running(self) -> list[asyncio.Task[None]]:
        return [task for busy in self._work.values() for task in busy.values()]


async def pending_work(redis: Redis) -> int:
    """Webhook work queued or scheduled in Redis (for :meth:`WebhookWorkers.drain` and monitoring)."""
    async with redis.pipeline(transaction=False) as pipe:
        pipe.xlen(keys.WEBHOOK_INBOUND)
        pipe.xlen(keys.WEBHOOK_DELIVERIES)
        pipe.zcard(keys.WEBHOOK_RETRIES)
        pipe.zcard(keys.WEBHOOK_SYNC)
        counts: list[int] = await pipe.execute()
    return sum(counts)


def _forget(running: dict[str, asyncio.Task[None]]) -> Callable[[asyncio.Task[None]], None]:
    """A done-callback removing the task from ``running``."""

    def forget(task: asyncio.Task[None]) -> None:
        running.pop(task.get_name(), None)

    return forget


def _fresh_task(work: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
    """A task with an empty context: no request's log fields or registered secrets leak in or out."""
    return asyncio.get_running_loop().create_task(work, context=contextvars.Context())
