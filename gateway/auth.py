"""Who may call a route: tenants (API key + inbound limiter), the operator (admin token) or anyone.

Every route requires a tenant API key unless its handler (or router) says otherwise with ``opt=PUBLIC`` or
``opt=ADMIN``, so a new route is protected by default. A tenant request passes, in order: bearer token ->
API key digest lookup -> limiter script (which also refuses keys revoked a moment ago). Unknown, malformed
and revoked keys all get the same 401. Admitted responses carry the ``RateLimit`` headers.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from .logging import bind_tenant, register_secret
from .metrics import Metrics
from .problems import RATE_LIMITED, UNAUTHORIZED, ProblemError
from .ratelimit import InboundLimiter
from .tenants import TenantService

AUTH_OPT = "auth"
PUBLIC: dict[str, Any] = {AUTH_OPT: "public"}
ADMIN: dict[str, Any] = {AUTH_OPT: "admin"}
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="ledgerbridge"'}


@dataclass(frozen=True)
class Principal:
    """The authenticated tenant of a request and the API key it used."""

    tenant_id: str
    key_id: str


def bearer_token(scope: Scope) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, if there is one."""
    for name, value in scope["headers"]:
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").strip().partition(" ")
            return token.strip() or None if scheme.lower() == "bearer" else None
    return None


def _unauthorized() -> ProblemError:
    return ProblemError(UNAUTHORIZED, "Missing or invalid bearer token.", headers=CHALLENGE)


def _same_secret(given: str, expected: str) -> bool:
    """Constant-time comparison (of digests, so the length of the secret does not leak either)."""
    return hmac.compare_digest(
        hashlib.sha256(given.encode()).digest(), hashlib.sha256(expected.encode()).digest()
    )


class AuthMiddleware(ASGIMiddleware):
    """Authenticates and rate-limits every route according to its ``opt["auth"]``."""

    scopes = (ScopeType.HTTP,)

    def __init__(
        self, tenants: TenantService, limiter: InboundLimiter, metrics: Metrics, admin_token: str | None
    ) -> None:
        self.tenants = tenants
        self.limiter = limiter
        self.metrics = metrics
        self.admin_token = admin_token

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        mode = scope["route_handler"].opt.get(AUTH_OPT, "tenant")
        if mode == "public":
            await next_app(scope, receive, send)
            return
        token = bearer_token(scope)
        if token is not None:
            register_secret(token)
        if mode == "admin":
            if token is None or self.admin_token is None or not _same_secret(token, self.admin_token):
                raise _unauthorized()
            await next_app(scope, receive, send)
            return
        owner = await self.tenants.identify(token) if token else None
        admission = await self.limiter.admit(owner.tenant_id, owner.key_id) if owner else None
        if owner is None or admission is None:
            raise _unauthorized()
        bind_tenant(owner.tenant_id)
        headers = admission.headers()
        if not admission.admitted:
            self.metrics.rate_limited.inc()
            raise ProblemError(
                RATE_LIMITED,
                f"The tenant's quota ({admission.burst} requests, refilled at {admission.rate:g}/s) "
                f"is used up; retry after {headers['Retry-After']} s.",
                headers=headers,
            )
        scope["user"] = Principal(owner.tenant_id, owner.key_id)

        async def send_with_quota(message: Message) -> None:
            if message["type"] == "http.response.start":
                response_headers = MutableScopeHeaders.from_message(message)
                for name, value in headers.items():
                    response_headers[name] = value
            await send(message)

        await next_app(scope, receive, send_with_quota)
