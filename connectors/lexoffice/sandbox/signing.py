"""Webhook signing for the lexoffice sandbox.

lexoffice signs every webhook call: the ``X-Lxo-Signature`` header carries the
base64-encoded RSA signature (RSASSA-PKCS1-v1_5 with SHA-512) of the compact
JSON request body, i.e. exactly what ``openssl dgst -sha512 -sign`` produces and
``openssl dgst -sha512 -verify pub.pem -signature sig body`` accepts.
The sandbox holds its own key pair and publishes the public key.
"""

from __future__ import annotations

import base64
from typing import Any

import msgspec
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

__all__ = ["SIGNATURE_HEADER", "SigningKey", "compact_json", "verify_signature"]

SIGNATURE_HEADER = "X-Lxo-Signature"
_KEY_SIZE = 2048
_JSON_ENCODER = msgspec.json.Encoder(decimal_format="number")


class SigningKey:
    """An RSA private key that signs webhook bodies the way lexoffice does."""

    __slots__ = ("_key",)

    def __init__(self, key: rsa.RSAPrivateKey) -> None:
        self._key = key

    def __repr__(self) -> str:
        return f"SigningKey(rsa-{self._key.key_size})"

    @classmethod
    def generate(cls) -> SigningKey:
        """Create a fresh RSA-2048 key pair."""
        return cls(rsa.generate_private_key(public_exponent=65537, key_size=_KEY_SIZE))

    @classmethod
    def from_pem(cls, pem: bytes) -> SigningKey:
        """Load an unencrypted PEM private key (PKCS#8 or PKCS#1); it must be RSA."""
        key = serialization.load_pem_private_key(pem, password=None)
        if not isinstance(key, rsa.RSAPrivateKey):
            raise ValueError("signing key must be an RSA private key")
        return cls(key)

    def private_pem(self) -> bytes:
        """The private key as unencrypted PKCS#8 PEM."""
        return self._key.private_bytes(
            encoding=serialization.Encoding.PEM,
            format=serialization.PrivateFormat.PKCS8,
            encryption_algorithm=serialization.NoEncryption(),
        )

    def public_pem(self) -> bytes:
        """The public key as SubjectPublicKeyInfo PEM (``-----BEGIN PUBLIC KEY-----``)."""
        return self._key.public_key().public_bytes(
            encoding=serialization.Encoding.PEM,
            format=serialization.PublicFormat.SubjectPublicKeyInfo,
        )

    def sign(self, body: bytes) -> str:
        """Base64 RSASSA-PKCS1-v1_5/SHA-512 signature over the exact ``body`` bytes."""
        signature = self._key.sign(body, padding.PKCS1v15(), hashes.SHA512())
        return base64.b64encode(signature).decode("ascii")


def verify_signature(public_pem: bytes | str, body: bytes, signature_b64: str) -> bool:
    """True iff ``signature_b64`` is a valid signature of ``body``; False on any bad input."""
    try:
        pem = public_pem.encode("ascii") if isinstance(public_pem, str) else public_pem
        key = serialization.load_pem_public_key(pem)
        if not isinstance(key, rsa.RSAPublicKey):
            return False
        signature = base64.b64decode(signature_b64, validate=True)
        key.verify(signature, body, padding.PKCS1v15(), hashes.SHA512())
    except (InvalidSignature, UnsupportedAlgorithm, ValueError, TypeError):
        return False
    return True


def compact_json(obj: Any) -> bytes:
    """Encode ``obj`` as the compact JSON lexoffice signs (no whitespace, no line breaks)."""
    return _JSON_ENCODER.encode(obj)
