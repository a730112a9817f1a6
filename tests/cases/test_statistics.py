"""The query planner's statistics (core.planner): gathered by the nightly job where the
database keeps none itself (SQLite), left to autovacuum on PostgreSQL; `huajie statistics`."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection

from huajie.audit.models import AuditEvent
from huajie.cases import jobs
from huajie.courts.models import Court
from huajie.worker import schedule as schedule_module
from huajie.worker.models import Job, JobStatus
from huajie.worker.queue import job_claim, job_enqueue, job_run
from huajie.worker.schedule import schedules_enqueue
from tests.cases.world import World, new_case
from tests.factories import build_tree

SHANGHAI = ZoneInfo("Asia/Shanghai")

pytestmark = pytest.mark.django_db


def _rows_the_planner_knows(table: str) -> int | None:
    """The table's size as the planner's statistics record it (None: never gathered)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if cursor.fetchone() is None:
                return None
            # Each index's row starts with the table's row count.
            cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = %s LIMIT 1", [table])
        else:
            cursor.execute(
                "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass "
                "AND reltuples >= 0",
                [table],
            )
        found = cursor.fetchone()
    return int(str(found[0]).split()[0]) if found else None


def test_the_statistics_job_records_the_tables_sizes(world: World) -> None:
    new_case(world)  # audit events too
    courts = Court.objects.count()
    assert _rows_the_planner_knows("courts_court") != courts
    events = AuditEvent.objects.count()
    assert events > 0
    if connection.vendor == "sqlite":  # as an earlier release's ANALYZE left them
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE audit_auditevent")
        assert _rows_the_planner_knows("audit_auditevent") == events

    job = job_enqueue(kind=jobs.STATISTICS_KIND, key="statistics:2019-05-01")
    claimed = job_claim(worker="test")
    assert claimed is not None and claimed.pk == job.pk
    job_run(claimed)

    claimed.refresh_from_db()
    assert claimed.status == JobStatus.DONE, claimed.last_error
    assert claimed.result is not None and claimed.result["seconds"] >= 0
    assert _rows_the_planner_knows("courts_court") == courts
    # The audit log's skewed verbs mislead SQLite's averages (core.planner): left without.
    left_out = connection.vendor == "sqlite"
    assert _rows_the_planner_knows("audit_auditevent") == (None if left_out else events)


def test_the_job_is_planned_nightly_only_where_the_database_needs_it(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(schedule_module, "_SCHEDULES", [jobs.nightly_statistics])
    assert jobs.nightly_statistics(dt.datetime(2019, 5, 1, 9, tzinfo=SHANGHAI)) == []  # no case
    new_case(world)
    for hour in (0, 9, 23):  # every worker loop of the day plans the same job
        schedules_enqueue(dt.datetime(2019, 5, 1, hour, 15, tzinfo=SHANGHAI))
    schedules_enqueue(dt.datetime(2019, 5, 2, 8, tzinfo=SHANGHAI))

    planned = dict(Job.objects.filter(kind=jobs.STATISTICS_KIND).values_list("key", "run_at"))
    if connection.vendor == "postgresql":  # autovacuum gathers them
        assert planned == {}
    else:
        assert planned == {
            "statistics:2019-05-01": dt.datetime(2019, 5, 1, 3, tzinfo=SHANGHAI),
            "statistics:2019-05-02": dt.datetime(2019, 5, 2, 3, tzinfo=SHANGHAI),
        }


def test_the_command_gathers_them_now() -> None:
    build_tree()
    out = StringIO()
    call_command("statistics", stdout=out)
    assert "已重新统计查询规划信息" in out.getvalue()
    assert _rows_the_planner_knows("courts_court") == Court.objects.count()


def test_one_case_s_events_of_a_kind_are_found_by_the_case(world: World) -> None:
    """The figures as of a past day look up each case's re-petitions, nominal flags and
    exemplary marks. Without statistics for the audit log (above), SQLite took the verb and
    time index for them and read every such event of the country per case; `Unindexed`
    keeps the verb off its index there, so the case's index is the one used. PostgreSQL
    plans from statistics and gets the plain column."""
    from huajie.core import clock
    from huajie.supervision import metrics

    case = new_case(world)
    cases = metrics.campaign_cases(world.campaign, clock.today(), world.tree.high, live=False)
    assert case.pk in set(cases.values_list("pk", flat=True))  # the history path, answered
    sql, params = cases.query.sql_with_params()
    if connection.vendor != "sqlite":
        assert "+" not in sql
        return
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        steps = {row[0]: (row[1], row[-1]) for row in cursor.fetchall()}
    per_case = [
        detail
        for parent, detail in steps.values()
        if detail.startswith("SEARCH") and steps.get(parent, (0, ""))[1].startswith("CORRELATED")
    ]
    assert len(per_case) >= 4, steps  # court, status, nominal (and what clears it), re-petition
    assert all("(case_id=?" in detail for detail in per_case), per_case
