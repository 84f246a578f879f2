"""``/v1/operations``: the tenant's multi-step operations (voucher with receipts, invoice with PDF, credit
note from an invoice, contact upsert, every document create): their steps, and resuming a failed one."""

from __future__ import annotations

from typing import Annotated

from litestar import Response, Router, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, Parameter

from schemas.operations import Operation

from ..auth import Principal
from ..operations import Operations
from ..operations.requests import OPERATION_OPT
from ..problems import problem_responses

OperationId = Annotated[str, Parameter(description="The operation's id (`op_...`).", max_length=100)]


@get("/{operation_id:str}", responses=problem_responses(401, 404, 429), summary="Get an operation")
async def get_operation(
    operation_id: FromPath[OperationId],
    principal: NamedDependency[Principal],
    operations: NamedDependency[Operations],
) -> Operation:
    """The operation's status and steps: what each did upstream (ids), which one failed and why, and
    whether a retry resumes it. Finished operations are kept 24 h."""
    return await operations.get(principal.tenant_id, operation_id)


@post(
    "/{operation_id:str}/resume",
    opt=OPERATION_OPT,
    responses=problem_responses(401, 404, 409, 422, 429, 502, 503, 504),
    summary="Resume an operation",
)
async def resume_operation(
    operation_id: FromPath[OperationId],
    principal: NamedDependency[Principal],
    operations: NamedDependency[Operations],
) -> Response[bytes]:
    """Continue a failed (resumable) operation, or an orphaned one, from its first unfinished step; answers
    like the original request would have (its final response, or ``202`` while it runs on). A finished
    operation answers its stored response again."""
    return await operations.resume(principal.tenant_id, operation_id)


router = Router(
    "/v1/operations",
    route_handlers=[get_operation, resume_operation],
    tags=["operations"],
    security=[{"ApiKey": []}],
)
