"""Upstream credentials at rest: AES-256-GCM envelopes under a master key, with key ids for rotation.

An :class:`Envelope` records which master key (``kid``) sealed it, a fresh 96-bit nonce and the ciphertext
(with the GCM tag). The caller's associated data (the account id) binds a ciphertext to its account, so a
ciphertext copied onto another account does not decrypt. Retired keys stay in the :class:`Keyring` to decrypt;
:meth:`Keyring.reseal` moves an envelope to the current key.
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

import msgspec
import structlog
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .settings import MASTER_KEY_BYTES, Settings, decode_master_key, parse_old_keys

DEV_KEY_FILE = Path(".ledgerbridge/master.key")
NONCE_BYTES = 12
log = structlog.get_logger("ledgerbridge.crypto")


class DecryptionError(Exception):
    """A ciphertext could not be opened (unknown key id, wrong key, tampered data or wrong account)."""


class Envelope(msgspec.Struct, frozen=True):
    """An encrypted value: master key id, nonce and ciphertext (both base64)."""

    kid: str
    nonce: str
    ciphertext: str


def derive_key_id(key: bytes) -> str:
    """A stable, non-secret id for a master key."""
    return hashlib.sha256(b"ledgerbridge/master-key-id/" + key).hexdigest()[:16]


@dataclass(frozen=True)
class MasterKey:
    """A 256-bit AES key and its id."""

    kid: str
    key: bytes

    def __repr__(self) -> str:
        return f"MasterKey(kid={self.kid!r})"

    @classmethod
    def from_bytes(cls, key: bytes, kid: str | None = None) -> MasterKey:
        if len(key) != MASTER_KEY_BYTES:
            raise ValueError(f"a master key has {MASTER_KEY_BYTES} bytes")
        return cls(kid or derive_key_id(key), key)


class Keyring:
    """The current master key (encrypts and decrypts) and retired ones (decrypt only)."""

    def __init__(self, current: MasterKey, retired: tuple[MasterKey, ...] = ()) -> None:
        self.current = current
        self._keys = {key.kid: key for key in retired}
        self._keys[current.kid] = current

    @classmethod
    def from_settings(cls, settings: Settings, dev_key_file: Path = DEV_KEY_FILE) -> Keyring:
        """The keyring of the settings; without a master key, the development key in ``dev_key_file``."""
        if settings.master_key is None:
            current = MasterKey.from_bytes(load_or_create_dev_key(dev_key_file))
            log.warning("using a development master key; set LEDGERBRIDGE_MASTER_KEY", path=str(dev_key_file))
        else:
            current = MasterKey.from_bytes(decode_master_key(settings.master_key), settings.master_key_id)
        retired = tuple(
            MasterKey.from_bytes(key, kid) for kid, key in parse_old_keys(settings.master_keys_old or "")
        )
        return cls(current, retired)

    def seal(self, plaintext: bytes, associated_data: bytes) -> Envelope:
        """Encrypt under the current key with a fresh random nonce."""
        nonce = secrets.token_bytes(NONCE_BYTES)
        ciphertext = AESGCM(self.current.key).encrypt(nonce, plaintext, associated_data)
        return Envelope(self.current.kid, _b64(nonce), _b64(ciphertext))

    def open(self, envelope: Envelope, associated_data: bytes) -> bytes:
        """Decrypt with whichever known key sealed the envelope."""
        key = self._keys.get(envelope.kid)
        if key is None:
            raise DecryptionError(f"unknown master key id {envelope.kid!r}")
        try:
            return AESGCM(key.key).decrypt(
                _unb64(envelope.nonce), _unb64(envelope.ciphertext), associated_data
            )
        except (InvalidTag, ValueError):
            raise DecryptionError("ciphertext does not authenticate") from None

    def needs_reseal(self, envelope: Envelope) -> bool:
        """Whether the envelope was sealed by a retired key."""
        return envelope.kid != self.current.kid

    def reseal(self, envelope: Envelope, associated_data: bytes) -> Envelope:
        """The same plaintext sealed under the current key (unchanged if it already is)."""
        if not self.needs_reseal(envelope):
            return envelope
        return self.seal(self.open(envelope, associated_data), associated_data)


def load_or_create_dev_key(path: Path) -> bytes:
    """Read the development master key from ``path``, creating it (mode 0600) on first use."""
    if not path.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process created it first: read theirs
        else:
            with os.fdopen(fd, "w") as file:
                file.write(_b64(secrets.token_bytes(MASTER_KEY_BYTES)) + "\n")
    return decode_master_key(path.read_text())


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text, validate=True)
