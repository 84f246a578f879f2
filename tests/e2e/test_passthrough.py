"""``/v1/passthrough/{path}`` end to end: verbatim answers, JSON and multipart bodies, refused paths."""

from __future__ import annotations

import http.client
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from tests.e2e.helpers import upstream_calls
from tests.support.sandbox import SandboxOrg
from tests.support.uploads import PDF

PASSTHROUGH = "/v1/passthrough"


def test_get_returns_the_upstream_answer_verbatim(api: httpx.Client, account: dict[str, Any]) -> None:
    lex: SandboxOrg = account["lex"]
    before = upstream_calls(lex)
    response = api.get(f"{PASSTHROUGH}/v1/profile")
    assert upstream_calls(lex) - before == 1
    with lex.client() as client:
        direct = client.get("/v1/profile")
    assert response.status_code == 200
    assert response.content == direct.content
    assert response.headers["content-type"] == direct.headers["content-type"]
    assert "set-cookie" not in response.headers

    missing = api.get(f"{PASSTHROUGH}/v1/contacts/00000000-0000-4000-8000-000000000000")
    with lex.client() as client:
        direct = client.get("/v1/contacts/00000000-0000-4000-8000-000000000000")
    assert (missing.status_code, missing.json()) == (404, direct.json())


def test_post_json_and_query_parameters(api: httpx.Client, account: dict[str, Any]) -> None:
    lex: SandboxOrg = account["lex"]
    body = {"version": 0, "roles": {"customer": {}}, "company": {"name": "Durchreich & Co"}}
    created = api.post(f"{PASSTHROUGH}/v1/contacts", json=body)
    assert created.status_code in (200, 201), created.text
    contact_id = created.json()["id"]
    stored = lex.org.get("contacts", contact_id)
    assert stored is not None
    assert stored["company"] == {"name": "Durchreich & Co"}

    found = api.get(f"{PASSTHROUGH}/v1/contacts", params={"name": "Durchreich &amp; Co", "size": "1"})
    assert found.status_code == 200
    assert [c["id"] for c in found.json()["content"]] == [contact_id]
    assert found.json()["size"] == 1

    refused = api.post(f"{PASSTHROUGH}/v1/contacts", json={"version": 0, "roles": {"customer": {}}})
    assert refused.status_code == 406  # lexoffice's own answer, not a problem
    assert "IssueList" in refused.json()


def test_multipart_upload(api: httpx.Client, account: dict[str, Any]) -> None:
    lex: SandboxOrg = account["lex"]
    uploaded = api.post(
        f"{PASSTHROUGH}/v1/files",
        files={"file": ("beleg.pdf", PDF, "application/pdf")},
        data={"type": "voucher"},
    )
    assert uploaded.status_code in (200, 201, 202), uploaded.text
    file_id = uploaded.json()["id"]
    assert lex.org.files[file_id].content == PDF
    downloaded = api.get(f"{PASSTHROUGH}/v1/files/{file_id}", headers={"Accept": "application/pdf"})
    assert downloaded.status_code == 200
    assert downloaded.content == PDF
    assert downloaded.headers["content-type"] == "application/pdf"


@pytest.mark.parametrize(
    "path",
    [
        "/https://evil.example/v1/profile",
        "/http:/evil.example/v1/profile",
        "//evil.example/v1/profile",
        "/v1//profile",
        "/v1/../_sandbox/health",
        "/v1/%2e%2e/_sandbox/health",
        "/v1/%2E%2E/_sandbox/health",
        "/v1/%252e%252e/_sandbox/health",
        "/v1/.%2e/_sandbox/health",
        "/v1/%2f%2fevil.example",
        "/v1/profile%0d%0aX-Injected:%20yes",
        "/v1/profile%0aHost:%20evil.example",
        "/v1/pro%5cfile",
        "/v1/profile?a=%0d%0aX-Injected:%20yes",
        "/_sandbox/health",
        "/v2/profile",
    ],
)
def test_refused_paths_send_nothing_upstream(
    gateway_url: str, api: httpx.Client, account: dict[str, Any], path: str
) -> None:
    lex: SandboxOrg = account["lex"]
    before = upstream_calls(lex)
    status, body = raw_request(gateway_url, "GET", PASSTHROUGH + path, dict(api.headers))
    assert status == 400, body
    assert b"bad-request" in body
    assert upstream_calls(lex) == before


def raw_request(base_url: str, method: str, target: str, headers: dict[str, str]) -> tuple[int, bytes]:
    """Send ``target`` exactly as given (httpx would normalize dot segments)."""
    address = urlsplit(base_url)
    connection = http.client.HTTPConnection(address.hostname or "127.0.0.1", address.port, timeout=10)
    try:
        connection.request(method, target, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()
