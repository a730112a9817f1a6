"""The supervision numbers (R13, R17, R18): equal to a plain recount of the case records, and
"as of" a past day they are that day's numbers, whatever changed since."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from huajie.cases import services
from huajie.cases.models import ActivityKind, CaseStatus, PetitionCase, VisitLevel
from huajie.core import clock
from huajie.courts.models import CourtLevel
from huajie.courts.services import court_create
from huajie.supervision import metrics
from tests.cases.world import World, new_case, promise_document
from tests.supervision.province import build_province, play
from tests.supervision.recount import (
    Count,
    accepted_between,
    area_total,
    recount,
    visits_between,
)

pytestmark = pytest.mark.django_db

P = dt.date(2019, 3, 14)  # end of period 1
E = dt.date(2019, 3, 28)  # end of period 2


@pytest.fixture(autouse=True)
def _nominal_after_a_week(settings: object) -> None:
    settings.HUAJIE_NOMINAL_AFTER_DAYS = 7  # type: ignore[attr-defined]


def _assert_same(figures: metrics.Figures, count: Count, where: str) -> None:
    assert figures.tasks == count.tasks, where
    for status in CaseStatus.values:
        assert figures.statuses.get(status, 0) == count.statuses.get(status, 0), (where, status)
    assert figures.met == count.met, where
    assert figures.accepted == count.accepted, where
    assert figures.rate == count.rate(), where
    assert figures.new == count.new, where
    assert figures.new_accepted == count.new_accepted, where
    assert figures.nominal == count.nominal, where
    assert figures.reopened_cases == count.reopened_cases, where


def test_periods_pace_and_ranks(world: World) -> None:
    campaign = world.campaign  # concentrated 1 March - 31 December 2019
    assert metrics.bulletin_period(campaign, 1) == metrics.Period(1, dt.date(2019, 3, 1), P)
    assert metrics.bulletin_period(campaign, 2).end == E
    last = metrics.last_period_number(campaign)
    assert last == 22 and metrics.bulletin_period(campaign, last).end == dt.date(2019, 12, 31)
    assert metrics.period_number(campaign, dt.date(2019, 2, 27)) == 0
    assert metrics.period_number(campaign, dt.date(2019, 3, 15)) == 2
    assert metrics.period_number(campaign, dt.date(2020, 3, 1)) == last
    assert metrics.expected_rate(campaign, dt.date(2019, 2, 1)) == 0.0
    assert metrics.expected_rate(campaign, dt.date(2019, 12, 31)) == 1.0
    assert metrics.expected_rate(campaign, P) == pytest.approx(14 / 306)
    assert metrics.progress_points(campaign, dt.date(2019, 5, 10)) == [
        dt.date(2019, 3, 31),
        dt.date(2019, 4, 30),
        dt.date(2019, 5, 10),
    ]
    assert len(metrics.progress_points(campaign, dt.date(2020, 6, 1))) == 11
    rows = [
        metrics.Row(world.tree.lixia, metrics.Figures(tasks=4, statuses={"accepted": 2})),
        metrics.Row(world.tree.shinan, metrics.Figures(tasks=2, statuses={"accepted": 1})),
        metrics.Row(world.tree.shizhong, metrics.Figures()),
        metrics.Row(world.tree.jinan, metrics.Figures(tasks=2, statuses={"accepted": 2})),
    ]
    ranks = [(rank, row.court) for rank, row in metrics.ranked(rows)]
    assert ranks == [
        (1, world.tree.jinan),
        (2, world.tree.lixia),
        (2, world.tree.shinan),
        (None, world.tree.shizhong),
    ]


def test_as_of_today_the_reconstructed_state_is_the_records(world: World) -> None:
    province = build_province(world, stock=30, new=4)
    play(province, dt.date(2019, 3, 1), dt.date(2019, 3, 20), share=0.25)
    with clock.travel(dt.date(2019, 3, 20)):
        reconstructed = {
            c.pk: (c.asof_court, c.asof_status)
            for c in metrics.campaign_cases(
                world.campaign, clock.today(), world.tree.high, live=False
            )
        }
    current = {c.pk: (c.court_id, c.status) for c in PetitionCase.objects.all()}
    assert reconstructed == current


def test_today_s_figures_from_the_cases_equal_those_rebuilt_from_the_history(
    world: World,
) -> None:
    """The dashboard reads today's figures from the cases' columns (fast); every figure
    equals the one rebuilt from the audit history, for every court, period figures too."""
    province = build_province(world, stock=30, new=4)
    play(province, dt.date(2019, 3, 1), dt.date(2019, 3, 20), share=0.3)
    with clock.travel(dt.date(2019, 3, 20)):
        today = clock.today()
        assert not metrics.recorded_after(metrics.end_of(today))
        live = metrics.snapshot(world.campaign, today, world.tree.high, live=True)
        history = metrics.snapshot(world.campaign, today, world.tree.high, live=False)
        # The timeline too: today's visits from the visit tally, a past day's from the visits.
        timelines = [
            [
                metrics.timeline_counts(world.campaign, node, today, live=live_or_not)
                for live_or_not in (True, False)
            ]
            for node in (world.tree.high, world.tree.jinan)
        ]
    assert live.by_court == history.by_court
    for from_tally, from_visits in timelines:
        assert from_tally == from_visits
    assert timelines[0][0]["beijing"] and timelines[0][0]["province"]
    total = live.subtree(world.tree.high)
    assert total.nominal and total.reopened_cases and total.accepted and total.visits_period
    assert total.met_period and total.returned_period


@pytest.mark.parametrize("live", [True, False])
def test_an_area_s_snapshot_gives_its_courts_the_province_s_figures(
    world: World, live: bool
) -> None:
    """R15: an area's dashboard counts its own courts alone (`only_under`), and each gets
    exactly the figures the province's snapshot gives it: the campaign's cases are still
    the province's (an event at the area for a case taken up by the high court counts)."""
    province = build_province(world, stock=30, new=4)
    play(province, dt.date(2019, 3, 1), dt.date(2019, 3, 20), share=0.3)
    area = world.tree.jinan
    with clock.travel(dt.date(2019, 3, 20)):
        today = clock.today()
        whole = metrics.snapshot(world.campaign, today, world.tree.high, live=live)
        alone = metrics.snapshot(world.campaign, today, area, live=live, only_under=True)
    inside = {c.pk for c in whole.courts if c.is_within(area)}
    assert {c.pk for c in alone.courts} == inside != {c.pk for c in whole.courts}
    assert alone.by_court == {pk: f for pk, f in whole.by_court.items() if pk in inside}
    total = alone.subtree(area)
    assert total == whole.subtree(area)
    assert total.tasks and total.met_period and total.visits_period


