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


class _FetchError(Exception):
    """The server's answer is not what a ledger serves."""


WITNESS_ANSWER_BYTES = 4 * 1024 * 1024


@app.command("witness")
def witness(
    url: Annotated[str, typer.Argument(help="The server's base URL, e.g. https://host.")],
    state: Annotated[
        Path | None, typer.Option("--state", help="Where the last seen checkpoint is kept.")
    ] = None,
    key: Annotated[
        str | None,
        typer.Option(
            "--key",
            help="The verifier key the log's operator published (needed on the first run; "
            "later runs keep the one pinned in the state).",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Check the server's latest checkpoint extends the one seen last time; exit 1 if not."""
    from fairscreen.ledger.witness import WitnessError, observe
    from fairscreen.settings import Settings
    from fairscreen.webhooks.outbound import exchange, vet
    from fairscreen.webhooks.policy import PrivateAllowance, UnsafeTarget

    base = url.rstrip("/") + "/api/v1/ledger"
    path = state or _default_state(url)
    previous: dict[str, Any] | None = None
    if path.is_file():
        try:
            previous = dict(json.loads(path.read_text(encoding="utf-8")))
        except (ValueError, TypeError):
            fail(f"the witness state {path} is not the JSON this command writes")
            return
    pinned = str(previous["verifier_key"]) if previous else key
    if previous is not None and key is not None and key != pinned:
        fail(f"--key differs from the verifier key pinned in {path}: the log's key changed")
    if pinned is None:
        fail(
            "give --key with the verifier key the log's operator published: a witness "
            "never trusts the first key a server shows it"
        )
        return
    # The same rule as webhooks: public addresses only, unless the operator allows one.
    allow = PrivateAllowance.parse(Settings().webhook_allow_private)

    def get(route: str, **params: int) -> Any:
        query = "&".join(f"{name}={value}" for name, value in params.items())
        answer = exchange(
            vet(base + route + (f"?{query}" if query else ""), allow),
            "GET",
            headers={"accept": "application/json"},
            deadline_seconds=30.0,
            max_bytes=WITNESS_ANSWER_BYTES,
        )
        if not 200 <= answer.status < 300:
            raise _FetchError(f"{route} answered HTTP {answer.status}")
        try:
            return json.loads(answer.body)
        except ValueError:
            raise _FetchError(f"{route} did not answer JSON") from None

    try:
        served = get("/public-key")
        if not isinstance(served, dict) or served.get("verifier_key") != pinned:
            raise WitnessError("the server's verifier key is not the one this witness trusts")
        checkpoint = get("/checkpoint")
        if not isinstance(checkpoint, dict):
            raise _FetchError("/checkpoint did not answer a checkpoint")

        def consistency(first: int, second: int) -> list[bytes]:
            body = get("/proof/consistency", first=first, second=second)
            return [bytes.fromhex(h) for h in body["path"]]

        new_state = observe(previous, pinned, checkpoint, consistency)
    except UnsafeTarget as exc:
        fail(f"witness: {exc}")
        return
    except WitnessError as exc:
        fail(f"witness: {exc}")
        return
    except (_FetchError, OSError, KeyError, TypeError, ValueError) as exc:
        fail(f"cannot fetch the ledger from {url}: {exc}")
        return
    except Exception as exc:  # noqa: BLE001 - httpcore's errors: a one-line error, no traceback
        fail(f"cannot fetch the ledger from {url}: {type(exc).__name__} {exc}")
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
