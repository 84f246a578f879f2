"""``/v1/accounting/files``: receipt uploads (optionally straight onto a voucher), downloads, status."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import httpx
import msgspec
from litestar import Response, Router, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, Parameter

from connectors.lexoffice import files as lexoffice_files
from connectors.lexoffice.mapping.files import (
    MAX_UPLOAD_BYTES,
    check_upload,
    downloaded_file,
    upload_media_type,
)
from schemas.common import Uuid
from schemas.files import FileInfo

from ...content import BODY_MEDIA_TYPES_OPT
from ...problems import VALIDATION, ProblemError, problem_responses
from .deps import IncludeRawFlag, Lexoffice

FileId = Annotated[str, Parameter(description="The file's id (a UUID).", max_length=100)]
MULTIPART = "multipart/form-data"
UPLOAD_BODY_LIMIT = MAX_UPLOAD_BYTES + 64 * 1024
"""Request body limit of an upload: the largest receipt plus room for the multipart framing (larger
bodies are a 413 before they are read; a file just over the receipt limit gets the precise 422)."""
_ERRORS = (400, 401, 404, 422, 424, 429, 502, 503)


@dataclass
class FileUpload:
    """A receipt upload (``multipart/form-data``)."""

    file: UploadFile
    """The receipt: a PDF, JPEG or PNG file of at most 5 MB."""
    voucher_id: (
        Annotated[Uuid, msgspec.Meta(description="Attach the receipt to this voucher at once.")] | None
    ) = None


def file_response(file_id: str, content: bytes, headers: httpx.Headers) -> Response[bytes]:
    """A file as the client gets it: the upstream's bytes with its media type and ``Content-Disposition``
    (``Content-Length`` follows from the bytes)."""
    info = downloaded_file(file_id, headers)
    return Response(
        content,
        media_type=info.media_type or "application/octet-stream",
        headers={"Content-Disposition": headers.get("content-disposition") or "attachment"},
    )


@post(
    "/",
    status_code=201,
    opt={BODY_MEDIA_TYPES_OPT: [MULTIPART]},
    request_max_body_size=UPLOAD_BODY_LIMIT,
    responses=problem_responses(*_ERRORS, 413, 415, 504),
    summary="Upload a receipt",
)
async def upload_file(
    data: Annotated[FileUpload, Body(media_type=RequestEncodingType.MULTI_PART)],
    lexoffice: Lexoffice,
    include_raw: IncludeRawFlag,
) -> FileInfo:
    """Upload a receipt (PDF, JPEG or PNG, at most 5 MB) for a bookkeeping voucher.

    With ``voucher_id`` the receipt is attached to that voucher at once; otherwise name its id in a
    voucher's ``attachments`` (create or update). The declared media type (or, for
    ``application/octet-stream``, the file name's extension) and the size are checked before anything is
    sent upstream.
    """
    content = await data.file.read()
    media_type = upload_media_type(data.file.filename, data.file.content_type)
    if errors := check_upload(data.file.filename, data.file.content_type, len(content)):
        raise ProblemError(VALIDATION, "The file cannot be uploaded as a receipt.", errors=errors)
    assert media_type is not None  # check_upload refuses an unknown media type
    return await lexoffice_files.upload_file(
        lexoffice,
        filename=data.file.filename or None,
        content=content,
        media_type=media_type,
        voucher_id=data.voucher_id,
        include_raw=include_raw,
    )


@get(
    "/{file_id:str}",
    media_type="application/octet-stream",
    responses=problem_responses(*_ERRORS),
    summary="Download a file",
)
async def download_file(file_id: FromPath[FileId], lexoffice: Lexoffice) -> Response[bytes]:
    """The file's bytes (a receipt, or a rendered document), with its media type and file name
    (``Content-Disposition``)."""
    content, headers = await lexoffice_files.download_file(lexoffice, file_id)
    return file_response(file_id, content, headers)


@get("/{file_id:str}/status", responses=problem_responses(*_ERRORS), summary="Get a file's status")
async def file_status(
    file_id: FromPath[FileId], lexoffice: Lexoffice, include_raw: IncludeRawFlag
) -> FileInfo:
    """Whether an uploaded receipt is attached to a voucher yet (``assigned``), and to which."""
    return await lexoffice_files.file_status(lexoffice, file_id, include_raw=include_raw)


router = Router("/files", route_handlers=[upload_file, download_file, file_status], tags=["files"])
