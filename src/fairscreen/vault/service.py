"""The vault: seal and open personal fields of a case under its own data key."""

from __future__ import annotations

from datetime import datetime

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy.orm import Session, SessionTransaction

from fairscreen.shared.errors import NotFound
from fairscreen.shared.sealed import Sealed
from fairscreen.vault.crypto import field_aad, new_data_key, open_bytes, seal_bytes
from fairscreen.vault.keys import KeyProvider, WrappedKey
from fairscreen.vault.models import VaultCaseKey


class KeyDestroyed(NotFound):
    """The case's data key has been destroyed: its data is gone for good."""

    default_message = "This case's data has been destroyed."


def key_aad(case_id: str) -> bytes:
    return f"fairscreen/dek|{case_id}".encode()


# The PostgreSQL advisory lock that orders wrapping data keys before retiring a KEK
# (7243001 is the migrations' lock).
KEK_GUARD = 7243002


def hold_kek_guard(session: Session, *, exclusive: bool = False) -> None:
    """Hold until the transaction ends the lock between wrapping keys and retiring a KEK.

    A transaction that wraps a data key holds it shared from before the wrap until it
    commits; a rotation holds it alone while it looks for data keys under an old KEK. So
    the rotation either sees the new key or the wrap happens after it has decided, when
    the key file already names the new KEK current. PostgreSQL: an advisory lock. SQLite:
    the write lock that every writing transaction takes at BEGIN IMMEDIATE (db/engine.py)
    already admits one writer at a time, so beginning the transaction is enough.
    """
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        function = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
        connection.exec_driver_sql(f"SELECT {function}({KEK_GUARD})")


def open_with_key(
    keys: KeyProvider, case_id: str, wrapped: WrappedKey, field: str, sealed: Sealed
) -> bytes:
    """Open one sealed blob of a case from its wrapped data key, read by the caller.

    For a reader that already holds the key row's columns and needs no session: the
    case-file cache's one-statement read (cases/queries.py).
    """
    aead = AESGCM(keys.unwrap(wrapped, key_aad(case_id)))
    return open_bytes(aead, sealed, field_aad(case_id, field))


class CaseVault:
    """Seals and opens fields for one transaction; unwrapped keys live only as long as it."""

    def __init__(self, session: Session, keys: KeyProvider) -> None:
        self.session = session
        self.keys = keys
        self._aeads: dict[str, AESGCM] = {}
        self._aads: dict[tuple[str, str], bytes] = {}
        # The session's identity map holds rows weakly: without a reference here, a case
        # file read three times in a transaction fetched the same key row three times.
        self._rows: dict[str, VaultCaseKey | None] = {}
        self._guarded: SessionTransaction | None = None

    def create_key(self, case_id: str, now: datetime) -> None:
        """Create and store the wrapped data key of a new case."""
        # Guard first, then read the current KEK (wrap does): see hold_kek_guard.
        transaction = self.session.get_transaction()
        if transaction is None or transaction is not self._guarded:
            hold_kek_guard(self.session)
            self._guarded = self.session.get_transaction()
        dek = new_data_key()
        wrapped = self.keys.wrap(dek, key_aad(case_id))
        self.session.add(
            VaultCaseKey(
                case_id=case_id, kek_id=wrapped.kek_id, wrapped=wrapped.blob, created_at=now
            )
        )
        self._aeads[case_id] = AESGCM(dek)

    def _aead(self, case_id: str) -> AESGCM:
        aead = self._aeads.get(case_id)
        if aead is None:
            row = self._row(case_id)
            if row is None or row.wrapped is None:
                raise KeyDestroyed()
            aead = AESGCM(self.keys.unwrap(WrappedKey(row.kek_id, row.wrapped), key_aad(case_id)))
            self._aeads[case_id] = aead
        return aead

    def _aad(self, case_id: str, field: str) -> bytes:
        # Formatting and encoding the associated data costs a tenth of sealing 1 KiB.
        aad = self._aads.get((case_id, field))
        if aad is None:
            aad = self._aads[(case_id, field)] = field_aad(case_id, field)
        return aad

    def seal(self, case_id: str, field: str, value: str) -> Sealed:
        """Encrypt a text field of a case."""
        return seal_bytes(self._aead(case_id), value.encode("utf-8"), self._aad(case_id, field))

    def seal_bytes(self, case_id: str, field: str, value: bytes) -> Sealed:
        """Encrypt a binary field (evidence) of a case."""
        return seal_bytes(self._aead(case_id), value, self._aad(case_id, field))

    def open(self, case_id: str, field: str, sealed: Sealed) -> str:
        """Decrypt a text field of a case."""
        return open_bytes(self._aead(case_id), sealed, field_aad(case_id, field)).decode("utf-8")

    def open_bytes(self, case_id: str, field: str, sealed: Sealed) -> bytes:
        """Decrypt a binary field of a case."""
        return open_bytes(self._aead(case_id), sealed, field_aad(case_id, field))

    def is_readable(self, case_id: str) -> bool:
        """Tell whether the case still has a data key."""
        row = self._row(case_id)
        return row is not None and row.wrapped is not None

    def _row(self, case_id: str) -> VaultCaseKey | None:
        row = self.session.get(VaultCaseKey, case_id)  # the identity map's, once loaded
        self._rows[case_id] = row
        return row

    def lookup_hash(self, kind: str, value: str) -> str:
        """Return the keyed hash used to find a value (e.g. an e-mail) without storing it."""
        return self.keys.index_hmac(f"{kind}|{value}".encode())
