"""Credentials at rest: AES-GCM envelopes bound to their account, key ids, rotation, the dev key file."""

from __future__ import annotations

import base64
import secrets
import stat
from pathlib import Path

import pytest

from gateway.crypto import DecryptionError, Envelope, Keyring, MasterKey, derive_key_id
from gateway.settings import Settings


def b64key() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


def test_seal_and_open_round_trip_with_fresh_nonces() -> None:
    ring = Keyring.from_settings(Settings(master_key=b64key()))
    first = ring.seal(b'{"api_key":"s3cret"}', b"acc_1")
    second = ring.seal(b'{"api_key":"s3cret"}', b"acc_1")
    assert first.nonce != second.nonce
    assert first.ciphertext != second.ciphertext
    assert b"s3cret" not in base64.b64decode(first.ciphertext)
    assert ring.open(first, b"acc_1") == b'{"api_key":"s3cret"}'
    assert first.kid == ring.current.kid == derive_key_id(ring.current.key)


def test_ciphertext_is_bound_to_its_account_and_to_its_bytes() -> None:
    ring = Keyring(MasterKey.from_bytes(secrets.token_bytes(32)))
    envelope = ring.seal(b"secret", b"acc_1")
    with pytest.raises(DecryptionError):
        ring.open(envelope, b"acc_2")
    flipped = bytearray(base64.b64decode(envelope.ciphertext))
    flipped[0] ^= 1
    tampered = Envelope(envelope.kid, envelope.nonce, base64.b64encode(bytes(flipped)).decode())
    with pytest.raises(DecryptionError):
        ring.open(tampered, b"acc_1")


def test_rotation_old_keys_decrypt_and_reseal_moves_to_the_current_key() -> None:
    old_key, new_key = b64key(), b64key()
    old_ring = Keyring.from_settings(Settings(master_key=old_key, master_key_id="2025"))
    envelope = old_ring.seal(b"secret", b"acc_1")

    new_ring = Keyring.from_settings(Settings(master_key=new_key, master_keys_old=f"2025:{old_key}"))
    assert new_ring.needs_reseal(envelope)
    assert new_ring.open(envelope, b"acc_1") == b"secret"
    resealed = new_ring.reseal(envelope, b"acc_1")
    assert resealed.kid == new_ring.current.kid != "2025"
    assert new_ring.reseal(resealed, b"acc_1") is resealed
    assert Keyring.from_settings(Settings(master_key=new_key)).open(resealed, b"acc_1") == b"secret"

    without_old = Keyring.from_settings(Settings(master_key=new_key))
    with pytest.raises(DecryptionError, match="unknown master key id"):
        without_old.open(envelope, b"acc_1")


def test_dev_key_is_generated_once_with_mode_0600(tmp_path: Path) -> None:
    path = tmp_path / ".ledgerbridge" / "master.key"
    first = Keyring.from_settings(Settings(), dev_key_file=path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    second = Keyring.from_settings(Settings(), dev_key_file=path)
    assert first.current == second.current
    assert second.open(first.seal(b"x", b"a"), b"a") == b"x"


def test_master_key_repr_hides_the_key() -> None:
    key = MasterKey.from_bytes(bytes(32), "k1")
    assert repr(key) == "MasterKey(kid='k1')"
