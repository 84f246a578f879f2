"""Unfinished operations are not lost with their process: the other processes' sweepers pick up one whose
lease ran out (its process was SIGKILLed), and a process stopped with SIGTERM gives its leases up at once, so
another one continues without waiting for them to run out."""

from __future__ import annotations

import httpx

from tests.e2e.helpers import voucher_request
from tests.operations.conftest import Cluster, expire_lease, operation_of_request
from tests.support.operations import (
    receipt,
    unassigned_uploads,
    vouchers_numbered,
    wait_until,
    wait_until_finished,
)
from tests.support.sandbox import SandboxOrg
from tests.webhooks.processes import GatewayProcess, connect_accounts

HELD_UPLOAD = {"kind": "timeout", "methods": ["POST"], "path_prefix": "/v1/vouchers", "skip": 1}
"""Holds the receipt upload (the voucher itself is created)."""


def _start_held(
    cluster: Cluster, lex: SandboxOrg, victim: GatewayProcess, number: str
) -> tuple[str, str, str]:
    """Start a voucher-with-receipt operation on ``victim`` and wait until its upload is held upstream
    (until the next ``set_faults``); returns the survivor's API key, the account and the operation's id."""
    api_key, [account_id] = connect_accounts(cluster.survivor.url, f"Takeover {number}", [lex.api_key])
    headers = {"Authorization": f"Bearer {api_key}", "X-Account-Id": account_id, "Idempotency-Key": number}
    injected = lex.stats()["faults"]["injected"]
    lex.set_faults(timeout_seconds=60, queue=[HELD_UPLOAD])
    with httpx.Client(base_url=victim.url, headers=headers, timeout=httpx.Timeout(5, read=0.2)) as client:
        try:
            accepted = client.post(
                "/v1/accounting/vouchers", json=voucher_request(number=number, receipts=[receipt()])
            )
            assert accepted.status_code == 202, accepted.text
        except httpx.ReadTimeout:  # the victim waits for the held call; it will not answer in time
            pass
    wait_until(lambda: lex.stats()["faults"]["injected"] > injected, what="the held upload")
    _, operation_id = operation_of_request(cluster.redis, account_id, number)
    return api_key, account_id, operation_id


def _record(cluster: Cluster, operation_id: str) -> tuple[str, str]:
    [record] = cluster.redis.scan_iter(match=f"*operation:{operation_id}")
    return record.split("{tenant:")[1].split("}")[0], operation_id


def _finished_by_survivor(
    cluster: Cluster, lex: SandboxOrg, api_key: str, operation_id: str, number: str
) -> None:
    with httpx.Client(
        base_url=cluster.survivor.url, headers={"Authorization": f"Bearer {api_key}"}
    ) as client:
        operation = wait_until_finished(client, f"/v1/operations/{operation_id}")
    assert operation["status"] == "succeeded", operation
    [voucher] = vouchers_numbered(lex, number)
    assert len(voucher["files"]) == 1
    assert unassigned_uploads(lex) == []


def test_the_sweeper_finishes_an_operation_whose_process_died(cluster: Cluster, lex: SandboxOrg) -> None:
    victim = GatewayProcess(cluster.environment).start()
    try:
        api_key, _, operation_id = _start_held(cluster, lex, victim, "TAKEOVER-KILL")
        victim.kill()
    finally:
        victim.stop()
    lex.set_faults()  # ends the held call (its answer goes nowhere)
    expire_lease(cluster.redis, *_record(cluster, operation_id))  # the lease's time passes
    _finished_by_survivor(cluster, lex, api_key, operation_id, "TAKEOVER-KILL")


def test_sigterm_gives_the_lease_up_at_once(cluster: Cluster, lex: SandboxOrg) -> None:
    environment = cluster.environment | {"LEDGERBRIDGE_OPERATION_WAIT_SECONDS": "0"}
    victim = GatewayProcess(environment).start()
    try:
        api_key, _, operation_id = _start_held(cluster, lex, victim, "TAKEOVER-TERM")
    finally:
        victim.stop()  # SIGTERM: the lease is released, not left to run out (30 s)
    lex.set_faults()
    _finished_by_survivor(cluster, lex, api_key, operation_id, "TAKEOVER-TERM")
