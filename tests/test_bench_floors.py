"""The ledger benchmark's bare-SQL floors (tests/bench/ledger_floors.py; issue #7) measure
what they say: the import's floor stores again exactly the rows added since its marks and
leaves nothing behind; the export's reads every case of the campaign."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection

from huajie.cases import services
from huajie.cases.models import CaseStatus, PetitionCase
from tests.bench.ledger_floors import (
    _tables,
    export_floor,
    high_water_marks,
    stored_rows_floor,
)
from tests.cases.world import World, case_in, new_case


def _added_since(marks: dict[str, int]) -> int:
    total = 0
    with connection.cursor() as cursor:
        for table, pk in _tables().items():
            cursor.execute(f'SELECT COUNT(*) FROM "{table}" WHERE "{pk}" > %s', [marks[table]])  # noqa: S608
            total += cursor.fetchone()[0]
    return total


def test_the_import_floor_stores_again_exactly_the_new_rows(world: World) -> None:
    marks = high_water_marks()
    case_in(world, CaseStatus.IN_RESOLUTION, ledger_no="2019-0001")
    case_in(world, CaseStatus.ALLOCATED, ledger_no="2019-0002")
    added = _added_since(marks)
    assert added > 20  # cases, petitioners, links, visits, originals, audit events, tallies
    seconds, rows = stored_rows_floor(marks)
    assert rows == added and seconds > 0
    leftovers = [t for t in connection.introspection.table_names() if t.startswith("bench_floor_")]
    assert leftovers == []
    assert _added_since(marks) == added  # the twins were rolled back, the rows are as they were


def test_the_export_floor_reads_every_case_of_the_campaign(world: World) -> None:
    for number in ("2019-0001", "2019-0002", "2019-0003"):
        case_in(world, CaseStatus.IN_RESOLUTION, ledger_no=number)
    seconds, cases = export_floor(world.campaign.pk)
    assert cases == PetitionCase.objects.filter(campaign=world.campaign).count() == 3
    assert seconds > 0


def test_the_list_floor_counts_what_the_list_finds(world: World) -> None:
    """The page bench's list floors ask what the list asks: the scope's cases by court id,
    with a status, from a cursor, and the search column (counted with the page)."""
    from huajie.cases import search
    from tests.bench.pages import list_floor

    case_in(world, CaseStatus.IN_RESOLUTION, ledger_no="2019-0001")  # 张三
    case_in(world, CaseStatus.ALLOCATED, ledger_no="2019-0AB2")
    new_case(world, ledger_no="2019-0003")  # held by the high court, above 济南
    tree = world.tree
    in_jinan = PetitionCase.objects.filter(court__path__startswith=tree.jinan.path)
    with connection.cursor() as cursor:
        assert list_floor(tree.high.path, None, None, search="ab")(cursor) == 1
        assert list_floor(tree.high.path, None, None, search="ab")(cursor) == (
            PetitionCase.objects.filter(search.search_q("ab")).count()
        )
        assert list_floor(tree.high.path, None, None, search="张")(cursor) == 3  # all 张三
        assert list_floor(tree.jinan.path, None, None)(cursor) == in_jinan.count() == 2
        assert list_floor(tree.jinan.path, CaseStatus.ALLOCATED, None)(cursor) == 1
        assert list_floor(tree.jinan.path, None, ("2019-0001", 0))(cursor) == 2  # all counted
        assert list_floor("", None, None, every_court=True)(cursor) == 3


def test_the_workbench_floor_counts_what_the_workbench_shows(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page bench's workbench floors (issue #7) ask each list the page shows, for a
    court's leader and office and for the province office, and count past a full list."""
    from huajie.cases import services, workbench
    from huajie.cases.models import VisitLevel
    from huajie.core import clock
    from tests.bench.pages import workbench_floor

    monkeypatch.setattr(workbench, "LIST_LIMIT", 2)  # a full list is counted, in both
    today = clock.today()
    for n in range(3):
        case_in(world, CaseStatus.ALLOCATED, ledger_no=f"2019-01{n:02d}")
        case_in(world, CaseStatus.SUBMITTED, ledger_no=f"2019-02{n:02d}")
        new_case(world, ledger_no=f"2019-03{n:02d}")
    returned = case_in(world, CaseStatus.SUBMITTED, ledger_no="2019-0400")
    request = returned.acceptance_requests.get(decision="pending")
    services.acceptance_decide(
        actor=world.jinan.office, request=request, accept=False, reason="退回"
    )
    reopened = case_in(world, CaseStatus.MET_STANDARD, ledger_no="2019-0500")
    services.visit_record(
        actor=world.lixia.office,
        case=reopened,
        data=services.VisitInput(
            visited_on=today, level=VisitLevel.BEIJING, receiving_body="国家信访局"
        ),
    )
    observed = case_in(world, CaseStatus.OBSERVATION, ledger_no="2019-0600")
    escalated = case_in(world, CaseStatus.IN_RESOLUTION, ledger_no="2019-0700")
    services.escalation_request(actor=world.lixia.office, case=escalated, reason="难以化解")
    quiet = today + dt.timedelta(days=services.nominal_after_days() + 1)
    services.tick(as_of=quiet)
    assert observed.observation_last_day is not None
    near_its_end = observed.observation_last_day - dt.timedelta(days=10)

    users = (world.lixia.leader_user, world.lixia.office, world.jinan.office, world.province_office)
    for user in users:
        shown = {pile.key: pile.total for pile in workbench.workbench(user, near_its_end)}
        with connection.cursor() as cursor:
            assert workbench_floor(user, near_its_end)(cursor) == shown, user.username
    province = {p.key: p.total for p in workbench.workbench(world.province_office, near_its_end)}
    assert province["unallocated"] == 3 and province["review"] == 3 and province["team"] == 3
    assert province["returned"] == province["repetition"] == province["observation"] == 1
    assert province["nominal"] > 0
    jinan = {p.key: p.total for p in workbench.workbench(world.jinan.office, near_its_end)}
    assert jinan["escalation"] == 1 and jinan["review"] == 3


