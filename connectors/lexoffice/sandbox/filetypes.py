"""Content checks for ``POST /v1/files`` uploads (type ``voucher``: pdf, jpg, png, max 5 MB).

The file kind is judged from the bytes only; the filename or Content-Type a client
claims is irrelevant. Besides the magic bytes a minimal structural check catches
truncated uploads (missing ``%%EOF``, ``IEND`` or JPEG EOI).
"""

from __future__ import annotations

import re
import struct
import zlib

__all__ = [
    "MAX_VOUCHER_FILE_BYTES",
    "MEDIA_TYPES",
    "FileRejected",
    "check_voucher_file",
    "sniff",
]

MAX_VOUCHER_FILE_BYTES = 5 * 1024 * 1024
MEDIA_TYPES: dict[str, str] = {"pdf": "application/pdf", "jpg": "image/jpeg", "png": "image/png"}

_PDF_HEADER = re.compile(rb"%PDF-\d\.\d")
_PDF_EOF_WINDOW = 1024  # readers look for %%EOF within the last 1024 bytes (ISO 32000 7.5.5)
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_IEND = struct.pack(">I4sI", 0, b"IEND", zlib.crc32(b"IEND"))
_JPEG_SOI = b"\xff\xd8\xff"
_JPEG_EOI = b"\xff\xd9"


class FileRejected(Exception):
    """An upload lexoffice would refuse (406 Not Acceptable); ``reason`` goes into the body."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _is_pdf(content: bytes) -> bool:
    return _PDF_HEADER.match(content) is not None and b"%%EOF" in content[-_PDF_EOF_WINDOW:]


def _is_png(content: bytes) -> bool:
    # signature, then IHDR: length 13, type, 13 data bytes, CRC over type + data; IEND last.
    if not content.startswith(_PNG_SIGNATURE) or len(content) < 8 + 25 + len(_PNG_IEND):
        return False
    length, chunk_type = struct.unpack_from(">I4s", content, 8)
    if length != 13 or chunk_type != b"IHDR":
        return False
    width, height = struct.unpack_from(">II", content, 16)
    (crc,) = struct.unpack_from(">I", content, 29)
    return width > 0 and height > 0 and crc == zlib.crc32(content[12:29]) and content.endswith(_PNG_IEND)


def _is_jpeg(content: bytes) -> bool:
    # SOI followed by a marker segment (not another SOI/EOI), EOI at the end (NUL padding tolerated).
    if not content.startswith(_JPEG_SOI) or len(content) < 8:
        return False
    if content[3] < 0xC0 or content[3] in (0xD8, 0xD9):
        return False
    return content.rstrip(b"\x00").endswith(_JPEG_EOI)


def sniff(content: bytes) -> str | None:
    """Return ``"pdf"``, ``"jpg"`` or ``"png"`` judged by content, else ``None``."""
    if _is_pdf(content):
        return "pdf"
    if _is_png(content):
        return "png"
    if _is_jpeg(content):
        return "jpg"
    return None


def check_voucher_file(content: bytes) -> str:
    """Validate a voucher upload; return its kind or raise :class:`FileRejected`."""
    if not content:
        raise FileRejected("file is empty")
    if len(content) > MAX_VOUCHER_FILE_BYTES:
        raise FileRejected("file too large (max 5 MB)")
    kind = sniff(content)
    if kind is None:
        raise FileRejected("unsupported file type")
    return kind
