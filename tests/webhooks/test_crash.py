"""A gateway process killed while it delivers: another process takes the attempt over and delivers it.

Process A (``ledgerbridge serve``) claims the attempt and POSTs it to a receiver that holds the request
open; A is killed with SIGKILL mid-request. Process B, started afterwards on the same Redis, takes the
unacknowledged stream entry over (``XAUTOCLAIM`` after the configured idle time) once A's claim has lapsed,
and delivers the same event (same ``webhook-id``) correctly signed.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.gateway.conftest import ADMIN_TOKEN, MASTER_KEY
from tests.support.callbacks import callback_body
from tests.support.sandbox import RunningSandbox, SandboxOrg
from tests.webhooks.conftest import PROCESSES_DB, database
from tests.webhooks.processes import GatewayProcess, settled
from tests.webhooks.receivers import HoldingReceiver
from tests.webhooks.standard_webhooks import verify

WAIT = 60.0
"""Cap of every wait on another process (they take well under a second here)."""


@pytest.fixture
def processes_redis(redis_url: str) -> str:
    """A database of its own: other gateways of the test session must not share the processes' work."""
    return database(redis_url, PROCESSES_DB)


@pytest.fixture
def environment(processes_redis: str, sandbox: RunningSandbox) -> dict[str, str]:
    return {
        "REDIS_URL": processes_redis,
        "LEDGERBRIDGE_MASTER_KEY": MASTER_KEY,
        "LEDGERBRIDGE_ADMIN_TOKEN": ADMIN_TOKEN,
        "LEDGERBRIDGE_LEXOFFICE_BASE_URL": sandbox.url,
        "LEDGERBRIDGE_MODE": "development",
        "LEDGERBRIDGE_WEBHOOKS_ALLOW_PRIVATE_TARGETS": "true",
        "LEDGERBRIDGE_LEXOFFICE_WEBHOOK_PUBLIC_KEY": sandbox.app.signing_key.public_pem().decode(),
        "LEDGERBRIDGE_WEBHOOK_TIMEOUT": "3",
        "LEDGERBRIDGE_WEBHOOK_CLAIM_IDLE": "0.2",
        "LEDGERBRIDGE_LOG_LEVEL": "info",
    }


@pytest.fixture
def receiver() -> Iterator[HoldingReceiver]:
    with HoldingReceiver() as running:
        yield running


def test_a_delivery_survives_the_sending_process_being_killed(
    environment: dict[str, str],
    processes_redis: str,
    sandbox: RunningSandbox,
    lex: SandboxOrg,
    receiver: HoldingReceiver,
) -> None:
    first = GatewayProcess(environment).start()
    try:
        with httpx.Client(base_url=first.url, timeout=10) as api:
            tenant = api.post(
                "/v1/admin/tenants", json={"name": "Acme"}, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}
            ).json()
            api.headers["Authorization"] = f"Bearer {tenant['api_key']['key']}"
            assert api.post(
                "/v1/accounts", json={"connector": "lexoffice", "credentials": {"api_key": lex.api_key}}
            ).is_success
            endpoint = api.post(
                "/v1/webhook-endpoints", json={"url": receiver.url, "events": ["contact.updated"]}
            ).json()
            body = callback_body(lex.id)
            accepted = api.post(
                "/v1/webhooks/lexoffice",
                content=body,
                headers={
                    "Content-Type": "application/json",
                    "X-Lxo-Signature": sandbox.app.signing_key.sign(body),
                },
            )
        assert accepted.status_code == 202
        assert receiver.first_arrived.wait(WAIT), "process A never sent the attempt"
    finally:
        first.kill()

    killed_at = time.monotonic()
    second = GatewayProcess(environment).start()
    try:
        assert receiver.second_arrived.wait(WAIT), "process B never took the attempt over"
        settled(processes_redis, WAIT)
        with httpx.Client(
            base_url=second.url, headers={"Authorization": f"Bearer {tenant['api_key']['key']}"}
        ) as api:
            [logged] = api.get("/v1/events").json()["data"]
    finally:
        second.stop()

    cut_off, redelivered = receiver.requests
    assert cut_off.header("webhook-id") == redelivered.header("webhook-id") == logged["id"]
    event = verify(endpoint["secret"], redelivered.headers, redelivered.body)
    assert event["type"] == "contact.updated"
    assert event["data"]["resource_id"] == json.loads(body)["resourceId"]
    assert logged["deliveries"][0]["status"] == "delivered"
    assert logged["deliveries"][0]["attempts"] == 1
    assert time.monotonic() - killed_at < WAIT
