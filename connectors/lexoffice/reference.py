"""Reference data from lexoffice: the I/O around :mod:`.mapping.reference` (one upstream call each; the
tax rates are a fixed table and need none)."""

from __future__ import annotations

from typing import Any

from schemas.reference import CompanyInfo, Country, LedgerAccount, PaymentTerm

from .client import LexofficeClient
from .mapping.reference import (
    company_info_from_lexoffice,
    country_from_lexoffice,
    ledger_account_from_lexoffice,
    payment_term_from_lexoffice,
)


async def _list(client: LexofficeClient, path: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = await client.get_json(path) or []
    return items


async def list_countries(client: LexofficeClient, *, include_raw: bool = False) -> list[Country]:
    return [
        country_from_lexoffice(item, include_raw=include_raw) for item in await _list(client, "/v1/countries")
    ]


async def list_ledger_accounts(client: LexofficeClient, *, include_raw: bool = False) -> list[LedgerAccount]:
    """lexoffice's posting categories."""
    items = await _list(client, "/v1/posting-categories")
    return [ledger_account_from_lexoffice(item, include_raw=include_raw) for item in items]


async def list_payment_terms(client: LexofficeClient, *, include_raw: bool = False) -> list[PaymentTerm]:
    """lexoffice's payment conditions."""
    items = await _list(client, "/v1/payment-conditions")
    return [payment_term_from_lexoffice(item, include_raw=include_raw) for item in items]


async def get_company(client: LexofficeClient, *, include_raw: bool = False) -> CompanyInfo:
    """lexoffice's profile of the organization."""
    return company_info_from_lexoffice(await client.get_json("/v1/profile"), include_raw=include_raw)
