"""Crashes (issue #8): a worker killed with SIGKILL in the middle of a job leaves the
database as it was before the job (the handler's writes and the job's completion are one
transaction), and a new worker, once the dead one's lease has run out, finishes every job
exactly once. The worker is a real process; "midway" is when the handler says it has
written and is waiting (tests/worker/crash_jobs.py), not a guessed sleep."""

from __future__ import annotations

import datetime as dt
import signal
import subprocess
from pathlib import Path

import pytest
import time_machine

from huajie.audit.models import AuditEvent
from huajie.audit.services import audit_verify
from huajie.cases.models import CaseStatus, PetitionCase, Visit
from huajie.worker.models import Job, JobStatus
from huajie.worker.queue import job_claim, job_enqueue, jobs_release_stale
from tests.cases.world import World, case_in
from tests.subprocesses import start, stop, wait_until
from tests.worker.crash_jobs import KIND, summary_of

pytestmark = pytest.mark.django_db(transaction=True)

JOBS = 3


def _worker(name: str, log: Path, lease_seconds: int) -> subprocess.Popen[bytes]:
    return start(
        ["-m", "tests.worker.crash_worker", "--name", name],
        log,
        HUAJIE_JOB_LEASE_SECONDS=str(lease_seconds),
        HUAJIE_WORKER_POLL_SECONDS="1",
    )


def _effects(n: int) -> int:
    return Visit.objects.filter(summary=summary_of(n)).count()


def _starts(signals: Path, n: int) -> int:
    path = signals / f"started-{n}"
    return len(path.read_text().splitlines()) if path.exists() else 0


def _assert_consistent(case_pk: int) -> None:
    assert audit_verify() is None
    case = PetitionCase.objects.get(pk=case_pk)
    events = AuditEvent.objects.filter(case_id=case_pk, object_type="cases.petitioncase")
    assert case.version == events.count()


def test_a_worker_killed_midway_leaves_no_trace_and_each_job_runs_once(
    world: World, tmp_path: Path
) -> None:
    case = case_in(world, CaseStatus.IN_RESOLUTION)
    signals = tmp_path / "signals"
    signals.mkdir()
    jobs = [
        job_enqueue(kind=KIND, payload={"n": n, "case": case.pk, "signals": str(signals)})
        for n in range(JOBS)
    ]
    events_before = AuditEvent.objects.count()
    (signals / "go-0").touch()  # job 0 may finish; job 1 will wait for us

    log = tmp_path / "worker-1.log"
    first = _worker("crash-1", log, lease_seconds=600)
    try:
        wait_until(lambda: _starts(signals, 1) == 1, first, log, "job 1 to be midway")
        first.send_signal(signal.SIGKILL)
        assert first.wait(timeout=30) == -signal.SIGKILL
    finally:
        stop(first)

    # Job 0 finished before the kill; job 1 was killed midway; job 2 was never touched.
    done, killed, untouched = (Job.objects.get(pk=job.pk) for job in jobs)
    assert done.status == JobStatus.DONE and _effects(0) == 1
    assert killed.status == JobStatus.RUNNING and killed.locked_by == "crash-1"
    assert _effects(1) == 0  # the visit it wrote died with its transaction
    assert untouched.status == JobStatus.QUEUED and _effects(2) == 0
    assert AuditEvent.objects.count() == events_before + 1  # job 0's visit only
    _assert_consistent(case.pk)

    for n in range(1, JOBS):
        (signals / f"go-{n}").touch()
    log = tmp_path / "worker-2.log"
    # A short lease: the dead worker's job is offered again on the new worker's next round.
    second = _worker("crash-2", log, lease_seconds=1)
    try:
        wait_until(
            lambda: Job.objects.filter(kind=KIND, status=JobStatus.DONE).count() == JOBS,
            second,
            log,
            "every job to be done",
        )
        second.send_signal(signal.SIGTERM)
        assert second.wait(timeout=60) == 0
    finally:
        stop(second)

    assert [_effects(n) for n in range(JOBS)] == [1] * JOBS  # each effect exactly once
    assert [_starts(signals, n) for n in range(JOBS)] == [1, 2, 1]  # job 1 ran twice
    killed.refresh_from_db()
    assert killed.attempts == 2 and killed.locked_by == "crash-2"
    assert Job.objects.filter(kind=KIND).exclude(status=JobStatus.DONE).count() == 0
    assert AuditEvent.objects.count() == events_before + JOBS
    _assert_consistent(case.pk)


def test_a_job_whose_worker_dies_on_every_attempt_is_failed_not_offered_for_ever() -> None:
    """Regression: a stale job was offered again whatever its attempts, so a job that kills
    its worker (out of memory) would take down worker after worker, for ever. A worker's
    death now counts as an attempt; after the last one the job is failed, with the reason."""
    job = job_enqueue(kind=KIND, payload={"n": 0}, max_attempts=2)
    later = dt.datetime.now(dt.UTC)
    for attempt, offered_again in ((1, 1), (2, 0)):
        claimed = job_claim(worker=f"dies-{attempt}")  # ... and the worker dies holding it
        assert claimed is not None and claimed.attempts == attempt
        later += dt.timedelta(hours=1)
        with time_machine.travel(later):
            assert jobs_release_stale(lease_seconds=60) == offered_again
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.finished_at is not None
    assert "已达到最多尝试次数" in job.last_error and job.locked_by == ""
    assert job_claim(worker="next") is None
