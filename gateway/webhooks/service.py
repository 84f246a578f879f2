"""Everything webhooks, wired from the settings: :class:`Webhooks` (what the app and the routes use)."""

from __future__ import annotations

import os
import secrets
import socket
from dataclasses import dataclass

import httpx
import structlog
from redis.asyncio import Redis

from .. import keys
from ..connectors import Connectors
from ..crypto import Keyring
from ..settings import Settings
from ..store import Store
from .delivery import Deliverer, DeliveryQueue
from .endpoints import EndpointService
from .eventlog import EventLog
from .events import EventService
from .inbound import InboundCallbacks, load_public_key
from .processing import CallbackProcessor
from .resources import ConnectorResources, ResourceFetcher
from .streams import WorkStream
from .subscriptions import LexofficeSubscriptions, SubscriptionSync
from .targets import TargetPolicy
from .workers import Signals, WebhookWorkers

SECONDS_PER_DAY = 86_400
log = structlog.get_logger("ledgerbridge.webhooks")


def consumer_name() -> str:
    """This process's name in the streams' consumer group (unique per process start)."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


@dataclass(frozen=True)
class Webhooks:
    """The webhook services of one gateway process and its background workers."""

    endpoints: EndpointService
    events: EventService
    inbound: InboundCallbacks
    subscriptions: SubscriptionSync
    workers: WebhookWorkers
    http: httpx.AsyncClient

    @classmethod
    def build(
        cls,
        settings: Settings,
        redis: Redis,
        store: Store,
        keyring: Keyring,
        connectors: Connectors,
        fetcher: ResourceFetcher | None = None,
    ) -> Webhooks:
        """The webhooks of a process; upstream subscription calls go through ``connectors``' paced client."""
        consumer = consumer_name()
        signals = Signals()
        policy = TargetPolicy(
            require_https=settings.mode == "production", allow_private=settings.webhooks_allow_private_targets
        )
        inbound_stream = WorkStream(redis, keys.WEBHOOK_INBOUND, consumer)
        delivery_stream = WorkStream(redis, keys.WEBHOOK_DELIVERIES, consumer)
        endpoints = EndpointService(redis, keyring, policy)
        subscriptions = SubscriptionSync(
            redis,
            store,
            keyring,
            endpoints,
            LexofficeSubscriptions(connectors.lexoffice_upstream, connectors.lexoffice_interval),
            settings.public_url,
            on_requested=signals.sync.set,
        )
        endpoints.on_change = subscriptions.tenant_changed
        log = EventLog(redis, settings.webhook_event_retention_days * SECONDS_PER_DAY)
        queue = DeliveryQueue(
            redis, delivery_stream, on_queued=signals.deliveries.set, on_scheduled=signals.retries.set
        )
        http = httpx.AsyncClient(
            timeout=settings.webhook_timeout,
            follow_redirects=False,
            limits=httpx.Limits(max_connections=settings.webhook_concurrency * 2),
        )
        deliverer = Deliverer(
            log,
            endpoints,
            queue,
            policy,
            http,
            owner=consumer,
            timeout=settings.webhook_timeout,
            delays=settings.webhook_retry_delays,
        )
        processor = CallbackProcessor(
            redis, store, keyring, endpoints, log, queue, fetcher or ConnectorResources(connectors)
        )
        workers = WebhookWorkers(
            redis,
            inbound=inbound_stream,
            deliveries=delivery_stream,
            processor=processor,
            deliverer=deliverer,
            queue=queue,
            sync=subscriptions,
            signals=signals,
            concurrency=settings.webhook_concurrency,
            claim_idle=settings.webhook_claim_idle,
            reconcile_interval=settings.webhook_reconcile_interval,
        )
        inbound = InboundCallbacks(
            redis, load_public_key(settings.lexoffice_webhook_public_key), inbound_stream, signals.inbound.set
        )
        return cls(endpoints, EventService(log, queue), inbound, subscriptions, workers, http)

    async def start(self) -> None:
        """Start the background workers (app start-up); say what is missing for lexoffice's callbacks."""
        if self.subscriptions.callback_url is None:
            log.warning(
                "webhook.no_public_url", detail="set LEDGERBRIDGE_PUBLIC_URL to receive lexoffice events"
            )
        if self.inbound.public_key is None:
            log.warning(
                "webhook.no_public_key",
                detail="set LEDGERBRIDGE_LEXOFFICE_WEBHOOK_PUBLIC_KEY to verify callbacks",
            )
        await self.workers.start()

    async def stop(self) -> None:
        """Stop the workers and close the delivery HTTP client (app shutdown)."""
        await self.workers.stop()
        await self.http.aclose()
