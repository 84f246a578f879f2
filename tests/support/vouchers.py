"""Bookkeeping voucher request bodies and calls shared by the sandbox's voucher tests."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from connectors.lexoffice.sandbox.web import encode
from tests.support.samples import sample_exact
from tests.support.sandbox import SandboxOrg

GOODS = "8f8664a8-fd86-11e1-a21f-0800200c9a66"  # Warenverkäufe (income)
INTRA_EU = (
    "9075a4e3-66de-4795-a016-3889feca0d20"  # Innergemeinschaftliche Lieferung: contact required, no split
)
DESTINATION_SALES = "4ebd965a-7126-416c-9d8c-a5c9366ee473"  # Fernverkauf in EU-Land steuerpflichtig
PURCHASE_GOODS = "16d04a28-fd91-11e1-a21f-0800200c9a66"  # Wareneingang (outgo)

Body = dict[str, Any]


def create_body() -> Body:
    """Sample 068 with its amounts as written (it has no ``version``: a missing version counts as 0)."""
    body: Body = sample_exact("068_vouchers_create_request.json")
    return body


def send(client: httpx.Client, method: str, path: str, body: Body) -> httpx.Response:
    """A JSON request with ``Decimal`` amounts exactly as written (``119.00``, not ``119.0``)."""
    return client.request(method, path, content=encode(body), headers={"Content-Type": "application/json"})


def add_contact(lex: SandboxOrg, *roles: str, person: bool = False) -> str:
    """Store a contact (shape of samples 001/002) directly in the organization."""
    contact_id = str(uuid.uuid4())
    record: Body = {
        "id": contact_id,
        "organizationId": lex.id,
        "version": 1,
        "roles": {role: {"number": 10001} for role in roles},
    }
    if person:
        record["person"] = {"salutation": "Frau", "firstName": "Erika", "lastName": "Musterfrau"}
    else:
        record["company"] = {"name": "Test GmbH"}
    lex.org.collection("contacts")[contact_id] = record
    return contact_id


def create(lex: SandboxOrg, body: Body | None = None) -> Body:
    """POST a voucher (sample 068 by default) and return the stored record via GET."""
    with lex.client() as c:
        created = send(c, "POST", "/v1/vouchers", body or create_body())
        assert created.status_code == 201, created.text
        return c.get(f"/v1/vouchers/{created.json()['id']}").json()


def purchase_body() -> Body:
    body = create_body() | {"type": "purchaseinvoice", "totalGrossAmount": 1000, "totalTaxAmount": 159.66}
    del body["shippingDate"]
    body["voucherItems"] = [
        {"amount": 1000, "taxAmount": 159.66, "taxRatePercent": 19, "categoryId": PURCHASE_GOODS}
    ]
    return body
