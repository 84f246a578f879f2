"""``UpstreamClient``: the one way any connector (and the passthrough) talks to an upstream API.

Every call is authenticated with its :class:`UpstreamCredential`, waits for its pacing slot (Redis GCRA,
shared by all gateway processes), is sent over one pooled ``httpx.AsyncClient``, retried according to
:mod:`connectors.retry` within the caller's deadline, and logged as one structured line per attempt
(``upstream.call``: connector, method, path template, status, attempt, wait, duration, verdict — never
the credential). Error answers become :mod:`connectors.errors` types through the connector's error parser.
"""

from __future__ import annotations

import asyncio
import random
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

import httpx
import structlog

from .errors import ConnectorError, OutcomeUnknown, UpstreamUnavailable
from .pacer import Pacer, fingerprint
from .retry import Deadline, Failure, RetryPolicy, Verdict, classify

ErrorParser = Callable[[httpx.Response], ConnectorError]
"""Turns an upstream error answer into a connector error (one per connector)."""

IdempotencyRule = Callable[[str, Any], bool]
"""Whether a call (method, JSON body) may be re-sent after it possibly reached the upstream."""

log = structlog.get_logger("ledgerbridge.upstream")

_ID_SEGMENT = re.compile(r"(?<=/)(?:[0-9a-fA-F]{8}-[0-9a-fA-F-]{27}|[0-9a-fA-F]{24,}|\d+)(?=/|$)")


def template_of(path: str) -> str:
    """A path with its id segments (UUIDs, long hex, numbers) replaced by ``{id}``, for logs and metrics."""
    return _ID_SEGMENT.sub("{id}", path)


@dataclass(frozen=True)
class UpstreamCredential:
    """An API key and its pacing (``pacer_id`` names its schedule, ``interval``/``burst`` shape it)."""

    secret: str = field(repr=False)
    pacer_id: str
    interval: float
    burst: int = 1

    @classmethod
    def create(cls, namespace: str, secret: str, *, interval: float, burst: int = 1) -> UpstreamCredential:
        """A credential whose ``pacer_id`` is the fingerprint of ``secret`` within ``namespace``."""
        return cls(secret, fingerprint(namespace, secret), interval, burst)

    def auth_headers(self) -> dict[str, str]:
        """The headers that authenticate a request."""
        return {"Authorization": f"Bearer {self.secret}"}


@dataclass(frozen=True)
class TrafficProfile:
    """What the client needs to know about one upstream (the connector's defaults)."""

    name: str
    base_url: str
    parse_error: ErrorParser
    is_idempotent: IdempotencyRule
    penalty: float = 1.0  # schedule push after a 429 that carries no Retry-After
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    timeout: httpx.Timeout = field(default_factory=lambda: httpx.Timeout(30.0, connect=5.0))
    limits: httpx.Limits = field(default_factory=lambda: httpx.Limits(max_connections=100))
    deadline: float = 60.0  # default deadline of a call, seconds
    send_allowance: float = 1.0  # a slot later than deadline - allowance fails fast: the call needs time too


def _failure(exc: httpx.TransportError) -> Failure:
    not_sent = isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)
    return Failure.NOT_SENT if not_sent else Failure.MAYBE_SENT


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After", "")
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


_UNLIMITED = 1_000_000


def _capped(limit: float | None, remaining: float) -> float:
    return remaining if limit is None else min(limit, remaining)


