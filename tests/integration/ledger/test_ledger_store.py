"""The ledger in the database: gapless indices, stored subtrees, roots and checkpoints."""

from __future__ import annotations

import json
import threading

import pytest
from sqlalchemy import event, func, select, update

from factories.world import make_world
from fairscreen.bootstrap import App
from fairscreen.ledger import merkle
from fairscreen.ledger.canonical import canonical_event_bytes
from fairscreen.ledger.checkpoints import origin_for, public_verifier_key, sign_latest
from fairscreen.ledger.events import UnsafeEventValue, append_event
from fairscreen.ledger.merkle import root_from_store, tree_root
from fairscreen.ledger.models import LedgerCheckpoint, LedgerEvent, LedgerHead, LedgerNode
from fairscreen.ledger.note import open_checkpoint
from fairscreen.ledger.store import SqlNodeStore


def append(fs, n: int, kind: str = "test.appended", per_transaction: int = 1) -> None:
    done = 0
    while done < n:
        with fs.uow() as uow:
            for _ in range(min(per_transaction, n - done)):
                append_event(
                    uow.session, type=kind, actor="system", at=fs.clock.now(), data={"n": done}
                )
                done += 1
            uow.commit()


def stored_leaves(fs) -> list[bytes]:
    with fs.reader() as uow:
        return [
            bytes(h)
            for h in uow.session.scalars(select(LedgerEvent.leaf_hash).order_by(LedgerEvent.idx))
        ]


def db_root(fs, size: int) -> bytes:
    with fs.reader() as uow:
        return root_from_store(SqlNodeStore(uow.session), size)


def test_domain_actions_append_gapless_indices_whose_stored_root_is_the_tree_root(fs) -> None:
    make_world(fs)
    append(fs, 7, per_transaction=3)
    with fs.reader() as uow:
        rows = list(uow.session.scalars(select(LedgerEvent).order_by(LedgerEvent.idx)))
    assert len(rows) > 10
    assert [r.idx for r in rows] == list(range(len(rows)))
    for row in rows:
        parsed = json.loads(row.body)
        assert row.body.encode() == canonical_event_bytes(parsed)
        assert bytes(row.leaf_hash) == merkle.leaf_hash(row.body.encode())
    leaves = [bytes(r.leaf_hash) for r in rows]
    for size in range(len(leaves) + 1):
        assert db_root(fs, size) == tree_root(leaves[:size])


def test_every_complete_subtree_is_stored_once_and_nothing_else(fs) -> None:
    append(fs, 13, per_transaction=4)
    with fs.reader() as uow:
        keys = set(uow.session.execute(select(LedgerNode.level, LedgerNode.idx)).tuples())
    expected = {(lvl, i) for lvl in range(5) for i in range(13 >> lvl)}
    assert keys == expected


def test_a_rolled_back_append_leaves_no_gap_and_no_stale_right_edge(fs) -> None:
    append(fs, 3)
    with fs.uow() as uow:
        append_event(uow.session, type="test.lost", actor="system", at=fs.clock.now())
        uow.session.rollback()
        append_event(uow.session, type="test.kept", actor="system", at=fs.clock.now())
        append_event(uow.session, type="test.kept", actor="system", at=fs.clock.now())
        uow.commit()
    leaves = stored_leaves(fs)
    assert len(leaves) == 5
    assert db_root(fs, 5) == tree_root(leaves)
    with fs.reader() as uow:
        types = list(uow.session.scalars(select(LedgerEvent.type).order_by(LedgerEvent.idx)))
    assert "test.lost" not in types


def test_personal_data_is_refused_before_it_reaches_the_ledger(fs) -> None:
    with fs.uow() as uow, pytest.raises(UnsafeEventValue):
        append_event(
            uow.session, type="test.x", actor="system", at=fs.clock.now(), data={"name": "Jane Doe"}
        )


def test_concurrent_appends_in_separate_transactions_get_no_duplicate_or_skipped_index(fs) -> None:
    errors: list[BaseException] = []

    def worker(w: int) -> None:
        try:
            for i in range(25):
                with fs.uow() as uow:
                    append_event(
                        uow.session,
                        type="test.concurrent",
                        actor="system",
                        at=fs.clock.now(),
                        data={"worker": w, "i": i},
                    )
                    uow.commit()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    with fs.reader() as uow:
        indices = list(uow.session.scalars(select(LedgerEvent.idx).order_by(LedgerEvent.idx)))
        nodes = uow.session.scalar(select(func.count()).select_from(LedgerNode))
    assert indices == list(range(100))
    assert nodes == 2 * 100 - bin(100).count("1")
    assert db_root(fs, 100) == tree_root(stored_leaves(fs))


