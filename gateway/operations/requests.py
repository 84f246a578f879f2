"""The request side of an operation route: its ``Idempotency-Key`` and fingerprint, then
:meth:`~gateway.operations.Operations.submit`, bound to the request by :class:`OperationSubmitter`.

Operation routes carry :data:`OPERATION_OPT`; the idempotency middleware leaves them alone, since the
operation record itself is their idempotency record (it resumes where a plain record could only replay).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Request, Response

from connectors.flows import Flow

from ..accounts import ResolvedAccount
from ..auth import Principal
from ..idempotency import HEADER, OPERATION_ROUTE_OPT, request_fingerprint, valid_key
from .service import Operations, Submission

OPERATION_OPT: dict[str, Any] = {OPERATION_ROUTE_OPT: True}
"""Route ``opt`` of a route that runs as an operation."""


@dataclass(frozen=True)
class OperationSubmitter:
    """Submits operations for one request: its tenant, account, ``Idempotency-Key`` and fingerprint."""

    request: Request[Any, Any, Any]
    principal: Principal
    account: ResolvedAccount
    operations: Operations

    async def __call__(self, flow: Flow[Any], data: Any, content: bytes | None = None) -> Response[Any]:
        """Run ``data`` through ``flow`` as an operation of the request's tenant and account; ``content``
        is what identifies the request besides method, path and account (default: its body as sent)."""
        request = self.request
        given = request.headers.get(HEADER)
        key = None if given is None else valid_key(given)
        target = request.scope["raw_path"] + b"?" + request.scope.get("query_string", b"")
        fingerprint = request_fingerprint(
            request.method,
            target.decode("latin-1"),
            self.account.record.id,
            await request.body() if content is None else content,
        )
        return await self.operations.submit(
            Submission(
                tenant_id=self.principal.tenant_id,
                account=self.account,
                flow=flow,
                data=data,
                fingerprint=fingerprint,
                idempotency_key=key,
            )
        )