class UpstreamClient:
    """Paced, retrying, logging HTTP client for one upstream (one pooled connection pool per instance)."""

    def __init__(
        self,
        profile: TrafficProfile,
        pacer: Pacer,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        event_hooks: Mapping[str, list[Callable[..., Any]]] | None = None,
    ) -> None:
        self.profile = profile
        self.pacer = pacer
        self._rng = random.Random()
        # httpcore's pool slows down sharply with a long queue of waiting requests (measured: 2000 queued
        # requests ran 5-7x slower); callers queue here instead, in FIFO order, one per pooled connection.
        self._connections = asyncio.Semaphore(profile.limits.max_connections or _UNLIMITED)
        self._http = httpx.AsyncClient(
            base_url=profile.base_url,
            timeout=profile.timeout,
            limits=profile.limits,
            transport=transport,
            event_hooks=event_hooks,
            headers={"Accept": "application/json", "User-Agent": "LedgerBridge"},
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> UpstreamClient:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def request(
        self,
        credential: UpstreamCredential,
        method: str,
        path: str,
        *,
        path_template: str | None = None,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        content: bytes | None = None,
        files: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        deadline: Deadline | None = None,
        idempotent: bool | None = None,
    ) -> httpx.Response:
        """Send one logical call; returns the first 2xx/3xx answer or raises a connector error.

        ``idempotent`` overrides the connector's rule (e.g. a POST known to be safe to repeat). File parts
        should be bytes so that a retry can send them again.
        """
        method = method.upper()
        template = path_template or template_of(path)
        deadline = deadline or Deadline.after(self.profile.deadline)
        if idempotent is None:
            idempotent = self.profile.is_idempotent(method, json)
        request = self._http.build_request(
            method,
            path,
            params=params,
            json=json,
            content=content,
            files=files,
            headers={**(headers or {}), **credential.auth_headers()},
        )
        policy = self.profile.retry
        attempt = 0
        while True:
            attempt += 1
            reservation = await self.pacer.reserve(
                credential.pacer_id,
                credential.interval,
                credential.burst,
                max_wait=deadline.remaining() - self.profile.send_allowance,
            )
            await asyncio.sleep(reservation.wait)
            started = time.monotonic()
            response, failure = await self._send(request, deadline)
            status = None if response is None else response.status_code
            verdict = classify(status, failure, idempotent)
            (log.info if verdict is Verdict.DONE else log.warning)(
                "upstream.call",
                connector=self.profile.name,
                method=method,
                path=template,
                status=status,
                failure=failure.value if failure else None,
                attempt=attempt,
                wait=round(reservation.wait, 4),
                duration=round(time.monotonic() - started, 4),
                verdict=verdict.value,
            )
            if verdict is Verdict.DONE and response is not None:
                return response
            error = self._error(verdict, method, path, template, response)
            if verdict in (Verdict.FAIL, Verdict.OUTCOME_UNKNOWN) or not policy.may_retry(attempt):
                raise error
            if verdict is Verdict.RATE_LIMITED:
                await self.pacer.penalize(credential.pacer_id, error.retry_after or self.profile.penalty)
                continue
            delay = policy.backoff(attempt, self._rng)
            if delay >= deadline.remaining() - self.profile.send_allowance:
                raise error
            await asyncio.sleep(delay)

    async def _send(
        self, request: httpx.Request, deadline: Deadline
    ) -> tuple[httpx.Response | None, Failure | None]:
        """One attempt, with time-outs capped by what is left of the deadline."""
        limits = self.profile.timeout
        try:
            async with asyncio.timeout(_capped(limits.pool, deadline.remaining())):
                await self._connections.acquire()
        except TimeoutError:
            return None, Failure.NOT_SENT
        try:
            remaining = max(deadline.remaining(), 0.001)
            request.extensions["timeout"] = httpx.Timeout(
                connect=_capped(limits.connect, remaining),
                read=_capped(limits.read, remaining),
                write=_capped(limits.write, remaining),
                pool=_capped(limits.pool, remaining),
            ).as_dict()
            return await self._http.send(request), None
        except httpx.TransportError as exc:
            return None, _failure(exc)
        finally:
            self._connections.release()

    def _error(
        self, verdict: Verdict, method: str, path: str, template: str, response: httpx.Response | None
    ) -> ConnectorError:
        """The error to raise if this attempt is the last."""
        if response is None:
            if verdict is Verdict.OUTCOME_UNKNOWN:
                return OutcomeUnknown(method, path)
            return UpstreamUnavailable(f"{method} {template}: no answer from {self.profile.name}")
        error = self.profile.parse_error(response)
        if verdict is Verdict.OUTCOME_UNKNOWN:
            return OutcomeUnknown(
                method, path, status=response.status_code, upstream_body=error.upstream_body
            )
        if verdict is Verdict.RATE_LIMITED and error.retry_after is None:
            error.retry_after = _retry_after(response) or self.profile.penalty
        return error
