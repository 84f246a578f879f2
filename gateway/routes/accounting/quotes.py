"""``/v1/accounting/quotes``: quotes (the routes of :mod:`.sales_documents`)."""

from __future__ import annotations

from connectors.lexoffice.mapping.sales import SALES_KINDS

from .sales_documents import sales_router

router = sales_router(SALES_KINDS["quote"])
