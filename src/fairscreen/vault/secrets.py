"""Secrets the system itself must read back (a webhook's signing key), sealed at rest.

A case's fields are sealed under the case's data key; a secret that belongs to no case
(an endpoint's HMAC key) is wrapped directly by the current key-encryption key, bound by
its associated data to its owner and purpose, so a copy of the database alone reveals
nothing and a blob moved to another row does not open. Key rotation re-wraps these
rows too (vault/actions.py), so retiring a KEK never strands one.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from fairscreen.vault.keys import KeyProvider, WrappedKey
from fairscreen.vault.models import VaultSecret
from fairscreen.vault.service import hold_kek_guard


def secret_aad(owner_id: str, purpose: str) -> bytes:
    """Return the associated data binding a secret to its owner and purpose."""
    return f"fairscreen/secret|{purpose}|{owner_id}".encode()


def store_secret(
    session: Session,
    keys: KeyProvider,
    *,
    owner_id: str,
    purpose: str,
    value: bytes,
    now: datetime,
) -> None:
    """Seal a secret for its owner in the caller's transaction (replacing any earlier one)."""
    hold_kek_guard(session)  # before reading the current KEK: see hold_kek_guard
    wrapped = keys.wrap(value, secret_aad(owner_id, purpose))
    row = session.get(VaultSecret, (owner_id, purpose))
    if row is None:
        row = VaultSecret(owner_id=owner_id, purpose=purpose, created_at=now)
        session.add(row)
    row.kek_id, row.wrapped = wrapped.kek_id, wrapped.blob


def read_secret(session: Session, keys: KeyProvider, *, owner_id: str, purpose: str) -> bytes:
    """Open an owner's secret; raise LookupError if there is none."""
    row = session.get(VaultSecret, (owner_id, purpose))
    if row is None:
        raise LookupError(f"no {purpose} secret for {owner_id}")
    return keys.unwrap(WrappedKey(row.kek_id, row.wrapped), secret_aad(owner_id, purpose))


def drop_secret(session: Session, *, owner_id: str, purpose: str) -> None:
    """Delete an owner's secret in the caller's transaction."""
    session.execute(
        delete(VaultSecret).where(VaultSecret.owner_id == owner_id, VaultSecret.purpose == purpose)
    )


def rewrap_secrets(session: Session, keys: KeyProvider, current: str) -> set[str]:
    """Re-wrap every secret not under `current`; return the KEK ids still in use after it."""
    stale = select(VaultSecret).where(VaultSecret.kek_id != current).with_for_update()
    for row in session.scalars(stale):
        aad = secret_aad(row.owner_id, row.purpose)
        fresh = keys.wrap(keys.unwrap(WrappedKey(row.kek_id, row.wrapped), aad), aad)
        row.kek_id, row.wrapped = fresh.kek_id, fresh.blob
    return {current} if session.scalar(select(VaultSecret.owner_id).limit(1)) else set()
