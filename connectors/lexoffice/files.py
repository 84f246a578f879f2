"""lexoffice I/O of files: receipt uploads (``POST /v1/files``, or straight onto a voucher with
``POST /v1/vouchers/{id}/files``), downloads (``GET /v1/files/{id}``) and the upload status.

The gateway checks an upload with :func:`~connectors.lexoffice.mapping.files.check_upload` before calling
:func:`upload_file`; judging the actual bytes stays lexoffice's job (406 for content that is not what it
claims). Upstream calls: one per operation.
"""

from __future__ import annotations

import httpx

from connectors.lexoffice.client import LexofficeClient
from connectors.lexoffice.mapping.files import UPLOAD_TYPE, file_from_lexoffice, uploaded_file
from connectors.lexoffice.vouchers import COLLECTION, voucher_resource
from schemas.files import FileInfo


async def upload_file(
    lex: LexofficeClient,
    *,
    filename: str | None,
    content: bytes,
    media_type: str,
    voucher_id: str | None = None,
    include_raw: bool = False,
) -> FileInfo:
    """Upload a receipt; with ``voucher_id`` it is attached to that voucher at once (which changes the
    voucher's version upstream, so its cached body is dropped)."""
    name = filename or "receipt"
    if voucher_id is None:
        data = await lex.upload(
            "/v1/files", filename=name, content=content, media_type=media_type, fields={"type": UPLOAD_TYPE}
        )
    else:
        data = await lex.upload(
            f"/v1/{COLLECTION}/{voucher_id}/files", filename=name, content=content, media_type=media_type
        )
        await lex.locking.forget(lex.scope, voucher_resource(voucher_id))
    return uploaded_file(
        data,
        filename=filename,
        media_type=media_type,
        size=len(content),
        voucher_id=voucher_id,
        include_raw=include_raw,
    )


async def download_file(lex: LexofficeClient, file_id: str) -> tuple[bytes, httpx.Headers]:
    """A file's bytes and the headers lexoffice sent with them (type, name, length)."""
    return await lex.download(f"/v1/files/{file_id}")


async def file_status(lex: LexofficeClient, file_id: str, *, include_raw: bool = False) -> FileInfo:
    """Whether an uploaded file is attached to a voucher yet, and to which."""
    data = await lex.get_json(f"/v1/files/{file_id}/status")
    return file_from_lexoffice(data, include_raw=include_raw)
