"""Tiny real files for upload tests (PDF, PNG, JPEG) and the multipart upload call."""

from __future__ import annotations

import struct
import zlib

import httpx
from fpdf import FPDF

# A real 1x1 greyscale baseline JPEG, segment by segment.
TINY_JPEG = (
    b"\xff\xd8"  # SOI
    + b"\xff\xdb\x00\x43\x00" + b"\x01" * 64  # DQT: table 0, all ones
    + b"\xff\xc0\x00\x0b\x08\x00\x01\x00\x01\x01\x01\x11\x00"  # SOF0: 8 bit, 1x1, one component
    + b"\xff\xc4\x00\x14\x00" + b"\x01" + b"\x00" * 15 + b"\x00"  # DHT DC0: one 1-bit code -> 0
    + b"\xff\xc4\x00\x14\x10" + b"\x01" + b"\x00" * 15 + b"\x00"  # DHT AC0: one 1-bit code -> EOB
    + b"\xff\xda\x00\x08\x01\x01\x00\x00\x3f\x00"  # SOS
    + b"\x3f"  # entropy data: DC diff 0, EOB, 1-padding
    + b"\xff\xd9"  # EOI
)  # fmt: skip


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def make_png(text_chunk_size: int = 0) -> bytes:
    """A 1x1 8-bit greyscale PNG, optionally padded with a tEXt chunk of the given data size."""
    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    chunks = [_png_chunk(b"IHDR", ihdr)]
    if text_chunk_size:
        chunks.append(_png_chunk(b"tEXt", b"Comment\x00" + b"x" * (text_chunk_size - 8)))
    chunks += [_png_chunk(b"IDAT", zlib.compress(b"\x00\x80")), _png_chunk(b"IEND", b"")]
    return b"\x89PNG\r\n\x1a\n" + b"".join(chunks)


def make_pdf() -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.cell(text="Beleg")
    return bytes(pdf.output())


PDF = make_pdf()


def upload(
    client: httpx.Client,
    content: bytes = PDF,
    filename: str = "beleg.pdf",
    upload_type: str | None = "voucher",
) -> httpx.Response:
    """``POST /v1/files`` as multipart with the ``file`` part and the ``type`` field."""
    data = {"type": upload_type} if upload_type is not None else {}
    return client.post(
        "/v1/files", files={"file": (filename, content, "application/octet-stream")}, data=data
    )


def legacy_issue(response: httpx.Response) -> dict[str, object]:
    """The single issue of a legacy ``IssueList`` error body."""
    issues = response.json()["IssueList"]
    assert len(issues) == 1
    issue: dict[str, object] = issues[0]
    return issue
