"""Benchmark — webhooks: signed lexoffice callbacks in, Standard Webhooks deliveries out.

Gateway processes (``ledgerbridge serve``, one Redis, logging at ``info`` as in production) receive signed
``contact.changed`` callbacks (round robin) for one account whose tenant has one endpoint; every callback
becomes an event POSTed to a local receiver. Two passes:

* **saturation** — callbacks as fast as ``--concurrency`` connections allow: events per second from the
  first callback sent to the last delivery received (the pipeline's capacity); delays include queueing;
* **paced** — the same number of callbacks at half that capacity: the delay of each event from "callback
  sent" to "delivery received" (p50/p99/max) when the gateway keeps up.

Events carry no resource (fetching it would measure lexoffice's 2 requests/second, not the pipeline).

    .venv/bin/python -m bench.webhooks [--events 2000] [--processes 2] [--concurrency 50] [--warmup 200]
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any

import httpx

from bench._harness import arguments, environment, header, percentile, table
from gateway.serving import ThreadedServer
from tests.gateway.conftest import ADMIN_TOKEN, MASTER_KEY
from tests.support.asgi import read_body, serve_lifespan
from tests.support.callbacks import callback_body
from tests.support.sandbox import RunningSandbox
from tests.webhooks.processes import GatewayProcess, settled

WAIT = 300.0


class TimingReceiver:
    """An ASGI endpoint recording when each event (by resource id) arrived; 200 to everything."""

    def __init__(self) -> None:
        self.arrivals: dict[str, float] = {}
        self.expected = 0
        self.complete = threading.Event()
        self.server = ThreadedServer(self)

    def expect(self, count: int) -> None:
        self.arrivals.clear()
        self.expected = count
        self.complete.clear()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await serve_lifespan(receive, send)
            return
        body = await read_body(receive)
        arrived = time.time()
        if body:
            self.arrivals.setdefault(json.loads(body)["data"]["resource_id"], arrived)
            if len(self.arrivals) >= self.expected:
                self.complete.set()
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"0")]})
        await send({"type": "http.response.body", "body": b""})


def callbacks(sandbox: RunningSandbox, organization_id: str, count: int) -> list[tuple[str, bytes, str]]:
    """``count`` signed callbacks (resource id, body, signature), made before the clock starts."""
    made = []
    for _ in range(count):
        resource_id = str(uuid.uuid4())
        body = callback_body(organization_id, resource_id=resource_id)
        made.append((resource_id, body, sandbox.app.signing_key.sign(body)))
    return made


async def send_all(
    urls: list[str], batch: list[tuple[str, bytes, str]], concurrency: int, rate: float | None
) -> tuple[dict[str, float], int, float]:
    """Post the callbacks round robin (at ``rate`` per second, or as fast as possible): the send time of
    each, how many were not accepted, when the last answer came."""
    sent: dict[str, float] = {}
    refused = 0
    answered = 0.0
    gate = asyncio.Semaphore(concurrency)
    clients = [httpx.AsyncClient(base_url=url, timeout=30) for url in urls]

    start = time.monotonic()

    async def post(index: int, resource_id: str, body: bytes, signature: str) -> None:
        nonlocal refused, answered
        if rate:
            await asyncio.sleep(max(0.0, start + index / rate - time.monotonic()))
        async with gate:
            sent[resource_id] = time.time()
            status = await deliver(clients[index % len(clients)], body, signature)
            refused += status != 202
            answered = max(answered, time.time())

    try:
        await asyncio.gather(*(post(i, *callback) for i, callback in enumerate(batch)))
    finally:
        for client in clients:
            await client.aclose()
    return sent, refused, answered


async def deliver(client: httpx.AsyncClient, body: bytes, signature: str, tries: int = 3) -> int:
    """Post one callback as lexoffice would; a dropped connection is tried again (a 409 then means the
    first try was queued)."""
    headers = {"Content-Type": "application/json", "X-Lxo-Signature": signature}
    for attempt in range(1, tries + 1):
        try:
            response = await client.post("/v1/webhooks/lexoffice", content=body, headers=headers)
        except httpx.TransportError:
            if attempt == tries:
                raise
            continue
        return 202 if response.status_code == 409 and attempt > 1 else response.status_code
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class Pass:
    """One measured pass."""

    name: str
    events: int
    refused: int
    accepted_per_second: float
    delivered_per_second: float
    delays: list[float]

    def row(self) -> list[object]:
        return [
            self.name,
            self.events,
            self.refused,
            self.accepted_per_second,
            self.delivered_per_second,
            percentile(self.delays, 0.5) * 1000,
            percentile(self.delays, 0.99) * 1000,
            self.delays[-1] * 1000,
        ]


def run(
    name: str,
    receiver: TimingReceiver,
    urls: list[str],
    batch: list[tuple[str, bytes, str]],
    concurrency: int,
    rate: float | None = None,
) -> Pass:
    """Send one batch and wait until every event arrived."""
    receiver.expect(len(batch))
    sent, refused, answered = asyncio.run(send_all(urls, batch, concurrency, rate))
    if not receiver.complete.wait(WAIT):
        raise RuntimeError(f"only {len(receiver.arrivals)} of {len(batch)} events arrived")
    started = min(sent.values())
    return Pass(
        name,
        len(sent),
        refused,
        len(sent) / (answered - started),
        len(sent) / (max(receiver.arrivals.values()) - started),
        sorted(receiver.arrivals[key] - sent[key] for key in sent),
    )


def set_up(gateway_url: str, receiver_url: str, api_key: str) -> None:
    """A tenant, its account for the sandbox organization and one endpoint (no resources)."""
    with httpx.Client(base_url=gateway_url, timeout=30) as api:
        tenant = api.post(
            "/v1/admin/tenants", json={"name": "bench"}, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}
        ).json()
        api.headers["Authorization"] = f"Bearer {tenant['api_key']['key']}"
        api.post(
            "/v1/accounts", json={"connector": "lexoffice", "credentials": {"api_key": api_key}}
        ).raise_for_status()
        api.post(
            "/v1/webhook-endpoints",
            json={"url": receiver_url, "events": ["contact.updated"], "include_resource": False},
        ).raise_for_status()


def main() -> None:
    args = arguments(__doc__ or "", events=2000, processes=2, concurrency=50, warmup=200)
    header(
        "webhooks: lexoffice callback in -> signed unified event delivered",
        f"{args.events} events per pass, {args.processes} gateway process(es), up to {args.concurrency} "
        f"callbacks in flight, 1 endpoint (local receiver), {args.warmup} warm-up events",
    )
    with environment() as env:
        receiver = TimingReceiver()
        receiver.server.start()
        lex = env.sandbox.new_org()
        settings = {
            "REDIS_URL": env.redis_url,
            "LEDGERBRIDGE_MASTER_KEY": MASTER_KEY,
            "LEDGERBRIDGE_ADMIN_TOKEN": ADMIN_TOKEN,
            "LEDGERBRIDGE_LEXOFFICE_BASE_URL": env.sandbox.url,
            "LEDGERBRIDGE_MODE": "development",
            "LEDGERBRIDGE_WEBHOOKS_ALLOW_PRIVATE_TARGETS": "true",
            "LEDGERBRIDGE_LEXOFFICE_WEBHOOK_PUBLIC_KEY": env.sandbox.app.signing_key.public_pem().decode(),
            "LEDGERBRIDGE_LOG_LEVEL": "info",  # production default; the ready line is logged at info
        }
        gateways = [GatewayProcess(settings).start() for _ in range(args.processes)]
        try:
            set_up(gateways[0].url, receiver.server.url + "/hook", lex.api_key)
            settled(env.redis_url, WAIT)  # the subscription sync after set-up
            urls = [gateway.url for gateway in gateways]
            batch = callbacks(env.sandbox, lex.id, args.warmup + 2 * args.events)
            warmup, saturating, paced = (
                batch[: args.warmup],
                batch[args.warmup : args.warmup + args.events],
                batch[args.warmup + args.events :],
            )
            run("warm-up", receiver, urls, warmup, args.concurrency)
            capacity = run("saturation", receiver, urls, saturating, args.concurrency)
            rate = capacity.delivered_per_second / 2
            steady = run(f"paced {rate:.0f}/s", receiver, urls, paced, args.concurrency, rate)
        finally:
            for gateway in gateways:
                gateway.stop()
            receiver.server.stop()
    table(
        ["pass", "events", "refused", "callbacks/s in", "events/s out", "p50 ms", "p99 ms", "max ms"],
        [capacity.row(), steady.row()],
    )


if __name__ == "__main__":
    main()
