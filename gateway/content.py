"""Request bodies must be JSON (415 otherwise), unless a route lists other media types in its ``opt``."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from .problems import UNSUPPORTED_MEDIA_TYPE, ProblemError

BODY_MEDIA_TYPES_OPT = "body_media_types"
_METHODS_WITH_BODY = frozenset({"POST", "PUT", "PATCH"})


def _is_json(media_type: str) -> bool:
    return media_type == "application/json" or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )


def require_json_body(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    """Guard: a request that carries a body must declare a JSON ``Content-Type`` (or one the route allows)."""
    if connection.scope.get("method") not in _METHODS_WITH_BODY:
        return
    headers = connection.headers
    if headers.get("content-length", "0") == "0" and "transfer-encoding" not in headers:
        return
    media_type = headers.get("content-type", "").split(";")[0].strip().lower()
    allowed: list[str] | None = handler.opt.get(BODY_MEDIA_TYPES_OPT)
    if (media_type in allowed) if allowed else _is_json(media_type):
        return
    expected = " or ".join(allowed or ["application/json"])
    got = media_type[:100] or "no Content-Type"
    raise ProblemError(UNSUPPORTED_MEDIA_TYPE, f"Send the body as {expected}; got {got}.")