def test_figures_equal_a_plain_recount_and_a_past_day_keeps_its_numbers(world: World) -> None:
    province = build_province(world)
    play(province, dt.date(2019, 3, 1), P, share=0.15)
    at_p = recount()
    play(province, P + dt.timedelta(days=1), E, share=0.15)
    at_e = recount()
    visits = visits_between(P + dt.timedelta(days=1), E)
    accepted = accepted_between(P + dt.timedelta(days=1), E)
    # Later changes must not change the numbers of P and E.
    play(province, E + dt.timedelta(days=1), E + dt.timedelta(days=10), share=0.3)
    assert recount() != at_e

    campaign, high = world.campaign, world.tree.high
    snap_p = metrics.snapshot(campaign, P, high)
    snap_e = metrics.snapshot(campaign, E, high)
    assert snap_e.period == metrics.Period(2, P + dt.timedelta(days=1), E)
    for court in province.courts:
        _assert_same(snap_p.own(court), at_p.get(court.pk, Count()), f"{court} P")
        own = snap_e.own(court)
        now, before = at_e.get(court.pk, Count()), at_p.get(court.pk, Count())
        _assert_same(own, now, f"{court} E")
        assert own.reopened_period == now.reopen_events - before.reopen_events
        assert own.returned_period == now.return_events - before.return_events
        assert own.met_period == (
            now.met
            - before.met
            + (now.stock_return_events - before.stock_return_events)
            + (now.stock_reopen_events - before.stock_reopen_events)
        ), court
        assert own.accepted_period == accepted.get(court.pk, 0)
        assert own.visits_beijing_period == visits.get(court.pk, {}).get("beijing", 0)
        assert own.visits_province_period == visits.get(court.pk, {}).get("province", 0)
    for area in (world.tree.jinan, world.tree.qingdao, high):
        _assert_same(snap_e.subtree(area), area_total(at_e, area), f"area {area}")
    total = snap_e.subtree(high)
    assert total.tasks == 48 and total.new == 6
    # The generated province is varied enough to test something.
    assert total.nominal and total.reopened_cases and total.returned_period
    assert total.accepted and total.met > total.accepted and total.visits_period


