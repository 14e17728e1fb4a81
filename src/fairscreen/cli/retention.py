"""`fairscreen purge`, `fairscreen backup` and `fairscreen keys rotate`."""

from __future__ import annotations

import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress
from sqlalchemy.engine import make_url

from fairscreen.cli.common import emit, fail, friendly, make_app
from fairscreen.retention.actions import count_due, do_purge_due
from fairscreen.vault.actions import (
    RotationUnsupported,
    begin_rotation,
    count_to_rewrap,
    do_rewrap_all,
)

keys_app = typer.Typer(no_args_is_help=True, help="Key management.")


def _parse_now(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        fail(f"--now must be an ISO 8601 time, not {value!r}")
        raise
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@friendly
def purge(
    now: Annotated[str | None, typer.Option(help="Act as if it were this time (ISO 8601).")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Destroy every case whose retention has run out; report counts."""
    app = make_app()
    at = _parse_now(now) or app.clock.now()
    total = count_due(app.reader(), at)
    with Progress(transient=True, disable=as_json or total == 0) as bar:
        task = bar.add_task("destroying", total=total)
        report = do_purge_due(app.uow, now=at, progress=lambda n: bar.advance(task, n))
    data = report.as_dict()
    emit(
        data,
        as_json,
        f"destroyed {data['destroyed']}, skipped under legal hold {data['skipped_held']}",
    )


@friendly
def backup(
    file: Annotated[Path, typer.Argument(help="Where to write the backup.")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Copy the database consistently (never the key file: keep them apart)."""
    app = make_app()
    url = make_url(app.settings.database_url)
    file.parent.mkdir(parents=True, exist_ok=True)
    if url.get_backend_name() == "sqlite":
        # SQLite's online backup API copies a consistent snapshot while others write.
        source = sqlite3.connect(str(url.database))
        target = sqlite3.connect(str(file))
        with target:
            source.backup(target)
        source.close()
        target.close()
    else:
        plain = url.set(drivername="postgresql").render_as_string(hide_password=False)
        with file.open("wb") as out:
            proc = subprocess.run(
                ["pg_dump", "--format=custom", f"--dbname={plain}"],
                stdout=out,
                stderr=subprocess.PIPE,
                check=False,
            )
        if proc.returncode != 0:
            fail(f"pg_dump failed: {proc.stderr.decode(errors='replace').strip()[:200]}")
    emit(
        {"backup": str(file), "bytes": file.stat().st_size},
        as_json,
        f"backup written to {file} (the key file is not included)",
    )


@keys_app.command("rotate")
@friendly
def rotate(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Add a key-encryption key version and re-wrap every data key under it (resumable)."""
    app = make_app()
    keys = app.keys
    try:
        current = begin_rotation(app.uow, keys)
    except RotationUnsupported as exc:
        fail(str(exc))
        return
    total = count_to_rewrap(app.reader(), current)
    with Progress(transient=True, disable=as_json or total == 0) as bar:
        task = bar.add_task("re-wrapping data keys", total=total)
        report = do_rewrap_all(
            app.uow, keys, actor_ref="system:cli", progress=lambda n: bar.advance(task, n)
        )
    emit(
        {"kek_id": report.kek_id, "rewrapped": report.rewrapped, "retired": list(report.retired)},
        as_json,
        f"current key {report.kek_id}; re-wrapped {report.rewrapped}; "
        f"retired {', '.join(report.retired) or 'none'}",
    )
