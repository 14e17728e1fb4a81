"""The type of personal data at rest: ciphertext that only the vault can open."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Sealed:
    """AES-256-GCM ciphertext of one personal field: version byte, nonce, ciphertext+tag."""

    blob: bytes

    def __repr__(self) -> str:  # never show even ciphertext in logs
        return f"Sealed(<{len(self.blob)} bytes>)"
