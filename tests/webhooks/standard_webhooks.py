"""An independent Standard Webhooks verifier (https://www.standardwebhooks.com/), written from the spec.

It shares no code with the gateway: the tests check what the gateway sends against this.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from typing import Any

TOLERANCE_SECONDS = 5 * 60


class SignatureError(Exception):
    """The message is not authentic (or too old / too new)."""


def verify(secret: str, headers: Mapping[str, str], body: bytes, *, now: float | None = None) -> Any:
    """The JSON payload if one of the ``v1`` signatures matches and the timestamp is within tolerance."""
    try:
        message_id = headers["webhook-id"]
        timestamp = headers["webhook-timestamp"]
        signatures = headers["webhook-signature"]
    except KeyError as missing:
        raise SignatureError(f"missing header {missing}") from None
    if abs((time.time() if now is None else now) - int(timestamp)) > TOLERANCE_SECONDS:
        raise SignatureError("timestamp outside the tolerance")
    if not secret.startswith("whsec_"):
        raise SignatureError("not a whsec_ secret")
    key = base64.b64decode(secret[len("whsec_") :])
    signed = message_id.encode() + b"." + timestamp.encode() + b"." + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest())
    for candidate in signatures.split(" "):
        version, _, value = candidate.partition(",")
        if version == "v1" and hmac.compare_digest(value.encode(), expected):
            return json.loads(body)
    raise SignatureError("no signature matches")
