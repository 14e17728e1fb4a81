"""Passwords are hashed at production cost unless the App is built with another on purpose."""

from __future__ import annotations

from pathlib import Path

from argon2 import extract_parameters

from fairscreen.bootstrap import App
from fairscreen.cli.common import make_app
from fairscreen.identity.passwords import PRODUCTION_COST, Passwords
from fairscreen.settings import Settings
from support.passwords import CHEAP_COST


def _cost_of(encoded: str) -> tuple[int, int, int]:
    params = extract_parameters(encoded)
    return params.time_cost, params.memory_cost, params.parallelism


def test_the_production_cost_is_argon2id_over_64_mib_in_three_passes() -> None:
    assert (PRODUCTION_COST.time_cost, PRODUCTION_COST.memory_cost) == (3, 64 * 1024)
    assert PRODUCTION_COST.parallelism == 4


def test_an_app_built_from_production_settings_hashes_at_the_production_cost(
    tmp_path: Path,
) -> None:
    settings = Settings(data_dir=tmp_path, _env_file=None)  # type: ignore[call-arg]
    app = App(settings)

    assert app.passwords.cost == PRODUCTION_COST
    assert _cost_of(app.passwords.hash("correct horse")) == (3, 65536, 4)
    # The dummy hash an unknown user's sign-in verifies against costs the same.
    assert _cost_of(app.passwords.dummy_hash) == (3, 65536, 4)


def test_the_commands_and_the_server_build_their_app_at_the_production_cost(
    tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setenv("FAIRSCREEN_DATA_DIR", str(tmp_path))
    assert make_app().passwords.cost == PRODUCTION_COST


def test_a_cheap_cost_is_only_what_the_app_is_given() -> None:
    passwords = Passwords(CHEAP_COST)
    stored = passwords.hash("correct horse")

    assert _cost_of(stored) == (1, 8, 1)
    assert _cost_of(passwords.dummy_hash) == (1, 8, 1)
    assert passwords.check(stored, "correct horse")
    assert not passwords.check(stored, "wrong horse")
    assert not passwords.check(None, "correct horse")
    assert not passwords.check("not a hash", "correct horse")
