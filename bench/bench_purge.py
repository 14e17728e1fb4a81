"""Bench the retention purge: destroy N due cases on SQLite, timing it and its peak memory.

Usage: python bench/bench_purge.py [--cases N] [--json OUT]

Set-up (in a child process, so its memory does not count): a data dir in a temporary
folder with the real key file; per case a case row with sealed name and e-mail, its data
key wrapped by the real key provider, a signed consent record, two findings with sealed
claims and its `case.opened` ledger event (the Merkle tree built in bulk), inserted with
executemany. Then this process runs `do_purge_due` over all of them and reports the time
(target < 60 s for 100,000) and the peak resident memory (ru_maxrss; target < 300 MiB).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import func, insert, select

from fairscreen.bootstrap import App
from fairscreen.cases.models import Case
from fairscreen.consent.models import ConsentRecord
from fairscreen.db.engine import make_engine
from fairscreen.db.registry import metadata
from fairscreen.identity.models import Org
from fairscreen.ledger.canonical import canonical_event_bytes
from fairscreen.ledger.events import iso
from fairscreen.ledger.merkle import TreeAppender, leaf_hash
from fairscreen.ledger.models import LedgerEvent, LedgerHead, LedgerNode
from fairscreen.retention.actions import do_purge_due
from fairscreen.scope.models import Position
from fairscreen.settings import Settings
from fairscreen.shared.clock import FrozenClock
from fairscreen.shared.sealed import Sealed
from fairscreen.vault.crypto import field_aad, new_data_key, seal_bytes
from fairscreen.vault.keys import LocalKeyProvider
from fairscreen.vault.models import VaultCaseKey
from fairscreen.vault.service import key_aad
from fairscreen.verification.models import Finding

BATCH = 5000
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
NOW = T0 + timedelta(days=400)


@dataclass
class Figure:
    name: str
    value: float
    unit: str
    target: str | None
    met: bool | None


def _settings(data_dir: Path) -> Settings:
    return Settings(  # type: ignore[call-arg]
        data_dir=data_dir, database_url=f"sqlite:///{data_dir / 'fairscreen.db'}", _env_file=None
    )


def _flush(conn: Any, rows: dict[Any, list[dict[str, Any]]]) -> None:
    for table, batch in rows.items():
        if batch:
            conn.execute(insert(table), batch)
            batch.clear()


def setup(data_dir: Path, n: int) -> None:
    """Create the schema and N due cases in bulk."""
    settings = _settings(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    LocalKeyProvider.create(settings.key_file)
    keys = LocalKeyProvider(settings.key_file)
    engine = make_engine(settings.database_url)
    metadata().create_all(engine)
    tables = {
        m: m.__table__
        for m in (Case, VaultCaseKey, ConsentRecord, Finding, LedgerEvent, LedgerNode)
    }
    rows: dict[Any, list[dict[str, Any]]] = {t: [] for t in tables.values()}
    appender = TreeAppender()
    with engine.begin() as conn:
        conn.execute(
            insert(Org.__table__),
            [{"id": "org_e", "name": "E", "kind": "employer", "pack": "cn", "created_at": T0}],
        )
        conn.execute(
            insert(Position.__table__),
            [
                {
                    "id": "pos_1",
                    "org_id": "org_e",
                    "title": "t",
                    "purpose": "general",
                    "grade": "staff",
                    "pack": "cn",
                    "pack_version": "v",
                    "allowed_categories": ["identity", "education"],
                    "created_at": T0,
                }
            ],
        )
        for i in range(n):
            case_id = f"case_{i:08d}"
            dek = new_data_key()
            aead = AESGCM(dek)
            wrapped = keys.wrap(dek, key_aad(case_id))

            def seal(field: str, value: str, aead: AESGCM = aead, case_id: str = case_id) -> Sealed:
                return seal_bytes(aead, value.encode(), field_aad(case_id, field))

            rows[tables[Case]].append(
                {
                    "id": case_id,
                    "employer_org_id": "org_e",
                    "agency_org_id": None,
                    "position_id": "pos_1",
                    "status": "decided",
                    "pack": "cn",
                    "pack_version": "v",
                    "taxonomy_version": "v",
                    "categories": ["identity", "education"],
                    "candidate_name": seal("case.candidate_name", f"Candidate {i}"),
                    "candidate_email": seal("case.candidate_email", f"c{i}@example.org"),
                    "candidate_email_index": keys.index_hmac(f"email|c{i}@example.org".encode()),
                    "created_by": "usr_1",
                    "created_at": T0,
                    "updated_at": T0,
                    "destroy_due_at": T0 + timedelta(days=180),
                    "version": 1,
                }
            )
            rows[tables[VaultCaseKey]].append(
                {
                    "case_id": case_id,
                    "kek_id": wrapped.kek_id,
                    "wrapped": wrapped.blob,
                    "created_at": T0,
                }
            )
            rows[tables[ConsentRecord]].append(
                {
                    "id": f"cr_{i}",
                    "case_id": case_id,
                    "decision": "signed",
                    "document_version": "v",
                    "document_sha256": "0" * 64,
                    "document_lang": "en",
                    "granted_categories": ["identity", "education"],
                    "declined_categories": [],
                    "separate_consent": [],
                    "scope_sha256": "0" * 64,
                    "signed_name": seal("consent_record.signed_name", f"Candidate {i}"),
                    "at": T0,
                }
            )
            for k in range(2):
                rows[tables[Finding]].append(
                    {
                        "id": f"fnd_{i}_{k}",
                        "case_id": case_id,
                        "employer_org_id": "org_e",
                        "agency_org_id": None,
                        "category": "education",
                        "claim": seal("finding.claim", f"Degree {k} of candidate {i}"),
                        "adverse": False,
                        "subject_role": None,
                        "severity": "minor",
                        "job_related": True,
                        "fact_date": None,
                        "status": "verified",
                        "reason_code": "two_sources",
                        "rules_version": "v",
                        "recorded_by": "usr_1",
                        "recorded_at": T0,
                        "updated_at": T0,
                    }
                )
            body = canonical_event_bytes(
                {
                    "type": "case.opened",
                    "actor": "staff:usr_1",
                    "at": iso(T0),
                    "case_id": case_id,
                    "org_id": "org_e",
                    "data": {"status": "draft"},
                }
            )
            lh = leaf_hash(body)
            rows[tables[LedgerEvent]].append(
                {
                    "idx": i,
                    "type": "case.opened",
                    "case_id": case_id,
                    "org_id": "org_e",
                    "actor": "staff:usr_1",
                    "at": T0,
                    "body": body.decode(),
                    "leaf_hash": lh,
                }
            )
            rows[tables[LedgerNode]].extend(
                {"level": level, "idx": idx, "hash": digest}
                for level, idx, digest in appender.append(lh)
            )
            if (i + 1) % BATCH == 0:
                _flush(conn, rows)
        _flush(conn, rows)
        conn.execute(insert(LedgerHead.__table__), [{"id": 1, "size": n}])
    engine.dispose()


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def purge(data_dir: Path, n: int) -> list[Figure]:
    """Run the purge over the prepared data dir and return the figures."""
    app = App(_settings(data_dir), clock=FrozenClock(NOW))
    with app.reader() as uow:
        due = uow.session.scalar(select(func.count()).select_from(Case))
    rss_before = _rss_mib()
    cpu_before = time.process_time()
    start = time.perf_counter()
    report = do_purge_due(app.uow, now=NOW)
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu_before
    rss_peak = _rss_mib()
    with app.reader() as uow:
        left = uow.session.scalar(
            select(func.count()).select_from(Case).where(Case.status != "destroyed")
        )
        keys_left = uow.session.scalar(
            select(func.count()).select_from(VaultCaseKey).where(VaultCaseKey.wrapped.is_not(None))
        )
    if report.destroyed != due or left or keys_left:
        raise SystemExit(f"purge incomplete: {report.as_dict()}, {left} left, {keys_left} keys")
    target_s = 60 * n / 100_000
    return [
        Figure(f"purge {n} cases", seconds, "s", f"< {target_s:g} s", seconds < target_s),
        Figure("purge rate", n / seconds, "cases/s", None, None),
        # Wall time far above CPU time means the disk or other processes held it up.
        Figure("purge CPU time", cpu, "s", None, None),
        Figure("RSS before purge", rss_before, "MiB", None, None),
        Figure("peak RSS during purge", rss_peak, "MiB", "< 300 MiB", rss_peak < 300),
    ]


def main(argv: list[str] | None = None) -> int:
    """Prepare the cases in a child process, purge them here, print and write figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--setup-only", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.setup_only:
        setup(args.setup_only, args.cases)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "var"
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, __file__, "--cases", str(args.cases), "--setup-only", str(data_dir)],
            check=True,
        )
        print(f"set up {args.cases} cases in {time.perf_counter() - start:.1f} s", flush=True)
        figures = purge(data_dir, args.cases)
    print(f"{'figure':<26} {'value':>12}  {'unit':<8} {'target':<10} met")
    for f in figures:
        met = "" if f.met is None else ("yes" if f.met else "NO")
        print(f"{f.name:<26} {f.value:>12,.1f}  {f.unit:<8} {f.target or '':<10} {met}")
    if args.json:
        args.json.write_text(json.dumps({"figures": [asdict(f) for f in figures]}, indent=2))
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
