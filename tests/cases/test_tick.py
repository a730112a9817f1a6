"""R8, R9.2: the daily time rules — `huajie tick`, the `cases.tick` job and its schedule."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import sys
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from huajie.audit.models import AuditEvent
from huajie.audit.services import audit_verify
from huajie.cases import jobs, services
from huajie.cases.models import CaseStatus, Notification, PetitionCase, TickRun
from huajie.worker import schedule as schedule_module
from huajie.worker.models import Job, JobStatus
from huajie.worker.queue import job_claim, job_enqueue, job_run
from huajie.worker.schedule import schedules_enqueue
from tests.cases.world import World, case_in

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = dt.datetime(2019, 3, 1, 10, tzinfo=SHANGHAI)  # the cases are set up on this day
LATER = dt.date(2020, 3, 20)  # the observation year is over; the leader silent for a year


@pytest.fixture
def frozen() -> object:
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def due(world: World, frozen: object) -> tuple[PetitionCase, PetitionCase]:
    """An oral promise made on START (observed through 2020-03-01) and a case in resolution
    whose leader never recorded anything."""
    observed = case_in(world, CaseStatus.OBSERVATION, ledger_no="2019-0001")
    silent = case_in(world, CaseStatus.IN_RESOLUTION, ledger_no="2019-0002")
    return observed, silent


def tick(*args: str) -> str:
    out = io.StringIO()
    call_command("tick", *args, stdout=out)
    return out.getvalue().strip()


def snapshot() -> tuple[list[dict[str, object]], int, int]:
    rows = list(PetitionCase.objects.order_by("pk").values())
    return rows, AuditEvent.objects.count(), Notification.objects.count()


def test_tick_command_applies_the_rules_as_of_the_day(due: tuple[PetitionCase, ...]) -> None:
    observed, silent = due

    assert tick("--as-of", LATER.isoformat()) == "2020-03-20：观察期届满 1 件，疑似挂名包案 1 件"

    observed.refresh_from_db()
    silent.refresh_from_db()
    assert observed.status == CaseStatus.MET_STANDARD
    assert observed.met_standard_on == dt.date(2020, 3, 2)  # the day after the last day
    assert silent.possibly_nominal and silent.status == CaseStatus.IN_RESOLUTION
    event = AuditEvent.objects.filter(verb="case.observation_passed").get()
    assert event.at.astimezone(SHANGHAI).date() == LATER  # the timeline reads the day
    assert audit_verify() is None  # events written on a replayed day still verify
    run = TickRun.objects.get(day=LATER)
    assert run.result["observation_passed"] == 1 and run.result["flagged_nominal"] == 1


def test_running_a_day_twice_changes_nothing_the_second_time(
    due: tuple[PetitionCase, ...],
) -> None:
    tick("--as-of", LATER.isoformat())
    before = snapshot()

    assert tick("--as-of", LATER.isoformat()) == "2020-03-20：观察期届满 0 件，疑似挂名包案 0 件"

    assert snapshot() == before
    run = TickRun.objects.get(day=LATER)  # one row per day, the totals of the day kept
    assert run.result == {
        "day": "2020-03-20",
        "observation_passed": 1,
        "flagged_nominal": 1,
        "runs": 2,
    }


def test_without_as_of_the_command_runs_for_today(due: tuple[PetitionCase, ...]) -> None:
    with time_machine.travel(dt.datetime(2019, 4, 2, 0, 40, tzinfo=SHANGHAI), tick=False):
        output = tick()
    assert output.startswith("2019-04-02：")  # the courts' day, not UTC's (still 1 April)
    assert TickRun.objects.filter(day=dt.date(2019, 4, 2)).exists()


@pytest.mark.parametrize("bad", ["2019/07/15", "15.7.2019", "2019-02-30", "明天"])
def test_a_bad_date_is_refused_in_chinese(db: None, bad: str) -> None:
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        tick("--as-of", bad)
    assert not TickRun.objects.exists()


def test_the_command_has_chinese_help() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "huajie.cli", "tick", "--help"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "huajie tick" in result.stdout
    assert "--as-of" in result.stdout
    assert "观察期" in result.stdout and "挂名包案" in result.stdout


def test_the_schedule_plans_one_tick_per_calendar_day(
    due: tuple[PetitionCase, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(schedule_module, "_SCHEDULES", [jobs.daily_tick])
    just_after_midnight = dt.datetime(2019, 5, 1, 0, 10, tzinfo=SHANGHAI)  # 30 April in UTC
    (planned,) = jobs.daily_tick(just_after_midnight)
    assert planned.kind == "cases.tick"
    assert planned.key == "tick:2019-05-01"
    assert planned.payload == {"day": "2019-05-01"}
    assert planned.run_at == dt.datetime(2019, 5, 1, 0, 30, tzinfo=SHANGHAI)

    for hour in (0, 9, 23):  # every worker loop of the day plans the same job
        schedules_enqueue(dt.datetime(2019, 5, 1, hour, 15, tzinfo=SHANGHAI))
        schedules_enqueue(dt.datetime(2019, 5, 1, hour, 15, tzinfo=SHANGHAI))
    schedules_enqueue(dt.datetime(2019, 5, 2, 8, tzinfo=SHANGHAI))

    jobs_by_key = dict(Job.objects.filter(kind="cases.tick").values_list("key", "payload"))
    assert jobs_by_key == {
        "tick:2019-05-01": {"day": "2019-05-01"},
        "tick:2019-05-02": {"day": "2019-05-02"},
    }


def test_nothing_is_planned_while_the_ledger_is_empty(db: None) -> None:
    assert jobs.daily_tick(dt.datetime(2019, 5, 1, 9, tzinfo=SHANGHAI)) == []


def test_the_tick_job_runs_the_rules_for_its_day(due: tuple[PetitionCase, ...]) -> None:
    observed, _silent = due
    job_enqueue(kind="cases.tick", payload={"day": LATER.isoformat()}, key="tick:2020-03-20")

    claimed = job_claim(worker="test")
    assert claimed is not None
    job_run(claimed)

    claimed.refresh_from_db()
    assert claimed.status == JobStatus.DONE, claimed.last_error
    assert claimed.result == {"day": "2020-03-20", "observation_passed": 1, "flagged_nominal": 1}
    observed.refresh_from_db()
    assert observed.status == CaseStatus.MET_STANDARD
    assert TickRun.objects.get(day=LATER).result["runs"] == 1
    assert services.tick(as_of=LATER).as_dict() == {
        "day": "2020-03-20",
        "observation_passed": 0,
        "flagged_nominal": 0,
    }
