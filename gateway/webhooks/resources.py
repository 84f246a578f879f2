"""The seam through which events get "the current unified resource": a :class:`ResourceFetcher`.

:class:`ConnectorResources` reads the resource through the lexoffice connector (and so through the paced
upstream client and its version cache). A tenant endpoint can opt out (``include_resource: false``); events
then carry only the id.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol

import msgspec

from connectors.errors import NotFound
from connectors.lexoffice import contacts, documents, vouchers
from connectors.lexoffice.client import LexofficeClient
from connectors.lexoffice.mapping.sales import SALES_KINDS

from ..accounts import ResolvedAccount
from ..connectors import Connectors

Reader = Callable[[LexofficeClient, str], Awaitable[msgspec.Struct]]

FETCH_DEADLINE_SECONDS = 30.0


class ResourceFetcher(Protocol):
    """Reads one resource of an account in the unified model."""

    async def fetch(
        self, account: ResolvedAccount, resource_type: str, resource_id: str
    ) -> dict[str, Any] | None:
        """The resource as unified JSON (``msgspec.to_builtins`` of its struct), or ``None`` if it cannot be
        had (unknown type, deleted meanwhile). ``resource_type`` is the event's (``contact``, ``invoice``,
        ``credit_note``, ``voucher``, ``payment`` — the payments of voucher ``resource_id`` —, ...)."""
        ...


def _sales_reader(kind: str) -> Reader:
    return lambda lex, resource_id: documents.get_document(lex, SALES_KINDS[kind], resource_id)


READERS: dict[str, Reader] = {
    "contact": contacts.get_contact,
    "voucher": vouchers.get_voucher,
    "payment": documents.get_payment,
    **{kind: _sales_reader(kind) for kind in SALES_KINDS},
}
"""Event resource type -> how to read it in the unified model (types without a unified route: none)."""


class ConnectorResources:
    """Reads event resources through the account's connector."""

    def __init__(self, connectors: Connectors) -> None:
        self.connectors = connectors

    async def fetch(
        self, account: ResolvedAccount, resource_type: str, resource_id: str
    ) -> dict[str, Any] | None:
        reader = READERS.get(resource_type)
        if reader is None:
            return None
        lex = self.connectors.lexoffice(account, deadline=FETCH_DEADLINE_SECONDS)
        try:
            resource = await reader(lex, resource_id)
        except NotFound:  # deleted meanwhile (e.g. a *.deleted event)
            return None
        result: dict[str, Any] = msgspec.to_builtins(resource)
        return result
