"""``Idempotency-Key`` on every tenant ``POST`` and ``PATCH``: a repeat returns the first request's response.

The first request with a key claims a record in Redis (scoped to the tenant and the ``X-Account-Id``) holding
the request's fingerprint (method, path with query, account, SHA-256 of the body); its final response
(status, headers, body) is stored there for 24 h. A repeat with the same fingerprint gets that response again,
marked ``Idempotent-Replayed: true``; with another fingerprint ``422 idempotency-key-reused``; while the
first is still running ``409 idempotency-request-in-progress``.

Responses that mean "nothing was performed, try again" (``429`` limits, ``502`` upstream failed, ``503``
upstream or storage unavailable) are not kept: the key is released and a retry runs the request anew. A
``504 outcome-unknown`` is kept (re-running could create a second
document). A running record expires after :data:`LEASE_SECONDS`, so a process that
dies mid-request does not block the key for a day; the retry then runs the request again.

Routes that run as operations (:mod:`gateway.operations`) are left alone: the operation record is their
idempotency record, with the same rules, and a retry resumes the operation after its last finished step.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from pathlib import Path
from typing import cast

from litestar.datastructures import Headers, MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, HTTPScope, Message, Receive, ReceiveMessage, Scope, Send
from redis.asyncio import Redis

from schemas.problem import FieldError

from . import keys
from .auth import Principal
from .problems import BAD_REQUEST, ProblemError, ProblemType

HEADER = "idempotency-key"
REPLAYED_HEADER = "Idempotent-Replayed"
METHODS = frozenset({"POST", "PATCH"})
OPERATION_ROUTE_OPT = "operation"
"""Route ``opt`` key of the routes that run as operations (they keep their own idempotency records)."""
RETENTION_SECONDS = 24 * 3600
LEASE_SECONDS = 300
MAX_KEY_LENGTH = 255
NOT_KEPT = frozenset({429, 502, 503})
"""Statuses after which the key is released instead of stored (the request may simply be retried)."""
_HOP_BY_HOP = frozenset({"content-length", "ratelimit", "ratelimit-policy", "retry-after", "x-request-id"})
SCRIPT = Path(__file__).with_name("idempotency.lua").read_text()

KEY_REUSED = ProblemType("idempotency-key-reused", "Idempotency key reused", 422)
IN_PROGRESS = ProblemType("idempotency-request-in-progress", "Request in progress", 409)


def valid_key(value: str) -> str:
    """``value`` if it is a valid ``Idempotency-Key``, else a ``400`` naming the header."""
    if not 1 <= len(value) <= MAX_KEY_LENGTH or not value.isascii() or not value.isprintable():
        raise ProblemError(
            BAD_REQUEST,
            "The Idempotency-Key header is not a valid key.",
            errors=[
                FieldError("Idempotency-Key", f"must be 1 to {MAX_KEY_LENGTH} printable ASCII characters")
            ],
        )
    return value


async def _read_body(receive: Receive, limit: int) -> tuple[list[ReceiveMessage], bytes | None]:
    """The request's body messages, and the body itself unless it exceeds ``limit`` bytes."""
    messages: list[ReceiveMessage] = []
    size = 0
    chunks: list[bytes] = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            return messages, None
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return messages, None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return messages, b"".join(chunks)


def request_fingerprint(method: str, target: str, account: str, body: bytes) -> str:
    """What makes two requests "the same": method, path with query, account and the body's SHA-256."""
    digest = hashlib.sha256(body).hexdigest()
    return hashlib.sha256(f"{method}\0{target}\0{account}\0{digest}".encode()).hexdigest()


def _replaying(messages: list[ReceiveMessage], receive: Receive) -> Receive:
    """A ``receive`` that hands out the already read ``messages`` first."""
    pending = list(messages)

    async def replay() -> ReceiveMessage:
        return pending.pop(0) if pending else await receive()

    return replay


