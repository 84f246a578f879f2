"""Multi-step operations: the step runner, their Redis records and leases, and the request side."""

from .service import Operations, Submission
from .store import OperationStore

__all__ = ["OperationStore", "Operations", "Submission"]
