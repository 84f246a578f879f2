"""Fault injection per API key, driven through the sandbox control surface.

A plan has two parts: ``queue`` — deterministic faults consumed one per matching request, in order, each
optionally after letting ``skip`` matching requests pass (what the tests use) — and ``rates`` —
probabilities per fault kind with a seeded RNG (for soak tests and benchmarks). Fault kinds:

* ``status:<code>`` — answer ``<code>`` (429, 409, 500, 502, 503, ...) without performing the call;
* ``timeout`` — wait ``timeout_seconds`` (less if the plan is replaced meanwhile) then answer 504 without
  performing the call;
* ``timeout-after-perform`` — perform the call, discard its answer, answer 504 (lexoffice's
  "the request may have been processed");
* ``latency`` is not a fault but a fixed delay added to every request (``latency_ms``).
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from dataclasses import dataclass, field


@dataclass
class Fault:
    """One injected failure; ``methods``/``path_prefix`` restrict which requests it hits."""

    kind: str
    methods: tuple[str, ...] = ()
    path_prefix: str = ""
    skip: int = 0
    """Matching requests to let pass (unharmed) before this fault hits one."""

    def matches(self, method: str, path: str) -> bool:
        return (not self.methods or method in self.methods) and path.startswith(self.path_prefix)

    @property
    def status(self) -> int:
        if self.kind.startswith("status:"):
            return int(self.kind.split(":", 1)[1])
        return 504


@dataclass
class FaultPlan:
    """The faults configured for one API key."""

    latency_ms: int = 0
    timeout_seconds: float = 0.0
    queue: list[Fault] = field(default_factory=list)
    rates: dict[str, float] = field(default_factory=dict)
    seed: int = 0
    injected: int = 0
    _rng: random.Random = field(default_factory=random.Random, repr=False)
    _released: asyncio.Event = field(default_factory=asyncio.Event, repr=False)

    async def hold(self) -> None:
        """Wait ``timeout_seconds`` (a time-out fault), or less if the plan is replaced meanwhile."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._released.wait(), self.timeout_seconds)

    def release(self) -> None:
        """End the waits of requests held by this plan (it is being replaced)."""
        self._released.set()

    def reseed(self) -> None:
        self._rng = random.Random(self.seed)

    def next_fault(self, method: str, path: str) -> Fault | None:
        """The fault to inject into this request, if any (queued faults first)."""
        for index, fault in enumerate(self.queue):
            if fault.matches(method, path):
                if fault.skip:
                    fault.skip -= 1
                    return None
                del self.queue[index]
                self.injected += 1
                return fault
        for kind, probability in self.rates.items():
            if probability > 0 and self._rng.random() < probability:
                self.injected += 1
                return Fault(kind)
        return None

    def describe(self) -> dict[str, object]:
        return {
            "latency_ms": self.latency_ms,
            "timeout_seconds": self.timeout_seconds,
            "queue": [
                {"kind": f.kind, "methods": list(f.methods), "path_prefix": f.path_prefix, "skip": f.skip}
                for f in self.queue
            ],
            "rates": dict(self.rates),
            "seed": self.seed,
            "injected": self.injected,
        }
