"""The case tally (huajie.cases.tally; R18 at national scale, issue 7): kept exact by every
write of a case, checked and rebuilt by `huajie tally`, folded by the worker.

Besides these tests, tests/conftest.py compares the tally with a recount after every test
that used the database, so every write path of the suite is checked as well."""

from __future__ import annotations

import datetime as dt
import importlib
import io

import pytest
from django.apps import apps as django_apps
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from huajie.cases import services, tally
from huajie.cases.models import (
    Campaign,
    CaseStatus,
    CaseTally,
    Origin,
    PetitionCase,
    Visit,
    VisitLevel,
    VisitTally,
)
from huajie.worker.models import Job
from huajie.worker.schedule import schedules_enqueue
from tests.cases.world import World, case_in, new_case

pytestmark = pytest.mark.django_db


def _counted(campaign_id: int | None = None, current_only: bool = False) -> dict[tuple, tuple]:
    """The stored tally: (court, origin, status) → (cases, nominal, reopened), of one
    campaign or summed over all, or of the cases' current campaigns only."""
    result: dict[tuple, tuple] = {}
    for (campaign, court, origin, status, current), c in tally.stored_counts().items():
        if campaign_id not in (None, campaign) or (current_only and not current):
            continue
        have = result.get((court, origin, status), (0, 0, 0))
        result[court, origin, status] = tuple(
            a + b for a, b in zip(have, c.as_tuple(), strict=True)
        )
    return result


def _carry_over(world: World) -> Campaign:
    """The province's open cases carried over into 2020."""
    next_year = services.campaign_create(year=2020)
    services.campaign_carry_over(
        actor=world.province_office,
        source=world.campaign,
        target=next_year,
        province=world.tree.high,
    )
    return next_year


def test_a_case_is_counted_where_it_is_and_moves_with_its_court_and_status(world: World) -> None:
    case = new_case(world)
    high, lixia = world.tree.high.pk, world.tree.lixia.pk
    assert _counted() == {(high, Origin.STOCK, CaseStatus.UNALLOCATED): (1, 0, 0)}
    case = services.case_allocate(actor=world.province_office, case=case)
    assert _counted() == {(lixia, Origin.STOCK, CaseStatus.ALLOCATED): (1, 0, 0)}
    case_in(world, CaseStatus.ACCEPTED, ledger_no="T-2")
    assert _counted()[lixia, Origin.STOCK, CaseStatus.ACCEPTED] == (1, 0, 0)


def test_nominal_and_reopened_are_counted_with_the_key(world: World) -> None:
    case = case_in(world, CaseStatus.IN_RESOLUTION)
    case.possibly_nominal = True
    case.reopen_count = 2
    case.save(update_fields=["possibly_nominal", "reopen_count"])
    lixia = world.tree.lixia.pk
    assert _counted() == {(lixia, Origin.STOCK, CaseStatus.IN_RESOLUTION): (1, 1, 1)}
    # As the dashboard reads them: the campaign's keys, and the warnings' flags per court.
    assert list(tally.counts(world.campaign, [lixia])) == [
        (lixia, Origin.STOCK, CaseStatus.IN_RESOLUTION, 1, 1, 1)
    ]
    assert list(tally.counts(world.campaign, [world.tree.shinan.pk])) == []
    assert list(tally.flags_by_court([lixia, world.tree.high.pk])) == [(lixia, 1, 1)]
    case.status = CaseStatus.OBSERVATION  # reopened, but not being resolved again
    case.save(update_fields=["status"])
    assert list(tally.flags_by_court([lixia])) == [(lixia, 1, 0)]


def test_a_save_of_other_fields_adds_no_row(world: World) -> None:
    case = new_case(world)
    rows = CaseTally.objects.count()
    case.remarks = "补充说明"
    case.save(update_fields=["remarks"])
    case.save()  # everything, nothing changed
    assert CaseTally.objects.count() == rows


def test_a_stale_instance_saving_some_fields_keeps_the_stored_others(world: World) -> None:
    case = case_in(world, CaseStatus.IN_RESOLUTION)
    first = PetitionCase.objects.get(pk=case.pk)
    second = PetitionCase.objects.get(pk=case.pk)
    first.status = CaseStatus.OBSERVATION
    first.save(update_fields=["status"])
    second.court = world.tree.shinan  # second still thinks the case is 化解中
    second.save(update_fields=["court"])
    stored = PetitionCase.objects.get(pk=case.pk)
    assert (stored.court_id, stored.status) == (world.tree.shinan.pk, CaseStatus.OBSERVATION)
    assert _counted() == {(world.tree.shinan.pk, Origin.STOCK, CaseStatus.OBSERVATION): (1, 0, 0)}


