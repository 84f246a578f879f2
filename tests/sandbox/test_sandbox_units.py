"""Unit tests for the pure sandbox modules: webhook signing, upload sniffing, PDF rendering."""

from __future__ import annotations

import base64
import re
import shutil
import subprocess
import textwrap
from decimal import Decimal
from pathlib import Path
from typing import Any

import msgspec
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.lexoffice.sandbox.filetypes import (
    MAX_VOUCHER_FILE_BYTES,
    MEDIA_TYPES,
    FileRejected,
    check_voucher_file,
    sniff,
)
from connectors.lexoffice.sandbox.render import document_filename, render_sales_document
from connectors.lexoffice.sandbox.signing import SigningKey, compact_json, verify_signature
from tests.support.samples import SAMPLES_DIR
from tests.support.uploads import TINY_JPEG, make_pdf, make_png

INVOICE_SAMPLE = SAMPLES_DIR / "040_invoices_retrieve_response.json"
KINDS = [
    "invoice",
    "credit-note",
    "quotation",
    "order-confirmation",
    "delivery-note",
    "dunning",
    "down-payment-invoice",
]


# --------------------------------------------------------------------------- helpers


def load_invoice_sample() -> dict[str, Any]:
    if not INVOICE_SAMPLE.exists():
        pytest.skip("lexoffice invoice sample not available")
    return msgspec.json.Decoder(dict[str, Any], float_hook=Decimal).decode(INVOICE_SAMPLE.read_bytes())


@pytest.fixture(scope="module")
def key() -> SigningKey:
    return SigningKey.generate()


# --------------------------------------------------------------------------- signing


def test_compact_json_has_no_whitespace_and_numeric_decimals() -> None:
    body = compact_json({"eventType": "invoice.created", "amounts": [Decimal("1.50"), 2], "name": "Ä Ö"})
    assert body == '{"eventType":"invoice.created","amounts":[1.50,2],"name":"Ä Ö"}'.encode()
    assert b"\n" not in compact_json({"a": {"b": [1, {"c": None}]}})


def test_sign_verify_round_trip(key: SigningKey) -> None:
    body = compact_json({"organizationId": "aa93e8a8", "eventType": "contact.changed"})
    signature = key.sign(body)
    assert len(base64.b64decode(signature, validate=True)) == 256  # RSA-2048
    assert key.sign(body) == signature  # PKCS#1 v1.5 is deterministic
    assert verify_signature(key.public_pem(), body, signature)
    assert verify_signature(key.public_pem().decode(), body, signature)


def test_pem_round_trip(key: SigningKey) -> None:
    assert key.public_pem().startswith(b"-----BEGIN PUBLIC KEY-----")
    assert key.private_pem().startswith(b"-----BEGIN PRIVATE KEY-----")
    reloaded = SigningKey.from_pem(key.private_pem())
    assert reloaded.public_pem() == key.public_pem()
    assert reloaded.sign(b"{}") == key.sign(b"{}")
    assert "PRIVATE" not in repr(key)


def test_from_pem_rejects_non_rsa_keys() -> None:
    ec_pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    with pytest.raises(ValueError, match="RSA"):
        SigningKey.from_pem(ec_pem)


def test_tampered_body_or_signature_fails(key: SigningKey) -> None:
    body = compact_json({"resourceId": "e9066f04", "eventType": "invoice.status.changed"})
    signature = key.sign(body)
    raw = bytearray(base64.b64decode(signature))
    raw[17] ^= 0x01
    assert not verify_signature(key.public_pem(), body + b" ", signature)
    assert not verify_signature(key.public_pem(), body.replace(b"e9066f04", b"e9066f05"), signature)
    assert not verify_signature(key.public_pem(), body, base64.b64encode(bytes(raw)).decode())
    assert not verify_signature(SigningKey.generate().public_pem(), body, signature)


