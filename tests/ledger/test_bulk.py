"""The bulk path of the import writes exactly what the services write (issue #7, R4, R5,
R9.2, R15): the same sheet imported once row by row through the services
(HUAJIE_LEDGER_BULK=0) and once in bulk gives the same cases, petitioners, original cases,
visits, notifications and audit events, field by field and in the same order, and the audit
chain verifies.

Ids are compared through natural keys (a case by its ledger number): on PostgreSQL the
sequences move on in the rolled-back first import.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.db import connection, transaction
from django.db.models import Model
from django.test.utils import CaptureQueriesContext

from huajie.audit.models import AuditEvent
from huajie.audit.services import audit_verify
from huajie.cases.models import (
    Notification,
    OriginalCase,
    PetitionCase,
    Petitioner,
    PetitionType,
    Visit,
)
from huajie.cases.transitions import Refused
from huajie.ledger.bulk import NewCaseBatch
from huajie.ledger.importing import import_sheet
from huajie.ledger.plan import Importer
from huajie.ledger.report import ImportReport
from tests.bench.sheet import bench_id
from tests.cases.world import World
from tests.ledger.sheets import VALID_ID, row, team_of, write_sheet

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2019, 10, 8, 10, 30, tzinfo=dt.UTC)
UNSTABLE = {"id", "hash", "prev_hash", "object_id", "case_id", "petitioncase_id", "petitioner_id"}


class _Undo(Exception):
    pass


def _fields(obj: Model) -> dict[str, Any]:
    return {
        f.attname: getattr(obj, f.attname)
        for f in obj._meta.concrete_fields
        if f.attname not in UNSTABLE
    }


def snapshot(since: dict[str, int]) -> dict[str, list[Any]]:
    """Every row the import wrote, ids replaced by the cases' ledger numbers."""
    cases = PetitionCase.objects.filter(pk__gt=since["case"]).order_by("ledger_no")
    number: dict[int | None, str] = dict(cases.values_list("pk", "ledger_no"))

    def rows(model: type[Model], key: str) -> list[Any]:
        found = model._default_manager.filter(pk__gt=since[key]).order_by("pk")
        return [(number.get(getattr(o, "case_id", None)), _fields(o)) for o in found]

    events = AuditEvent.objects.filter(pk__gt=since["event"]).order_by("pk")
    return {
        "cases": [_fields(c) for c in cases],
        "petitioners": sorted(
            (number[c.pk], tuple(sorted(_fields(p).items())))
            for c in cases
            for p in c.petitioners.all()
        ),
        "originals": sorted(map(repr, rows(OriginalCase, "original"))),
        "visits": sorted(map(repr, rows(Visit, "visit"))),
        "notifications": sorted(map(repr, rows(Notification, "notification"))),
        # In chain order: the same events in the same order, whatever their ids.
        "events": [
            (number.get(e.case_id), e.object_type == "cases.petitioncase", _fields(e))
            for e in events
        ],
        "petitioner_count": [Petitioner.objects.filter(pk__gt=since["petitioner"]).count()],
    }


def _marks() -> dict[str, int]:
    def last(model: type[Model]) -> int:
        return model._default_manager.order_by("-pk").values_list("pk", flat=True).first() or 0

    return {
        "case": last(PetitionCase),
        "petitioner": last(Petitioner),
        "original": last(OriginalCase),
        "visit": last(Visit),
        "notification": last(Notification),
        "event": last(AuditEvent),
    }


def import_both_ways(
    settings: Any, path: Path, importer: Importer
) -> tuple[dict[str, list[Any]], dict[str, list[Any]], ImportReport, ImportReport]:
    """(services, bulk, their reports): the services' import is rolled back afterwards."""
    marks = _marks()
    with time_machine.travel(NOW, tick=False):
        settings.HUAJIE_LEDGER_BULK = 0
        try:
            with transaction.atomic():
                by_services = import_sheet(path, importer, dry_run=False)
                reference = snapshot(marks)
                raise _Undo
        except _Undo:
            pass
        assert _marks() == marks
        settings.HUAJIE_LEDGER_BULK = 1
        in_bulk = import_sheet(path, importer, dry_run=False)
        return reference, snapshot(marks), by_services, in_bulk


