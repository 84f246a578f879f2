"""Files: upload answers, download headers, upload checks, Content-Disposition file names."""

from __future__ import annotations

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from connectors.lexoffice.mapping.files import (
    MAX_UPLOAD_BYTES,
    check_upload,
    content_disposition_filename,
    downloaded_file,
    file_from_lexoffice,
    upload_media_type,
    uploaded_file,
)
from schemas.files import FileInfo
from schemas.problem import FieldError
from tests.support.samples import sample_exact

FILE_ID = "8118c402-1c70-4da1-a9f1-a22f480cc623"
VOUCHER_ID = "0a739052-ce80-4ae6-a276-34524eec43b1"


def roundtrip_json(info: FileInfo) -> None:
    assert msgspec.json.decode(msgspec.json.encode(info), type=FileInfo) == info


def test_upload_answer_sample() -> None:
    data = sample_exact("035_files_upload_response.json")
    info = file_from_lexoffice(data)
    assert info == FileInfo(id=FILE_ID)
    assert file_from_lexoffice(data, include_raw=True).raw == {"id": FILE_ID}
    roundtrip_json(info)


@pytest.mark.parametrize("status", ["assigned", "unassigned", "processing", "somethingnew"])
def test_file_status_answer(status: str) -> None:
    info = file_from_lexoffice({"id": FILE_ID, "status": status, "voucherId": VOUCHER_ID})
    assert (info.id, info.status, info.voucher_id) == (FILE_ID, status, VOUCHER_ID)
    roundtrip_json(info)


def test_uploaded_file_carries_what_was_uploaded() -> None:
    answer = sample_exact("035_files_upload_response.json")
    loose = uploaded_file(answer, filename="beleg.pdf", media_type="application/pdf", size=1234)
    assert loose == FileInfo(
        id=FILE_ID, filename="beleg.pdf", media_type="application/pdf", size=1234, status="unassigned"
    )
    attached = uploaded_file(answer, filename=None, media_type="image/png", size=9, voucher_id=VOUCHER_ID)
    assert (attached.status, attached.voucher_id, attached.filename) == ("assigned", VOUCHER_ID, None)
    roundtrip_json(loose)


def test_downloaded_file_from_headers() -> None:
    headers = {
        "Content-Type": "application/pdf",
        "Content-Length": "2048",
        "content-disposition": "attachment; filename=\"RE1012.pdf\"; filename*=UTF-8''RE1012%20%C3%A4.pdf",
    }
    assert downloaded_file(FILE_ID, headers) == FileInfo(
        id=FILE_ID, filename="RE1012 ä.pdf", media_type="application/pdf", size=2048
    )
    bare = downloaded_file(FILE_ID, {"Content-Type": "Application/XML; charset=UTF-8"})
    assert bare == FileInfo(id=FILE_ID, media_type="application/xml")


# --- upload checks ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "content_type"),
    [
        ("beleg.pdf", "application/pdf"),
        ("scan.jpg", "image/jpeg"),
        ("scan.png", "image/png"),
        (None, "Image/PNG"),
        ("beleg", "application/pdf; charset=binary"),
        ("beleg.PDF", "application/octet-stream"),
        ("scan.jpeg", None),
        ("scan.jpg", ""),
    ],
)
def test_accepted_uploads(filename: str | None, content_type: str | None) -> None:
    assert check_upload(filename, content_type, 1024) == []


@pytest.mark.parametrize(
    ("filename", "content_type", "declared"),
    [
        ("scan.gif", "image/gif", "image/gif"),
        ("beleg.pdf", "text/plain", "text/plain"),
        ("beleg.docx", "application/octet-stream", "unknown"),
        (None, None, "unknown"),
        ("pdf", None, "unknown"),
    ],
)
def test_refused_media_types(filename: str | None, content_type: str | None, declared: str) -> None:
    assert check_upload(filename, content_type, 1024) == [
        FieldError("file", f"must be a PDF, JPEG or PNG file, not {declared}")
    ]


def test_size_limits() -> None:
    assert MAX_UPLOAD_BYTES == 5 * 1024 * 1024
    assert check_upload("a.pdf", "application/pdf", MAX_UPLOAD_BYTES) == []
    assert check_upload("a.pdf", "application/pdf", MAX_UPLOAD_BYTES + 1) == [
        FieldError("file", "is larger than 5 MB (5242881 bytes)")
    ]
    assert check_upload("a.pdf", "application/pdf", 0) == [FieldError("file", "is empty")]
    assert [e.reason for e in check_upload("a.gif", None, 0)] == [
        "must be a PDF, JPEG or PNG file, not unknown",
        "is empty",
    ]


def test_upload_media_type_prefers_the_declared_type() -> None:
    assert upload_media_type("scan.png", "application/pdf") == "application/pdf"
    assert upload_media_type("scan.png", "application/octet-stream") == "image/png"
    assert upload_media_type("archive.tar.gz", None) is None


# --- Content-Disposition ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "filename"),
    [
        ("attachment; filename=beleg.pdf", "beleg.pdf"),
        ('attachment; filename="Beleg Juni 2023.pdf"', "Beleg Juni 2023.pdf"),
        ('attachment; filename="say \\"hi\\".pdf"', 'say "hi".pdf'),
        ('inline; FILENAME="upper.pdf"', "upper.pdf"),
        ("attachment; filename*=UTF-8''Gr%C3%BC%C3%9Fe%20%E2%82%AC.pdf", "Grüße €.pdf"),
        ("attachment; filename*=utf-8'de'Rechnung%20%C3%84.pdf", "Rechnung Ä.pdf"),
        ("attachment; filename*=ISO-8859-1''%A3%20rates.pdf", "£ rates.pdf"),
        # RFC 6266 4.3: filename* wins over filename, whichever comes first
        ("attachment; filename=\"Gr__e.pdf\"; filename*=UTF-8''Gr%C3%BC%C3%9Fe.pdf", "Grüße.pdf"),
        ("attachment; filename*=UTF-8''Gr%C3%BC%C3%9Fe.pdf; filename=\"Gr__e.pdf\"", "Grüße.pdf"),
        ('attachment; filename*0="Rech"; filename*1="nung.pdf"', "Rechnung.pdf"),
        ('attachment; filename="../../etc/passwd"', "passwd"),
        ('attachment; filename="C:\\\\temp\\\\beleg.pdf"', "beleg.pdf"),
        ('attachment; filename=""', None),
        ("attachment", None),
        ("inline", None),
        ("", None),
        (None, None),
    ],
)
def test_content_disposition_filename(header: str | None, filename: str | None) -> None:
    assert content_disposition_filename(header) == filename


@given(st.text(st.characters(codec="utf-8", exclude_categories=["Cc"]), min_size=1, max_size=40))
def test_any_name_survives_rfc_8187_encoding(name: str) -> None:
    from urllib.parse import quote

    header = f"attachment; filename=\"fallback.pdf\"; filename*=UTF-8''{quote(name, safe='')}"
    expected = name.replace("\\", "/").rpartition("/")[2].strip() or None
    assert content_disposition_filename(header) == expected
