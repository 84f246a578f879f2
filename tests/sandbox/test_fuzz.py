"""Bad input never crashes the sandbox: junk against every ``/v1/`` route of the running app.

The routes are read from the running Litestar app, so every endpoint that lands is fuzzed without
touching this file. Requests carry random JSON (also documentation samples with one part replaced or
removed), malformed bytes, wrong Content-Types, random query parameters and random or existing ids.
The sandbox must answer every one: no 500 except lexoffice's documented "no file" upload error, and
every error body is JSON.
"""

from __future__ import annotations

import json
import os
import re
import string
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st

from connectors.lexoffice.sandbox.app import MAX_BODY_BYTES
from tests.support.receiver import WebhookReceiver
from tests.support.samples import SAMPLES_DIR, sample
from tests.support.sandbox import RunningSandbox, SandboxOrg

PLACEHOLDER = re.compile(r"\{[^}]+\}")
# lexoffice: "If no file is provided, the file upload endpoint returns HTTP status 500" (the voucher file
# upload follows the same rule)
UPLOAD_PATH = re.compile(r"^/v1/(files|vouchers/[^/]+/files)$")
# the create-request samples, minus the subscription one (it would make the sandbox probe example.org)
REQUEST_SAMPLES = sorted(
    p.name for p in SAMPLES_DIR.glob("*_create_request.json") if "event-subscriptions" not in p.name
)
FIELD_NAMES = sorted(
    {"version", "eventType", "callbackUrl", "type", "voucherDate", "id"}
    | {key for name in REQUEST_SAMPLES for key in sample(name)}
)
QUERY_NAMES = ["page", "size", "sort", "finalize", "precalculate", "voucherType", "voucherStatus"]
QUERY_NAMES += ["name", "email", "number", "customer", "vendor", "archived", "precedingSalesVoucherId"]
CONTENT_TYPES = [
    None,
    "application/json",
    "application/json; charset=utf-8",
    "text/plain",
    "application/xml",
    "application/x-www-form-urlencoded",
    "multipart/form-data",
    "multipart/form-data; boundary=xyz",
    "application/vnd.api+json",
    "*/*",
    "nonsense",
]
# deterministic by default; a longer hunt: SANDBOX_FUZZ_EXAMPLES=5000 pytest tests/sandbox/test_fuzz.py
EXAMPLES = int(os.environ.get("SANDBOX_FUZZ_EXAMPLES", "300"))
DELETE = object()  # mutation marker: remove the part instead of replacing it

huge_strings = st.integers(10_000, 200_000).map(lambda n: "ä" * n)
json_leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=40),
    st.sampled_from(["", "2023-01-01", "2023-02-21T00:00:00.000+01:00", "DE", "net", "draft", "-1", "0"]),
    huge_strings,
)
json_values = st.recursive(
    json_leaves,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from(FIELD_NAMES) | st.text(max_size=12), children, max_size=6)
    ),
    max_leaves=25,
)
ids = st.one_of(
    st.uuids().map(str),
    st.text(string.ascii_letters + string.digits + "-_.~ %/äß", min_size=1, max_size=40),
    st.sampled_from(["0", "-1", "null", "undefined", "a" * 500]),
)
# an int picks one of the organization's ids (which vary from run to run, so they cannot be drawn directly)
id_choices = st.integers(0, 999) | ids
query_values = st.text(max_size=30) | st.sampled_from(
    ["0", "-1", "1000000", "true", "2023-01-01", "any", "open,paid"]
)
queries = st.dictionaries(
    st.sampled_from(QUERY_NAMES) | st.text(min_size=1, max_size=10), query_values, max_size=4
)


