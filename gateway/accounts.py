"""Connected accounts: create (credentials checked upstream first), list, read, update, delete, resolve.

Credentials are sealed with the master key and the account id as associated data, and never leave this
module except through :meth:`AccountService.resolve` (for the connector). An account of another tenant is
answered exactly like a missing one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import msgspec

from schemas.accounts import Account, AccountCreate, AccountOrganization, AccountUpdate

from . import keys
from .crypto import Envelope, Keyring
from .ids import id_pattern, new_id
from .logging import bind_account, register_secret
from .paging import decode_cursor, encode_cursor
from .problems import NOT_FOUND, ORGANIZATION_MISMATCH, ProblemError
from .store import AccountRecord, Store
from .verification import CredentialVerifier

ACCOUNT_ID = id_pattern("acc")


@dataclass(frozen=True)
class ResolvedAccount:
    """An account with its decrypted credentials, for talking to the upstream."""

    record: AccountRecord
    credentials: dict[str, str]

    def __repr__(self) -> str:
        return f"ResolvedAccount(id={self.record.id!r}, credentials=***)"


class AccountListener(Protocol):
    """Told about accounts coming and going (the webhook subscriptions follow them)."""

    async def account_connected(self, account: AccountRecord) -> None:
        """Called after an account is created or gets new credentials."""
        ...

    async def account_removed(self, account: AccountRecord) -> None:
        """Called before the account is deleted (it is already out of the organization index)."""
        ...


class AccountService:
    """The tenant-facing account operations."""

    def __init__(
        self,
        store: Store,
        keyring: Keyring,
        verifier: CredentialVerifier,
        listener: AccountListener | None = None,
    ) -> None:
        self.store = store
        self.keyring = keyring
        self.verifier = verifier
        self.listener = listener

    async def create(self, tenant_id: str, spec: AccountCreate) -> AccountRecord:
        """Check the credentials with the upstream, then store the account; nothing is stored if they fail."""
        credentials = msgspec.to_builtins(spec.credentials)
        organization = await self._verify(spec.connector, credentials)
        account_id, now = new_id("acc"), _now()
        account = AccountRecord(
            id=account_id,
            tenant_id=tenant_id,
            connector=spec.connector,
            name=spec.name if spec.name is not None else organization.get("company_name"),
            external_id=spec.external_id,
            organization=organization,
            credentials=self._seal(account_id, credentials),
            created_at=now,
            updated_at=now,
            credentials_updated_at=now,
        )
        await self.store.create_account(account)
        await self.store.redis.sadd(_organization_index(account), account_id)
        bind_account(account_id)
        if self.listener is not None:
            await self.listener.account_connected(account)
        return account

    async def get(self, tenant_id: str, account_id: str) -> AccountRecord:
        """The tenant's account; ``not-found`` if it does not exist or belongs to another tenant."""
        account = await self.store.get_account(account_id) if ACCOUNT_ID.match(account_id) else None
        if account is None or account.tenant_id != tenant_id:
            raise _not_found(account_id)
        bind_account(account_id)
        return account

    async def page(
        self, tenant_id: str, cursor: str | None, limit: int
    ) -> tuple[list[AccountRecord], str | None]:
        """A page of the tenant's accounts (oldest first) and the cursor of the next page."""
        accounts, after = await self.store.list_accounts(tenant_id, decode_cursor(cursor, ACCOUNT_ID), limit)
        return accounts, encode_cursor(after)

    async def update(self, tenant_id: str, account_id: str, change: AccountUpdate) -> AccountRecord:
        """Rename, and/or rotate credentials (checked upstream; they must reach the same organization)."""
        current = await self.get(tenant_id, account_id)
        now = _now()
        fields: dict[str, Any] = {
            name: value
            for name, value in (("name", change.name), ("external_id", change.external_id))
            if value is not msgspec.UNSET
        }
        if not isinstance(change.credentials, msgspec.UnsetType):
            credentials = msgspec.to_builtins(change.credentials)
            organization = await self._verify(current.connector, credentials)
            if organization["organization_id"] != current.organization["organization_id"]:
                raise ProblemError(
                    ORGANIZATION_MISMATCH,
                    "The new credentials give access to another organization than this account's; "
                    "connect that organization as a new account instead.",
                )
            fields |= {
                "credentials": self._seal(account_id, credentials),
                "organization": organization,
                "credentials_updated_at": now,
            }

        def apply(account: AccountRecord) -> AccountRecord:
            if account.tenant_id != tenant_id:
                raise _not_found(account_id)
            return msgspec.structs.replace(account, updated_at=now, **fields)

        updated = await self.store.update_account(account_id, apply)
        if updated is None:
            raise _not_found(account_id)
        if "credentials" in fields and self.listener is not None:
            await self.listener.account_connected(updated)  # a new key: its subscriptions are checked
        return updated

    async def delete(self, tenant_id: str, account_id: str) -> None:
        """Delete the account and wipe its sealed credentials."""
        account = await self.get(tenant_id, account_id)
        await self.store.redis.srem(_organization_index(account), account_id)
        if self.listener is not None:
            await self.listener.account_removed(account)
        await self.store.delete_account(account)

    async def resolve(self, tenant_id: str, account_id: str) -> ResolvedAccount:
        """The tenant's account with its credentials decrypted (step 3 of a unified call)."""
        account = await self.get(tenant_id, account_id)
        credentials = msgspec.json.decode(
            self.keyring.open(account.credentials, account.id.encode()), type=dict[str, str]
        )
        for secret in credentials.values():
            register_secret(secret)
        return ResolvedAccount(account, credentials)

    async def _verify(self, connector: str, credentials: Mapping[str, str]) -> dict[str, Any]:
        """The upstream's organization for these credentials (which are masked in logs from now on)."""
        for secret in credentials.values():
            register_secret(secret)
        return await self.verifier.verify(connector, credentials)

    def _seal(self, account_id: str, credentials: Mapping[str, str]) -> Envelope:
        return self.keyring.seal(msgspec.json.encode(credentials), account_id.encode())


async def reseal_all(store: Store, keyring: Keyring) -> int:
    """Re-encrypt every account sealed by a retired master key under the current one; returns how many."""

    def reseal(account: AccountRecord) -> AccountRecord:
        return msgspec.structs.replace(
            account, credentials=keyring.reseal(account.credentials, account.id.encode())
        )

    count = 0
    async for account_id in store.account_ids():
        account = await store.get_account(account_id)
        if account is not None and keyring.needs_reseal(account.credentials):
            await store.update_account(account_id, reseal)
            count += 1
    return count


def account_view(account: AccountRecord) -> Account:
    """The API's view of an account (never the credentials)."""
    return Account(
        id=account.id,
        connector=account.connector,
        name=account.name,
        external_id=account.external_id,
        organization=msgspec.convert(account.organization, AccountOrganization),
        created_at=account.created_at,
        updated_at=account.updated_at,
        credentials_updated_at=account.credentials_updated_at,
    )


def _organization_index(account: AccountRecord) -> str:
    """The index of the accounts of the account's upstream organization (routes webhook callbacks)."""
    return keys.lexoffice_organization_accounts(str(account.organization["organization_id"]))


def _not_found(account_id: str) -> ProblemError:
    return ProblemError(NOT_FOUND, f"No account {account_id[:64]!r}.")


def _now() -> datetime:
    return datetime.now(UTC)
