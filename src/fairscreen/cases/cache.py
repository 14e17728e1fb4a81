"""The case-file cache: a process's recently built case files, sealed under their case's key.

Building a case file takes nine statements and decrypting every field in it; reading it
again while nothing in it changed takes one statement: the case row's `(version,
revision)` stamp (cases/revision.py), read in the same request before anything else. A
file is served from here only while that stamp is the one it was built at, so a change
committed by any process, on any replica, is seen by the next read everywhere.

What is kept is the file's JSON sealed under the case's own data key (AES-256-GCM, bound
to the case): a cached copy is a copy of the case's personal data, and destroying the
key makes it as unreadable as every other copy. Entries are per viewer (the file is
shaped by the viewer's rights), bounded in total size, and dropped when their time-bound
parts would change (a dispute falling overdue: `valid_until`).

cachetools' LRU bounded by size is used rather than a dictionary of our own; it is not
thread-safe, and requests run on a pool of threads, hence the lock.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cachetools import LRUCache

from fairscreen.identity.policy import Actor
from fairscreen.shared.sealed import Sealed

# Bytes of sealed JSON a process keeps: about 2,000 typical case files.
DEFAULT_MAX_BYTES = 8 * 1024 * 1024
_ENTRY_OVERHEAD = 200  # the key, the stamp and the entry object, roughly


@dataclass(frozen=True)
class Entry:
    stamp: tuple[int, int]
    valid_until: datetime | None
    sealed: Sealed


def _size(entry: Entry) -> int:
    return len(entry.sealed.blob) + _ENTRY_OVERHEAD


class CaseFileCache:
    """Sealed case files by (case id, viewer), each with the stamp it was built at."""

    def __init__(self, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self._entries: LRUCache[tuple[str, Actor], Entry] = LRUCache(max_bytes, getsizeof=_size)
        self._lock = threading.Lock()

    def get(
        self, case_id: str, viewer: Actor, stamp: tuple[int, int], now: datetime
    ) -> Sealed | None:
        """Return the sealed file if it was built at `stamp` and is still current at `now`."""
        with self._lock:
            entry = self._entries.get((case_id, viewer))
        if entry is None or entry.stamp != stamp:
            return None
        if entry.valid_until is not None and now >= entry.valid_until:
            return None
        return entry.sealed

    def put(
        self,
        case_id: str,
        viewer: Actor,
        stamp: tuple[int, int],
        valid_until: datetime | None,
        sealed: Sealed,
    ) -> None:
        """Keep a sealed file built at `stamp` (a file larger than the whole cache is not kept)."""
        entry = Entry(stamp, valid_until, sealed)
        if _size(entry) > self._entries.maxsize:
            return
        with self._lock:
            self._entries[(case_id, viewer)] = entry

    def __len__(self) -> int:
        return len(self._entries)

    def stats(self) -> dict[str, Any]:
        """Return the number of files kept and their size in bytes."""
        with self._lock:
            return {"files": len(self._entries), "bytes": self._entries.currsize}
