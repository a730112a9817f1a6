"""The marked copy: the person's own sheet with every refused cell filled red and an Excel
comment saying why and what to do, so they can fix it in Excel and import again.

Up to `conf.annotate_in_place_rows()` rows the workbook is opened whole and marked in place,
keeping its formatting, merged cells and other sheets. Beyond that it is streamed cell by
cell into a new workbook (values and the marks only), so memory stays flat. Either way a
sheet "导入问题" lists every problem. Only errors are marked; warnings are in the list.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill

from huajie.ledger import conf
from huajie.ledger.report import ImportReport, Problem

MARK = PatternFill(fill_type="solid", fgColor="FFFFC7CE")  # Excel's "bad" red
AUTHOR = "化解系统"
PROBLEM_SHEET = "导入问题"
Coordinate = tuple[int, int]


def marks_of(problems: list[Problem]) -> dict[Coordinate, str]:
    """The comment for each cell to mark: the errors located on it, one per line."""
    texts: dict[Coordinate, list[str]] = defaultdict(list)
    for problem in problems:
        if problem.is_error and problem.cell is not None:
            prefix = f"第{problem.row}行：" if problem.row is not None else ""
            texts[problem.cell].append(prefix + problem.message)
    return {cell: "\n".join(dict.fromkeys(lines)) for cell, lines in texts.items()}


def _comment(text: str) -> Comment:
    comment = Comment(text, AUTHOR)
    comment.width = 320
    comment.height = min(60 + 20 * text.count("\n") + len(text) // 2, 400)
    return comment


def write_marked_copy(source: Path, target: Path, report: ImportReport, rows: int) -> None:
    """Write the marked copy of `source` (whose sheet `report.sheet` was imported)."""
    marks = marks_of(report.problems)
    target.parent.mkdir(parents=True, exist_ok=True)
    if rows <= conf.annotate_in_place_rows():
        _mark_in_place(source, target, report, marks)
    else:
        _mark_streaming(source, target, report, marks)


def _mark_in_place(
    source: Path, target: Path, report: ImportReport, marks: dict[Coordinate, str]
) -> None:
    book = openpyxl.load_workbook(source)  # formulas stay formulas, text stays text
    sheet = book[report.sheet]
    for (row, column), text in marks.items():
        cell = sheet.cell(row=row, column=column)
        cell.fill = MARK
        cell.comment = _comment(text)
    _problem_list(book.create_sheet(PROBLEM_SHEET), report, write_only=False)
    book.save(target)


def _mark_streaming(
    source: Path, target: Path, report: ImportReport, marks: dict[Coordinate, str]
) -> None:
    reader = openpyxl.load_workbook(source, read_only=True)
    writer = openpyxl.Workbook(write_only=True)
    out = writer.create_sheet(report.sheet)
    try:
        for number, row in enumerate(reader[report.sheet].iter_rows(), start=1):
            out.append([_copy(out, cell, marks.get((number, i))) for i, cell in enumerate(row, 1)])
    finally:
        reader.close()
    _problem_list(writer.create_sheet(PROBLEM_SHEET), report, write_only=True)
    writer.save(target)


def _copy(sheet: Any, cell: Any, mark: str | None) -> Any:
    value = getattr(cell, "value", None)
    if mark is None and not (isinstance(value, str) and cell.data_type == "s"):
        return value
    copied = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str) and cell.data_type == "s":
        copied.data_type = "s"  # text that starts with "=" stays text
    if mark is not None:
        copied.fill = MARK
        copied.comment = _comment(mark)
    return copied


def _problem_list(sheet: Any, report: ImportReport, *, write_only: bool) -> None:
    """Every problem, errors first; all text written as text (never as a formula)."""
    rows: list[list[Any]] = [["类别", "行", "列", "单元格内容", "问题", "怎么改"]]
    for problem in sorted(report.problems, key=lambda p: (not p.is_error, p.row or 0)):
        kind = "错误" if problem.is_error else "提示"
        rows.append([kind, problem.row, problem.column, problem.value, problem.reason, problem.fix])
    for number, values in enumerate(rows, start=1):
        if write_only:
            cells = [WriteOnlyCell(sheet, value=v) for v in values]
            for cell in cells:
                _as_text(cell, bold=number == 1)
            sheet.append(cells)
            continue
        for column, value in enumerate(values, start=1):
            _as_text(sheet.cell(row=number, column=column, value=value), bold=number == 1)
    if not write_only:
        for letter, width in zip("ABCDEF", (6, 6, 14, 24, 50, 50), strict=True):
            sheet.column_dimensions[letter].width = width


def _as_text(cell: Any, *, bold: bool) -> None:
    if isinstance(cell.value, str):
        cell.data_type = "s"
    if bold:
        cell.font = Font(bold=True)
