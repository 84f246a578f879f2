"""Event subscriptions and their signed webhook callbacks, end to end over real HTTP."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import httpx
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from connectors.lexoffice.sandbox.app import SandboxConfig
from connectors.lexoffice.sandbox.subscriptions import EVENT_TYPES
from gateway.serving import free_port
from tests.support.receiver import ReceivedRequest, WebhookReceiver
from tests.support.samples import sample
from tests.support.sandbox import RunningSandbox, SandboxOrg, running_sandbox

ENDPOINT = "/v1/event-subscriptions"
REGULAR_ERROR_KEYS = {"timestamp", "status", "error", "path", "traceId", "message", "details"}
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}(Z|[+-]\d{2}:\d{2})$")


@pytest.fixture
def receivers() -> Iterator[Callable[[], WebhookReceiver]]:
    """Start as many webhook receivers as a test needs; all stop at its end."""
    with ExitStack() as stack:
        yield lambda: stack.enter_context(WebhookReceiver())


@pytest.fixture
def receiver(receivers: Callable[[], WebhookReceiver]) -> WebhookReceiver:
    return receivers()


@pytest.fixture(scope="module")
def https_only() -> Iterator[RunningSandbox]:
    """A sandbox with lexoffice's own rule (https callbacks only) that does not probe: tests are offline."""
    config = SandboxConfig(allow_insecure_callbacks=False, probe_callbacks=False)
    with running_sandbox(config) as running:
        yield running


def subscribe(client: httpx.Client, event_type: str, url: str) -> httpx.Response:
    return client.post(ENDPOINT, json={"eventType": event_type, "callbackUrl": url})


def stored_subscriptions(org: SandboxOrg) -> list[dict[str, Any]]:
    """The organization's subscriptions as stored (control surface: works after the key is revoked)."""
    with org.sandbox.control() as c:
        records: list[dict[str, Any]] = c.get(
            f"/_sandbox/organizations/{org.id}/records/event-subscriptions"
        ).json()
        return records


def revoke_key(org: SandboxOrg) -> None:
    """The user deletes the API client: the sandbox fires ``token.revoked``."""
    with org.sandbox.control() as c:
        assert c.delete(f"/_sandbox/keys/{org.api_key}").status_code == 204


def public_key(sandbox: RunningSandbox) -> rsa.RSAPublicKey:
    with sandbox.control() as c:
        key = load_pem_public_key(c.get("/_sandbox/public-key.pem").content)
    assert isinstance(key, rsa.RSAPublicKey)
    return key


def verify(key: rsa.RSAPublicKey, callback: ReceivedRequest) -> None:
    """lexoffice's documented check (openssl dgst -sha512 -verify), done independently of the sandbox."""
    signature = callback.header("X-Lxo-Signature")
    assert signature is not None
    key.verify(base64.b64decode(signature), callback.body, padding.PKCS1v15(), hashes.SHA512())


def assert_regular_error(response: httpx.Response, status: int, field: str | None = None) -> None:
    assert response.status_code == status
    body = response.json()
    assert set(body) <= REGULAR_ERROR_KEYS
    assert body["status"] == status
    if field is not None:
        assert [d["field"] for d in body["details"]] == [field]


def test_the_documented_event_types_are_all_known() -> None:
    assert len(EVENT_TYPES) == 38
    assert {"contact.created", "payment.changed", "token.revoked", "voucher.status.changed"} <= EVENT_TYPES
    assert "order-confirmation.status.changed" in EVENT_TYPES
    assert "delivery-note.status.changed" not in EVENT_TYPES


def test_sample_request_is_accepted_with_an_action_result(https_only: RunningSandbox) -> None:
    org = https_only.new_org()
    with org.client() as c:
        response = c.post(ENDPOINT, json=sample("031_event-subscriptions_create_request.json"))
    assert response.status_code == 201
    result = response.json()
    assert set(result) == set(sample("032_event-subscriptions_create_response.json"))
    assert result["version"] == 0
    assert result["resourceUri"] == f"{https_only.url}{ENDPOINT}/{result['id']}"
    assert TIMESTAMP.match(result["createdDate"])
    assert result["updatedDate"] == result["createdDate"]


def test_get_list_and_delete_have_the_documented_shapes(lex: SandboxOrg, receiver: WebhookReceiver) -> None:
    with lex.client() as c:
        created = subscribe(c, "contact.changed", receiver.url).json()
        one = c.get(f"{ENDPOINT}/{created['id']}")
        listed = c.get(ENDPOINT)
        deleted = c.delete(f"{ENDPOINT}/{created['id']}")
        gone = c.get(f"{ENDPOINT}/{created['id']}")
        empty = c.get(ENDPOINT).json()
    assert one.status_code == 200
    assert set(one.json()) == set(sample("029_event-subscriptions_resource_sample.json"))
    assert one.json() == {
        "subscriptionId": created["id"],
        "organizationId": lex.id,
        "createdDate": created["createdDate"],
        "eventType": "contact.changed",
        "callbackUrl": receiver.url,
    }
    list_sample = sample("034_event-subscriptions_list_response.json")
    assert set(listed.json()) == set(list_sample) == {"content"}
    assert listed.json()["content"] == [one.json()]
    assert set(listed.json()["content"][0]) == set(sample("033_event-subscriptions_retrieve_response.json"))
    assert deleted.status_code == 204
    assert deleted.content == b""
    assert_regular_error(gone, 404)
    assert empty == {"content": []}


