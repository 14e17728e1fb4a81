"""The `pkcs11` key provider: key-encryption keys that never leave a hardware module.

Data keys are wrapped with AES-GCM *inside* the token (SoftHSM2 rejects AES_KEY_WRAP_PAD,
see PLATFORM.md). The index HMAC key and the ledger signing key are derived from / kept
as data objects wrapped by the token's KEK, so the database plus the key file are useless
without the token.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import threading
from typing import Any, Protocol

import pkcs11
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pkcs11 import Attribute, KeyType, Mechanism, ObjectClass
from pkcs11.mechanisms import GCMParams

from fairscreen.vault.crypto import NONCE_BYTES, SealError
from fairscreen.vault.keys import WrappedKey

KEK_PREFIX = "fairscreen-kek-"
SECRET_LABEL = "fairscreen-secrets"


class _Pkcs11Settings(Protocol):
    """The FAIRSCREEN_PKCS11_* settings (fairscreen.settings), as this module reads them."""

    @property
    def pkcs11_module(self) -> str: ...

    @property
    def pkcs11_token_label(self) -> str: ...

    @property
    def pkcs11_pin(self) -> str: ...


class Pkcs11KeyProvider:
    """KEKs as non-extractable AES-256 keys in a PKCS#11 token."""

    def __init__(self, module: str, token_label: str, pin: str) -> None:
        self._lib = pkcs11.lib(module)
        self._token = self._lib.get_token(token_label=token_label)
        self._session: Any = self._token.open(user_pin=pin, rw=True)
        self._lock = threading.Lock()  # a PKCS#11 session is not safe across threads
        self._ensure_kek()
        self._secrets = self._load_secrets()

    @classmethod
    def from_settings(cls, settings: _Pkcs11Settings) -> Pkcs11KeyProvider:
        """Build from the FAIRSCREEN_PKCS11_* settings."""
        return cls(settings.pkcs11_module, settings.pkcs11_token_label, settings.pkcs11_pin)

    def _kek_labels(self) -> list[str]:
        keys = self._session.get_objects({Attribute.CLASS: ObjectClass.SECRET_KEY})
        return sorted(k.label for k in keys if str(k.label).startswith(KEK_PREFIX))

    def _ensure_kek(self) -> None:
        with self._lock:
            if not self._kek_labels():
                self._generate(f"{KEK_PREFIX}1")

    def _generate(self, label: str) -> None:
        self._session.generate_key(
            KeyType.AES,
            256,
            label=label,
            store=True,
            template={
                Attribute.EXTRACTABLE: False,
                Attribute.SENSITIVE: True,
                Attribute.ENCRYPT: True,
                Attribute.DECRYPT: True,
            },
        )

    def current_kek_id(self) -> str:
        """Return the newest KEK label."""
        labels = self._kek_labels()
        return max(labels, key=lambda lab: int(lab.rsplit("-", 1)[1]))

    def kek_ids(self) -> list[str]:
        """Return every KEK label in the token."""
        return self._kek_labels()

    def rotate(self) -> str:
        """Create a new KEK version in the token and return its id."""
        with self._lock:
            n = int(self.current_kek_id().rsplit("-", 1)[1]) + 1
            self._generate(f"{KEK_PREFIX}{n}")
        return self.current_kek_id()

    def _key(self, label: str) -> Any:
        return self._session.get_key(label=label, key_type=KeyType.AES)

    def wrap(self, data_key: bytes, aad: bytes) -> WrappedKey:
        """Encrypt a data key with the current KEK inside the token."""
        label = self.current_kek_id()
        nonce = os.urandom(NONCE_BYTES)
        with self._lock:
            blob = self._key(label).encrypt(
                data_key, mechanism=Mechanism.AES_GCM, mechanism_param=GCMParams(nonce, aad)
            )
        return WrappedKey(label, nonce + bytes(blob))

    def unwrap(self, wrapped: WrappedKey, aad: bytes) -> bytes:
        """Decrypt a data key inside the token."""
        try:
            with self._lock:
                key = self._key(wrapped.kek_id)
                return bytes(
                    key.decrypt(
                        wrapped.blob[NONCE_BYTES:],
                        mechanism=Mechanism.AES_GCM,
                        mechanism_param=GCMParams(wrapped.blob[:NONCE_BYTES], aad),
                    )
                )
        except Exception as exc:
            raise SealError("data key does not unwrap in the token") from exc

    def _load_secrets(self) -> bytes:
        # 64 random bytes (index key ‖ ledger seed), stored in the token as a data object
        # encrypted by the first KEK: they never sit on disk in clear.
        with self._lock:
            objs = list(
                self._session.get_objects(
                    {Attribute.CLASS: ObjectClass.DATA, Attribute.LABEL: SECRET_LABEL}
                )
            )
        if objs:
            blob = bytes(objs[0][Attribute.VALUE])
            return self.unwrap(WrappedKey(f"{KEK_PREFIX}1", blob), b"secrets")
        wrapped = self.wrap(os.urandom(64), b"secrets")
        with self._lock:
            self._session.create_object(
                {
                    Attribute.CLASS: ObjectClass.DATA,
                    Attribute.LABEL: SECRET_LABEL,
                    Attribute.TOKEN: True,
                    Attribute.VALUE: wrapped.blob,
                }
            )
        return self.unwrap(wrapped, b"secrets")

    def index_hmac(self, value: bytes) -> str:
        """Return the keyed lookup hash."""
        return hmac.new(self._secrets[:32], value, hashlib.sha256).hexdigest()

    def ledger_signing_key(self) -> Ed25519PrivateKey:
        """Return the Ed25519 checkpoint signing key."""
        return Ed25519PrivateKey.from_private_bytes(self._secrets[32:])
