"""Sales-document requests, calls and assertions shared by the sandbox tests."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from tests.support.receiver import WebhookReceiver
from tests.support.samples import sample
from tests.support.sandbox import SandboxOrg

INVOICE_REQUEST = "038_invoices_create_request.json"
CREDIT_NOTE_REQUEST = "010_credit-notes_create_request.json"
REGULAR_406 = sample("078_errors_regular_406_response.json")
DRAFT_LACKS = {"voucherNumber", "dueDate"}  # assigned on finalization


# --- helpers (test_payments uses them too) ---------------------------------------------------------


def invoice_body(**changes: Any) -> dict[str, Any]:
    """The documented invoice create request, with top-level ``changes``."""
    return {**sample(INVOICE_REQUEST), **changes}


def credit_note_body(**changes: Any) -> dict[str, Any]:
    return {**sample(CREDIT_NOTE_REQUEST), **changes}


def priced_item(net: float, rate: int = 19, quantity: float = 1) -> dict[str, Any]:
    return {
        "type": "custom",
        "name": "Posten",
        "quantity": quantity,
        "unitName": "Stück",
        "unitPrice": {"currency": "EUR", "netAmount": net, "taxRatePercentage": rate},
    }


def create(client: httpx.Client, collection: str, body: dict[str, Any], **params: str) -> str:
    """POST a voucher (201 expected); returns its id."""
    response = client.post(f"/v1/{collection}", json=body, params=params)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def fetch(client: httpx.Client, collection: str, record_id: str) -> dict[str, Any]:
    response = client.get(f"/v1/{collection}/{record_id}")
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


def finalized_invoice(client: httpx.Client, *items: dict[str, Any]) -> str:
    body = invoice_body(lineItems=list(items)) if items else invoice_body()
    return create(client, "invoices", body, finalize="true")


def payments_of(client: httpx.Client, voucher_id: str) -> dict[str, Any]:
    response = client.get(f"/v1/payments/{voucher_id}")
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


def assert_regular_error(
    response: httpx.Response, status: int, path: str, field: str | None = None
) -> dict[str, Any]:
    """A regular-format error body (sample 078's keys); returns its first detail."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == set(REGULAR_406)
    assert body["status"] == status
    assert body["path"] == path
    if field is None:
        return {}
    detail: dict[str, Any] = body["details"][0]
    assert detail["field"] == field, body
    return detail


@contextmanager
def watching(lex: SandboxOrg, *event_types: str) -> Iterator[Callable[[], list[tuple[str, str]]]]:
    """Subscribe a real receiver to ``event_types``; yields a function listing ``(eventType, resourceId)``
    of this organization's events so far, in the order the sandbox fired them."""
    with WebhookReceiver() as receiver, lex.client() as client:
        for event_type in event_types:
            response = client.post(
                "/v1/event-subscriptions", json={"eventType": event_type, "callbackUrl": receiver.url}
            )
            assert response.status_code == 201, response.text

        def seen() -> list[tuple[str, str]]:
            bodies = [json.loads(d["body"]) for d in lex.sandbox.drain_events() if d["url"] == receiver.url]
            return [(b["eventType"], b["resourceId"]) for b in bodies if b["organizationId"] == lex.id]

        yield seen


def stored_records(lex: SandboxOrg) -> dict[str, Any]:
    """A deep copy of every non-empty collection of the organization."""
    return copy.deepcopy({name: records for name, records in lex.org.collections.items() if records})


def add_contact(
    lex: SandboxOrg, name: str = "001_contacts_resource_sample_company_customer_vendor.json"
) -> str:
    """Store a documented contact sample directly in the organization; returns its id."""
    record = {k: v for k, v in sample(name).items() if k not in ("id", "organizationId", "version")}
    return str(lex.org.create("contacts", record)["id"])


# --- quotations, order confirmations, delivery notes, dunnings, down payment invoices, templates -----

QUOTATION_REQUEST = "058_quotations_create_request.json"
ORDER_CONFIRMATION_REQUEST = "044_order-confirmations_create_request.json"
DELIVERY_NOTE_REQUEST = "016_delivery-notes_create_request.json"
DUNNING_REQUEST = "022_dunnings_create_request.json"
DOWN_PAYMENT_SAMPLE = "026_down-payment-invoices_resource_sample.json"
TEMPLATE_SAMPLE = "062_recurring-templates_resource_sample.json"


def _with_contact(document: dict[str, Any], contact_id: str | None) -> dict[str, Any]:
    """A sample whose address references ``contact_id`` (or, with ``None``, no contact)."""
    address = {k: v for k, v in document["address"].items() if k != "contactId"}
    return {**document, "address": {"contactId": contact_id, **address} if contact_id else address}


def quotation_body(contact_id: str, **changes: Any) -> dict[str, Any]:
    """The documented quotation request (it references a contact: ``contact_id`` stands in)."""
    return {**_with_contact(sample(QUOTATION_REQUEST), contact_id), **changes}


def order_confirmation_body(**changes: Any) -> dict[str, Any]:
    return {**sample(ORDER_CONFIRMATION_REQUEST), **changes}


def delivery_note_body(**changes: Any) -> dict[str, Any]:
    return {**sample(DELIVERY_NOTE_REQUEST), **changes}


def dunning_body(**changes: Any) -> dict[str, Any]:
    return {**sample(DUNNING_REQUEST), **changes}


def down_payment_body(contact_id: str | None = None, **changes: Any) -> dict[str, Any]:
    """The documented down payment invoice (a resource sample; its read-only fields are ignored)."""
    return {**_with_contact(sample(DOWN_PAYMENT_SAMPLE), contact_id), **changes}


def template_body(contact_id: str, **settings: Any) -> dict[str, Any]:
    """The documented recurring template, for ``contact_id``, with ``settings`` changed."""
    document = _with_contact(sample(TEMPLATE_SAMPLE), contact_id)
    return {**document, "recurringTemplateSettings": {**document["recurringTemplateSettings"], **settings}}


def control_post(lex: SandboxOrg, path: str, body: Any, **params: str) -> httpx.Response:
    """POST to the organization's control surface (``/_sandbox/organizations/{id}/<path>``)."""
    with lex.sandbox.control() as control:
        return control.post(f"/_sandbox/organizations/{lex.id}/{path}", json=body, params=params)


def control_create(lex: SandboxOrg, path: str, body: Any, **params: str) -> dict[str, Any]:
    """Create a record through the control surface (201 expected); returns it."""
    response = control_post(lex, path, body, **params)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


def down_payment_invoice(lex: SandboxOrg, contact_id: str | None = None, **params: str) -> dict[str, Any]:
    """A finalized down payment invoice (666.00 gross) made in the app; ``params`` override the query."""
    return control_create(
        lex, "down-payment-invoices", down_payment_body(contact_id), **{"finalize": "true", **params}
    )


def run_schedule(lex: SandboxOrg, until: str) -> list[dict[str, Any]]:
    """Run the organization's recurring templates up to ``until`` (yyyy-MM-dd); returns the executions."""
    with lex.sandbox.control() as control:
        response = control.post(
            "/_sandbox/recurring-templates/run", json={"organizationId": lex.id, "until": until}
        )
    assert response.status_code == 200, response.text
    executions: list[dict[str, Any]] = response.json()["executions"]
    return executions