def test_deleting_a_case_takes_it_out(world: World) -> None:
    case = new_case(world)
    new_case(world, ledger_no="T-2")
    PetitionCase.objects.filter(pk=case.pk).delete()
    assert _counted() == {(world.tree.high.pk, Origin.STOCK, CaseStatus.UNALLOCATED): (1, 0, 0)}


def test_a_carried_case_counts_in_both_campaigns_and_once_among_current_cases(
    world: World,
) -> None:
    case_in(world, CaseStatus.IN_RESOLUTION)
    case_in(world, CaseStatus.ACCEPTED, ledger_no="T-2")
    next_year = _carry_over(world)
    lixia = world.tree.lixia.pk
    open_key = (lixia, Origin.STOCK, CaseStatus.IN_RESOLUTION)
    done_key = (lixia, Origin.STOCK, CaseStatus.ACCEPTED)
    assert _counted(world.campaign.pk) == {open_key: (1, 0, 0), done_key: (1, 0, 0)}
    assert _counted(next_year.pk) == {open_key: (1, 0, 0)}
    assert _counted(current_only=True) == {open_key: (1, 0, 0), done_key: (1, 0, 0)}


def test_compaction_folds_rows_and_keeps_the_sums(world: World) -> None:
    case = case_in(world, CaseStatus.IN_RESOLUTION)
    services.case_create(
        actor=world.province_office,
        campaign=world.campaign,
        holding_court=world.tree.high,
        data=services.CaseInput(
            petition_type="beijing",  # type: ignore[arg-type]
            petitioners=[services.PetitionerInput(name="李四")],
            ledger_no="T-9",
        ),
    )
    before, visits_before = _counted(), tally.stored_visit_counts()
    rows_before = CaseTally.objects.count() + VisitTally.objects.count()
    assert rows_before > len(before) + len(visits_before)  # the moves left signed rows
    taken, kept = tally.compact()
    assert (taken, kept) == (rows_before, len(before) + len(visits_before))  # zeros are gone
    assert CaseTally.objects.count() == len(before)
    assert _counted() == before
    assert tally.stored_visit_counts() == visits_before
    assert not CaseTally.objects.filter(cases__lt=0).exists()
    assert case.pk  # the case itself is untouched


def test_check_reports_a_difference_and_rebuild_repairs_it(world: World) -> None:
    new_case(world)
    call_command("tally", "check", stdout=io.StringIO())  # consistent: no error
    CaseTally.objects.create(
        campaign=world.campaign,
        court=world.tree.lixia,
        origin=Origin.STOCK,
        status=CaseStatus.ACCEPTED,
        current=True,
        cases=3,
        nominal=0,
        reopened=0,
    )
    with pytest.raises(CommandError) as failed:
        call_command("tally", "check", stdout=io.StringIO())
    message = str(failed.value)
    assert "1 处不符" in message
    assert "历下" in message and "已验收" in message and "记录 3 件" in message
    out = io.StringIO()
    call_command("tally", "rebuild", stdout=out)
    assert "已按案件重新统计" in out.getvalue()
    assert tally.differences() == []


def test_compact_command_reports_the_rows(world: World) -> None:
    case_in(world, CaseStatus.IN_RESOLUTION)
    out = io.StringIO()
    call_command("tally", "compact", stdout=out)
    assert "合并" in out.getvalue()
    assert tally.differences() == []


def test_the_migration_counts_the_cases_already_stored(world: World) -> None:
    case_in(world, CaseStatus.ACCEPTED)
    case_in(world, CaseStatus.OBSERVATION, ledger_no="T-2")
    _carry_over(world)
    CaseTally.objects.all().delete()
    migration = importlib.import_module("huajie.cases.migrations.0004_case_tally")
    migration.count_existing_cases(django_apps, None)
    assert tally.differences() == []


def test_the_worker_compacts_every_hour_once_there_is_a_tally(world: World) -> None:
    now = dt.datetime(2019, 6, 3, 14, 25, tzinfo=dt.UTC)
    schedules_enqueue(now)
    assert not Job.objects.filter(kind=tally.COMPACT_KIND).exists()  # nothing to fold yet
    new_case(world)
    schedules_enqueue(now)
    schedules_enqueue(now + dt.timedelta(minutes=20))  # same hour: the same job
    jobs = Job.objects.filter(kind=tally.COMPACT_KIND)
    assert jobs.count() == 1
    assert jobs.get().key == "tally:2019-06-03T22"  # Beijing time
    folded = tally.compact_job({})
    assert folded["rows_before"] == folded["rows_after"] == 2  # the case and its visit


