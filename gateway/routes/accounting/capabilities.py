"""``GET /v1/capabilities``: which operations each connector supports, per resource."""

from __future__ import annotations

import msgspec
from litestar import Router, get

from connectors.base import CAPABILITIES, MULTI_STEP, Capability
from schemas.capabilities import (
    CapabilityList,
    ConnectorCapabilities,
    MultiStepOperation,
    OperationSupport,
    ResourceCapabilities,
)

from ...problems import problem_responses


def _resources(rows: list[Capability]) -> list[ResourceCapabilities]:
    """The rows grouped by resource, in table order."""
    grouped: dict[str, list[OperationSupport]] = {}
    for row in rows:
        grouped.setdefault(row.resource, []).append(
            OperationSupport(operation=row.operation.value, supported=row.supported, note=row.note)
        )
    return [ResourceCapabilities(resource=name, operations=ops) for name, ops in grouped.items()]


@get("/", responses=problem_responses(401, 429), summary="Connector capabilities", sync_to_thread=False)
def list_capabilities() -> CapabilityList:
    """Per connector and resource: the supported operations, and why the others are not."""
    return CapabilityList(
        data=[
            ConnectorCapabilities(
                connector=name,
                resources=_resources(rows),
                operations=[
                    msgspec.convert(step, MultiStepOperation, from_attributes=True)
                    for step in MULTI_STEP.get(name, [])
                ],
            )
            for name, rows in CAPABILITIES.items()
        ]
    )


router = Router(
    "/v1/capabilities", route_handlers=[list_capabilities], tags=["capabilities"], security=[{"ApiKey": []}]
)
