"""Autogenerate a migration from the models: `python scripts/make_migration.py "slug" REV`.

Runs against a scratch SQLite database brought to head first, so the new revision holds
exactly the difference between the migrations and the models.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from alembic import command

from fairscreen.db.engine import make_engine
from fairscreen.db.migrate import alembic_config


def main() -> None:
    message, rev_id = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'scratch.db'}")
        cfg = alembic_config(engine)
        command.upgrade(cfg, "head")
        command.revision(cfg, message=message, autogenerate=True, rev_id=rev_id)


if __name__ == "__main__":
    main()
