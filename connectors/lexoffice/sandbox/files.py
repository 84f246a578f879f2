"""Files: ``POST /v1/files`` (voucher uploads), ``GET /v1/files/{id}`` (download) and the undocumented
``GET /v1/files/{id}/status``. Errors use the legacy format (see :mod:`.errors`).

Uploaded voucher files are registered in the ``uploads`` collection so that bookkeeping vouchers can tell
them from rendered sales documents (only uploads may be assigned to a voucher, once).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath

from .errors import ApiError, Detail, bad_request, not_found, validation_error
from .filetypes import MEDIA_TYPES, FileRejected, check_voucher_file
from .state import Organization, StoredFile
from .web import json_response, organization

UPLOADS = "uploads"
UPLOAD_TYPES = ("voucher",)
_XML_TYPES = ("application/xml", "text/xml")


async def receive_voucher_file(request: Request[Any, Any, Any], *, typed: bool) -> tuple[bytes, str, str]:
    """Read a multipart upload: ``(content, kind, filename)``.

    415 without ``multipart/form-data``; with ``typed`` the form field ``type`` must be ``voucher`` (400);
    no ``file`` part is a 500 (as lexoffice answers); content that is not a pdf/jpg/png up to 5 MB is a 406.
    """
    content_type = request.headers.get("content-type", "")
    if content_type.split(";")[0].strip().lower() != "multipart/form-data":
        raise ApiError(415, f"Content type '{content_type}' not supported")
    form = await request.form()
    if typed and form.get("type") not in UPLOAD_TYPES:
        raise bad_request("upload type must be one of: " + ", ".join(UPLOAD_TYPES), "type")
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise ApiError(500, "no file provided", [Detail("TECHNICAL", "file", "no file provided")])
    content = await upload.read()
    await upload.close()
    try:
        kind = check_voucher_file(content)
    except FileRejected as exc:
        raise validation_error("file", exc.reason) from None
    return content, kind, upload.filename


def store_upload(
    org: Organization, content: bytes, kind: str, filename: str, voucher_id: str | None = None
) -> StoredFile:
    """Store an uploaded voucher file (optionally assigned to a bookkeeping voucher)."""
    stored = org.store_file(content, MEDIA_TYPES[kind], filename or f"upload.{kind}", voucher_id=voucher_id)
    org.collection(UPLOADS)[stored.id] = {"id": stored.id, "type": "voucher"}
    return stored


def is_unassigned_upload(org: Organization, file_id: str) -> bool:
    stored = org.files.get(file_id)
    return stored is not None and stored.voucher_id is None and file_id in org.collection(UPLOADS)


def delete_file(org: Organization, file_id: str) -> None:
    """Delete a file permanently."""
    org.files.pop(file_id, None)
    org.collection(UPLOADS).pop(file_id, None)


def _content_disposition(filename: str) -> str:
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in filename)
    if fallback == filename:
        return f'attachment; filename="{filename}"'
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"


def _wants_xml(request: Request[Any, Any, Any]) -> bool:
    """Whether the client asks for the XRechnung XML only (``Accept: application/xml``, no wildcard)."""
    accepted = [part.split(";")[0].strip().lower() for part in request.headers.get("accept", "").split(",")]
    return any(a in _XML_TYPES for a in accepted) and "*/*" not in accepted


def _stored_file(request: Request[Any, Any, Any], file_id: str) -> StoredFile:
    stored = organization(request).files.get(file_id)
    if stored is None:
        raise not_found("File")
    return stored


@post("/v1/files")
async def upload_file(request: Request[Any, Any, Any]) -> Response[bytes]:
    content, kind, filename = await receive_voucher_file(request, typed=True)
    stored = store_upload(organization(request), content, kind, filename)
    return json_response({"id": stored.id}, 202)


@get("/v1/files/{file_id:str}", sync_to_thread=False)
def download_file(request: Request[Any, Any, Any], file_id: FromPath[str]) -> Response[bytes]:
    stored = _stored_file(request, file_id)
    if _wants_xml(request) and stored.media_type not in _XML_TYPES:
        raise validation_error("Accept", "no XRechnung XML representation exists for this file")
    return Response(
        content=stored.content,
        media_type=stored.media_type,
        headers={"Content-Disposition": _content_disposition(stored.filename)},
    )


@get("/v1/files/{file_id:str}/status", sync_to_thread=False)
def file_status(request: Request[Any, Any, Any], file_id: FromPath[str]) -> Response[bytes]:
    """Undocumented by lexoffice; the sandbox processes uploads at once, so only assignment varies."""
    stored = _stored_file(request, file_id)
    return json_response(
        {
            "id": stored.id,
            "status": "assigned" if stored.voucher_id else "unassigned",
            "voucherId": stored.voucher_id,
        }
    )


ROUTES = [upload_file, download_file, file_status]