def varied_rows(world: World) -> list[dict[str, Any]]:
    """New cases of every shape the import writes, and rows the bulk path leaves to the
    services (a known petitioner, one repeated in the sheet) in between."""
    team = team_of(world)
    rows = [
        row(信访人="甲", 身份证号=bench_id(1)),  # 谁办案 by the original case, generated number
        row(信访人="乙", 原审案号=None, 原审法官=None, 户籍地="山东省济南市历下区文化东路1号"),
        row(信访人="丙", 责任法院="市南法院", 台账编号="2019-0100"),
        row(信访人="丁、戊", 身份证号=f"{bench_id(2)}、{bench_id(3)}", **team),
        row(信访人="己", 原审案号=None, 原审法官=None, 户籍地="外省某地"),  # 待交办
        row(信访人="庚", 原审法官=world.lixia.judge.name, **team, 化解分类="解决、教育"),
        row(
            信访人="辛",
            身份证号=bench_id(4),
            **team,
            化解分类="依法处理",
            化解方式="口头承诺",
            化解时间=dt.date(2019, 6, 1),
        ),
        # A petitioner on record (the services update their phone):
        row(信访人="张三", 身份证号=VALID_ID, 联系电话="13900000000", 台账编号="2019-0300"),
        row(信访人="壬", 包案领导=team["包案领导"]),  # a part of the team
        row(信访人="甲", 身份证号=bench_id(1), 台账编号="2019-0200"),  # 甲 again: the services
        row(
            信访人="癸",
            原审案号="(2016)鲁0102民初77号、(2017)鲁01民终88号",
            原审法官="李四、王五",
        ),
    ]
    rows += [row(信访人=f"批量{i}", 身份证号=bench_id(100 + i)) for i in range(30)]
    return rows


@pytest.mark.parametrize("who", ["province_office", "command_line"])
def test_bulk_import_writes_what_the_services_write(
    world: World, settings: Any, tmp_path: Path, who: str
) -> None:
    from huajie.cases import services

    # A petitioner already on record (another case), whom a row of the sheet names again.
    services.case_create(
        actor=None,
        campaign=world.campaign,
        holding_court=world.tree.high,
        data=services.CaseInput(
            petition_type=PetitionType.BEIJING,
            petitioners=[services.PetitionerInput("张三", VALID_ID, "13800000000")],
            ledger_no="2019-0001",
        ),
    )
    path = write_sheet(tmp_path / "t.xlsx", varied_rows(world))
    importer = (
        Importer.for_user(world.province_office, world.campaign)
        if who == "province_office"
        else Importer.operator(world.campaign, world.tree.high)
    )
    reference, in_bulk, by_services, report = import_both_ways(settings, path, importer)

    assert [p.text() for p in by_services.errors] == []
    assert [p.text() for p in report.errors] == []
    assert report.counts == by_services.counts
    assert report.counts["create"] == 41
    for key in reference:
        assert in_bulk[key] == reference[key], (
            key,
            _first_differences(in_bulk[key], reference[key]),
        )
    assert len(reference["events"]) > 41 * 2  # created, allocated, teams, …
    assert audit_verify() is None
    assert [line.ledger_no for line in report.lines] == [
        line.ledger_no for line in by_services.lines
    ]


