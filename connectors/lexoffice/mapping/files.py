"""Files (``/v1/files``, ``/v1/vouchers/{id}/files``) <-> unified :class:`~schemas.files.FileInfo`.

lexoffice accepts receipts of upload type ``voucher``: PDF, JPEG or PNG, at most 5 MB. The gateway checks the
declared media type and size with :func:`check_upload` before forwarding; judging the actual bytes stays
upstream's job (it answers 406 for content that is not what it claims).
"""

from __future__ import annotations

from collections.abc import Mapping
from email.message import Message
from email.utils import collapse_rfc2231_value
from pathlib import PurePosixPath
from typing import Any

from schemas.files import FileInfo
from schemas.problem import FieldError

UPLOAD_TYPE = "voucher"
"""The multipart form field ``type`` of ``POST /v1/files``."""
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
UPLOAD_MEDIA_TYPES: dict[str, str] = {
    ".pdf": "application/pdf",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
}
"""Allowed file name extensions and their media types."""
_GENERIC_TYPES = frozenset({"", "application/octet-stream"})


def file_from_lexoffice(data: dict[str, Any], *, include_raw: bool = False) -> FileInfo:
    """A lexoffice file answer: ``{id}`` of an upload, or ``{id, status, voucherId}`` of the file status."""
    return FileInfo(
        id=data["id"],
        status=data.get("status"),
        voucher_id=data.get("voucherId"),
        raw=data if include_raw else None,
    )


def uploaded_file(
    data: dict[str, Any],
    *,
    filename: str | None,
    media_type: str,
    size: int,
    voucher_id: str | None = None,
    include_raw: bool = False,
) -> FileInfo:
    """The answer to an upload of ``filename`` (``media_type``, ``size`` bytes) — to ``POST /v1/files``, or
    to ``POST /v1/vouchers/{voucher_id}/files``, which attaches the file at once."""
    return FileInfo(
        id=data["id"],
        filename=filename,
        media_type=media_type,
        size=size,
        status="assigned" if voucher_id else "unassigned",
        voucher_id=voucher_id,
        raw=data if include_raw else None,
    )


def downloaded_file(file_id: str, headers: Mapping[str, str]) -> FileInfo:
    """What the headers of ``GET /v1/files/{id}`` say about the file (header names case-insensitive)."""
    lowered = {name.lower(): value for name, value in headers.items()}
    length = lowered.get("content-length", "")
    content_type = lowered.get("content-type")
    return FileInfo(
        id=file_id,
        filename=content_disposition_filename(lowered.get("content-disposition")),
        media_type=content_type.split(";")[0].strip().lower() if content_type else None,
        size=int(length) if length.isdigit() else None,
    )


def upload_media_type(filename: str | None, content_type: str | None) -> str | None:
    """The media type of an upload: the declared one, or — when only a generic one is declared
    (``application/octet-stream``) — the one its file name's extension stands for."""
    declared = (content_type or "").split(";")[0].strip().lower()
    if declared not in _GENERIC_TYPES:
        return declared
    return UPLOAD_MEDIA_TYPES.get(PurePosixPath(filename or "").suffix.lower())


def check_upload(filename: str | None, content_type: str | None, size: int) -> list[FieldError]:
    """Why lexoffice would refuse this receipt upload, judged by its declared media type and its size."""
    errors: list[FieldError] = []
    media_type = upload_media_type(filename, content_type)
    if media_type not in UPLOAD_MEDIA_TYPES.values():
        errors.append(FieldError("file", f"must be a PDF, JPEG or PNG file, not {media_type or 'unknown'}"))
    if size <= 0:
        errors.append(FieldError("file", "is empty"))
    elif size > MAX_UPLOAD_BYTES:
        errors.append(FieldError("file", f"is larger than 5 MB ({size} bytes)"))
    return errors


def content_disposition_filename(header: str | None) -> str | None:
    """The file name a ``Content-Disposition`` header suggests (RFC 6266), without any directory part.

    ``filename*`` (RFC 8187, e.g. ``UTF-8''Gr%C3%BC%C3%9Fe.pdf``) wins over ``filename``; parsing and
    decoding are the standard library's.
    """
    if not header:
        return None
    message = Message()
    message["Content-Disposition"] = header
    names = [
        value for key, value in message.get_params([], header="content-disposition") if key == "filename"
    ]
    extended = [value for value in names if isinstance(value, tuple)]
    if not names:
        return None
    name = collapse_rfc2231_value((extended or names)[0])
    return name.replace("\\", "/").rpartition("/")[2].strip() or None