class IdempotencyMiddleware(ASGIMiddleware):
    """Stores and replays the responses of tenant ``POST``/``PATCH`` requests with an ``Idempotency-Key``."""

    scopes = (ScopeType.HTTP,)

    def __init__(self, redis: Redis, max_body_bytes: int) -> None:
        self.max_body_bytes = max_body_bytes
        self._script = redis.register_script(SCRIPT)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        method = cast(HTTPScope, scope)["method"]
        principal = scope.get("user")
        headers = Headers.from_scope(scope) if method in METHODS else None
        given = headers.get(HEADER) if headers is not None else None
        operation_route = scope["route_handler"].opt.get(OPERATION_ROUTE_OPT, False)
        if headers is None or given is None or not isinstance(principal, Principal) or operation_route:
            await next_app(scope, receive, send)
            return
        key = valid_key(given)
        messages, body = await _read_body(receive, self.max_body_bytes)
        receive = _replaying(messages, receive)
        if body is None:  # too large (Litestar answers 413) or the client went away: nothing to keep
            await next_app(scope, receive, send)
            return
        account = headers.get("x-account-id") or "-"
        record = keys.tenant_idempotency(
            principal.tenant_id, account, hashlib.sha256(key.encode()).hexdigest()
        )
        target = scope["raw_path"] + b"?" + scope.get("query_string", b"")
        fingerprint = request_fingerprint(method, target.decode("latin-1"), account, body)
        owner = secrets.token_hex(16)
        verdict = await self._script(keys=[record], args=["claim", fingerprint, owner, LEASE_SECONDS * 1000])
        state = verdict[0]
        if state == "mismatch":
            raise ProblemError(
                KEY_REUSED,
                "This Idempotency-Key was used for a different request (method, path, account or body); "
                "use a new key for a new request.",
                errors=[FieldError("Idempotency-Key", "already used for a different request")],
            )
        if state == "running":
            raise ProblemError(
                IN_PROGRESS,
                "A request with this Idempotency-Key is still running; retry when it has finished.",
                headers={"Retry-After": "1"},
            )
        if state == "done":
            await self._replay(send, int(verdict[1]), verdict[2], verdict[3])
            return
        await self._run(scope, receive, send, next_app, record, owner)

    async def _run(
        self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp, record: str, owner: str
    ) -> None:
        """Run the request, passing its response on while recording it; then store or release the key."""
        status = 500
        headers: list[tuple[str, str]] = []
        chunks: list[bytes] = []
        complete = False

        async def recording_send(message: Message) -> None:
            nonlocal status, complete
            if message["type"] == "http.response.start":
                status = message["status"]
                headers.extend(
                    (name.decode("latin-1"), value.decode("latin-1"))
                    for name, value in message.get("headers", [])
                    if name.decode("latin-1").lower() not in _HOP_BY_HOP
                )
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                complete = not message.get("more_body", False)
            await send(message)

        try:
            await next_app(scope, receive, recording_send)
        finally:
            if complete and status not in NOT_KEPT:
                body = base64.b64encode(b"".join(chunks)).decode()
                args: list[str | int] = [
                    "finish",
                    owner,
                    status,
                    json.dumps(headers),
                    body,
                    RETENTION_SECONDS * 1000,
                ]
                await self._script(keys=[record], args=args)
            else:
                await self._script(keys=[record], args=["release", owner])

    @staticmethod
    async def _replay(send: Send, status: int, headers_json: str, body_b64: str) -> None:
        body = base64.b64decode(body_b64)
        start: Message = {"type": "http.response.start", "status": status, "headers": []}
        headers = MutableScopeHeaders.from_message(start)
        for name, value in json.loads(headers_json):
            headers.add(name, value)
        headers["content-length"] = str(len(body))
        headers[REPLAYED_HEADER] = "true"
        await send(start)
        await send({"type": "http.response.body", "body": body, "more_body": False})
