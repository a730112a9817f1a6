"""The database-as-queue worker: claiming, exactly-once running, retries, SIGTERM."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.db import connection, connections

from huajie.worker import schedule as schedule_module
from huajie.worker.loop import Worker
from huajie.worker.models import Job, JobStatus
from huajie.worker.queue import job_claim, job_enqueue, job_run, jobs_release_stale
from huajie.worker.registry import UnknownJobKind, job_kind
from huajie.worker.schedule import Planned, schedule, schedules_enqueue

RUNS: Counter[int] = Counter()
RUNS_LOCK = threading.Lock()


@job_kind("test.count")
def _count(payload: dict[str, Any]) -> dict[str, Any]:
    with RUNS_LOCK:
        RUNS[payload["n"]] += 1
    return {"n": payload["n"]}


@job_kind("test.fail")
def _fail(payload: dict[str, Any]) -> None:
    Job.objects.filter(kind="test.count").delete()  # a write that must roll back
    raise RuntimeError("boom")


@pytest.mark.django_db
def test_enqueue_refuses_unknown_kinds() -> None:
    with pytest.raises(UnknownJobKind):
        job_enqueue(kind="no.such.kind")


@pytest.mark.django_db
def test_keyed_jobs_are_queued_once() -> None:
    first = job_enqueue(kind="test.count", payload={"n": 1}, key="k:1")
    again = job_enqueue(kind="test.count", payload={"n": 1}, key="k:1")
    assert first.pk == again.pk
    assert Job.objects.count() == 1


@pytest.mark.django_db
def test_jobs_not_yet_due_are_not_claimed() -> None:
    job_enqueue(kind="test.count", payload={"n": 1}, run_at=dt.datetime(2100, 1, 1, tzinfo=dt.UTC))
    assert job_claim(worker="w") is None


@pytest.mark.django_db
def test_a_claimed_job_runs_and_is_done() -> None:
    job = job_enqueue(kind="test.count", payload={"n": 7})
    claimed = job_claim(worker="w1")
    assert claimed is not None and claimed.pk == job.pk and claimed.attempts == 1
    assert job_claim(worker="w2") is None  # already taken
    job_run(claimed)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert job.result == {"n": 7}


@pytest.mark.django_db
def test_a_failing_job_rolls_back_its_writes_and_is_retried_then_failed() -> None:
    job_enqueue(kind="test.count", payload={"n": 1}, run_at=dt.datetime(2100, 1, 1, tzinfo=dt.UTC))
    failing = job_enqueue(kind="test.fail", max_attempts=2)
    for attempt in (1, 2):
        with time_machine.travel(
            dt.datetime(2030, 1, 1, tzinfo=dt.UTC) + dt.timedelta(hours=attempt)
        ):
            claimed = job_claim(worker="w")
            assert claimed is not None and claimed.pk == failing.pk
            job_run(claimed)
    failing.refresh_from_db()
    assert failing.status == JobStatus.FAILED
    assert "boom" in failing.last_error
    assert Job.objects.filter(kind="test.count").exists()  # the handler's delete rolled back


@pytest.mark.django_db
def test_a_job_held_by_a_dead_worker_is_offered_again_and_the_dead_run_cannot_finish() -> None:
    job_enqueue(kind="test.count", payload={"n": 99})
    dead = job_claim(worker="dead")
    assert dead is not None
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)):
        assert jobs_release_stale(lease_seconds=60) == 1
        alive = job_claim(worker="alive")
    assert alive is not None
    job_run(dead)  # the dead worker wakes up: its completion must not count
    assert Job.objects.get().status == JobStatus.RUNNING
    job_run(alive)
    assert Job.objects.get().status == JobStatus.DONE


@pytest.mark.django_db
def test_schedules_plan_each_period_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(schedule_module, "_SCHEDULES", [])  # keep the plan to this test

    @schedule
    def every_day(now: dt.datetime) -> list[Planned]:
        return [Planned(kind="test.count", key=f"day:{now.date()}", run_at=now, payload={"n": 0})]

    now = dt.datetime(2019, 3, 1, 8, tzinfo=dt.UTC)
    schedules_enqueue(now)
    schedules_enqueue(now)
    assert Job.objects.filter(key="day:2019-03-01").count() == 1


@pytest.mark.django_db(transaction=True)
def test_several_workers_never_run_one_job_twice() -> None:
    RUNS.clear()
    total = 120
    for n in range(total):
        job_enqueue(kind="test.count", payload={"n": n})
    errors: list[BaseException] = []

    def work(name: str) -> None:
        try:
            Worker(name=name).run_pending()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors
    assert sorted(RUNS) == list(range(total))
    assert set(RUNS.values()) == {1}
    assert Job.objects.filter(status=JobStatus.DONE).count() == total


def _database_url_of_test_db() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_worker_process_finishes_its_job_then_exits_on_sigterm() -> None:
    job = job_enqueue(kind="worker.heartbeat", payload={"seconds": 2})
    env = {
        **os.environ,
        "DATABASE_URL": _database_url_of_test_db(),
        "HUAJIE_WORKER_POLL_SECONDS": "1",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "huajie.cli", "worker", "--name", "sigterm-test"],
        env=env,
        cwd=settings.BASE_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        for _ in range(300):  # wait until the worker holds the job (bounded)
            job.refresh_from_db()
            if job.status == JobStatus.RUNNING:
                break
            time.sleep(0.1)
        assert job.status == JobStatus.RUNNING
        proc.send_signal(signal.SIGTERM)
        output, _ = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, output.decode()
    job.refresh_from_db()
    assert job.status == JobStatus.DONE  # the job in hand was finished, not abandoned
    assert "已停止" in output.decode()
