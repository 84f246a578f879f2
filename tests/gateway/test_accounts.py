"""Accounts CRUD against the real sandbox: credential check, encryption at rest, rotation, ownership."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import redis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway import keys
from tests.gateway.conftest import Gateway, TenantHandle, redis_dump, redis_keys
from tests.support.sandbox import RunningSandbox, SandboxOrg

PROBLEMS = "https://ledgerbridge.dev/problems/"


def connect(client: httpx.Client, api_key: str, **extra: Any) -> httpx.Response:
    return client.post(
        "/v1/accounts", json={"connector": "lexoffice", "credentials": {"api_key": api_key}, **extra}
    )


def test_create_get_list_and_credentials_only_encrypted(
    gateway: Gateway, redis_url: str, lex: SandboxOrg
) -> None:
    tenant = gateway.new_tenant()
    with tenant.client() as client:
        created = connect(client, lex.api_key, external_id="cust-42")
        assert created.status_code == 201, created.text
        account = created.json()
        assert account["id"].startswith("acc_")
        assert account["connector"] == "lexoffice"
        assert account["name"] == "Testfirma GmbH"
        assert account["external_id"] == "cust-42"
        assert account["organization"] == {
            "organization_id": lex.id,
            "company_name": "Testfirma GmbH",
            "tax_type": "net",
            "small_business": False,
        }
        assert "credentials" not in account
        assert lex.api_key not in created.text
        assert client.get(f"/v1/accounts/{account['id']}").json() == account
        assert client.get("/v1/accounts").json() == {"data": [account], "next_cursor": None}

    dump = redis_dump(redis_url)
    assert lex.api_key.encode() not in dump
    assert tenant.key.encode() not in dump
    assert b'"kid"' in dump
    assert b'"ciphertext"' in dump


def test_wrong_credentials_are_a_clear_problem_and_nothing_is_stored(
    gateway: Gateway, redis_url: str
) -> None:
    tenant = gateway.new_tenant()
    with tenant.client() as client:
        response = connect(client, "not-a-valid-lexoffice-key")
        listing = client.get("/v1/accounts").json()
    assert response.status_code == 422
    problem = response.json()
    assert problem["type"] == PROBLEMS + "credentials-rejected"
    assert problem["errors"] == [{"field": "credentials.api_key", "reason": "was rejected by lexoffice"}]
    assert problem["upstream"]["status"] == 401
    assert "not-a-valid-lexoffice-key" not in response.text
    assert listing == {"data": [], "next_cursor": None}
    stored = redis_keys(redis_url)
    assert keys.tenant_accounts(tenant.id).encode() not in stored
    assert not [key for key in stored if b"{acct:" in key]


def test_rename_and_rotate_credentials(
    gateway: Gateway, redis_url: str, lex: SandboxOrg, sandbox: RunningSandbox
) -> None:
    tenant = gateway.new_tenant()
    rotated_key = sandbox.app.state.create_key(lex.id, rate=1000, burst=1000).token
    with tenant.client() as client:
        account = connect(client, lex.api_key).json()
        renamed = client.patch(f"/v1/accounts/{account['id']}", json={"name": "Books", "external_id": None})
        assert renamed.status_code == 200
        assert renamed.json()["name"] == "Books"
        assert renamed.json()["credentials_updated_at"] == account["credentials_updated_at"]

        rotated = client.patch(
            f"/v1/accounts/{account['id']}", json={"credentials": {"api_key": rotated_key}}
        )
        assert rotated.status_code == 200, rotated.text
        assert rotated.json()["name"] == "Books"
        assert rotated.json()["credentials_updated_at"] > account["credentials_updated_at"]

        rejected = client.patch(
            f"/v1/accounts/{account['id']}", json={"credentials": {"api_key": "wrong-key"}}
        )
        assert rejected.status_code == 422
        assert rejected.json()["type"] == PROBLEMS + "credentials-rejected"

    dump = redis_dump(redis_url)
    assert rotated_key.encode() not in dump
    assert lex.api_key.encode() not in dump


def test_rotation_to_another_organization_is_refused(
    gateway: Gateway, lex: SandboxOrg, sandbox: RunningSandbox
) -> None:
    tenant = gateway.new_tenant()
    elsewhere = sandbox.new_org("Andere Firma GmbH")
    with tenant.client() as client:
        account = connect(client, lex.api_key).json()
        response = client.patch(
            f"/v1/accounts/{account['id']}", json={"credentials": {"api_key": elsewhere.api_key}}
        )
        assert response.status_code == 422
        assert response.json()["type"] == PROBLEMS + "organization-mismatch"
        assert client.get(f"/v1/accounts/{account['id']}").json() == account


def test_delete_wipes_the_ciphertext_and_every_key_of_the_account(
    gateway: Gateway, redis_url: str, lex: SandboxOrg
) -> None:
    tenant = gateway.new_tenant()
    with tenant.client() as client:
        account = connect(client, lex.api_key).json()
        key = keys.account(account["id"]).encode()
        cached = f"lb:{{acct:{account['id']}}}:version:contacts/1"  # as the connectors' version cache writes
        with redis.Redis.from_url(redis_url) as direct:
            direct.set(cached, "{}")
        assert key in redis_dump(redis_url)
        assert client.delete(f"/v1/accounts/{account['id']}").status_code == 204
        assert client.get(f"/v1/accounts/{account['id']}").status_code == 404
        assert client.delete(f"/v1/accounts/{account['id']}").status_code == 404
    dump = redis_dump(redis_url)
    assert key not in dump
    assert account["id"].encode() not in dump
    assert b"ciphertext" not in dump


def test_list_pages_with_an_opaque_cursor(gateway: Gateway, lex: SandboxOrg) -> None:
    tenant = gateway.new_tenant()
    with tenant.client() as client:
        ids = [connect(client, lex.api_key, name=f"Books {n}").json()["id"] for n in range(3)]
        first = client.get("/v1/accounts", params={"limit": 2}).json()
        second = client.get("/v1/accounts", params={"limit": 2, "cursor": first["next_cursor"]}).json()
        assert [a["id"] for a in first["data"]] + [a["id"] for a in second["data"]] == ids
        assert second["next_cursor"] is None
        bad_cursor = client.get("/v1/accounts", params={"cursor": "bm9wZQ"})
        too_many = client.get("/v1/accounts", params={"limit": 251})
    assert bad_cursor.status_code == 422
    assert bad_cursor.json()["errors"] == [{"field": "cursor", "reason": "is not a valid cursor"}]
    assert too_many.status_code == 422
    assert too_many.json()["errors"][0]["field"] == "limit"


@pytest.fixture
def world(gateway: Gateway, sandbox: RunningSandbox) -> Iterator[dict[TenantHandle, list[str]]]:
    """Three tenants with two accounts each, shared by all examples; afterwards every account is intact."""
    world: dict[TenantHandle, list[str]] = {}
    for n in range(3):
        tenant = gateway.new_tenant(f"Tenant {n}")
        with tenant.client() as client:
            world[tenant] = [
                connect(client, sandbox.new_org().api_key, name="mine").json()["id"] for _ in range(2)
            ]
    yield world
    for tenant, owned in world.items():
        with tenant.client() as client:
            assert [client.get(f"/v1/accounts/{account_id}").json()["name"] for account_id in owned] == [
                "mine"
            ] * 2


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_accounts_of_other_tenants_are_indistinguishable_from_missing_ones(
    world: dict[TenantHandle, list[str]], data: st.DataObject
) -> None:
    tenant = data.draw(st.sampled_from(list(world)), label="tenant")
    owned = world[tenant]
    everyone = [account for accounts in world.values() for account in accounts]
    unknown = st.from_regex(r"acc_[0-9a-hjkmnp-tv-z]{26}", fullmatch=True) | st.text(
        st.characters(codec="ascii", categories=["L", "N"]), min_size=1, max_size=40
    )
    account_id = data.draw(st.sampled_from(everyone) | unknown, label="account")
    method = (
        "GET"
        if account_id in owned
        else data.draw(st.sampled_from(["GET", "PATCH", "DELETE"]), label="method")
    )
    with tenant.client() as client:
        response = client.request(
            method, f"/v1/accounts/{account_id}", json={"name": "hijacked"} if method == "PATCH" else None
        )
    if account_id in owned:
        assert response.status_code == 200
        assert response.json()["name"] == "mine"
        return
    assert response.status_code == 404
    problem = response.json()
    assert {k: v for k, v in problem.items() if k != "request_id"} == {
        "type": PROBLEMS + "not-found",
        "title": "Not found",
        "status": 404,
        "detail": f"No account {account_id!r}.",
        "instance": f"/v1/accounts/{account_id}",
        "errors": [],
        "upstream": None,
    }
    varying = {"date", "x-request-id", "content-length"}
    assert set(response.headers) - varying == {"server", "content-type", "ratelimit", "ratelimit-policy"}
