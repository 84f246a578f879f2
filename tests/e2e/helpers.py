"""Assertions shared by the end-to-end tests."""

from __future__ import annotations

import copy
from typing import Any

import httpx

from tests.support.sandbox import SandboxOrg
from tests.support.vouchers import GOODS

Json = dict[str, Any]

PROBLEMS = "https://ledgerbridge.dev/problems/"


def problem(response: httpx.Response, status: int, slug: str) -> dict[str, Any]:
    """The problem+json body of ``response``, asserting its status and problem type."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["type"] == PROBLEMS + slug
    return body


def upstream_calls(lex: SandboxOrg) -> int:
    """Requests the sandbox has accepted from the organization's API key so far (each takes a token)."""
    return int(lex.stats()["bucket"]["accepted"])


def upstream_state(lex: SandboxOrg) -> Json:
    """Everything the sandbox organization holds: equal before and after a request = nothing was written."""
    org = lex.org
    return {
        "records": copy.deepcopy(org.collections),
        "files": {file_id: (f.voucher_id, f.content) for file_id, f in org.files.items()},
        "payments": copy.deepcopy(org.payment_items),
    }


def created(api: httpx.Client, path: str, body: Json) -> Json:
    response = api.post(path, json=body)
    assert response.status_code == 201, response.text
    data: Json = response.json()
    return data


def listed(api: httpx.Client, path: str, **params: Any) -> list[str]:
    """The ids of a list, across all its pages."""
    ids: list[str] = []
    cursor = None
    while True:
        response = api.get(path, params={**params, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200, response.text
        page = response.json()
        ids += [item["id"] for item in page["data"]]
        cursor = page["next_cursor"]
        if cursor is None:
            return ids


def voucher_request(**changes: Any) -> Json:
    """A unified sales voucher: 119.00 gross at 19 % on the collective customer."""
    return {
        "type": "sales_invoice",
        "number": "SHOP-1001",
        "issue_date": "2024-03-31",
        "prices_include_tax": True,
        "items": [{"amount": "119.00", "tax_rate": "19", "ledger_account_id": GOODS}],
        "collective_contact": True,
        **changes,
    }
