"""A small in-process scheduler for `serve`.

Every job is idempotent and claims its rows with SKIP LOCKED on PostgreSQL (or the
single-writer lock on SQLite), so several replicas can run the same schedule safely.
Each lane of jobs (registry.Job.lane) has a thread: the jobs of a lane are short and run
one after another, while webhook delivery, which waits on other people's servers, runs
on a lane of its own so that a slow endpoint never delays purge, mail or checkpoints. A
failing job is logged and tried again at its next tick rather than stopping the others.
"""

from __future__ import annotations

import logging
import threading
import time

from fairscreen.bootstrap import App
from fairscreen.jobs.registry import JOBS, Job

log = logging.getLogger("fairscreen.jobs")


class Scheduler:
    """Run the registered jobs on their intervals until stopped."""

    def __init__(self, app: App, jobs: list[Job] | None = None, tick: float = 1.0) -> None:
        self.app = app
        self.jobs = jobs if jobs is not None else JOBS
        self.tick = tick
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def lanes(self) -> dict[str, list[Job]]:
        """Return the jobs grouped by lane, in registry order."""
        lanes: dict[str, list[Job]] = {}
        for job in self.jobs:
            lanes.setdefault(job.lane, []).append(job)
        return lanes

    def start(self) -> None:
        """Start one thread per lane."""
        for lane, jobs in self.lanes().items():
            name = "fairscreen-jobs" if lane == "main" else f"fairscreen-jobs-{lane}"
            thread = threading.Thread(target=self._loop, args=(jobs,), name=name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        """Ask the threads to stop and wait for them."""
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=30)

    def _loop(self, jobs: list[Job]) -> None:
        next_run = {job.name: time.monotonic() for job in jobs}
        while not self._stop.is_set():
            for job in jobs:
                if time.monotonic() >= next_run[job.name]:
                    self.run_once(job)
                    next_run[job.name] = time.monotonic() + job.every_seconds
            self._stop.wait(self.tick)

    def run_once(self, job: Job) -> None:
        """Run one job, logging (not raising) its failure."""
        try:
            job.run(self.app)
        except Exception:  # noqa: BLE001 - one failing job must not stop the others
            log.exception("job %s failed; it will run again at its next tick", job.name)
