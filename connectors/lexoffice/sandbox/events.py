"""Webhook events: lexoffice-style callbacks for every change, signed with the sandbox's key.

``EventBus.emit`` is called synchronously by the state layer on each change; deliveries run as
background tasks on the server's event loop, so an endpoint answers without waiting for them.
The callback body is the compact JSON ``{organizationId, eventType, resourceId, eventDate}`` and the
``X-Lxo-Signature`` header is base64 RSA-SHA512 over exactly those bytes.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx

from .clock import format_timestamp
from .signing import SigningKey, compact_json

if TYPE_CHECKING:
    from .state import Organization

SUBSCRIPTIONS = "event-subscriptions"


@dataclass
class Delivery:
    """One attempted callback (kept for inspection through the control surface)."""

    subscription_id: str
    url: str
    body: bytes
    status: int | None = None
    error: str | None = None


@dataclass
class EventBus:
    """Fans events out to the organization's subscriptions."""

    key: SigningKey
    timeout: float = 5.0
    deliveries: list[Delivery] = field(default_factory=list)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)
    _client: httpx.AsyncClient | None = None

    def emit(self, org: Organization, event_type: str, resource_id: str) -> None:
        """Queue callbacks for every subscription of ``org`` to ``event_type``."""
        subscriptions = [
            sub for sub in org.collection(SUBSCRIPTIONS).values() if sub["eventType"] == event_type.lower()
        ]
        if not subscriptions:
            return
        body = compact_json(
            {
                "organizationId": org.id,
                "eventType": event_type,
                "resourceId": resource_id,
                "eventDate": format_timestamp(org.clock.now()),
            }
        )
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # called outside the server (e.g. a unit test): nothing to deliver on
            return
        for sub in subscriptions:
            delivery = Delivery(sub["subscriptionId"], sub["callbackUrl"], body)
            self.deliveries.append(delivery)
            task = loop.create_task(self._deliver(org, delivery))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _deliver(self, org: Organization, delivery: Delivery) -> None:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=self.timeout)
        headers = {"Content-Type": "application/json", "X-Lxo-Signature": self.key.sign(delivery.body)}
        try:
            response = await self._client.post(delivery.url, content=delivery.body, headers=headers)
            delivery.status = response.status_code
        except httpx.HTTPError as exc:
            delivery.error = f"{type(exc).__name__}: {exc}"
            return
        if response.status_code == 404:
            # lexoffice deletes a subscription whose callback answers 404
            org.collection(SUBSCRIPTIONS).pop(delivery.subscription_id, None)

    async def drain(self) -> None:
        """Wait for all deliveries under way (used by the control surface and shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self) -> None:
        await self.drain()
        if self._client is not None:
            await self._client.aclose()

    def describe(self) -> list[dict[str, Any]]:
        return [
            {
                "subscriptionId": d.subscription_id,
                "url": d.url,
                "body": d.body.decode(),
                "status": d.status,
                "error": d.error,
            }
            for d in self.deliveries
        ]