def test_the_bulk_path_sends_the_services_mails_once_the_import_commits(
    world: World, settings: Any, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    contact = world.lixia.office  # the petition contact's account
    contact.email = "contact@example.org"
    contact.save(update_fields=["email"])
    settings.HUAJIE_LEDGER_BULK = 1
    path = write_sheet(tmp_path / "t.xlsx", [row(信访人="甲", **team_of(world))])
    with django_capture_on_commit_callbacks(execute=True):
        report = import_sheet(
            path, Importer.for_user(world.lixia.office, world.campaign), dry_run=False
        )
    assert report.applied
    subjects = sorted(m.subject for m in mail.outbox if m.to == ["contact@example.org"])
    assert [s.split("：")[0] for s in subjects] == ["【化解】列入专班", "【化解】新交办"], subjects


def test_a_refused_bulk_step_is_a_problem_on_the_row_and_nothing_is_written(
    world: World, settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Should the replay refuse a step the planner let through, the row gets the refusal
    on that step's column, like a service's refusal, and the import writes nothing."""

    def refuse(_batch: NewCaseBatch, replay: Any, _now: dt.datetime) -> None:
        if replay.plan.classify is not None:
            raise Refused("测试用的拒绝。")

    monkeypatch.setattr(NewCaseBatch, "_classify", refuse)
    settings.HUAJIE_LEDGER_BULK = 1
    path = write_sheet(
        tmp_path / "t.xlsx",
        [row(信访人="甲"), row(信访人="乙", **team_of(world), 化解分类="解决")],
    )
    before = _marks()
    report = import_sheet(path, Importer.operator(world.campaign, world.tree.high), dry_run=False)
    assert not report.applied
    assert [(p.row, p.column, p.reason) for p in report.errors] == [(4, "化解分类", "测试用的拒绝")]
    assert _marks() == before
    assert [line.ledger_no for line in report.lines] == ["", ""]  # no generated number shown


def _first_differences(a: list[Any], b: list[Any]) -> str:
    """The first rows that differ, field by field, for the failure message."""
    lines = []
    for i, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            if isinstance(x, dict):
                lines.append(f"{i}: " + repr({k: (x[k], y.get(k)) for k in x if x[k] != y.get(k)}))
            else:
                lines.append(f"{i}: {x!r} != {y!r}")
    return "\n".join(lines[:5]) + f"\nlen {len(a)} vs {len(b)}"


def test_a_sheet_of_new_cases_never_asks_for_cases_by_their_numbers(
    world: World, settings: Any, tmp_path: Path
) -> None:
    """The campaign's ledger numbers are read once and kept in memory (ledger/numbers.py):
    the joined question for a row's case is asked only for a number that is taken."""
    settings.HUAJIE_LEDGER_BULK = 1
    rows = [row(信访人=f"新{i}", 台账编号=f"2019-9{i:03d}") for i in range(6)]
    path = write_sheet(tmp_path / "t.xlsx", rows)
    importer = Importer.operator(world.campaign, world.tree.high)
    with CaptureQueriesContext(connection) as queries:
        report = import_sheet(path, importer, dry_run=False)
    assert report.counts["create"] == 6
    joined = [q["sql"] for q in queries.captured_queries if "MIN(" in q["sql"].upper()]
    assert joined == []
    # Imported again, every number is taken: now the rows' cases are asked for, and found.
    with CaptureQueriesContext(connection) as queries:
        again = import_sheet(path, importer, dry_run=False)
    assert again.error_count == 0 and "create" not in again.counts
    assert any("MIN(" in q["sql"].upper() for q in queries.captured_queries)


def test_statistics_are_taken_again_once_the_rows_written_equal_those_known() -> None:
    """`FreshStatistics` (core/bulk.py): PostgreSQL analyses the table once the rows written
    since reach both the rows its statistics know of and the least; SQLite asks nothing."""
    from huajie.core.bulk import FreshStatistics

    fresh = FreshStatistics(Petitioner)
    fresh.wrote(0)
    known = fresh.known or 0
    fresh.least = known + 3
    for n in range(2):
        Petitioner.objects.create(name=f"甲{n}", id_number=bench_id(500 + n))
    with CaptureQueriesContext(connection) as queries:
        fresh.wrote(2)
    assert not any("ANALYZE" in q["sql"] for q in queries.captured_queries)
    Petitioner.objects.create(name="乙", id_number=bench_id(510))
    with CaptureQueriesContext(connection) as queries:
        fresh.wrote(1)
    analysed = [q["sql"] for q in queries.captured_queries if "ANALYZE" in q["sql"]]
    if connection.vendor == "postgresql":
        assert analysed == ['ANALYZE "cases_petitioner"']
        assert (fresh.known, fresh.written) == (known + 3, 0)
    else:
        assert fresh.known is None and queries.captured_queries == []
