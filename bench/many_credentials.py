"""Benchmark 2 — many credentials: 200 lexoffice credentials x 10 calls each, all submitted at once, each
credential with its own sandbox bucket of 2 requests/second.

Figure: total time / physical minimum (goal ≤ 1.1), where the minimum is what pacing alone imposes on one
credential: (calls - 1) x spacing. The traffic engine sleeps for a slot *before* it takes a connection, so
a credential that must wait never holds up another. Baseline: the same client and pacer behind a pool of
one worker per credential that waits for the slot inside the worker (as a thread-pool client with a
blocking rate limiter does): calls are queued in submission order, and a worker waiting for one credential's
slot blocks the calls of the others behind it (head-of-line blocking).

The client runs in its own process, so that it does not share an interpreter with the sandbox, with a pool
of 20 connections (the pure-Python sandbox serves more calls/s over few connections than over many). A probe
in the same run sends the same number of calls at once, unpaced, on one unthrottled key: its time is the
floor this machine's client and sandbox impose (if it exceeds the pacing minimum, the machine — not the
pacer — is the bottleneck, and the jitter of a saturated sandbox also costs some 429s).

    .venv/bin/python -m bench.many_credentials [--credentials 200] [--calls 10] [--connections 20]
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace

import httpx

from bench._harness import arguments, environment, header, table
from connectors.http import UpstreamClient, UpstreamCredential
from connectors.lexoffice.traffic import INTERVAL, lexoffice_credential, lexoffice_profile
from connectors.pacer import Pacer
from connectors.redis_store import RedisStore
from tests.traffic.workers import redis_client, run_in_processes

Call = Callable[[], Awaitable[object]]


@dataclass(frozen=True)
class RunSpec:
    redis_url: str
    base_url: str
    api_keys: list[str]
    calls: int
    pooled: bool  # the baseline's worker pool instead of a task per call
    connections: int
    interval: float = INTERVAL


async def all_at_once(calls: list[Call]) -> None:
    """The traffic engine as used by a gateway: every call is its own task."""
    await asyncio.gather(*(call() for call in calls))


async def worker_pool(calls: list[Call], workers: int) -> None:
    """The baseline: ``workers`` workers drain one FIFO queue; each waits out its call's slot itself."""
    queue: asyncio.Queue[Call] = asyncio.Queue()
    for call in calls:
        queue.put_nowait(call)

    async def work() -> None:
        while not queue.empty():
            await queue.get_nowait()()

    await asyncio.gather(*(work() for _ in range(workers)))


def timed_run(spec: RunSpec) -> float:
    """Seconds until every credential's calls are answered (runs in a worker process)."""
    return asyncio.run(_timed(spec))


async def _timed(spec: RunSpec) -> float:
    redis = redis_client(spec.redis_url)
    await redis.flushall()

    def call(credential: UpstreamCredential) -> Call:
        return lambda: client.request(credential, "GET", "/v1/profile")

    credentials = [lexoffice_credential(key, interval=spec.interval) for key in spec.api_keys]
    calls = [call(credential) for credential in credentials for _ in range(spec.calls)]
    profile = replace(lexoffice_profile(spec.base_url), limits=httpx.Limits(max_connections=spec.connections))
    async with UpstreamClient(profile, Pacer(RedisStore(redis))) as client:
        started = time.monotonic()
        await (worker_pool(calls, len(credentials)) if spec.pooled else all_at_once(calls))
        elapsed = time.monotonic() - started
    await redis.aclose()
    return elapsed


def main() -> None:
    args = arguments(__doc__ or "", credentials=200, calls=10, connections=20)
    minimum = (args.calls - 1) * INTERVAL
    header(
        "many credentials: no head-of-line blocking across accounts",
        f"{args.credentials} credentials x {args.calls} calls, each credential its own 2 req/s bucket; "
        f"pacer spacing {INTERVAL * 1000:.1f} ms; {args.connections} pooled connections; "
        f"physical minimum {minimum:.2f} s",
    )
    total = args.credentials * args.calls
    rows = []
    with environment() as env:
        probe_key = env.sandbox.new_org().api_key
        probe = RunSpec(env.redis_url, env.sandbox.url, [probe_key], total, False, args.connections, 0.0)
        [floor] = run_in_processes(timed_run, probe, 1)
        orgs = [env.sandbox.new_org(rate=2.0, burst=2.0) for _ in range(args.credentials)]
        keys = [org.api_key for org in orgs]
        for name, pooled in [
            ("traffic engine (a task per call)", False),
            (f"baseline ({args.credentials} workers, FIFO)", True),
        ]:
            before = sum(org.stats()["bucket"]["rejected"] for org in orgs)
            spec = RunSpec(env.redis_url, env.sandbox.url, keys, args.calls, pooled, args.connections)
            [elapsed] = run_in_processes(timed_run, spec, 1)
            rejected = sum(org.stats()["bucket"]["rejected"] for org in orgs) - before
            rows.append((name, elapsed, rejected))
    print(f"   machine floor: {total} unpaced calls at once take {floor:.2f} s ({total / floor:.0f} calls/s)")
    table(
        ["design", "calls", "total time", "total/minimum", "total/max(minimum, floor)", "upstream 429"],
        [
            [name, total, f"{elapsed:.2f}s", elapsed / minimum, elapsed / max(minimum, floor), rejected]
            for name, elapsed, rejected in rows
        ],
    )
    print(f"   traffic engine / baseline: total time {rows[0][1] / rows[1][1]:.2f}x")


if __name__ == "__main__":
    main()
