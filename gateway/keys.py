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


def tenant_idempotency(tenant_id: str, account_id: str, key_digest: str) -> str:
    """Hash of one ``Idempotency-Key`` record (SHA-256 of the key) of a tenant, per account (``-``: none)."""
    return _tenant(tenant_id, f"idempotency:{account_id}:{key_digest}")


def tenant_operation(tenant_id: str, operation_id: str) -> str:
    """Hash of one operation: its state (JSON), request fingerprint and input, lease, final response."""
    return _tenant(tenant_id, f"operation:{operation_id}")


OPERATIONS_DUE = f"{PREFIX}:{{operations}}:due"
"""Sorted set ``<tenant_id>/<operation_id>`` of running operations, scored by lease expiry (ms on Redis'
clock): a process picks up those whose lease ran out (their process died)."""


def tenant_accounts(tenant_id: str) -> str:
    """Sorted set (all scores 0) of the tenant's account ids."""
    return _tenant(tenant_id, "accounts")


def account(account_id: str) -> str:
    """The account document (JSON, credentials sealed)."""
    return f"{PREFIX}:{{acct:{account_id}}}:account"


def account_pattern(account_id: str) -> str:
    """``SCAN`` pattern of every key of one account (connector caches too); all go with the account."""
    return f"{PREFIX}:{{acct:{account_id}}}:*"


def lexoffice_organization_accounts(organization_id: str) -> str:
    """Set of the account ids connected to one lexoffice organization (routes its webhook callbacks)."""
    return f"{PREFIX}:{{lexorg:{organization_id}}}:accounts"


def lexoffice_organization_subscriptions(organization_id: str) -> str:
    """Hash event type -> subscription id: the lexoffice event subscriptions the gateway holds for the org."""
    return f"{PREFIX}:{{lexorg:{organization_id}}}:subscriptions"


def lexoffice_organization_sync_lock(organization_id: str) -> str:
    """Lock held while one process reconciles the organization's event subscriptions."""
    return f"{PREFIX}:{{lexorg:{organization_id}}}:sync-lock"


def tenant_webhook_endpoints(tenant_id: str) -> str:
    """Sorted set (all scores 0) of the tenant's webhook endpoint ids."""
    return _tenant(tenant_id, "webhook-endpoints")


def tenant_webhook_endpoint(tenant_id: str, endpoint_id: str) -> str:
    """One webhook endpoint (JSON; signing secrets sealed)."""
    return _tenant(tenant_id, f"webhook-endpoint:{endpoint_id}")


def tenant_events(tenant_id: str) -> str:
    """Sorted set (all scores 0) of the tenant's event ids; ids sort by creation time."""
    return _tenant(tenant_id, "events")


def tenant_event(tenant_id: str, event_id: str) -> str:
    """Hash of one event: its payload (JSON), type, account and the endpoints it goes to."""
    return _tenant(tenant_id, f"event:{event_id}")


def tenant_delivery(tenant_id: str, event_id: str, endpoint_id: str) -> str:
    """Hash of one event's delivery state towards one endpoint."""
    return _tenant(tenant_id, f"delivery:{event_id}:{endpoint_id}")


def account_webhook_event(account_id: str, digest: str) -> str:
    """Event id of an upstream callback (SHA-256 of its identity): duplicates make no second."""
    return f"{PREFIX}:{{acct:{account_id}}}:webhook-event:{digest}"


def _webhooks(name: str) -> str:
    return f"{PREFIX}:{{webhooks}}:{name}"


WEBHOOK_INBOUND = _webhooks("inbound")
"""Stream of verified upstream callbacks (raw bodies) waiting to become events."""
WEBHOOK_DELIVERIES = _webhooks("deliveries")
"""Stream of delivery attempts due now (tenant, event, endpoint, attempt number)."""
WEBHOOK_RETRIES = _webhooks("retries")
"""Sorted set of delivery attempts scheduled later, scored by due time (ms on Redis' clock)."""
WEBHOOK_SYNC = _webhooks("subscription-sync")
"""Sorted set of pending subscription reconciliations (``acct:<id>``/``retired:<id>``), scored by due time."""
WEBHOOK_SYNC_FAILURES = _webhooks("subscription-sync-failures")
"""Hash sync job -> consecutive failures (for its backoff)."""
WEBHOOK_RECONCILE_LOCK = _webhooks("reconcile-lock")
"""Held for one reconcile interval by the process that scheduled the periodic reconciliation."""


def webhook_inbound_seen(digest: str) -> str:
    """Marks a callback body (SHA-256 hex) as received, for replay protection."""
    return _webhooks(f"seen:{digest}")


def webhook_retired_account(account_id: str) -> str:
    """A deleted account's organization and sealed credentials, kept until its subscriptions are removed."""
    return _webhooks(f"retired:{account_id}")
