"""lexoffice webhook callbacks as lexoffice sends them (compact JSON), for inbound tests and benchmarks."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta, timezone

BERLIN_WINTER = timezone(timedelta(hours=1))


def callback_body(
    organization_id: str,
    *,
    event_type: str = "contact.changed",
    age: timedelta = timedelta(0),
    resource_id: str | None = None,
) -> bytes:
    """A compact lexoffice callback body (``eventDate`` now minus ``age``)."""
    instant = datetime.now(BERLIN_WINTER) - age
    return json.dumps(
        {
            "organizationId": organization_id,
            "eventType": event_type,
            "resourceId": resource_id or str(uuid.uuid4()),
            "eventDate": instant.isoformat(timespec="milliseconds"),
        },
        separators=(",", ":"),
    ).encode()


def respelled(body: bytes) -> bytes:
    """The same callback as other bytes (keys reversed, indented): a duplicate no byte comparison finds."""
    return json.dumps(dict(reversed(json.loads(body).items())), indent=2).encode()
