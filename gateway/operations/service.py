"""Operations: submit a flow, answer with its result (or ``202`` while it runs on), resume and sweep.

* **Ids and retries.** A request with an ``Idempotency-Key`` gets the operation id derived from the tenant,
  account and key, so its retry finds the same operation: finished -> the stored response again
  (``Idempotent-Replayed: true``); running in a live process -> ``202``; unfinished and unowned (its process
  died, or a step failed with a resumable error) -> resumed after the last finished step. The same key with
  another request -> ``422 idempotency-key-reused``.
* **Deadline.** The request waits up to ``operation_wait_seconds`` for the flow; then it is answered ``202``
  with ``Location: /v1/operations/{id}`` and the flow finishes in the background.
* **Leases.** The running process renews the operation's lease every third of ``operation_lease_seconds``;
  each process sweeps every ``operation_sweep_seconds`` for running operations whose lease ran out and
  resumes them. On shutdown a process gives its leases up at once, so another one continues without waiting.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import msgspec
import structlog
from litestar import Response

from connectors.flows import Flow, FlowResponse
from connectors.lexoffice.client import LexofficeClient
from schemas.operations import Operation, OperationProblem, StepError
from schemas.problem import PROBLEM_MEDIA_TYPE

from ..accounts import AccountService, ResolvedAccount
from ..connectors import Connectors
from ..idempotency import KEY_REUSED, REPLAYED_HEADER
from ..problems import NOT_FOUND, ProblemError, as_problem
from .runner import StepFailed, now, run_flow
from .store import Claim, LeaseLost, OperationStore, StoredResponse

log = structlog.get_logger(__name__)

RUN_DEADLINE_SECONDS = 600.0
"""Upper bound of one run's upstream calls (pacing waits included); a run past it fails resumably."""
RETENTION_SECONDS = 24 * 3600
SWEEP_BATCH = 20
JSON = "application/json"
RESUME_HINT = " Retry with the same Idempotency-Key (or POST /v1/operations/{id}/resume) to continue from it."


def operation_url(operation_id: str) -> str:
    return f"/v1/operations/{operation_id}"


def operation_id_for(tenant_id: str, account_id: str, idempotency_key: str | None) -> str:
    """The operation id of a request: derived from its ``Idempotency-Key``, else random."""
    if idempotency_key is None:
        return f"op_{secrets.token_hex(16)}"
    digest = hashlib.sha256(f"{tenant_id}\0{account_id}\0{idempotency_key}".encode()).hexdigest()
    return f"op_{digest[:32]}"


@dataclass(frozen=True)
class Submission:
    """One client request that runs as an operation."""

    tenant_id: str
    account: ResolvedAccount
    flow: Flow[Any]
    data: Any
    fingerprint: str
    """:func:`~gateway.idempotency.request_fingerprint` of the request."""
    idempotency_key: str | None


def _json_response(
    content: Any, status: int, headers: Mapping[str, str], media_type: str = JSON
) -> Response[bytes]:
    return Response(
        content=msgspec.json.encode(content), status_code=status, headers=dict(headers), media_type=media_type
    )


def accepted(operation: Operation) -> Response[bytes]:
    """``202``: the operation runs on; poll its URL."""
    url = operation_url(operation.id)
    return _json_response(operation, 202, {"Location": url, "Retry-After": "1"})


def replayed(stored: StoredResponse, *, replay: bool) -> Response[bytes]:
    """A stored operation response (marked as a replay for a retry)."""
    headers = dict(stored.headers)
    if replay:
        headers[REPLAYED_HEADER] = "true"
    media_type = headers.pop("content-type", JSON)
    return Response(content=stored.body, status_code=stored.status, headers=headers, media_type=media_type)


def _success(operation: Operation, response: FlowResponse) -> StoredResponse:
    headers = {**response.headers, "content-type": JSON}
    if response.location:
        headers["Location"] = response.location
    headers["X-Operation-Id"] = operation.id
    return StoredResponse(
        status=response.status, headers=list(headers.items()), body=msgspec.json.encode(response.content)
    )


