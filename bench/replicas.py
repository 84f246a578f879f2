"""Benchmark — replicas: the same mixed load through 1 and through 4 gateway processes on one Redis.

Each pass starts ``ledgerbridge serve`` processes (logging at ``info`` as in production), connects
``--accounts`` accounts (each its own sandbox organization whose key allows lexoffice's 2 requests/second,
bucket 2), then sends
``--calls`` unified API calls per account at once, round robin over the processes: contact lists, company
info and contact creates with an ``Idempotency-Key``. Figures: total time against the pacing minimum (every
account can do only ~1.95 calls/s), upstream 429s (goal 0: the pacing is global), the p50/p99 latency, and
the gateways' CPU time per request — from which "cores per 1,000 requests/s" follows for sizing. The
1-process pass is the baseline.

    .venv/bin/python -m bench.replicas [--accounts 50] [--calls 6] [--processes 4]
"""

from __future__ import annotations

import asyncio
import os
import time
from contextlib import ExitStack

import httpx
import redis

from bench._harness import arguments, environment, header, percentile, table
from connectors.lexoffice.traffic import INTERVAL
from tests.support.sandbox import RunningSandbox
from tests.webhooks.processes import connect_accounts, gateway_processes

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


async def drive(urls: list[str], key: str, accounts: list[str], calls: int) -> tuple[float, list[float], int]:
    """All calls at once; returns the wall time, each answered call's latency and the count of failed calls
    (non-2xx answers and dropped connections)."""
    # idle connections expire before uvicorn closes them (5 s), so none is reused as the server drops it
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200, keepalive_expiry=2.0)
    clients = [httpx.AsyncClient(base_url=u, timeout=300, limits=limits) for u in urls]
    latencies: list[float] = []
    failed = 0

    async def call(index: int, account: str, n: int) -> None:
        nonlocal failed
        client = clients[index % len(clients)]
        headers = {"Authorization": f"Bearer {key}", "X-Account-Id": account}
        started = time.perf_counter()
        try:
            if n % 3 == 0:
                body = {"type": "company", "roles": ["customer"], "company": {"name": f"Bench {index}"}}
                headers["Idempotency-Key"] = f"bench-{account}-{n}"
                response = await client.post("/v1/accounting/contacts", json=body, headers=headers)
            elif n % 3 == 1:
                response = await client.get("/v1/accounting/contacts", headers=headers)
            else:
                response = await client.get("/v1/accounting/company", headers=headers)
        except httpx.TransportError:  # counted: a dropped connection is a failed request
            failed += 1
            return
        latencies.append(time.perf_counter() - started)
        failed += not response.is_success

    work = [(account, n) for n in range(calls) for account in accounts]
    start = time.perf_counter()
    try:
        await asyncio.gather(*(call(i, account, n) for i, (account, n) in enumerate(work)))
    finally:
        for client in clients:
            await client.aclose()
    return time.perf_counter() - start, latencies, failed


def run_pass(
    processes: int, redis_url: str, sandbox: RunningSandbox, accounts: int, calls: int
) -> list[object]:
    redis.Redis.from_url(redis_url).flushall()
    orgs = [sandbox.new_org(f"Replica Org {n}", rate=2.0, burst=2.0) for n in range(accounts)]
    with ExitStack() as stack:
        running = stack.enter_context(gateway_processes(processes, redis_url, sandbox.url))
        key, ids = connect_accounts(running[0].url, "Bench", [org.api_key for org in orgs])
        rejected_before = sum(org.stats()["bucket"]["rejected"] for org in orgs)
        cpu_before = sum(cpu_seconds(p.process.pid) for p in running if p.process)
        wall, latencies, failed = asyncio.run(drive([p.url for p in running], key, ids, calls))
        cpu = sum(cpu_seconds(p.process.pid) for p in running if p.process) - cpu_before
    rejected = sum(org.stats()["bucket"]["rejected"] for org in orgs) - rejected_before
    requests = accounts * calls
    interval = INTERVAL
    # a create is 2 upstream calls (POST, then GET of the stored contact), the others 1
    upstream_per_account = sum(2 if n % 3 == 0 else 1 for n in range(calls))
    minimum = (upstream_per_account - 1) * interval
    return [
        f"{processes} process(es)",
        requests,
        failed,
        rejected,
        f"{wall:.2f}s",
        f"{minimum:.2f}s",
        wall / minimum,
        requests / wall,
        percentile(latencies, 0.5) * 1000,
        percentile(latencies, 0.99) * 1000,
        cpu / requests * 1000,
    ]


def main() -> None:
    args = arguments(__doc__ or "", accounts=50, calls=6, processes=4)
    with environment() as env:
        header(
            "replicas: one Redis, 1 vs several gateway processes",
            f"{args.accounts} accounts (2 req/s each) x {args.calls} calls at once, round robin; "
            "mix: 1/3 idempotent contact creates, 1/3 contact lists, 1/3 company info",
        )
        rows = [
            run_pass(count, env.redis_url, env.sandbox, args.accounts, args.calls)
            for count in (1, args.processes)
        ]
    table(
        [
            "gateways",
            "requests",
            "failed",
            "upstream 429",
            "total",
            "pacing minimum",
            "total/minimum",
            "requests/s",
            "p50 ms",
            "p99 ms",
            "CPU ms/request (= cores per 1,000 req/s)",
        ],
        rows,
    )
    baseline, scaled = rows
    ratio = float(str(scaled[7])) / float(str(baseline[7]))
    print(f"   {scaled[0]} / {baseline[0]}: requests/s {ratio:.2f}x")


if __name__ == "__main__":
    main()
