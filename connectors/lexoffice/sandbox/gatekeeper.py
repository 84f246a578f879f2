"""The sandbox's API gateway: what lexoffice does before any endpoint runs.

An ASGI wrapper around the Litestar app for every ``/v1/`` request: bearer-token authentication
(401 ``{"message": "Unauthorized"}``), the per-key token bucket (429, the call is not performed),
and the key's injected faults (latency, errors, time-outs before or after performing the call).
"""

from __future__ import annotations

import asyncio
from typing import Any

from litestar.types import ASGIApp, Receive, Scope, Send

from .errors import ApiError, render
from .errors import gateway_body as gateway_message
from .state import SandboxState
from .web import KEY_SCOPE_KEY, ORG_SCOPE_KEY, encode


async def _answer(send: Send, status: int, body: dict[str, Any]) -> None:
    payload = encode(body)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})


def _bearer_token(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            text = value.decode("latin-1").strip()
            scheme, _, token = text.partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                return token.strip()
            return None
    return None


class Gatekeeper:
    """ASGI middleware in front of the sandbox app."""

    def __init__(self, app: ASGIApp, state: SandboxState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/v1/"):
            await self.app(scope, receive, send)
            return
        token = _bearer_token(scope)
        key = self.state.authenticate(token) if token else None
        if key is None:
            await _answer(send, 401, gateway_message(401))
            return
        if not key.bucket.try_take():
            await _answer(send, 429, gateway_message(429))
            return
        faults = key.faults
        if faults.latency_ms:
            await asyncio.sleep(faults.latency_ms / 1000)
        scope[ORG_SCOPE_KEY] = self.state.organizations[key.organization_id]  # type: ignore[literal-required]
        scope[KEY_SCOPE_KEY] = key  # type: ignore[literal-required]
        fault = faults.next_fault(scope["method"], scope["path"])
        if fault is None:
            await self.app(scope, receive, send)
            return
        if fault.kind == "timeout-after-perform":
            await self.app(scope, receive, _discard)
            await faults.hold()
            await _answer(send, 504, gateway_message(504))
        elif fault.kind == "timeout":
            await faults.hold()
            await _answer(send, 504, gateway_message(504))
        elif fault.status == 409:
            error = ApiError(409, "Injected conflict: the entity was changed concurrently")
            await _answer(send, 409, render(error, scope["path"], self.state.clock))
        else:
            await _answer(send, fault.status, gateway_message(fault.status))


async def _discard(message: Any) -> None:
    """A ``send`` that drops the response (the caller never sees it)."""
