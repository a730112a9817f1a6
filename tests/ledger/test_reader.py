"""Reading sheets as courts lay them out: headers by their words in any order, synonyms,
title and signature rows, headers merged over two rows, values merged over several rows,
formulas, row numbers as Excel shows them."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

from huajie.ledger import reader
from huajie.ledger.layout import COLUMNS
from huajie.ledger.reader import LedgerSheet, sheet_facts
from huajie.ledger.safety import SheetRefused

SYNONYMS = [(c.key, word) for c in COLUMNS for word in (c.header, *c.synonyms)]


def save(path: Path, rows: list[list[object]], merges: tuple[str, ...] = ()) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "任务台账"
    for values in rows:
        sheet.append(values)
    for merge in merges:
        sheet.merge_cells(merge)
    book.save(path)
    return path


def read(path: Path) -> tuple[LedgerSheet, list]:
    sheet = LedgerSheet(path)
    rows = list(sheet.rows())
    sheet.close()
    return sheet, rows


@pytest.mark.parametrize(("key", "word"), SYNONYMS, ids=[w for _k, w in SYNONYMS])
def test_every_header_word_and_synonym_finds_its_column(
    tmp_path: Path, key: str, word: str
) -> None:
    others = (
        ["信访人", "信访诉求", "备注"]
        if key not in ("petitioners", "claims", "remarks")
        else [
            "信访类型",
            "风险等级",
            "案由",
        ]
    )
    path = save(tmp_path / "s.xlsx", [[*others, word], ["甲", "乙", "丙", "值"]])
    sheet, rows = read(path)
    assert sheet.layout.columns[4].key == key
    assert rows[0].values[key] == "值"


def test_headers_in_any_order_under_a_title_and_above_a_signature(tmp_path: Path) -> None:
    path = save(
        tmp_path / "s.xlsx",
        [
            ["历下法院防范和化解涉诉信访案件任务台账"],
            ["填报单位：历下法院"],
            ["备注", "责任单位", "*信访人", "身份证号码（18位）", "序号"],
            ["无", "历下法院", "张三", "11010519491231002X", 1],
            [None, None, "李四", None, 2],
            [],
            ["制表人：王五", None, None, "分管领导：赵六"],
            ["填表日期：2019年5月6日"],
        ],
    )
    sheet, rows = read(path)
    assert [r.number for r in rows] == [4, 5]
    assert rows[0].values == {
        "remarks": "无",
        "court": "历下法院",
        "petitioners": "张三",
        "id_numbers": "11010519491231002X",
        "row": 1,
    }
    assert sheet.layout.header_last == 3
    assert sheet.layout.letter("petitioners") == "C"


def test_a_header_merged_over_two_rows(tmp_path: Path) -> None:
    path = save(
        tmp_path / "s.xlsx",
        [
            ["任务台账"],
            ["信访人", "身份证号", "原审情况", None, "包案情况", None],
            [None, None, "原审法院", "原审案号", "包案领导", "庭领导"],
            ["张三", "11010519491231002X", "历下法院", "(2017)鲁0102民初1号", "甲", "乙"],
        ],
        merges=("A2:A3", "B2:B3", "C2:D2", "E2:F2"),
    )
    sheet, rows = read(path)
    assert (sheet.layout.header_first, sheet.layout.header_last) == (2, 3)
    assert [c.key for _i, c in sorted(sheet.layout.columns.items())] == [
        "petitioners",
        "id_numbers",
        "original_courts",
        "original_numbers",
        "leader",
        "division_leader",
    ]
    assert [r.number for r in rows] == [4]
    assert rows[0].values["division_leader"] == "乙"


def test_a_value_merged_over_several_rows_fills_each_row(tmp_path: Path) -> None:
    path = save(
        tmp_path / "s.xlsx",
        [
            ["信访人", "责任法院", "信访诉求"],
            ["张三", "历下法院", "甲"],
            ["李四", None, "乙"],
            ["王五", None, "丙"],
            ["赵六", "市中法院", "丁"],
        ],
        merges=("B2:B4",),
    )
    _sheet, rows = read(path)
    assert [r.values.get("court") for r in rows] == ["历下法院"] * 3 + ["市中法院"]
    assert rows[1].anchors["court"] == (2, 2)
    assert "court" not in rows[0].anchors


def test_formulas_and_error_values_are_kept_apart_never_evaluated(tmp_path: Path) -> None:
    path = save(
        tmp_path / "s.xlsx",
        [["信访人", "信访次数", "备注"], ["张三", "=1+2", "#N/A"], ["李四", 3, "=HYPERLINK(1)"]],
    )
    book = openpyxl.load_workbook(path)
    book.active["C2"].data_type = "e"
    book.active["C3"].data_type = "s"  # text that merely starts with "=": stays text
    book.save(path)
    _sheet, rows = read(path)
    assert rows[0].formulas == {"visit_count": "=1+2"}
    assert rows[0].errors == {"remarks": "#N/A"}
    assert rows[1].values["remarks"] == "=HYPERLINK(1)" and not rows[1].formulas


def test_empty_rows_keep_the_row_numbers_excel_shows(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet["B3"], sheet["C3"], sheet["D3"] = "信访人", "身份证号", "信访诉求"
    sheet["B7"], sheet["D7"] = "张三", "甲"
    book.save(tmp_path / "s.xlsx")
    _sheet, rows = read(tmp_path / "s.xlsx")
    assert [r.number for r in rows] == [7]


def test_the_ledger_sheet_is_chosen_among_several(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.title = "说明"
    book.active.append(["填表说明"])
    ledger = book.create_sheet("任务台账")
    ledger.append(["信访人", "信访类型", "信访诉求"])
    ledger.append(["张三", "进京", "甲"])
    book.save(tmp_path / "s.xlsx")
    sheet, rows = read(tmp_path / "s.xlsx")
    assert sheet.title == "任务台账" and len(rows) == 1
    assert "说明" in sheet.notes[0]


def test_a_sheet_without_a_header_is_refused(tmp_path: Path) -> None:
    path = save(tmp_path / "s.xlsx", [["甲", "乙"], ["丙", "丁"]])
    with pytest.raises(SheetRefused, match="找不到表头"):
        LedgerSheet(path)


def test_the_raw_pass_finds_the_last_row_and_the_merges(tmp_path: Path) -> None:
    rows: list[list[object]] = [["信访人"]] + [[f"人{i}"] for i in range(3000)]
    path = save(tmp_path / "s.xlsx", rows, merges=("A2:A3", "B5:C9"))
    facts = sheet_facts(path, "xl/worksheets/sheet1.xml")
    assert facts.last_row == 3001
    assert {(m.min_col, m.min_row, m.max_col, m.max_row) for m in facts.merges} == {
        (1, 2, 1, 3),
        (2, 5, 3, 9),
    }


def _with_prefix(path: Path, prefix: bytes) -> Path:
    """The same workbook, its sheet's elements written with a namespace prefix (<x:row>), as
    some writers do; the sheet's columns are padded so <sheetData> comes after 1 MB."""
    prefixed = path.with_name(f"prefixed-{path.name}")
    member = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(prefixed, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == member:
                data = re.sub(rb"<(/?)([A-Za-z])", rb"<\1" + prefix + rb"\2", data)
                data = data.replace(b'xmlns="', b"xmlns:" + prefix[:-1] + b'="', 1)
                padding = b"".join(
                    b"<" + prefix + b'col min="%d" max="%d" width="9"/>' % (n, n)
                    for n in range(1, 40_000)
                )
                data = data.replace(
                    b"<" + prefix + b"sheetData", padding + b"<" + prefix + b"sheetData", 1
                )
            target.writestr(item, data)
    return prefixed


@pytest.mark.parametrize("prefix", [b"", b"x:"])
def test_the_raw_pass_reads_a_sheet_written_with_a_namespace_prefix(
    tmp_path: Path, prefix: bytes
) -> None:
    """The scan reads the prefix from <sheetData> and then looks for the literal tags."""
    rows: list[list[object]] = [["信访人", "信访次数"]] + [[f"人{i}", 1] for i in range(3000)]
    rows[1500][1] = "=1+2"
    path = _with_prefix(save(tmp_path / "s.xlsx", rows, merges=("B5:C9",)), prefix)
    facts = sheet_facts(path, "xl/worksheets/sheet1.xml")
    assert facts.last_row == 3001
    assert [(m.min_col, m.min_row, m.max_col, m.max_row) for m in facts.merges] == [(2, 5, 3, 9)]
    assert facts.has_formulas


def test_the_fast_reader_gives_the_parser_what_openpyxl_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sheets without formulas are read with python-calamine (issue #7: ten times faster);
    its values are made the same as openpyxl's: rows and columns where Excel shows them,
    whole numbers as int, dates as datetimes, merges filled down."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "任务台账"
    sheet["C1"] = "历下法院任务台账"
    header = ["信访人", "身份证号", "联系电话", "首次信访时间", "最近信访时间", "信访次数"]
    header += ["是否重大疑难", "备注", "责任法院"]
    for offset, text in enumerate(header):
        sheet.cell(row=3, column=3 + offset, value=text)
    values: list[list[object]] = [
        ["张三", "370102198001011234", 13800000000, dt.date(2018, 3, 1)],
        ["李四", 370102198001011234, "0531-1234", dt.datetime(2018, 3, 1, 9, 30)] + [None] * 4,  # noqa: DTZ001
        ["王五", None, 1.5, "2018-03-01", dt.time(10, 30), 3, True, "备注", None],
        ["赵六", "", -2, dt.date(1904, 1, 2), None, 3.0, False, " 空格 ", None],
    ]
    values[1].append("历下法院")  # merged down over the next two rows
    for row_offset, row in enumerate(values):
        for offset, value in enumerate(row):
            sheet.cell(row=5 + row_offset, column=3 + offset, value=value)
    sheet.merge_cells("K6:K8")
    path = tmp_path / "s.xlsx"
    book.save(path)

    def seen(rows: list) -> list[str]:  # repr: 3 == 3.0, but the parser tells them apart
        return [repr((r.number, r.values, r.anchors, r.formulas, r.errors)) for r in rows]

    fast_sheet, fast = read(path)
    assert not fast_sheet.facts.has_formulas
    real_facts = reader.sheet_facts
    monkeypatch.setattr(
        reader,
        "sheet_facts",
        lambda *args: dataclasses.replace(real_facts(*args), has_formulas=True),
    )
    _slow_sheet, slow = read(path)
    assert seen(fast) == seen(slow)
    assert [r.number for r in fast] == [5, 6, 7, 8]
    assert repr(fast[0].values["phones"]) == "13800000000"  # int, as openpyxl reads it
    assert isinstance(fast[1].values["id_numbers"], float)  # an ID typed as a number
    assert fast[3].values["court"] == "历下法院" and fast[3].anchors["court"] == (6, 11)


def test_a_sheet_with_a_formula_is_read_with_openpyxl(tmp_path: Path) -> None:
    path = save(tmp_path / "s.xlsx", [["信访人", "信访次数"], ["张三", "=1+2"]])
    assert sheet_facts(path, "xl/worksheets/sheet1.xml").has_formulas
    plain = save(tmp_path / "p.xlsx", [["信访人", "信访次数"], ["张三", "f=1"]])
    assert not sheet_facts(plain, "xl/worksheets/sheet1.xml").has_formulas


def test_a_drop_down_list_is_not_a_formula(tmp_path: Path) -> None:
    """Court templates carry data validations (a drop-down for 风险等级) whose <formula1>
    is not a cell formula: such a sheet is still read the fast way."""
    from openpyxl.worksheet.datavalidation import DataValidation

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["信访人", "风险等级"])
    sheet.append(["张三", "一般"])
    choice = DataValidation(type="list", formula1='"一般,较高,高"')
    sheet.add_data_validation(choice)
    choice.add("B2:B100")
    book.save(tmp_path / "s.xlsx")
    assert not sheet_facts(tmp_path / "s.xlsx", "xl/worksheets/sheet1.xml").has_formulas
