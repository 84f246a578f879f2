"""Crash tests: a gateway process (``ledgerbridge serve``) is SIGKILLed in the middle of each step of each
operation — while a step's upstream call hangs before lexoffice performed it, or after lexoffice performed a
write but before the gateway could record it. The retry with the same ``Idempotency-Key`` goes to another
process, once the dead process's lease has run out, and must end with exactly the right upstream records:
one voucher with exactly its receipts (no unattached upload), one invoice with its PDF, one credit note,
one contact — never a duplicate, never an orphan.

The sandbox holds the chosen call (fault ``timeout`` or ``timeout-after-perform`` with a long wait), the
test waits until the call has arrived (and, for a write, until it is performed), then kills. The lease's
running out is made explicit (its expiry set to now in Redis) instead of waited for.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx
import pytest

from tests.e2e.helpers import Json, voucher_request
from tests.e2e.test_documents_api import invoice_request
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


@dataclass
class Case:
    """One operation: how to send it, and what the sandbox must hold afterwards."""

    path: str
    body: Json
    check: Callable[[SandboxOrg, Json], None]
    params: Json | None = None
    prepare: Callable[[httpx.Client], str] | None = None
    """Makes what the operation needs (through the survivor) and returns the path's id."""


def _voucher_check(lex: SandboxOrg, response: Json) -> None:
    [voucher] = vouchers_numbered(lex, "CRASH-1")
    assert len(voucher["files"]) == 2
    assert response["attachments"] == voucher["files"]
    assert unassigned_uploads(lex) == []


def _invoice_check(lex: SandboxOrg, response: Json) -> None:
    [invoice] = lex.org.collection("invoices").values()
    assert invoice["id"] == response["id"]
    assert response["document_file_id"] == invoice["files"]["documentFileId"]


def _credit_note_check(lex: SandboxOrg, response: Json) -> None:
    [note] = lex.org.collection("credit-notes").values()
    assert note["id"] == response["id"]
    assert len(lex.org.collection("invoices")) == 1


def _contact_check(lex: SandboxOrg, response: Json) -> None:
    [contact] = lex.org.collection("contacts").values()
    assert contact["id"] == response["id"]


def _invoice_to_credit(client: httpx.Client) -> str:
    made = client.post("/v1/accounting/invoices", json=invoice_request(finalize=True))
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


CASES = {
    "voucher": Case(
        "/v1/accounting/vouchers",
        voucher_request(number="CRASH-1", receipts=[receipt(), receipt("zwei.pdf")]),
        _voucher_check,
    ),
    "invoice": Case(
        "/v1/accounting/invoices", invoice_request(finalize=True), _invoice_check, params={"include": "pdf"}
    ),
    "credit_note": Case(
        "/v1/accounting/invoices/{id}/credit-notes",
        {"finalize": True, "lines": [{"index": 0, "quantity": "1"}]},
        _credit_note_check,
        prepare=_invoice_to_credit,
    ),
    "contact": Case(
        "/v1/accounting/contacts/upsert",
        {
            "match": {"email": "crash@example.com"},
            "contact": {
                "type": "company",
                "roles": ["customer"],
                "company": {"name": "Crash GmbH"},
                "emails": {"business": ["crash@example.com"]},
            },
        },
        _contact_check,
    ),
}

HOLD_SECONDS = 60
"""How long the sandbox holds the chosen call (the process is killed long before)."""

