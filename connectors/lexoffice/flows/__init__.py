"""lexoffice's multi-step operations (:mod:`connectors.flows`), by operation kind."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connectors.flows import Flow
from connectors.lexoffice.mapping.sales import SALES_KINDS

from .contacts import UpsertContact
from .credit_notes import CreateCreditNoteFromInvoice
from .sales import CreateSalesDocument
from .vouchers import CreateVoucher

SALES_FLOWS: Mapping[str, CreateSalesDocument] = {
    name: CreateSalesDocument(kind) for name, kind in SALES_KINDS.items() if kind.creatable
}
"""The create flow of each creatable sales document kind, by kind name."""
VOUCHER_FLOW = CreateVoucher()
CREDIT_NOTE_FLOW = CreateCreditNoteFromInvoice()
CONTACT_UPSERT_FLOW = UpsertContact()

_ALL: tuple[Flow[Any], ...] = (*SALES_FLOWS.values(), VOUCHER_FLOW, CREDIT_NOTE_FLOW, CONTACT_UPSERT_FLOW)
FLOWS: Mapping[str, Flow[Any]] = {flow.kind: flow for flow in _ALL}
"""Every flow, by the operation kind it runs as."""
