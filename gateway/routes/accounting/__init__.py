"""The unified accounting API: ``/v1/accounting/...`` (one module per resource family) and
``/v1/capabilities``.

Every module of this package that exports ``router`` (a :class:`~litestar.Router` whose path is relative to
``/v1/accounting``, e.g. ``Router("/contacts", ...)``) is mounted under ``/v1/accounting`` with the
dependencies of :mod:`.deps` — a new resource family needs no registration. ``deps`` and ``capabilities``
(mounted at ``/v1/capabilities``) are not resource modules.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

from litestar import Router

from . import capabilities
from .deps import DEPENDENCIES

_NOT_RESOURCES = frozenset({"deps", "capabilities"})


def _resource_modules() -> list[ModuleType]:
    """The resource modules of this package, in name order."""
    names = sorted(info.name for info in pkgutil.iter_modules(__path__) if info.name not in _NOT_RESOURCES)
    modules = [importlib.import_module(f"{__name__}.{name}") for name in names]
    return [module for module in modules if isinstance(getattr(module, "router", None), Router)]


ROUTERS: list[Router] = [
    Router(
        "/v1/accounting",
        route_handlers=[module.router for module in _resource_modules()],
        dependencies=DEPENDENCIES,
        security=[{"ApiKey": []}],
    ),
    capabilities.router,
]
"""The routers the app registers."""