def _failure(operation: Operation, failed: StepFailed) -> StoredResponse:
    problem = failed.problem
    body = OperationProblem(
        type=problem.kind.uri,
        title=problem.kind.title,
        status=problem.kind.status,
        detail=f"Step {failed.step!r} failed: {problem.detail}"
        + (RESUME_HINT.format(id=operation.id) if failed.resumable else ""),
        instance=operation_url(operation.id),
        errors=problem.errors,
        upstream=problem.upstream,
        operation_id=operation.id,
        failed_step=failed.step,
        resumable=failed.resumable,
        steps=operation.steps,
    )
    headers = {"content-type": PROBLEM_MEDIA_TYPE, "X-Operation-Id": operation.id}
    if failed.resumable:
        headers["Retry-After"] = problem.headers.get("Retry-After", "1")
    return StoredResponse(
        status=problem.kind.status, headers=list(headers.items()), body=msgspec.json.encode(body)
    )


class Operations:
    """Runs flows as operations for every tenant of this process."""

    def __init__(
        self,
        store: OperationStore,
        accounts: AccountService,
        connectors: Connectors,
        flows: Mapping[str, Flow[Any]],
        *,
        wait_seconds: float,
        sweep_seconds: float,
    ) -> None:
        self.store = store
        self.accounts = accounts
        self.connectors = connectors
        self.flows = flows
        self.wait_seconds = wait_seconds
        self.sweep_seconds = sweep_seconds
        self._running: set[asyncio.Task[StoredResponse | None]] = set()
        self._sweeper: asyncio.Task[None] | None = None

    # --- requests ---

    async def submit(self, submission: Submission) -> Response[bytes]:
        """Run a request's operation (or find it, if a retry) and answer with its outcome."""
        created = now()
        operation = Operation(
            id=operation_id_for(
                submission.tenant_id, submission.account.record.id, submission.idempotency_key
            ),
            kind=submission.flow.kind,
            status="running",
            account_id=submission.account.record.id,
            steps=[],
            created_at=created,
            updated_at=created,
        )
        owner = secrets.token_hex(16)
        claim = await self.store.claim(
            submission.tenant_id,
            operation,
            submission.fingerprint,
            owner,
            submission.flow.encode(submission.data),
        )
        if claim.verdict == "mismatch":
            raise ProblemError(
                KEY_REUSED,
                "This Idempotency-Key was used for a different request (method, path, account or body); "
                "use a new key for a new request.",
            )
        if claim.verdict == "resumed" and claim.operation is not None:
            operation = claim.operation
        return await self._answer(
            submission.tenant_id, submission.account, operation, owner, claim, submission.data
        )

    async def resume(self, tenant_id: str, operation_id: str) -> Response[bytes]:
        """``POST /v1/operations/{id}/resume``: continue a failed (resumable) or orphaned operation."""
        owner = secrets.token_hex(16)
        claim = await self.store.takeover(tenant_id, operation_id, owner, failed_too=True)
        if claim.verdict == "gone":
            raise ProblemError(NOT_FOUND, f"There is no operation {operation_id}.")
        if claim.verdict == "busy":
            current = await self.store.load(tenant_id, operation_id)
            claim = Claim("busy", operation=current)
        operation = claim.operation
        if claim.ours and operation is not None:
            account = await self.accounts.resolve(tenant_id, operation.account_id)
            data = self.flows[operation.kind].decode(claim.input or b"")
            return await self._answer(tenant_id, account, operation, owner, claim, data)
        return await self._answer(tenant_id, None, operation, owner, claim, None)

    async def get(self, tenant_id: str, operation_id: str) -> Operation:
        """The operation (``404`` for an unknown id or another tenant's)."""
        operation = await self.store.load(tenant_id, operation_id)
        if operation is None:
            raise ProblemError(NOT_FOUND, f"There is no operation {operation_id}.")
        return operation

    async def _answer(
        self,
        tenant_id: str,
        account: ResolvedAccount | None,
        operation: Operation | None,
        owner: str,
        claim: Claim,
        data: Any,
    ) -> Response[bytes]:
        if claim.response is not None:
            return replayed(claim.response, replay=True)
        if not claim.ours or account is None or operation is None:
            if operation is None:
                raise ProblemError(NOT_FOUND, "The operation is gone.")
            return accepted(operation)
        task = self._start(tenant_id, account, operation, owner, data)
        done, _ = await asyncio.wait({task}, timeout=self.wait_seconds)
        stored = task.result() if done else None
        if stored is None:  # still running here, or taken over by another process
            return accepted(await self.store.load(tenant_id, operation.id) or operation)
        return replayed(stored, replay=False)

    # --- running ---

    def _start(
        self, tenant_id: str, account: ResolvedAccount, operation: Operation, owner: str, data: Any
    ) -> asyncio.Task[StoredResponse | None]:
        flow = self.flows[operation.kind]
        lex = self.connectors.lexoffice(account, deadline=RUN_DEADLINE_SECONDS)
        task = asyncio.create_task(self._drive(tenant_id, flow, lex, operation, owner, data))
        self._running.add(task)
        task.add_done_callback(self._running.discard)
        return task

    async def _drive(
        self,
        tenant_id: str,
        flow: Flow[Any],
        lex: LexofficeClient,
        operation: Operation,
        owner: str,
        data: Any,
    ) -> StoredResponse | None:
        """Run the flow to its end under the lease; the final response, or ``None`` if the lease was lost."""
        heartbeat = asyncio.create_task(self._heartbeat(tenant_id, operation, owner))

        async def persist(state: Operation) -> None:
            await self.store.save(tenant_id, state, owner)

        try:
            try:
                response = await run_flow(flow, lex, data, operation, persist)
            except StepFailed as failed:
                operation.status, operation.failed_step = "failed", failed.step
                operation.resumable, operation.updated_at = failed.resumable, now()
                operation.error = next((s.error for s in operation.steps if s.name == failed.step), None)
                stored = _failure(operation, failed)
                if failed.resumable:
                    await self.store.release(tenant_id, operation, owner, failed=True)
                else:
                    await self.store.finish(tenant_id, operation, owner, stored)
                return stored
            operation.status, operation.resumable, operation.failed_step, operation.error = (
                "succeeded",
                False,
                None,
                None,
            )
            operation.result_url, operation.updated_at = response.location, now()
            stored = _success(operation, response)
            await self.store.finish(tenant_id, operation, owner, stored)
            return stored
        except LeaseLost:
            log.warning("operation_lease_lost", operation_id=operation.id)
            return None
        except asyncio.CancelledError:  # shutdown: another process continues at once
            with contextlib.suppress(Exception):
                await asyncio.shield(self.store.release(tenant_id, operation, owner, failed=False))
            raise
        except Exception as exc:  # storage failed mid-run: the lease runs out and the sweeper resumes it
            log.error("operation_run_failed", operation_id=operation.id, error=type(exc).__name__)
            problem = as_problem(exc)
            operation.error = StepError(
                status=problem.kind.status, type=problem.kind.uri, detail=problem.detail
            )
            return _failure(operation, StepFailed("storage", problem, resumable=True))
        finally:
            heartbeat.cancel()

    async def _heartbeat(self, tenant_id: str, operation: Operation, owner: str) -> None:
        interval = self.store.lease_ms / 3000
        with contextlib.suppress(LeaseLost):
            while True:
                await asyncio.sleep(interval)
                await self.store.save(tenant_id, operation, owner)

    # --- background ---

    async def sweep(self) -> int:
        """Resume the running operations whose lease ran out; how many this process took over."""
        taken = 0
        for tenant_id, operation_id in await self.store.due(SWEEP_BATCH):
            owner = secrets.token_hex(16)
            claim = await self.store.takeover(tenant_id, operation_id, owner, failed_too=False)
            if not claim.ours or claim.operation is None:
                continue
            operation = claim.operation
            try:
                account = await self.accounts.resolve(tenant_id, operation.account_id)
            except ProblemError:  # the account was deleted: nothing can run it any more
                operation.status, operation.updated_at = "failed", now()
                failed = StepFailed(
                    "account", ProblemError(NOT_FOUND, "The account no longer exists."), resumable=False
                )
                await self.store.finish(tenant_id, operation, owner, _failure(operation, failed))
                continue
            self._start(
                tenant_id, account, operation, owner, self.flows[operation.kind].decode(claim.input or b"")
            )
            taken += 1
            log.info("operation_taken_over", operation_id=operation_id)
        return taken

    async def _sweep_forever(self) -> None:
        while True:
            try:
                await self.sweep()
            except Exception as exc:  # Redis unreachable for a moment: try again next round
                log.warning("operation_sweep_failed", error=type(exc).__name__)
            await asyncio.sleep(self.sweep_seconds)

    async def start(self) -> None:
        """Start sweeping (app startup)."""
        self._sweeper = asyncio.create_task(self._sweep_forever())

    async def stop(self) -> None:
        """Stop sweeping and give up the leases of the operations still running here (app shutdown)."""
        tasks = [t for t in (self._sweeper, *self._running) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
