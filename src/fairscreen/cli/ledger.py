"""`fairscreen ledger`: export, verify offline, and witness a running server."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

import typer

from fairscreen.cli.common import emit, fail, friendly, make_app

app = typer.Typer(no_args_is_help=True, help="The tamper-evident ledger.")


@app.command("export")
@friendly
def export(
    file: Annotated[Path, typer.Argument(help="Where to write the export (JSON lines).")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Sign a checkpoint for the current size, then export every event and checkpoint."""
    from rich.console import Console
    from rich.progress import Progress

    from fairscreen.ledger.checkpoints import checkpoint_job, origin_for, public_verifier_key
    from fairscreen.ledger.export import write_export

    container = make_app()
    final = checkpoint_job(container)
    origin = origin_for(container.settings.base_url)
    vkey = public_verifier_key(origin, container.keys.ledger_signing_key())
    partial = file.with_name(file.name + ".partial")
    with (
        Progress(console=Console(stderr=True), transient=True, disable=as_json) as progress,
        container.reader() as tx,
        partial.open("wb") as out,
    ):
        task = progress.add_task("exporting", total=final.size)
        summary = write_export(
            tx.session,
            out,
            origin=origin,
            verifier_key=vkey,
            final=final,
            progress=lambda done: progress.update(task, completed=done),
        )
    partial.replace(file)
    result = {
        "file": str(file),
        "events": summary.events,
        "checkpoints": summary.checkpoints,
        "root_hash": summary.root_hash,
        "verifier_key": vkey,
    }
    emit(result, as_json, f"exported {summary.events} events to {file} (root {summary.root_hash})")


@app.command("verify")
def verify(
    file: Annotated[Path, typer.Argument(help="An export written by `ledger export`.")],
    key: Annotated[
        str | None, typer.Option("--key", help="The published verifier key to trust.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Verify an export offline; exit 1 naming the first bad index on tampering."""
    from fairscreen.ledger.verify import verify_export

    if not file.is_file():
        fail(f"no such file: {file}")
    result = verify_export(file, verifier_key=key)
    if not result.ok:
        fail(f"ledger export fails at index {result.first_bad_index}: {result.message}")
    data = {"ok": True, "events": result.events, "checkpoints": result.checkpoints}
    trust = "the given key" if key else "the key in its header (pass --key to pin it)"
    emit(
        data,
        as_json,
        f"ok: {result.events} events and {result.checkpoints} checkpoints verify with {trust}",
    )


def _default_state(url: str) -> Path:
    data_dir = Path(os.environ.get("FAIRSCREEN_DATA_DIR", "./var"))
    host = urlsplit(url).netloc.replace(":", "_") or "log"
    return data_dir / "witness" / f"{host}.json"


@app.command("witness")
def witness(
    url: Annotated[str, typer.Argument(help="The server's base URL, e.g. https://host.")],
    state: Annotated[
        Path | None, typer.Option("--state", help="Where the last seen checkpoint is kept.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Check the server's latest checkpoint extends the one seen last time; exit 1 if not."""
    import httpx

    from fairscreen.ledger.witness import WitnessError, observe

    base = url.rstrip("/") + "/api/v1/ledger"
    path = state or _default_state(url)
    previous: dict[str, Any] | None = None
    if path.is_file():
        previous = json.loads(path.read_text(encoding="utf-8"))
    try:
        with httpx.Client(timeout=30.0) as http:

            def get(route: str, **params: int) -> Any:
                response = http.get(base + route, params=params)
                response.raise_for_status()
                return response.json()

            vkey = str(get("/public-key")["verifier_key"])
            checkpoint = get("/checkpoint")

            def consistency(first: int, second: int) -> list[bytes]:
                body = get("/proof/consistency", first=first, second=second)
                return [bytes.fromhex(h) for h in body["path"]]

            new_state = observe(previous, vkey, checkpoint, consistency)
    except httpx.HTTPError as exc:
        fail(f"cannot fetch the ledger from {url}: {exc}")
        return
    except WitnessError as exc:
        fail(f"witness: {exc}")
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(new_state, indent=2) + "\n", encoding="utf-8")
    before = f"{previous['size']}" if previous else "nothing"
    emit(
        {
            "ok": True,
            "size": new_state["size"],
            "root_hash": new_state["root_hash"],
            "previous_size": previous["size"] if previous else None,
            "state": str(path),
        },
        as_json,
        f"ok: {new_state['size']} events, consistent with {before} seen before",
    )
    sys.stdout.flush()
