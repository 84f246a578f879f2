"""The per-tenant inbound limiter (GCRA in Redis, one round trip) and its response headers.

Headers follow draft-ietf-httpapi-ratelimit-headers-10 (the structured-field syntax introduced in -08):
``RateLimit-Policy: "default";q=<burst>;w=<burst / rate, seconds>`` and
``RateLimit: "default";r=<remaining>;t=<seconds until the full quota is back>``;
a refusal (429) adds ``Retry-After``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from redis.asyncio import Redis

from . import keys

SCRIPT = Path(__file__).with_name("ratelimit.lua").read_text()
POLICY = "default"
_MICROS = 1_000_000


@dataclass(frozen=True)
class Admission:
    """The limiter's verdict on one request."""

    admitted: bool
    remaining: int
    retry_after: float
    """Seconds until a request would be admitted (0 when admitted)."""
    reset: float
    """Seconds until the whole burst is available again."""
    rate: float
    burst: int

    def headers(self) -> dict[str, str]:
        """``RateLimit-Policy``, ``RateLimit`` and, on refusal, ``Retry-After``."""
        window = max(1, math.ceil(self.burst / self.rate))
        headers = {
            "RateLimit-Policy": f'"{POLICY}";q={self.burst};w={window}',
            "RateLimit": f'"{POLICY}";r={self.remaining};t={math.ceil(self.reset)}',
        }
        if not self.admitted:
            headers["Retry-After"] = str(max(1, math.ceil(self.retry_after)))
        return headers


class InboundLimiter:
    """Admits a tenant's requests at the tenant's rate (or the default), shared by all gateway replicas."""

    def __init__(self, redis: Redis, default_rate: float, default_burst: int) -> None:
        self._script = redis.register_script(SCRIPT)
        self.default_rate = default_rate
        self.default_burst = default_burst

    async def admit(self, tenant_id: str, key_id: str) -> Admission | None:
        """The verdict for one request with this API key, or ``None`` if the key has been revoked."""
        verdict, remaining, retry_after, reset, rate, burst = await self._script(
            keys=[
                keys.tenant(tenant_id),
                keys.tenant_api_keys(tenant_id),
                keys.tenant_api_keys_used(tenant_id),
                keys.tenant_limiter(tenant_id),
            ],
            args=[key_id, repr(self.default_rate), str(self.default_burst)],
        )
        if int(verdict) < 0:
            return None
        return Admission(
            admitted=int(verdict) == 1,
            remaining=int(remaining),
            retry_after=int(retry_after) / _MICROS,
            reset=int(reset) / _MICROS,
            rate=float(rate),
            burst=int(float(burst)),
        )
