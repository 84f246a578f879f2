"""The pacer: one GCRA schedule in Redis per upstream credential, shared by every gateway process.

A caller *reserves* its send slot (``pacer.lua`` reads Redis' ``TIME``, so all processes share one clock),
sleeps until it, then sends — no reject-and-retry loop, and the upstream's bucket never sees more than
``burst`` requests at once or more than one per ``interval`` on average. A caller whose slot lies beyond
its deadline gets :class:`~connectors.errors.DeadlineExceeded` at once, with ``retry_after``, and reserves
nothing. An upstream 429 (someone else used the key) pushes the schedule back with :meth:`Pacer.penalize`.

Credential ids are fingerprints (:func:`fingerprint`), never the secret.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

from .errors import DeadlineExceeded
from .redis_store import RedisStore

_MICRO = 1_000_000
# "no deadline": far beyond any schedule, well inside Lua's exact integer range
_UNBOUNDED_US = 10**15


def fingerprint(namespace: str, secret: str) -> str:
    """A stable, non-reversible id for a credential (SHA-256 of namespace and secret, 128 bits in hex)."""
    return hashlib.sha256(f"{namespace}\0{secret}".encode()).hexdigest()[:32]


def _micros(seconds: float) -> int:
    return _UNBOUNDED_US if math.isinf(seconds) else max(0, math.ceil(seconds * _MICRO))


@dataclass(frozen=True)
class Reservation:
    """A reserved send slot: sleep ``wait`` seconds, then send. ``slot`` is the slot on Redis' clock."""

    wait: float
    slot: float


class Pacer:
    """Reserves send slots on per-credential GCRA schedules in Redis."""

    def __init__(self, store: RedisStore) -> None:
        self.store = store

    async def reserve(
        self, credential_id: str, interval: float, burst: int = 1, max_wait: float = math.inf
    ) -> Reservation:
        """Reserve the credential's next send slot: ``burst`` back to back, then one per ``interval``.

        Raises :class:`DeadlineExceeded` (reserving nothing) if the wait would exceed ``max_wait`` seconds;
        its ``retry_after`` is how much later the same request would fit.
        """
        ok, amount, slot = await self.store.run_pacer(
            credential_id, "reserve", _micros(interval), max(1, burst), _micros(max_wait)
        )
        if not ok:
            retry_after = amount / _MICRO
            raise DeadlineExceeded(
                f"the next upstream slot is {retry_after:.3f}s beyond the request's deadline",
                retry_after=retry_after,
            )
        return Reservation(wait=amount / _MICRO, slot=slot / _MICRO)

    async def penalize(self, credential_id: str, seconds: float) -> float:
        """After an upstream 429: no slot before ``seconds`` from now. Returns the next free slot time."""
        _, _, schedule = await self.store.run_pacer(credential_id, "penalize", _micros(seconds))
        return schedule / _MICRO
