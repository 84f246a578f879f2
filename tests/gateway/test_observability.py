"""Logs (redacted, with request/tenant/account ids), X-Request-Id, /metrics, /healthz, /readyz."""

from __future__ import annotations

import io

from gateway.logging import REDACTED, redact, scrub
from gateway.serving import free_port
from tests.gateway.conftest import Gateway, gateway_settings, serve_gateway
from tests.gateway.test_problems import ExplodingVerifier
from tests.support.logs import lines
from tests.support.sandbox import RunningSandbox, SandboxOrg


def test_logs_carry_request_context_and_never_secrets(
    log_stream: io.StringIO, redis_url: str, sandbox: RunningSandbox, lex: SandboxOrg
) -> None:
    with serve_gateway(gateway_settings(redis_url, sandbox)) as gateway:
        tenant = gateway.new_tenant()
        with tenant.client() as client:
            created = client.post(
                "/v1/accounts",
                json={"connector": "lexoffice", "credentials": {"api_key": lex.api_key}},
                headers={"X-Request-Id": "req-create-1"},
            )
            account_id = created.json()["id"]
            client.get(f"/v1/accounts/{account_id}")
            client.get(f"/v1/accounts/{tenant.key}")
        with gateway.client(tenant.key + "x") as stranger:
            stranger.get("/v1/accounts")
    broken = serve_gateway(gateway_settings(redis_url, sandbox), verifier=ExplodingVerifier())
    with broken as exploding, exploding.new_tenant().client() as client:
        client.post("/v1/accounts", json={"connector": "lexoffice", "credentials": {"api_key": lex.api_key}})

    text = log_stream.getvalue()
    for secret in (lex.api_key, tenant.key, tenant.key[3:], "admin-"):
        assert secret not in text
    records = lines(log_stream)
    access = [r for r in records if r["logger"] == "ledgerbridge.access"]
    create = next(r for r in access if r["request_id"] == "req-create-1")
    assert (create["tenant_id"], create["account_id"], create["status"]) == (tenant.id, account_id, 201)
    assert create["route"] == "/v1/accounts"
    crash = next(r for r in records if r["event"] == "unhandled error")
    assert crash["level"] == "error"
    assert crash["exception"][0]["exc_type"] == "RuntimeError"
    assert all("locals" not in frame for frame in crash["exception"][0]["frames"])


def test_redaction_processor_masks_secret_fields_and_patterns() -> None:
    event = {
        "event": "calling upstream with Authorization: Bearer abcdefghijklmnopqrstuvwxyz",
        "api_key": "plain-upstream-key",
        "headers": {"authorization": "Bearer x", "accept": "application/json"},
        "credentials": {"api_key": "k"},
        "items": ["lb_" + "Z" * 43, "key_id=key_01"],
        "key_id": "key_01",
        "body": '{"api_key": "leaked", "n": 1}',
    }
    out = redact(None, "info", event)
    assert out["api_key"] == out["credentials"] == out["headers"]["authorization"] == REDACTED
    assert out["headers"]["accept"] == "application/json"
    assert out["event"] == f"calling upstream with Authorization: Bearer {REDACTED}"
    assert out["items"] == ["lb_" + REDACTED, "key_id=key_01"]
    assert out["key_id"] == "key_01"
    assert out["body"] == f'{{"api_key": "{REDACTED}", "n": 1}}'
    assert scrub("Missing or invalid bearer token.") == "Missing or invalid bearer token."


def test_request_id_is_echoed_or_generated(gateway: Gateway) -> None:
    with gateway.client() as client:
        given = client.get("/healthz", headers={"X-Request-Id": "abc-123.x"})
        generated = client.get("/healthz")
        invalid = client.get("/healthz", headers={"X-Request-Id": "no spaces <allowed>"})
    assert given.headers["x-request-id"] == "abc-123.x"
    assert len(generated.headers["x-request-id"]) == 32
    assert invalid.headers["x-request-id"] not in ("no spaces <allowed>", "")


def test_metrics_count_by_route_template_without_secret_labels(gateway: Gateway, lex: SandboxOrg) -> None:
    tenant = gateway.new_tenant()
    with tenant.client() as client:
        account = client.post(
            "/v1/accounts", json={"connector": "lexoffice", "credentials": {"api_key": lex.api_key}}
        ).json()
        client.get(f"/v1/accounts/{account['id']}")
    with gateway.client() as client:
        client.get("/v1/accounts", headers={"Authorization": f"Bearer {tenant.key}x"})
        client.get("/no/such/route")
        response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert (
        'ledgerbridge_http_requests_total{method="GET",route="/v1/accounts/{account_id}",status="200"}'
        in text
    )
    assert 'route="unmatched",status="404"' in text
    assert "ledgerbridge_http_request_duration_seconds_bucket" in text
    for secret in (tenant.key, lex.api_key, account["id"], tenant.id, "/no/such/route"):
        assert secret not in text


def test_healthz_and_readyz(gateway: Gateway) -> None:
    with gateway.client() as client:
        assert client.get("/healthz").json() == {"status": "ok"}
        assert client.get("/readyz").json() == {"status": "ready"}


def test_readyz_is_a_503_problem_when_redis_is_down(sandbox: RunningSandbox) -> None:
    settings = gateway_settings(f"redis://127.0.0.1:{free_port()}/0", sandbox)
    with serve_gateway(settings) as gateway, gateway.client() as client:
        ready, health = client.get("/readyz"), client.get("/healthz")
        tenant_call = client.get("/v1/accounts", headers={"Authorization": "Bearer lb_" + "D" * 43})
    assert health.status_code == 200
    assert ready.status_code == 503
    assert ready.json()["type"] == "https://ledgerbridge.dev/problems/not-ready"
    assert tenant_call.status_code == 503
    assert tenant_call.json()["type"] == "https://ledgerbridge.dev/problems/storage-unavailable"


def test_openapi_document_and_ui_need_no_key(gateway: Gateway) -> None:
    with gateway.client() as client:
        document = client.get("/schema/openapi.json")
        ui = client.get("/schema")
        swagger = client.get("/schema/swagger")
        yaml = client.get("/schema/openapi.yaml")
    assert document.status_code == ui.status_code == swagger.status_code == yaml.status_code == 200
    spec = document.json()
    assert spec["openapi"].startswith("3.1")
    assert {"/v1/accounts", "/v1/accounts/{account_id}", "/v1/admin/tenants", "/healthz"} <= set(
        spec["paths"]
    )
    create = spec["paths"]["/v1/accounts"]["post"]["responses"]
    assert create["422"]["content"]["application/problem+json"]["schema"] == {
        "$ref": "#/components/schemas/Problem"
    }
