"""Contact upsert as an operation: ``find_contact`` by the match key, ``write_contact`` (update through the
locking engine, or create), ``read`` (the stored contact; no call after an update, whose answer it is).

Upstream calls: found by email or customer number -> 2 (the list page seeds the version cache, so the update
is one PUT); by external id -> 2 (GET, PUT); created -> 3 (list or none, POST, GET). Upserting by customer
number only updates: lexoffice assigns customer numbers, so a missing one is a ``422``.

A create whose outcome is unknown is found by the new contact's email (else its name) among the contacts
created since the operation began.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import msgspec

from connectors.concurrency import Resource
from connectors.errors import NotFound
from connectors.flows import AmbiguousResult, FlowResponse, InvalidInput, Results, Step, StepResult
from connectors.lexoffice.client import LexofficeClient, decode_json, encode_json
from connectors.lexoffice.contacts import COLLECTION, PATH, update_contact
from connectors.lexoffice.mapping.common import parse_instant, search_term
from connectors.lexoffice.mapping.contacts import contact_from_lexoffice, contact_to_lexoffice
from schemas.contacts import ContactUpdate, ContactUpsert
from schemas.problem import FieldError

PAGE_SIZE = 250
CLOCK_SKEW = timedelta(minutes=2)


class ContactUpsertInput(msgspec.Struct, kw_only=True):
    upsert: ContactUpsert
    requested_at: datetime
    include_raw: bool = False


def _emails(contact: dict[str, Any]) -> set[str]:
    lists = (contact.get("emailAddresses") or {}).values()
    return {address.casefold() for addresses in lists for address in addresses or ()}


def _name(contact: dict[str, Any]) -> tuple[Any, ...]:
    person = contact.get("person") or {}
    return ((contact.get("company") or {}).get("name"), person.get("firstName"), person.get("lastName"))


def _stored(contact: dict[str, Any]) -> str:
    return encode_json(contact).decode()


def contact_update_of(upsert: ContactUpsert) -> ContactUpdate:
    """The upsert's contact as a merge patch of every field it gives (its type is the contact's)."""
    given = msgspec.to_builtins(upsert.contact).items()
    return msgspec.convert({k: v for k, v in given if v is not None and k != "type"}, ContactUpdate)


class UpsertContact:
    """The flow ``upsert_contact``."""

    kind = "upsert_contact"

    def decode(self, data: bytes) -> ContactUpsertInput:
        return msgspec.json.decode(data, type=ContactUpsertInput)

    def encode(self, data: ContactUpsertInput) -> bytes:
        return msgspec.json.encode(data)

    def steps(self, lex: LexofficeClient, data: ContactUpsertInput, results: Results) -> list[Step]:
        match = data.upsert.match
        body = contact_to_lexoffice(data.upsert.contact)
        external_ids = lex.locking.store

        async def listed(query: dict[str, str]) -> list[dict[str, Any]]:
            page = await lex.get_page(PATH, query, page=0, size=PAGE_SIZE)
            return page.items

        async def find() -> StepResult:
            if match.external_id is not None:
                known = await external_ids.get_external_id(lex.scope, COLLECTION, match.external_id)
                if known is None:
                    return {"found": False}
                try:
                    await lex.read_versioned(Resource(COLLECTION, known))
                except NotFound:
                    return {"found": False}
                return {"upstream_id": known, "found": True}
            if match.email is not None:
                email = match.email.casefold()
                hits = [c for c in await listed({"email": search_term(match.email)}) if email in _emails(c)]
            else:
                hits = [
                    c
                    for c in await listed({"customer": "true", "number": str(match.customer_number)})
                    if ((c.get("roles") or {}).get("customer") or {}).get("number") == match.customer_number
                ]
                if not hits:
                    raise InvalidInput(
                        "No contact has this customer number; lexoffice assigns customer numbers itself, so "
                        "upsert by email or external_id to create contacts.",
                        [FieldError("match.customer_number", "no contact has this customer number")],
                    )
            if len(hits) > 1:
                raise AmbiguousResult("several contacts match", [c["id"] for c in hits])
            if not hits:
                return {"found": False}
            contact = hits[0]
            await lex.locking.remember(
                lex.scope, Resource(COLLECTION, contact["id"]), msgspec.json.decode(encode_json(contact))
            )
            return {"upstream_id": contact["id"], "found": True}

        def found_id() -> str | None:
            found: str | None = results["find_contact"].get("upstream_id")
            return found

        async def write() -> StepResult:
            existing = found_id()
            if existing is not None:
                updated = await update_contact(
                    lex, existing, contact_update_of(data.upsert), include_raw=True
                )
                return {"upstream_id": existing, "created": False, "contact": _stored(updated.raw or {})}
            created = await lex.post_json(PATH, body)
            return {"upstream_id": str(created["id"]), "created": True}

        async def find_created() -> StepResult | None:
            if found_id() is not None:
                return None  # an update: sending it again converges
            emails = _emails(body)
            if emails:
                candidates = await listed({"email": search_term(sorted(emails)[0])})
            else:
                name = next(part for part in _name(body) if part)
                candidates = await listed({"name": search_term(name)})
            since = data.requested_at - CLOCK_SKEW
            ours = [
                c["id"]
                for c in candidates
                if _name(c) == _name(body)
                and _emails(c) == emails
                and ((created := parse_instant(c.get("createdDate"))) is None or created >= since)
            ]
            if len(ours) > 1:
                raise AmbiguousResult("several new contacts match the one sent", ours)
            return {"upstream_id": ours[0], "created": True} if ours else None

        async def read() -> StepResult:
            written = results["write_contact"]
            contact = written.get("contact")
            if contact is None:
                contact = _stored(await lex.read_versioned(Resource(COLLECTION, written["upstream_id"])))
            if match.external_id is not None:
                await external_ids.set_external_id(
                    lex.scope, COLLECTION, match.external_id, written["upstream_id"]
                )
            return {"upstream_id": written["upstream_id"], "contact": contact}

        return [Step("find_contact", find), Step("write_contact", write, find_created), Step("read", read)]

    def response(self, data: ContactUpsertInput, results: Results) -> FlowResponse:
        stored = decode_json(results["read"]["contact"].encode())
        contact = contact_from_lexoffice(stored, include_raw=data.include_raw)
        return FlowResponse(
            201 if results["write_contact"]["created"] else 200,
            contact,
            headers={"ETag": f'"{contact.version}"'},
            location=f"/v1/accounting/contacts/{contact.id}",
        )
