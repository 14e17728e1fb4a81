"""Key rotation: re-wrap every data key under the newest KEK (the data is not re-encrypted)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Select, func, select

from fairscreen.db.uow import Tx, UnitOfWork
from fairscreen.ledger.event_types import EventType
from fairscreen.ledger.events import EventValue, append_event
from fairscreen.ledger.models import LedgerEvent
from fairscreen.vault.keys import KeyProvider, WrappedKey, kek_version
from fairscreen.vault.models import VaultCaseKey
from fairscreen.vault.secrets import rewrap_secrets
from fairscreen.vault.service import hold_kek_guard, key_aad

BATCH = 500
# The PostgreSQL advisory lock that admits one rotation at a time to deciding whether to
# create a new KEK (7243001 is the migrations' lock, 7243002 the KEK guard).
ROTATION_LOCK = 7243003


class RotationUnsupported(Exception):
    """The configured key provider has no way to add a KEK version."""


@dataclass(frozen=True)
class RotationReport:
    kek_id: str
    rewrapped: int
    retired: tuple[str, ...]


def _already_recorded(tx: Tx, current: str, retired: list[str]) -> bool:
    """Tell whether the last rotation recorded already names this KEK and these retirements."""
    body = tx.session.scalar(
        select(LedgerEvent.body)
        .where(LedgerEvent.type == EventType.KEYS_ROTATED)
        .order_by(LedgerEvent.idx.desc())
        .limit(1)
    )
    if body is None:
        return False
    data = json.loads(body).get("data", {})
    return bool(data.get("kek_id") == current and set(retired) <= set(data.get("retired", [])))


def unfinished_rotation(keys: KeyProvider) -> bool:
    """Tell whether the key file still holds a KEK an earlier rotation has not retired yet.

    Only a provider that retires old KEKs (the key file) can tell; an HSM keeps them all.
    """
    if getattr(keys, "retire", None) is None:
        return False
    return len(getattr(keys, "kek_ids", list)()) > 1


def begin_rotation(new_uow: Callable[[], UnitOfWork], keys: KeyProvider) -> str:
    """Create a new KEK unless a rotation is unfinished; return the KEK to re-wrap under.

    The decision and the new KEK are taken under a lock that every `keys rotate` takes
    (PostgreSQL: an advisory lock; SQLite: the write lock of BEGIN IMMEDIATE), so two
    started at once make one new KEK, and the second joins the first's re-wrapping instead
    of creating another version. An unfinished rotation (data keys left under an older
    KEK, or an old KEK not yet retired) is resumed the same way.
    """
    rotate = getattr(keys, "rotate", None)
    if rotate is None:
        raise RotationUnsupported("this key provider cannot rotate")
    with new_uow() as tx:
        connection = tx.session.connection()  # SQLite: BEGIN IMMEDIATE, the write lock
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({ROTATION_LOCK})")
        current = keys.current_kek_id()
        left = tx.session.scalar(select(_not_under(current).exists()))
        if not left and not unfinished_rotation(keys):
            current = str(rotate())
        tx.commit()
    return current


def count_to_rewrap(uow: UnitOfWork, kek_id: str) -> int:
    """Return how many live data keys are not yet under `kek_id`."""
    with uow as tx:
        return int(
            tx.session.scalar(
                select(func.count())
                .select_from(VaultCaseKey)
                .where(VaultCaseKey.kek_id != kek_id, VaultCaseKey.wrapped.is_not(None))
            )
            or 0
        )


def _rewrap(keys: KeyProvider, rows: list[VaultCaseKey]) -> None:
    for row in rows:
        assert row.wrapped is not None
        aad = key_aad(row.case_id)
        fresh = keys.wrap(keys.unwrap(WrappedKey(row.kek_id, row.wrapped), aad), aad)
        row.kek_id, row.wrapped = fresh.kek_id, fresh.blob


def _not_under(current: str) -> Select[VaultCaseKey]:
    return (
        select(VaultCaseKey)
        .where(VaultCaseKey.kek_id != current, VaultCaseKey.wrapped.is_not(None))
        .order_by(VaultCaseKey.case_id)
    )


def do_rewrap_all(
    new_uow: Callable[[], UnitOfWork],
    keys: KeyProvider,
    *,
    actor_ref: str,
    progress: Callable[[int], None] | None = None,
    batch: int = BATCH,
) -> RotationReport:
    """Re-wrap live data keys under the current KEK, a batch per transaction (resumable).

    Safe beside another rotation: batches are claimed with SKIP LOCKED on PostgreSQL, each
    batch aims at the KEK current when it starts (so a run that a newer rotation overtakes
    follows it instead of re-wrapping keys forever), and only versions older than the
    current one are ever retired, never one that a later rotation has just created.
    """
    done = 0
    while True:
        current = keys.current_kek_id()
        with new_uow() as tx:
            query = _not_under(current).limit(batch)
            if tx.session.get_bind().dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            rows = list(tx.session.scalars(query))
            if not rows:
                break
            _rewrap(keys, rows)
            tx.commit()
        done += len(rows)
        if progress:
            progress(len(rows))
    # Which old KEKs no data key uses, decided under the guard that every wrap holds (see
    # hold_kek_guard): a key wrapped under an old KEK by a transaction that began before
    # the rotation and committed since is re-wrapped here rather than left under a KEK
    # about to be retired; one that is wrapped after this commits sees the new KEK.
    with new_uow() as tx:
        hold_kek_guard(tx.session, exclusive=True)
        current = keys.current_kek_id()
        late = list(tx.session.scalars(_not_under(current).with_for_update()))
        _rewrap(keys, late)
        in_use = set(
            tx.session.scalars(
                select(VaultCaseKey.kek_id).where(VaultCaseKey.wrapped.is_not(None)).distinct()
            )
        )
        in_use |= rewrap_secrets(tx.session, keys, current)  # few: one statement's worth
        tx.commit()
    done += len(late)
    if progress and late:
        progress(len(late))
    kek_ids: list[str] = getattr(keys, "kek_ids", list)()
    retired = [k for k in kek_ids if kek_version(k) < kek_version(current) and k not in in_use]
    # Record first, retire after: a crash in between leaves an old KEK in the key file,
    # which tells the next run to finish this rotation (retire it) rather than start one.
    with new_uow() as tx:
        if not _already_recorded(tx, current, retired):
            append_event(
                tx.session,
                type=EventType.KEYS_ROTATED,
                actor=actor_ref,
                at=tx.clock.now(),
                data={"kek_id": current, "rewrapped": done, "retired": list[EventValue](retired)},
            )
            tx.commit()
    retire = getattr(keys, "retire", None)
    if retire is not None:
        for kek_id in retired:
            retire(kek_id)
    return RotationReport(current, done, tuple(retired))
