"""Where sealed evidence objects live: an interface, and a local folder implementation."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

_SEGMENT = r"[A-Za-z0-9_\-]{1,64}"
_KEY = re.compile(rf"^{_SEGMENT}(/{_SEGMENT})*$")
_PREFIX = re.compile(rf"^{_SEGMENT}$")


class EvidenceStore(Protocol):
    """Stores opaque (already sealed) blobs by key."""

    def put(self, key: str, data: bytes) -> None: ...

    def get(self, key: str) -> bytes: ...

    def delete(self, key: str) -> None: ...

    def prefixes(self) -> Iterator[str]:
        """Yield the distinct first segments of the stored keys."""
        ...

    def delete_prefix(self, prefix: str) -> None:
        """Delete every blob whose key lies under `prefix/`, partial writes included."""
        ...


class LocalEvidenceStore:
    """Blobs as files under one folder; writes are atomic (temporary file, fsync, rename)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        # Keys are generated ids; refusing anything else rules out path traversal.
        if not _KEY.match(key):
            raise ValueError(f"invalid evidence key {key!r}")
        return self.root / key

    def put(self, key: str, data: bytes) -> None:
        """Write a blob; a crash leaves either no file or the whole file."""
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = path.with_name(f".{path.name}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)

    def get(self, key: str) -> bytes:
        """Read a blob (KeyError when it is not there)."""
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError as exc:
            raise KeyError(key) from exc

    def delete(self, key: str) -> None:
        """Delete a blob if present, and its folder once empty."""
        path = self._path(key)
        path.unlink(missing_ok=True)
        try:
            path.parent.rmdir()
        except OSError:
            pass  # not empty, or already gone

    def prefixes(self) -> Iterator[str]:
        """Yield the names of the folders under the root (the first segments of the keys)."""
        try:
            entries = list(os.scandir(self.root))
        except FileNotFoundError:
            return
        for entry in entries:
            if _PREFIX.match(entry.name) and entry.is_dir(follow_symlinks=False):
                yield entry.name

    def delete_prefix(self, prefix: str) -> None:
        """Delete the folder of `prefix` with every file in it (a crashed put's too)."""
        if not _PREFIX.match(prefix):
            raise ValueError(f"invalid evidence prefix {prefix!r}")
        shutil.rmtree(self.root / prefix, ignore_errors=True)
