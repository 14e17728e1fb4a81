"""Writing a `fairscreen-ledger-export/1` file (format in this package's README.md)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import IO

from sqlalchemy.orm import Session

from fairscreen.ledger.canonical import (
    export_checkpoint_line,
    export_event_line,
    export_header_line,
)
from fairscreen.ledger.checkpoints import checkpoints_up_to
from fairscreen.ledger.models import LedgerCheckpoint
from fairscreen.ledger.queries import event_rows


class ExportError(RuntimeError):
    """The stored events do not cover the checkpoint being exported."""


@dataclass(frozen=True)
class ExportSummary:
    events: int
    checkpoints: int
    root_hash: str


def write_export(
    session: Session,
    out: IO[bytes],
    *,
    origin: str,
    verifier_key: str,
    final: LedgerCheckpoint,
    progress: Callable[[int], None] | None = None,
    chunk: int = 5000,
) -> ExportSummary:
    """Stream the header, events [0, final.size) and the stored checkpoints up to `final`."""
    out.write(export_header_line(origin, verifier_key))
    # Earlier checkpoints go right after the event they cover, so the verifier also
    # checks that every published tree head is consistent with the later ones.
    pending = [c for c in checkpoints_up_to(session, final.size) if c.size != final.size]
    pending.append(final)
    written = 0
    position = 0
    while pending and pending[0].size == 0:
        out.write(export_checkpoint_line(pending.pop(0).note))
        written += 1
    for index, body, leaf in event_rows(session, final.size, chunk):
        if index != position:
            raise ExportError(f"event {position} is missing from the ledger")
        out.write(export_event_line(index, body.encode("utf-8"), leaf))
        position += 1
        while pending and pending[0].size == position:
            out.write(export_checkpoint_line(pending.pop(0).note))
            written += 1
        if progress is not None and position % chunk == 0:
            progress(position)
    if position != final.size:
        raise ExportError(f"event {position} is missing from the ledger")
    if progress is not None:
        progress(position)
    return ExportSummary(position, written, final.root_hash.hex())
