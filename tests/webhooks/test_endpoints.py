"""``/v1/webhook-endpoints``: CRUD, the one-time secret (stored only encrypted), validation, ownership."""

from __future__ import annotations

from typing import Any

import pytest
import redis

from gateway.webhooks.signing import secret_key
from tests.gateway.conftest import TenantHandle
from tests.webhooks.conftest import HookedGateway, create_endpoint

PROBLEMS = "https://ledgerbridge.dev/problems/"
URL = "http://127.0.0.1:9/hook"


def redis_values(url: str) -> str:
    """Every key and every value in Redis, as one text."""
    client = redis.Redis.from_url(url, decode_responses=True)
    parts: list[str] = []
    try:
        for key in client.scan_iter(count=1000):
            kind = client.type(key)
            parts.append(str(key))
            if kind == "string":
                parts.append(str(client.get(key)))
            elif kind == "hash":
                parts.append(repr(client.hgetall(key)))
            elif kind == "set":
                parts.append(repr(client.smembers(key)))
            elif kind == "zset":
                parts.append(repr(client.zrange(key, 0, -1)))
            elif kind == "stream":
                parts.append(repr(client.xrange(key)))
    finally:
        client.close()
    return "\n".join(parts)


@pytest.fixture
def tenant(hooked: HookedGateway, redis_url: str) -> TenantHandle:
    return hooked.api.new_tenant()


def test_create_shows_the_secret_once_and_stores_it_only_encrypted(
    hooked: HookedGateway, tenant: TenantHandle, redis_url: str
) -> None:
    with tenant.client() as client:
        created = create_endpoint(
            client, URL, ["contact.*", "invoice.status_changed"], description="CRM sync"
        )
        shown = client.get(f"/v1/webhook-endpoints/{created['id']}").json()
        listed = client.get("/v1/webhook-endpoints").json()
    secret = created.pop("secret")
    assert secret.startswith("whsec_")
    assert len(secret_key(secret)) == 32
    assert created["id"].startswith("wep_")
    assert created == shown
    assert shown == {
        "id": created["id"],
        "url": URL,
        "events": ["contact.*", "invoice.status_changed"],
        "description": "CRM sync",
        "include_resource": True,
        "signing_secrets": [{"created_at": shown["created_at"], "expires_at": None}],
        "created_at": shown["created_at"],
        "updated_at": shown["created_at"],
    }
    assert listed == {"data": [shown], "next_cursor": None}
    stored = redis_values(hooked.redis_url)
    assert secret not in stored
    assert secret.removeprefix("whsec_") not in stored
    assert '"ciphertext"' in stored


def test_update_and_delete(hooked: HookedGateway, tenant: TenantHandle) -> None:
    with tenant.client() as client:
        created = create_endpoint(client, URL, ["contact.created"], description="old")
        path = f"/v1/webhook-endpoints/{created['id']}"
        updated = client.patch(path, json={"events": ["*"], "description": None, "include_resource": False})
        unchanged_url = updated.json()["url"]
        deleted = client.delete(path)
        gone = client.get(path)
        deleted_again = client.delete(path)
    assert updated.status_code == 200, updated.text
    assert updated.json()["events"] == ["*"]
    assert updated.json()["description"] is None
    assert updated.json()["include_resource"] is False
    assert unchanged_url == URL
    assert deleted.status_code == 204
    assert gone.status_code == deleted_again.status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": URL, "events": ["contact.changed"]}, "events[0]"),
        ({"url": URL, "events": ["nothing.*", "contact.created"]}, "events[0]"),
        ({"url": URL, "events": []}, "events"),
        ({"url": URL, "events": ["Contact.Created"]}, "events[0]"),
        ({"url": "ftp://127.0.0.1/x", "events": ["*"]}, "url"),
        ({"url": "http://user:pw@127.0.0.1/x", "events": ["*"]}, "url"),
        ({"url": URL, "events": ["*"], "secret": "mine"}, "secret"),
        ({"events": ["*"]}, "url"),
    ],
)
def test_invalid_endpoints_are_refused_with_the_field(
    hooked: HookedGateway, tenant: TenantHandle, body: dict[str, Any], field: str
) -> None:
    with tenant.client() as client:
        response = client.post("/v1/webhook-endpoints", json=body)
        listing = client.get("/v1/webhook-endpoints").json()
    assert response.status_code == 422, response.text
    assert response.json()["type"] == PROBLEMS + "validation-error"
    assert response.json()["errors"][0]["field"] == field
    assert listing["data"] == []


def test_endpoints_of_other_tenants_are_invisible(hooked: HookedGateway, tenant: TenantHandle) -> None:
    other = hooked.api.new_tenant("Other SaaS")
    with tenant.client() as client:
        created = create_endpoint(client, URL, ["*"])
    path = f"/v1/webhook-endpoints/{created['id']}"
    with other.client() as client:
        responses = [
            client.get(path),
            client.patch(path, json={"description": "mine now"}),
            client.post(f"{path}/rotate-secret", json={}),
            client.delete(path),
        ]
        listing = client.get("/v1/webhook-endpoints").json()
    assert [response.status_code for response in responses] == [404] * 4
    assert listing["data"] == []
    with tenant.client() as client:
        assert client.get(path).json()["description"] is None


def test_the_api_needs_a_tenant_key(hooked: HookedGateway) -> None:
    with hooked.api.client() as anonymous:
        assert anonymous.get("/v1/webhook-endpoints").status_code == 401
        assert anonymous.get("/v1/events").status_code == 401


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://203.0.114.7/hook", "https"),
        ("https://127.0.0.1/hook", "private"),
        ("https://10.0.0.8/hook", "private"),
        ("https://[::1]/hook", "private"),
        ("https://localhost:8443/hook", "local host name"),
    ],
)
def test_production_refuses_plain_http_and_private_targets(
    strict: HookedGateway, url: str, reason: str
) -> None:
    with strict.api.new_tenant().client() as client:
        response = client.post("/v1/webhook-endpoints", json={"url": url, "events": ["*"]})
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["field"] == "url"
    assert reason in error["reason"]


def test_production_accepts_a_public_https_endpoint(strict: HookedGateway) -> None:
    with strict.api.new_tenant().client() as client:
        response = client.post(
            "/v1/webhook-endpoints", json={"url": "https://203.0.114.7/hook", "events": ["*"]}
        )
    assert response.status_code == 201, response.text


def test_the_openapi_document_lists_the_webhook_routes(hooked: HookedGateway) -> None:
    with hooked.api.client() as client:
        paths = client.get("/schema/openapi.json").json()["paths"]
    assert {
        "/v1/webhook-endpoints",
        "/v1/webhook-endpoints/{endpoint_id}",
        "/v1/webhook-endpoints/{endpoint_id}/rotate-secret",
        "/v1/events",
        "/v1/events/{event_id}",
        "/v1/events/{event_id}/redeliver",
        "/v1/webhooks/lexoffice",
    } <= set(paths)
