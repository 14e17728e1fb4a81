"""`fairscreen purge`, `backup` and `keys rotate` on a real data dir."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from fairscreen.bootstrap import App
from fairscreen.cases.models import Case
from fairscreen.settings import Settings
from support.cli import run
from support.passwords import CHEAP_PASSWORDS


def _app(data_dir: Path) -> App:
    return App(Settings(data_dir=data_dir, _env_file=None), passwords=CHEAP_PASSWORDS)  # type: ignore[call-arg]


def test_purge_with_now_destroys_abandoned_cases_and_backup_cannot_reveal_them(tmp_path):
    data_dir = tmp_path / "var"
    assert run(data_dir, "demo").returncode == 0
    backup = tmp_path / "before.db"
    out = run(data_dir, "backup", str(backup), "--json")
    assert out.returncode == 0, out.stderr
    assert not list(data_dir.glob("keys/*.db"))
    purged = run(data_dir, "purge", "--now", "2030-01-01T00:00:00+00:00", "--json")
    assert purged.returncode == 0, purged.stderr
    report = json.loads(purged.stdout)
    assert report["destroyed"] >= 3
    # The backup still has the ciphertext, but the key it needs is gone.
    app = _app(data_dir)
    with sqlite3.connect(backup) as conn:
        case_id, blob = conn.execute("SELECT id, candidate_name FROM cases_case").fetchone()
    from fairscreen.shared.sealed import Sealed
    from fairscreen.vault.service import KeyDestroyed

    with app.reader() as uow:
        vault = uow.vault
        try:
            vault.open(case_id, "case.candidate_name", Sealed(blob))
            raise AssertionError("a purged case opened from a backup")
        except KeyDestroyed:
            pass
    app.engine.dispose()
    bad = run(data_dir, "purge", "--now", "yesterday")
    assert bad.returncode != 0 and len(bad.stderr.strip().splitlines()) == 1


def test_keys_rotate_rewraps_and_retires_the_old_key(tmp_path):
    data_dir = tmp_path / "var"
    assert run(data_dir, "demo").returncode == 0
    out = run(data_dir, "keys", "rotate", "--json")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["kek_id"] == "k2" and report["rewrapped"] >= 3 and report["retired"] == ["k1"]
    key_file = json.loads((data_dir / "keys" / "fairscreen.key").read_text())
    assert list(key_file["keks"]) == ["k2"]
    app = _app(data_dir)
    with app.reader() as uow:
        vault = uow.vault
        case = uow.session.query(Case).first()
        assert vault.open(case.id, "case.candidate_name", case.candidate_name)
    app.engine.dispose()
