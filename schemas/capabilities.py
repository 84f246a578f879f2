"""What each connector can do: ``GET /v1/capabilities``."""

from __future__ import annotations

import msgspec


class OperationSupport(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """One operation on one resource."""

    operation: str
    """``list``, ``get``, ``create``, ``update``, ``delete``, ``download``, ``upload`` or ``action``."""
    supported: bool
    note: str | None = None
    """Why it is not supported and what to do instead, or a limitation of a supported operation."""


class ResourceCapabilities(msgspec.Struct, frozen=True, kw_only=True):
    """The operations of one resource (its path under ``/v1/accounting``)."""

    resource: str
    operations: list[OperationSupport]


class MultiStepOperation(msgspec.Struct, frozen=True, kw_only=True):
    """A call that takes several upstream calls and runs as a resumable operation (``/v1/operations``)."""

    kind: str
    route: str
    steps: list[str]
    upstream_calls: str
    note: str


class ConnectorCapabilities(msgspec.Struct, frozen=True, kw_only=True):
    """What one connector supports; an operation that is missing or unsupported answers
    ``501 not-supported-by-connector``."""

    connector: str
    resources: list[ResourceCapabilities]
    operations: list[MultiStepOperation] = msgspec.field(default_factory=list)
    """The multi-step operations: one call, several upstream calls, resumed after a failure or crash."""


class CapabilityList(msgspec.Struct, frozen=True, kw_only=True):
    """Every connector's capabilities."""

    data: list[ConnectorCapabilities]
