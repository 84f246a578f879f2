"""The retry policy, as pure functions: which outcomes are retried, backoff with full jitter, deadlines.

* 429: always retried — the upstream performed nothing; the pacer's schedule is pushed back first.
* 5xx and transport failures: retried with exponential backoff and full jitter, but only for idempotent
  calls (GET, PUT with a version, DELETE).
* A non-idempotent call (POST) that may have reached the upstream — a time-out after sending, a dropped
  connection, a 504 — is never re-sent: its outcome is unknown and the layer above resolves it. A POST whose
  connection could not even be opened was not sent, so it is retried like any other call.
* Every wait (backoff or pacing) must end before the caller's :class:`Deadline`.
"""

from __future__ import annotations

import enum
import random
import time
from dataclasses import dataclass


class Failure(enum.Enum):
    """A call that got no HTTP answer."""

    NOT_SENT = "not_sent"  # connecting failed: the upstream never saw the request
    MAYBE_SENT = "maybe_sent"  # time-out or broken connection after sending: it may have been performed


class Verdict(enum.Enum):
    """What to do with the outcome of one attempt."""

    DONE = "done"  # a final answer (2xx/3xx) — return it
    FAIL = "fail"  # a final error answer — raise it
    RATE_LIMITED = "rate_limited"  # 429: push the schedule back, then retry
    BACKOFF = "backoff"  # transient: retry after a backoff
    OUTCOME_UNKNOWN = "outcome_unknown"  # may have been performed: do not re-send


def classify(status: int | None, failure: Failure | None, idempotent: bool) -> Verdict:
    """The verdict for an attempt that got ``status`` (or no answer because of ``failure``)."""
    if status is None:
        if failure is Failure.NOT_SENT or idempotent:
            return Verdict.BACKOFF
        return Verdict.OUTCOME_UNKNOWN
    if status == 429:
        return Verdict.RATE_LIMITED
    if status < 400:
        return Verdict.DONE
    if status < 500:
        return Verdict.FAIL
    if idempotent:
        return Verdict.BACKOFF
    return Verdict.OUTCOME_UNKNOWN if status == 504 else Verdict.FAIL


@dataclass(frozen=True)
class Deadline:
    """An absolute point in ``time.monotonic()`` by which a call must have ended."""

    at: float

    @classmethod
    def after(cls, seconds: float) -> Deadline:
        return cls(time.monotonic() + seconds)

    def remaining(self) -> float:
        """Seconds left (negative once passed)."""
        return self.at - time.monotonic()


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently to retry."""

    max_attempts: int = 6
    base_delay: float = 0.25
    max_delay: float = 8.0

    def backoff(self, retry: int, rng: random.Random) -> float:
        """Full-jitter backoff before retry number ``retry``: uniform in [0, min(max, base * 2^(retry-1))]."""
        return rng.uniform(0.0, min(self.max_delay, self.base_delay * 2.0 ** (retry - 1)))

    def may_retry(self, attempt: int) -> bool:
        """Whether another attempt may follow attempt number ``attempt``."""
        return attempt < self.max_attempts
