"""Key rotation never retires a KEK that a data key still needs, even one not yet committed.

Two processes share the database and the key file: `serve` opening a case (this test's
`fs`) and `fairscreen keys rotate` (another App, with its own engine and its own view of
the key file), the way tests/system/test_crash_safety.py runs them, but in one thread.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import event, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from factories.world import make_world, open_case
from fairscreen.bootstrap import App
from fairscreen.db.engine import make_engine
from fairscreen.shared.ids import new_id
from fairscreen.vault import actions as vault_actions
from fairscreen.vault.actions import do_rewrap_all
from fairscreen.vault.keys import LocalKeyProvider, WrappedKey
from fairscreen.vault.models import VaultCaseKey
from fairscreen.vault.service import key_aad


def _other_process(fs: App, backend: str, *, wait: bool = True) -> App:
    """Another process on the same database and key file; with wait=False it never waits
    for a lock (SQLite's busy timeout 0, PostgreSQL's lock timeout 1 ms), so a step that
    would have to wait for the first process fails at once instead."""
    url = fs.settings.database_url
    if not wait and backend == "postgresql":
        url = (
            make_url(url)
            .update_query_dict({"options": "-c lock_timeout=1"})
            .render_as_string(hide_password=False)
        )
    engine = make_engine(url)
    if not wait and backend == "sqlite":

        @event.listens_for(engine, "connect")
        def _no_wait(dbapi_conn, _record):  # runs after make_engine's own pragmas
            dbapi_conn.execute("PRAGMA busy_timeout=0")

    return App(fs.settings, clock=fs.clock, engine=engine)


@pytest.fixture
def cli(fs, backend) -> Iterator[App]:
    app = _other_process(fs, backend)
    yield app
    app.engine.dispose()


def _kek_of_every_key_that_unwraps(fs: App) -> dict[str, str]:
    """Unwrap every live data key with a fresh read of the key file; return case -> KEK."""
    keys = LocalKeyProvider(fs.settings.key_file)
    with fs.reader() as uow:
        rows = list(uow.session.scalars(select(VaultCaseKey)))
    for row in rows:
        assert row.wrapped is not None
        keys.unwrap(WrappedKey(row.kek_id, row.wrapped), key_aad(row.case_id))  # raises if lost
    return {row.case_id: row.kek_id for row in rows}


def test_a_rotation_cannot_retire_the_old_kek_while_a_key_wrapped_under_it_is_uncommitted(
    fs, backend, clock
):
    """The case being opened wrapped its key under k1 before the rotation; until it commits
    the rotation cannot decide that no key needs k1 (it would wait; here it may not)."""
    world = make_world(fs)
    opened, _ = open_case(world)
    impatient = _other_process(fs, backend, wait=False)
    opening = new_id("case")
    try:
        with fs.uow() as uow, fs.vault(uow) as vault:
            vault.create_key(opening, clock.now())  # under k1: the rotation has not begun
            assert impatient.keys.rotate() == "k2"
            with pytest.raises(OperationalError):
                do_rewrap_all(impatient.uow, impatient.keys, actor_ref="system:cli")
            assert LocalKeyProvider(fs.settings.key_file).kek_ids() == ["k1", "k2"]
            uow.commit()
        report = do_rewrap_all(impatient.uow, impatient.keys, actor_ref="system:cli")
    finally:
        impatient.engine.dispose()

    assert report.kek_id == "k2" and report.retired == ("k1",)
    assert _kek_of_every_key_that_unwraps(fs) == {opened: "k2", opening: "k2"}
    assert LocalKeyProvider(fs.settings.key_file).kek_ids() == ["k2"]


def test_a_key_committed_under_the_old_kek_while_the_rotation_waits_is_rewrapped_before_retiring(
    fs, backend, clock, cli, monkeypatch
):
    """The opening commits while the rotation waits for it at its decision: the same run
    re-wraps that key too, then retires k1 (the report and the key file agree)."""
    if backend == "sqlite":
        pytest.skip(
            "SQLite: the opening holds the write lock from its wrap to its commit, so the "
            "rotation cannot even begin a batch before it commits (the test above shows it)"
        )
    world = make_world(fs)
    opened = [open_case(world, email=f"c{i}@candidate.example")[0] for i in range(3)]
    opening = new_id("case")
    real_guard = vault_actions.hold_kek_guard

    with fs.uow() as uow, fs.vault(uow) as vault:

        def commit_the_opening_first(session, *, exclusive=False):
            # Where the rotation would wait for the opening's shared guard, the opening
            # commits; one thread stands for the two processes.
            if exclusive and uow.session.in_transaction():
                uow.commit()
            real_guard(session, exclusive=exclusive)

        monkeypatch.setattr(vault_actions, "hold_kek_guard", commit_the_opening_first)
        vault.create_key(opening, clock.now())  # under k1: the rotation has not begun
        assert cli.keys.rotate() == "k2"
        report = do_rewrap_all(cli.uow, cli.keys, actor_ref="system:cli")
        if uow.session.in_transaction():  # a rotation that did not wait for it
            uow.commit()

    assert _kek_of_every_key_that_unwraps(fs) == dict.fromkeys([*opened, opening], "k2")
    assert report.kek_id == "k2" and report.retired == ("k1",)
    assert report.rewrapped == len(opened) + 1
    assert LocalKeyProvider(fs.settings.key_file).kek_ids() == ["k2"]
