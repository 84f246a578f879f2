"""Per-request observability around the whole app: request id, logging context, access log, metrics.

It wraps Litestar's top-level ASGI handler (outside routing), so it also sees 404/405 answers and errors
raised before any route runs.
"""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

import structlog
from litestar import Litestar
from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from .logging import bind_request
from .metrics import Metrics

REQUEST_ID_HEADER = "X-Request-Id"
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_QUIET_ROUTES = frozenset({"/healthz", "/readyz", "/metrics"})
access_log = structlog.get_logger("ledgerbridge.access")


def request_id_of(scope: Scope | dict[str, Any]) -> str | None:
    """The id of the request being served."""
    state: dict[str, Any] = scope.get("state") or {}
    request_id: str | None = state.get("request_id")
    return request_id


def _incoming_request_id(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"x-request-id":
            text = value.decode("latin-1").strip()
            return text if _VALID_REQUEST_ID.match(text) else None
    return None


class Observe:
    """ASGI wrapper: takes (or makes) the request id, binds it for logging, echoes it, logs and counts."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        request_id = _incoming_request_id(scope) or uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        bind_request(request_id)
        started = time.perf_counter()
        recorded = False

        def record(status: int) -> None:
            """Count and log the request once, when its response starts (before the client can see it)."""
            nonlocal recorded
            if recorded:
                return
            recorded = True
            seconds = time.perf_counter() - started
            route: str = scope.get("path_template") or "unmatched"
            self.metrics.observe_request(method, route, status, seconds)
            log = access_log.debug if route in _QUIET_ROUTES else access_log.info
            log(
                "request",
                method=method,
                path=scope["path"],
                route=route,
                status=status,
                duration_ms=round(seconds * 1000, 2),
            )

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableScopeHeaders.from_message(message)[REQUEST_ID_HEADER] = request_id
                record(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            record(500)  # nothing was sent: the server answers 500


def install(app: Litestar, metrics: Metrics) -> None:
    """Wrap the app's top-level handler (Litestar calls ``app.asgi_handler`` for every HTTP request)."""
    app.asgi_handler = Observe(app.asgi_handler, metrics)
