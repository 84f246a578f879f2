"""``/v1/accounts``: a tenant's connected accounting systems."""

from __future__ import annotations

from litestar import Router, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from schemas.accounts import Account, AccountCreate, AccountList, AccountUpdate

from ..accounts import AccountService, account_view
from ..auth import Principal
from ..paging import DEFAULT_LIMIT, Cursor, Limit
from ..problems import problem_responses

Accounts = NamedDependency[AccountService]
Caller = NamedDependency[Principal]


@post(
    "/",
    status_code=201,
    responses=problem_responses(400, 401, 413, 415, 422, 429, 502, 503),
    summary="Connect an account",
)
async def create_account(data: JSONBody[AccountCreate], principal: Caller, accounts: Accounts) -> Account:
    """Check the credentials with the upstream, then store the account (credentials encrypted)."""
    return account_view(await accounts.create(principal.tenant_id, data))


@get("/", responses=problem_responses(401, 422, 429), summary="List accounts")
async def list_accounts(
    principal: Caller, accounts: Accounts, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> AccountList:
    """The tenant's accounts, oldest first."""
    found, next_cursor = await accounts.page(principal.tenant_id, cursor, limit)
    return AccountList([account_view(account) for account in found], next_cursor)


@get("/{account_id:str}", responses=problem_responses(401, 404, 429), summary="Get an account")
async def get_account(account_id: FromPath[str], principal: Caller, accounts: Accounts) -> Account:
    return account_view(await accounts.get(principal.tenant_id, account_id))


@patch(
    "/{account_id:str}",
    responses=problem_responses(400, 401, 404, 413, 415, 422, 429, 502, 503),
    summary="Update an account",
)
async def update_account(
    account_id: FromPath[str], data: JSONBody[AccountUpdate], principal: Caller, accounts: Accounts
) -> Account:
    """Rename it, or rotate its credentials (checked upstream; same organization only)."""
    return account_view(await accounts.update(principal.tenant_id, account_id, data))


@delete("/{account_id:str}", responses=problem_responses(401, 404, 429), summary="Delete an account")
async def delete_account(account_id: FromPath[str], principal: Caller, accounts: Accounts) -> None:
    """Delete the account and wipe its credentials."""
    await accounts.delete(principal.tenant_id, account_id)


router = Router(
    "/v1/accounts",
    route_handlers=[create_account, list_accounts, get_account, update_account, delete_account],
    tags=["accounts"],
    security=[{"ApiKey": []}],
)
