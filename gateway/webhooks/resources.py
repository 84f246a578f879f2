"""The seam through which events get "the current unified resource": a :class:`ResourceFetcher`.

The gateway injects one that reads the resource through the connector (and so through the paced upstream
client); until then :class:`NoResources` answers ``None`` and events carry ``resource: null`` with the id.
"""

from __future__ import annotations

from typing import Any, Protocol

from ..accounts import ResolvedAccount


class ResourceFetcher(Protocol):
    """Reads one resource of an account in the unified model."""

    async def fetch(
        self, account: ResolvedAccount, resource_type: str, resource_id: str
    ) -> dict[str, Any] | None:
        """The resource as unified JSON (``msgspec.to_builtins`` of its struct), or ``None`` if it cannot be
        had (unknown type, deleted meanwhile). ``resource_type`` is the event's (``contact``, ``invoice``,
        ``credit_note``, ``voucher``, ``payment`` — the payments of voucher ``resource_id`` —, ...)."""
        ...


class NoResources:
    """The default fetcher: no resources (events carry the resource id only)."""

    async def fetch(
        self, account: ResolvedAccount, resource_type: str, resource_id: str
    ) -> dict[str, Any] | None:
        return None
