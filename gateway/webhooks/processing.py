"""From a queued lexoffice callback to unified events, one per interested account, each queued for delivery.

The organization's accounts come from the organization index; an account gets an event only if one of its
tenant's endpoints wants the event type. A callback is identified by its content (organization, type,
resource, date), so a duplicate — the same callback again, however its JSON is spelled, or the same queue
entry processed twice after a crash — maps to the event made the first time, and only deliveries not yet
under way are queued again (their attempts are claimed, so a second queueing sends nothing twice).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any, cast

import msgspec
import structlog
from redis.asyncio import Redis

from schemas.events import Event, EventData, UpstreamEvent

from .. import keys
from ..accounts import ResolvedAccount
from ..crypto import Keyring
from ..ids import new_id
from ..logging import register_secret
from ..store import AccountRecord, Store
from .delivery import DeliveryQueue, Job
from .endpoints import EndpointRecord, EndpointService
from .eventlog import EventLog
from .inbound import REPLAY_WINDOW, LexofficeCallback
from .mapping import EventMapping, map_lexoffice_event, matches
from .resources import ResourceFetcher

log = structlog.get_logger("ledgerbridge.webhooks")
DUPLICATE_WINDOW_SECONDS = int(REPLAY_WINDOW.total_seconds())


def callback_digest(callback: LexofficeCallback) -> str:
    """What identifies a callback, whatever the spelling of its JSON."""
    identity = "\0".join(
        (
            "lexoffice",
            callback.organizationId,
            callback.eventType.lower(),
            callback.resourceId,
            callback.eventDate,
        )
    )
    return hashlib.sha256(identity.encode()).hexdigest()


class CallbackProcessor:
    """Turns callbacks into events and queues their deliveries."""

    def __init__(
        self,
        redis: Redis,
        store: Store,
        keyring: Keyring,
        endpoints: EndpointService,
        events: EventLog,
        queue: DeliveryQueue,
        fetcher: ResourceFetcher,
    ) -> None:
        self.redis = redis
        self.store = store
        self.keyring = keyring
        self.endpoints = endpoints
        self.events = events
        self.queue = queue
        self.fetcher = fetcher

    async def process(self, body: bytes) -> None:
        """Handle one verified callback body."""
        try:
            callback = msgspec.json.decode(body, type=LexofficeCallback)
        except msgspec.DecodeError:
            log.warning("webhook.callback_unreadable", size=len(body))
            return
        mapping = map_lexoffice_event(callback.eventType)
        members = await self.redis.smembers(keys.lexoffice_organization_accounts(callback.organizationId))
        account_ids = sorted(cast(set[str], members))
        digest = callback_digest(callback)
        for account_id in account_ids:
            account = await self.store.get_account(account_id)
            if account is not None:
                await self._for_account(account, callback, mapping, digest)

    async def _for_account(
        self, account: AccountRecord, callback: LexofficeCallback, mapping: EventMapping, digest: str
    ) -> None:
        tenant_id = account.tenant_id
        targets = [
            endpoint
            for endpoint in await self.endpoints.all(tenant_id)
            if any(matches(event_filter, mapping.type) for event_filter in endpoint.events)
        ]
        if not targets:
            return
        event_id, fresh = await self.events.event_id_for(
            account.id, digest, new_id("evt"), DUPLICATE_WINDOW_SECONDS
        )
        stored = None if fresh else await self.events.load(tenant_id, event_id)
        if stored is None:
            endpoint_ids = [endpoint.id for endpoint in targets]
            event = await self._event(event_id, account, callback, mapping, targets)
            fresh = await self.events.record(tenant_id, event, endpoint_ids)
        else:
            endpoint_ids = stored.endpoint_ids
        if fresh:  # every delivery is pending its first attempt
            pending = dict.fromkeys(endpoint_ids, 1)
        else:  # a duplicate, or a retry after a crash: queue only what is not under way yet
            pending = await self.events.pending_attempts(tenant_id, event_id, endpoint_ids)
        for endpoint_id, attempt in pending.items():
            await self.queue.enqueue(Job(tenant_id, event_id, endpoint_id, attempt))

    async def _event(
        self,
        event_id: str,
        account: AccountRecord,
        callback: LexofficeCallback,
        mapping: EventMapping,
        targets: list[EndpointRecord],
    ) -> Event:
        resource = None
        if mapping.fetch_resource and any(endpoint.include_resource for endpoint in targets):
            resource = await self._fetch(account, mapping.resource_type, callback.resourceId)
        return Event(
            id=event_id,
            type=mapping.type,
            timestamp=datetime.now(UTC),
            account_id=account.id,
            data=EventData(
                resource_type=mapping.resource_type,
                resource_id=callback.resourceId,
                resource=resource,
                upstream=UpstreamEvent(
                    connector="lexoffice",
                    event_type=callback.eventType,
                    organization_id=callback.organizationId,
                    resource_id=callback.resourceId,
                    event_date=callback.eventDate,
                ),
            ),
        )

    async def _fetch(
        self, account: AccountRecord, resource_type: str, resource_id: str
    ) -> dict[str, Any] | None:
        """The current resource, or ``None`` if the fetcher has none or fails (the event goes out anyway)."""
        credentials = msgspec.json.decode(
            self.keyring.open(account.credentials, account.id.encode()), type=dict[str, str]
        )
        for secret in credentials.values():
            register_secret(secret)
        try:
            return await self.fetcher.fetch(ResolvedAccount(account, credentials), resource_type, resource_id)
        except Exception as exc:  # a failed fetch must not lose the event
            log.warning(
                "webhook.resource_unavailable",
                account_id=account.id,
                resource_type=resource_type,
                error=type(exc).__name__,
            )
            return None
