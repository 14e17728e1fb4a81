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


def emit(data: Any, as_json: bool, human: str | None = None) -> None:
    """Print data as JSON, or a human line."""
    if as_json or human is None:
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=None) + "\n")
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
