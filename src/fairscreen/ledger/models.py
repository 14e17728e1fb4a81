"""The append-only event log: every domain event is one leaf of the Merkle log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DDL, BigInteger, Index, Integer, LargeBinary, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column

from fairscreen.db.base import Base


class LedgerEvent(Base):
    __tablename__ = "ledger_event"

    idx: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    type: Mapped[str] = mapped_column(String(64), index=True)
    case_id: Mapped[str | None] = mapped_column(String(64), index=True, nullable=True)
    # Indexed with type and time (ix_ledger_event_org_type_at below), not on its own.
    org_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    actor: Mapped[str] = mapped_column(String(80))
    at: Mapped[datetime] = mapped_column(index=True)
    body: Mapped[str] = mapped_column(Text)  # RFC 8785 canonical JSON, ids and hashes only
    leaf_hash: Mapped[bytes] = mapped_column(LargeBinary(32))


# An organisation's events of a type in a period, from the index alone: the regulator's
# consent figures count a million `consent.signed` events of one employer.
Index("ix_ledger_event_org_type_at", LedgerEvent.org_id, LedgerEvent.type, LedgerEvent.at)


class LedgerHead(Base):
    """One row: the sequencer. Incrementing it serialises appends without gaps."""

    __tablename__ = "ledger_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    # The root at `size` when the last append wrote it (SQLite's warm append checks it),
    # NULL when an append did not (PostgreSQL's never do): see `events._sqlite_append`.
    root: Mapped[bytes | None] = mapped_column(LargeBinary(32), nullable=True)


class LedgerNode(Base):
    """A complete subtree (level, idx) of the Merkle log; level 0 holds the leaf hashes."""

    __tablename__ = "ledger_node"

    level: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    idx: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class LedgerCheckpoint(Base):
    """A signed tree head: the C2SP checkpoint note for one tree size."""

    __tablename__ = "ledger_checkpoint"

    size: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    root_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    note: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column()


# PostgreSQL's one-round-trip append (events.py calls it). Created with the tables by
# `create_all` and by migration 0002, which holds the same text (test_migrations checks).
APPEND_PG_SQL = r"""
-- fairscreen_ledger_append: one ledger append on PostgreSQL, in one round trip.
--
-- It does what ledger/events.py's general path does from Python, inside the database:
-- take the next index on the sequencer row (the row lock serialises appenders and a
-- rollback leaves no gap), store the leaf and every subtree it completes, store the
-- event. The node hashes are RFC 9162's, as ledger/merkle.py computes them:
-- SHA-256(0x01 || left || right). PL/pgSQL statements of a VOLATILE function each take a
-- fresh snapshot under READ COMMITTED, so the siblings read after the UPDATE waited for
-- another appender's lock are that appender's committed nodes. The tests check the trees
-- it builds against merkle.py's, root by root.
CREATE OR REPLACE FUNCTION fairscreen_ledger_append(
    p_type text,
    p_case_id text,
    p_org_id text,
    p_actor text,
    p_at timestamptz,
    p_body text,
    p_leaf bytea
) RETURNS bigint
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    n bigint;
    i bigint;
    lvl integer := 0;
    digest bytea := p_leaf;
    sibling bytea;
BEGIN
    IF length(p_leaf) <> 32 THEN
        RAISE EXCEPTION 'a ledger leaf hash is 32 bytes';  -- no format: no percent sign
    END IF;
    UPDATE ledger_head SET size = size + 1, root = NULL WHERE id = 1 RETURNING size - 1 INTO n;
    IF n IS NULL THEN
        RETURN NULL;  -- no sequencer row yet: the caller creates it
    END IF;
    INSERT INTO ledger_node (level, idx, hash) VALUES (0, n, p_leaf);
    i := n;
    -- Each trailing 1 bit of n is a complete left sibling waiting on the right edge.
    WHILE i & 1 = 1 LOOP
        SELECT hash INTO STRICT sibling FROM ledger_node WHERE level = lvl AND idx = i - 1;
        digest := sha256('\x01'::bytea || sibling || digest);
        i := i >> 1;
        lvl := lvl + 1;
        INSERT INTO ledger_node (level, idx, hash) VALUES (lvl, i, digest);
    END LOOP;
    INSERT INTO ledger_event (idx, type, case_id, org_id, actor, at, body, leaf_hash)
    VALUES (n, p_type, p_case_id, p_org_id, p_actor, p_at, p_body, p_leaf);
    RETURN n;
END
$$;
"""
_CREATE_APPEND_PG = DDL(APPEND_PG_SQL)  # type: ignore[no-untyped-call]
event.listen(
    LedgerEvent.__table__, "after_create", _CREATE_APPEND_PG.execute_if(dialect="postgresql")
)
