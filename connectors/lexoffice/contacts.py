"""Contact operations on lexoffice (``/v1/contacts``): the I/O around :mod:`.mapping.contacts`.

Upstream calls: list = 1 (one lexoffice page), get = 1 (through the locking engine, which caches the body
and its version), create = 2 (POST answers only the id and version, so the contact is read back — which
also warms the version cache), update = 1 with a warm cache (PUT), 2 otherwise (GET + PUT), plus a GET and a
PUT per concurrent change merged.
"""

from __future__ import annotations

from schemas.contacts import Contact, ContactCreate, ContactFilters, ContactUpdate

from ..concurrency import Resource
from ..errors import VersionConflict
from .client import LexofficeClient
from .mapping.contacts import (
    contact_filters_to_lexoffice,
    contact_from_lexoffice,
    contact_patch_to_lexoffice,
    contact_to_lexoffice,
)

COLLECTION = "contacts"
PATH = "/v1/contacts"
MAX_PAGE_SIZE = 250


def _resource(contact_id: str) -> Resource:
    return Resource(COLLECTION, contact_id)


async def list_contacts(
    client: LexofficeClient, filters: ContactFilters, *, page: int, size: int, include_raw: bool = False
) -> tuple[list[Contact], bool]:
    """One page of the filtered contacts (sorted by name, as lexoffice sorts them) and whether it is the
    last; ``ValueError`` for filters lexoffice cannot apply (see ``contact_filter_errors``)."""
    found = await client.get_page(
        PATH, contact_filters_to_lexoffice(filters), page=page, size=min(size, MAX_PAGE_SIZE)
    )
    return [contact_from_lexoffice(item, include_raw=include_raw) for item in found.items], found.last


async def get_contact(client: LexofficeClient, contact_id: str, *, include_raw: bool = False) -> Contact:
    """The contact (read through the locking engine, so a following update starts from the cache)."""
    return contact_from_lexoffice(await client.read_versioned(_resource(contact_id)), include_raw=include_raw)


async def create_contact(
    client: LexofficeClient, request: ContactCreate, *, include_raw: bool = False
) -> Contact:
    """Create the contact, then read it back (lexoffice answers only its id and version)."""
    created = await client.post_json(PATH, contact_to_lexoffice(request))
    return await get_contact(client, str(created["id"]), include_raw=include_raw)


async def update_contact(
    client: LexofficeClient,
    contact_id: str,
    patch: ContactUpdate,
    *,
    expected_version: int | None = None,
    include_raw: bool = False,
) -> Contact:
    """Apply a merge patch; strict when ``expected_version`` is given. An empty patch writes nothing."""
    upstream_patch = contact_patch_to_lexoffice(patch)
    if upstream_patch:
        body = await client.update(_resource(contact_id), upstream_patch, expected_version)
        return contact_from_lexoffice(body, include_raw=include_raw)
    current = await get_contact(client, contact_id, include_raw=include_raw)
    if expected_version is not None and current.version != expected_version:
        raise VersionConflict(
            f"{COLLECTION}/{contact_id} is at version {current.version}, not the expected {expected_version}",
            expected_version=expected_version,
            current_version=current.version,
        )
    return current
