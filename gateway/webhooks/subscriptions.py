"""The lexoffice event subscriptions the gateway holds for connected accounts, kept in line with demand.

lexoffice calls ``<LEDGERBRIDGE_PUBLIC_URL>/v1/webhooks/lexoffice`` for each subscribed event type of an
organization. The types wanted for an organization are those any endpoint of any tenant with an account of
that organization selects (:func:`~.mapping.lexoffice_types_for`). A *sync job* reconciles one organization
(with one of its accounts' keys, through the paced :class:`~connectors.http.UpstreamClient`): it lists the
subscriptions, creates the missing ones (also those lexoffice dropped after a 404 or a revoked key) and
deletes those nobody wants, and records what it holds. Jobs run in the gateway's workers; they are
requested when an endpoint changes, when an account is connected or deleted, and periodically for every
account with webhooks. A deleted account whose organization has no other account leaves a *retired* record
(its organization and sealed credentials) until its subscriptions are gone.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import cast

import msgspec
import structlog
from redis.asyncio import Redis
from redis.exceptions import LockError

from connectors.errors import ConnectorError, CredentialRejected, NotFound, VersionConflict
from connectors.http import UpstreamClient, UpstreamCredential
from connectors.lexoffice.traffic import lexoffice_credential

from .. import keys
from ..crypto import Envelope, Keyring
from ..store import AccountRecord, Store
from .endpoints import EndpointService
from .mapping import lexoffice_types_for

CALLBACK_PATH = "/v1/webhooks/lexoffice"
LEASE_MS = 120_000
LOCK_SECONDS = 120
LOCKED_RETRY_MS = 1_000
RETRY_BASE_MS = 30_000
MAX_FAILURES = 6
_HERE = Path(__file__).parent
log = structlog.get_logger("ledgerbridge.webhooks")


class Subscription(msgspec.Struct, frozen=True):
    """A lexoffice event subscription as listed."""

    subscriptionId: str
    eventType: str
    callbackUrl: str


class _Listing(msgspec.Struct, frozen=True):
    content: list[Subscription]


class RetiredAccount(msgspec.Struct, frozen=True):
    """What a deleted account leaves until its subscriptions are removed."""

    organization_id: str
    credentials: Envelope


class LexofficeSubscriptions:
    """``/v1/event-subscriptions`` of lexoffice, through the (shared) paced upstream client."""

    def __init__(self, client: UpstreamClient, interval: float) -> None:
        self.client = client
        self.interval = interval

    def credential(self, api_key: str) -> UpstreamCredential:
        """The paced credential of an API key (the connectors' spacing between calls)."""
        return lexoffice_credential(api_key, interval=self.interval)

    async def list(self, credential: UpstreamCredential) -> list[Subscription]:
        response = await self.client.request(credential, "GET", "/v1/event-subscriptions")
        return msgspec.json.decode(response.content, type=_Listing).content

    async def create(self, credential: UpstreamCredential, event_type: str, callback_url: str) -> str | None:
        """The new subscription's id; ``None`` if lexoffice says it exists (409)."""
        try:
            response = await self.client.request(
                credential,
                "POST",
                "/v1/event-subscriptions",
                json={"eventType": event_type, "callbackUrl": callback_url},
            )
        except VersionConflict:
            return None
        return str(response.json()["id"])

    async def delete(self, credential: UpstreamCredential, subscription_id: str) -> None:
        """Delete a subscription (one that is gone already counts as deleted)."""
        with contextlib.suppress(NotFound):
            await self.client.request(
                credential,
                "DELETE",
                f"/v1/event-subscriptions/{subscription_id}",
                path_template="/v1/event-subscriptions/{id}",
            )


class SubscriptionSync:
    """Requests and runs subscription sync jobs."""

    def __init__(
        self,
        redis: Redis,
        store: Store,
        keyring: Keyring,
        endpoints: EndpointService,
        upstream: LexofficeSubscriptions,
        public_url: str | None,
        on_requested: Callable[[], None] | None = None,
    ) -> None:
        self.redis = redis
        self.store = store
        self.keyring = keyring
        self.endpoints = endpoints
        self.upstream = upstream
        self.callback_url = None if public_url is None else public_url.rstrip("/") + CALLBACK_PATH
        self.on_requested = on_requested
        self._claim = redis.register_script((_HERE / "sync_claim.lua").read_text())
        self._done = redis.register_script((_HERE / "sync_done.lua").read_text())

    # requesting

    async def request(self, jobs: list[str], *, only_new: bool = False) -> None:
        """Make these jobs (``acct:<id>``, ``retired:<id>``) due now."""
        if not jobs:
            return
        await self.redis.zadd(keys.WEBHOOK_SYNC, dict.fromkeys(jobs, 0), nx=only_new)
        if self.on_requested is not None:
            self.on_requested()

    async def tenant_changed(self, tenant_id: str) -> None:
        """The tenant's endpoints changed: sync every lexoffice account of the tenant."""
        jobs: list[str] = []
        after: str | None = None
        while True:
            accounts, after = await self.store.list_accounts(tenant_id, after, 250)
            jobs += [f"acct:{account.id}" for account in accounts if account.connector == "lexoffice"]
            if after is None:
                break
        await self.request(jobs)

    async def account_connected(self, account: AccountRecord) -> None:
        """A new account: subscribe if its tenant wants events."""
        if account.connector == "lexoffice" and await self.wanted_types(account.tenant_id):
            await self.request([f"acct:{account.id}"])

    async def account_removed(self, account: AccountRecord) -> None:
        """An account is being deleted (already out of the organization index): drop what only it wanted."""
        organization_id = _organization(account)
        if not await self.redis.exists(keys.lexoffice_organization_subscriptions(organization_id)):
            return
        remaining = await self._organization_accounts(organization_id)
        if remaining:
            await self.request([f"acct:{remaining[0]}"])
            return
        retired = RetiredAccount(organization_id, account.credentials)
        await self.redis.set(keys.webhook_retired_account(account.id), msgspec.json.encode(retired))
        await self.request([f"retired:{account.id}"])

    async def schedule_all(self) -> int:
        """Request a sync for every account with webhooks (wanted or held); returns how many."""
        jobs: list[str] = []
        wants: dict[str, bool] = {}
        async for account_id in self.store.account_ids():
            account = await self.store.get_account(account_id)
            if account is None or account.connector != "lexoffice":
                continue
            if account.tenant_id not in wants:
                wants[account.tenant_id] = bool(
                    await self.redis.zcard(keys.tenant_webhook_endpoints(account.tenant_id))
                )
            held = await self.redis.exists(keys.lexoffice_organization_subscriptions(_organization(account)))
            if wants[account.tenant_id] or held:
                jobs.append(f"acct:{account_id}")
        await self.request(jobs, only_new=True)
        return len(jobs)

    async def wanted_types(self, tenant_id: str) -> set[str]:
        """The lexoffice event types the tenant's endpoints need."""
        filters = [f for endpoint in await self.endpoints.all(tenant_id) for f in endpoint.events]
        return lexoffice_types_for(filters)

    # running

    async def next_job(self) -> tuple[str, int] | float | None:
        """The next due job and its lease; otherwise seconds until one is due (``None``: no jobs)."""
        job, value = await self._claim(keys=[keys.WEBHOOK_SYNC], args=[LEASE_MS])
        if job:
            return str(job), int(value)
        return None if int(value) < 0 else int(value) / 1000

    async def run(self, job: str, lease: int) -> None:
        """Run one job; on a transient failure it comes due again later (backing off), then is dropped."""
        kind, _, account_id = job.partition(":")
        try:
            again = await (self._sync_account(account_id) if kind == "acct" else self._retire(account_id))
        except CredentialRejected:
            log.warning("webhook.subscriptions_rejected", job=job)
            again = False
        except ConnectorError as exc:
            failures = int(await self.redis.hincrby(keys.WEBHOOK_SYNC_FAILURES, job, 1))
            log.warning("webhook.subscriptions_failed", job=job, error=repr(exc), failures=failures)
            if failures < MAX_FAILURES:
                await self._done(
                    keys=[keys.WEBHOOK_SYNC], args=[job, lease, RETRY_BASE_MS * 2 ** (failures - 1)]
                )
                return
            again = False
        await self.redis.hdel(keys.WEBHOOK_SYNC_FAILURES, job)
        await self._done(keys=[keys.WEBHOOK_SYNC], args=[job, lease, LOCKED_RETRY_MS if again else -1])

    async def _sync_account(self, account_id: str) -> bool:
        """Reconcile the account's organization with its key; ``True``: try again shortly (locked)."""
        account = await self.store.get_account(account_id)
        if account is None or self.callback_url is None:
            return False
        organization_id = _organization(account)
        wanted: set[str] = set()
        for other_id in await self._organization_accounts(organization_id):
            other = await self.store.get_account(other_id)
            if other is not None:
                wanted |= await self.wanted_types(other.tenant_id)
        return not await self._reconcile(
            organization_id, self._credential(account.id, account.credentials), wanted
        )

    async def _retire(self, account_id: str) -> bool:
        """Remove a deleted account's subscriptions (unless its organization has an account again)."""
        key = keys.webhook_retired_account(account_id)
        raw = cast(str | None, await self.redis.get(key))
        if raw is None:
            return False
        retired = msgspec.json.decode(raw, type=RetiredAccount)
        remaining = await self._organization_accounts(retired.organization_id)
        if remaining:
            await self.request([f"acct:{remaining[0]}"])
        elif self.callback_url is not None:
            try:
                credential = self._credential(account_id, retired.credentials)
                if not await self._reconcile(retired.organization_id, credential, set()):
                    return True
            except CredentialRejected:  # a revoked key: lexoffice has dropped its subscriptions itself
                await self.redis.delete(keys.lexoffice_organization_subscriptions(retired.organization_id))
        await self.redis.delete(key)
        return False

    async def _reconcile(
        self, organization_id: str, credential: UpstreamCredential, wanted: set[str]
    ) -> bool:
        """Make the organization's subscriptions (at our callback URL) exactly ``wanted``; ``False`` if
        another process is reconciling it right now."""
        assert self.callback_url is not None
        lock = self.redis.lock(keys.lexoffice_organization_sync_lock(organization_id), timeout=LOCK_SECONDS)
        if not await lock.acquire(blocking=False):
            return False
        try:
            held_key = keys.lexoffice_organization_subscriptions(organization_id)
            recorded = set(cast(dict[str, str], await self.redis.hgetall(held_key)).values())
            current: dict[str, str] = {}
            for subscription in await self.upstream.list(credential):
                if subscription.callbackUrl == self.callback_url and subscription.eventType in wanted:
                    current[subscription.eventType] = subscription.subscriptionId
                elif subscription.callbackUrl == self.callback_url or subscription.subscriptionId in recorded:
                    await self.upstream.delete(credential, subscription.subscriptionId)
            for event_type in sorted(wanted - current.keys()):
                created = await self.upstream.create(credential, event_type, self.callback_url)
                if created is not None:
                    current[event_type] = created
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.delete(held_key)
                if current:
                    pipe.hset(held_key, items=[part for pair in current.items() for part in pair])
                await pipe.execute()
            log.info(
                "webhook.subscriptions_synced", organization_id=organization_id, event_types=sorted(current)
            )
            return True
        finally:
            with contextlib.suppress(LockError):
                await lock.release()

    async def _organization_accounts(self, organization_id: str) -> list[str]:
        members = await self.redis.smembers(keys.lexoffice_organization_accounts(organization_id))
        return sorted(cast(set[str], members))

    def _credential(self, account_id: str, sealed: Envelope) -> UpstreamCredential:
        credentials = msgspec.json.decode(self.keyring.open(sealed, account_id.encode()), type=dict[str, str])
        return self.upstream.credential(credentials["api_key"])


def _organization(account: AccountRecord) -> str:
    return str(account.organization["organization_id"])
