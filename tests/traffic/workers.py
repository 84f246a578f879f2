"""Gateway-like workers: each runs its own event loop with its own Redis client and UpstreamClient, and
many concurrent callers on one credential. The tests run them in threads and spawned processes; the
benchmarks (``bench/``) reuse them."""

from __future__ import annotations

import asyncio
import multiprocessing
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier as ProcessBarrier
from typing import Any, TypeVar

from redis.asyncio import BlockingConnectionPool, Redis

from connectors.errors import ConnectorError
from connectors.http import UpstreamClient
from connectors.lexoffice.traffic import lexoffice_credential, lexoffice_profile
from connectors.pacer import Pacer, Reservation
from connectors.redis_store import RedisStore
from connectors.retry import Deadline

Spec = TypeVar("Spec")
Report = TypeVar("Report")


def redis_client(url: str, connections: int = 64) -> Redis:
    """A Redis client whose pool makes a burst of callers queue for a connection instead of failing."""
    return Redis.from_pool(BlockingConnectionPool.from_url(url, max_connections=connections))


@dataclass(frozen=True)
class WorkerSpec:
    """``callers`` concurrent callers, each making ``calls`` calls — or, without ``calls``, calling for
    ``duration`` seconds (a call whose slot lies beyond that fails fast and ends its caller)."""

    redis_url: str
    base_url: str
    api_key: str
    interval: float
    callers: int
    calls: int | None = None
    duration: float | None = None
    burst: int = 1
    path: str = "/v1/profile"


@dataclass
class WorkerReport:
    """Answers by HTTP status, errors by type, and when (wall clock) each 2xx answer arrived."""

    statuses: Counter[int] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    answered: list[float] = field(default_factory=list)

    def record(self, status: int) -> None:
        self.statuses[status] += 1
        if status < 300:
            self.answered.append(time.time())

    def add(self, other: WorkerReport) -> WorkerReport:
        self.statuses.update(other.statuses)
        self.errors.update(other.errors)
        self.answered.extend(other.answered)
        return self

    def rate(self) -> float:
        """2xx answers per second, between the first and the last."""
        span = max(self.answered) - min(self.answered)
        return (len(self.answered) - 1) / span if span > 0 else 0.0


def paced_worker(spec: WorkerSpec) -> WorkerReport:
    """A worker of the traffic engine: every call goes through UpstreamClient and the shared pacer."""
    return asyncio.run(_paced(spec))


async def _paced(spec: WorkerSpec) -> WorkerReport:
    report = WorkerReport()
    until = None if spec.duration is None else time.monotonic() + spec.duration
    redis = redis_client(spec.redis_url)
    credential = lexoffice_credential(spec.api_key, interval=spec.interval, burst=spec.burst)
    profile = replace(lexoffice_profile(spec.base_url), send_allowance=0.0)

    async def caller() -> None:
        done = 0
        while spec.calls is None or done < spec.calls:
            try:
                deadline = None if until is None else Deadline(until)
                response = await client.request(credential, "GET", spec.path, deadline=deadline)
            except ConnectorError as error:
                report.errors[type(error).__name__] += 1
                if until is not None:
                    return
            else:
                report.record(response.status_code)
            done += 1

    async with UpstreamClient(profile, Pacer(RedisStore(redis))) as client:
        await asyncio.gather(*(caller() for _ in range(spec.callers)))
    await redis.aclose()
    return report


@dataclass(frozen=True)
class ReserveSpec:
    """``count`` concurrent reservations on one pacer schedule (no calls are made)."""

    redis_url: str
    credential_id: str
    interval: float
    count: int


def reserving_worker(spec: ReserveSpec) -> list[Reservation]:
    """A worker that only reserves slots: what every paced call does first."""

    async def reserve() -> list[Reservation]:
        redis = redis_client(spec.redis_url)
        pacer = Pacer(RedisStore(redis))
        found = await asyncio.gather(
            *(pacer.reserve(spec.credential_id, spec.interval) for _ in range(spec.count))
        )
        await redis.aclose()
        return list(found)

    return asyncio.run(reserve())


def run_in_threads(target: Callable[[Spec], Report], spec: Spec, count: int) -> list[Report]:
    """Run ``count`` workers on their own threads (and event loops), released together."""
    barrier = threading.Barrier(count)
    reports: list[Report] = []

    def run() -> None:
        barrier.wait()
        reports.append(target(spec))

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return reports


def run_in_processes(
    target: Callable[[Spec], Report], spec: Spec, count: int, on_start: Callable[[], Any] | None = None
) -> list[Report]:
    """Run ``count`` workers in spawned processes, released together once all have started (so that
    start-up work does not disturb the run); ``on_start`` runs in this process at the release."""
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(count + 1)
    results: Queue[Report] = context.Queue()
    processes = [context.Process(target=_child, args=(target, spec, barrier, results)) for _ in range(count)]
    for process in processes:
        process.start()
    barrier.wait()
    if on_start is not None:
        on_start()
    reports = [results.get() for _ in processes]
    for process in processes:
        process.join()
    return reports


def _child(
    target: Callable[[Spec], Report], spec: Spec, barrier: ProcessBarrier, results: Queue[Report]
) -> None:
    barrier.wait()
    results.put(target(spec))
