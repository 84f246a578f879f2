"""``/v1/passthrough/{path}``: any upstream call the unified model lacks, sent as it is.

The request (method, query, JSON or multipart body) goes to the account's upstream with the account's
credentials through the same paced :class:`~connectors.http.UpstreamClient` as every unified call; the
upstream's status, body and safe headers (``Content-Type``, ``Content-Disposition``; the length follows the
body) come back verbatim. Only relative upstream API paths are accepted (lexoffice's ``v1/...``): an
absolute URL, a ``//``, a ``..`` segment (also percent-encoded, even twice), a backslash or any control
character (CR/LF header injection) is a ``400`` and nothing is sent.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, unquote

from litestar import Request, Response, Router, route
from litestar.enums import HttpMethod
from litestar.params import FromPath

from schemas.problem import FieldError

from ..content import BODY_MEDIA_TYPES_OPT
from ..problems import BAD_REQUEST, ProblemError, problem_responses
from .accounting.deps import DEPENDENCIES, Lexoffice

PREFIX = "/v1/passthrough/"
UPSTREAM_API_PREFIX = "v1/"
FORWARDED_REQUEST_HEADERS = ("content-type", "accept")
RETURNED_HEADERS = ("content-disposition",)
"""Returned besides ``Content-Type`` (the length follows the body; never cookies or auth headers)."""
_DECODING_ROUNDS = 3
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_FORBIDDEN = re.compile(r"//|\\|[\x00-\x1f\x7f]|/\.\.?(/|$)|^/[^/]*:")
"""``//``, a backslash, a control character, a ``.``/``..`` segment, or a scheme (``https:``)."""


def upstream_path(raw_path: str) -> str:
    """The upstream path (``/v1/...``, still percent-encoded as sent) of a passthrough request path.

    Raises a ``400`` problem for anything but a plain relative path below the upstream's API prefix.
    """
    path = "/" + raw_path.removeprefix(PREFIX)
    text = path
    for _ in range(_DECODING_ROUNDS):
        if _FORBIDDEN.search(text):
            raise _rejected("must be a relative upstream path without '//', '..', '\\' or control characters")
        text = unquote(text)
    if "%" in text or not path.startswith("/" + UPSTREAM_API_PREFIX):
        raise _rejected(f"must be an upstream API path starting with {UPSTREAM_API_PREFIX}")
    return path


def upstream_query(raw_query: str) -> list[tuple[str, str]]:
    """The query parameters to forward; control characters (header injection) are a ``400``."""
    params = parse_qsl(raw_query, keep_blank_values=True)
    if any(_CONTROL.search(part) for pair in params for part in pair):
        raise _rejected("must not contain control characters", field="query")
    return params


def _rejected(reason: str, field: str = "path") -> ProblemError:
    return ProblemError(
        BAD_REQUEST, f"Refused passthrough {field}: it {reason}.", errors=[FieldError(field, reason)]
    )


@route(
    "/{path:path}",
    http_method=[HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH, HttpMethod.DELETE],
    status_code=200,
    opt={BODY_MEDIA_TYPES_OPT: ["application/json", "multipart/form-data"]},
    responses=problem_responses(400, 401, 404, 413, 415, 422, 424, 429, 502, 503, 504),
    summary="Call the upstream API directly",
)
async def passthrough(
    request: Request[Any, Any, Any], path: FromPath[str], lexoffice: Lexoffice
) -> Response[bytes]:
    """Forward the request to the account's upstream (paced, authenticated); its answer comes back verbatim.

    ``path`` is the upstream path without its leading slash, e.g. ``v1/profile``.
    """
    target = upstream_path(request.scope["raw_path"].decode("latin-1"))
    params = upstream_query(request.scope.get("query_string", b"").decode("latin-1"))
    body = await request.body()
    headers = {name: request.headers[name] for name in FORWARDED_REQUEST_HEADERS if name in request.headers}
    answer = await lexoffice.forward(
        request.method, target, params=params, content=body or None, headers=headers
    )
    return Response(
        answer.content,
        status_code=answer.status_code,
        headers={name: answer.headers[name] for name in RETURNED_HEADERS if name in answer.headers},
        media_type=answer.headers.get("content-type", "application/octet-stream"),
    )


router = Router(
    PREFIX.rstrip("/"),
    route_handlers=[passthrough],
    dependencies=DEPENDENCIES,
    tags=["passthrough"],
    security=[{"ApiKey": []}],
)
