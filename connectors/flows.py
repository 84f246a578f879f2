"""The contract of a multi-step connector operation (a *flow*): its steps and the response made from their
results. The gateway's step runner (:mod:`gateway.operations.runner`) executes a flow, recording each step's
result before the next one starts, and resumes it after a crash; nothing here touches storage.

A step's ``perform`` makes its upstream call(s) and returns a JSON-able result (``upstream_id`` by
convention names what it created). A step that writes upstream has a ``lookup``: after a call whose outcome
is unknown (a time-out, a 504, a crash mid-call) the runner asks it whether the write happened — it returns
the result the write would have produced, or ``None`` — before anything is sent again. Steps without a
``lookup`` must be safe to repeat (reads, or writes that converge).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from schemas.problem import FieldError

from .lexoffice.client import LexofficeClient

StepResult = dict[str, Any]
Results = Mapping[str, StepResult]
"""The results of the steps done so far, by step name."""
In = TypeVar("In")


@dataclass(frozen=True)
class Step:
    """One step: its name (unique in the flow), its upstream call(s), and how to find its write upstream."""

    name: str
    perform: Callable[[], Awaitable[StepResult]]
    lookup: Callable[[], Awaitable[StepResult | None]] | None = None


@dataclass(frozen=True)
class FlowResponse:
    """What the client gets when the flow has succeeded: status, a JSON-able body, headers."""

    status: int
    content: Any
    headers: dict[str, str] = field(default_factory=dict)
    location: str | None = None
    """The path of the created or changed resource (also sent as ``Location``)."""


class AmbiguousResult(Exception):
    """A lookup found more than one upstream record that could be the step's write: nothing is re-sent, the
    step fails and names them."""

    def __init__(self, message: str, candidates: list[str]) -> None:
        super().__init__(f"{message}: {', '.join(candidates)}")
        self.candidates = candidates


class InvalidInput(Exception):
    """The request cannot be carried out as given (found out only upstream, e.g. a line index the invoice
    does not have): the operation fails with a ``422`` naming the fields; nothing further is sent."""

    def __init__(self, message: str, errors: list[FieldError]) -> None:
        super().__init__(message)
        self.errors = errors


class Flow(Protocol[In]):
    """A multi-step operation of one connector."""

    kind: str
    """The operation kind (``voucher_with_receipts``, ...), stored with the operation."""

    def decode(self, data: bytes) -> In:
        """The flow's input from its stored JSON (what :meth:`encode` wrote)."""
        ...

    def encode(self, data: In) -> bytes:
        """The flow's input as JSON, stored with the operation so another process can resume it."""
        ...

    def steps(self, lex: LexofficeClient, data: In, results: Results) -> list[Step]:
        """The steps, in order; ``results`` is the live map of the results so far (read it when a step
        runs, not when the list is built)."""
        ...

    def response(self, data: In, results: Results) -> FlowResponse:
        """The success response, made from the steps' results only (no upstream call)."""
        ...
