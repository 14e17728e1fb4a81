"""Key providers: where the key-encryption keys (KEKs) and the ledger signing key live.

Data keys are random per case and stored only wrapped by a KEK. The `local` provider
keeps KEKs in a key file (mode 0600) in the data dir, apart from the database, so a
copy of the database or a backup alone reveals nothing. The `pkcs11` provider keeps
them in an HSM (see `vault/pkcs11.py`).
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import hmac
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, cast

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from fairscreen.vault.crypto import NONCE_BYTES, SealError


@dataclass(frozen=True)
class WrappedKey:
    """A data key encrypted under one KEK version."""

    kek_id: str
    blob: bytes


class KeyProvider(Protocol):
    """What the vault needs from a key store; the KEK never leaves it in `pkcs11` mode."""

    def current_kek_id(self) -> str: ...

    def wrap(self, data_key: bytes, aad: bytes) -> WrappedKey: ...

    def unwrap(self, wrapped: WrappedKey, aad: bytes) -> bytes: ...

    def index_hmac(self, value: bytes) -> str: ...

    def ledger_signing_key(self) -> Ed25519PrivateKey: ...


class KeyFileError(Exception):
    """The key file is missing, unreadable or malformed."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def kek_version(kek_id: str) -> int:
    """Return the version a KEK id ends with: `k3` (key file), `fairscreen-kek-3` (HSM)."""
    digits = kek_id[len(kek_id.rstrip("0123456789")) :]
    if not digits:
        raise ValueError(f"{kek_id!r} is not a key-encryption key id")
    return int(digits)


class LocalKeyProvider:
    """KEKs in a JSON key file (versions of AES-256 KEKs, an index key, the ledger key)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._seen = self._signature()
        self._data = self._load()
        self._aeads = {k: AESGCM(base64.b64decode(v)) for k, v in self._data["keks"].items()}
        self._index_key = base64.b64decode(self._data["index"])

    def _signature(self) -> tuple[int, int, int] | None:
        try:
            st = os.stat(self.path)
        except OSError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def _refresh(self) -> None:
        # `keys rotate` runs in another process while `serve` runs: it writes a new file
        # (new current KEK, old ones retired). Pick it up, or this process would wrap new
        # data keys under a retired KEK and fail to unwrap the re-wrapped ones.
        seen = self._signature()
        if seen is None or seen == self._seen:
            return
        try:
            data = self._load()
        except KeyFileError:
            return  # keep what we have; the next call looks again
        self._seen = seen
        self._data = data
        self._aeads = {k: AESGCM(base64.b64decode(v)) for k, v in data["keks"].items()}

    @staticmethod
    def create(path: Path) -> bool:
        """Create the key file if absent; return whether it was created."""
        if path.exists():
            return False
        path.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(path.parent, 0o700)
        data = {
            "format": "fairscreen-keys/1",
            "current": "k1",
            "keks": {"k1": _b64(AESGCM.generate_key(bit_length=256))},
            "retired": [],
            "index": _b64(os.urandom(32)),
            "ledger": _b64(os.urandom(32)),
        }
        # O_EXCL: two processes initialising at once never overwrite each other's key.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            json.dump(data, fh)
        return True

    def _load(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text())
        except FileNotFoundError as exc:
            raise KeyFileError(f"key file {self.path} is missing; run `fairscreen init`") from exc
        except (OSError, ValueError) as exc:
            raise KeyFileError(f"key file {self.path} cannot be read: {exc}") from exc
        if data.get("format") != "fairscreen-keys/1":
            raise KeyFileError(f"key file {self.path} has an unknown format")
        return cast(dict[str, Any], data)

    @contextmanager
    def _locked(self) -> Iterator[dict[str, Any]]:
        """Hold the key file's lock and yield what the file holds now.

        Rotations and retirements may run in several processes at once (two `keys rotate`,
        or one beside `serve`). Each is a read-modify-write of the whole file, so without the
        lock a writer that read the file before another wrote it would put back the old
        content: a KEK just created, which data keys may already be wrapped under, would be
        lost, or a retired one would come back. An advisory lock on a file beside the key
        file (flock, which the kernel releases if the process dies) makes them take turns.
        """
        lock_path = self.path.with_name(self.path.name + ".lock")
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield self._load()
        finally:
            os.close(fd)  # closing the descriptor releases the lock

    def _write(self, data: dict[str, Any]) -> None:
        # Write a new file and rename it over the old: a crash leaves one or the other
        # whole. The temporary name is this writer's own (mkstemp creates it 0600).
        fd, tmp = tempfile.mkstemp(
            dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".tmp"
        )
        try:
            with os.fdopen(fd, "w") as fh:
                json.dump(data, fh)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        self._seen = self._signature()
        self._data = data
        self._aeads = {k: AESGCM(base64.b64decode(v)) for k, v in data["keks"].items()}

    def rotate(self) -> str:
        """Add a new KEK version and make it current; older versions stay until retired."""
        with self._locked() as data:
            n = max(kek_version(k) for k in [*data["keks"], *data.get("retired", [])]) + 1
            data["keks"][f"k{n}"] = _b64(AESGCM.generate_key(bit_length=256))
            data["current"] = f"k{n}"
            self._write(data)
        return f"k{n}"

    def retire(self, kek_id: str) -> None:
        """Remove a KEK version that no data key uses any more (already gone: nothing to do)."""
        with self._locked() as data:
            if kek_id == data["current"]:
                raise ValueError("the current key-encryption key cannot be retired")
            if data["keks"].pop(kek_id, None) is not None:
                data["retired"] = [*data.get("retired", []), kek_id]
                self._write(data)

    def current_kek_id(self) -> str:
        """Return the KEK version new data keys are wrapped with."""
        self._refresh()
        return str(self._data["current"])

    def kek_ids(self) -> list[str]:
        """Return every KEK version the file holds."""
        self._refresh()
        return list(self._aeads)

    def wrap(self, data_key: bytes, aad: bytes) -> WrappedKey:
        """Wrap a data key with the current KEK (AES-GCM, associated data binds the case)."""
        kek_id = self.current_kek_id()
        nonce = os.urandom(NONCE_BYTES)
        return WrappedKey(kek_id, nonce + self._aeads[kek_id].encrypt(nonce, data_key, aad))

    def unwrap(self, wrapped: WrappedKey, aad: bytes) -> bytes:
        """Unwrap a data key; fails loudly if the KEK version is gone or the blob altered."""
        aead = self._aeads.get(wrapped.kek_id)
        if aead is None:
            self._refresh()  # re-wrapped by a rotation in another process?
            aead = self._aeads.get(wrapped.kek_id)
        if aead is None:
            raise SealError(f"key-encryption key {wrapped.kek_id} is not available")
        try:
            return aead.decrypt(wrapped.blob[:NONCE_BYTES], wrapped.blob[NONCE_BYTES:], aad)
        except Exception as exc:
            raise SealError("data key does not unwrap") from exc

    def index_hmac(self, value: bytes) -> str:
        """Return a keyed hash for looking up a value without storing it (HMAC-SHA256)."""
        return hmac.new(self._index_key, value, hashlib.sha256).hexdigest()

    def ledger_signing_key(self) -> Ed25519PrivateKey:
        """Return the Ed25519 key that signs ledger checkpoints."""
        return Ed25519PrivateKey.from_private_bytes(base64.b64decode(str(self._data["ledger"])))
