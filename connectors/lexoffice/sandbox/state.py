"""The sandbox's in-memory world: organizations, their API keys and their records.

Records are stored as the JSON objects lexoffice returns (camelCase dicts, amounts as ``Decimal``), so
an endpoint returns what it stored. Every change goes through :meth:`Organization.touch` (or
:meth:`Organization.create`), which keeps ``version`` / ``updatedDate`` honest and fires the matching
webhook event — also for changes the sandbox makes itself (payments, status changes, user edits).
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .clock import Clock, format_timestamp
from .faults import FaultPlan
from .ratelimit import TokenBucket

Record = dict[str, Any]
EventSink = Callable[["Organization", str, str], None]

# collection name -> voucher-number prefix (None: no number)
NUMBER_PREFIXES = {
    "invoices": "RE",
    "down-payment-invoices": "RE",
    "credit-notes": "GS",
    "delivery-notes": "LS",
    "order-confirmations": "AB",
    "quotations": "AG",
}


@dataclass
class StoredFile:
    """An uploaded or rendered file."""

    id: str
    content: bytes
    media_type: str
    filename: str
    created: datetime
    voucher_id: str | None = None


@dataclass
class ApiKey:
    """One lexoffice API key: it belongs to one organization and has its own token bucket and faults."""

    token: str
    organization_id: str
    bucket: TokenBucket
    faults: FaultPlan = field(default_factory=FaultPlan)
    revoked: bool = False


@dataclass
class Organization:
    """One lexoffice organization (a customer's company) with all its data."""

    id: str
    company_name: str
    clock: Clock
    emit: EventSink
    tax_type: str = "net"
    small_business: bool = False
    distance_sales_principle: str = "ORIGIN"
    business_features: list[str] = field(
        default_factory=lambda: ["INVOICING", "INVOICING_PRO", "BOOKKEEPING"]
    )
    connection_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    user_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    user_name: str = "Sandbox User"
    user_email: str = "sandbox@example.org"
    created_at: datetime | None = None
    collections: dict[str, dict[str, Record]] = field(default_factory=dict)
    files: dict[str, StoredFile] = field(default_factory=dict)
    counters: dict[str, int] = field(default_factory=dict)
    # voucher id -> payment items (lexoffice payment item JSON), written by the control surface
    payment_items: dict[str, list[Record]] = field(default_factory=dict)

    def collection(self, name: str) -> dict[str, Record]:
        """The records of one resource type (e.g. ``"contacts"``), by id."""
        return self.collections.setdefault(name, {})

    def get(self, name: str, record_id: str) -> Record | None:
        return self.collections.get(name, {}).get(record_id)

    def next_number(self, counter: str, start: int = 1) -> int:
        """Next value of a per-organization sequence (voucher numbers, customer numbers)."""
        value = self.counters.get(counter, start - 1) + 1
        self.counters[counter] = value
        return value

    def next_voucher_number(self, collection: str) -> str | None:
        prefix = NUMBER_PREFIXES.get(collection)
        if prefix is None:
            return None
        return f"{prefix}{self.next_number('voucher:' + prefix, start=1001):04d}"

    def create(self, name: str, record: Record, event_prefix: str | None = None) -> Record:
        """Store a new record with id, organizationId, timestamps and version 1; fire ``<prefix>.created``."""
        now = format_timestamp(self.clock.now())
        record.setdefault("id", str(uuid.uuid4()))
        record["organizationId"] = self.id
        record["createdDate"] = now
        record["updatedDate"] = now
        record["version"] = 1
        self.collection(name)[record["id"]] = record
        if event_prefix:
            self.emit(self, f"{event_prefix}.created", record["id"])
        return record

    def touch(self, record: Record, *events: str) -> Record:
        """Record a change: bump ``version``, refresh ``updatedDate``, fire ``events``."""
        record["version"] = int(record.get("version", 0)) + 1
        record["updatedDate"] = format_timestamp(self.clock.now())
        for event in events:
            self.emit(self, event, record["id"])
        return record

    def store_file(
        self, content: bytes, media_type: str, filename: str, voucher_id: str | None = None
    ) -> StoredFile:
        stored = StoredFile(
            str(uuid.uuid4()), content, media_type, filename, self.clock.now(), voucher_id=voucher_id
        )
        self.files[stored.id] = stored
        return stored

    def profile(self) -> Record:
        """``GET /v1/profile`` for this organization."""
        created = self.created_at or self.clock.now()
        body: Record = {
            "organizationId": self.id,
            "companyName": self.company_name,
            "created": {
                "userId": self.user_id,
                "userName": self.user_name,
                "userEmail": self.user_email,
                "date": format_timestamp(created),
            },
            "connectionId": self.connection_id,
            "features": ["cashbox"],
            "businessFeatures": list(self.business_features),
            "subscriptionStatus": "active",
            "taxType": self.tax_type,
            "smallBusiness": self.small_business,
        }
        if self.distance_sales_principle:
            body["distanceSalesPrinciple"] = self.distance_sales_principle
        return body


class SandboxState:
    """All organizations and keys of one sandbox instance."""

    def __init__(self, *, rate: float, burst: float, emit: EventSink, clock: Clock | None = None) -> None:
        self.rate = rate
        self.burst = burst
        self.emit = emit
        self.clock = clock or Clock()
        self.organizations: dict[str, Organization] = {}
        self.keys: dict[str, ApiKey] = {}

    def create_organization(
        self, company_name: str = "Sandbox GmbH", organization_id: str | None = None, **settings: Any
    ) -> Organization:
        """A new organization (``organization_id`` fixes its id, e.g. for a demo that restarts)."""
        org = Organization(
            id=organization_id or str(uuid.uuid4()),
            company_name=company_name,
            clock=self.clock,
            emit=self.emit,
            created_at=self.clock.now(),
            **settings,
        )
        self.organizations[org.id] = org
        return org

    def create_key(
        self,
        organization_id: str,
        token: str | None = None,
        rate: float | None = None,
        burst: float | None = None,
    ) -> ApiKey:
        """Issue an API key for an organization (``token`` fixes its value, for scripts and CI)."""
        if organization_id not in self.organizations:
            raise KeyError(organization_id)
        token = token or secrets.token_urlsafe(32)
        key = ApiKey(
            token,
            organization_id,
            TokenBucket(rate if rate is not None else self.rate, burst if burst is not None else self.burst),
        )
        self.keys[token] = key
        return key

    def authenticate(self, token: str) -> ApiKey | None:
        key = self.keys.get(token)
        if key is None or key.revoked:
            return None
        return key
