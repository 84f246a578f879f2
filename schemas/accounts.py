"""Connected accounts: one end customer's accounting system, owned by one tenant.

Requests refuse unknown fields. Responses never carry credentials.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

Connector = Literal["lexoffice"]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
ExternalId = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Secret = Annotated[str, msgspec.Meta(min_length=1, max_length=512)]


class LexofficeCredentials(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A lexoffice public API key (created in lexoffice under *Public API*)."""

    api_key: Secret


class AccountCreate(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Connect an accounting system (the credentials are checked upstream before anything is stored)."""

    connector: Connector
    credentials: LexofficeCredentials
    name: Name | None = None
    """A display name; defaults to the upstream organization's company name."""
    external_id: ExternalId | None = None
    """Your own id for this end customer (free text, not interpreted)."""


class AccountUpdate(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Rename an account or rotate its credentials; absent fields stay as they are, ``null`` clears."""

    name: Name | msgspec.UnsetType | None = msgspec.UNSET
    external_id: ExternalId | msgspec.UnsetType | None = msgspec.UNSET
    credentials: LexofficeCredentials | msgspec.UnsetType = msgspec.UNSET
    """New credentials; they must belong to the same upstream organization."""


class AccountOrganization(msgspec.Struct, frozen=True):
    """The upstream organization the credentials give access to, as reported by the upstream."""

    organization_id: str
    company_name: str | None = None
    tax_type: str | None = None
    small_business: bool | None = None


class Account(msgspec.Struct, frozen=True):
    """A connected account, as returned by the API."""

    id: str
    connector: Connector
    name: str | None
    external_id: str | None
    organization: AccountOrganization
    created_at: datetime
    updated_at: datetime
    credentials_updated_at: datetime


class AccountList(msgspec.Struct, frozen=True):
    """One page of accounts, oldest first."""

    data: list[Account]
    next_cursor: str | None = None
    """Pass as ``?cursor=`` to get the next page; ``null`` on the last page."""
