"""Opaque list cursors: a cursor continues after the last id of the previous page."""

from __future__ import annotations

import base64
import binascii
import re
from typing import Annotated

from litestar.params import QueryParameter

from schemas.problem import FieldError

from .problems import VALIDATION, ProblemError

DEFAULT_LIMIT = 50
MAX_LIMIT = 250
Limit = Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT, description="Page size.")]
Cursor = Annotated[str | None, QueryParameter(description="`next_cursor` of the previous page.")]


def encode_cursor(last_id: str | None) -> str | None:
    """The cursor continuing after ``last_id`` (``None`` on the last page)."""
    return None if last_id is None else base64.urlsafe_b64encode(last_id.encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, pattern: re.Pattern[str]) -> str | None:
    """The id a cursor continues after; a validation problem if it is not one of ours."""
    if cursor is None:
        return None
    try:
        last_id = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        last_id = ""
    if not pattern.match(last_id):
        raise ProblemError(
            VALIDATION, "Invalid cursor.", errors=[FieldError("cursor", "is not a valid cursor")]
        )
    return last_id