@pytest.mark.parametrize(
    ("public_pem", "signature"),
    [
        (b"not a pem", "AAAA"),
        (b"", ""),
        (None, "AAAA"),
        ("-----BEGIN PUBLIC KEY-----\nä\n-----END PUBLIC KEY-----", "AAAA"),
        ("VALID", "not base64 !"),
        ("VALID", ""),
        ("VALID", "ÄÖÜ"),
        ("VALID", None),
        ("EC", "AAAA"),
    ],
)
def test_verify_never_raises_on_malformed_input(key: SigningKey, public_pem: Any, signature: Any) -> None:
    if public_pem == "VALID":
        public_pem = key.public_pem()
    elif public_pem == "EC":
        public_pem = (
            ec.generate_private_key(ec.SECP256R1())
            .public_key()
            .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        )
    assert verify_signature(public_pem, b"{}", signature) is False


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl CLI not installed")
def test_signature_verifies_with_openssl_as_documented(key: SigningKey, tmp_path: Path) -> None:
    """The lexoffice docs' recipe: base64-decode the header, then ``openssl dgst -sha512 -verify``."""
    body = compact_json({"organizationId": "aa93e8a8", "eventType": "invoice.created", "eventDate": "x"})
    header = key.sign(body)
    (tmp_path / "public_key.pub").write_bytes(key.public_pem())
    (tmp_path / "sample_payload.json").write_bytes(body)
    # openssl base64 -d wants PEM-style line wrapping (or -A); the header itself is one line.
    (tmp_path / "sample_signature_base64").write_text("\n".join(textwrap.wrap(header, 64)) + "\n")

    def openssl(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["openssl", *args], cwd=tmp_path, capture_output=True, text=True, check=False)

    decoded = openssl("base64", "-d", "-in", "sample_signature_base64", "-out", "signature_decoded")
    assert decoded.returncode == 0, decoded.stderr
    verify = ("dgst", "-sha512", "-verify", "public_key.pub", "-signature", "signature_decoded")
    result = openssl(*verify, "sample_payload.json")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "Verified OK"

    (tmp_path / "tampered.json").write_bytes(body.replace(b"created", b"deleted"))
    assert openssl(*verify, "tampered.json").returncode != 0

    # And the other way round: openssl's own RSA-SHA512 signature is byte-identical to ours.
    (tmp_path / "private.pem").write_bytes(key.private_pem())
    signed = subprocess.run(
        ["openssl", "dgst", "-sha512", "-sign", "private.pem", "sample_payload.json"],
        cwd=tmp_path,
        capture_output=True,
        check=True,
    )
    assert base64.b64encode(signed.stdout).decode() == header


# --------------------------------------------------------------------------- filetypes


def test_sniff_accepts_real_pdf_png_jpeg() -> None:
    assert sniff(make_pdf()) == "pdf"
    assert sniff(make_png()) == "png"
    assert sniff(TINY_JPEG) == "jpg"
    assert sniff(TINY_JPEG + b"\x00\x00") == "jpg"  # zero padding after EOI is tolerated
    assert {check_voucher_file(c) for c in (make_pdf(), make_png(), TINY_JPEG)} == set(MEDIA_TYPES)
    assert MEDIA_TYPES == {"pdf": "application/pdf", "jpg": "image/jpeg", "png": "image/png"}


