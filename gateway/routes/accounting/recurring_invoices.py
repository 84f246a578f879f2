"""``/v1/accounting/recurring-invoices``: recurring invoice templates (:mod:`.sales_documents` routes)."""

from __future__ import annotations

from connectors.lexoffice.mapping.sales import SALES_KINDS

from .sales_documents import sales_router

router = sales_router(SALES_KINDS["recurring_invoice"])
