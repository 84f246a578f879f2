"""``UpstreamClient`` against the sandbox over real HTTP and a real Redis: pacing under the sandbox's
bucket (several event loops, several processes), injected faults absorbed, non-idempotent calls never
re-sent blindly, deadlines, error parsing, and logs without secrets."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import MutableMapping, Sequence
from dataclasses import replace
from typing import Any

import httpx
import pytest
from structlog.testing import capture_logs

from connectors.errors import (
    CredentialRejected,
    DeadlineExceeded,
    NotFound,
    OutcomeUnknown,
    RateLimited,
    UpstreamUnavailable,
)
from connectors.http import TrafficProfile, UpstreamClient, UpstreamCredential, template_of
from connectors.lexoffice.traffic import lexoffice_credential
from connectors.pacer import Pacer
from connectors.retry import Deadline, RetryPolicy
from gateway.serving import free_port
from tests.support.sandbox import SandboxOrg
from tests.traffic.workers import WorkerReport, WorkerSpec, paced_worker, run_in_processes, run_in_threads

# The sandbox bucket the concurrency tests enforce, and a pacer 20 % under it: the bucket then stays full
# and absorbs ~0.75 s of jitter (a loaded 2-core machine delays processes and the sandbox thread).
BUCKET_RATE, BUCKET_CAPACITY = 5.0, 4.0
PACED_INTERVAL = 1 / 4.0

CONTACT = {"version": 0, "roles": {"customer": {}}, "company": {"name": "Traffic GmbH"}}


def calls(logs: Sequence[MutableMapping[str, Any]]) -> list[MutableMapping[str, Any]]:
    return [entry for entry in logs if entry["event"] == "upstream.call"]


async def test_a_call_is_authenticated_paced_and_logged(
    upstream: UpstreamClient, credential: UpstreamCredential, lex: SandboxOrg
) -> None:
    with capture_logs() as logs:
        response = await upstream.request(credential, "GET", "/v1/profile")
    assert response.json()["organizationId"] == lex.id
    [line] = calls(logs)
    assert line["method"] == "GET"
    assert line["path"] == "/v1/profile"
    assert line["status"] == 200
    assert line["attempt"] == 1
    assert line["verdict"] == "done"
    assert line["connector"] == "lexoffice"
    assert {"wait", "duration"} <= set(line)


def test_path_templates_hide_ids() -> None:
    assert template_of("/v1/contacts/be9475f4-ef80-442b-8ab9-3ab8b1a2aeb9") == "/v1/contacts/{id}"
    assert (
        template_of("/v1/invoices/be9475f4-ef80-442b-8ab9-3ab8b1a2aeb9/document")
        == "/v1/invoices/{id}/document"
    )
    assert template_of("/v1/countries") == "/v1/countries"


async def test_injected_429_and_503_are_absorbed(
    upstream: UpstreamClient, credential: UpstreamCredential, lex: SandboxOrg
) -> None:
    lex.set_faults(queue=[{"kind": "status:429"}, {"kind": "status:503", "methods": ["GET"]}])
    with capture_logs() as logs:
        response = await upstream.request(credential, "GET", "/v1/profile")
    assert response.status_code == 200
    assert [(c["status"], c["attempt"], c["verdict"]) for c in calls(logs)] == [
        (429, 1, "rate_limited"),
        (503, 2, "backoff"),
        (200, 3, "done"),
    ]
    assert lex.stats()["faults"]["injected"] == 2


async def test_a_429_on_a_post_is_retried_because_nothing_was_performed(
    upstream: UpstreamClient, credential: UpstreamCredential, lex: SandboxOrg
) -> None:
    lex.set_faults(queue=[{"kind": "status:429", "methods": ["POST"]}])
    response = await upstream.request(credential, "POST", "/v1/contacts", json=CONTACT)
    assert response.status_code == 201
    assert len(lex.org.collection("contacts")) == 1


async def test_a_post_that_may_have_been_performed_is_not_resent(
    upstream: UpstreamClient, credential: UpstreamCredential, lex: SandboxOrg
) -> None:
    lex.set_faults(queue=[{"kind": "timeout-after-perform", "methods": ["POST"]}])
    with pytest.raises(OutcomeUnknown) as caught:
        await upstream.request(credential, "POST", "/v1/contacts", json=CONTACT)
    assert (caught.value.method, caught.value.path, caught.value.status) == ("POST", "/v1/contacts", 504)
    assert len(lex.org.collection("contacts")) == 1  # performed once, never twice
    assert lex.stats()["bucket"]["accepted"] == 1


async def test_a_post_answered_503_fails_without_a_resend(
    upstream: UpstreamClient, credential: UpstreamCredential, lex: SandboxOrg
) -> None:
    lex.set_faults(queue=[{"kind": "status:503", "methods": ["POST"]}])
    with pytest.raises(UpstreamUnavailable) as caught:
        await upstream.request(credential, "POST", "/v1/contacts", json=CONTACT)
    assert caught.value.status == 503
    assert lex.stats()["bucket"]["accepted"] == 1
    assert lex.org.collection("contacts") == {}


async def test_retries_are_bounded(
    upstream: UpstreamClient, credential: UpstreamCredential, lex: SandboxOrg
) -> None:
    attempts = upstream.profile.retry.max_attempts
    lex.set_faults(
        queue=[{"kind": "status:503", "count": attempts}, {"kind": "status:429", "count": attempts}]
    )
    with pytest.raises(UpstreamUnavailable):
        await upstream.request(credential, "GET", "/v1/profile")
    with pytest.raises(RateLimited) as caught:
        await upstream.request(credential, "GET", "/v1/profile")
    assert caught.value.retry_after == upstream.profile.penalty
    assert lex.stats()["bucket"]["accepted"] == 2 * attempts


async def test_a_slot_beyond_the_deadline_fails_fast_with_retry_after(
    upstream: UpstreamClient, lex: SandboxOrg
) -> None:
    slow = lexoffice_credential(lex.api_key, interval=30.0)
    await upstream.request(slow, "GET", "/v1/profile")
    with capture_logs() as logs, pytest.raises(DeadlineExceeded) as caught:
        await upstream.request(slow, "GET", "/v1/profile", deadline=Deadline.after(10.0))
    assert 0 < (caught.value.retry_after or 0) <= 30.0
    assert calls(logs) == []
    assert lex.stats()["bucket"]["accepted"] == 1  # nothing was sent


async def test_error_answers_become_connector_errors(
    upstream: UpstreamClient, credential: UpstreamCredential
) -> None:
    with pytest.raises(NotFound) as caught:
        await upstream.request(credential, "GET", "/v1/contacts/be9475f4-ef80-442b-8ab9-3ab8b1a2aeb9")
    assert caught.value.status == 404
    assert caught.value.upstream_body is not None


async def test_connection_failures_are_retried_then_reported(profile: TrafficProfile, pacer: Pacer) -> None:
    dead = replace(profile, base_url=f"http://127.0.0.1:{free_port()}", retry=RetryPolicy(3, 0.001, 0.002))
    credential = lexoffice_credential("k", interval=0.001)
    async with UpstreamClient(dead, pacer) as client:
        with capture_logs() as logs, pytest.raises(UpstreamUnavailable) as caught:
            await client.request(credential, "POST", "/v1/contacts", json=CONTACT)
    assert caught.value.status is None
    assert [c["failure"] for c in calls(logs)] == ["not_sent"] * 3  # never sent, so safe to retry a POST


async def test_a_call_that_gets_no_connection_before_its_deadline_is_not_sent(
    profile: TrafficProfile, pacer: Pacer, credential: UpstreamCredential, lex: SandboxOrg
) -> None:
    lex.set_faults(latency_ms=1500)
    one_connection = replace(profile, limits=httpx.Limits(max_connections=1), send_allowance=0.0)
    sending = asyncio.Event()

    async def on_request(request: httpx.Request) -> None:
        sending.set()

    async with UpstreamClient(one_connection, pacer, event_hooks={"request": [on_request]}) as client:
        slow = asyncio.create_task(client.request(credential, "GET", "/v1/profile"))
        await sending.wait()  # the slow call holds the only connection for 1.5 s
        with capture_logs() as logs, pytest.raises(UpstreamUnavailable):
            await client.request(credential, "GET", "/v1/ping", deadline=Deadline.after(0.3))
        assert (await slow).status_code == 200
    assert {c["failure"] for c in calls(logs)} == {"not_sent"}
    assert lex.stats()["bucket"]["accepted"] == 1


async def test_the_secret_never_reaches_logs_errors_or_reprs(
    upstream: UpstreamClient, lex: SandboxOrg
) -> None:
    secret = "top-secret-" + lex.api_key
    wrong = lexoffice_credential(secret, interval=0.001)
    right = lexoffice_credential(lex.api_key, interval=0.001)
    lex.set_faults(queue=[{"kind": "status:503"}, {"kind": "status:429"}])
    with capture_logs() as logs:
        with pytest.raises(CredentialRejected) as caught:
            await upstream.request(wrong, "GET", "/v1/profile")
        await upstream.request(right, "GET", "/v1/profile")
    error = caught.value
    seen = " ".join(
        [repr(logs), repr(error), str(error), repr(error.upstream_body), repr(wrong), repr(right)]
    )
    assert secret not in seen
    assert lex.api_key not in seen
    assert len(calls(logs)) == 4


# --- many callers on one credential with the sandbox's bucket enforcing ---


def paced_spec(lex: SandboxOrg, redis_url: str, callers: int, calls_each: int) -> WorkerSpec:
    return WorkerSpec(redis_url, lex.sandbox.url, lex.api_key, PACED_INTERVAL, callers, calls=calls_each)


def total(reports: list[WorkerReport]) -> WorkerReport:
    merged = WorkerReport()
    for report in reports:
        merged.add(report)
    return merged


def test_callers_on_several_event_loops_never_meet_a_429(lex: SandboxOrg, redis_url: str) -> None:
    lex.set_rate_limit(BUCKET_RATE, BUCKET_CAPACITY)
    reports = run_in_threads(paced_worker, paced_spec(lex, redis_url, callers=3, calls_each=2), 3)
    assert total(reports).statuses == Counter({200: 18})
    assert lex.stats()["bucket"] == {"rate": 5.0, "capacity": 4.0, "accepted": 18, "rejected": 0}


def test_callers_in_several_processes_never_meet_a_429(lex: SandboxOrg, redis_url: str) -> None:
    lex.set_rate_limit(BUCKET_RATE, BUCKET_CAPACITY)
    reports = run_in_processes(paced_worker, paced_spec(lex, redis_url, callers=4, calls_each=2), 3)
    assert total(reports).statuses == Counter({200: 24})
    assert lex.stats()["bucket"] == {"rate": 5.0, "capacity": 4.0, "accepted": 24, "rejected": 0}