def test_each_part_of_a_snapshot_counts_what_the_full_snapshot_counts(world: World) -> None:
    """The assessment asks for the cases and the deductions alone (`Parts.DEDUCTIONS`), the
    progress chart for the cases alone (`Parts.CASES`): what they count must be the full
    snapshot's figures, and what they leave out stays 0 (R16, R18)."""
    province = build_province(world, stock=30, new=4)
    play(province, dt.date(2019, 3, 1), E, share=0.3)
    campaign, high, since = world.campaign, world.tree.high, world.campaign.mobilization_start
    full = metrics.snapshot(campaign, E, high, since=since)
    deductions = metrics.snapshot(campaign, E, high, since=since, parts=metrics.Parts.DEDUCTIONS)
    cases = metrics.snapshot(campaign, E, high, since=since, parts=metrics.Parts.CASES)
    counted_by_cases = ("tasks", "accepted", "open", "met", "nominal", "reopened_cases")
    deducted = ("reopened_period", "returned_period")
    left_out = ("accepted_period", "met_period", "visits_beijing_period", "visits_province_period")
    for court in province.courts:
        whole = full.own(court)
        for part, counted in ((deductions, counted_by_cases + deducted), (cases, counted_by_cases)):
            figures = part.own(court)
            assert figures.statuses == whole.statuses, court
            for name in counted:
                assert getattr(figures, name) == getattr(whole, name), (court, name)
            for name in left_out + (() if part is deductions else deducted):
                assert getattr(figures, name) == 0, (court, name)
    total = full.subtree(high)
    assert total.reopened_period and total.returned_period and total.accepted_period
    assert total.visits_period and total.met_period


def _day(n: int) -> dt.date:
    return dt.date(2019, 3, n)


