"""``POST /v1/webhooks/lexoffice``: signatures, replays, stale and foreign callbacks, duplicates.

Callbacks are signed here with the sandbox's own signing key (what lexoffice's key is in production), so
each test controls the exact bytes.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest

from connectors.lexoffice.sandbox.signing import SigningKey
from tests.support.callbacks import callback_body, respelled
from tests.support.receiver import WebhookReceiver
from tests.support.sandbox import RunningSandbox
from tests.webhooks.conftest import Connected, HookedGateway, create_endpoint
from tests.webhooks.standard_webhooks import verify

PROBLEMS = "https://ledgerbridge.dev/problems/"


def post(hooked: HookedGateway, body: bytes, signature: str | None) -> httpx.Response:
    headers = {"Content-Type": "application/json"} | ({"X-Lxo-Signature": signature} if signature else {})
    return httpx.post(f"{hooked.url}/v1/webhooks/lexoffice", content=body, headers=headers)


def signed(sandbox: RunningSandbox, body: bytes) -> str:
    return sandbox.app.signing_key.sign(body)


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with WebhookReceiver() as running:
        yield running


@pytest.fixture
def secret(hooked: HookedGateway, connected: Connected, receiver: WebhookReceiver) -> str:
    """The signing secret of an endpoint of the connected tenant that wants ``contact.updated``."""
    with connected.client() as client:
        endpoint = create_endpoint(client, receiver.url, ["contact.updated"], include_resource=False)
    hooked.drain()
    return str(endpoint["secret"])


def test_a_signed_callback_is_accepted_and_becomes_one_delivered_event(
    hooked: HookedGateway,
    connected: Connected,
    sandbox: RunningSandbox,
    receiver: WebhookReceiver,
    secret: str,
) -> None:
    body = callback_body(connected.lex.id)
    response = post(hooked, body, signed(sandbox, body))
    hooked.drain()
    assert response.status_code == 202
    assert response.content == b""
    [delivery] = receiver.posts()
    event = verify(secret, delivery.headers, delivery.body)
    assert event["type"] == "contact.updated"
    assert event["data"]["resource"] is None
    assert event["data"]["resource_id"] == json.loads(body)["resourceId"]


@pytest.mark.parametrize("case", ["unsigned", "foreign key", "not base64", "empty"])
def test_unsigned_or_forged_callbacks_are_refused(
    hooked: HookedGateway, connected: Connected, receiver: WebhookReceiver, secret: str, case: str
) -> None:
    body = callback_body(connected.lex.id)
    signature = {
        "unsigned": None,
        "foreign key": SigningKey.generate().sign(body),
        "not base64": "***",
        "empty": base64.b64encode(b"").decode(),
    }[case]
    response = post(hooked, body, signature)
    hooked.drain()
    assert response.status_code == 401
    assert response.json()["type"] == PROBLEMS + "webhook-signature-invalid"
    assert receiver.posts() == []


def test_a_modified_body_is_refused(
    hooked: HookedGateway,
    connected: Connected,
    sandbox: RunningSandbox,
    receiver: WebhookReceiver,
    secret: str,
) -> None:
    body = callback_body(connected.lex.id)
    signature = signed(sandbox, body)
    for tampered in (body.replace(b"contact.changed", b"contact.deleted"), body + b" ", b" " + body):
        response = post(hooked, tampered, signature)
        assert response.status_code == 401
    hooked.drain()
    assert receiver.posts() == []


def test_a_replayed_callback_is_refused_and_delivered_once(
    hooked: HookedGateway,
    connected: Connected,
    sandbox: RunningSandbox,
    receiver: WebhookReceiver,
    secret: str,
) -> None:
    body = callback_body(connected.lex.id)
    signature = signed(sandbox, body)
    first, replay = post(hooked, body, signature), post(hooked, body, signature)
    hooked.drain()
    assert first.status_code == 202
    assert replay.status_code == 409
    assert replay.json()["type"] == PROBLEMS + "webhook-replayed"
    assert len(receiver.posts()) == 1


def test_a_duplicate_spelled_differently_makes_no_second_event(
    hooked: HookedGateway,
    connected: Connected,
    sandbox: RunningSandbox,
    receiver: WebhookReceiver,
    secret: str,
) -> None:
    body = callback_body(connected.lex.id)
    again = respelled(body)
    assert post(hooked, body, signed(sandbox, body)).status_code == 202
    assert post(hooked, again, signed(sandbox, again)).status_code == 202
    hooked.drain()
    with connected.client() as client:
        log = client.get("/v1/events").json()
    assert len(receiver.posts()) == 1
    assert len(log["data"]) == 1


def test_a_callback_from_long_ago_is_refused(
    hooked: HookedGateway,
    connected: Connected,
    sandbox: RunningSandbox,
    receiver: WebhookReceiver,
    secret: str,
) -> None:
    body = callback_body(connected.lex.id, age=timedelta(hours=2))
    response = post(hooked, body, signed(sandbox, body))
    hooked.drain()
    assert response.status_code == 422
    assert response.json()["type"] == PROBLEMS + "webhook-expired"
    assert receiver.posts() == []


def test_a_callback_for_an_unknown_organization_is_404_so_lexoffice_drops_it(
    hooked: HookedGateway, redis_url: str, sandbox: RunningSandbox
) -> None:
    body = callback_body(str(uuid.uuid4()))
    response = post(hooked, body, signed(sandbox, body))
    assert response.status_code == 404


@pytest.mark.parametrize("body", [b"{}", b"not json", b'{"organizationId": 1}'])
def test_a_signed_body_that_is_no_callback_is_a_bad_request(
    hooked: HookedGateway, redis_url: str, sandbox: RunningSandbox, body: bytes
) -> None:
    response = post(hooked, body, signed(sandbox, body))
    assert response.status_code == 400
    assert response.json()["type"] == PROBLEMS + "bad-request"


def test_lexoffice_s_head_probe_is_answered(hooked: HookedGateway) -> None:
    assert httpx.head(f"{hooked.url}/v1/webhooks/lexoffice").status_code == 200


def test_without_a_configured_key_callbacks_are_refused(
    strict: HookedGateway, sandbox: RunningSandbox
) -> None:
    body = callback_body(str(uuid.uuid4()))
    response = post(strict, body, signed(sandbox, body))
    assert response.status_code == 503
    assert response.json()["type"] == PROBLEMS + "webhooks-not-configured"