def test_claimed_name_does_not_matter() -> None:
    """sniff only sees bytes: a PNG uploaded as ``beleg.pdf`` is a png, a text file named .pdf is nothing."""
    uploads = {"beleg.pdf": make_png(), "scan.png": make_pdf(), "foto.pdf": TINY_JPEG}
    assert {name: sniff(content) for name, content in uploads.items()} == {
        "beleg.pdf": "png",
        "scan.png": "pdf",
        "foto.pdf": "jpg",
    }
    with pytest.raises(FileRejected, match="unsupported file type"):
        check_voucher_file(b"I am a PDF, trust me (rechnung.pdf)")


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"hello world\n", id="text"),
        pytest.param(b"<html><body>%PDF-1.4</body></html>", id="html"),
        pytest.param(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", id="gif"),
        pytest.param(make_pdf()[: len(make_pdf()) // 2], id="pdf-truncated"),
        pytest.param(b"%PDF-\n" + b"x" * 100 + b"\n%%EOF", id="pdf-no-version"),
        pytest.param(make_pdf() + b"\n" * 2000, id="pdf-eof-not-near-end"),
        pytest.param(make_png()[:-12], id="png-missing-iend"),
        pytest.param(make_png()[:30], id="png-truncated-in-ihdr"),
        pytest.param(make_png()[:8], id="png-signature-only"),
        pytest.param(make_png().replace(b"IHDR", b"IHDX"), id="png-no-ihdr"),
        pytest.param(make_png()[:29] + b"\x00\x00\x00\x00" + make_png()[33:], id="png-bad-ihdr-crc"),
        pytest.param(TINY_JPEG[:-2], id="jpeg-missing-eoi"),
        pytest.param(TINY_JPEG[:40], id="jpeg-truncated"),
        pytest.param(b"\xff\xd8\xff\xd9", id="jpeg-soi-eoi-only"),
        pytest.param(b"\xff\xd8\xff\xd8" + TINY_JPEG[4:], id="jpeg-double-soi"),
    ],
)
def test_sniff_rejects_non_vouchers(content: bytes) -> None:
    assert sniff(content) is None
    with pytest.raises(FileRejected) as excinfo:
        check_voucher_file(content)
    assert excinfo.value.reason == "unsupported file type"


def test_empty_file_rejected() -> None:
    assert sniff(b"") is None
    with pytest.raises(FileRejected) as excinfo:
        check_voucher_file(b"")
    assert excinfo.value.reason == "file is empty"
    assert str(excinfo.value) == "file is empty"


def test_size_limit_is_exactly_5_mb() -> None:
    overhead = len(make_png(text_chunk_size=8)) - 8
    at_limit = make_png(text_chunk_size=MAX_VOUCHER_FILE_BYTES - overhead)
    assert len(at_limit) == MAX_VOUCHER_FILE_BYTES == 5 * 1024 * 1024
    assert check_voucher_file(at_limit) == "png"

    too_big = make_png(text_chunk_size=MAX_VOUCHER_FILE_BYTES - overhead + 1)
    assert sniff(too_big) == "png"  # well-formed, only the size is wrong
    with pytest.raises(FileRejected) as excinfo:
        check_voucher_file(too_big)
    assert excinfo.value.reason == "file too large (max 5 MB)"


# --------------------------------------------------------------------------- render


def test_render_invoice_sample() -> None:
    doc = load_invoice_sample()
    pdf = render_sales_document("invoice", doc, "Fahrradhandel Müller € GmbH")
    assert pdf.startswith(b"%PDF-")
    assert sniff(pdf) == "pdf"
    assert check_voucher_file(pdf) == "pdf"
    assert len(pdf) < 20_000
    assert b"/CreationDate (D:20230222" in pdf  # derived from voucherDate, not the clock
    assert render_sales_document("invoice", doc, "Fahrradhandel Müller € GmbH") == pdf


def test_render_uncompressed_shows_texts_in_latin1() -> None:
    doc = load_invoice_sample()
    pdf = render_sales_document("invoice", doc, "Fahrradhandel Müller € GmbH", compress=False)
    texts = b"\n".join(re.findall(rb"\((.*?)\) Tj", pdf, re.S)).decode("latin-1")
    assert "Rechnung Nr. RE1019" in texts
    assert "Fahrradhandel Müller EUR GmbH" in texts
    assert "Musterstraße 42" in texts
    assert "79112 Freiburg" in texts
    assert "22.02.2023" in texts
    assert "13,40 EUR" in texts
    assert "29,85 EUR" in texts
    assert "€" not in texts


@pytest.mark.parametrize("kind", KINDS)
def test_render_every_kind_even_from_empty_doc(kind: str) -> None:
    assert sniff(render_sales_document(kind, {}, "")) == "pdf"
    assert sniff(render_sales_document(kind, load_invoice_sample(), "ACME")) == "pdf"


def test_render_draft_and_garbage_values_never_crash() -> None:
    doc: dict[str, Any] = {
        "voucherNumber": None,
        "voucherDate": "not a date",
        "address": "Hauptstraße 1",
        "lineItems": [
            None,
            "text",
            {"type": "text", "name": "Nur Text", "description": "Zeile 1\nZeile 2"},
            {
                "type": "custom",
                "name": "Große „Menge“ – 5 €",
                "quantity": "NaN",
                "unitPrice": {"netAmount": float("inf"), "taxRatePercentage": True},
                "lineItemAmount": Decimal("1E+40"),
                "discountPercentage": "abc",
            },
            {"name": "a" * 10_000, "description": "b\n" * 5_000, "unitName": "x" * 500},
        ],
        "totalPrice": [1, 2],
        "taxAmounts": 7,
        "title": {"nested": True},
        "remark": 12,
        "paymentConditions": None,
    }
    pdf = render_sales_document("invoice", doc, "Ä" * 1000)
    assert sniff(pdf) == "pdf"
    assert b"/CreationDate (D:20000101" in pdf
    assert render_sales_document("unknown-kind", doc, "X").startswith(b"%PDF-")


def test_document_filename() -> None:
    doc = load_invoice_sample()
    assert document_filename("invoice", doc) == "Rechnung_RE1019.pdf"
    assert document_filename("invoices", {"voucherNumber": "RE1234"}) == "Rechnung_RE1234.pdf"
    assert document_filename("credit-note", {"voucherNumber": None}) == "Gutschrift_Entwurf.pdf"
    assert document_filename("invoice", {}) == "Rechnung_Entwurf.pdf"
    assert document_filename("order-confirmation", {"voucherNumber": "AB0001"}) == (
        "Auftragsbestaetigung_AB0001.pdf"
    )
    assert document_filename("quotation", {"voucherNumber": "AG/2023 ü*1"}) == "Angebot_AG-2023-ue-1.pdf"
    assert document_filename("dunning", {"voucherNumber": "../../etc"}) == "Mahnung_etc.pdf"
    for kind in KINDS:
        assert re.fullmatch(r"[A-Za-z0-9._-]+", document_filename(kind, {"voucherNumber": "Nr. 1/€"}))


_text = st.text(max_size=300)


@settings(max_examples=60, deadline=None)
@given(
    company=_text,
    address=st.fixed_dictionaries(
        {
            "name": _text,
            "supplement": _text,
            "street": _text,
            "zip": _text,
            "city": _text,
            "countryCode": _text,
        }
    ),
    names=st.lists(st.tuples(_text, st.text(max_size=2000), _text), max_size=4),
    title=_text,
    introduction=st.text(max_size=2000),
    number=st.one_of(st.none(), _text),
)
def test_render_never_crashes_on_random_unicode(
    company: str,
    address: dict[str, str],
    names: list[tuple[str, str, str]],
    title: str,
    introduction: str,
    number: str | None,
) -> None:
    doc = {
        "voucherNumber": number,
        "voucherDate": "2023-02-22T00:00:00.000+01:00",
        "address": address,
        "title": title,
        "introduction": introduction,
        "remark": introduction[::-1],
        "lineItems": [
            {
                "type": "custom",
                "name": name,
                "description": description,
                "quantity": 1,
                "unitName": unit,
                "unitPrice": {"currency": "EUR", "netAmount": Decimal("1.5"), "taxRatePercentage": 19},
                "lineItemAmount": Decimal("1.5"),
            }
            for name, description, unit in names
        ],
        "totalPrice": {"totalNetAmount": 1, "totalTaxAmount": 0, "totalGrossAmount": 1},
    }
    pdf = render_sales_document("invoice", doc, company)
    assert sniff(pdf) == "pdf"
    assert re.fullmatch(r"Rechnung_[A-Za-z0-9._-]+\.pdf", document_filename("invoice", doc))
