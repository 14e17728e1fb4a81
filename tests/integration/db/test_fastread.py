"""The event loop's fast reads (PostgreSQL): the same rows as the ordinary path, and on any
trouble a hand-back (`FastReadUnavailable`) instead of an error or a wait."""

from __future__ import annotations

import asyncio
import os
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select, text

from factories.consent import consented_case
from factories.world import make_world
from fairscreen.cases.models import Case
from fairscreen.cases.queries import _STAMP
from fairscreen.db.fastread import FastReads, FastReadUnavailable

pytestmark = pytest.mark.skipif(
    os.environ.get("FAIRSCREEN_SKIP_POSTGRES") == "1", reason="PostgreSQL is skipped"
)


@pytest.fixture
def backend() -> str:
    return "postgresql"


def _run(coroutine):
    # On a thread of its own: another test of the session may have left an event loop
    # running on this one (asyncio.run refuses to start inside it).
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def test_a_fast_read_returns_the_row_the_ordinary_path_reads(fs) -> None:
    world = make_world(fs)
    case_id, _ = consented_case(world)
    with fs.reader() as uow:
        expected = tuple(uow.session.execute(_STAMP, {"case_id": case_id}).one())
    reads = FastReads(fs.engine.url, size=2)

    async def go():
        try:
            return (
                await reads.fetchone(_STAMP, {"case_id": case_id}),
                await reads.fetchone(_STAMP, {"case_id": "case_missing"}),
            )
        finally:
            await reads.close()

    found, missing = _run(go())
    assert tuple(found) == expected and missing is None


def test_a_connection_cut_by_the_server_hands_back_once_then_reconnects(fs) -> None:
    world = make_world(fs)
    case_id, _ = consented_case(world)
    reads = FastReads(fs.engine.url, size=1)

    async def go():
        first = await reads.fetchone(_STAMP, {"case_id": case_id})
        with fs.engine.connect() as conn:  # an administrator (or a failover) cuts it
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    " AND application_name = ''"
                )
            )
        with pytest.raises(FastReadUnavailable):
            await reads.fetchone(_STAMP, {"case_id": case_id})
        again = await reads.fetchone(_STAMP, {"case_id": case_id})
        await reads.close()
        return first, again

    first, again = _run(go())
    assert again == first


def test_a_busy_pool_and_a_closed_pool_hand_back_instead_of_failing(fs) -> None:
    world = make_world(fs)
    case_id, _ = consented_case(world)
    reads = FastReads(fs.engine.url, size=1)

    async def go():
        slow = asyncio.create_task(reads.fetchone(select(text("pg_sleep(0.8)")), {}))
        await asyncio.sleep(0.2)  # the one connection is busy for longer than a read waits
        with pytest.raises(FastReadUnavailable):
            await reads.fetchone(_STAMP, {"case_id": case_id})
        await slow
        assert await reads.fetchone(_STAMP, {"case_id": case_id}) is not None
        await reads.close()
        with pytest.raises(FastReadUnavailable):
            await reads.fetchone(_STAMP, {"case_id": case_id})

    _run(go())
    with fs.reader() as uow:
        assert uow.session.scalar(select(Case.id).where(Case.id == case_id)) == case_id
