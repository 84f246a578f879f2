"""Operations: one client call that takes several upstream calls (create a voucher and attach its receipts,
create and render an invoice, ...), run step by step with each step's result recorded before the next.

``GET /v1/operations/{id}`` shows an operation's steps, their status and the upstream ids they produced.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

import msgspec

from .problem import Problem

StepStatus = Literal["pending", "running", "done", "failed"]
OperationStatus = Literal["running", "succeeded", "failed"]


class StepError(msgspec.Struct, kw_only=True):
    """Why a step failed: the problem the client was (or would be) answered with."""

    status: int
    type: str
    detail: str


class OperationStep(msgspec.Struct, kw_only=True):
    """One step of an operation."""

    name: str
    """``create_voucher``, ``upload_receipt_1``, ``render_pdf``, ..."""
    status: StepStatus
    """``running`` after a crash or an unconfirmed call: the next run looks the result up upstream first."""
    attempts: int = 0
    upstream_id: str | None = None
    """The id of what the step created or found upstream (a voucher, a file, ...)."""
    note: str | None = None
    """E.g. that the result was found upstream after a call whose outcome was unknown."""
    error: StepError | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    result: dict[str, Any] = msgspec.field(default_factory=dict)
    """What later steps and the response need from this step (upstream ids, a file name, ...)."""


class Operation(msgspec.Struct, kw_only=True):
    """A multi-step operation and how far it got."""

    id: str
    """``op_...``; derived from the ``Idempotency-Key`` when the request had one."""
    kind: str
    """``voucher_with_receipts``, ``finalized_invoice_with_pdf``, ``credit_note_from_invoice``,
    ``contact_upsert``."""
    status: OperationStatus
    account_id: str
    steps: list[OperationStep]
    resumable: bool = False
    """A failed operation that a retry (same ``Idempotency-Key``, or ``POST /v1/operations/{id}/resume``)
    continues from the failed step."""
    error: StepError | None = None
    """Why the operation failed (the failed step's error)."""
    failed_step: str | None = None
    result_url: str | None = None
    """Where the created or changed resource lives (once succeeded)."""
    created_at: datetime
    updated_at: datetime


class OperationProblem(Problem, frozen=True, kw_only=True):
    """The problem of a failed operation: which step failed, what the steps did, whether a retry resumes."""

    operation_id: str
    failed_step: str
    resumable: bool
    steps: list[OperationStep] = msgspec.field(default_factory=list)
