"""The per-tenant inbound limiter: 429 with Retry-After and the IETF RateLimit headers."""

from __future__ import annotations

from gateway.ratelimit import Admission
from tests.gateway.conftest import Gateway


def test_quota_is_enforced_per_tenant_with_ratelimit_headers(gateway: Gateway) -> None:
    slow = gateway.new_tenant("Slow", rate=0.001, burst=1)
    other = gateway.new_tenant("Other", rate=0.001, burst=1)
    with slow.client() as client:
        admitted = client.get("/v1/accounts")
        refused = client.get("/v1/accounts")
    assert admitted.status_code == 200
    assert admitted.headers["ratelimit-policy"] == '"default";q=1;w=1000'
    assert admitted.headers["ratelimit"] == '"default";r=0;t=1000'
    assert "retry-after" not in admitted.headers

    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.headers["retry-after"] == "1000"
    assert refused.headers["ratelimit-policy"] == '"default";q=1;w=1000'
    assert refused.headers["ratelimit"] == '"default";r=0;t=1000'
    problem = refused.json()
    assert problem["type"] == "https://ledgerbridge.dev/problems/rate-limited"
    assert problem["status"] == 429

    with other.client() as client:
        assert client.get("/v1/accounts").status_code == 200


def test_remaining_counts_down_within_the_burst(gateway: Gateway) -> None:
    tenant = gateway.new_tenant(rate=0.001, burst=3)
    with tenant.client() as client:
        remaining = [client.get("/v1/accounts").headers["ratelimit"] for _ in range(3)]
        assert client.get("/v1/accounts").status_code == 429
    assert remaining == ['"default";r=2;t=1000', '"default";r=1;t=2000', '"default";r=0;t=3000']


def test_all_keys_of_a_tenant_share_its_quota(gateway: Gateway) -> None:
    tenant = gateway.new_tenant(rate=0.001, burst=1)
    with gateway.admin() as admin:
        second_key = admin.post(f"/v1/admin/tenants/{tenant.id}/keys").json()["key"]
    with tenant.client() as first, gateway.client(second_key) as second:
        assert first.get("/v1/accounts").status_code == 200
        assert second.get("/v1/accounts").status_code == 429


def test_default_quota_applies_when_the_tenant_has_none(gateway: Gateway) -> None:
    tenant = gateway.new_tenant()
    with tenant.client() as client:
        policy = client.get("/v1/accounts").headers["ratelimit-policy"]
    assert policy == '"default";q=10000;w=1'


def test_admin_and_operations_routes_are_not_limited(gateway: Gateway) -> None:
    with gateway.client() as client:
        assert "ratelimit" not in client.get("/healthz").headers


def test_header_values_round_up_and_retry_after_is_at_least_one_second() -> None:
    admission = Admission(admitted=False, remaining=0, retry_after=0.2, reset=0.5, rate=4.0, burst=2)
    assert admission.headers() == {
        "RateLimit-Policy": '"default";q=2;w=1',
        "RateLimit": '"default";r=0;t=1',
        "Retry-After": "1",
    }
