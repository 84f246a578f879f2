"""lexoffice's three error shapes become connector errors (samples from the lexoffice documentation)."""

from __future__ import annotations

import httpx
import pytest

from connectors.errors import (
    ConnectorError,
    CredentialRejected,
    Detail,
    NotFound,
    RateLimited,
    UpstreamRejected,
    UpstreamUnavailable,
    VersionConflict,
)
from connectors.lexoffice.errors import parse_error
from tests.support.samples import sample, sample_bytes


def answer(status: int, name: str | None = None, text: str | None = None) -> ConnectorError:
    if name is not None:
        return parse_error(httpx.Response(status, content=sample_bytes(name)))
    return parse_error(httpx.Response(status, text=text))


@pytest.mark.parametrize(
    ("status", "name", "kind", "message"),
    [
        (401, "073_errors_401_unauthorized_response.json", CredentialRejected, "Unauthorized"),
        (403, "074_errors_403_forbidden_response.json", CredentialRejected, "'{accessToken}' not a valid"),
        (
            500,
            "075_errors_500_internal_server_error_response.json",
            UpstreamUnavailable,
            "Internal Server Error",
        ),
        (
            504,
            "076_errors_504_gateway_timeout_response.json",
            UpstreamUnavailable,
            "Endpoint request timed out",
        ),
    ],
)
def test_gateway_shape(status: int, name: str, kind: type[ConnectorError], message: str) -> None:
    error = answer(status, name)
    assert type(error) is kind
    assert error.status == status
    assert error.message.startswith(message)
    assert error.upstream_body == sample(name)


def test_legacy_issue_list() -> None:
    error = answer(406, "077_errors_legacy_issuelist_response.json")
    assert type(error) is UpstreamRejected
    assert error.details == [Detail("company.name", "missing entity", "missing_entity")]
    assert error.message == "company.name: missing_entity"


def test_regular_shape() -> None:
    error = answer(406, "078_errors_regular_406_response.json")
    assert type(error) is UpstreamRejected
    assert error.message == "Validation failed for request. Please see details list for specific causes."
    assert error.details == [
        Detail("lineItems[0].unitPrice.taxRatePercentage", "darf nicht leer sein", "NOTNULL")
    ]


@pytest.mark.parametrize(
    ("status", "kind"), [(404, NotFound), (409, VersionConflict), (429, RateLimited), (402, UpstreamRejected)]
)
def test_status_decides_the_type(status: int, kind: type[ConnectorError]) -> None:
    assert type(answer(status, text='{"message": "x"}')) is kind


def test_a_body_that_is_not_json_keeps_status_and_reason() -> None:
    error = answer(502, text="<html>bad gateway</html>")
    assert type(error) is UpstreamUnavailable
    assert error.message == "Bad Gateway"
    assert error.upstream_body == "<html>bad gateway</html>"
    assert answer(503, text="").upstream_body is None
