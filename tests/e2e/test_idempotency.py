"""``Idempotency-Key`` over real HTTP (gateway -> sandbox, real Redis): repeats replay, nothing is doubled."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import httpx
import pytest
import redis

from gateway import keys
from gateway.idempotency import LEASE_SECONDS, SCRIPT, request_fingerprint
from tests.e2e.helpers import problem, upstream_calls, upstream_state
from tests.gateway.conftest import TenantHandle
from tests.support.redis_server import RedisServer
from tests.support.sandbox import RunningSandbox, SandboxOrg

Json = dict[str, Any]
CONTACTS = "/v1/accounting/contacts"
CUSTOMER = {"type": "company", "roles": ["customer"], "company": {"name": "Idempotent GmbH"}}


def _post(api: httpx.Client, key: str, body: Json, path: str = CONTACTS) -> httpx.Response:
    return api.post(path, json=body, headers={"Idempotency-Key": key})


def _contacts(lex: SandboxOrg) -> list[Json]:
    return list(lex.org.collection("contacts").values())


def test_a_repeat_returns_the_stored_response_and_creates_nothing(api: httpx.Client, account: Json) -> None:
    lex: SandboxOrg = account["lex"]
    first = _post(api, "create-customer-1", CUSTOMER)
    assert first.status_code == 201, first.text
    assert "Idempotent-Replayed" not in first.headers
    calls = upstream_calls(lex)
    state = upstream_state(lex)

    again = _post(api, "create-customer-1", CUSTOMER)
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Location"] == first.headers["Location"]
    assert again.headers["content-type"] == first.headers["content-type"]
    assert "ratelimit" in again.headers  # this request's own quota headers, not the stored ones
    assert (upstream_calls(lex), upstream_state(lex)) == (calls, state)
    assert len(_contacts(lex)) == 1


def test_without_a_key_every_post_is_performed(api: httpx.Client, account: Json) -> None:
    for _ in range(2):
        assert api.post(CONTACTS, json=CUSTOMER).status_code == 201
    assert len(_contacts(account["lex"])) == 2


def test_the_same_key_with_another_request_is_refused(api: httpx.Client, account: Json) -> None:
    lex: SandboxOrg = account["lex"]
    assert _post(api, "k-body", CUSTOMER).status_code == 201
    state = upstream_state(lex)
    other = {**CUSTOMER, "company": {"name": "Another GmbH"}}
    body = problem(_post(api, "k-body", other), 422, "idempotency-key-reused")
    assert body["errors"] == [{"field": "Idempotency-Key", "reason": "already used for a different request"}]
    # another path with the same key is another request too
    with_query = _post(api, "k-body", CUSTOMER, path=CONTACTS + "?include_raw=true")
    problem(with_query, 422, "idempotency-key-reused")
    assert upstream_state(lex) == state


def test_keys_are_scoped_per_tenant_and_account(
    api: httpx.Client, account: Json, tenant: TenantHandle, sandbox: RunningSandbox
) -> None:
    assert _post(api, "shared-key", CUSTOMER).status_code == 201
    second_org = sandbox.new_org()
    with tenant.client() as client:
        connected = client.post(
            "/v1/accounts", json={"connector": "lexoffice", "credentials": {"api_key": second_org.api_key}}
        )
        assert connected.status_code == 201, connected.text
        client.headers["X-Account-Id"] = connected.json()["id"]
        response = _post(client, "shared-key", CUSTOMER)
    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response.headers
    assert len(_contacts(second_org)) == 1

    other_tenant = tenant.gateway.new_tenant("Other SaaS")
    with other_tenant.client() as client:
        client.headers["X-Account-Id"] = account["id"]
        # the other tenant's key is its own, and the account is not its: 404 like any foreign account
        problem(_post(client, "shared-key", CUSTOMER), 404, "not-found")
    assert len(_contacts(account["lex"])) == 1


def test_errors_that_performed_nothing_release_the_key(api: httpx.Client, account: Json) -> None:
    lex: SandboxOrg = account["lex"]
    lex.set_faults(queue=[{"kind": "status:500", "methods": ["POST"]}])
    failed = _post(api, "k-retry", CUSTOMER)
    assert failed.status_code == 502, failed.text
    assert _contacts(lex) == []
    retried = _post(api, "k-retry", CUSTOMER)
    assert retried.status_code == 201, retried.text
    assert "Idempotent-Replayed" not in retried.headers
    assert len(_contacts(lex)) == 1


def test_a_validation_problem_is_replayed_too(api: httpx.Client, account: Json) -> None:
    first = _post(api, "k-invalid", {"type": "company"})
    problem(first, 422, "validation-error")
    again = _post(api, "k-invalid", {"type": "company"})
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert _contacts(account["lex"]) == []


def test_patch_is_idempotent(api: httpx.Client, account: Json) -> None:
    lex: SandboxOrg = account["lex"]
    contact = api.post(CONTACTS, json=CUSTOMER).json()
    path = f"{CONTACTS}/{contact['id']}"
    first = api.patch(path, json={"note": "VIP"}, headers={"Idempotency-Key": "k-patch"})
    assert first.status_code == 200, first.text
    version = lex.org.get("contacts", contact["id"])["version"]
    again = api.patch(path, json={"note": "VIP"}, headers={"Idempotency-Key": "k-patch"})
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert lex.org.get("contacts", contact["id"])["version"] == version


def test_a_request_still_running_elsewhere_gets_409(
    api: httpx.Client, account: Json, tenant: TenantHandle, redis_server: RedisServer
) -> None:
    """Another gateway process holds the key (its claim is made here with the gateway's own script)."""
    body = json.dumps(CUSTOMER).encode()
    record = keys.tenant_idempotency(tenant.id, account["id"], hashlib.sha256(b"k-running").hexdigest())
    fingerprint = request_fingerprint("POST", CONTACTS + "?", account["id"], body)
    with redis.Redis.from_url(redis_server.url, decode_responses=True) as client:
        claim = client.register_script(SCRIPT)
        assert claim(keys=[record], args=["claim", fingerprint, "other-process", LEASE_SECONDS * 1000]) == [
            "claimed"
        ]
        headers = {"Idempotency-Key": "k-running", "Content-Type": "application/json"}
        running = api.post(CONTACTS, content=body, headers=headers)
        answer = problem(running, 409, "idempotency-request-in-progress")
        assert "still running" in answer["detail"]
        assert _contacts(account["lex"]) == []
        # once the other process gives the key up, the request runs
        assert claim(keys=[record], args=["release", "other-process"]) == 1
    assert api.post(CONTACTS, content=body, headers=headers).status_code == 201
    assert len(_contacts(account["lex"])) == 1


@pytest.mark.parametrize("key", [b"", b"x" * 256, "naïve".encode(), b"tab\there"])
def test_an_invalid_key_is_a_problem(api: httpx.Client, account: Json, key: bytes) -> None:
    response = api.post(CONTACTS, json=CUSTOMER, headers={b"Idempotency-Key": key})
    body = problem(response, 400, "bad-request")
    assert body["errors"][0]["field"] == "Idempotency-Key"
    assert _contacts(account["lex"]) == []
