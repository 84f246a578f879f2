"""The sandbox's gateway layer: authentication, the per-key token bucket, fault injection, unknown routes."""

from __future__ import annotations

import httpx
import pytest

from tests.support.samples import sample
from tests.support.sandbox import RunningSandbox, SandboxOrg


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer nope", "Basic abc", "bearer-less"])
def test_missing_or_invalid_key_is_401(sandbox: RunningSandbox, header: str | None) -> None:
    headers = {"Authorization": header} if header else {}
    response = httpx.get(f"{sandbox.url}/v1/profile", headers=headers)
    assert response.status_code == 401
    assert response.json() == sample("073_errors_401_unauthorized_response.json")


def test_each_key_sees_its_own_organization(sandbox: RunningSandbox) -> None:
    first, second = sandbox.new_org("Erste GmbH"), sandbox.new_org("Zweite AG")
    with first.client() as a, second.client() as b:
        assert a.get("/v1/profile").json()["companyName"] == "Erste GmbH"
        assert b.get("/v1/profile").json()["organizationId"] == second.id


def test_profile_has_the_documented_shape(lex: SandboxOrg) -> None:
    with lex.client() as c:
        profile = c.get("/v1/profile").json()
    assert set(sample("055_profile_retrieve_response.json")) <= set(profile)
    assert profile["organizationId"] == lex.id


@pytest.mark.parametrize(
    ("path", "sample_file"),
    [
        ("/v1/countries", "007_countries_list_response.json"),
        ("/v1/payment-conditions", "053_payment-conditions_list_response.json"),
        ("/v1/posting-categories", "054_posting-categories_list_response.json"),
    ],
)
def test_reference_lists_contain_the_documented_entries(lex: SandboxOrg, path: str, sample_file: str) -> None:
    with lex.client() as c:
        body = c.get(path).json()
    for entry in sample(sample_file):
        assert entry in body


def test_ping_answers_with_the_user_email(lex: SandboxOrg) -> None:
    with lex.client() as c:
        assert set(c.get("/v1/ping").json()) == set(sample("079_ping_response.json"))


def test_over_the_bucket_is_429_and_nothing_is_performed(sandbox: RunningSandbox) -> None:
    org = sandbox.new_org(rate=0.001, burst=1)
    with org.client() as c:
        assert c.get("/v1/profile").status_code == 200
        rejected = c.get("/v1/profile")
    assert rejected.status_code == 429
    assert "message" in rejected.json()
    assert org.stats()["bucket"]["rejected"] == 1


def test_bucket_is_shared_by_all_endpoints_of_a_key(sandbox: RunningSandbox) -> None:
    org = sandbox.new_org(rate=0.001, burst=2)
    with org.client() as c:
        assert c.get("/v1/countries").status_code == 200
        assert c.get("/v1/profile").status_code == 200
        assert c.get("/v1/posting-categories").status_code == 429


def test_queued_faults_hit_in_order_then_stop(lex: SandboxOrg) -> None:
    lex.set_faults(queue=[{"kind": "status:503"}, {"kind": "status:429", "methods": ["GET"]}])
    with lex.client() as c:
        assert c.get("/v1/profile").status_code == 503
        assert c.get("/v1/profile").status_code == 429
        assert c.get("/v1/profile").status_code == 200


def test_timeout_fault_answers_504_gateway_body(lex: SandboxOrg) -> None:
    lex.set_faults(queue=[{"kind": "timeout"}])
    with lex.client() as c:
        response = c.get("/v1/profile")
    assert response.status_code == 504
    assert response.json() == sample("076_errors_504_gateway_timeout_response.json")


def test_unknown_fault_kind_is_rejected(lex: SandboxOrg) -> None:
    with lex.sandbox.control() as c:
        response = c.put(f"/_sandbox/keys/{lex.api_key}/faults", json={"queue": [{"kind": "explode"}]})
    assert response.status_code == 400


def test_unknown_route_and_wrong_method_are_lexoffice_shaped(lex: SandboxOrg) -> None:
    with lex.client() as c:
        unknown = c.get("/v1/quotations/8bd4b4a5-0000-0000-0000-000000000000")
        wrong = c.delete("/v1/countries")
    assert unknown.status_code == 404
    assert {"timestamp", "status", "error", "path", "traceId", "message"} <= set(unknown.json())
    assert wrong.status_code == 405
    assert wrong.json()["status"] == 405
