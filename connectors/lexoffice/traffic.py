"""lexoffice's traffic defaults: where it lives, how fast we may call it, what is safe to repeat, versions.

**Pacing.** lexoffice allows 2 requests/second per API key (a token bucket over all endpoints; its capacity
is not documented) and warns that clients sending at exactly the limit get throttled by jitter. We send at
1.95 requests/second — a 2.5 % margin, so 97.5 % of the quota stays usable — with burst 1, never relying
on the undocumented capacity. Against a bucket of capacity ≥ 2 the margin keeps the bucket topped up, so
a late send followed by a punctual one (up to half a second of jitter) passes; against capacity 1 it
still absorbs 12.8 ms. A 429 anyway costs one retry, nothing more: lexoffice performed nothing, and the
key's schedule is pushed back by 1 s (a drained 2/s bucket then holds two tokens again). Spacing and
burst are overridable per account (:func:`lexoffice_credential`).

**Idempotency.** GET, HEAD, DELETE are safe to repeat; a PUT carries ``version``, so a repeat of a PUT
that was performed answers 409 (handled by the locking engine) — also safe. POSTs are not.

**Versions.** Every versioned entity has an integer ``version``; PUT replaces the whole resource and must
carry the current one (409 otherwise) and answers ``{id, resourceUri, createdDate, updatedDate, version}``.
Read-only members sent back in a PUT are ignored by lexoffice, so whole bodies are sent as read.
"""

from __future__ import annotations

from typing import Any

from ..concurrency import Resource
from ..http import TrafficProfile, UpstreamCredential
from ..merge import JsonObject
from .errors import parse_error

BASE_URL = "https://api.lexware.io"
RATE_LIMIT = 2.0  # requests/second per API key, as documented
MARGIN = 0.025  # we send 2.5 % under the limit
INTERVAL = 1 / (RATE_LIMIT * (1 - MARGIN))  # seconds between sends: 512.8 ms
BURST = 1
PENALTY = 1.0  # seconds the schedule is pushed back after a 429

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "DELETE"})


def is_idempotent(method: str, body: Any) -> bool:
    """Whether a lexoffice call may be re-sent after it possibly reached lexoffice."""
    if method in _SAFE_METHODS:
        return True
    return method == "PUT" and isinstance(body, dict) and "version" in body


def lexoffice_profile(base_url: str = BASE_URL) -> TrafficProfile:
    """The traffic profile of lexoffice (or of the sandbox at ``base_url``)."""
    return TrafficProfile(
        name="lexoffice",
        base_url=base_url,
        parse_error=parse_error,
        is_idempotent=is_idempotent,
        penalty=PENALTY,
    )


def lexoffice_credential(
    api_key: str, *, interval: float = INTERVAL, burst: int = BURST
) -> UpstreamCredential:
    """A lexoffice API key with its pacing (defaults above; an account may override them)."""
    return UpstreamCredential.create("lexoffice", api_key, interval=interval, burst=burst)


class LexofficeVersioning:
    """The locking engine's adapter for lexoffice: ``/v1/<collection>/<id>`` and the ``version`` member."""

    def locate(self, resource: Resource) -> tuple[str, str]:
        return f"/v1/{resource.collection}/{resource.id}", f"/v1/{resource.collection}/{{id}}"

    def version_of(self, body: JsonObject) -> int:
        return int(body["version"])

    def put_body(self, body: JsonObject, version: int) -> JsonObject:
        return {**body, "version": version}

    def after_put(self, sent: JsonObject, answer: JsonObject) -> JsonObject:
        updated: JsonObject = {key: answer[key] for key in ("version", "updatedDate") if key in answer}
        return {**sent, **updated}
