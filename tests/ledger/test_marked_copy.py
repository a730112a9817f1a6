"""The marked copy of a refused sheet: fills and comments on exactly the bad cells."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest

from huajie.ledger.annotate import PROBLEM_SHEET, write_marked_copy
from tests.cases.world import World
from tests.ledger.helpers import run
from tests.ledger.sheets import row, write_sheet

pytestmark = pytest.mark.django_db


def marked_cells(path: Path) -> dict[str, str]:
    sheet = openpyxl.load_workbook(path)["任务台账"]
    return {
        cell.coordinate: cell.comment.text if cell.comment else ""
        for line in sheet.iter_rows()
        for cell in line
        if cell.fill.fill_type == "solid" or cell.comment
    }


@pytest.mark.parametrize("in_place", [True, False], ids=["in place", "streamed"])
def test_the_copy_marks_exactly_the_bad_cells(
    world: World, tmp_path: Path, settings: Any, in_place: bool
) -> None:
    settings.HUAJIE_LEDGER_ANNOTATE_IN_PLACE_ROWS = 1000 if in_place else 0
    path = write_sheet(
        tmp_path / "t.xlsx",
        [
            row(信访人="甲", 身份证号="110105194912310021"),  # D3: check digit
            row(信访人="乙", 风险等级="极高", 备注="=HYPERLINK(1)"),  # the risk cell of row 4
            row(信访人="丙"),  # fine
        ],
        signature=True,
    )
    book = openpyxl.load_workbook(path)
    headers = [c.value for c in book.active[2]]
    remarks = openpyxl.utils.get_column_letter(headers.index("备注") + 1)
    book.active[f"{remarks}4"].data_type = "s"  # text starting with "=", not a formula
    book.save(path)
    report = run(path, world.province_office, world.campaign)
    assert report.refused
    copy = tmp_path / "marked.xlsx"
    write_marked_copy(path, copy, report, rows=report.rows_read)
    marks = marked_cells(copy)
    risk = openpyxl.utils.get_column_letter(headers.index("风险等级") + 1)
    ids = openpyxl.utils.get_column_letter(headers.index("身份证号") + 1)
    assert set(marks) == {f"{ids}3", f"{risk}4"}
    assert "校验位" in marks[f"{ids}3"] and "第3行" in marks[f"{ids}3"]
    assert "风险等级" in marks[f"{risk}4"] and "请填写一般、较高、高" in marks[f"{risk}4"]
    copied = openpyxl.load_workbook(copy)
    text_cell = copied["任务台账"][f"{remarks}4"]
    assert text_cell.value == "=HYPERLINK(1)" and text_cell.data_type == "s"
    problems = list(copied[PROBLEM_SHEET].iter_rows(values_only=True))
    assert problems[0][:3] == ("类别", "行", "列")
    assert {p[1] for p in problems[1:] if p[0] == "错误"} == {3, 4}


def test_a_value_merged_over_rows_is_marked_once_on_its_merged_cell(
    world: World, tmp_path: Path
) -> None:
    path = write_sheet(
        tmp_path / "t.xlsx",
        [row(信访人="甲", 责任法院="火星法院"), row(信访人="乙"), row(信访人="丙")],
    )
    book = openpyxl.load_workbook(path)
    headers = [c.value for c in book.active[2]]
    column = openpyxl.utils.get_column_letter(headers.index("责任法院") + 1)
    book.active.merge_cells(f"{column}3:{column}4")
    book.save(path)
    report = run(path, world.province_office, world.campaign)
    assert [p.row for p in report.errors] == [3, 4]
    copy = tmp_path / "marked.xlsx"
    write_marked_copy(path, copy, report, rows=3)
    marks = marked_cells(copy)
    assert list(marks) == [f"{column}3"]
    assert "第3行" in marks[f"{column}3"] and "第4行" in marks[f"{column}3"]
