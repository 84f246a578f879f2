"""Every error is application/problem+json: bad JSON, schema violations, 404/405/413/415, 500."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from gateway.problems import PROBLEM_TYPES
from tests.gateway.conftest import Gateway, gateway_settings, serve_gateway
from tests.support.sandbox import RunningSandbox

PROBLEMS = "https://ledgerbridge.dev/problems/"
SECRET = "lb_" + "S" * 43


def problem(response: Any, status: int, slug: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["type"] == PROBLEMS + slug
    assert body["status"] == status
    assert body["request_id"] == response.headers["x-request-id"]
    assert "Traceback" not in response.text
    return body


def post_raw(gateway: Gateway, key: str, body: bytes, content_type: str = "application/json") -> Any:
    with gateway.client(key) as client:
        return client.post("/v1/accounts", content=body, headers={"Content-Type": content_type})


def test_malformed_json(gateway: Gateway) -> None:
    body = problem(
        post_raw(gateway, gateway.new_tenant().key, b'{"connector": "lexoffice",'), 400, "invalid-json"
    )
    assert body["detail"].startswith("The body is not valid JSON")


@pytest.mark.parametrize(
    ("payload", "field", "reason"),
    [
        (
            {"connector": "lexoffice", "credentials": {"api_key": "k"}, "colour": "red"},
            "colour",
            "is not a known field",
        ),
        (
            {"connector": "lexoffice", "credentials": {"api_key": "k", "pin": 1}},
            "credentials.pin",
            "is not a known field",
        ),
        ({"connector": "lexoffice"}, "credentials", "is required"),
        (
            {"connector": "lexoffice", "credentials": {"api_key": 42}},
            "credentials.api_key",
            "Expected str, got int",
        ),
        (
            {"connector": "lexoffice", "credentials": {"api_key": ""}},
            "credentials.api_key",
            "Expected str of length >= 1",
        ),
        (
            {"connector": "lexoffice", "credentials": {"api_key": "k"}, "name": 7},
            "name",
            "Expected str | null, got int",
        ),
        ({"connector": "sage", "credentials": {"api_key": "k"}}, "connector", "Invalid enum value 'sage'"),
    ],
)
def test_schema_violations_name_field_and_reason(
    gateway: Gateway, payload: Mapping[str, Any], field: str, reason: str
) -> None:
    with gateway.new_tenant().client() as client:
        body = problem(client.post("/v1/accounts", json=payload), 422, "validation-error")
    assert body["errors"] == [{"field": field, "reason": reason}]


def test_a_whole_body_of_the_wrong_type(gateway: Gateway) -> None:
    body = problem(post_raw(gateway, gateway.new_tenant().key, b"[1, 2]"), 422, "validation-error")
    assert body["errors"] == [{"field": "", "reason": "Expected object, got array"}]


def test_problems_never_echo_keys_or_credentials(gateway: Gateway) -> None:
    tenant = gateway.new_tenant()
    with tenant.client() as client:
        responses = [
            client.post("/v1/accounts", json={"connector": SECRET, "credentials": {"api_key": SECRET}}),
            client.post(
                "/v1/accounts", json={"connector": "lexoffice", "credentials": {"api_key": SECRET, SECRET: 1}}
            ),
            client.get(f"/v1/accounts/{SECRET}"),
            client.get(f"/v1/accounts/{tenant.key}"),
        ]
    for response in responses:
        assert response.status_code in (404, 422)
        assert SECRET not in response.text
        assert tenant.key not in response.text


def test_wrong_content_type(gateway: Gateway) -> None:
    response = post_raw(
        gateway, gateway.new_tenant().key, b"connector=lexoffice", "application/x-www-form-urlencoded"
    )
    body = problem(response, 415, "unsupported-media-type")
    assert "application/json" in body["detail"]


def test_oversized_body(redis_url: str, sandbox: RunningSandbox) -> None:
    with serve_gateway(gateway_settings(redis_url, sandbox, max_body_bytes=2048)) as gateway:
        tenant = gateway.new_tenant()
        payload = b'{"connector": "lexoffice", "credentials": {"api_key": "' + b"k" * 4096 + b'"}}'
        problem(post_raw(gateway, tenant.key, payload), 413, "payload-too-large")


def test_unknown_route_and_wrong_method(gateway: Gateway) -> None:
    with gateway.client() as client:
        missing = problem(client.get("/v1/nothing-here"), 404, "not-found")
        wrong = client.put("/healthz")
    assert missing["instance"] == "/v1/nothing-here"
    problem(wrong, 405, "method-not-allowed")
    assert wrong.headers["allow"] == "GET, OPTIONS"


class ExplodingVerifier:
    """A verifier whose upstream check fails unexpectedly (a bug, from the gateway's point of view)."""

    async def verify(self, connector: str, credentials: Mapping[str, str]) -> dict[str, Any]:
        raise RuntimeError(f"boom while checking {credentials['api_key']}")


def test_unhandled_errors_are_a_500_problem_without_internals(
    redis_url: str, sandbox: RunningSandbox
) -> None:
    with serve_gateway(gateway_settings(redis_url, sandbox), verifier=ExplodingVerifier()) as gateway:
        tenant = gateway.new_tenant()
        with tenant.client() as client:
            response = client.post(
                "/v1/accounts", json={"connector": "lexoffice", "credentials": {"api_key": SECRET}}
            )
    body = problem(response, 500, "internal-error")
    assert body["detail"] == "An unexpected error occurred; quote the request id when reporting it."
    assert "boom" not in response.text
    assert SECRET not in response.text


def test_problem_types_are_unique_and_stable() -> None:
    slugs = [kind.slug for kind in PROBLEM_TYPES]
    assert len(set(slugs)) == len(slugs)
    assert all(kind.uri == PROBLEMS + kind.slug for kind in PROBLEM_TYPES)
