"""A change in the sandbox reaches a tenant's receiver as a correctly signed unified event.

Everything runs for real: the sandbox calls the gateway's inbound URL over loopback HTTP (signed with its
key), the gateway's workers make the event and POST it to a :class:`WebhookReceiver`, and the test checks
the delivery with its own Standard Webhooks implementation.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.support.receiver import WebhookReceiver
from tests.support.samples import sample
from tests.webhooks.conftest import Connected, HookedGateway, create_endpoint, subscriptions
from tests.webhooks.standard_webhooks import verify

CONTACT_EVENTS = {"contact.created", "contact.changed", "contact.deleted"}


def callback_url(hooked: HookedGateway) -> str:
    return f"{hooked.url}/v1/webhooks/lexoffice"


def create_contact(connected: Connected) -> dict[str, Any]:
    with connected.lex.client() as client:
        response = client.post("/v1/contacts", json=sample("003_contacts_create_request.json"))
    assert response.status_code in (200, 201), response.text
    created: dict[str, Any] = response.json()
    return created


def test_a_contact_created_in_the_sandbox_arrives_as_a_signed_unified_event(
    hooked: HookedGateway, connected: Connected
) -> None:
    with WebhookReceiver() as receiver, connected.client() as client:
        endpoint = create_endpoint(client, receiver.url, ["contact.*"])
        hooked.drain()
        assert {(s["eventType"], s["callbackUrl"]) for s in subscriptions(connected.lex)} == {
            (event_type, callback_url(hooked)) for event_type in CONTACT_EVENTS
        }

        contact = create_contact(connected)
        sandbox_calls = connected.lex.sandbox.drain_events()
        hooked.drain()
        log = client.get("/v1/events").json()

    ours = [call for call in sandbox_calls if call["url"] == callback_url(hooked)]
    assert [call["status"] for call in ours][-1:] == [202]
    [delivery] = receiver.posts()
    event = verify(endpoint["secret"], delivery.headers, delivery.body)
    assert delivery.header("content-type") == "application/json"
    assert delivery.header("webhook-id") == event["id"]
    assert event["id"].startswith("evt_")
    assert event["type"] == "contact.created"
    assert event["account_id"] == connected.account_id
    assert datetime.fromisoformat(event["timestamp"]) > datetime.now(UTC) - timedelta(minutes=1)
    resource = event["data"]["resource"]
    assert {k: resource[k] for k in ("id", "version", "name", "type")} == {
        "id": contact["id"],
        "version": 1,
        "name": "Inge Musterfrau",
        "type": "person",
    }
    assert event["data"] == {
        "resource_type": "contact",
        "resource_id": contact["id"],
        "resource": resource,
        "upstream": {
            "connector": "lexoffice",
            "event_type": "contact.created",
            "organization_id": connected.lex.id,
            "resource_id": contact["id"],
            "event_date": event["data"]["upstream"]["event_date"],
        },
    }
    [logged] = log["data"]
    assert logged["id"] == event["id"]
    assert logged["deliveries"][0]["endpoint_id"] == endpoint["id"]
    assert logged["deliveries"][0]["status"] == "delivered"
    assert logged["deliveries"][0]["attempts"] == 1
    assert logged["deliveries"][0]["last_status_code"] == 200


def test_a_change_made_in_the_sandbox_app_arrives_as_contact_updated_for_each_endpoint(
    hooked: HookedGateway, connected: Connected
) -> None:
    with WebhookReceiver() as full, WebhookReceiver() as lean, connected.client() as client:
        with_resource = create_endpoint(client, full.url, ["contact.updated"])
        without_resource = create_endpoint(client, lean.url, ["contact.*"], include_resource=False)
        hooked.drain()
        contact = create_contact(connected)
        connected.lex.sandbox.drain_events()
        hooked.drain()
        with connected.lex.client() as lex:
            current = lex.get(f"/v1/contacts/{contact['id']}").json()
            changed = lex.put(f"/v1/contacts/{contact['id']}", json=current | {"note": "VIP"})
        assert changed.status_code == 200, changed.text
        connected.lex.sandbox.drain_events()
        hooked.drain()
    [updated] = [verify(with_resource["secret"], p.headers, p.body) for p in full.posts()]
    lean_events = [verify(without_resource["secret"], p.headers, p.body) for p in lean.posts()]
    assert updated["type"] == "contact.updated"
    resource = updated["data"]["resource"]
    assert (resource["id"], resource["version"], resource["name"]) == (contact["id"], 2, "Inge Musterfrau")
    assert [event["type"] for event in lean_events] == ["contact.created", "contact.updated"]
    assert lean_events[1]["id"] == updated["id"]
    assert lean_events[1]["data"]["resource"] is None
    assert lean_events[1]["data"]["resource_id"] == contact["id"]


def test_revoking_the_key_in_lexoffice_arrives_as_account_credentials_revoked(
    hooked: HookedGateway, connected: Connected
) -> None:
    with WebhookReceiver() as receiver, connected.client() as client:
        endpoint = create_endpoint(client, receiver.url, ["account.*"])
        hooked.drain()
        assert [s["eventType"] for s in subscriptions(connected.lex)] == ["token.revoked"]
        with connected.lex.sandbox.control() as control:
            assert control.delete(f"/_sandbox/keys/{connected.lex.api_key}").status_code == 204
        connected.lex.sandbox.drain_events()
        hooked.drain()
    [delivery] = receiver.posts()
    event = verify(endpoint["secret"], delivery.headers, delivery.body)
    assert event["type"] == "account.credentials_revoked"
    assert event["account_id"] == connected.account_id
    assert event["data"]["resource_type"] == "account"
    assert event["data"]["resource_id"] == connected.lex.org.connection_id
    assert event["data"]["upstream"]["event_type"] == "token.revoked"


def test_upstream_subscriptions_follow_endpoints_are_recreated_when_dropped_and_go_with_the_account(
    hooked: HookedGateway, connected: Connected
) -> None:
    def held() -> set[str]:
        return {
            s["eventType"] for s in subscriptions(connected.lex) if s["callbackUrl"] == callback_url(hooked)
        }

    with connected.client() as client:
        endpoint = create_endpoint(client, "http://127.0.0.1:9/hook", ["contact.created"])
        hooked.drain()
        assert held() == {"contact.created"}

        client.patch(f"/v1/webhook-endpoints/{endpoint['id']}", json={"events": ["invoice.status_changed"]})
        hooked.drain()
        assert held() == {"invoice.status.changed"}

        [dropped] = subscriptions(connected.lex)
        with connected.lex.client() as lex:
            assert lex.delete(f"/v1/event-subscriptions/{dropped['subscriptionId']}").status_code == 204
        assert held() == set()
        assert hooked.run(hooked.webhooks.subscriptions.schedule_all()) == 1
        hooked.drain()
        assert held() == {"invoice.status.changed"}

        assert client.delete(f"/v1/accounts/{connected.account_id}").status_code == 204
        hooked.drain()
        assert subscriptions(connected.lex) == []


def test_a_second_account_of_the_same_organization_keeps_the_subscriptions_alive(
    hooked: HookedGateway, connected: Connected
) -> None:
    other = hooked.api.new_tenant("Second SaaS")
    with WebhookReceiver() as first_receiver, WebhookReceiver() as second_receiver:
        with connected.client() as client:
            first = create_endpoint(client, first_receiver.url, ["contact.created"])
        with other.client() as client:
            second_account = client.post(
                "/v1/accounts",
                json={"connector": "lexoffice", "credentials": {"api_key": connected.lex.api_key}},
            ).json()
            second = create_endpoint(client, second_receiver.url, ["contact.created"])
        hooked.drain()
        assert len(subscriptions(connected.lex)) == 1
        create_contact(connected)
        connected.lex.sandbox.drain_events()
        hooked.drain()
        with connected.client() as client:
            assert client.delete(f"/v1/accounts/{connected.account_id}").status_code == 204
        hooked.drain()
        assert len(subscriptions(connected.lex)) == 1
    [to_first] = [verify(first["secret"], p.headers, p.body) for p in first_receiver.posts()]
    [to_second] = [verify(second["secret"], p.headers, p.body) for p in second_receiver.posts()]
    assert to_first["account_id"] == connected.account_id
    assert to_second["account_id"] == second_account["id"]
    assert to_first["id"] != to_second["id"]
