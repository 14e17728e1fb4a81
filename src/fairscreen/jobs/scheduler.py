"""A small in-process scheduler for `serve`.

Every job is idempotent and claims its rows with SKIP LOCKED on PostgreSQL (or the
single-writer lock on SQLite), so several replicas can run the same schedule safely.
A thread is enough here: jobs are short and I/O bound, and a failing job is logged and
tried again at its next tick rather than stopping the others.
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
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the scheduler thread."""
        self._thread = threading.Thread(target=self._loop, name="fairscreen-jobs", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Ask the thread to stop and wait for it."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)

    def _loop(self) -> None:
        next_run = {job.name: time.monotonic() for job in self.jobs}
        while not self._stop.is_set():
            for job in self.jobs:
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
