"""Graceful shutdown of ``ledgerbridge serve``: SIGTERM lets the request in flight finish, runs the app's
shutdown (webhook workers stop, clients close), then the process ends (``LEDGERBRIDGE_SHUTDOWN_GRACE_SECONDS``
bounds the wait)."""

from __future__ import annotations

import signal
import threading
import time

import httpx

from tests.gateway.conftest import ADMIN_TOKEN, MASTER_KEY
from tests.support.sandbox import RunningSandbox, SandboxOrg
from tests.webhooks.processes import GatewayProcess, connect_accounts

WAIT = 30.0
"""Cap of every wait on the other process."""
LATENCY_MS = 1500
"""The sandbox holds every call this long, so the request is surely in flight when SIGTERM arrives."""


def test_sigterm_finishes_the_request_in_flight(
    redis_url: str, sandbox: RunningSandbox, lex: SandboxOrg
) -> None:
    gateway = GatewayProcess(
        {
            "REDIS_URL": redis_url,
            "LEDGERBRIDGE_MASTER_KEY": MASTER_KEY,
            "LEDGERBRIDGE_ADMIN_TOKEN": ADMIN_TOKEN,
            "LEDGERBRIDGE_LEXOFFICE_BASE_URL": sandbox.url,
            "LEDGERBRIDGE_SHUTDOWN_GRACE_SECONDS": "20",
        }
    ).start()
    try:
        api_key, [account_id] = connect_accounts(gateway.url, "Shutdown", [lex.api_key])
        headers = {"Authorization": f"Bearer {api_key}", "X-Account-Id": account_id}
        with httpx.Client(base_url=gateway.url, headers=headers, timeout=WAIT) as client:
            lex.set_faults(latency_ms=LATENCY_MS)
            accepted = lex.stats()["bucket"]["accepted"]

            answers: list[httpx.Response] = []
            in_flight = threading.Thread(
                target=lambda: answers.append(client.get("/v1/accounting/countries")), daemon=True
            )
            in_flight.start()
            deadline = time.monotonic() + WAIT
            while lex.stats()["bucket"]["accepted"] == accepted:  # the sandbox holds the gateway's call now
                assert time.monotonic() < deadline, "the request never reached the sandbox"
            assert gateway.process is not None
            gateway.process.send_signal(signal.SIGTERM)
            in_flight.join(WAIT)
            # uvicorn shuts down, then re-raises the signal it caught: "ended by SIGTERM" for the supervisor
            assert gateway.process.wait(timeout=WAIT) == -signal.SIGTERM
    finally:
        gateway.stop()
    assert [answer.status_code for answer in answers] == [200]
    assert answers[0].json()["data"]
    log = "\n".join(gateway.log)
    assert "Waiting for connections to close" in log, log
    assert "Application shutdown complete" in log, log
