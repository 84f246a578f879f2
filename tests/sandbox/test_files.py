"""Sandbox files endpoint: voucher uploads (multipart), downloads with their headers, the status resource."""

from __future__ import annotations

import pytest

from connectors.lexoffice.sandbox.filetypes import MAX_VOUCHER_FILE_BYTES
from tests.support.samples import sample
from tests.support.sandbox import SandboxOrg
from tests.support.uploads import PDF, TINY_JPEG, make_png, upload
from tests.support.uploads import legacy_issue as issue


@pytest.mark.parametrize(
    ("content", "media_type"),
    [(PDF, "application/pdf"), (make_png(), "image/png"), (TINY_JPEG, "image/jpeg")],
    ids=["pdf", "png", "jpg"],
)
def test_upload_is_202_with_the_id_and_downloads_byte_exact(
    lex: SandboxOrg, content: bytes, media_type: str
) -> None:
    with lex.client() as c:
        response = upload(c, content, filename="scan.bin")
        assert response.status_code == 202
        assert set(response.json()) == set(sample("035_files_upload_response.json"))
        download = c.get(f"/v1/files/{response.json()['id']}", headers={"Accept": "*/*"})
    assert download.status_code == 200
    assert download.content == content
    assert download.headers["content-type"] == media_type
    assert download.headers["content-length"] == str(len(content))
    assert download.headers["content-disposition"] == 'attachment; filename="scan.bin"'


def test_non_ascii_filename_gets_an_rfc5987_variant(lex: SandboxOrg) -> None:
    with lex.client() as c:
        file_id = upload(c, filename="Kassenbon März.pdf").json()["id"]
        disposition = c.get(f"/v1/files/{file_id}").headers["content-disposition"]
    assert (
        disposition
        == "attachment; filename=\"Kassenbon M_rz.pdf\"; filename*=UTF-8''Kassenbon%20M%C3%A4rz.pdf"
    )


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"just some text, not a voucher", "text"),
        (b"%PDF-1.4\n" + b"x" * (MAX_VOUCHER_FILE_BYTES - 15) + b"\n%%EOF\n", "over 5 MB"),
        (b"", "empty"),
    ],
    ids=["text", "too-large", "empty"],
)
def test_bad_content_is_406_legacy_and_stores_nothing(lex: SandboxOrg, content: bytes, reason: str) -> None:
    with lex.client() as c:
        response = upload(c, content)
    assert response.status_code == 406, reason
    assert issue(response) == {
        "i18nKey": "invalid_value", "source": "file", "type": "validation_failure", "additionalData": None,
        "args": None,
    }  # fmt: skip
    assert lex.org.files == {}


@pytest.mark.parametrize("upload_type", [None, "invoice", "Voucher", ""])
def test_missing_or_wrong_type_is_400(lex: SandboxOrg, upload_type: str | None) -> None:
    with lex.client() as c:
        response = upload(c, upload_type=upload_type)
    assert response.status_code == 400
    assert issue(response)["i18nKey"] == "bad_request_error"
    assert issue(response)["source"] == "type"
    assert lex.org.files == {}


def test_missing_file_part_is_500_technical_error(lex: SandboxOrg) -> None:
    with lex.client() as c:
        only_type = c.post("/v1/files", data={"type": "voucher"}, files={"attachment": ("a.pdf", PDF)})
        text_field = c.post(
            "/v1/files", data={"type": "voucher", "file": "not a file"}, files={"x": ("x", b"")}
        )
    for response in (only_type, text_field):
        assert response.status_code == 500
        assert issue(response)["i18nKey"] == "technical_error"
        assert issue(response)["type"] == "technical_error"
    assert lex.org.files == {}


@pytest.mark.parametrize("content_type", ["application/json", "application/pdf", None])
def test_non_multipart_upload_is_415(lex: SandboxOrg, content_type: str | None) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    with lex.client() as c:
        response = c.post("/v1/files", content=PDF, headers=headers)
    assert response.status_code == 415
    assert "IssueList" in response.json()


def test_broken_multipart_body_is_400(lex: SandboxOrg) -> None:
    with lex.client() as c:
        response = c.post(
            "/v1/files", content=b"garbage", headers={"Content-Type": "multipart/form-data; boundary=x"}
        )
    assert response.status_code == 400
    assert "IssueList" in response.json()


def test_unknown_file_is_404_legacy(lex: SandboxOrg) -> None:
    other = lex.sandbox.new_org()
    with other.client() as c:
        foreign_id = upload(c).json()["id"]
    with lex.client() as c:
        for file_id in ("00000000-0000-0000-0000-000000000000", foreign_id):
            for path in (f"/v1/files/{file_id}", f"/v1/files/{file_id}/status"):
                response = c.get(path)
                assert response.status_code == 404
                assert issue(response)["i18nKey"] == "not_found"


def test_rendered_documents_download_too(lex: SandboxOrg) -> None:
    stored = lex.org.store_file(PDF, "application/pdf", "RE1001.pdf", voucher_id="some-invoice")
    with lex.client() as c:
        response = c.get(f"/v1/files/{stored.id}", headers={"Accept": "*/*"})
    assert response.status_code == 200
    assert response.content == PDF
    assert response.headers["content-disposition"] == 'attachment; filename="RE1001.pdf"'


def test_xml_accept_without_xrechnung_is_406(lex: SandboxOrg) -> None:
    with lex.client() as c:
        file_id = upload(c).json()["id"]
        xml_only = c.get(f"/v1/files/{file_id}", headers={"Accept": "application/xml"})
        xml_or_any = c.get(f"/v1/files/{file_id}", headers={"Accept": "application/xml, */*;q=0.1"})
    assert xml_only.status_code == 406
    assert issue(xml_only)["type"] == "validation_failure"
    assert xml_or_any.status_code == 200


def test_status_of_an_unassigned_upload(lex: SandboxOrg) -> None:
    with lex.client() as c:
        file_id = upload(c).json()["id"]
        status = c.get(f"/v1/files/{file_id}/status")
    assert status.status_code == 200
    assert status.json() == {"id": file_id, "status": "unassigned", "voucherId": None}
