"""Tenants, API keys and the admin API: key format and hashing, 401s, revocation, admin guard."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from gateway import keys
from tests.gateway.conftest import ADMIN_TOKEN, Gateway, gateway_settings, redis_dump, serve_gateway
from tests.support.sandbox import RunningSandbox

UNAUTHORIZED = "https://ledgerbridge.dev/problems/unauthorized"


def stable(problem: dict[str, Any]) -> dict[str, Any]:
    """A problem without its per-request member."""
    return {k: v for k, v in problem.items() if k != "request_id"}


def test_api_keys_are_high_entropy_and_stored_only_as_sha256(gateway: Gateway, redis_url: str) -> None:
    tenant = gateway.new_tenant()
    with gateway.admin() as admin:
        second = admin.post(f"/v1/admin/tenants/{tenant.id}/keys").json()
    for key in (tenant.key, second["key"]):
        assert key.startswith("lb_")
        assert len(key) == 3 + 43
    dump = redis_dump(redis_url)
    for key in (tenant.key, second["key"]):
        assert key.encode() not in dump
        assert key[3:].encode() not in dump
        assert hashlib.sha256(key.encode()).hexdigest().encode() in dump
    assert keys.api_key_lookup(hashlib.sha256(tenant.key.encode()).hexdigest()).encode() in dump


def test_several_keys_work_and_the_listing_never_shows_them(gateway: Gateway) -> None:
    tenant = gateway.new_tenant()
    with gateway.admin() as admin:
        issued = admin.post(f"/v1/admin/tenants/{tenant.id}/keys")
        assert issued.status_code == 201
        other_key = issued.json()["key"]
        for key in (tenant.key, other_key):
            with gateway.client(key) as client:
                assert client.get("/v1/accounts").status_code == 200
        listing = admin.get(f"/v1/admin/tenants/{tenant.id}")
    assert listing.status_code == 200
    body = listing.json()
    assert {k["id"] for k in body["keys"]} == {tenant.key_id, issued.json()["id"]}
    assert all(k["last_used_at"] is not None for k in body["keys"])
    assert tenant.key not in listing.text
    assert other_key not in listing.text
    assert {k["prefix"] for k in body["keys"]} == {tenant.key[:8], other_key[:8]}


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "lb_missing_scheme"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer not-a-ledgerbridge-key"},
        {"Authorization": "Bearer lb_" + "A" * 43},
    ],
    ids=["missing", "no-scheme", "basic", "empty", "malformed", "unknown"],
)
def test_missing_or_bad_keys_get_one_401_problem(gateway: Gateway, headers: dict[str, str]) -> None:
    with gateway.client() as client:
        response = client.get("/v1/accounts", headers=headers)
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"] == 'Bearer realm="ledgerbridge"'
    problem = response.json()
    assert stable(problem) == {
        "type": UNAUTHORIZED,
        "title": "Missing or invalid credentials",
        "status": 401,
        "detail": "Missing or invalid bearer token.",
        "instance": "/v1/accounts",
        "errors": [],
        "upstream": None,
    }
    assert problem["request_id"] == response.headers["x-request-id"]


def test_revoked_key_is_refused_like_an_unknown_one_and_other_keys_keep_working(gateway: Gateway) -> None:
    tenant = gateway.new_tenant()
    with gateway.admin() as admin:
        spare = admin.post(f"/v1/admin/tenants/{tenant.id}/keys").json()
        assert admin.delete(f"/v1/admin/tenants/{tenant.id}/keys/{tenant.key_id}").status_code == 204
        again = admin.delete(f"/v1/admin/tenants/{tenant.id}/keys/{tenant.key_id}")
        assert again.status_code == 404
    with gateway.client(tenant.key) as revoked, gateway.client("lb_" + "B" * 43) as unknown:
        refused, never_known = revoked.get("/v1/accounts"), unknown.get("/v1/accounts")
    assert refused.status_code == never_known.status_code == 401
    assert stable(refused.json()) == stable(never_known.json())
    assert refused.headers.keys() - {"x-request-id", "date"} == never_known.headers.keys() - {
        "x-request-id",
        "date",
    }
    with gateway.client(spare["key"]) as client:
        assert client.get("/v1/accounts").status_code == 200


@pytest.mark.parametrize("token", [None, "wrong-admin-token-0000", "tenant-key"])
def test_admin_api_needs_the_admin_token(gateway: Gateway, token: str | None) -> None:
    bearer = gateway.new_tenant().key if token == "tenant-key" else token
    with gateway.client(bearer) as client:
        for method, path in [
            ("POST", "/v1/admin/tenants"),
            ("GET", "/v1/admin/tenants"),
            ("POST", "/v1/admin/tenants/ten_x/keys"),
            ("DELETE", "/v1/admin/tenants/ten_x/keys/key_y"),
        ]:
            response = client.request(method, path, json={"name": "x"} if method == "POST" else None)
            assert response.status_code == 401, (method, path)
            assert response.json()["type"] == UNAUTHORIZED


def test_admin_api_is_absent_without_admin_token(redis_url: str, sandbox: RunningSandbox) -> None:
    settings = gateway_settings(redis_url, sandbox, admin_token=None)
    with serve_gateway(settings) as gateway, gateway.client(ADMIN_TOKEN) as client:
        response = client.get("/v1/admin/tenants")
        schema = client.get("/schema/openapi.json").json()
    assert response.status_code == 404
    assert not any(path.startswith("/v1/admin") for path in schema["paths"])


def test_admin_lists_tenants_with_cursor_and_updates_quota(gateway: Gateway, redis_url: str) -> None:
    created = [gateway.new_tenant(f"Tenant {n}") for n in range(3)]
    with gateway.admin() as admin:
        first = admin.get("/v1/admin/tenants", params={"limit": 2}).json()
        second = admin.get("/v1/admin/tenants", params={"limit": 2, "cursor": first["next_cursor"]}).json()
        assert [t["id"] for t in first["data"] + second["data"]] == [t.id for t in created]
        assert second["next_cursor"] is None
        updated = admin.patch(f"/v1/admin/tenants/{created[0].id}", json={"rate": 5, "burst": 9})
        assert (updated.json()["rate"], updated.json()["burst"]) == (5.0, 9)
        reset = admin.patch(f"/v1/admin/tenants/{created[0].id}", json={"rate": None})
        assert (reset.json()["rate"], reset.json()["burst"]) == (None, 9)
        missing = admin.post("/v1/admin/tenants/ten_00000000000000000000000000/keys")
        assert missing.status_code == 404


def test_tenant_create_validates_quota(gateway: Gateway) -> None:
    with gateway.admin() as admin:
        response = admin.post("/v1/admin/tenants", json={"name": "x", "rate": 0, "burst": "many"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] in {"rate", "burst"}
