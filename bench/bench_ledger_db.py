"""Bench the ledger in the database: append cost against a plain insert, proofs from SQL.

Usage: python bench/bench_ledger_db.py [--events N] [--leaves N] [--pg-url URL]
                                      [--sqlite-only] [--json OUT]

Runs on SQLite in a temporary directory, then on PostgreSQL: the scratch database that
--pg-url names (its ledger tables are emptied), else a throwaway cluster it starts.
Appending is compared with inserting the same events into a plain table with the same
columns, in the same database and run, one event per transaction (as each action commits
its own event) and 100 per transaction. Proof times read the SQL node store of a tree built in bulk.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Engine,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    delete,
    insert,
    text,
)
from sqlalchemy.orm import Session, sessionmaker

from fairscreen.db.engine import make_engine
from fairscreen.ledger.events import append_event
from fairscreen.ledger.merkle import TreeAppender, consistency_proof, inclusion_proof, leaf_hash
from fairscreen.ledger.models import LedgerCheckpoint, LedgerEvent, LedgerHead, LedgerNode
from fairscreen.ledger.store import SqlNodeStore

PLAIN = MetaData()
plain_event = Table(
    "bench_plain_event",
    PLAIN,
    Column("idx", BigInteger, primary_key=True, autoincrement=False),
    Column("type", String(64), index=True),
    Column("case_id", String(64), index=True),
    Column("org_id", String(64), index=True),
    Column("actor", String(80)),
    Column("at", DateTime, index=True),
    Column("body", Text),
    Column("leaf_hash", LargeBinary(32)),
)
LEDGER_TABLES = [t.__table__ for t in (LedgerEvent, LedgerHead, LedgerNode, LedgerCheckpoint)]


@dataclass
class Figure:
    name: str
    value: float
    unit: str
    target: str | None
    met: bool | None


def reset(engine: Engine) -> None:
    """Create or empty the ledger tables and the plain table."""
    LedgerEvent.metadata.create_all(engine, tables=LEDGER_TABLES)
    PLAIN.create_all(engine)
    with engine.begin() as conn:
        for table in [*LEDGER_TABLES, plain_event]:
            conn.execute(delete(table))
        conn.execute(text("INSERT INTO ledger_head (id, size) VALUES (1, 0)"))


def event(i: int) -> tuple[str, str, dict[str, int]]:
    """Return the case, organisation and data of the i-th bench event."""
    return f"case_{i % 97:08d}", "org_00000001", {"n": i}


def time_ledger(factory: sessionmaker[Session], first: int, stop: int, per_tx: int) -> float:
    """Return the seconds to append events [first, stop), per_tx to a transaction."""
    at = datetime(2026, 1, 1, tzinfo=UTC)
    start = time.perf_counter()
    for low in range(first, stop, per_tx):
        with factory() as session, session.begin():
            for i in range(low, min(low + per_tx, stop)):
                case_id, org_id, data = event(i)
                append_event(
                    session,
                    type="bench.appended",
                    actor="system",
                    at=at,
                    case_id=case_id,
                    org_id=org_id,
                    data=data,
                )
    return time.perf_counter() - start


_INSERT_PLAIN = insert(plain_event)


def time_plain(factory: sessionmaker[Session], first: int, stop: int, per_tx: int) -> float:
    """Return the seconds to insert the same events into the plain table."""
    at = datetime(2026, 1, 1, tzinfo=UTC)
    start = time.perf_counter()
    for low in range(first, stop, per_tx):
        with factory() as session, session.begin():
            for i in range(low, min(low + per_tx, stop)):
                case_id, org_id, data = event(i)
                body = json.dumps(
                    {"type": "bench.appended", "actor": "system", "case_id": case_id, **data}
                )
                params = {
                    "idx": per_tx * 10**7 + i,
                    "type": "bench.appended",
                    "case_id": case_id,
                    "org_id": org_id,
                    "actor": "system",
                    "at": at,
                    "body": body,
                    "leaf_hash": None,
                }
                session.execute(_INSERT_PLAIN, params)
    return time.perf_counter() - start


def append_rates(factory: sessionmaker[Session], events: int, per_tx: int) -> tuple[float, float]:
    """Return (ledger, plain) events per second, alternating rounds so noise hits both."""
    ledger = plain = 0.0
    step = max(per_tx, events // 10)
    for low in range(0, events, step):
        stop = min(low + step, events)
        plain += time_plain(factory, per_tx * events + low, per_tx * events + stop, per_tx)
        ledger += time_ledger(factory, per_tx * events + low, per_tx * events + stop, per_tx)
    return events / ledger, events / plain


def build_tree(engine: Engine, leaves: int) -> None:
    """Store every complete subtree of a tree of random leaves with executemany."""
    with engine.begin() as conn:
        conn.execute(delete(LedgerNode.__table__))
    appender = TreeAppender()
    batch: list[dict[str, object]] = []
    rng = random.Random(7)
    with engine.begin() as conn:
        for i in range(leaves):
            lh = leaf_hash(rng.randbytes(64) + i.to_bytes(8, "big"))
            for level, idx, digest in appender.append(lh):
                batch.append({"level": level, "idx": idx, "hash": digest})
            if len(batch) >= 20000:
                conn.execute(insert(LedgerNode.__table__), batch)
                batch = []
        if batch:
            conn.execute(insert(LedgerNode.__table__), batch)


def proof_ms(factory: sessionmaker[Session], leaves: int, kind: str) -> float:
    rng = random.Random(11)
    samples: list[float] = []
    with factory() as session:
        store = SqlNodeStore(session)
        for _ in range(300):
            second = rng.randint(leaves // 2, leaves)
            start = time.perf_counter()
            if kind == "inclusion":
                inclusion_proof(store, rng.randrange(second), second)
            else:
                consistency_proof(store, rng.randint(1, second), second)
            samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def bench(label: str, url: str, events: int, leaves: int) -> list[Figure]:
    engine = make_engine(url)
    reset(engine)
    factory = sessionmaker(bind=engine)
    figures: list[Figure] = []
    for per_tx in (1, 100):
        ledger, plain = append_rates(factory, events, per_tx)
        ratio = 100 * ledger / plain
        target = per_tx == 1
        figures += [
            Figure(f"{label} ledger append, {per_tx}/tx", ledger, "events/s", None, None),
            Figure(f"{label} plain insert, {per_tx}/tx", plain, "events/s", None, None),
            Figure(
                f"{label} ledger/plain throughput, {per_tx}/tx",
                ratio,
                "%",
                ">= 70" if target else None,
                ratio >= 70 if target else None,
            ),
        ]
    start = time.perf_counter()
    build_tree(engine, leaves)
    build_s = time.perf_counter() - start
    figures.append(Figure(f"{label} bulk build of {leaves} leaves", build_s, "s", None, None))
    for kind in ("inclusion", "consistency"):
        ms = proof_ms(factory, leaves, kind)
        figures.append(
            Figure(f"{label} {kind} proof at {leaves} leaves (median)", ms, "ms", "< 5", ms < 5)
        )
    engine.dispose()
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--leaves", type=int, default=1_000_000)
    parser.add_argument("--pg-url", default=None, help="else a throwaway cluster is started")
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--json", dest="json_out", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        figures = bench(
            "sqlite", f"sqlite:///{os.path.join(tmp, 'bench.db')}", args.events, args.leaves
        )
    if args.pg_url:
        figures += bench("postgresql", args.pg_url, args.events, args.leaves)
    elif not args.sqlite_only:
        # A throwaway PostgreSQL, as the test suite starts one (Debian's `postgresql`).
        sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
        from support.pg import PostgresCluster

        cluster = PostgresCluster()
        try:
            cluster.start()
            url = cluster.create_database("fs_bench_ledger")
            figures += bench("postgresql", url, args.events, args.leaves)
        finally:
            cluster.stop()
    width = max(len(f.name) for f in figures)
    for f in figures:
        met = "" if f.met is None else ("met" if f.met else "NOT MET")
        sys.stdout.write(
            f"{f.name:<{width}}  {f.value:>12.3f} {f.unit:<9} {f.target or '':<6} {met}\n"
        )
    if args.json_out:
        with open(args.json_out, "w", encoding="utf-8") as out:
            json.dump({"figures": [asdict(f) for f in figures]}, out, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