def test_a_checkpoint_is_signed_once_per_size_and_opens_with_the_published_key(fs) -> None:
    append(fs, 5)
    key = fs.keys.ledger_signing_key()
    origin = origin_for(fs.settings.base_url)
    assert origin == "testserver/fairscreen-ledger"
    with fs.uow() as uow:
        first = sign_latest(uow.session, key, origin, fs.clock.now())
        again = sign_latest(uow.session, key, origin, fs.clock.now())
        uow.commit()
    assert first.note == again.note
    opened = open_checkpoint(first.note, public_verifier_key(origin, key))
    assert (opened.size, opened.root_hash) == (5, tree_root(stored_leaves(fs)))
    append(fs, 1)
    with fs.uow() as uow:
        newer = sign_latest(uow.session, key, origin, fs.clock.now())
        uow.commit()
    with fs.reader() as uow:
        sizes = list(uow.session.scalars(select(LedgerCheckpoint.size)))
    assert newer.size == 6
    assert sorted(sizes) == [5, 6]


def test_the_sql_store_reads_many_nodes_in_one_select_and_names_a_missing_one(fs) -> None:
    append(fs, 6)
    statements: list[str] = []

    def record(conn, cursor, statement, *args) -> None:  # noqa: ANN001
        statements.append(statement)

    event.listen(fs.engine, "before_cursor_execute", record)
    try:
        with fs.reader() as uow:
            store = SqlNodeStore(uow.session)
            found = store.get_many([(2, 0), (1, 2), (0, 5), (1, 2)])
            assert set(found) == {(2, 0), (1, 2), (0, 5)}
            assert len([s for s in statements if "ledger_node" in s]) == 1
            with pytest.raises(merkle.MissingNodeError):
                store.get_many([(0, 1), (0, 6)])
            with pytest.raises(merkle.MissingNodeError):
                store.get(3, 0)
    finally:
        event.remove(fs.engine, "before_cursor_execute", record)


def test_a_batch_in_one_transaction_reads_the_right_edge_at_most_once(fs) -> None:
    append(fs, 5)
    reads: list[str] = []

    def record(conn, cursor, statement, *args) -> None:  # noqa: ANN001
        if statement.lstrip().upper().startswith("SELECT") and "ledger_node" in statement:
            reads.append(statement)

    event.listen(fs.engine, "before_cursor_execute", record)
    try:
        append(fs, 20, per_transaction=20)
    finally:
        event.remove(fs.engine, "before_cursor_execute", record)
    # A warm process reads no edge at all: the sequencer row's stored root checks the edge
    # it remembers (SQLite), or the database function reads the siblings (PostgreSQL).
    assert len(reads) == 0
    assert db_root(fs, 25) == tree_root(stored_leaves(fs))


def test_on_postgresql_every_append_is_one_statement_whoever_appended_before(fs) -> None:
    if fs.engine.dialect.name != "postgresql":
        pytest.skip("SQLite runs in process: round trips cost nothing there")
    # Another replica: its own engine on the same database, appending between ours.
    other = App(fs.settings, clock=fs.clock, passwords=fs.passwords)
    statements: list[str] = []

    def record(conn, cursor, statement, *args) -> None:  # noqa: ANN001
        statements.append(statement)

    event.listen(fs.engine, "before_cursor_execute", record)
    try:
        for _ in range(3):
            append(fs, 2, per_transaction=2)
            append(other, 3)
    finally:
        event.remove(fs.engine, "before_cursor_execute", record)
        other.engine.dispose()
    assert len(statements) == 6
    leaves = stored_leaves(fs)
    assert len(leaves) == 15
    for size in range(1, 16):
        assert db_root(fs, size) == tree_root(leaves[:size])


@pytest.mark.parametrize("cleared", [False, True], ids=["root_stored", "root_cleared"])
@pytest.mark.parametrize("lie", ["wrong_hash", "wrong_size", "other_tree", "stale_root"])
def test_a_wrong_remembered_tree_never_reaches_the_ledger(fs, lie: str, cleared: bool) -> None:
    from fairscreen.ledger import events as ledger_events

    if fs.engine.dialect.name == "postgresql":
        pytest.skip("PostgreSQL remembers no tree: the database function reads the siblings")

    append(fs, 6)
    append(fs, 1)  # the second append of a process writes the root on PostgreSQL
    if cleared:  # as an append of another kind (a bulk one) leaves it
        with fs.uow() as uow:
            uow.session.execute(update(LedgerHead).values(root=None))
            uow.commit()
    known = ledger_events._EDGES[fs.engine]
    assert known.size == 7

    def lie_about(size: int, edge: tuple[bytes, ...]) -> None:
        fold = merkle.TreeAppender.resume(size, edge)
        ledger_events._EDGES[fs.engine] = ledger_events._Known(size, edge, fold.root())

    if lie == "wrong_hash":
        lie_about(7, (known.edge[0], bytes(32), known.edge[2]))
    elif lie == "wrong_size":
        lie_about(6, known.edge[:2])
    elif lie == "other_tree":  # a tree of the same size but other leaves (a restored database)
        other = merkle.TreeAppender()
        for i in range(7):
            other.append(merkle.leaf_hash(b"other %d" % i))
        lie_about(other.size, other.edge)
    else:  # the right edge, but a root that is not the stored one
        ledger_events._EDGES[fs.engine] = ledger_events._Known(7, known.edge, bytes(32))
    append(fs, 3)
    leaves = stored_leaves(fs)
    assert len(leaves) == 10
    with fs.reader() as uow:
        indices = list(uow.session.scalars(select(LedgerEvent.idx).order_by(LedgerEvent.idx)))
    assert indices == list(range(10))
    for size in range(1, 11):
        assert db_root(fs, size) == tree_root(leaves[:size])


