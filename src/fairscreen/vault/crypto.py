"""AES-256-GCM field encryption with pyca `cryptography` (never our own primitives).

Blob layout: 1 version byte (0x01) ‖ 12-byte random nonce ‖ ciphertext ‖ 16-byte tag.
The associated data binds a ciphertext to its case and field, so a blob copied into
another row or another case fails to open instead of revealing someone else's data.
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from fairscreen.shared.sealed import Sealed

VERSION = b"\x01"
NONCE_BYTES = 12


class SealError(Exception):
    """A blob that does not open with this key and associated data."""


def new_data_key() -> bytes:
    """Return a fresh random 256-bit key."""
    return AESGCM.generate_key(bit_length=256)


def seal_bytes(aead: AESGCM, plaintext: bytes, aad: bytes) -> Sealed:
    """Encrypt under an AESGCM object (reuse it: building one per call halves throughput)."""
    nonce = os.urandom(NONCE_BYTES)
    # One join, not two concatenations: each `+` copies the whole ciphertext again.
    return Sealed(b"".join((VERSION, nonce, aead.encrypt(nonce, plaintext, aad))))


def open_bytes(aead: AESGCM, sealed: Sealed, aad: bytes) -> bytes:
    """Decrypt and authenticate a sealed blob."""
    blob = sealed.blob
    if blob[:1] != VERSION or len(blob) < 1 + NONCE_BYTES + 16:
        raise SealError("unknown ciphertext format")
    try:
        return aead.decrypt(blob[1 : 1 + NONCE_BYTES], blob[1 + NONCE_BYTES :], aad)
    except InvalidTag as exc:
        raise SealError("ciphertext does not open under this key and context") from exc


def field_aad(case_id: str, field: str) -> bytes:
    """Return the associated data binding a value to its case and field."""
    return f"fairscreen/v1|{case_id}|{field}".encode()