# (case, fault kind, method, path prefix, matching calls let through first): the call the process dies in
KILL_POINTS = [
    ("voucher", "timeout", "POST", "/v1/vouchers", 0),  # creating the voucher, not yet performed
    ("voucher", "timeout-after-perform", "POST", "/v1/vouchers", 0),  # voucher made, id never recorded
    ("voucher", "timeout", "POST", "/v1/vouchers", 1),  # first receipt
    ("voucher", "timeout-after-perform", "POST", "/v1/vouchers", 1),
    ("voucher", "timeout", "POST", "/v1/vouchers", 2),  # second receipt
    ("voucher", "timeout-after-perform", "POST", "/v1/vouchers", 2),
    ("invoice", "timeout", "POST", "/v1/invoices", 0),
    ("invoice", "timeout-after-perform", "POST", "/v1/invoices", 0),
    ("invoice", "timeout", "GET", "/v1/invoices/", 0),  # rendering the PDF
    ("invoice", "timeout", "GET", "/v1/invoices/", 1),  # reading the invoice back
    ("credit_note", "timeout", "GET", "/v1/invoices/", 0),  # reading the invoice
    ("credit_note", "timeout", "POST", "/v1/credit-notes", 0),
    ("credit_note", "timeout-after-perform", "POST", "/v1/credit-notes", 0),
    ("credit_note", "timeout", "GET", "/v1/credit-notes/", 0),  # reading the credit note back
    ("contact", "timeout", "GET", "/v1/contacts", 0),  # finding the contact
    ("contact", "timeout", "POST", "/v1/contacts", 0),
    ("contact", "timeout-after-perform", "POST", "/v1/contacts", 0),
    ("contact", "timeout", "GET", "/v1/contacts", 1),  # reading the new contact back
]


def _count(lex: SandboxOrg) -> int:
    return sum(len(records) for records in lex.org.collections.values()) + len(lex.org.files)


@pytest.mark.parametrize(
    ("case", "kind", "method", "prefix", "skip"),
    KILL_POINTS,
    ids=[f"{p[0]}-{p[1]}-{p[2]}{p[4]}" for p in KILL_POINTS],
)
def test_killed_mid_step_then_retried_elsewhere(
    cluster: Cluster, lex: SandboxOrg, case: str, kind: str, method: str, prefix: str, skip: int
) -> None:
    spec = CASES[case]
    api_key, [account_id] = connect_accounts(cluster.survivor.url, f"Crash {case}", [lex.api_key])
    headers = {"Authorization": f"Bearer {api_key}", "X-Account-Id": account_id, "Idempotency-Key": "crash-1"}
    with httpx.Client(base_url=cluster.survivor.url, headers=headers, timeout=120) as survivor:
        if spec.prepare is None:
            path = spec.path
        else:
            with httpx.Client(base_url=cluster.survivor.url, headers=headers, timeout=120) as plain:
                del plain.headers["Idempotency-Key"]
                path = spec.path.format(id=spec.prepare(plain))
        before = (lex.stats()["faults"]["injected"], _count(lex))
        fault = {"kind": kind, "methods": [method], "path_prefix": prefix, "skip": skip}
        lex.set_faults(timeout_seconds=HOLD_SECONDS, queue=[fault])
        victim = GatewayProcess(cluster.environment).start()
        with (
            ThreadPoolExecutor(1) as pool,
            httpx.Client(base_url=victim.url, headers=headers, timeout=120) as doomed,
        ):
            pending = pool.submit(doomed.post, path, json=spec.body, params=spec.params)
            wait_until(
                lambda: pending.done() or lex.stats()["faults"]["injected"] > before[0], what="the held call"
            )
            assert not pending.done(), f"answered before the held call: {pending.result().text}"
            if kind == "timeout-after-perform":
                wait_until(lambda: _count(lex) > before[1], what="the write performed")
            victim.kill()
            with pytest.raises(httpx.TransportError):
                pending.result()
        lex.set_faults()

        tenant_id, operation_id = operation_of_request(cluster.redis, account_id, "crash-1")
        expire_lease(cluster.redis, tenant_id, operation_id)
        response = survivor.post(path, json=spec.body, params=spec.params)
        if response.status_code == 202:  # the survivor's sweeper was quicker: it is finishing it
            wait_until_finished(survivor, response.headers["location"])
            response = survivor.post(path, json=spec.body, params=spec.params)
        assert response.status_code in (200, 201), response.text
        spec.check(lex, response.json())
        operation = survivor.get(f"/v1/operations/{operation_id}").json()
        assert operation["status"] == "succeeded"
        assert all(step["status"] == "done" for step in operation["steps"])
