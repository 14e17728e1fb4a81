"""Schema migrations with Alembic, callable from `init`, `serve` and tests."""

from __future__ import annotations

from importlib.resources import files

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, insert, select

from fairscreen.db.registry import metadata


def alembic_config(engine: Engine) -> Config:
    """Return an Alembic config pointing at the packaged migrations."""
    cfg = Config()
    cfg.set_main_option("script_location", str(files("fairscreen.db").joinpath("migrations")))
    url = engine.url.render_as_string(hide_password=False)
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    cfg.set_main_option("file_template", "%%(year)d_%%(month).2d_%%(day).2d_%%(slug)s")
    return cfg


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest revision and seed the rows every database needs."""
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            # Two processes migrating at once (two replicas starting) take turns.
            conn.exec_driver_sql("SELECT pg_advisory_xact_lock(7243001)")
        cfg = alembic_config(engine)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    _seed(engine)


def _seed(engine: Engine) -> None:
    from fairscreen.ledger.models import LedgerHead

    metadata()
    with engine.begin() as conn:
        if conn.execute(select(LedgerHead.id)).first() is None:
            conn.execute(insert(LedgerHead).values(id=1, size=0))
