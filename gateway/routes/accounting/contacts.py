"""``/v1/accounting/contacts``: customers and suppliers of the account's organization."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from litestar import Response, Router, get, patch, post
from litestar.params import JSONBody, PathParameter, QueryParameter

from connectors.lexoffice import contacts as lexoffice_contacts
from connectors.lexoffice.flows import CONTACT_UPSERT_FLOW
from connectors.lexoffice.flows.contacts import ContactUpsertInput
from connectors.lexoffice.mapping.contacts import contact_filter_errors
from schemas.common import Page
from schemas.contacts import (
    Contact,
    ContactCreate,
    ContactFilters,
    ContactUpdate,
    ContactUpsert,
    RoleName,
    validate_contact_update,
)

from ...operations.requests import OPERATION_OPT
from ...problems import NOT_SUPPORTED, VALIDATION, ProblemError, problem_responses
from .deps import (
    IfMatch,
    IncludeRawFlag,
    Lexoffice,
    Paging,
    Submit,
    converted,
    expected_version,
    page_of,
    with_etag,
)

ContactId = Annotated[str, PathParameter(description="The contact's id (a UUID).", max_length=100)]
Search = Annotated[str | None, QueryParameter(description="At least 3 characters.", max_length=255)]
_READ_ERRORS = (400, 401, 404, 422, 424, 429, 502, 503)
_WRITE_ERRORS = (400, 401, 404, 409, 413, 415, 422, 424, 429, 502, 503, 504)


@get("/", responses=problem_responses(*_READ_ERRORS, 501), summary="List contacts")
async def list_contacts(
    lexoffice: Lexoffice,
    include_raw: IncludeRawFlag,
    paging: Paging,
    email: Search = None,
    name: Search = None,
    number: Annotated[int | None, QueryParameter(description="A customer or supplier number.")] = None,
    role: Annotated[RoleName | None, QueryParameter(description="Only customers, or only suppliers.")] = None,
    updated_since: Annotated[
        datetime | None, QueryParameter(description="Not supported by lexoffice (501): follow the webhooks.")
    ] = None,
) -> Page[Contact]:
    """The contacts matching every given filter, sorted by name.

    ``email`` and ``name`` match parts of the text.
    """
    filters = converted(
        {"email": email, "name": name, "number": number, "role": role, "updated_since": updated_since},
        ContactFilters,
    )
    if errors := contact_filter_errors(filters):
        raise ProblemError(
            NOT_SUPPORTED, "The account's connector cannot apply these filters.", errors=errors
        )
    found, last = await lexoffice_contacts.list_contacts(
        lexoffice, filters, page=paging.page, size=paging.size, include_raw=include_raw
    )
    return page_of(found, paging.next_cursor(last))


@get("/{contact_id:str}", responses=problem_responses(*_READ_ERRORS), summary="Get a contact")
async def get_contact(
    contact_id: ContactId, lexoffice: Lexoffice, include_raw: IncludeRawFlag
) -> Response[Contact]:
    """The contact, with its version as ``ETag``."""
    contact = await lexoffice_contacts.get_contact(lexoffice, contact_id, include_raw=include_raw)
    return with_etag(contact, contact.version)


@post("/", status_code=201, responses=problem_responses(*_WRITE_ERRORS), summary="Create a contact")
async def create_contact(
    data: JSONBody[ContactCreate], lexoffice: Lexoffice, include_raw: IncludeRawFlag
) -> Response[Contact]:
    """Create a company or person contact (``type`` selects which); returns it as stored upstream.

    ``raw`` is deep-merged into the upstream request body.
    """
    contact = await lexoffice_contacts.create_contact(lexoffice, data, include_raw=include_raw)
    response = with_etag(contact, contact.version, status_code=201)
    response.headers["Location"] = f"/v1/accounting/contacts/{contact.id}"
    return response


@post(
    "/upsert",
    status_code=200,
    opt=OPERATION_OPT,
    responses=problem_responses(*_WRITE_ERRORS, 201, 202),
    summary="Create or update a contact by a match key",
)
async def upsert_contact(
    data: JSONBody[ContactUpsert],
    submit: Submit,
    include_raw: IncludeRawFlag,
) -> Response[Contact]:
    """Find the contact by ``match`` (an email address, a customer number, or your own external id), then
    update it with ``contact`` (``200``; through the locking engine, concurrent changes to other fields are
    kept) or create it (``201``). Several matches are a ``409 ambiguous-upstream-result`` naming them, and
    nothing is written; a customer number matches existing contacts only (lexoffice assigns them).
    """
    flow_input = ContactUpsertInput(upsert=data, requested_at=datetime.now(UTC), include_raw=include_raw)
    return await submit(CONTACT_UPSERT_FLOW, flow_input)


@patch("/{contact_id:str}", responses=problem_responses(*_WRITE_ERRORS), summary="Update a contact")
async def update_contact(
    contact_id: ContactId,
    data: JSONBody[ContactUpdate],
    lexoffice: Lexoffice,
    include_raw: IncludeRawFlag,
    if_match: IfMatch = None,
) -> Response[Contact]:
    """Change the fields given (JSON merge patch: ``null`` clears, lists are replaced whole).

    With ``If-Match`` the change applies to exactly that version; without it, concurrent changes to other
    fields are merged and a concurrent change of the same field is a ``409`` showing both values.
    """
    if errors := validate_contact_update(data):
        raise ProblemError(VALIDATION, "The update is inconsistent.", errors=errors)
    contact = await lexoffice_contacts.update_contact(
        lexoffice, contact_id, data, expected_version=expected_version(if_match), include_raw=include_raw
    )
    return with_etag(contact, contact.version)


router = Router(
    "/contacts",
    route_handlers=[list_contacts, get_contact, create_contact, upsert_contact, update_contact],
    tags=["contacts"],
)
