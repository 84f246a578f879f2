"""Gateway ids (``ten_…``, ``acc_…``, ``key_…``).

An id is a prefix and a ULID-style body in lower-case Crockford base32: 48 bits of milliseconds then 80 random
bits. Ids of one kind therefore sort by creation time, which gives stable, cursor-paged lists.
"""

from __future__ import annotations

import re
import secrets
import time

_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
_BODY = 26


def new_id(prefix: str) -> str:
    """A new, time-ordered id such as ``acc_01j9z3k4m5n6p7q8r9s0t1v2w3``."""
    value = (time.time_ns() // 1_000_000) << 80 | secrets.randbits(80)
    body = "".join(_ALPHABET[(value >> shift) & 31] for shift in range(5 * (_BODY - 1), -1, -5))
    return f"{prefix}_{body}"


def id_pattern(prefix: str) -> re.Pattern[str]:
    """The pattern of a well-formed id with this prefix."""
    return re.compile(rf"^{prefix}_[{_ALPHABET}]{{{_BODY}}}$")
