"""Outbound delivery: retries with backoff, dead letters, redelivery by API, secret rotation, shared work.

The gateway's retry schedule is a few milliseconds per step here (``RETRIES`` retries after the first
attempt), so the whole series runs within a drain.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.support.callbacks import callback_body
from tests.support.receiver import WebhookReceiver
from tests.support.sandbox import RunningSandbox
from tests.webhooks.conftest import RETRIES, Connected, HookedGateway, create_endpoint, hooked_gateway
from tests.webhooks.standard_webhooks import verify

ATTEMPTS = RETRIES + 1


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with WebhookReceiver() as running:
        yield running


@pytest.fixture
def endpoint(hooked: HookedGateway, connected: Connected, receiver: WebhookReceiver) -> dict[str, Any]:
    """An endpoint of the connected tenant for ``contact.updated`` (no resource), subscriptions in place."""
    with connected.client() as client:
        created = create_endpoint(client, receiver.url, ["contact.updated"], include_resource=False)
    hooked.drain()
    return created


def send_callback(
    gateway: HookedGateway | httpx.Client, sandbox: RunningSandbox, organization_id: str
) -> str:
    """Post a signed ``contact.changed`` callback to a gateway (or its client); returns the resource id."""
    resource_id = str(uuid.uuid4())
    body = callback_body(organization_id, resource_id=resource_id)
    headers = {"Content-Type": "application/json", "X-Lxo-Signature": sandbox.app.signing_key.sign(body)}
    if isinstance(gateway, httpx.Client):
        response = gateway.post("/v1/webhooks/lexoffice", content=body, headers=headers)
    else:
        response = httpx.post(f"{gateway.url}/v1/webhooks/lexoffice", content=body, headers=headers)
    assert response.status_code == 202, response.text
    return resource_id


def only_event(connected: Connected) -> dict[str, Any]:
    with connected.client() as client:
        [event] = client.get("/v1/events").json()["data"]
    return dict(event)


def test_a_receiver_that_fails_then_recovers_gets_the_event_delivered_once(
    hooked: HookedGateway,
    connected: Connected,
    sandbox: RunningSandbox,
    receiver: WebhookReceiver,
    endpoint: dict[str, Any],
) -> None:
    receiver.respond_with(500, times=RETRIES)
    send_callback(hooked, sandbox, connected.lex.id)
    hooked.drain()
    posts = receiver.posts()
    assert len(posts) == ATTEMPTS
    assert len({post.header("webhook-id") for post in posts}) == 1
    assert [verify(endpoint["secret"], post.headers, post.body) for post in posts] == [
        json.loads(posts[0].body)
    ] * 4
    [delivery] = only_event(connected)["deliveries"]
    assert delivery["status"] == "delivered"
    assert delivery["attempts"] == ATTEMPTS
    assert delivery["last_status_code"] == 200
    assert delivery["delivered_at"] is not None


def test_a_receiver_that_always_fails_is_dead_lettered_then_redelivered_by_api(
    hooked: HookedGateway,
    connected: Connected,
    sandbox: RunningSandbox,
    receiver: WebhookReceiver,
    endpoint: dict[str, Any],
) -> None:
    receiver.respond_with(503, times=ATTEMPTS)
    send_callback(hooked, sandbox, connected.lex.id)
    hooked.drain()
    event = only_event(connected)
    assert event["deliveries"][0] | {"last_attempt_at": None} == {
        "endpoint_id": endpoint["id"],
        "status": "dead",
        "attempts": ATTEMPTS,
        "last_attempt_at": None,
        "last_status_code": 503,
        "last_error": "answered HTTP 503",
        "next_attempt_at": None,
        "delivered_at": None,
    }
    assert len(receiver.posts()) == ATTEMPTS

    with connected.client() as client:
        redelivered = client.post(f"/v1/events/{event['id']}/redeliver")
        hooked.drain()
        after = client.get(f"/v1/events/{event['id']}").json()
    assert redelivered.status_code == 202
    assert redelivered.json()["deliveries"][0]["status"] in ("pending", "delivering", "delivered")
    assert after["deliveries"][0]["status"] == "delivered"
    assert after["deliveries"][0]["attempts"] == ATTEMPTS + 1
    last = receiver.posts()[-1]
    assert verify(endpoint["secret"], last.headers, last.body)["id"] == event["id"]


def test_redelivery_checks_its_input_and_cancels_for_deleted_endpoints(
    hooked: HookedGateway,
    connected: Connected,
    sandbox: RunningSandbox,
    receiver: WebhookReceiver,
    endpoint: dict[str, Any],
) -> None:
    send_callback(hooked, sandbox, connected.lex.id)
    hooked.drain()
    event_id = only_event(connected)["id"]
    with connected.client() as client:
        unknown_event = client.post("/v1/events/evt_01m84yjbqbw17nyfngc38g922m/redeliver")
        other_endpoint = client.post(f"/v1/events/{event_id}/redeliver", json={"endpoint_id": "wep_x"})
        assert client.delete(f"/v1/webhook-endpoints/{endpoint['id']}").status_code == 204
        redelivered = client.post(f"/v1/events/{event_id}/redeliver", json={"endpoint_id": endpoint["id"]})
        hooked.drain()
        after = client.get(f"/v1/events/{event_id}").json()
    assert unknown_event.status_code == 404
    assert other_endpoint.status_code == 422
    assert redelivered.status_code == 202
    assert after["deliveries"][0]["status"] == "canceled"
    assert after["deliveries"][0]["last_error"] == "the endpoint was deleted"
    assert len(receiver.posts()) == 1


def test_after_a_rotation_deliveries_are_signed_with_both_secrets_during_the_grace_period(
    hooked: HookedGateway,
    connected: Connected,
    sandbox: RunningSandbox,
    receiver: WebhookReceiver,
    endpoint: dict[str, Any],
) -> None:
    with connected.client() as client:
        rotated = client.post(f"/v1/webhook-endpoints/{endpoint['id']}/rotate-secret", json={})
        send_callback(hooked, sandbox, connected.lex.id)
        hooked.drain()
        immediate = client.post(
            f"/v1/webhook-endpoints/{endpoint['id']}/rotate-secret", json={"grace_period_seconds": 0}
        )
        send_callback(hooked, sandbox, connected.lex.id)
        hooked.drain()
        shown = client.get(f"/v1/webhook-endpoints/{endpoint['id']}").json()
    assert rotated.status_code == 200
    new_secret, newest_secret = rotated.json()["secret"], immediate.json()["secret"]
    assert len({endpoint["secret"], new_secret, newest_secret}) == 3
    during_grace, after_immediate = receiver.posts()
    assert len(during_grace.headers["webhook-signature"].split(" ")) == 2
    assert verify(endpoint["secret"], during_grace.headers, during_grace.body)
    assert verify(new_secret, during_grace.headers, during_grace.body)
    assert after_immediate.headers["webhook-signature"].count("v1,") == 1
    assert verify(newest_secret, after_immediate.headers, after_immediate.body)
    assert len(shown["signing_secrets"]) == 1
    assert "secret" not in shown


def test_two_gateway_processes_share_the_work_and_deliver_each_event_once(
    hooked: HookedGateway,
    connected: Connected,
    sandbox: RunningSandbox,
    receiver: WebhookReceiver,
    endpoint: dict[str, Any],
) -> None:
    with (
        hooked_gateway(hooked.redis_url, sandbox, public_url=hooked.settings.public_url) as second,
        httpx.Client(base_url=hooked.url) as to_first,
        httpx.Client(base_url=second.url) as to_second,
    ):
        resources = [
            send_callback(client, sandbox, connected.lex.id)
            for _ in range(20)
            for client in (to_first, to_second)
        ]
        hooked.drain()
        second.drain()
    posts = receiver.posts()
    delivered = [verify(endpoint["secret"], post.headers, post.body) for post in posts]
    assert sorted(event["data"]["resource_id"] for event in delivered) == sorted(resources)
    assert len({post.header("webhook-id") for post in posts}) == len(resources) == len(posts)