STATUSES = list(CaseStatus.values)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(
        st.tuples(
            st.integers(0, 2),  # which case
            st.booleans(),  # from a fresh or a stale instance
            st.sampled_from(["status", "court", "possibly_nominal", "reopen_count", "origin"]),
            st.integers(0, 6),
        ),
        max_size=12,
    )
)
def test_any_sequence_of_saves_keeps_the_tally_exact(world: World, steps: list) -> None:
    """Saves of any tallied field, from fresh or out-of-date instances, in any order."""
    PetitionCase.objects.all().delete()
    cases = [new_case(world, ledger_no=f"H-{i}") for i in range(3)]
    stale = [PetitionCase.objects.get(pk=c.pk) for c in cases]
    courts = [world.tree.high, world.tree.jinan, world.tree.lixia, world.tree.shinan]
    for which, fresh, name, value in steps:
        case = PetitionCase.objects.get(pk=cases[which].pk) if fresh else stale[which]
        new_value: object = {
            "status": STATUSES[value % len(STATUSES)],
            "court": courts[value % len(courts)],
            "possibly_nominal": bool(value % 2),
            "reopen_count": value % 3,
            "origin": (Origin.STOCK, Origin.NEW)[value % 2],
        }[name]
        setattr(case, name, new_value)
        case.save(update_fields=[name])
        assert tally.differences() == []


def _visits(campaign_id: int) -> dict[tuple, int]:
    return {
        (court, level, period): n
        for (campaign, court, level, period), n in tally.stored_visit_counts().items()
        if campaign == campaign_id
    }


def test_visits_count_at_the_case_s_court_by_period_and_move_with_the_case(world: World) -> None:
    case = new_case(world)  # visited Beijing on 2018-12-01: before the 2019 mobilization
    high, lixia = world.tree.high.pk, world.tree.lixia.pk
    assert _visits(world.campaign.pk) == {(high, VisitLevel.BEIJING, -1): 1}
    case = services.case_allocate(actor=world.province_office, case=case)
    assert _visits(world.campaign.pk) == {(lixia, VisitLevel.BEIJING, -1): 1}
    Visit.objects.create(case=case, visited_on=dt.date(2019, 3, 20), level=VisitLevel.PROVINCE)
    Visit.objects.create(case=case, visited_on=dt.date(2019, 2, 10), level=VisitLevel.BEIJING)
    Visit.objects.create(case=case, visited_on=dt.date(2019, 3, 21), level=VisitLevel.LOCAL)
    assert _visits(world.campaign.pk) == {
        (lixia, VisitLevel.BEIJING, -1): 1,
        (lixia, VisitLevel.BEIJING, 0): 1,  # mobilization
        (lixia, VisitLevel.PROVINCE, 2): 1,  # 15-28 March: the second period
    }
    moved = Visit.objects.get(level=VisitLevel.PROVINCE)
    moved.visited_on = dt.date(2019, 3, 1)
    moved.save(update_fields=["visited_on"])
    assert _visits(world.campaign.pk)[lixia, VisitLevel.PROVINCE, 1] == 1
    moved.delete()
    assert (lixia, VisitLevel.PROVINCE, 1) not in _visits(world.campaign.pk)


def test_a_carried_case_s_visits_count_in_both_campaigns_by_each_one_s_periods(
    world: World,
) -> None:
    case = case_in(world, CaseStatus.IN_RESOLUTION)
    Visit.objects.create(case=case, visited_on=dt.date(2019, 6, 1), level=VisitLevel.BEIJING)
    next_year = _carry_over(world)
    lixia = world.tree.lixia.pk
    assert _visits(world.campaign.pk)[lixia, VisitLevel.BEIJING, 7] == 1
    assert _visits(next_year.pk) == {(lixia, VisitLevel.BEIJING, -1): 2}  # before 2020


def test_the_migration_counts_the_visits_already_stored(world: World) -> None:
    case = case_in(world, CaseStatus.OBSERVATION)
    Visit.objects.create(case=case, visited_on=dt.date(2019, 4, 2), level=VisitLevel.PROVINCE)
    _carry_over(world)
    VisitTally.objects.all().delete()
    migration = importlib.import_module("huajie.cases.migrations.0005_visit_tally")
    migration.count_existing_visits(django_apps, None)
    assert tally.differences() == []
