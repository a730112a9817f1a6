"""The progress chart's remembered points (issue #7): past month ends are computed once and
then read, and a memo is never used when something recorded later falls inside its day."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from huajie.cases import services
from huajie.cases.models import ActivityKind, CaseStatus, PetitionCase
from huajie.core import clock
from huajie.supervision import metrics
from huajie.supervision.models import ProgressMemo
from tests.cases.world import World
from tests.supervision.province import build_province, play

pytestmark = pytest.mark.django_db

TODAY = dt.date(2019, 6, 10)


def _series(world: World) -> list[metrics.Point]:
    days = metrics.progress_points(world.campaign, TODAY)
    return metrics.progress_series(world.campaign, world.tree.high, days)


def _fresh(world: World) -> list[metrics.Point]:
    """The series computed from the history alone, without any memo."""
    saved = list(ProgressMemo.objects.all())
    ProgressMemo.objects.all().delete()
    try:
        return _series(world)
    finally:
        ProgressMemo.objects.all().delete()
        ProgressMemo.objects.bulk_create(saved)


def test_past_points_are_remembered_verified_and_cost_no_more_queries(world: World) -> None:
    province = build_province(world, stock=24, new=2)
    play(province, dt.date(2019, 3, 1), dt.date(2019, 5, 5), share=0.1)
    with clock.travel(TODAY):
        with CaptureQueriesContext(connection) as first:
            computed = _series(world)
        # Three month ends are over (March, April, May); today is not remembered.
        assert sorted(m.day for m in ProgressMemo.objects.filter(court=world.tree.high)) == [
            dt.date(2019, 3, 31),
            dt.date(2019, 4, 30),
            dt.date(2019, 5, 31),
        ]
        # Work goes on today: recorded now, after every remembered day.
        case = PetitionCase.objects.filter(
            status=CaseStatus.IN_RESOLUTION, leader__isnull=False
        ).first()
        assert case is not None
        services.leader_activity_record(
            actor=province.office(case.court),
            case=case,
            happened_on=TODAY,
            kind=ActivityKind.RECEPTION,
            summary="包案领导接访",
        )
        with CaptureQueriesContext(connection) as again:
            remembered = _series(world)
    assert remembered == computed == _fresh(world)
    assert computed[-1].day == TODAY and computed[-1].tasks == 24
    # One query per point the first time; a fixed few once remembered, whatever the days.
    assert len(again) < len(first)
    # The memos, the events since they were checked, marking them checked, and today's
    # point (the province's courts, whether anything was recorded after today, the count).
    # (The dashboard passes today's point from its snapshot and skips those three.)
    assert len(again) == 6


def test_a_memo_that_later_records_fall_into_is_computed_again(world: World) -> None:
    province = build_province(world, stock=24, new=2)
    play(province, dt.date(2019, 3, 1), dt.date(2019, 4, 20), share=0.1)
    with clock.travel(TODAY):
        _series(world)
    assert ProgressMemo.objects.filter(day=dt.date(2019, 4, 30)).exists()
    # The clock is moved back into April (as the demo loader and tests do) and more happens.
    play(province, dt.date(2019, 4, 21), dt.date(2019, 4, 29), share=0.5)
    with clock.travel(TODAY):
        after = _series(world)
    assert after == _fresh(world)
    april = next(p for p in after if p.day == dt.date(2019, 4, 30))
    march = next(p for p in after if p.day == dt.date(2019, 3, 31))
    memo = ProgressMemo.objects.get(court=world.tree.high, day=dt.date(2019, 4, 30))
    assert (memo.tasks, memo.accepted) == (april.tasks, april.accepted)
    # March ended before anything later was recorded: still the remembered point.
    high = world.tree.high
    assert ProgressMemo.objects.get(court=high, day=dt.date(2019, 3, 31)).accepted == march.accepted
    # A memo that lies must show: write a wrong one and see it used (no silent recompute).
    ProgressMemo.objects.filter(court=high, day=dt.date(2019, 3, 31)).update(accepted=999)
    with clock.travel(TODAY):
        assert next(p for p in _series(world) if p.day == dt.date(2019, 3, 31)).accepted == 999


def test_the_worker_remembers_each_month_end_for_every_court(world: World) -> None:
    """The night after a month end the worker computes its point province by province and
    remembers it for every court, so no viewer waits for it; the point equals a fresh one."""
    from huajie.courts.models import Court, CourtLevel
    from huajie.supervision import jobs
    from huajie.worker.models import Job
    from huajie.worker.schedule import schedules_enqueue

    province = build_province(world, stock=12, new=2)
    play(province, dt.date(2019, 3, 1), dt.date(2019, 4, 25), share=0.1)
    with clock.travel(dt.date(2019, 2, 20)):  # mobilization: no month end of the chart yet
        schedules_enqueue(clock.now())
    assert not Job.objects.filter(kind=jobs.KIND).exists()
    with clock.travel(dt.date(2019, 5, 1)):
        schedules_enqueue(clock.now())
        schedules_enqueue(clock.now() + dt.timedelta(hours=3))  # planned once
        job = Job.objects.get(kind=jobs.KIND)
        assert job.key == "progress:2019-04-30"
        assert job.run_at == clock.start_of_day(dt.date(2019, 5, 1)) + dt.timedelta(hours=1)
        result = jobs.progress_job(job.payload)
        remembered = {
            (m.court_id, m.day) for m in ProgressMemo.objects.filter(campaign=world.campaign)
        }
        # March and April (the first run catches up), for every court.
        month_ends = [dt.date(2019, 3, 31), dt.date(2019, 4, 30)]
        assert remembered == {(c.pk, d) for c in Court.objects.all() for d in month_ends}
        provinces = Court.objects.filter(level=CourtLevel.HIGH).count()
        assert result == {"day": "2019-04-30", "provinces": provinces, "counted": 2 * provinces}
        assert jobs.progress_job(job.payload)["counted"] == 0  # nothing left to count
        # Any court's first view computes no point of its own for April, and each equals the
        # point counted afresh.
        april = [dt.date(2019, 4, 30)]
        for court in (world.tree.high, world.tree.jinan, world.tree.lixia):
            with CaptureQueriesContext(connection) as view:
                remembered_point = metrics.progress_series(world.campaign, court, april)
            assert not any("INSERT" in q["sql"] for q in view.captured_queries)
            ProgressMemo.objects.filter(court=court).delete()
            assert remembered_point == metrics.progress_series(world.campaign, court, april)
        assert remembered_point[0].tasks  # 历下 has tasks: the comparison says something
