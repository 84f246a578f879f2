"""The retry policy (:mod:`connectors.retry`): verdicts, full-jitter backoff, deadlines."""

from __future__ import annotations

import random

import pytest

from connectors.retry import Deadline, Failure, RetryPolicy, Verdict, classify


@pytest.mark.parametrize(
    ("status", "failure", "idempotent", "verdict"),
    [
        (200, None, False, Verdict.DONE),
        (201, None, False, Verdict.DONE),
        (204, None, True, Verdict.DONE),
        (429, None, False, Verdict.RATE_LIMITED),
        (429, None, True, Verdict.RATE_LIMITED),
        (400, None, True, Verdict.FAIL),
        (404, None, True, Verdict.FAIL),
        (406, None, False, Verdict.FAIL),
        (409, None, True, Verdict.FAIL),
        (500, None, True, Verdict.BACKOFF),
        (503, None, True, Verdict.BACKOFF),
        (504, None, True, Verdict.BACKOFF),
        (500, None, False, Verdict.FAIL),
        (503, None, False, Verdict.FAIL),
        (504, None, False, Verdict.OUTCOME_UNKNOWN),
        (None, Failure.NOT_SENT, False, Verdict.BACKOFF),
        (None, Failure.NOT_SENT, True, Verdict.BACKOFF),
        (None, Failure.MAYBE_SENT, True, Verdict.BACKOFF),
        (None, Failure.MAYBE_SENT, False, Verdict.OUTCOME_UNKNOWN),
    ],
)
def test_verdicts(status: int | None, failure: Failure | None, idempotent: bool, verdict: Verdict) -> None:
    assert classify(status, failure, idempotent) is verdict


def test_backoff_is_full_jitter_under_an_exponential_cap() -> None:
    policy = RetryPolicy(base_delay=0.25, max_delay=2.0)
    rng = random.Random(7)
    for retry, cap in [(1, 0.25), (2, 0.5), (3, 1.0), (4, 2.0), (9, 2.0)]:
        delays = [policy.backoff(retry, rng) for _ in range(500)]
        assert all(0.0 <= delay <= cap for delay in delays)
        assert min(delays) < cap / 10
        assert max(delays) > cap * 0.9


def test_attempts_are_bounded() -> None:
    policy = RetryPolicy(max_attempts=3)
    assert [policy.may_retry(attempt) for attempt in (1, 2, 3)] == [True, True, False]


def test_deadline_counts_down_and_can_be_past() -> None:
    deadline = Deadline.after(30)
    assert 0 < deadline.remaining() <= 30
    assert Deadline.after(-1).remaining() < 0