def test_the_case_floor_asks_for_every_section_of_the_page(world: World) -> None:
    """The case page's floor reads what the page shows: the case, its petitioners, its
    team, its latest 200 events and each section, row for row as the models hold them."""
    from huajie.audit.models import AuditEvent
    from tests.bench.pages import case_floor
    from tests.cases.test_api import _record_work, _returned_round

    case = case_in(world, CaseStatus.IN_RESOLUTION, ledger_no="2019-0001")
    _record_work(world, case, dt.date(2019, 6, 3))  # a visit, measure, activity, guidance
    _returned_round(world, case)  # an acceptance request returned, its files
    services.escalation_request(actor=world.lixia.office, case=case, reason="难以化解")
    expected = [
        1,
        case.petitioners.count(),
        len(case.team_member_ids()),
        min(200, AuditEvent.objects.filter(case_id=case.pk).count()),
        case.visits.count(),
        case.original_cases.count(),
        case.measures.count(),
        case.leader_activities.count(),
        case.attachments.count(),
        case.acceptance_requests.count(),
        case.escalations.count(),
        case.guidance.count(),
    ]
    found = []
    with connection.cursor() as cursor:
        for sql, params in case_floor(case.pk):
            cursor.execute(sql, params)
            found.append(len(cursor.fetchall()))
    assert found == expected
    assert min(expected) > 0  # the case has every part the floor reads


@pytest.mark.parametrize("node", ["high", "jinan"])
def test_the_dashboard_floor_counts_what_the_dashboard_shows(
    world: World, node: str, settings: Any
) -> None:
    """The dashboards' floor (issue #7) asks the page's questions: each court's tasks, the
    period's events on the campaign's cases (accepted and met of stock cases), the
    period's visits, the warnings' counts and the timeline's re-petitions, number for
    number what the page shows of the province and of an area."""
    from huajie.core import clock
    from huajie.supervision import dashboard, metrics
    from tests.bench.pages import dashboard_floor, window_of
    from tests.supervision.province import build_province, play

    settings.HUAJIE_NOMINAL_AFTER_DAYS = 7  # flags and stale cases within the few weeks played
    settings.HUAJIE_STALE_AFTER_DAYS = 5
    court = getattr(world.tree, node)
    province = build_province(world, stock=30, new=4)
    play(province, dt.date(2019, 3, 1), dt.date(2019, 3, 20), share=0.3)
    with clock.travel(dt.date(2019, 3, 20)):
        today = clock.today()
        snap = metrics.snapshot(world.campaign, today, court, only_under=True)
        warned = {w.key: w.total for w in dashboard.warnings(court, snap, today)}
        repetitions = metrics.timeline_counts(world.campaign, court, today)["repetition"]
        with connection.cursor() as cursor:
            answers = dashboard_floor(court.path, window_of(world.campaign, today))(cursor)

    def per_court(rows: list[tuple], *columns: int) -> dict[int, tuple[int, ...]]:
        found: dict[int, tuple[int, ...]] = {}
        for row in rows:
            old = found.get(row[0], (0,) * len(columns))
            found[row[0]] = tuple(a + int(row[c]) for a, c in zip(old, columns, strict=True))
        return {pk: values for pk, values in found.items() if any(values)}

    def shown(*names: str) -> dict[int, tuple[int, ...]]:
        found = {pk: tuple(getattr(f, n) for n in names) for pk, f in snap.by_court.items()}
        return {pk: values for pk, values in found.items() if any(values)}

    stock = [row for row in answers["cases"] if row[1] == "stock"]
    assert per_court(stock, 3) == shown("tasks")
    assert per_court(answers["events"], 1, 2, 3, 4) == shown(
        "reopened_period", "returned_period", "accepted_period", "met_period"
    )
    beijing = [(court_id, n) for court_id, level, n in answers["visits"] if level == "beijing"]
    assert per_court(beijing, 1) == shown("visits_beijing_period")
    assert sum(n for (n,) in per_court(answers["stale"], 1).values()) == warned["stale"]
    assert sum(n for (n,) in per_court(answers["flags"], 1).values()) == warned["nominal"]
    assert sum(n for _day, n in answers["repetitions"]) == sum(repetitions.values())
    figures = snap.subtree(court)
    assert figures.tasks and figures.met_period and figures.accepted_period
    assert figures.visits_beijing_period and sum(repetitions.values())
    assert warned["nominal"] and warned["stale"]


def test_the_asker_floor_finds_the_signed_in_session_and_user(world: World, client: Any) -> None:
    """Every page's floor first asks what any signed-in page asks: the session, the user
    with their court, the unread notifications (tests/bench/pages.py: Bench.with_asker)."""
    from huajie.cases.models import Notification
    from tests.bench.pages import asker_floor

    user = world.lixia.office
    client.force_login(user)
    found = []
    with connection.cursor() as cursor:
        for sql, params in asker_floor(client.session.session_key, user.pk):
            cursor.execute(sql, params)
            found.append(cursor.fetchall())
    session, person, unread = found
    assert len(session) == len(person) == 1
    assert unread[0][0] == Notification.objects.filter(recipient=user, read_at=None).count()
