"""Finding a sales document the gateway may have created, after a create whose outcome is unknown.

lexoffice has no client reference on sales documents, so a create is recognised by its content: the
candidates are the documents of the kind created since the operation began — the preceding document's
``relatedVouchers`` when there is one, else the newest voucherlist entries of that day (and contact) — and a
candidate is ours when its date, addressee and line items are those the gateway sent. Two such candidates are
ambiguous and reported, never guessed between.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from connectors.errors import NotFound
from connectors.flows import AmbiguousResult, StepResult
from connectors.lexoffice.client import LexofficeClient
from connectors.lexoffice.mapping.common import parse_instant
from connectors.lexoffice.mapping.sales import SALES_KINDS, SalesKind

MAX_CANDIDATES = 10
"""Candidates read (one GET each) at most: only the newest documents can be the one just created."""
CLOCK_SKEW = timedelta(minutes=2)
"""How much earlier than the operation's start the upstream's clock may date our document."""
_PRECEDING = {kind.voucher_type: kind for kind in SALES_KINDS.values()}


def _number(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _line(item: dict[str, Any], price_member: str) -> tuple[Any, ...]:
    price = item.get("unitPrice") or {}
    return (
        item.get("type"),
        item.get("name"),
        _number(item.get("quantity")),
        _number(price.get(price_member)),
        _number(price.get("taxRatePercentage")),
        _number(item.get("discountPercentage")) or Decimal(0),
    )


def same_content(sent: dict[str, Any], stored: dict[str, Any]) -> bool:
    """Whether ``stored`` (a lexoffice document) is what the POST body ``sent`` creates: same day, addressee
    and line items (names, quantities, the unit prices that were sent, tax rates, discounts)."""
    if str(sent.get("voucherDate", ""))[:10] != str(stored.get("voucherDate", ""))[:10]:
        return False
    sent_address, stored_address = sent.get("address") or {}, stored.get("address") or {}
    if sent_address.get("contactId") != stored_address.get("contactId"):
        return False
    if "contactId" not in sent_address and sent_address.get("name") != stored_address.get("name"):
        return False
    gross = (sent.get("taxConditions") or {}).get("taxType") == "gross"
    member = "grossAmount" if gross else "netAmount"
    sent_lines = [_line(item, member) for item in sent.get("lineItems") or ()]
    return sent_lines == [_line(item, member) for item in stored.get("lineItems") or ()]


async def _candidate_ids(
    lex: LexofficeClient, kind: SalesKind, sent: dict[str, Any], preceding_id: str | None, since: datetime
) -> list[str]:
    if preceding_id is not None:
        for source in _PRECEDING.values():
            if source.voucher_type not in kind.preceded_by:
                continue
            try:
                document = await lex.get_json(f"/v1/{source.collection}/{preceding_id}")
            except NotFound:  # not of this kind: try the next one the chain allows
                continue
            related = document.get("relatedVouchers") or []
            return [r["id"] for r in related if r.get("voucherType") == kind.voucher_type][-MAX_CANDIDATES:]
        return []
    day = str(sent.get("voucherDate", ""))[:10]
    query = {
        "voucherType": kind.voucher_type,
        "voucherStatus": "any",
        "voucherDateFrom": day,
        "voucherDateTo": day,
        "sort": "createdDate,DESC",
    }
    contact_id = (sent.get("address") or {}).get("contactId")
    if contact_id:
        query["contactId"] = contact_id
    page = await lex.get_page("/v1/voucherlist", query, page=0, size=MAX_CANDIDATES)
    return [
        item["id"]
        for item in page.items
        if (created := parse_instant(item.get("createdDate"))) is None or created >= since - CLOCK_SKEW
    ]


async def find_created_document(
    lex: LexofficeClient, kind: SalesKind, sent: dict[str, Any], preceding_id: str | None, since: datetime
) -> StepResult | None:
    """``{"upstream_id": ...}`` of the document of ``kind`` that the POST body ``sent`` created, ``None`` if
    there is none; :class:`AmbiguousResult` if several match."""
    matches = []
    for document_id in await _candidate_ids(lex, kind, sent, preceding_id, since):
        document = await lex.get_json(f"/v1/{kind.collection}/{document_id}")
        created = parse_instant(document.get("createdDate"))
        if (created is None or created >= since - CLOCK_SKEW) and same_content(sent, document):
            matches.append(document_id)
    if len(matches) > 1:
        raise AmbiguousResult(f"several {kind.name.replace('_', ' ')}s match the one sent", matches)
    return {"upstream_id": matches[0]} if matches else None
