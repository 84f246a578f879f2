"""The unified accounting API: ``/v1/accounting/...`` (one module per resource family) and
``/v1/capabilities``.

Every module of this package that exports ``router`` (a :class:`~litestar.Router` whose path is relative to
``/v1/accounting``, e.g. ``Router("/contacts", ...)``) or ``routers`` (a list of them: one per sales-document
kind in :mod:`.sales_documents`) is mounted under ``/v1/accounting`` with the dependencies of :mod:`.deps` —
a new resource family needs no registration. ``deps`` and ``capabilities``
(mounted at ``/v1/capabilities``) are not resource modules.
"""

from __future__ import annotations

import importlib
import pkgutil

from litestar import Router

from . import capabilities
from .deps import DEPENDENCIES

_NOT_RESOURCES = frozenset({"deps", "capabilities"})


def _resource_routers() -> list[Router]:
    """The routers of this package's resource modules, in module name order."""
    names = sorted(info.name for info in pkgutil.iter_modules(__path__) if info.name not in _NOT_RESOURCES)
    routers: list[Router] = []
    for module in (importlib.import_module(f"{__name__}.{name}") for name in names):
        single = getattr(module, "router", None)
        routers += [single] if isinstance(single, Router) else getattr(module, "routers", [])
    return routers


ROUTERS: list[Router] = [
    Router(
        "/v1/accounting",
        route_handlers=_resource_routers(),
        dependencies=DEPENDENCIES,
        security=[{"ApiKey": []}],
    ),
    capabilities.router,
]
"""The routers the app registers."""
