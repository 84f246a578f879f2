"""Receipt uploads, file downloads and the upload status over real HTTP (gateway -> sandbox)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from connectors.lexoffice.mapping.files import MAX_UPLOAD_BYTES
from gateway.routes.accounting.files import UPLOAD_BODY_LIMIT
from tests.e2e.helpers import created, problem, upstream_calls, upstream_state, voucher_request
from tests.support.sandbox import SandboxOrg
from tests.support.uploads import PDF, make_png

Json = dict[str, Any]
FILES = "/v1/accounting/files"


def upload(
    api: httpx.Client, content: bytes, filename: str, media_type: str, **fields: str
) -> httpx.Response:
    return api.post(FILES, files={"file": (filename, content, media_type)}, data=fields)


def test_upload_download_and_status(api: httpx.Client, account: Json) -> None:
    lex: SandboxOrg = account["lex"]
    before = upstream_calls(lex)
    response = upload(api, PDF, "Beleg März.pdf", "application/pdf")
    assert response.status_code == 201, response.text
    assert upstream_calls(lex) - before == 1
    info = response.json()
    assert info == {
        "id": info["id"],
        "filename": "Beleg März.pdf",
        "media_type": "application/pdf",
        "size": len(PDF),
        "status": "unassigned",
        "voucher_id": None,
        "raw": None,
    }
    stored = lex.org.files[info["id"]]
    assert (stored.content, stored.media_type, stored.voucher_id) == (PDF, "application/pdf", None)

    download = api.get(f"{FILES}/{info['id']}")
    assert download.status_code == 200, download.text
    assert download.content == PDF
    assert download.headers["content-type"] == "application/pdf"
    assert int(download.headers["content-length"]) == len(PDF)
    assert download.headers["content-disposition"] == (
        "attachment; filename=\"Beleg M_rz.pdf\"; filename*=UTF-8''Beleg%20M%C3%A4rz.pdf"
    )

    status = api.get(f"{FILES}/{info['id']}/status", params={"include_raw": "true"}).json()
    assert (status["id"], status["status"], status["voucher_id"]) == (info["id"], "unassigned", None)
    assert status["raw"] == {"id": info["id"], "status": "unassigned", "voucherId": None}


def test_generic_media_type_is_taken_from_the_file_name(api: httpx.Client, account: Json) -> None:
    lex: SandboxOrg = account["lex"]
    png = make_png()
    response = upload(api, png, "scan.png", "application/octet-stream")
    assert response.status_code == 201, response.text
    assert (response.json()["media_type"], response.json()["size"]) == ("image/png", len(png))
    assert lex.org.files[response.json()["id"]].media_type == "image/png"


def test_upload_onto_a_voucher_attaches_it_and_later_updates_keep_it(
    api: httpx.Client, account: Json
) -> None:
    lex: SandboxOrg = account["lex"]
    voucher = created(api, "/v1/accounting/vouchers", voucher_request())  # warms the version cache
    first = upload(api, PDF, "beleg.pdf", "application/pdf", voucher_id=voucher["id"])
    assert first.status_code == 201, first.text
    info = first.json()
    assert (info["status"], info["voucher_id"]) == ("assigned", voucher["id"])
    record = lex.org.collection("vouchers")[voucher["id"]]
    assert (record["files"], record["version"]) == ([info["id"]], 2)
    status = api.get(f"{FILES}/{info['id']}/status").json()
    assert (status["status"], status["voucher_id"]) == ("assigned", voucher["id"])

    before = upstream_calls(lex)  # the upload dropped the stale cached body: GET + PUT, no 409 round trip
    response = api.patch(f"/v1/accounting/vouchers/{voucher['id']}", json={"remark": "mit Beleg"})
    assert response.status_code == 200, response.text
    assert upstream_calls(lex) - before == 2
    assert (response.json()["attachments"], record["files"], record["remark"]) == (
        [info["id"]],
        [info["id"]],
        "mit Beleg",
    )
    assert info["id"] in lex.org.files


@pytest.mark.parametrize(
    ("content", "filename", "media_type", "reason"),
    [
        (b"just text", "notes.txt", "text/plain", "must be a PDF, JPEG or PNG file, not text/plain"),
        (
            b"just text",
            "notes.txt",
            "application/octet-stream",
            "must be a PDF, JPEG or PNG file, not unknown",
        ),
        (b"", "empty.pdf", "application/pdf", "is empty"),
        (
            PDF + b"\0" * (MAX_UPLOAD_BYTES + 1 - len(PDF)),
            "big.pdf",
            "application/pdf",
            f"is larger than 5 MB ({MAX_UPLOAD_BYTES + 1} bytes)",
        ),
    ],
)
def test_uploads_lexoffice_would_refuse_are_refused_first(
    api: httpx.Client, account: Json, content: bytes, filename: str, media_type: str, reason: str
) -> None:
    lex: SandboxOrg = account["lex"]
    state, calls_before = upstream_state(lex), upstream_calls(lex)
    answer = problem(upload(api, content, filename, media_type), 422, "validation-error")
    assert answer["errors"] == [{"field": "file", "reason": reason}]
    assert upstream_state(lex) == state
    assert upstream_calls(lex) == calls_before


def test_malformed_uploads_write_nothing(api: httpx.Client, account: Json) -> None:
    lex: SandboxOrg = account["lex"]
    voucher = created(api, "/v1/accounting/vouchers", voucher_request())
    state = upstream_state(lex)
    too_big = upload(api, b"\0" * UPLOAD_BODY_LIMIT, "huge.pdf", "application/pdf")
    problem(too_big, 413, "payload-too-large")
    problem(api.post(FILES, json={"file": "beleg.pdf"}), 415, "unsupported-media-type")
    no_file = problem(api.post(FILES, files={"voucher_id": (None, voucher["id"])}), 422, "validation-error")
    assert "file" in [error["field"] for error in no_file["errors"]]
    bad_id = problem(upload(api, PDF, "b.pdf", "application/pdf", voucher_id="nope"), 422, "validation-error")
    assert "voucher_id" in [error["field"] for error in bad_id["errors"]]
    unknown = upload(api, PDF, "b.pdf", "application/pdf", voucher_id="00000000-0000-4000-8000-000000000000")
    problem(unknown, 404, "not-found")
    # a file that claims to be a PDF but is not: lexoffice judges the bytes and refuses it
    fake = problem(upload(api, b"%PDF nope", "fake.pdf", "application/pdf"), 422, "upstream-validation")
    assert fake["upstream"]["status"] == 406
    problem(api.get(f"{FILES}/00000000-0000-4000-8000-000000000000"), 404, "not-found")
    problem(api.get(f"{FILES}/00000000-0000-4000-8000-000000000000/status"), 404, "not-found")
    assert upstream_state(lex) == state
