"""Benchmark 4 — pacer cost: what one GCRA reservation (``pacer.lua`` via EVALSHA) costs on one Redis.

Figures: round-trip latency p50/p99 of sequential reservations; decisions per second with several client
processes and many concurrent callers (on this machine the Python clients, not Redis, are the limit); and
the Redis CPU time per decision under that load (``INFO cpu``), which bounds what one Redis core can
decide per second. Side by side, in the same run: a plain ``PING`` (the floor of any Redis round trip) and
the usual fixed-window limiter (``INCR`` + ``PEXPIRE`` in one MULTI/EXEC).

    .venv/bin/python -m bench.pacer_cost [--samples 3000] [--processes 2] [--concurrency 64] [--seconds 5]
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import redis as sync_redis
from redis.asyncio import Redis

from bench._harness import arguments, header, percentile, redis_server, table
from connectors.lexoffice.traffic import INTERVAL
from connectors.pacer import Pacer
from connectors.redis_store import RedisStore
from tests.traffic.workers import redis_client, run_in_processes

CREDENTIALS = 1000  # reservations rotate over this many schedules
DECISIONS = ("gcra reservation", "fixed window INCR+PEXPIRE", "PING (floor)")


def decision(redis: Redis, kind: str) -> Callable[[], Awaitable[object]]:
    """One rate-limit decision of the given kind, on rotating keys."""
    ids = itertools.cycle(range(CREDENTIALS))
    pacer = Pacer(RedisStore(redis))

    async def gcra() -> object:
        return await pacer.reserve(f"bench-{next(ids)}", INTERVAL)

    async def fixed_window() -> object:
        key = f"bench:{{win:{next(ids)}}}"
        async with redis.pipeline(transaction=True) as pipe:
            pipe.incr(key)
            pipe.pexpire(key, 1000)
            return await pipe.execute()

    async def ping() -> object:
        return await redis.ping()

    return {DECISIONS[0]: gcra, DECISIONS[1]: fixed_window, DECISIONS[2]: ping}[kind]


async def latencies(url: str, kind: str, samples: int) -> list[float]:
    """Round trips of sequential decisions, in microseconds."""
    redis = redis_client(url, connections=1)
    decide = decision(redis, kind)
    await decide()
    found = []
    for _ in range(samples):
        started = time.perf_counter()
        await decide()
        found.append((time.perf_counter() - started) * 1e6)
    await redis.aclose()
    return found


@dataclass(frozen=True)
class LoadSpec:
    url: str
    kind: str
    concurrency: int
    seconds: float


def load_worker(spec: LoadSpec) -> int:
    """Decisions made by ``concurrency`` callers in ``seconds`` (one worker process)."""
    return asyncio.run(_load(spec))


async def _load(spec: LoadSpec) -> int:
    redis = redis_client(spec.url, connections=spec.concurrency)
    decide = decision(redis, spec.kind)
    until = time.monotonic() + spec.seconds
    done = 0

    async def caller() -> None:
        nonlocal done
        while time.monotonic() < until:
            await decide()
            done += 1

    await asyncio.gather(*(caller() for _ in range(spec.concurrency)))
    await redis.aclose()
    return done


def redis_cpu(url: str) -> float:
    """Seconds of CPU the Redis server has used so far."""
    with sync_redis.Redis.from_url(url) as client:
        info = client.info("cpu")
    return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])


def main() -> None:
    args = arguments(__doc__ or "", samples=3000, processes=2, concurrency=64, seconds=5.0)
    header(
        "pacer cost on one Redis (loopback)",
        f"latency: {args.samples} sequential decisions on one connection; throughput: {args.processes} "
        f"processes x {args.concurrency} concurrent callers for {args.seconds:.0f} s",
    )
    rows = []
    with redis_server() as url:
        for kind in DECISIONS:
            found = asyncio.run(latencies(url, kind, args.samples))
            spec = LoadSpec(url, kind, args.concurrency, args.seconds)
            cpu = redis_cpu(url)
            decided = sum(run_in_processes(load_worker, spec, args.processes))
            cpu_per_decision = (redis_cpu(url) - cpu) / decided * 1e6
            rows.append(
                (
                    kind,
                    percentile(found, 0.5),
                    percentile(found, 0.99),
                    decided / args.seconds,
                    cpu_per_decision,
                )
            )
    table(
        ["decision", "p50 µs", "p99 µs", "decisions/s", "Redis CPU µs/decision", "=> max/s per Redis core"],
        [
            [kind, f"{p50:.0f}", f"{p99:.0f}", f"{rate:,.0f}", f"{cpu:.1f}", f"{1e6 / cpu:,.0f}"]
            for kind, p50, p99, rate, cpu in rows
        ],
    )
    gcra, window, ping = rows
    print(
        f"   gcra / fixed window: p50 {gcra[1] / window[1]:.2f}x, decisions/s {gcra[3] / window[3]:.2f}x, "
        f"Redis CPU {gcra[4] / window[4]:.2f}x; gcra / PING: p50 {gcra[1] / ping[1]:.2f}x, "
        f"Redis CPU {gcra[4] / ping[4]:.2f}x"
    )


if __name__ == "__main__":
    main()
