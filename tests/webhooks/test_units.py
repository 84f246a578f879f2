"""The pure parts of webhooks: Standard Webhooks signing, the event mapping, backoff, target URLs, ids."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connectors.lexoffice.sandbox.subscriptions import EVENT_TYPES
from gateway.ids import new_id
from gateway.problems import PROBLEM_TYPES
from gateway.webhooks.delivery import backoff
from gateway.webhooks.eventlog import first_id_at
from gateway.webhooks.mapping import (
    LEXOFFICE_EVENTS,
    UNIFIED_EVENT_TYPES,
    lexoffice_types_for,
    map_lexoffice_event,
    matches,
    unknown_filters,
)
from gateway.webhooks.problems import WEBHOOK_PROBLEM_TYPES
from gateway.webhooks.signing import generate_secret, secret_key, sign, webhook_headers
from gateway.webhooks.targets import TargetPolicy, TargetRefused
from tests.webhooks.standard_webhooks import SignatureError, verify

STRICT = TargetPolicy(require_https=True, allow_private=False)
LENIENT = TargetPolicy(require_https=False, allow_private=True)


def test_signature_reproduces_the_published_standard_webhooks_vector() -> None:
    signature = sign(
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        "msg_p5jXN8AQM9LWM0D4loKWxJek",
        1614265330,
        b'{"test": 2432232314}',
    )
    assert signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_secrets_are_whsec_and_32_random_bytes() -> None:
    first, second = generate_secret(), generate_secret()
    assert first.startswith("whsec_")
    assert len(secret_key(first)) == 32
    assert first != second


def test_headers_carry_one_signature_per_secret_and_each_verifies() -> None:
    old, new = generate_secret(), generate_secret()
    body = b'{"type":"contact.created"}'
    headers = webhook_headers([new, old], "evt_1", 1_700_000_000, body)
    assert headers["webhook-id"] == "evt_1"
    assert headers["webhook-timestamp"] == "1700000000"
    assert len(headers["webhook-signature"].split(" ")) == 2
    for secret in (old, new):
        assert verify(secret, headers, body, now=1_700_000_000) == {"type": "contact.created"}
    with pytest.raises(SignatureError):
        verify(generate_secret(), headers, body, now=1_700_000_000)
    with pytest.raises(SignatureError):
        verify(new, headers, body, now=1_700_000_000 + 301)


def test_every_documented_lexoffice_event_type_is_mapped() -> None:
    assert set(LEXOFFICE_EVENTS) == EVENT_TYPES
    assert len(LEXOFFICE_EVENTS) == 38
    assert len(UNIFIED_EVENT_TYPES) == 38


@pytest.mark.parametrize(
    ("lexoffice", "unified", "resource_type", "fetch"),
    [
        ("contact.created", "contact.created", "contact", True),
        ("contact.changed", "contact.updated", "contact", True),
        ("contact.deleted", "contact.deleted", "contact", False),
        ("invoice.status.changed", "invoice.status_changed", "invoice", True),
        ("credit-note.changed", "credit_note.updated", "credit_note", True),
        (
            "down-payment-invoice.status.changed",
            "down_payment_invoice.status_changed",
            "down_payment_invoice",
            True,
        ),
        ("voucher.deleted", "voucher.deleted", "voucher", False),
        ("payment.changed", "payment.updated", "payment", True),
        ("token.revoked", "account.credentials_revoked", "account", False),
        ("Contact.Changed", "contact.updated", "contact", True),
        ("article.created", "lexoffice.article.created", "article", False),
    ],
)
def test_event_mapping(lexoffice: str, unified: str, resource_type: str, fetch: bool) -> None:
    mapping = map_lexoffice_event(lexoffice)
    assert (mapping.type, mapping.resource_type, mapping.fetch_resource) == (unified, resource_type, fetch)


def test_filters_select_types_families_or_everything() -> None:
    assert matches("*", "invoice.created")
    assert matches("invoice.*", "invoice.status_changed")
    assert not matches("invoice.*", "invoice_x.created")
    assert matches("contact.updated", "contact.updated")
    assert not matches("contact.updated", "contact.created")
    assert unknown_filters(["contact.*", "*", "lexoffice.article.created", "contact.changed", "nope.*"]) == [
        "contact.changed",
        "nope.*",
    ]
    assert lexoffice_types_for(["contact.updated", "payment.*"]) == {"contact.changed", "payment.changed"}
    assert lexoffice_types_for(["*"]) == EVENT_TYPES
    assert lexoffice_types_for(["lexoffice.*"]) == set()


@given(tries=st.integers(min_value=0, max_value=10), seed=st.integers())
def test_backoff_is_full_jitter_over_the_schedule_then_gives_up(tries: int, seed: int) -> None:
    delays = (5.0, 30.0, 120.0, 600.0, 1800.0, 3600.0, 10800.0, 21600.0)
    wait = backoff(delays, tries, random.Random(seed))
    if tries >= len(delays):
        assert wait is None
    else:
        assert wait is not None
        assert 0 <= wait <= delays[tries]


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://example.com/hook", "https"),
        ("https://127.0.0.1/hook", "private"),
        ("https://10.1.2.3/hook", "private"),
        ("https://169.254.169.254/latest", "private"),
        ("https://[::1]/hook", "private"),
        ("https://[::ffff:192.168.0.1]/hook", "private"),
        ("https://100.64.0.1/hook", "private"),
        ("https://localhost/hook", "local host name"),
        ("https://printer.local/hook", "local host name"),
        ("https://user:pw@example.com/hook", "credentials"),
        ("ftp://example.com/hook", "https"),
        ("not a url", "https"),
    ],
)
def test_strict_policy_refuses(url: str, reason: str) -> None:
    with pytest.raises(TargetRefused, match=reason):
        STRICT.parse(url)


def test_strict_policy_accepts_public_https_and_lenient_accepts_loopback_http() -> None:
    assert str(STRICT.parse("https://203.0.114.7/hook?x=1")) == "https://203.0.114.7/hook?x=1"
    assert str(LENIENT.parse("http://127.0.0.1:8000/hook")) == "http://127.0.0.1:8000/hook"


def test_first_id_at_sorts_before_every_id_made_from_then_on() -> None:
    boundary = first_id_at("evt", 1_700_000_000_000)
    assert first_id_at("evt", 1_699_999_999_999) < boundary < new_id("evt")


def test_webhook_problem_types_have_their_own_slugs() -> None:
    slugs = [kind.slug for kind in (*PROBLEM_TYPES, *WEBHOOK_PROBLEM_TYPES)]
    assert len(slugs) == len(set(slugs))
