"""Unified events: what happened in a connected account, delivered to the tenant's webhook endpoints.

An event says what changed (``type``, e.g. ``contact.updated``), in which account, and which resource; unless
the endpoint opted out, it carries the resource as it is now (``data.resource``, the unified model), so the
receiver need not call back. Events are also kept in a log (``GET /v1/events``) with their delivery state
per endpoint, and can be delivered again (``POST /v1/events/{id}/redeliver``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec


class UpstreamEvent(msgspec.Struct, frozen=True, kw_only=True):
    """The upstream's own notification this event was made from."""

    connector: str
    """``lexoffice``."""
    event_type: str
    """The upstream's event type (e.g. lexoffice's ``contact.changed``)."""
    organization_id: str
    resource_id: str
    event_date: str
    """When the upstream says the change happened (its timestamp, verbatim)."""


class EventData(msgspec.Struct, frozen=True, kw_only=True):
    """The resource an event is about."""

    resource_type: str
    """``contact``, ``invoice``, ``credit_note``, ``voucher``, ``payment``, ``quotation``, ...; ``account``
    for account events."""
    resource_id: str
    """The upstream's id of the resource (for ``payment.updated``: the voucher whose payments changed; for
    ``account.credentials_revoked``: the upstream connection id)."""
    resource: dict[str, Any] | None = None
    """The resource as it is now, in the unified model; ``null`` for deletions, when the endpoint opted out,
    or when it could not be fetched."""
    upstream: UpstreamEvent


class Event(msgspec.Struct, frozen=True, kw_only=True):
    """One event, exactly as POSTed to an endpoint (Standard Webhooks payload: ``type``, ``timestamp``,
    ``data``)."""

    id: str
    """``evt_...``; also the ``webhook-id`` header, the same on every retry: deduplicate on it."""
    type: str
    """``contact.created``, ``contact.updated``, ``contact.deleted``, ``invoice.status_changed``,
    ``payment.updated``, ``account.credentials_revoked``, ... (unknown upstream types:
    ``lexoffice.<type>``)."""
    timestamp: datetime
    """When LedgerBridge received the change."""
    account_id: str
    data: EventData


class EventDelivery(msgspec.Struct, frozen=True, kw_only=True):
    """The delivery state of one event towards one endpoint."""

    endpoint_id: str
    status: str
    """``pending`` (queued), ``delivering`` (an attempt is under way), ``retrying`` (failed, next attempt
    at ``next_attempt_at``), ``delivered``, ``dead`` (every attempt failed; redeliver to try again) or
    ``canceled`` (the endpoint was deleted)."""
    attempts: int
    """Attempts made so far (all series, redeliveries included)."""
    last_attempt_at: datetime | None = None
    last_status_code: int | None = None
    """The endpoint's HTTP status on the last attempt (``null``: no answer)."""
    last_error: str | None = None
    next_attempt_at: datetime | None = None
    delivered_at: datetime | None = None


class EventLogEntry(Event, frozen=True, kw_only=True):
    """An event in the log, with its delivery state per endpoint."""

    deliveries: list[EventDelivery]


class EventList(msgspec.Struct, frozen=True):
    """One page of the event log, newest first."""

    data: list[EventLogEntry]
    next_cursor: str | None = None


class Redelivery(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Deliver an event again: to one endpoint, or (``null``) to every endpoint it went to."""

    endpoint_id: str | None = None
