"""Operational endpoints: liveness, readiness, Prometheus metrics (no authentication)."""

from __future__ import annotations

from typing import Any

from litestar import Response, get
from litestar.di import NamedDependency
from redis.exceptions import RedisError

from ..auth import PUBLIC
from ..metrics import CONTENT_TYPE
from ..problems import NOT_READY, ProblemError, problem_responses
from ..services import Services


@get("/healthz", opt=PUBLIC, tags=["operations"], sync_to_thread=False)
def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@get("/readyz", opt=PUBLIC, tags=["operations"], responses=problem_responses(503))
async def readyz(services: NamedDependency[Services]) -> dict[str, str]:
    """Ready to serve: Redis answers PING."""
    try:
        await services.store.ping()
    except RedisError as exc:
        raise ProblemError(NOT_READY, f"Redis does not answer ({type(exc).__name__}).") from None
    return {"status": "ready"}


@get("/metrics", opt=PUBLIC, tags=["operations"], media_type=CONTENT_TYPE, sync_to_thread=False)
def metrics(services: NamedDependency[Services]) -> Response[Any]:
    """Prometheus metrics (text exposition format)."""
    return Response(services.metrics.render(), media_type=CONTENT_TYPE)


ROUTES = [healthz, readyz, metrics]
