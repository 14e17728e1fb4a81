"""The `fairscreen` command."""

from __future__ import annotations

import logging
import os
from typing import Annotated

import typer

from fairscreen.cli import apikey, audit, ledger, org, outbox, retention
from fairscreen.cli.common import emit, friendly, make_app

cli = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help="fairscreen: lawful pre-employment background checks.",
)
cli.add_typer(org.app, name="org")
cli.add_typer(apikey.app, name="apikey")
cli.add_typer(outbox.app, name="outbox")
cli.add_typer(ledger.app, name="ledger")
cli.add_typer(retention.keys_app, name="keys")
cli.add_typer(audit.app, name="audit")
cli.command("purge")(retention.purge)
cli.command("backup")(retention.backup)


@cli.command()
@friendly
def init(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Create or migrate the schema and the key file (idempotent)."""
    from fairscreen.provision import initialise

    result = initialise(make_app())
    emit(result, as_json, f"ready: database migrated, key file {result['key_file']}")


@cli.command()
@friendly
def demo(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Seed a demo world (organisations, users, positions, cases in every state)."""
    from fairscreen.demo import seed_demo
    from fairscreen.provision import initialise

    app = make_app()
    initialise(app)
    result = seed_demo(app)
    emit(result, as_json, result.get("message"))


@cli.command()
@friendly
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    demo: Annotated[bool, typer.Option("--demo", help="Seed the demo world if empty.")] = False,
) -> None:
    """Migrate the schema, then serve the web app, the API and the scheduler."""
    import uvicorn

    from fairscreen.provision import initialise
    from fairscreen.web.app import create_app
    from fairscreen.web.serving import uvicorn_options

    app = make_app()
    initialise(app)
    if demo:
        from fairscreen.demo import seed_demo

        result = seed_demo(app)
        typer.echo(result.get("message"))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    typer.echo(f"fairscreen on http://{host}:{port}  (API docs: /api/v1/docs)")
    from fairscreen.web.warmup import freeze_heap, warm_up

    log = logging.getLogger("fairscreen")
    took = warm_up(app.passwords)
    log.info(
        "warmed up in %.0f ms: %s",
        sum(took.values()),
        ", ".join(f"{k} {v:.0f}" for k, v in took.items()),
    )
    web_app = create_app(app)
    # Before the mail thread and the scheduler start: what they hold mid-job must stay
    # collectable, and the collection before the freeze must pause nothing of theirs.
    frozen = freeze_heap()
    log.info("%d start-up objects out of the collector's sight", frozen)
    background_mail = app.send_mail_in_background()
    scheduler = None
    if app.settings.scheduler:
        from fairscreen.jobs.scheduler import Scheduler

        scheduler = Scheduler(app)
        scheduler.start()
    try:
        uvicorn.run(
            web_app,
            host=host,
            port=port,
            log_level="info",
            access_log=False,
            **uvicorn_options(app.settings.request_header_timeout),
        )
    finally:
        if scheduler is not None:
            scheduler.stop()
        if background_mail is not None:
            background_mail.close()


# Files the process creates (the SQLite database and its journal, the outbox, exports,
# evidence, backups) are its own: 0600 files, 0700 folders, whatever the login's umask.
PRIVATE_UMASK = 0o077


def main() -> None:
    """Run the command line."""
    os.umask(PRIVATE_UMASK)
    cli()
