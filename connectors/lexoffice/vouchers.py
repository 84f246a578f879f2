"""lexoffice I/O of bookkeeping vouchers (``/v1/vouchers``, listed through ``/v1/voucherlist``).

Reads of a single voucher go through the locking engine (:meth:`LexofficeClient.read_versioned`), so the
version cache is warm and a following update is one PUT. Updates are read-modify-write: the engine PUTs
the whole current body with the patch applied, so receipts (``files``) the patch does not mention travel
back unchanged — lexoffice deletes every receipt a PUT leaves out.

Upstream calls per operation: list 1, get 1, update 1 with a warm cache (PUT), 2 with a cold one (GET, PUT),
plus a GET and a PUT per 409 retry. Creates run as operations: :mod:`connectors.lexoffice.flows.vouchers`.
"""

from __future__ import annotations

import copy

from connectors.concurrency import LockingEngine, Resource
from connectors.errors import VersionConflict
from connectors.lexoffice.client import LexofficeClient
from connectors.lexoffice.documents import voucherlist_page
from connectors.lexoffice.mapping.vouchers import (
    voucher_from_lexoffice,
    voucher_patch_to_lexoffice,
    voucher_put_dates,
    voucher_summary_from_voucherlist,
    voucher_summary_matches,
    voucherlist_query,
)
from connectors.lexoffice.traffic import LexofficeVersioning
from connectors.merge import JsonObject
from schemas.vouchers import Voucher, VoucherFilter, VoucherSummary, VoucherUpdate

COLLECTION = "vouchers"


class VoucherVersioning(LexofficeVersioning):
    """lexoffice's versioning, with the voucher PUT's dates as the plain ``yyyy-MM-dd`` lexoffice documents
    for voucher input (GET returns local-midnight timestamps; the cache keeps the body as read)."""

    def put_body(self, body: JsonObject, version: int) -> JsonObject:
        return super().put_body(voucher_put_dates(body), version)


def _with_voucher_versioning(lex: LexofficeClient) -> LexofficeClient:
    """``lex`` whose locking engine PUTs vouchers with :class:`VoucherVersioning` (same cache and limits)."""
    engine = lex.locking
    voucher_lex = copy.copy(lex)
    voucher_lex.locking = LockingEngine(
        engine.client,
        engine.store,
        VoucherVersioning(),
        max_attempts=engine.max_attempts,
        cache_ttl=engine.cache_ttl,
    )
    return voucher_lex


def voucher_resource(voucher_id: str) -> Resource:
    """The locking engine's handle of a voucher."""
    return Resource(COLLECTION, voucher_id)


async def list_vouchers(
    lex: LexofficeClient, filters: VoucherFilter, page: int, size: int, *, include_raw: bool = False
) -> tuple[list[VoucherSummary], bool]:
    """One page of the bookkeeping vouchers matching ``filters``, and whether it is the last.

    ``updated_since`` is also checked to the instant here, so a page can hold fewer than ``size`` entries
    while more pages follow.
    """
    found = await voucherlist_page(lex, voucherlist_query(filters), page, size)
    summaries = (voucher_summary_from_voucherlist(item, include_raw=include_raw) for item in found.items)
    return [s for s in summaries if voucher_summary_matches(s, filters)], found.last


async def get_voucher(lex: LexofficeClient, voucher_id: str, *, include_raw: bool = False) -> Voucher:
    """The voucher ``voucher_id`` (read through the locking engine, which caches it for updates)."""
    data = await lex.read_versioned(voucher_resource(voucher_id))
    return voucher_from_lexoffice(data, include_raw=include_raw)


async def update_voucher(
    lex: LexofficeClient,
    voucher_id: str,
    patch: VoucherUpdate,
    *,
    expected_version: int | None = None,
    include_raw: bool = False,
) -> Voucher:
    """Apply a (checked) update; with ``expected_version`` (``If-Match``) only to that version. An update
    that changes nothing writes nothing (lexoffice would count a new version)."""
    upstream_patch = voucher_patch_to_lexoffice(patch)
    if not upstream_patch:
        current = await get_voucher(lex, voucher_id, include_raw=include_raw)
        if expected_version not in (None, current.version):
            raise VersionConflict(
                f"{COLLECTION}/{voucher_id} is at version {current.version}, not the expected "
                f"{expected_version}",
                expected_version=expected_version,
                current_version=current.version,
            )
        return current
    body = await _with_voucher_versioning(lex).update(
        voucher_resource(voucher_id), upstream_patch, expected_version
    )
    return voucher_from_lexoffice(body, include_raw=include_raw)
