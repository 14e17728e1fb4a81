"""What a destroyed case leaves outside the database: evidence objects and outbox messages.

Both are sealed under the case's data key, so destruction has made them unreadable
already; they are removed only after the destruction commits (removing them before
would lose a live case's files if the transaction rolled back). A crash between the
commit and the removal would leave them forever, so each purge run first sweeps away
whatever still belongs to a tombstoned case, finishing what the crash interrupted.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from pathlib import Path

from sqlalchemy import select

from fairscreen.db.uow import Tx, UnitOfWork
from fairscreen.retention.models import Tombstone

log = logging.getLogger("fairscreen.retention")
BATCH = 1000  # case ids per tombstone lookup


def delete_evidence(tx: Tx, keys: list[str]) -> None:
    """Delete the evidence objects of cases just destroyed (after the commit)."""
    store = tx.evidence
    for key in keys:
        store.delete(key)


def forget_outbox(tx: Tx, case_ids: set[str]) -> None:
    """Remove the outbox messages about cases just destroyed (after the commit)."""
    for path, case_id in _outbox_messages(tx.links.outbox_dir):
        if case_id in case_ids:
            path.unlink(missing_ok=True)


def _outbox_messages(folder: Path) -> list[tuple[Path, str]]:
    """Return each message file of the outbox with the case it is about."""
    if not folder.exists():
        return []
    found: list[tuple[Path, str]] = []
    for path in folder.glob("msg_*.json"):
        try:
            case_id = json.loads(path.read_text(encoding="utf-8")).get("case_id")
        except (OSError, ValueError):
            continue
        if isinstance(case_id, str):
            found.append((path, case_id))
    return found


def _tombstoned(app_uow: Callable[[], UnitOfWork], case_ids: Iterable[str]) -> set[str]:
    """Return which of the case ids have a tombstone."""
    pending = sorted(set(case_ids))
    destroyed: set[str] = set()
    with app_uow() as tx:
        for start in range(0, len(pending), BATCH):
            chunk = pending[start : start + BATCH]
            destroyed.update(
                tx.session.scalars(select(Tombstone.case_id).where(Tombstone.case_id.in_(chunk)))
            )
    return destroyed


def sweep_leftovers(app_uow: Callable[[], UnitOfWork]) -> None:
    """Remove the evidence and outbox messages of cases already destroyed.

    Evidence keys are `<case id>/<evidence id>` (evidence.actions), so the store's first
    segments are the ids of the cases that have evidence; only the tombstoned ones go.
    """
    unit = app_uow()  # not entered: its collaborators and readers only
    store = unit.collaborators.evidence
    folders = sorted(_tombstoned(unit.reader, store.prefixes()))
    for case_id in folders:
        store.delete_prefix(case_id)
    messages = _outbox_messages(unit.collaborators.links.outbox_dir)
    destroyed = _tombstoned(unit.reader, (case_id for _, case_id in messages))
    stale = [path for path, case_id in messages if case_id in destroyed]
    for path in stale:
        path.unlink(missing_ok=True)
    if folders or stale:
        log.info(
            "purge removed what destroyed cases had left: evidence of %d, %d outbox message(s)",
            len(folders),
            len(stale),
        )