def test_event_type_is_handled_lower_case(lex: SandboxOrg, receiver: WebhookReceiver) -> None:
    with lex.client() as c:
        created = subscribe(c, "Contact.Created", receiver.url)
        assert created.status_code == 201
        assert c.get(f"{ENDPOINT}/{created.json()['id']}").json()["eventType"] == "contact.created"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"callbackUrl": "https://example.org/webhook"}, "eventType"),
        ({"eventType": "contact.changed"}, "callbackUrl"),
        ({"eventType": None, "callbackUrl": "https://example.org/webhook"}, "eventType"),
        ({"eventType": "", "callbackUrl": "https://example.org/webhook"}, "eventType"),
        ({"eventType": "contact.changed", "callbackUrl": ""}, "callbackUrl"),
        ({"eventType": "contact.exploded", "callbackUrl": "https://example.org/webhook"}, "eventType"),
        ({"eventType": ["contact.changed"], "callbackUrl": "https://example.org/webhook"}, "eventType"),
        ({"eventType": "contact.changed", "callbackUrl": 42}, "callbackUrl"),
        ({"eventType": "contact.changed", "callbackUrl": "/webhook"}, "callbackUrl"),
        ({"eventType": "contact.changed", "callbackUrl": "ftp://example.org/webhook"}, "callbackUrl"),
        ({"eventType": "contact.changed", "callbackUrl": "not a url"}, "callbackUrl"),
        ({"eventType": "contact.changed", "callbackUrl": "https://"}, "callbackUrl"),
    ],
)
def test_invalid_subscriptions_are_406_and_change_nothing(
    https_only: RunningSandbox, body: dict[str, Any], field: str
) -> None:
    org = https_only.new_org()
    with org.client() as c:
        response = c.post(ENDPOINT, json=body)
        listed = c.get(ENDPOINT).json()
    assert_regular_error(response, 406, field)
    assert listed == {"content": []}


def test_http_callbacks_are_refused_unless_insecure_callbacks_are_allowed(https_only: RunningSandbox) -> None:
    org = https_only.new_org()
    with org.client() as c:
        response = subscribe(c, "contact.changed", "http://example.org/webhook")
    assert_regular_error(response, 406, "callbackUrl")


def test_non_json_bodies_are_refused(lex: SandboxOrg) -> None:
    with lex.client() as c:
        unsupported = c.post(ENDPOINT, content=b"eventType=contact.changed")
        malformed = c.post(ENDPOINT, content=b"{", headers={"Content-Type": "application/json"})
    assert_regular_error(unsupported, 415)
    assert_regular_error(malformed, 400)


def test_the_same_subscription_twice_is_409(lex: SandboxOrg, receiver: WebhookReceiver) -> None:
    with lex.client() as c:
        assert subscribe(c, "invoice.created", receiver.url).status_code == 201
        duplicate = subscribe(c, "INVOICE.CREATED", receiver.url)
        other_event = subscribe(c, "invoice.changed", receiver.url)
        assert len(c.get(ENDPOINT).json()["content"]) == 2
    assert_regular_error(duplicate, 409, "callbackUrl")
    assert other_event.status_code == 201


@pytest.mark.parametrize("method", ["GET", "DELETE"])
@pytest.mark.parametrize("subscription_id", ["5f8ee4a3-0000-4000-8000-000000000000", "not-a-uuid"])
def test_unknown_subscription_is_404(lex: SandboxOrg, method: str, subscription_id: str) -> None:
    with lex.client() as c:
        assert_regular_error(c.request(method, f"{ENDPOINT}/{subscription_id}"), 404)


def test_subscriptions_of_other_organizations_are_invisible(
    sandbox: RunningSandbox, lex: SandboxOrg, receiver: WebhookReceiver
) -> None:
    other = sandbox.new_org()
    with other.client() as c:
        foreign = subscribe(c, "contact.changed", receiver.url).json()["id"]
    with lex.client() as c:
        assert c.get(ENDPOINT).json() == {"content": []}
        assert_regular_error(c.get(f"{ENDPOINT}/{foreign}"), 404)
        assert_regular_error(c.delete(f"{ENDPOINT}/{foreign}"), 404)
    assert len(stored_subscriptions(other)) == 1


