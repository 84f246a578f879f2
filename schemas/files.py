"""Files: receipts uploaded for bookkeeping vouchers, and rendered documents, downloadable by id."""

from __future__ import annotations

import msgspec

from schemas.common import RawJson


class FileInfo(msgspec.Struct, kw_only=True):
    """What is known about a stored file (the accounting system answers an upload with its id only)."""

    id: str
    filename: str | None = None
    """The file's name (as uploaded, or as suggested by the download's ``Content-Disposition``)."""
    media_type: str | None = None
    """``application/pdf``, ``image/jpeg``, ``image/png`` (XRechnung documents: ``application/xml``)."""
    size: int | None = None
    """Size in bytes."""
    status: str | None = None
    """Open enum: ``unassigned`` (uploaded, not yet attached to a voucher), ``assigned``."""
    voucher_id: str | None = None
    """The voucher the file is attached to."""
    raw: RawJson | None = None
