"""Key rotation: re-wrap every data key under the newest KEK (the data is not re-encrypted)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, select

from fairscreen.db.uow import UnitOfWork
from fairscreen.ledger.events import EventValue, append_event
from fairscreen.vault.keys import KeyProvider, WrappedKey
from fairscreen.vault.models import VaultCaseKey
from fairscreen.vault.service import key_aad

BATCH = 500


@dataclass(frozen=True)
class RotationReport:
    kek_id: str
    rewrapped: int
    retired: tuple[str, ...]


def count_to_rewrap(uow: UnitOfWork, kek_id: str) -> int:
    """Return how many live data keys are not yet under `kek_id`."""
    with uow:
        return int(
            uow.session.scalar(
                select(func.count())
                .select_from(VaultCaseKey)
                .where(VaultCaseKey.kek_id != kek_id, VaultCaseKey.wrapped.is_not(None))
            )
            or 0
        )


def do_rewrap_all(
    new_uow: Callable[[], UnitOfWork],
    keys: KeyProvider,
    *,
    actor_ref: str,
    progress: Callable[[int], None] | None = None,
    batch: int = BATCH,
) -> RotationReport:
    """Re-wrap live data keys under the current KEK, a batch per transaction (resumable)."""
    current = keys.current_kek_id()
    done = 0
    while True:
        with new_uow() as uow:
            query = (
                select(VaultCaseKey)
                .where(VaultCaseKey.kek_id != current, VaultCaseKey.wrapped.is_not(None))
                .order_by(VaultCaseKey.case_id)
                .limit(batch)
            )
            if uow.session.get_bind().dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            rows = list(uow.session.scalars(query))
            if not rows:
                break
            for row in rows:
                assert row.wrapped is not None
                aad = key_aad(row.case_id)
                dek = keys.unwrap(WrappedKey(row.kek_id, row.wrapped), aad)
                fresh = keys.wrap(dek, aad)
                row.kek_id, row.wrapped = fresh.kek_id, fresh.blob
            uow.commit()
        done += len(rows)
        if progress:
            progress(len(rows))
    retired: list[str] = []
    with new_uow() as uow:
        in_use = set(
            uow.session.scalars(
                select(VaultCaseKey.kek_id).where(VaultCaseKey.wrapped.is_not(None)).distinct()
            )
        )
        retire = getattr(keys, "retire", None)
        kek_ids: list[str] = getattr(keys, "kek_ids", list)()
        for kek_id in kek_ids:
            if kek_id != current and kek_id not in in_use and retire is not None:
                retire(kek_id)
                retired.append(kek_id)
        append_event(
            uow.session,
            type="keys.rotated",
            actor=actor_ref,
            at=uow.app.clock.now(),
            data={"kek_id": current, "rewrapped": done, "retired": list[EventValue](retired)},
        )
        uow.commit()
    return RotationReport(current, done, tuple(retired))