def test_subscribing_probes_the_callback_with_head(lex: SandboxOrg, receiver: WebhookReceiver) -> None:
    with lex.client() as c:
        assert subscribe(c, "contact.changed", receiver.url).status_code == 201
    assert [(r.method, r.path) for r in receiver.requests] == [("HEAD", "/webhook")]


def test_a_failing_head_probe_is_406(lex: SandboxOrg, receiver: WebhookReceiver) -> None:
    receiver.respond_with(500)
    with lex.client() as c:
        response = subscribe(c, "contact.changed", receiver.url)
        assert c.get(ENDPOINT).json() == {"content": []}
    assert_regular_error(response, 406, "callbackUrl")
    assert "500" in response.json()["details"][0]["message"]


def test_an_unreachable_callback_is_406(lex: SandboxOrg) -> None:
    with lex.client() as c:
        response = subscribe(c, "contact.changed", f"http://127.0.0.1:{free_port()}/webhook")
    assert_regular_error(response, 406, "callbackUrl")


def test_token_revoked_is_delivered_signed_to_matching_subscriptions_only(
    sandbox: RunningSandbox, lex: SandboxOrg, receivers: Callable[[], WebhookReceiver]
) -> None:
    ours, theirs = receivers(), receivers()
    other = sandbox.new_org()
    with lex.client() as c:
        assert subscribe(c, "token.revoked", ours.url).status_code == 201
        assert subscribe(c, "contact.deleted", ours.url).status_code == 201
        connection_id = c.get("/v1/profile").json()["connectionId"]
    with other.client() as c:
        assert subscribe(c, "token.revoked", theirs.url).status_code == 201

    revoke_key(lex)
    deliveries = sandbox.drain_events()

    callbacks = ours.posts()
    assert len(callbacks) == 1
    assert theirs.posts() == []
    callback = callbacks[0]
    payload = json.loads(callback.body)
    assert set(payload) == set(sample("030_event-subscriptions_webhook_callback_payload.json"))
    assert payload["organizationId"] == lex.id
    assert payload["eventType"] == "token.revoked"
    assert payload["resourceId"] == connection_id
    assert TIMESTAMP.match(payload["eventDate"])
    assert callback.body == json.dumps(payload, separators=(",", ":")).encode()  # compact JSON, as signed
    assert callback.header("Content-Type") == "application/json"
    verify(public_key(sandbox), callback)
    assert any(d["body"] == callback.body.decode() and d["status"] == 200 for d in deliveries)


def test_a_modified_callback_body_fails_verification(
    sandbox: RunningSandbox, lex: SandboxOrg, receiver: WebhookReceiver
) -> None:
    with lex.client() as c:
        assert subscribe(c, "token.revoked", receiver.url).status_code == 201
    revoke_key(lex)
    sandbox.drain_events()
    [callback] = receiver.posts()
    tampered = ReceivedRequest(
        callback.method, callback.path, callback.headers, callback.body.replace(b"token", b"tok3n")
    )
    with pytest.raises(InvalidSignature):
        verify(public_key(sandbox), tampered)


def test_a_callback_answering_404_deletes_the_subscription(
    sandbox: RunningSandbox, lex: SandboxOrg, receiver: WebhookReceiver
) -> None:
    with lex.client() as c:
        assert subscribe(c, "token.revoked", receiver.url).status_code == 201
    receiver.respond_with(404)
    revoke_key(lex)
    sandbox.drain_events()
    assert len(receiver.posts()) == 1
    assert stored_subscriptions(lex) == []


def test_a_callback_answering_500_keeps_the_subscription(
    sandbox: RunningSandbox, lex: SandboxOrg, receiver: WebhookReceiver
) -> None:
    with lex.client() as c:
        assert subscribe(c, "token.revoked", receiver.url).status_code == 201
    receiver.respond_with(500)
    revoke_key(lex)
    deliveries = sandbox.drain_events()
    assert len(receiver.posts()) == 1
    assert [s["callbackUrl"] for s in stored_subscriptions(lex)] == [receiver.url]
    assert any(d["url"] == receiver.url and d["status"] == 500 for d in deliveries)


def test_creating_a_contact_fires_one_signed_contact_created(
    sandbox: RunningSandbox, lex: SandboxOrg, receiver: WebhookReceiver
) -> None:
    with lex.client() as c:
        assert subscribe(c, "contact.created", receiver.url).status_code == 201
        assert subscribe(c, "contact.changed", receiver.url).status_code == 201
        created = c.post("/v1/contacts", json=sample("003_contacts_create_request.json"))
    assert created.status_code == 201
    sandbox.drain_events()
    [callback] = receiver.posts()
    payload = json.loads(callback.body)
    assert payload["eventType"] == "contact.created"
    assert payload["resourceId"] == created.json()["id"]
    assert payload["organizationId"] == lex.id
    verify(public_key(sandbox), callback)
