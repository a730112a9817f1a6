"""The worker process: plan recurring jobs, release jobs of dead workers, claim and run.

SIGTERM (and Ctrl-C) ask it to stop: the job in hand is finished, then the loop exits, so a
deployment can restart workers without losing or doubling work.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
from dataclasses import dataclass, field
from types import FrameType

from django.conf import settings
from django.db import close_old_connections

from huajie.core import clock
from huajie.worker.queue import job_claim, job_run, jobs_release_stale
from huajie.worker.schedule import schedules_enqueue

log = logging.getLogger(__name__)


def default_worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


@dataclass
class Worker:
    name: str = field(default_factory=default_worker_name)
    poll_seconds: float = field(default_factory=lambda: settings.HUAJIE_WORKER_POLL_SECONDS)
    stop_event: threading.Event = field(default_factory=threading.Event)
    jobs_run: int = 0

    def install_signal_handlers(self) -> None:
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGINT, self._on_signal)

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        log.info("worker %s: signal %s, stopping after the current job", self.name, signum)
        self.stop_event.set()

    def run_pending(self) -> int:
        """Run due jobs until none is left (or a stop is asked); returns how many ran."""
        ran = 0
        schedules_enqueue(clock.now())
        jobs_release_stale()
        while not self.stop_event.is_set():
            job = job_claim(worker=self.name)
            if job is None:
                break
            job_run(job)
            ran += 1
            self.jobs_run += 1
        return ran

    def run_forever(self) -> None:
        log.info("worker %s started", self.name)
        while not self.stop_event.is_set():
            close_old_connections()
            if self.run_pending() == 0:
                self.stop_event.wait(self.poll_seconds)
        log.info("worker %s stopped after %s jobs", self.name, self.jobs_run)
