"""The scheduler runs every registered job and survives a failing one."""

from __future__ import annotations

import threading

from factories.world import make_world, open_case
from fairscreen.cases.models import Case
from fairscreen.jobs.registry import JOBS, Job
from fairscreen.jobs.scheduler import Scheduler


def test_registered_jobs_run_and_a_failing_job_does_not_stop_the_others(fs) -> None:
    world = make_world(fs)
    case_id, _ = open_case(world)
    with fs.uow() as uow:
        uow.session.get(Case, case_id).destroy_due_at = fs.clock.now()
        uow.commit()
    ran = threading.Event()

    def boom(app) -> None:
        raise RuntimeError("broken job")

    jobs = [Job("boom", 0.01, boom), *JOBS, Job("flag", 0.01, lambda app: ran.set())]
    scheduler = Scheduler(fs, jobs, tick=0.01)
    scheduler.start()
    assert ran.wait(10)
    scheduler.stop()
    with fs.reader() as uow:
        assert uow.session.get(Case, case_id).status == "destroyed"
