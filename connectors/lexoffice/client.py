"""``LexofficeClient``: one account's view of lexoffice, for the resource operations and the passthrough.

Every call goes through the shared, paced :class:`~connectors.http.UpstreamClient` with the account's
credential, within one deadline for the whole unified operation (created with the client). lexoffice's
JSON is decoded with exact ``Decimal`` fractions and request bodies are encoded with decimals as JSON
numbers (httpx's ``json=`` cannot encode ``Decimal``).

Updates run through the :class:`~connectors.concurrency.LockingEngine`, whose version cache holds plain
JSON (floats): a patch's decimals are sent as JSON numbers with the same digits, and the engine's answers are
turned back into ``Decimal`` by their shortest float repr — exact for every amount lexoffice accepts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx
import msgspec

from ..concurrency import LockingEngine, Resource
from ..errors import ConnectorError
from ..http import UpstreamClient, UpstreamCredential
from ..retry import Deadline

_decoder = msgspec.json.Decoder(float_hook=Decimal)
_encoder = msgspec.json.Encoder(decimal_format="number")
JSON_HEADERS = {"Content-Type": "application/json"}


def decode_json(content: bytes) -> Any:
    """lexoffice JSON with fractional numbers as ``Decimal`` (``None`` for an empty body)."""
    return _decoder.decode(content) if content.strip() else None


def encode_json(body: Any) -> bytes:
    """JSON with ``Decimal`` as plain JSON numbers (``119.00``), as lexoffice expects amounts."""
    return _encoder.encode(body)


def _plain(body: dict[str, Any]) -> dict[str, Any]:
    """``body`` with decimals as floats (what the locking engine's cache and httpx can encode)."""
    plain: dict[str, Any] = msgspec.json.decode(encode_json(body))
    return plain


def _exact(body: dict[str, Any]) -> dict[str, Any]:
    """``body`` with floats as the ``Decimal`` of their shortest repr (the digits lexoffice sent)."""
    exact: dict[str, Any] = _decoder.decode(msgspec.json.encode(body))
    return exact


def as_sent_back(body: dict[str, Any]) -> dict[str, Any]:
    """``body`` with its amounts as lexoffice stores and returns them (``119.00`` -> ``119.0``)."""
    return _exact(_plain(body))


@dataclass(frozen=True)
class UpstreamPage:
    """One page of a lexoffice list (Spring Data envelope): its items and whether it is the last page."""

    items: list[dict[str, Any]]
    number: int
    size: int
    last: bool


class LexofficeClient:
    """lexoffice as one account sees it: paced, authenticated, within one deadline."""

    def __init__(
        self,
        upstream: UpstreamClient,
        locking: LockingEngine,
        credential: UpstreamCredential,
        scope: str,
        deadline: float | None = None,
    ) -> None:
        """``scope`` names the account's version cache; ``deadline`` (seconds, default: the traffic
        profile's) bounds every call made through this client."""
        self.upstream = upstream
        self.locking = locking
        self.credential = credential
        self.scope = scope
        self.deadline = Deadline.after(upstream.profile.deadline if deadline is None else deadline)

    def __repr__(self) -> str:
        return f"LexofficeClient(scope={self.scope!r})"

    async def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return await self.upstream.request(self.credential, method, path, deadline=self.deadline, **kwargs)

    async def get_json(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        """``GET path``: the decoded JSON answer."""
        return decode_json((await self._request("GET", path, params=params)).content)

    async def get_page(
        self, path: str, params: Mapping[str, Any] | None = None, *, page: int, size: int
    ) -> UpstreamPage:
        """Page ``page`` (0-based) of ``size`` items of a paged lexoffice list."""
        envelope = await self.get_json(path, {**(params or {}), "page": page, "size": size})
        return UpstreamPage(
            items=list(envelope.get("content") or []),
            number=page,
            size=size,
            last=bool(envelope.get("last", True)),
        )

    async def post_json(
        self, path: str, body: Any, params: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """``POST path`` with a JSON body (decimals as numbers): the decoded answer (``{}`` if empty)."""
        response = await self._request(
            "POST", path, params=params, content=encode_json(body), headers=JSON_HEADERS
        )
        answer: dict[str, Any] = decode_json(response.content) or {}
        return answer

    async def read_versioned(self, resource: Resource) -> dict[str, Any]:
        """``GET`` a versioned resource through the locking engine (warms its version cache)."""
        body = await self.locking.read(self.credential, self.scope, resource, deadline=self.deadline)
        return _exact(body)

    async def update(
        self, resource: Resource, patch: dict[str, Any], expected_version: int | None
    ) -> dict[str, Any]:
        """Apply a JSON merge patch of upstream fields through the locking engine; the new upstream body.

        ``expected_version`` (from ``If-Match``) makes the update strict: any other current version is a
        :class:`~connectors.errors.VersionConflict`.
        """
        body = await self.locking.update(
            self.credential,
            self.scope,
            resource,
            _plain(patch),
            expected_version=expected_version,
            deadline=self.deadline,
        )
        return _exact(body)

    async def upload(
        self,
        path: str,
        *,
        filename: str,
        content: bytes,
        media_type: str,
        fields: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """``POST path`` as ``multipart/form-data``: the ``file`` part plus plain form ``fields``."""
        parts: dict[str, Any] = {"file": (filename, content, media_type)}
        parts |= {name: (None, value) for name, value in (fields or {}).items()}
        response = await self._request("POST", path, files=parts)
        answer: dict[str, Any] = decode_json(response.content) or {}
        return answer

    async def download(self, path: str, accept: str = "*/*") -> tuple[bytes, httpx.Headers]:
        """``GET path`` for a binary (a PDF, a file): its bytes and the answer's headers."""
        response = await self._request("GET", path, headers={"Accept": accept})
        return response.content, response.headers

    async def forward(
        self,
        method: str,
        path: str,
        *,
        params: Sequence[tuple[str, str]] | None,
        content: bytes | None,
        headers: Mapping[str, str],
    ) -> httpx.Response:
        """Send a caller's request as it is (passthrough); the upstream's answer, errors included.

        ``path`` must be an already checked relative upstream path. An error answer from lexoffice is
        rebuilt from the connector error (status and body; JSON bodies re-encoded); when no answer came at
        all, the connector error is raised.
        """
        try:
            return await self._request(method, path, params=params, content=content, headers=headers)
        except ConnectorError as error:
            if error.status is None:
                raise
            return _rebuilt(error.status, error.upstream_body)


def _rebuilt(status: int, body: Any) -> httpx.Response:
    """An upstream error answer rebuilt from what its connector error kept."""
    if body is None:
        return httpx.Response(status)
    if isinstance(body, str):
        return httpx.Response(status, text=body)
    return httpx.Response(status, content=encode_json(body), headers=JSON_HEADERS)
