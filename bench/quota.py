"""Benchmark 1 — quota utilisation: gateway-like worker processes with many concurrent callers share one
lexoffice credential whose sandbox bucket allows 2 requests/second (capacity 2).

Figures: achieved upstream rate / allowed rate (goal ≥ 0.95) and upstream 429s (goal 0), for the traffic
engine (UpstreamClient + Redis pacer at lexoffice's default spacing) and, as the baseline, a typical client
that retries 429s with exponential backoff (0.5 s · 2^n, capped at 8 s, like urllib3's backoff_factor=0.5).
Every caller calls ``GET /v1/profile`` in a loop for the run's duration; the achieved rate counts the 2xx
answers between the first and the last.

    .venv/bin/python -m bench.quota [--workers 4] [--callers 50] [--duration 20]
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from bench._harness import Environment, arguments, environment, header, table
from connectors.lexoffice.traffic import INTERVAL
from tests.traffic.workers import WorkerReport, WorkerSpec, paced_worker, run_in_processes

RATE, CAPACITY = 2.0, 2.0  # lexoffice's documented rate; its capacity is not documented
BACKOFF_BASE, BACKOFF_CAP = 0.5, 8.0


def backoff_worker(spec: WorkerSpec) -> WorkerReport:
    """The baseline: plain httpx; on 429 sleep 0.5 s · 2^n (capped), then try again."""
    return asyncio.run(_backoff(spec))


async def _backoff(spec: WorkerSpec) -> WorkerReport:
    report = WorkerReport()
    until = time.monotonic() + (spec.duration or 0.0)
    headers = {"Authorization": f"Bearer {spec.api_key}", "Accept": "application/json"}

    async def caller(client: httpx.AsyncClient) -> None:
        failures = 0
        while time.monotonic() < until:
            response = await client.get(spec.path)
            report.record(response.status_code)
            if response.status_code != 429:
                failures = 0
                continue
            delay = min(BACKOFF_CAP, BACKOFF_BASE * 2**failures)
            failures += 1
            await asyncio.sleep(min(delay, max(0.0, until - time.monotonic())))

    async with httpx.AsyncClient(base_url=spec.base_url, headers=headers, timeout=30) as client:
        await asyncio.gather(*(caller(client) for _ in range(spec.callers)))
    return report


@dataclass(frozen=True)
class Result:
    client: str
    accepted: int
    rejected: int
    rate: float  # 2xx answers per second, between the first and the last

    @property
    def utilisation(self) -> float:
        return self.rate / RATE


def measure(
    env: Environment,
    name: str,
    worker: Callable[[WorkerSpec], WorkerReport],
    workers: int,
    callers: int,
    duration: float,
) -> Result:
    """Run one client design on a fresh credential; the sandbox's bucket counts what reached the upstream."""
    org = env.sandbox.new_org(rate=RATE, burst=CAPACITY)
    spec = WorkerSpec(env.redis_url, env.sandbox.url, org.api_key, INTERVAL, callers, duration=duration)
    total = WorkerReport()
    for report in run_in_processes(worker, spec, workers):
        total.add(report)
    bucket = org.stats()["bucket"]
    return Result(name, bucket["accepted"], bucket["rejected"], total.rate())


def main() -> None:
    args = arguments(__doc__ or "", workers=4, callers=50, duration=20.0)
    header(
        "quota utilisation: one credential, sandbox bucket 2 req/s (capacity 2)",
        f"{args.workers} worker processes x {args.callers} concurrent callers, "
        f"{args.duration:.0f} s per client; pacer spacing {INTERVAL * 1000:.1f} ms (lexoffice default)",
    )
    with environment() as env:
        paced, baseline = (
            measure(env, name, worker, args.workers, args.callers, args.duration)
            for name, worker in [
                ("traffic engine (Redis pacer)", paced_worker),
                ("baseline (backoff on 429)", backoff_worker),
            ]
        )
    table(
        ["client", "upstream 2xx", "upstream 429", "achieved rate", "achieved/allowed"],
        [[r.client, r.accepted, r.rejected, f"{r.rate:.3f}/s", r.utilisation] for r in (paced, baseline)],
    )
    print(
        f"   traffic engine / baseline: utilisation {paced.utilisation / baseline.utilisation:.2f}x, "
        f"upstream 429s {paced.rejected} vs {baseline.rejected}"
    )


if __name__ == "__main__":
    main()
