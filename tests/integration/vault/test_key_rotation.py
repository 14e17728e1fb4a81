"""Key rotation never retires a KEK that a data key still needs, even one not yet committed.

Two processes share the database and the key file: `serve` opening a case (this test's
`fs`) and `fairscreen keys rotate` (another App, with its own engine and its own view of
the key file), the way tests/system/test_crash_safety.py runs them, but in one thread.
"""

from __future__ import annotations

import threading
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

    return App(fs.settings, clock=fs.clock, engine=engine, passwords=fs.passwords)


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
        with fs.uow() as uow:
            vault = uow.vault
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

    with fs.uow() as uow:
        vault = uow.vault

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


def test_a_rewrap_overtaken_by_a_newer_rotation_follows_it_and_retires_only_older_keks(
    fs, backend, cli
):
    """`keys rotate` (cli) re-wraps under k2; between its batches another one makes k3.
    The first run follows k3 rather than re-wrapping k3 keys under k2 forever, and retires
    k1 and k2 but never k3, which the other run has only just created."""
    world = make_world(fs)
    opened = [open_case(world, email=f"c{i}@candidate.example")[0] for i in range(4)]
    assert vault_actions.begin_rotation(cli.uow, cli.keys) == "k2"
    newer = LocalKeyProvider(fs.settings.key_file)  # the other `keys rotate`
    batches: list[int] = []

    def between_batches(n: int) -> None:
        batches.append(n)
        if len(batches) == 1:
            assert newer.rotate() == "k3"
        # The key re-wrapped under k2 before k3 appeared moves once more, and no key again.
        assert len(batches) <= len(opened) + 1, "the rotation re-wraps the same keys again"

    report = do_rewrap_all(
        cli.uow, cli.keys, actor_ref="system:cli", progress=between_batches, batch=1
    )

    assert report.kek_id == "k3" and report.retired == ("k1", "k2")
    assert report.rewrapped == len(opened) + 1
    assert _kek_of_every_key_that_unwraps(fs) == dict.fromkeys(opened, "k3")
    assert LocalKeyProvider(fs.settings.key_file).kek_ids() == ["k3"]


def test_a_rotation_never_retires_a_kek_created_after_it_decided(fs, backend, cli):
    """Another rotation makes k3 just after this one found which keys are in use: this one
    retires k1 only and leaves k3, with no key under it yet, for the other to finish."""
    world = make_world(fs)
    opened, _ = open_case(world)
    assert vault_actions.begin_rotation(cli.uow, cli.keys) == "k2"
    newer = LocalKeyProvider(fs.settings.key_file)

    class RotatedMeanwhile:
        """cli's key file, with the other rotation making k3 as this one lists the KEKs."""

        def __getattr__(self, name):
            return getattr(cli.keys, name)

        def kek_ids(self):
            if newer.current_kek_id() == "k2":
                newer.rotate()
            return cli.keys.kek_ids()

    report = do_rewrap_all(cli.uow, RotatedMeanwhile(), actor_ref="system:cli")

    assert report.kek_id == "k2" and report.retired == ("k1",)
    assert LocalKeyProvider(fs.settings.key_file).kek_ids() == ["k2", "k3"]
    finish = do_rewrap_all(cli.uow, newer, actor_ref="system:cli")  # the other rotation
    assert finish.kek_id == "k3" and finish.retired == ("k2",)
    assert _kek_of_every_key_that_unwraps(fs) == {opened: "k3"}


def test_two_rotations_started_at_once_make_one_new_kek(fs, backend, cli, monkeypatch):
    """The second `keys rotate` waits while the first decides and creates k2, then finds
    keys left under k1 and joins that rotation instead of creating k3."""
    world = make_world(fs)
    opened = [open_case(world, email=f"c{i}@candidate.example")[0] for i in range(3)]
    second = _other_process(fs, backend)
    deciding, created = threading.Event(), threading.Event()
    real_rotate = LocalKeyProvider.rotate

    def slow_rotate(self):
        # The first rotation has decided to create a KEK and has not created it yet.
        deciding.set()
        assert not created.wait(0.5), "the second rotation decided before the first finished"
        return real_rotate(self)

    results: dict[str, str] = {}
    try:
        monkeypatch.setattr(cli.keys, "rotate", slow_rotate.__get__(cli.keys))
        first = threading.Thread(
            target=lambda: results.update(first=vault_actions.begin_rotation(cli.uow, cli.keys))
        )
        first.start()
        assert deciding.wait(5)
        results["second"] = vault_actions.begin_rotation(second.uow, second.keys)
        created.set()
        first.join()
        assert results == {"first": "k2", "second": "k2"}
        reports = [
            do_rewrap_all(app.uow, app.keys, actor_ref="system:cli") for app in (second, cli)
        ]
    finally:
        created.set()
        second.engine.dispose()

    assert LocalKeyProvider(fs.settings.key_file).kek_ids() == ["k2"]
    assert sum(r.rewrapped for r in reports) == len(opened)
    assert _kek_of_every_key_that_unwraps(fs) == dict.fromkeys(opened, "k2")


def test_a_rotation_with_no_data_keys_yet_is_joined_not_repeated(fs, backend, cli):
    """No case yet: nothing is left to re-wrap, but k1 is not yet retired, so a second
    `keys rotate` finishes that rotation rather than making k3."""
    assert vault_actions.begin_rotation(cli.uow, cli.keys) == "k2"
    assert vault_actions.begin_rotation(fs.uow, fs.keys) == "k2"
    report = do_rewrap_all(fs.uow, fs.keys, actor_ref="system:cli")
    assert report.retired == ("k1",)
    assert vault_actions.begin_rotation(cli.uow, cli.keys) == "k3"  # finished: a new one
