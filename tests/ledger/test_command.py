"""`huajie ledger import|export` at the command line."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from huajie.audit.models import AuditEvent
from huajie.cases.models import CaseStatus, PetitionCase
from huajie.ledger.management.commands.ledger import Command
from tests.cases.world import World, case_in
from tests.ledger.helpers import counts
from tests.ledger.sheets import row, write_sheet

pytestmark = pytest.mark.django_db

PROVINCE = ("--province", "山东高院")  # the test tree has two provinces


def ledger(*args: str) -> str:
    out = io.StringIO()
    call_command("ledger", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_a_dry_run_prints_the_plan_and_changes_nothing(world: World, tmp_path: Path) -> None:
    path = write_sheet(tmp_path / "t.xlsx", [row(), row(信访人="李四", 责任法院="市南法院")])
    before = counts()
    out = ledger("import", str(path), "--campaign", "2019", "--dry-run", *PROVINCE)
    assert counts() == before
    assert "将新建 2 件" in out and "检查通过（试导入，系统中没有任何改动）" in out
    assert "第3行 （系统编号） 张三：新建。谁办案、谁负责" in out
    assert "人工指定（台账导入指定）" in out


def test_an_import_is_recorded_as_the_system_or_as_the_named_account(
    world: World, tmp_path: Path
) -> None:
    path = write_sheet(tmp_path / "t.xlsx", [row()])
    out = ledger("import", str(path), "--campaign", "2019", *PROVINCE)
    assert "已新建 1 件" in out and "导入完成" in out
    event = AuditEvent.objects.get(verb="ledger.import")
    assert event.actor is None and event.actor_name == "系统"
    other = write_sheet(tmp_path / "u.xlsx", [row(信访人="李四")])
    ledger("import", str(other), "--campaign", "2019", "--as", world.lixia.office.username)
    case = PetitionCase.objects.get(petitioners__name="李四")
    assert case.court == world.tree.lixia  # held by the office's court, allocated by the rule
    assert AuditEvent.objects.filter(case_id=case.pk, actor=world.lixia.office).exists()


def test_a_refused_sheet_fails_with_every_problem_and_a_marked_copy(
    world: World, tmp_path: Path
) -> None:
    path = write_sheet(
        tmp_path / "t.xlsx", [row(身份证号="110105194912310021"), row(风险等级="极高")]
    )
    before = counts()
    out = io.StringIO()
    with pytest.raises(CommandError, match="台账未导入：发现 2 个错误"):
        call_command("ledger", "import", str(path), "--campaign", "2019", *PROVINCE, stdout=out)
    assert counts() == before
    text = out.getvalue()
    assert "第3行“身份证号”列" in text and "第4行“风险等级”列" in text
    copy = tmp_path / "t.问题标注.xlsx"
    assert copy.exists() and str(copy) in text
    assert "导入问题" in openpyxl.load_workbook(copy).sheetnames


def test_the_exit_status_is_not_zero_when_refused(world: World, tmp_path: Path) -> None:
    path = tmp_path / "x.xlsx"
    path.write_bytes(b"not a sheet")
    with pytest.raises(SystemExit) as exited:
        Command().run_from_argv(
            ["huajie", "ledger", "import", str(path), "--campaign", "2019", *PROVINCE]
        )
    assert exited.value.code == 1


def test_an_account_without_the_right_cannot_import(world: World, tmp_path: Path) -> None:
    path = write_sheet(tmp_path / "t.xlsx", [row()])
    with pytest.raises(CommandError, match="没有导入任务台账的权限"):
        ledger("import", str(path), "--campaign", "2019", "--as", world.lixia.judge_user.username)


def test_export_by_court_with_or_without_subordinates(world: World, tmp_path: Path) -> None:
    case_in(world, CaseStatus.IN_RESOLUTION, ledger_no="2019-0001", id_number="11010519491231002X")
    path = tmp_path / "jinan.xlsx"
    assert "已导出 0 件" in ledger("export", str(path), "--court", "济南中院")
    assert "已导出 1 件" in ledger(
        "export", str(path), "--court", "济南中院", "--with-subordinates"
    )
    rows = list(openpyxl.load_workbook(path).active.iter_rows(values_only=True))
    assert world.tree.jinan.short_name in rows[0][0]
    assert rows[2][1] == "2019-0001" and rows[2][3] == "11010519491231002X"  # in full
    masked = tmp_path / "masked.xlsx"
    ledger("export", str(masked), "--as", world.lixia.judge_user.username)
    rows = list(openpyxl.load_workbook(masked).active.iter_rows(values_only=True))
    assert rows[2][3] == "110105********002X"
    with pytest.raises(CommandError, match="找不到法院"):
        ledger("export", str(path), "--court", "火星法院")
