"""Every Redis key name of the gateway, in one place.

Per-tenant keys share the hash tag ``{tenant:<id>}`` and per-account keys ``{acct:<id>}``, so a Lua script
that touches one tenant (or one account) stays within one Redis Cluster slot. Global indexes and the API key
lookup are single keys that no script combines with others.
"""

from __future__ import annotations

PREFIX = "lb"

TENANTS = f"{PREFIX}:tenants"
"""Sorted set (all scores 0) of tenant ids; ids sort by creation time."""


def api_key_lookup(digest: str) -> str:
    """Hash ``{tenant_id, key_id}`` under the SHA-256 hex digest of an API key."""
    return f"{PREFIX}:apikey:{digest}"


def _tenant(tenant_id: str, name: str) -> str:
    return f"{PREFIX}:{{tenant:{tenant_id}}}:{name}"


def tenant(tenant_id: str) -> str:
    """Hash of the tenant's fields (name, rate, burst, created_at)."""
    return _tenant(tenant_id, "tenant")


def tenant_api_keys(tenant_id: str) -> str:
    """Hash key id -> API key metadata (JSON; never the key)."""
    return _tenant(tenant_id, "apikeys")


def tenant_api_keys_used(tenant_id: str) -> str:
    """Hash key id -> last use (Unix seconds), written by the inbound limiter."""
    return _tenant(tenant_id, "apikeys:used")


def tenant_limiter(tenant_id: str) -> str:
    """The tenant's inbound GCRA state (theoretical arrival time, microseconds)."""
    return _tenant(tenant_id, "ratelimit")


def tenant_accounts(tenant_id: str) -> str:
    """Sorted set (all scores 0) of the tenant's account ids."""
    return _tenant(tenant_id, "accounts")


def account(account_id: str) -> str:
    """The account document (JSON, credentials sealed)."""
    return f"{PREFIX}:{{acct:{account_id}}}:account"


def account_pattern(account_id: str) -> str:
    """``SCAN`` pattern of every key of one account (connector caches too); all go with the account."""
    return f"{PREFIX}:{{acct:{account_id}}}:*"
