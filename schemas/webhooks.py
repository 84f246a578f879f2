"""Tenant webhook endpoints: where LedgerBridge delivers unified events (Standard Webhooks).

Every delivery is a ``POST`` of one :class:`~schemas.events.Event` as JSON with the headers ``webhook-id``
(the event id, the same on every retry), ``webhook-timestamp`` (Unix seconds of the attempt) and
``webhook-signature`` (``v1,<base64 HMAC-SHA256>`` over ``"{webhook-id}.{webhook-timestamp}.{body}"``, keyed
with the base64-decoded part of the endpoint's ``whsec_`` secret; during a secret rotation it lists one
signature per valid secret, separated by spaces). Any 2xx answer is a success; anything else is retried with
exponential backoff for hours, then the delivery is dead-lettered (see ``/v1/events``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

Url = Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]
EventFilter = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=100,
        pattern=r"^(\*|[a-z][a-z0-9_-]*(\.[a-z][a-z0-9_-]*)*(\.\*)?)$",
        description="An event type (`contact.created`), a family (`invoice.*`) or `*` for every event.",
    ),
]
EventFilters = Annotated[list[EventFilter], msgspec.Meta(min_length=1, max_length=100)]
Description = Annotated[str, msgspec.Meta(max_length=500)]
GracePeriod = Annotated[int, msgspec.Meta(ge=0, le=7 * 24 * 3600)]


class WebhookEndpointCreate(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Register an endpoint. The answer shows its signing secret, this once."""

    url: Url
    """Where events are POSTed: an absolute ``https`` URL (``http`` only in development mode); private and
    loopback addresses are refused unless the gateway allows them."""
    events: EventFilters
    """The event types to deliver: exact types, families such as ``invoice.*``, or ``*``."""
    description: Description | None = None
    include_resource: bool = True
    """Whether events carry the current unified resource (``data.resource``); ``false`` sends only its id."""


class WebhookEndpointUpdate(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Change an endpoint; absent fields stay as they are, ``null`` clears the description."""

    url: Url | msgspec.UnsetType = msgspec.UNSET
    events: EventFilters | msgspec.UnsetType = msgspec.UNSET
    description: Description | msgspec.UnsetType | None = msgspec.UNSET
    include_resource: bool | msgspec.UnsetType = msgspec.UNSET


class SigningSecretInfo(msgspec.Struct, frozen=True):
    """One signing secret of an endpoint (never the secret itself)."""

    created_at: datetime
    expires_at: datetime | None = None
    """When a rotated-out secret stops being used; ``null`` for the current secret."""


class WebhookEndpoint(msgspec.Struct, frozen=True, kw_only=True):
    """A webhook endpoint, as returned by the API."""

    id: str
    url: str
    events: list[str]
    description: str | None
    include_resource: bool
    signing_secrets: list[SigningSecretInfo]
    """The secrets deliveries are signed with: the current one first, then rotated-out ones still valid."""
    created_at: datetime
    updated_at: datetime


class WebhookEndpointCreated(WebhookEndpoint, frozen=True, kw_only=True):
    """A new endpoint with its signing secret. ``secret`` is shown this once; store it."""

    secret: str
    """``whsec_`` followed by the base64 key (the Standard Webhooks format)."""


class SecretRotation(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Replace the signing secret; the old one keeps signing (next to the new one) for the grace period."""

    grace_period_seconds: GracePeriod = 24 * 3600


class RotatedSecret(msgspec.Struct, frozen=True):
    """The new signing secret, shown this once."""

    secret: str
    previous_secret_expires_at: datetime
    """Until then deliveries carry signatures with both the old and the new secret."""


class WebhookEndpointList(msgspec.Struct, frozen=True):
    """One page of webhook endpoints, oldest first."""

    data: list[WebhookEndpoint]
    next_cursor: str | None = None
