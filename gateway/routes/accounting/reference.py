"""Reference data of the account's organization: countries, ledger accounts, payment terms, tax rates and
the company profile (read-only, small lists: one page each)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from litestar import Router, get
from litestar.params import QueryParameter

from connectors.lexoffice import reference as lexoffice_reference
from connectors.lexoffice.mapping.reference import tax_rates
from schemas.common import Page
from schemas.reference import CompanyInfo, Country, LedgerAccount, PaymentTerm, TaxRate

from ...problems import problem_responses
from .deps import Account, IncludeRawFlag, Lexoffice, page_of

_ERRORS = problem_responses(400, 401, 404, 422, 424, 429, 502, 503)


@get("/countries", responses=_ERRORS, summary="List countries")
async def list_countries(lexoffice: Lexoffice, include_raw: IncludeRawFlag) -> Page[Country]:
    """The countries the accounting system accepts, with their VAT classification."""
    return page_of(await lexoffice_reference.list_countries(lexoffice, include_raw=include_raw), None)


@get("/ledger-accounts", responses=_ERRORS, summary="List ledger accounts")
async def list_ledger_accounts(lexoffice: Lexoffice, include_raw: IncludeRawFlag) -> Page[LedgerAccount]:
    """The accounts bookkeeping vouchers are booked to (lexoffice: posting categories)."""
    return page_of(await lexoffice_reference.list_ledger_accounts(lexoffice, include_raw=include_raw), None)


@get("/payment-terms", responses=_ERRORS, summary="List payment terms")
async def list_payment_terms(lexoffice: Lexoffice, include_raw: IncludeRawFlag) -> Page[PaymentTerm]:
    """The organization's payment terms (lexoffice: payment conditions)."""
    return page_of(await lexoffice_reference.list_payment_terms(lexoffice, include_raw=include_raw), None)


@get("/tax-rates", responses=problem_responses(400, 401, 404, 422, 429), summary="List tax rates")
async def list_tax_rates(
    account: Account,
    valid_on: Annotated[date | None, QueryParameter(description="Only rates usable on this date.")] = None,
    applies_to: Annotated[
        Literal["sales", "bookkeeping"] | None,
        QueryParameter(description="Only rates for sales documents, or for bookkeeping vouchers."),
    ] = None,
) -> Page[TaxRate]:
    """The VAT rates the account's accounting system accepts (a fixed table; no upstream call)."""
    return page_of(tax_rates(valid_on=valid_on, applies_to=applies_to), None)


@get("/company", responses=_ERRORS, summary="Get the company profile")
async def get_company(lexoffice: Lexoffice, include_raw: IncludeRawFlag) -> CompanyInfo:
    """The connected organization's company profile."""
    return await lexoffice_reference.get_company(lexoffice, include_raw=include_raw)


router = Router(
    "/",
    route_handlers=[list_countries, list_ledger_accounts, list_payment_terms, list_tax_rates, get_company],
    tags=["reference data"],
)
