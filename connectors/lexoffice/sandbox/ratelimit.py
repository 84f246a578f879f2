"""The token bucket lexoffice uses per API key (2 requests/second across all endpoints by default)."""

from __future__ import annotations

import time


class TokenBucket:
    """Classic token bucket: ``rate`` tokens per second, at most ``capacity`` stored."""

    def __init__(self, rate: float, capacity: float) -> None:
        self.rate = rate
        self.capacity = max(capacity, 1.0)
        self.tokens = self.capacity
        self.updated = time.monotonic()
        self.accepted = 0
        self.rejected = 0

    def configure(self, rate: float | None = None, capacity: float | None = None) -> None:
        """Change the bucket's parameters; it starts full."""
        if rate is not None:
            self.rate = rate
        if capacity is not None:
            self.capacity = max(capacity, 1.0)
        self.tokens = self.capacity
        self.updated = time.monotonic()

    def try_take(self) -> bool:
        """Take one token if there is one; ``False`` means: answer 429 and perform nothing."""
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            self.accepted += 1
            return True
        self.rejected += 1
        return False

    def stats(self) -> dict[str, float]:
        return {
            "rate": self.rate,
            "capacity": self.capacity,
            "accepted": self.accepted,
            "rejected": self.rejected,
        }
