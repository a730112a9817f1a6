"""Enqueue, claim and finish jobs. The only code that changes Job rows."""

from __future__ import annotations

import datetime as dt
import logging
import traceback
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F

from huajie.core import clock
from huajie.worker.models import Job, JobStatus
from huajie.worker.registry import handler_for

log = logging.getLogger(__name__)


def job_enqueue(
    *,
    kind: str,
    payload: dict[str, Any] | None = None,
    run_at: dt.datetime | None = None,
    key: str | None = None,
    max_attempts: int = 3,
) -> Job:
    """Queue a job. With `key`, queuing the same key again returns the existing job."""
    handler_for(kind)  # refuse unknown kinds at the door, not in the worker
    if key is not None:
        existing = Job.objects.filter(key=key).first()
        if existing is not None:
            return existing
    try:
        with transaction.atomic():
            return Job.objects.create(
                kind=kind,
                payload=payload or {},
                run_at=run_at or clock.now(),
                key=key,
                max_attempts=max_attempts,
            )
    except IntegrityError:
        # Another process queued the same key between our look and our insert.
        return Job.objects.get(key=key)


def _due_ids(limit: int) -> list[int]:
    return list(
        Job.objects.filter(status=JobStatus.QUEUED, run_at__lte=clock.now())
        .order_by("run_at", "id")
        .values_list("id", flat=True)[:limit]
    )


def job_claim(*, worker: str) -> Job | None:
    """Take the oldest due job for `worker`, or None. Safe with any number of workers."""
    now = clock.now()
    if connection.vendor == "postgresql":
        with transaction.atomic():
            job = (
                Job.objects.select_for_update(skip_locked=True)
                .filter(status=JobStatus.QUEUED, run_at__lte=now)
                .order_by("run_at", "id")
                .first()
            )
            if job is None:
                return None
            Job.objects.filter(pk=job.pk).update(
                status=JobStatus.RUNNING,
                locked_by=worker,
                locked_at=now,
                attempts=F("attempts") + 1,
            )
            job.refresh_from_db()
            return job
    # Elsewhere: a conditional UPDATE. Whoever changes the row from queued wins; a worker
    # that loses the race tries the next candidate.
    for job_id in _due_ids(limit=10):
        won = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
            status=JobStatus.RUNNING, locked_by=worker, locked_at=now, attempts=F("attempts") + 1
        )
        if won:
            return Job.objects.get(pk=job_id)
    return None


class LostLease(RuntimeError):
    """The job was offered to another worker while this one ran it (its lease ran out)."""


def job_run(job: Job) -> None:
    """Run a claimed job; record its result or its error. Never raises.

    The handler's writes and the job's completion commit together: if this worker lost the
    job meanwhile, its writes roll back, so a job's effect happens exactly once."""
    try:
        with transaction.atomic():
            result = handler_for(job.kind)(job.payload) or {}
            finished = Job.objects.filter(
                pk=job.pk, status=JobStatus.RUNNING, locked_by=job.locked_by
            ).update(status=JobStatus.DONE, result=result, finished_at=clock.now(), last_error="")
            if not finished:
                raise LostLease(str(job))
    except LostLease:
        log.warning("job %s was taken over by another worker; this run rolled back", job)
    except Exception:
        error = traceback.format_exc()
        log.exception("job %s failed (attempt %s of %s)", job, job.attempts, job.max_attempts)
        retry = job.attempts < job.max_attempts
        Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING, locked_by=job.locked_by).update(
            status=JobStatus.QUEUED if retry else JobStatus.FAILED,
            run_at=clock.now() + dt.timedelta(seconds=30 * job.attempts),
            last_error=error[-4000:],
            locked_by="",
            locked_at=None,
            finished_at=None if retry else clock.now(),
        )


def jobs_release_stale(*, lease_seconds: int | None = None) -> int:
    """Offer again the jobs whose worker died holding them (no finish within the lease).

    A worker's death counts as an attempt: a job that has already used all its attempts is
    failed instead, so a job that kills its worker (out of memory on a huge sheet) cannot
    take the worker down again and again for ever. Returns how many were offered again."""
    lease = lease_seconds if lease_seconds is not None else settings.HUAJIE_JOB_LEASE_SECONDS
    now = clock.now()
    stale = Job.objects.filter(
        status=JobStatus.RUNNING, locked_at__lt=now - dt.timedelta(seconds=lease)
    )
    stale.filter(attempts__gte=F("max_attempts")).update(
        status=JobStatus.FAILED,
        locked_by="",
        locked_at=None,
        finished_at=now,
        last_error=f"执行该任务的后台任务进程在{lease}秒内没有完成（进程可能已终止），"
        "且已达到最多尝试次数，不再重试。",
    )
    return stale.update(status=JobStatus.QUEUED, locked_by="", locked_at=None)
