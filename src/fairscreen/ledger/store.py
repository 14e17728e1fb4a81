"""The SQL NodeStore: complete subtrees in the append-only `ledger_node` table."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import Select, Table, and_, bindparam, insert, or_, select, text
from sqlalchemy.orm import Session

from fairscreen.ledger.merkle import MissingNodeError, Node, NodeKey
from fairscreen.ledger.models import LedgerNode

_NODES = cast(Table, LedgerNode.__table__)
_INSERT_NODE = insert(_NODES)


@lru_cache(maxsize=128)
def _select_nodes(levels: int) -> Select[int, int, bytes]:
    """Build once per number of levels: constructing the statement costs more than running it."""
    return select(_NODES.c.level, _NODES.c.idx, _NODES.c.hash).where(
        or_(
            *(
                and_(
                    _NODES.c.level == bindparam(f"level_{n}"),
                    _NODES.c.idx.in_(bindparam(f"idx_{n}", expanding=True)),
                )
                for n in range(levels)
            )
        )
    )


# PostgreSQL: the keys as two arrays, each looked up through the primary key. The
# OR-of-IN form above has a different text for every key count, so psycopg never
# reuses its plan, and planning it cost more than the lookups (about 10 ms a proof at
# a million leaves). OFFSET 0 keeps the subquery from being pulled up into a join the
# planner could run as a scan of the whole table.
_SELECT_KEYS_PG = text(
    """
SELECT k.level, k.idx, n.hash
FROM unnest(CAST(:levels AS integer[]), CAST(:idxs AS bigint[])) AS k(level, idx)
CROSS JOIN LATERAL (
    SELECT hash FROM ledger_node WHERE level = k.level AND idx = k.idx OFFSET 0
) AS n
"""
)


class SqlNodeStore:
    """Read and add complete subtrees through the session's transaction."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, level: int, index: int) -> bytes:
        """Return the hash of complete subtree (level, index) or raise MissingNodeError."""
        found = self.session.execute(
            select(_NODES.c.hash).where(_NODES.c.level == level, _NODES.c.idx == index)
        ).scalar_one_or_none()
        if found is None:
            raise MissingNodeError(f"no stored subtree ({level}, {index})")
        return bytes(found)

    def get_many(self, keys: Iterable[NodeKey]) -> dict[NodeKey, bytes]:
        """Return the hashes of these complete subtrees with one SELECT."""
        wanted = list(dict.fromkeys(keys))
        if not wanted:
            return {}
        rows: Iterable[Any]
        if self.session.get_bind().dialect.name == "postgresql":
            # One statement text whatever the keys: prepared once, planned once.
            rows = self.session.execute(
                _SELECT_KEYS_PG,
                {"levels": [level for level, _ in wanted], "idxs": [idx for _, idx in wanted]},
            )
        else:
            by_level: dict[int, list[int]] = {}
            for level, index in wanted:
                by_level.setdefault(level, []).append(index)
            # One range of the primary key per level: SQLite plans a row-value IN as a scan.
            params: dict[str, object] = {}
            for n, (level, indices) in enumerate(by_level.items()):
                params[f"level_{n}"] = level
                params[f"idx_{n}"] = indices
            rows = self.session.execute(_select_nodes(len(by_level)), params)
        found = {(int(level), int(idx)): bytes(digest) for level, idx, digest in rows}
        missing = [key for key in wanted if key not in found]
        if missing:
            raise MissingNodeError(f"no stored subtree {missing[0]}")
        return found

    def add(self, nodes: Sequence[Node]) -> None:
        """Insert newly completed subtrees (one executemany)."""
        if nodes:
            self.session.execute(
                _INSERT_NODE,
                [{"level": level, "idx": idx, "hash": digest} for level, idx, digest in nodes],
            )
