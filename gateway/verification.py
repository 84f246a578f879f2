"""Checking upstream credentials before an account stores them.

:class:`CredentialVerifier` is the seam: the account service only knows this protocol, so the connector can
provide the check later. :class:`LexofficeVerifier` asks lexoffice (or the sandbox) for ``GET /v1/profile``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Protocol

import httpx

from schemas.problem import FieldError, UpstreamError

from .problems import (
    CREDENTIALS_REJECTED,
    UPSTREAM_RATE_LIMITED,
    UPSTREAM_UNAVAILABLE,
    VALIDATION,
    ProblemError,
)

MAX_UPSTREAM_BODY_CHARS = 2000


class CredentialVerifier(Protocol):
    """Checks credentials with the upstream and describes the organization they give access to."""

    async def verify(self, connector: str, credentials: Mapping[str, str]) -> dict[str, Any]:
        """``{organization_id, company_name, ...}``; raises :class:`ProblemError` if the upstream says no."""
        ...


class LexofficeVerifier:
    """Verifies a lexoffice API key with ``GET {base_url}/v1/profile``."""

    def __init__(self, base_url: str, timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._client: httpx.AsyncClient | None = None

    async def verify(self, connector: str, credentials: Mapping[str, str]) -> dict[str, Any]:
        if connector != "lexoffice":
            raise ProblemError(
                VALIDATION,
                f"Unknown connector {connector!r}.",
                errors=[FieldError("connector", "is not supported")],
            )
        api_key = credentials["api_key"]
        try:
            response = await self._http().get(
                "/v1/profile", headers={"Authorization": f"Bearer {api_key}", "Accept": "application/json"}
            )
        except httpx.HTTPError as exc:
            raise ProblemError(
                UPSTREAM_UNAVAILABLE,
                f"lexoffice could not be reached to check the credentials ({type(exc).__name__}).",
            ) from None
        if response.status_code == httpx.codes.OK:
            return _organization(response.json())
        upstream = UpstreamError(response.status_code, _body(response, api_key))
        if response.status_code in (httpx.codes.UNAUTHORIZED, httpx.codes.FORBIDDEN):
            raise ProblemError(
                CREDENTIALS_REJECTED,
                f"lexoffice rejected the API key ({response.status_code}); nothing was stored.",
                errors=[FieldError("credentials.api_key", "was rejected by lexoffice")],
                upstream=upstream,
            )
        if response.status_code == httpx.codes.TOO_MANY_REQUESTS:
            raise ProblemError(
                UPSTREAM_RATE_LIMITED,
                "lexoffice's rate limit for this API key is exhausted; retry shortly.",
                upstream=upstream,
                headers={"Retry-After": response.headers.get("Retry-After", "1")},
            )
        raise ProblemError(
            UPSTREAM_UNAVAILABLE,
            f"lexoffice answered {response.status_code} to the credential check.",
            upstream=upstream,
        )

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(base_url=self.base_url, timeout=self.timeout)
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None


def _organization(profile: dict[str, Any]) -> dict[str, Any]:
    return {
        "organization_id": profile["organizationId"],
        "company_name": profile.get("companyName"),
        "tax_type": profile.get("taxType"),
        "small_business": profile.get("smallBusiness"),
        "connection_id": profile.get("connectionId"),
    }


def _body(response: httpx.Response, secret: str) -> Any:
    """The upstream's body (JSON if it parses), shortened, with the credential masked should it echo it."""
    text = response.text[:MAX_UPSTREAM_BODY_CHARS].replace(secret, "[REDACTED]")
    try:
        return json.loads(text)
    except ValueError:
        return text
