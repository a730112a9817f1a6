"""Importing the ledger: what a sheet creates and changes, always through the services;
the dry run; the allocation rule of each new case; idempotence; the round trip."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import openpyxl
import pytest

from huajie.accounts.policy import scope_filter
from huajie.audit.models import AuditEvent
from huajie.cases import search
from huajie.cases.models import (
    AllocationRule,
    CaseStatus,
    PetitionCase,
    Petitioner,
    PetitionType,
    RiskLevel,
)
from huajie.core import clock
from huajie.ledger.export import write_ledger
from tests.cases.world import World, case_in
from tests.ledger.helpers import counts, run, texts
from tests.ledger.sheets import VALID_ID, id_number, row, team_of, write_sheet

pytestmark = pytest.mark.django_db


def test_the_dry_run_lists_each_new_case_with_its_allocation_rule_and_changes_nothing(
    world: World, tmp_path: Path
) -> None:
    path = write_sheet(
        tmp_path / "t.xlsx",
        [
            row(信访人="甲"),  # the original case was the 历下 court's: 谁办案
            row(信访人="乙", 原审案号=None, 原审法官=None, 户籍地="山东省济南市历下区文化东路1号"),
            row(信访人="丙", 责任法院="市南法院"),
            row(信访人="丁", 原审案号=None, 原审法官=None, 户籍地="北京市朝阳区"),
        ],
    )
    before = counts()
    report = run(path, world.province_office, world.campaign, dry_run=True)
    assert counts() == before
    assert not report.errors, texts(report)
    rules = [(line.petitioner, line.action, line.rule, line.court) for line in report.lines]
    lixia, shinan = world.tree.lixia.short_name, world.tree.shinan.short_name
    assert rules == [
        ("甲", "create", "谁办案、谁负责", lixia),
        ("乙", "create", "属地管理", lixia),
        ("丙", "create", "人工指定（台账导入指定）", shinan),
        ("丁", "create", "待人工指定", ""),
    ]
    assert "(2017)鲁0102民初1234号" in report.lines[0].allocation
    assert report.allocation == {
        "谁办案、谁负责": 1,
        "属地管理": 1,
        "人工指定（台账导入指定）": 1,
        "待人工指定": 1,
    }
    assert any("待交办" in t for t in texts(report, errors=False))
    assert "将新建 4 件" in "".join(report.summary_lines())


def test_the_import_creates_cases_through_the_services(world: World, tmp_path: Path) -> None:
    today = clock.today()
    path = write_sheet(
        tmp_path / "t.xlsx",
        [
            row(
                台账编号="2019-0101",
                身份证号=VALID_ID,
                联系电话="13812345678",
                责任法院="历下法院",
                化解分类="解决、救助",
                化解方式="口头承诺",
                化解时间=today,
                风险等级="越级访风险",
                **team_of(world),
            ),
        ],
    )
    report = run(path, world.province_office, world.campaign)
    assert report.applied and not report.errors, texts(report)
    case = PetitionCase.objects.get(ledger_no="2019-0101")
    assert case.court == world.tree.lixia
    assert case.allocation_rule == AllocationRule.MANUAL
    assert case.allocation_reason == "台账导入指定"
    assert case.status == CaseStatus.OBSERVATION and case.promise_on == today
    assert case.leader == world.lixia.leader and case.petition_contact == world.lixia.contact
    assert (case.cls_solve, case.cls_educate, case.cls_aid) == (True, False, True)
    assert case.risk_level == RiskLevel.ELEVATED
    petitioner = case.petitioners.get()
    assert (petitioner.id_number, petitioner.phone) == (VALID_ID, "13812345678")
    visits = list(case.visits.order_by("visited_on", "pk").values_list("visited_on", flat=True))
    assert visits == [dt.date(2018, 3, 1), dt.date(2018, 3, 1), dt.date(2018, 12, 1)]
    verbs = set(AuditEvent.objects.filter(case_id=case.pk).values_list("verb", flat=True))
    assert {"case.create", "case.allocate", "case.team", "case.classify"} <= verbs
    assert (
        AuditEvent.objects.filter(case_id=case.pk).exclude(actor=world.province_office).count() == 0
    )
    assert AuditEvent.objects.filter(verb="ledger.import").count() == 1


def test_importing_the_same_sheet_twice_changes_nothing_the_second_time(
    world: World, tmp_path: Path
) -> None:
    path = write_sheet(
        tmp_path / "t.xlsx",
        [
            row(台账编号="2019-0201", 责任法院="历下法院", 化解分类="教育", **team_of(world)),
            row(信访人="无编号有证号", 身份证号=id_number("37010219800101123")),
            row(信访人="无编号无证号", 原审案号="(2016)鲁0102民初9号"),
            row(信访人="只有诉求", 原审案号=None, 原审法官=None, 信访诉求="只此一件"),
        ],
    )
    first = run(path, world.province_office, world.campaign)
    assert first.applied and first.counts["create"] == 4, texts(first)
    before = counts()
    second = run(path, world.province_office, world.campaign)
    assert counts() == before
    assert second.counts == {"unchanged": 4}
    assert "没有需要导入的改动" in "".join(second.summary_lines())


def _all_statuses(world: World) -> list[PetitionCase]:
    cases = []
    for index, status in enumerate(CaseStatus):
        number = id_number(f"37010219800101{index:03d}")
        ledger_no = f"2019-09{index:02d}"
        cases.append(
            case_in(world, status, ledger_no=ledger_no, id_number=number, phone="13900001111")
        )
    services_world_extras(world, cases)
    return cases


def services_world_extras(world: World, cases: list[PetitionCase]) -> None:
    """Classification, a second petitioner and a second original case on some cases."""
    from huajie.cases import services

    in_resolution = next(c for c in cases if c.status == CaseStatus.IN_RESOLUTION)
    services.case_classify(
        actor=world.lixia.office,
        case=in_resolution,
        solve=True,
        educate=False,
        aid=True,
        lawful=False,
    )
    services.original_case_add(
        actor=world.lixia.office,
        case=in_resolution,
        data=services.OriginalCaseInput(number="(2018)鲁01民终77号", trial_judge_name="周九"),
    )
    in_resolution.petitioners.add(Petitioner.objects.create(name="妻子", domicile="济南市历下区"))
    search.refresh(in_resolution)  # a second petitioner added by hand, as no service does


def _export(world: World, user: object, tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    cases = scope_filter(user, PetitionCase.objects.all())  # type: ignore[arg-type]
    write_ledger(cases, user, path, "任务台账")  # type: ignore[arg-type]
    return path


def test_export_then_import_is_a_round_trip_in_every_status(world: World, tmp_path: Path) -> None:
    _all_statuses(world)
    path = _export(world, world.province_office, tmp_path, "all.xlsx")
    before = counts()
    report = run(path, world.province_office, world.campaign)
    assert not report.errors, texts(report)
    assert not report.warnings, texts(report, errors=False)
    assert report.counts == {"unchanged": len(CaseStatus)}
    assert counts() == before


def test_a_sheet_exported_with_masked_numbers_imports_as_unchanged(
    world: World, tmp_path: Path
) -> None:
    _all_statuses(world)
    path = _export(world, world.lixia.judge_user, tmp_path, "masked.xlsx")
    sheet = openpyxl.load_workbook(path).active
    masked = [r[3] for r in sheet.iter_rows(min_row=3, values_only=True)]
    assert masked and all("********" in str(m) for m in masked if m)
    before = counts()
    report = run(path, world.lixia.office, world.campaign)
    assert not report.errors and not report.warnings, texts(report) + texts(report, False)
    assert report.counts["unchanged"] == len(masked)
    assert counts() == before


def test_short_and_full_court_names_resolve(world: World, tmp_path: Path) -> None:
    names = {
        "历下法院": world.tree.lixia,
        "历下区人民法院": world.tree.lixia,
        "山东省济南市历下区人民法院": world.tree.lixia,
        "济南中院": world.tree.jinan,
        "济南市中级人民法院": world.tree.jinan,
        "市中法院": world.tree.shizhong,
        "济南市中法院": world.tree.shizhong,
        "省法院": world.tree.high,
        "山东高院": world.tree.high,
    }
    rows = [
        row(台账编号=f"2019-03{i:02d}", 信访人=f"人{i}", 责任法院=name, 原审法院="历下法院")
        for i, name in enumerate(names)
    ]
    report = run(write_sheet(tmp_path / "t.xlsx", rows), world.province_office, world.campaign)
    assert report.applied, texts(report)
    for i, court in enumerate(names.values()):
        assert PetitionCase.objects.get(ledger_no=f"2019-03{i:02d}").court == court


def test_a_15_digit_id_number_is_upgraded(world: World, tmp_path: Path) -> None:
    path = write_sheet(tmp_path / "t.xlsx", [row(身份证号="110105491231002")])
    assert run(path, world.province_office, world.campaign).applied
    assert Petitioner.objects.get(name="张三").id_number == VALID_ID


def test_several_values_in_one_cell(world: World, tmp_path: Path) -> None:
    second = id_number("37010219800101123")
    path = write_sheet(
        tmp_path / "t.xlsx",
        [
            row(
                信访人="张三、李四",
                身份证号=f"{VALID_ID}；{second}",
                联系电话="13812345678\n无",
                户籍地="山东省济南市历下区文化东路1号",
                原审案号="(2017)鲁0102民初1234号，(2018)鲁01民终55号",
                原审法官="李四;王五",
                化解分类="解决，教育\n依法处理",
            )
        ],
    )
    report = run(path, world.province_office, world.campaign)
    assert report.applied, texts(report)
    case = PetitionCase.objects.get()
    people = {p.name: p for p in case.petitioners.all()}
    assert people["张三"].id_number == VALID_ID and people["李四"].id_number == second
    assert people["张三"].phone == "13812345678" and people["李四"].phone == ""
    assert people["李四"].domicile == "山东省济南市历下区文化东路1号"  # one address for both
    judges = dict(case.original_cases.values_list("number", "trial_judge_name"))
    assert judges == {"(2017)鲁0102民初1234号": "李四", "(2018)鲁01民终55号": "王五"}
    assert case.court == world.tree.jinan  # 谁办案: the latest original case, the appeal
    assert (case.cls_solve, case.cls_educate, case.cls_lawful) == (True, True, True)


@pytest.mark.parametrize(
    ("first", "last"),
    [
        ("2018-03-01", "2018/12/1"),
        ("2018.3.1", "2018年12月1日"),
        (43160, 43435.0),  # Excel serials, as numbers and as calamine's floats
        (dt.datetime(2018, 3, 1), dt.datetime(2018, 12, 1)),  # noqa: DTZ001 (Excel: naive)
    ],
)
def test_visit_dates_in_every_form(
    world: World, tmp_path: Path, first: object, last: object
) -> None:
    path = write_sheet(
        tmp_path / "t.xlsx", [row(首次信访时间=first, 最近信访时间=last, 信访次数=2)]
    )
    assert run(path, world.province_office, world.campaign).applied
    days = sorted(PetitionCase.objects.get().visits.values_list("visited_on", flat=True))
    assert days == [dt.date(2018, 3, 1), dt.date(2018, 12, 1)]


def test_a_court_office_imports_for_its_own_court_only(world: World, tmp_path: Path) -> None:
    path = write_sheet(
        tmp_path / "t.xlsx",
        [
            row(信访人="本院"),  # 谁办案 → 历下法院
            row(信访人="他院", 责任法院="市南法院"),
            row(信访人="中院案", 原审案号="(2018)鲁01民终55号"),
        ],
    )
    before = counts()
    report = run(path, world.lixia.office, world.campaign)
    assert counts() == before
    assert [line.action for line in report.lines] == ["create", "refused", "refused"]
    assert any("不在您的导入范围内" in t for t in texts(report))
    ok = write_sheet(tmp_path / "ok.xlsx", [row(信访人="本院")])
    assert run(ok, world.lixia.office, world.campaign).applied
    case = PetitionCase.objects.get()
    assert case.court == world.tree.lixia and case.allocation_rule == AllocationRule.WHO_HANDLED


def test_changes_to_an_existing_case_go_through_the_services(world: World, tmp_path: Path) -> None:
    case = case_in(world, CaseStatus.ALLOCATED, ledger_no="2019-0500")
    path = write_sheet(
        tmp_path / "t.xlsx",
        [
            {
                "台账编号": "2019-0500",
                "信访诉求": "要求赔偿损失",
                "信访类型": "进京及赴省",
                "问题环节": "执行",
                "原审案号": "(2017)鲁0102民初1234号、(2019)鲁0102执9号",
                **team_of(world),
            }
        ],
        headers=["台账编号", "信访诉求", "信访类型", "问题环节", "原审案号", *team_of(world)],
    )
    dry = run(path, world.lixia.office, world.campaign, dry_run=True)
    assert dry.lines[0].action == "update" and not dry.errors, texts(dry)
    assert any("信访诉求：要求重新审理→要求赔偿损失" in c for c in dry.lines[0].changes)
    report = run(path, world.lixia.office, world.campaign)
    assert report.applied, texts(report)
    case.refresh_from_db()
    assert case.claims == "要求赔偿损失" and case.petition_type == PetitionType.BOTH
    assert case.source_stage == "enforcement"
    assert case.status == CaseStatus.IN_RESOLUTION  # the team is complete
    assert case.original_cases.count() == 2
    verbs = list(AuditEvent.objects.filter(case_id=case.pk).values_list("verb", flat=True))
    assert {"case.update", "case.team", "case.original_case_add", "case.team_complete"} <= set(
        verbs
    )


def test_resolution_states_that_need_evidence_are_reported_not_imported(
    world: World, tmp_path: Path
) -> None:
    case = case_in(world, CaseStatus.IN_RESOLUTION, ledger_no="2019-0600")
    path = write_sheet(
        tmp_path / "t.xlsx",
        [
            {
                "台账编号": "2019-0600",
                "化解方式": "书面承诺",
                "验收状态": "已验收",
                "化解进展": "已验收",
            }
        ],
        headers=["台账编号", "化解方式", "验收状态", "化解进展"],
    )
    before = counts()
    report = run(path, world.lixia.office, world.campaign)
    assert report.applied and not report.errors
    assert counts() == before
    warnings = "".join(texts(report, errors=False))
    assert "书面承诺须在系统中上传" in warnings
    assert "验收须由上级法院在系统中办理，已忽略此列" in warnings
    assert "案件状态由系统按办理情况确定" in warnings
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_RESOLUTION


def test_an_oral_promise_on_an_existing_case(world: World, tmp_path: Path) -> None:
    case = case_in(world, CaseStatus.IN_RESOLUTION, ledger_no="2019-0700")
    today = clock.today()
    path = write_sheet(
        tmp_path / "t.xlsx",
        [{"台账编号": "2019-0700", "化解方式": "口头承诺", "化解时间": today.isoformat()}],
        headers=["台账编号", "化解方式", "化解时间"],
    )
    report = run(path, world.lixia.office, world.campaign)
    assert report.counts["update"] == 1, texts(report)
    case.refresh_from_db()
    assert case.status == CaseStatus.OBSERVATION and case.promise_on == today
    again = run(path, world.lixia.office, world.campaign)
    assert again.counts == {"unchanged": 1}


def test_the_export_command_round_trips_into_the_import_command(
    world: World, tmp_path: Path
) -> None:
    from django.core.management import call_command

    _all_statuses(world)
    path = tmp_path / "cli.xlsx"
    out = io.StringIO()
    call_command("ledger", "export", str(path), "--campaign", "2019", stdout=out)
    assert f"已导出 {len(CaseStatus)} 件" in out.getvalue()
    before = counts()
    out = io.StringIO()
    call_command(
        "ledger", "import", str(path), "--campaign", "2019", "--province", "山东高院", stdout=out
    )
    assert "没有需要导入的改动" in out.getvalue()
    assert counts() == before