def test_the_stored_root_is_the_tree_root_or_none(fs) -> None:
    append(fs, 5)
    append(fs, 4, per_transaction=2)
    with fs.reader() as uow:
        head = uow.session.get(LedgerHead, 1)
    assert head is not None and head.size == 9
    assert head.root is None or bytes(head.root) == tree_root(stored_leaves(fs))
    if fs.engine.dialect.name == "sqlite":
        assert head.root is not None  # the warm append wrote it


def test_a_warm_append_stores_the_same_row_as_the_general_path(fs) -> None:
    """The optimistic path writes through the driver on SQLite: its row must read back equal."""
    from datetime import UTC, datetime, timedelta

    at = datetime(2026, 3, 4, 5, 6, 7, 890123, tzinfo=UTC)

    def one(n: int) -> None:
        with fs.uow() as uow:
            append_event(
                uow.session,
                type="test.appended",
                actor="system",
                at=at + timedelta(microseconds=n),
                case_id=f"case_{n}",
                org_id="org_1",
                data={"n": n},
            )
            uow.commit()

    one(0)  # the general path: no tree remembered yet in a fresh database
    from fairscreen.ledger import events as ledger_events

    if fs.engine.dialect.name == "sqlite":
        assert ledger_events._EDGES[fs.engine].size == 1
    statements: list[str] = []

    def record(conn, cursor, statement, *args) -> None:  # noqa: ANN001
        statements.append(statement)

    event.listen(fs.engine, "before_cursor_execute", record)
    try:
        one(1)  # the warm path
    finally:
        event.remove(fs.engine, "before_cursor_execute", record)
    with fs.reader() as uow:
        rows = list(uow.session.scalars(select(LedgerEvent).order_by(LedgerEvent.idx)))
        on_the_fast_day = uow.session.scalars(
            select(LedgerEvent.idx).where(LedgerEvent.at > at).order_by(LedgerEvent.idx)
        ).all()
    assert [(r.idx, r.case_id, r.org_id, r.actor) for r in rows] == [
        (0, "case_0", "org_1", "system"),
        (1, "case_1", "org_1", "system"),
    ]
    assert [r.at for r in rows] == [at, at + timedelta(microseconds=1)]
    assert on_the_fast_day == [1]  # times compare as the ORM's own do
    assert bytes(rows[1].leaf_hash) == merkle.leaf_hash(rows[1].body.encode())
    assert db_root(fs, 2) == tree_root(stored_leaves(fs))
    if fs.engine.dialect.name == "sqlite":
        assert not any("ledger" in s for s in statements)  # it went to the driver directly


def test_a_read_of_the_ledger_inside_the_transaction_sees_its_queued_events(fs) -> None:
    append(fs, 2)
    with fs.uow() as uow:
        append_event(uow.session, type="test.appended", actor="system", at=fs.clock.now())
        append_event(uow.session, type="test.appended", actor="system", at=fs.clock.now())
        seen = uow.session.scalars(select(LedgerEvent.idx).order_by(LedgerEvent.idx)).all()
        assert seen == [0, 1, 2, 3]
        append_event(uow.session, type="test.appended", actor="system", at=fs.clock.now())
        uow.commit()
    with fs.reader() as uow:
        head = uow.session.get(LedgerHead, 1)
    assert head is not None and head.size == 5
    assert db_root(fs, 5) == tree_root(stored_leaves(fs))


def test_an_open_transaction_holds_the_sequencer_only_from_its_commit(fs) -> None:
    """An action's event is sequenced when it commits: others append meanwhile, no waiting."""
    if fs.engine.dialect.name != "postgresql":
        pytest.skip("SQLite's BEGIN IMMEDIATE holds the one write lock for the transaction")
    append(fs, 1)
    with fs.uow() as slow:
        append_event(slow.session, type="test.slow", actor="system", at=fs.clock.now())
        other = threading.Thread(target=append, args=(fs, 3))
        other.start()
        other.join(timeout=10)
        assert not other.is_alive()  # it did not wait for `slow` to commit
        slow.commit()
    with fs.reader() as uow:
        kinds = list(uow.session.scalars(select(LedgerEvent.type).order_by(LedgerEvent.idx)))
    assert kinds == ["test.appended"] * 4 + ["test.slow"]
    assert db_root(fs, 5) == tree_root(stored_leaves(fs))
