"""The step runner: executes a flow's steps in order, recording each step in Redis before the next starts.

A step is saved as ``running`` (attempt counted) before its upstream call and as ``done`` with its result
after it, so a run that resumes an operation knows exactly where the last one stopped:

* ``done`` steps are skipped; their recorded results feed the later steps and the response;
* a step left ``running`` (the process died mid-call) or ``failed`` after an unconfirmed write is first
  looked up upstream (:attr:`connectors.flows.Step.lookup`); only if its write is not there is it sent again;
* an :class:`~connectors.errors.OutcomeUnknown` (a time-out or 504 on a write) is looked up at once, and the
  write re-sent only when the lookup shows it did not happen (at most :data:`MAX_ATTEMPTS` sends per run).

A failing step raises :class:`StepFailed` with the problem the client gets; it is *resumable* when nothing
was refused (the upstream was unavailable, rate limited, did not confirm a write): a retry continues there.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import structlog

from connectors.errors import OutcomeUnknown
from connectors.flows import AmbiguousResult, Flow, FlowResponse, InvalidInput, Step, StepResult
from connectors.lexoffice.client import LexofficeClient
from schemas.operations import Operation, OperationStep, StepError

from ..problems import (
    INTERNAL_ERROR,
    OUTCOME_UNKNOWN,
    VALIDATION,
    VERSION_CONFLICT,
    ProblemError,
    ProblemType,
    as_problem,
)
from .store import LeaseLost

log = structlog.get_logger(__name__)

MAX_ATTEMPTS = 3
"""Sends of one step per run when each outcome was unknown and the lookup found nothing."""
RESUMABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
"""Problem statuses after which a retry may succeed (nothing was refused)."""
AMBIGUOUS = ProblemType("ambiguous-upstream-result", "Ambiguous upstream result", 409)
FOUND_NOTE = "found upstream: the earlier attempt's write had been performed"

Persist = Callable[[Operation], Awaitable[None]]


class StepFailed(Exception):
    """Step ``step`` failed with ``problem``; ``resumable``: a retry continues from this step."""

    def __init__(self, step: str, problem: ProblemError, *, resumable: bool) -> None:
        super().__init__(f"{step}: {problem.detail}")
        self.step = step
        self.problem = problem
        self.resumable = resumable


def now() -> datetime:
    return datetime.now(UTC)


def step_states(names: list[str]) -> list[OperationStep]:
    """The pending steps of a new operation."""
    return [OperationStep(name=name, status="pending") for name in names]


def _done(state: OperationStep, result: StepResult, note: str | None = None) -> None:
    state.status = "done"
    state.result = result
    state.upstream_id = result.get("upstream_id")
    state.note = note
    state.error = None
    state.finished_at = now()


async def run_flow(
    flow: Flow[Any], lex: LexofficeClient, data: Any, operation: Operation, persist: Persist
) -> FlowResponse:
    """Run (or resume) ``operation``'s steps; its state is persisted after every change."""
    results = {state.name: state.result for state in operation.steps if state.status == "done"}
    steps = flow.steps(lex, data, results)
    known = {state.name: state for state in operation.steps}
    operation.steps = [
        known.get(step.name) or OperationStep(name=step.name, status="pending") for step in steps
    ]
    for step, state in zip(steps, operation.steps, strict=True):
        if state.status != "done":
            await _run_step(step, state, operation, persist)
            results[step.name] = state.result
    return flow.response(data, results)


async def _run_step(step: Step, state: OperationStep, operation: Operation, persist: Persist) -> None:
    try:
        if _maybe_written(state) and step.lookup is not None and (found := await step.lookup()) is not None:
            _done(state, found, FOUND_NOTE)
            await persist(operation)
            return
        for attempt in range(1, MAX_ATTEMPTS + 1):
            state.status, state.attempts, state.started_at = "running", state.attempts + 1, now()
            operation.updated_at = state.started_at
            await persist(operation)
            try:
                _done(state, await step.perform())
                break
            except OutcomeUnknown:
                if step.lookup is None:
                    raise
                if (found := await step.lookup()) is not None:
                    _done(state, found, FOUND_NOTE)
                    break
                if attempt == MAX_ATTEMPTS:
                    raise
    except LeaseLost:
        raise
    except AmbiguousResult as exc:
        _fail(state, ProblemError(AMBIGUOUS, f"{exc}; resolve it in the accounting system"), False)
    except InvalidInput as exc:
        _fail(state, ProblemError(VALIDATION, str(exc), errors=exc.errors), False)
    except Exception as exc:  # every failure of a step is recorded and reported, never swallowed
        problem = as_problem(exc)
        if problem.kind is INTERNAL_ERROR:
            log.error("operation_step_crashed", step=step.name, operation_id=operation.id, exc_info=exc)
        _fail(state, problem, problem.kind.status in RESUMABLE_STATUSES or problem.kind is VERSION_CONFLICT)
    operation.updated_at = now()
    await persist(operation)  # a failed step is recorded by whoever handles StepFailed


def _maybe_written(state: OperationStep) -> bool:
    """Whether an earlier attempt may have written: it never ended (a crash) or its outcome was unknown."""
    return state.attempts > 0 and (
        state.status == "running"
        or (state.error is not None and state.error.status == OUTCOME_UNKNOWN.status)
    )


def _fail(state: OperationStep, problem: ProblemError, resumable: bool) -> None:
    state.status = "failed"
    state.error = StepError(status=problem.kind.status, type=problem.kind.uri, detail=problem.detail)
    state.finished_at = now()
    if problem.kind is OUTCOME_UNKNOWN:
        state.note = "the upstream did not confirm the write and the lookup did not find it"
    raise StepFailed(state.name, problem, resumable=resumable)
