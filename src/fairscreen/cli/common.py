"""What every command shares: the app container, JSON output, one-line errors."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from functools import wraps
from typing import Any, ParamSpec, TypeVar

import typer
from sqlalchemy.exc import OperationalError

from fairscreen.bootstrap import App
from fairscreen.shared.errors import DomainError
from fairscreen.vault.keys import KeyFileError

P = ParamSpec("P")
R = TypeVar("R")


def make_app() -> App:
    """Build the app container from the environment."""
    return App()


# What a terminal acts on rather than shows: C0 and C1 controls, DEL, and the bidirectional
# controls that reorder what is displayed. json.dumps escapes C0 only.
_CONTROLS = frozenset(
    [*range(0x20), *range(0x7F, 0xA0), 0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F)]
    + [*range(0x2066, 0x206A)]
)
_VISIBLE = {c: f"\\u{c:04x}" for c in _CONTROLS}


def printable(text: object) -> str:
    """Return text that someone else chose, safe to print: controls shown as `\\uXXXX`.

    Names, labels and answers come from candidates and tenants; printed raw, an escape
    sequence in them would recolour, rewrite or hide what the operator reads. Line breaks
    are kept only in the human text the commands build themselves, never in values.
    """
    return str(text).translate(_VISIBLE)


def emit(data: Any, as_json: bool, human: str | None = None) -> None:
    """Print data as JSON, or a human line (values in it already passed through `printable`)."""
    if as_json or human is None:
        # \\uXXXX is also JSON's own escape, so the output stays the same JSON.
        text = json.dumps(data, ensure_ascii=False, indent=None).translate(_VISIBLE)
        sys.stdout.write(text + "\n")
    else:
        sys.stdout.write(human + "\n")


def fail(message: str, code: int = 1) -> None:
    """Exit with a one-line error on stderr."""
    sys.stderr.write(f"error: {message}\n")
    raise typer.Exit(code)


def friendly(fn: Callable[P, R]) -> Callable[P, R]:
    """Turn known failures into one-line errors and a non-zero exit."""

    @wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except DomainError as exc:
            fail(f"{exc.code}: {exc.message}")
        except KeyFileError as exc:
            fail(str(exc))
        except OperationalError as exc:
            fail(f"unavailable: cannot reach the database ({type(exc.orig).__name__})")
        raise AssertionError("unreachable")

    return wrapper