def locations(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every location inside a JSON value (``()`` is the value itself)."""
    children: list[tuple[Any, Any]] = []
    if isinstance(value, dict):
        children = list(value.items())
    elif isinstance(value, list):
        children = list(enumerate(value))
    return [prefix] + [p for key, child in children for p in locations(child, (*prefix, key))]


def replaced(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    """A copy of ``value`` with the part at ``path`` replaced by ``new`` (or removed for ``DELETE``)."""
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        copy: Any = dict(value)
    else:
        copy = list(value)
    if not rest and new is DELETE:
        del copy[head]
    else:
        copy[head] = replaced(value[head], rest, new)
    return copy


@st.composite
def mutated_samples(draw: st.DrawFn) -> Any:
    document = sample(draw(st.sampled_from(REQUEST_SAMPLES)))
    path = draw(st.sampled_from(locations(document)[1:]))
    return replaced(document, path, draw(json_values | st.just(DELETE)))


@st.composite
def bodies(draw: st.DrawFn) -> tuple[bytes | None, str | None]:
    """(raw body, Content-Type): JSON of any kind, or junk bytes with any Content-Type, or nothing."""
    kind = draw(st.sampled_from(["json", "sample", "bytes", "none"]))
    if kind == "none":
        return None, draw(st.sampled_from(CONTENT_TYPES))
    if kind == "bytes":
        raw = draw(st.binary(max_size=300) | st.sampled_from([b"{", b'{"a":', b"[1,2", b"\xff\xfe", b"null"]))
        return raw, draw(st.sampled_from(CONTENT_TYPES))
    value = draw(json_values if kind == "json" else mutated_samples())
    raw = json.dumps(value).encode()
    return raw, draw(st.sampled_from(CONTENT_TYPES[1:3]))


def v1_routes(sandbox: RunningSandbox) -> list[tuple[str, str]]:
    """(method, path template) of every ``/v1/`` route of the running app."""
    return sorted(
        (method, route.path)
        for route in sandbox.app.litestar.routes
        if route.path.startswith("/v1/")
        for method in getattr(route, "methods", ())
        if method != "OPTIONS"  # Litestar's automatic preflight answer, no endpoint code behind it
    )


def existing_ids(lex: SandboxOrg) -> list[str]:
    """Ids of everything the organization holds right now (records and files)."""
    org = lex.org
    return sorted({*(rid for records in list(org.collections.values()) for rid in list(records)), *org.files})


def pick_id(choice: int | str, known: list[str]) -> str:
    if isinstance(choice, str):
        return choice
    return known[choice % len(known)] if known else "5f8ee4a3-0000-4000-8000-000000000000"


def assert_answer_is_sound(method: str, path: str, response: httpx.Response) -> None:
    status = response.status_code
    if status < 400:
        return
    assert response.headers.get("content-type", "").startswith("application/json"), "error body is not JSON"
    body = response.json()
    if status >= 500:
        documented = status == 500 and method == "POST" and UPLOAD_PATH.match(path) is not None
        assert documented, f"{status} {body}"
        assert body["IssueList"][0]["i18nKey"] == "technical_error"


@pytest.fixture(scope="module")
def fuzz_org(sandbox: RunningSandbox) -> Iterator[SandboxOrg]:
    """An unthrottled organization seeded with one record per create sample and a live subscription."""
    org = sandbox.new_org("Fuzz GmbH")
    with WebhookReceiver() as receiver, org.client() as c:
        c.post("/v1/event-subscriptions", json={"eventType": "contact.changed", "callbackUrl": receiver.url})
        for name in REQUEST_SAMPLES:
            family = name.split("_")[1]
            assert_answer_is_sound("POST", f"/v1/{family}", c.post(f"/v1/{family}", json=sample(name)))
        yield org
        sandbox.drain_events()


@pytest.fixture(scope="module")
def fuzz_client(fuzz_org: SandboxOrg) -> Iterator[httpx.Client]:
    """One keep-alive client for all examples (a client per request would dominate the run time)."""
    with fuzz_org.client() as client:
        yield client


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(data=st.data())
def test_junk_never_crashes_the_sandbox(
    sandbox: RunningSandbox, fuzz_org: SandboxOrg, fuzz_client: httpx.Client, data: st.DataObject
) -> None:
    method, template = data.draw(st.sampled_from(v1_routes(sandbox)), label="route")
    known = existing_ids(fuzz_org)
    path = PLACEHOLDER.sub(
        lambda _: quote(pick_id(data.draw(id_choices, label="id"), known), safe=""), template
    )
    query = data.draw(queries, label="query")
    raw, content_type = data.draw(bodies(), label="body") if method in ("POST", "PUT") else (None, None)
    headers = {"Content-Type": content_type} if content_type else {}
    response = fuzz_client.request(method, path, params=query, content=raw, headers=headers)
    note(f"{method} {path} -> {response.status_code}: {response.content[:500]!r}")
    event(f"{method} {template} -> {response.status_code}")  # coverage: --hypothesis-show-statistics
    assert_answer_is_sound(method, path, response)


def test_the_sandbox_still_answers_after_the_fuzzing(
    sandbox: RunningSandbox, fuzz_client: httpx.Client
) -> None:
    assert fuzz_client.get("/v1/profile").status_code == 200
    with sandbox.control() as c:
        assert c.get("/_sandbox/health").json() == {"status": "ok"}


def test_bodies_above_the_size_limit_are_refused_cleanly(
    sandbox: RunningSandbox, fuzz_client: httpx.Client
) -> None:
    oversized = b"[" + b"0," * (MAX_BODY_BYTES // 2) + b"0]"
    for method, template in v1_routes(sandbox):
        if method not in ("POST", "PUT"):
            continue
        path = PLACEHOLDER.sub("5f8ee4a3-0000-4000-8000-000000000000", template)
        content_type = "multipart/form-data; boundary=xyz" if UPLOAD_PATH.match(path) else "application/json"
        response = fuzz_client.request(
            method, path, content=oversized, headers={"Content-Type": content_type}
        )
        assert 400 <= response.status_code < 500, (method, path, response.status_code)
        assert_answer_is_sound(method, path, response)
