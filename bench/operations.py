"""Benchmark — upstream calls and wall time per multi-step operation, at lexoffice's real pace.

One gateway (in-process, real HTTP) on a sandbox key that allows lexoffice's 2 requests/second; the gateway
paces every call at its default spacing, so each upstream call costs about half a second of the account's
quota. Each operation runs as one call (goal: the physical minimum of upstream calls — voucher + 1 receipt
= 2, finalized invoice with PDF = 3) and, as the baseline, as the sequence of single-step calls a client
would make to get the same result through the gateway's other routes:

* voucher + 1 receipt: ``POST /vouchers`` (no receipts), ``POST /files`` with ``voucher_id``, ``GET`` it;
* finalized invoice with PDF: ``POST /invoices`` (finalize), ``GET /invoices/{id}/pdf``;
* credit note of an invoice: ``GET /invoices/{id}``, ``POST /credit-notes`` with its lines;
* contact upsert (update): ``GET /contacts?email=``, ``PATCH /contacts/{id}``.

    .venv/bin/python -m bench.operations [--repeat 3]
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from typing import Any

import httpx

from bench._harness import Environment, arguments, environment, header, table
from gateway.app import create_app
from gateway.serving import ThreadedServer
from tests.e2e.helpers import voucher_request
from tests.e2e.test_documents_api import invoice_request
from tests.gateway.conftest import Gateway, gateway_settings
from tests.support.sandbox import SandboxOrg
from tests.support.uploads import PDF

Run = Callable[[httpx.Client, int], None]
RECEIPT = {
    "filename": "beleg.pdf",
    "media_type": "application/pdf",
    "content": base64.b64encode(PDF).decode(),
}
EMAIL = "bench@example.com"


def _ok(response: httpx.Response) -> Any:
    assert response.status_code in (200, 201), response.text
    return response.json()


def voucher_operation(api: httpx.Client, n: int) -> None:
    _ok(api.post("/v1/accounting/vouchers", json=voucher_request(number=f"OP-{n}", receipts=[RECEIPT])))


def voucher_baseline(api: httpx.Client, n: int) -> None:
    voucher = _ok(api.post("/v1/accounting/vouchers", json=voucher_request(number=f"BASE-{n}")))
    files = {"file": ("beleg.pdf", PDF, "application/pdf")}
    _ok(api.post("/v1/accounting/files", files=files, data={"voucher_id": voucher["id"]}))
    _ok(api.get(f"/v1/accounting/vouchers/{voucher['id']}"))


def invoice_operation(api: httpx.Client, _: int) -> None:
    _ok(api.post("/v1/accounting/invoices", params={"include": "pdf"}, json=invoice_request(finalize=True)))


def invoice_baseline(api: httpx.Client, _: int) -> None:
    invoice = _ok(api.post("/v1/accounting/invoices", json=invoice_request(finalize=True)))
    pdf = api.get(f"/v1/accounting/invoices/{invoice['id']}/pdf")
    assert pdf.status_code == 200, pdf.text


def _invoice(api: httpx.Client) -> str:
    return str(_ok(api.post("/v1/accounting/invoices", json=invoice_request(finalize=True)))["id"])


def credit_operation(api: httpx.Client, _: int, invoice_id: str = "") -> None:
    _ok(api.post(f"/v1/accounting/invoices/{invoice_id}/credit-notes", json={"finalize": True}))


def credit_baseline(api: httpx.Client, _: int, invoice_id: str = "") -> None:
    invoice = _ok(api.get(f"/v1/accounting/invoices/{invoice_id}"))
    lines = [
        {
            "name": line["name"],
            "quantity": line["quantity"],
            "unit_name": line["unit_name"],
            "unit_price": {"amount": line["unit_price"]["net"], "tax_rate": line["unit_price"]["tax_rate"]},
        }
        for line in invoice["line_items"]
    ]
    body = {
        "issue_date": invoice["issue_date"],
        "address": {"name": invoice["address"]["name"], "country_code": "DE"},
        "line_items": lines,
        "finalize": True,
        "preceding_document_id": invoice_id,
    }
    _ok(api.post("/v1/accounting/credit-notes", json=body))


def _contact(n: int) -> dict[str, Any]:
    return {
        "type": "company",
        "roles": ["customer"],
        "company": {"name": f"Bench {n} GmbH"},
        "emails": {"business": [EMAIL]},
    }


def upsert_operation(api: httpx.Client, n: int) -> None:
    _ok(api.post("/v1/accounting/contacts/upsert", json={"match": {"email": EMAIL}, "contact": _contact(n)}))


def upsert_baseline(api: httpx.Client, n: int) -> None:
    [found] = _ok(api.get("/v1/accounting/contacts", params={"email": EMAIL}))["data"]
    _ok(api.patch(f"/v1/accounting/contacts/{found['id']}", json={"company": {"name": f"Bench {n} GmbH"}}))


def _measure(lex: SandboxOrg, api: httpx.Client, run: Run, repeat: int) -> tuple[float, float, int]:
    """Upstream calls and seconds per run, and the upstream 429s."""
    before = lex.stats()["bucket"]
    started = time.perf_counter()
    for n in range(repeat):
        run(api, n)
    seconds = (time.perf_counter() - started) / repeat
    after = lex.stats()["bucket"]
    return (after["accepted"] - before["accepted"]) / repeat, seconds, after["rejected"] - before["rejected"]


def measure(env: Environment, repeat: int) -> list[list[object]]:
    settings = gateway_settings(env.redis_url, env.sandbox, max_body_bytes=10 * 1024 * 1024)
    rows: list[list[object]] = []
    with ThreadedServer(create_app(settings)) as server:  # lexoffice's own pacing: ~0.51 s per call
        gateway = Gateway(server.url, settings)
        lex = env.sandbox.new_org()
        tenant = gateway.new_tenant("Bench SaaS")
        with tenant.client() as api:
            api.timeout = httpx.Timeout(120)
            made = api.post(
                "/v1/accounts", json={"connector": "lexoffice", "credentials": {"api_key": lex.api_key}}
            )
            api.headers["X-Account-Id"] = made.json()["id"]
            lex.set_rate_limit(2, 2)
            _ok(api.post("/v1/accounting/contacts", json=_contact(0)))
            invoices = [_invoice(api) for _ in range(2 * repeat)]
            pairs: list[tuple[str, Run, Run]] = [
                ("voucher + 1 receipt", voucher_operation, voucher_baseline),
                ("finalized invoice + PDF", invoice_operation, invoice_baseline),
                (
                    "credit note of an invoice",
                    lambda a, n: credit_operation(a, n, invoices[n]),
                    lambda a, n: credit_baseline(a, n, invoices[repeat + n]),
                ),
                ("contact upsert (update)", upsert_operation, upsert_baseline),
            ]
            for name, operation, baseline in pairs:
                op_calls, op_seconds, op_429 = _measure(lex, api, operation, repeat)
                base_calls, base_seconds, base_429 = _measure(lex, api, baseline, repeat)
                rows.append(
                    [
                        name,
                        op_calls,
                        f"{op_seconds:.2f}s",
                        base_calls,
                        f"{base_seconds:.2f}s",
                        f"{op_seconds / base_seconds:.2f}x",
                        op_429 + base_429,
                    ]
                )
    return rows


def main() -> None:
    args = arguments(__doc__ or "", repeat=3)
    header(
        "upstream calls and time per operation (one call vs. the client's own sequence)",
        f"{args.repeat} runs each, sandbox key at 2 req/s, gateway pacing at lexoffice's default",
    )
    with environment() as env:
        rows = measure(env, args.repeat)
    table(
        ["operation", "calls (1 request)", "time", "calls (baseline)", "time", "time ratio", "upstream 429"],
        rows,
    )


if __name__ == "__main__":
    main()
