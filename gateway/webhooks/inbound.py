"""``POST /v1/webhooks/lexoffice``: verify a lexoffice callback, refuse replays, queue it, answer at once.

lexoffice waits 5 s for an answer, so the route only checks and queues; the workers make events of it.
Checks, in order: ``X-Lxo-Signature`` is a base64 RSASSA-PKCS1-v1_5/SHA-512 signature of the exact body
bytes by the configured key (401 otherwise); the body is a callback (400); its ``eventDate`` is not older
than :data:`MAX_EVENT_AGE` (422); the organization has a connected account (404 — lexoffice then deletes
the subscription, which is right: nobody wants its events any more); the same body was not received within
:data:`REPLAY_WINDOW` (409). The replay marker (SHA-256 of the body) and the queue entry are written by one
script, so a callback is either queued once or refused.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import msgspec
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from redis.asyncio import Redis

from .. import keys
from ..problems import BAD_REQUEST, NOT_FOUND, ProblemError
from .problems import EXPIRED, NOT_CONFIGURED, REPLAYED, SIGNATURE_INVALID
from .streams import WorkStream

SIGNATURE_HEADER = "X-Lxo-Signature"
MAX_EVENT_AGE = timedelta(hours=1)
REPLAY_WINDOW = timedelta(hours=2)
"""Longer than :data:`MAX_EVENT_AGE`: a replay is either remembered or too old."""


class LexofficeCallback(msgspec.Struct, frozen=True):
    """lexoffice's callback body."""

    organizationId: str
    eventType: str
    resourceId: str
    eventDate: str


def load_public_key(pem: str | None) -> rsa.RSAPublicKey | None:
    """The RSA key of a PEM text (settings have checked it), or ``None``."""
    if pem is None:
        return None
    key = load_pem_public_key(pem.encode())
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValueError("the lexoffice webhook key must be an RSA public key")
    return key


def signature_valid(key: rsa.RSAPublicKey, body: bytes, signature: str) -> bool:
    """Whether ``signature`` (base64) is lexoffice's signature of ``body``."""
    try:
        key.verify(base64.b64decode(signature, validate=True), body, padding.PKCS1v15(), hashes.SHA512())
    except (InvalidSignature, binascii.Error, ValueError):
        return False
    return True


def parse_callback(body: bytes) -> LexofficeCallback:
    """The callback in ``body``; ``bad-request`` if it is not one."""
    try:
        return msgspec.json.decode(body, type=LexofficeCallback)
    except msgspec.DecodeError as exc:
        raise ProblemError(BAD_REQUEST, f"Not a lexoffice callback: {exc}.") from None


def event_instant(callback: LexofficeCallback) -> datetime:
    """The callback's ``eventDate``; ``bad-request`` if it is not an RFC 3339 instant."""
    try:
        instant = datetime.fromisoformat(callback.eventDate)
    except ValueError:
        instant = None
    if instant is None or instant.tzinfo is None:
        raise ProblemError(BAD_REQUEST, "eventDate must be an RFC 3339 timestamp with an offset.")
    return instant


class InboundCallbacks:
    """Checks and queues lexoffice callbacks."""

    def __init__(
        self,
        redis: Redis,
        public_key: rsa.RSAPublicKey | None,
        queue: WorkStream,
        on_queued: Callable[[], None] | None = None,
    ) -> None:
        self.redis = redis
        self.public_key = public_key
        self.queue = queue
        self.on_queued = on_queued

    async def accept(self, body: bytes, signature: str | None) -> None:
        """Queue a callback, or raise the problem that refuses it."""
        if self.public_key is None:
            raise ProblemError(
                NOT_CONFIGURED,
                "LEDGERBRIDGE_LEXOFFICE_WEBHOOK_PUBLIC_KEY is not set, so callbacks cannot be verified.",
            )
        if not signature or not signature_valid(self.public_key, body, signature.strip()):
            raise ProblemError(
                SIGNATURE_INVALID, f"{SIGNATURE_HEADER} is missing or does not match the body."
            )
        callback = parse_callback(body)
        if datetime.now(UTC) - event_instant(callback) > MAX_EVENT_AGE:
            raise ProblemError(EXPIRED, f"eventDate is more than {MAX_EVENT_AGE} in the past.")
        if not await self.redis.exists(keys.lexoffice_organization_accounts(callback.organizationId)):
            raise ProblemError(NOT_FOUND, "No account is connected to this lexoffice organization.")
        queued = await self.queue.add(
            {"body": body.decode()},
            once=keys.webhook_inbound_seen(hashlib.sha256(body).hexdigest()),
            once_ttl_ms=int(REPLAY_WINDOW.total_seconds() * 1000),
        )
        if not queued:
            raise ProblemError(REPLAYED, "This callback was received before.")
        if self.on_queued is not None:
            self.on_queued()