def test_accepted_court_and_nominal_as_of_each_day(world: World, settings: object) -> None:
    settings.HUAJIE_NOMINAL_AFTER_DAYS = 1  # type: ignore[attr-defined]
    lixia, jinan = world.lixia, world.jinan
    with clock.travel(_day(1)):
        accepted = services.case_allocate(actor=world.province_office, case=new_case(world))
        moved = services.case_allocate(
            actor=world.province_office, case=new_case(world, number="(2017)鲁0102民初1235号")
        )
    with clock.travel(_day(2)):
        for case in (accepted, moved):
            services.team_assign(actor=lixia.office, case=case, members=dict(lixia.team))
    with clock.travel(_day(3)):
        services.resolution_written(
            actor=lixia.office,
            case=accepted,
            promise_on=_day(3),
            document=promise_document(world, accepted),
        )
        services.tick(as_of=_day(3))  # `moved` has had its team a day without activity
    with clock.travel(_day(4)):
        services.acceptance_submit(actor=lixia.office, case=accepted, note="请验收")
        services.team_assign(
            actor=lixia.office, case=moved, members={"staff": lixia.judge}
        )  # not the leader: the flag stays
    with clock.travel(_day(5)):
        request = accepted.acceptance_requests.get(decision="pending")
        services.acceptance_decide(actor=jinan.office, request=request, accept=True, reason="")
        services.leader_activity_record(
            actor=lixia.leader_user,
            case=moved,
            happened_on=_day(5),
            kind=ActivityKind.RECEPTION,
            summary="接访",
        )
    with clock.travel(_day(6)):
        services.case_take_up(actor=jinan.office, case=moved, reason="提级办理")
    with clock.travel(_day(10)):
        services.visit_record(
            actor=lixia.office,
            case=accepted,
            data=services.VisitInput(visited_on=_day(10), level=VisitLevel.BEIJING),
        )

    def at(day: int) -> tuple[metrics.Figures, metrics.Figures]:
        snap = metrics.snapshot(world.campaign, _day(day), world.tree.high)
        return snap.own(world.tree.lixia), snap.own(world.tree.jinan)

    lx, jn = at(2)
    assert lx.tasks == 2 and lx.statuses == {"in_resolution": 2} and jn.tasks == 0
    lx, _ = at(3)
    assert lx.met == 1 and lx.nominal == 1 and lx.accepted == 0
    lx, _ = at(4)
    assert lx.statuses["submitted"] == 1 and lx.nominal == 1
    lx, _ = at(5)
    assert lx.accepted == 1 and lx.rate == 0.5 and lx.nominal == 0 and lx.accepted_period == 1
    lx, jn = at(6)
    assert lx.tasks == 1 and lx.rate == 1.0
    assert jn.tasks == 1 and jn.statuses == {"allocated": 1}
    lx, _ = at(9)
    assert lx.accepted == 1 and lx.reopened_cases == 0
    lx, _ = at(10)
    assert lx.accepted == 0 and lx.statuses == {"in_resolution": 1}
    assert lx.reopened_cases == 1 and lx.reopened_period == 1 and lx.visits_beijing_period == 1
    # Before any case existed: nothing.
    assert metrics.snapshot(world.campaign, dt.date(2019, 2, 1), world.tree.high).by_court == {}


def test_overdue_after_the_deadline(world: World) -> None:
    with clock.travel(dt.date(2019, 3, 1)):
        services.case_allocate(actor=world.province_office, case=new_case(world))
    during = metrics.snapshot(world.campaign, dt.date(2019, 12, 31), world.tree.high)
    after = metrics.snapshot(world.campaign, dt.date(2020, 1, 1), world.tree.high)
    assert during.own(world.tree.lixia).overdue == 0
    assert after.own(world.tree.lixia).overdue == 1


def _queries(world: World) -> int:
    with CaptureQueriesContext(connection) as ctx:
        metrics.snapshot(world.campaign, dt.date(2019, 3, 20), world.tree.high)
    return len(ctx.captured_queries)


def test_a_snapshot_costs_the_same_queries_for_more_courts_and_cases(world: World) -> None:
    with clock.travel(dt.date(2019, 3, 1)):
        services.case_allocate(actor=world.province_office, case=new_case(world))
    few = _queries(world)
    for n in range(5):
        court_create(
            name=f"山东省济南市第{n}区人民法院",
            short_name=f"第{n}区法院",
            code=f"鲁01{n + 10}",
            level=CourtLevel.BASIC,
            parent=world.tree.jinan,
        )
    province = build_province(world, stock=20, new=2)
    play(province, dt.date(2019, 3, 2), dt.date(2019, 3, 8), share=0.5)
    # Whether anything was recorded after the day, then the cases, events and visits.
    assert _queries(world) == few == 5


def test_the_period_figures_index_holds_exactly_the_counted_events() -> None:
    """The partial index `audit_period_figures` (issue #7) must keep matching the events
    `_count_events` counts, or the database stops using it for them."""
    from huajie.audit.models import AuditEvent

    index = next(i for i in AuditEvent._meta.indexes if i.name == "audit_period_figures")
    verbs, met = index.condition.children  # type: ignore[union-attr]
    assert verbs[0] == "verb__in" and sorted(verbs[1]) == sorted(
        (metrics.REPETITION, metrics.RETURN, metrics.ACCEPT)
    )
    assert met == ("after__status", CaseStatus.MET_STANDARD)
