"""Streaming an .xlsx ledger sheet into rows keyed by column, as courts lay sheets out.

openpyxl's read-only mode streams the cells (memory stays flat for 100,000 rows) and, unlike
python-calamine, says which cells are formulas, which the import must refuse rather than
trust a cached result. Read-only mode does not expose merged ranges, so one extra pass over
the worksheet XML (decompressed in chunks, never held whole) collects `<mergeCell>` ranges
and the last row number: merges are needed to read a header merged over two rows and to
fill a value merged over several data rows (one 责任法院 for a block of cases) down to each
row, and the row count lets a sheet over the row limit be refused before it is parsed.

The header is found by its words (any order, synonyms from `layout.COLUMNS`); anything above
it (a title row) is ignored, and a signature row below the data (制表人, 分管领导, 填表日期 …)
is skipped.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

import openpyxl
from openpyxl.reader.excel import ExcelReader
from openpyxl.utils.cell import get_column_letter, range_boundaries
from python_calamine import CalamineSheet, CalamineWorkbook

from huajie.ledger import conf
from huajie.ledger.layout import COLUMNS, Column
from huajie.ledger.safety import SheetRefused
from huajie.ledger.values import nfkc, normalize_header, text_of

HEADER_SEARCH_ROWS = 30
MIN_HEADER_MATCHES = 3
IDENTIFYING = {"ledger_no", "petitioners"}
SHEET_NAMES = ("任务台账", "台账")
SIGNATURE_WORDS = (
    "制表人",
    "制表",
    "填表人",
    "填报人",
    "审核人",
    "分管领导",
    "单位负责人",
    "负责人",
    "填表日期",
    "制表日期",
    "填报日期",
    "报送日期",
    "填报单位",
    "合计",
    "总计",
    "小计",
)

HEADER_KEYS: dict[str, Column] = {}
for _column in COLUMNS:
    for _word in (_column.header, *_column.synonyms):
        _key = normalize_header(_word)
        if _key in HEADER_KEYS and HEADER_KEYS[_key] is not _column:
            raise ValueError(f"ledger header {_word!r} names two columns")
        HEADER_KEYS[_key] = _column


Coordinate = tuple[int, int]  # (row, column), 1-based as Excel counts


@dataclass(frozen=True)
class Merge:
    min_col: int
    min_row: int
    max_col: int
    max_row: int


@dataclass(frozen=True)
class SheetFacts:
    """What one raw pass over the worksheet XML tells: the last row, the merged ranges, and
    whether any cell holds a formula or an error value."""

    last_row: int
    merges: tuple[Merge, ...]
    has_formulas: bool = False


# The sheet's elements carry one namespace prefix, usually none (<row>, or <x:row> from some
# writers): it is read from the <sheetData> tag, and the scans search for the literal tag,
# which is several times faster than allowing any prefix at every "<" of a 150 MB sheet.
_SHEET_DATA = re.compile(rb"<(\w+:)?sheetData\b")


@dataclass(frozen=True)
class _Tags:
    """The scans of `sheet_facts` for one namespace prefix."""

    row: re.Pattern[bytes]
    merge: re.Pattern[bytes]
    formula_start: bytes
    formulas: tuple[bytes, ...]

    @classmethod
    def prefixed(cls, prefix: bytes) -> _Tags:
        p = re.escape(prefix)
        return cls(
            row=re.compile(rb"<" + p + rb'row\b[^>]*?\br="([0-9]+)"'),
            merge=re.compile(rb"<" + p + rb'mergeCell\b[^>]*?\bref="([A-Z]+[0-9]+:[A-Z]+[0-9]+)"'),
            formula_start=b"<" + prefix + b"f",
            # <f>, <f t="shared" …/>, <f/>; <formula1> of a data validation (a template's
            # drop-down list) does not match.
            formulas=tuple(b"<" + prefix + b"f" + end for end in (b">", b" ", b"/>")),
        )

    def has_formula_or_error(self, buffer: bytes) -> bool:
        """A cell's formula element, or an error value (t="e"): plain substring tests, as
        fast as memchr; the precise ones only where an element starts with "f"."""
        if self.formula_start in buffer and any(t in buffer for t in self.formulas):
            return True
        return b't="e"' in buffer


_CHUNK = 1024 * 1024
_OVERLAP = 1024  # longer than any <row …> or <mergeCell …> tag


def sheet_facts(path: Path, member: str) -> SheetFacts:
    """Scan the worksheet XML in chunks for row numbers and merged ranges (streaming)."""
    last_row = 0
    refs: list[bytes] = []
    formulas = False
    tags: _Tags | None = None
    with zipfile.ZipFile(path) as archive, archive.open(member) as stream:
        tail = b""
        while True:
            chunk = stream.read(_CHUNK)
            buffer = tail + chunk
            if tags is None:
                found = _SHEET_DATA.search(buffer)
                if found is None and chunk:
                    tail = buffer[-_OVERLAP:]  # <sheetData> not yet reached (many columns)
                    continue
                tags = _Tags.prefixed((found.group(1) or b"") if found else b"")
            cut = len(buffer) if not chunk else max(len(buffer) - _OVERLAP, 0)
            # A tag in the overlap is seen twice (the maximum and the set of ranges do not
            # mind), and one cut short cannot match (its closing quote is missing); so the
            # scan is a C-level findall, not a Python loop over 100,000 rows.
            numbers = tags.row.findall(buffer)
            if numbers:
                last_row = max(last_row, max(map(int, numbers)))
            refs.extend(tags.merge.findall(buffer))
            formulas = formulas or tags.has_formula_or_error(buffer)
            tail = buffer[cut:]
            if not chunk:
                break
    merges = []
    for ref in dict.fromkeys(refs):
        min_col, min_row, max_col, max_row = range_boundaries(ref.decode())
        merges.append(Merge(min_col, min_row, max_col, max_row))
    return SheetFacts(last_row, tuple(merges), formulas)


@dataclass
class Layout:
    """Where the header is and which column holds what."""

    header_first: int
    header_last: int
    columns: dict[int, Column]  # sheet column (1-based) → ledger column
    header_cells: dict[str, Coordinate]  # ledger column key → its header cell
    unknown: list[tuple[int, str]]  # (sheet column, header text) not recognised
    duplicates: list[tuple[Column, list[int]]]  # a ledger column found more than once

    def letter(self, key: str) -> str:
        coordinate = self.header_cells.get(key)
        return get_column_letter(coordinate[1]) if coordinate else ""


@dataclass
class RawRow:
    """One data row as read: raw cell values by ledger column key, with what was odd."""

    number: int  # the row number Excel shows
    values: dict[str, Any] = field(default_factory=dict)
    formulas: dict[str, str] = field(default_factory=dict)  # key → the formula text
    errors: dict[str, str] = field(default_factory=dict)  # key → an error value like #N/A
    anchors: dict[str, Coordinate] = field(default_factory=dict)  # filled from a merge

    def cell(self, key: str, layout: Layout) -> Coordinate:
        """The cell to mark for `key`: the merge's top-left cell when the value came from one."""
        if key in self.anchors:
            return self.anchors[key]
        coordinate = layout.header_cells.get(key)
        return (self.number, coordinate[1] if coordinate else 1)

    @property
    def is_empty(self) -> bool:
        has_value = any(text_of(v) for v in self.values.values())
        return not has_value and not self.formulas and not self.errors


Cells = dict[int, Any]  # column → cell (openpyxl read-only cell, or a _Value)


class _Value:
    """A cell read by python-calamine, shaped like openpyxl's read-only cell."""

    __slots__ = ("value",)
    data_type = "n"  # never a formula or an error: such sheets are read with openpyxl

    def __init__(self, value: Any) -> None:
        self.value = value


def _as_openpyxl(value: Any) -> Any:
    """python-calamine's value as openpyxl gives it, so that both readers give the parser
    the same: whole numbers as int (Excel writes those below 1e15 without a point or an
    exponent, which openpyxl reads as int), a date as a datetime at midnight."""
    if isinstance(value, float):
        return int(value) if value.is_integer() and abs(value) < 1e15 else value
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day)  # noqa: DTZ001 (naive, as openpyxl)
    return value


def _worksheets(path: Path) -> tuple[list[tuple[str, str]], dt.datetime]:
    """The workbook's worksheets as (title, zip member) and its date system, from the
    workbook part alone: openpyxl's load_workbook reads every worksheet's XML to its end
    when the sheet has no <dimension> element, as streamed files (our own exports too) do."""
    reader = ExcelReader(str(path), read_only=True, keep_links=False)
    try:
        reader.read_manifest()
        reader.read_workbook()
        sheets = [
            (sheet.name, str(rel.target).lstrip("/"))
            for sheet, rel in reader.parser.find_sheets()
            if str(rel.Type).endswith("/worksheet")
        ]
        return sheets, reader.wb.epoch
    finally:
        reader.archive.close()


def _calamine_rows(sheet: CalamineSheet) -> Iterator[tuple[int, Cells]]:
    """The sheet's rows through python-calamine (Rust), about ten times faster than
    openpyxl's streaming reader. It holds the sheet's values in memory (about 2 MB per
    1,000 rows of a ledger), within the import's budget up to the row limit."""
    first_column = sheet.start[1] + 1 if sheet.start else 1  # rows start at row 1 already
    for number, values in enumerate(sheet.iter_rows(), start=1):
        yield (
            number,
            {
                index: _Value(_as_openpyxl(value))
                for index, value in enumerate(values, start=first_column)
                if value is not None and value != ""
            },
        )


class LedgerSheet:
    """An opened ledger workbook: its layout, sheet-level notes, and its data rows."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.notes: list[str] = []  # sheet-level warnings, in Chinese
        self._book: Any = None  # openpyxl's workbook, opened only for a sheet with formulas
        try:
            sheets, self.epoch = _worksheets(path)
            self.title, member = self._choose_sheet(sheets)
            self.facts = sheet_facts(path, member)
            if self.facts.has_formulas:
                self._book = openpyxl.load_workbook(
                    path, read_only=True, data_only=False, keep_links=False
                )
                self._values: Any = self._book[self.title]
            else:
                self._values = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(self.title)
        except SheetRefused:
            raise
        except Exception:  # openpyxl and python-calamine raise many kinds for damaged files
            raise SheetRefused(
                "文件已损坏或不是有效的 Excel 工作簿，无法打开。"
                "请在 Excel 中重新保存为 .xlsx 后再导入。"
            ) from None
        self._merges_by_row: dict[int, list[Merge]] = {}
        for merge in self.facts.merges:
            self._merges_by_row.setdefault(merge.min_row, []).append(merge)
        self._rows = self._iter_cells()
        self._buffer: list[tuple[int, Cells]] = []
        self.layout = self._find_layout()
        self._check_size()

    def __enter__(self) -> LedgerSheet:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        if self._book is not None:
            self._book.close()

    @property
    def data_rows(self) -> int:
        """How many rows lie below the header (signature and empty rows included)."""
        return max(self.facts.last_row - self.layout.header_last, 0)

    # --- opening ------------------------------------------------------------------------

    def _choose_sheet(self, sheets: list[tuple[str, str]]) -> tuple[str, str]:
        """(title, member) of the ledger: a sheet named 任务台账 or 台账, else one with 台账
        in its name, else the first."""
        if not sheets:
            raise SheetRefused("工作簿中没有工作表。请上传含有任务台账的 .xlsx 文件。")
        chosen = next(
            (s for name in SHEET_NAMES for s in sheets if s[0].strip() == name),
            next((s for s in sheets if "台账" in s[0]), sheets[0]),
        )
        others = [title for title, _member in sheets if (title, _member) != chosen]
        if others:
            self.notes.append(
                f"工作簿有多个工作表，只导入“{chosen[0]}”，未导入：{'、'.join(others)}。"
            )
        return chosen

    def _iter_cells(self) -> Iterator[tuple[int, Cells]]:
        """Every row with its non-empty cells. python-calamine reads fast but cannot tell a
        formula from its cached result, so a sheet with any formula or error value (which
        the import refuses cell by cell) is read with openpyxl instead."""
        if not self.facts.has_formulas:
            yield from _calamine_rows(self._values)
            return
        for number, row in enumerate(self._values.iter_rows(), start=1):
            yield (
                number,
                {
                    index: cell
                    for index, cell in enumerate(row, start=1)
                    if cell.value is not None and cell.value != ""
                },
            )

    def _check_size(self) -> None:
        if self.data_rows > conf.max_rows():
            raise SheetRefused(
                f"台账有约 {self.data_rows} 行数据，超过一次导入的上限 {conf.max_rows()} 行。"
                "请拆成几个文件分别导入。"
            )
        widest = max(self.layout.columns, default=0)
        if widest > conf.max_columns():
            raise SheetRefused(f"表头超过 {conf.max_columns()} 列，不像任务台账。请核对工作表。")

    # --- the header ---------------------------------------------------------------------

    def _find_layout(self) -> Layout:
        for number, cells in self._rows:
            self._buffer.append((number, cells))
            if _is_header(cells):
                return self._layout_at(number)
            if number >= HEADER_SEARCH_ROWS:
                break
        raise SheetRefused(
            f"在前 {HEADER_SEARCH_ROWS} 行中找不到表头。表头应有“信访人”“身份证号”“责任法院”等列名"
            "（顺序不限）。请保留台账的表头行后再导入。"
        )

    def _layout_at(self, number: int) -> Layout:
        """The header block: row `number`, plus the row above or below when the header is
        merged over two rows (a group title above sub-headers)."""
        first = last = number
        by_number = dict(self._buffer)
        if self._spans(number - 1, number):
            first = number - 1
        following = next(self._rows, None)
        if following is not None:
            self._buffer.append(following)
            if self._spans(number, number + 1) or _matches(following[1]) >= 2:
                last = number + 1
                by_number[number + 1] = following[1]
        block = [by_number.get(n, {}) for n in range(last, first - 1, -1)]  # bottom-up
        self._buffer = [(n, c) for n, c in self._buffer if n > last]
        return _layout(first, last, block)

    def _spans(self, upper: int, lower: int) -> bool:
        return upper >= 1 and any(
            m.max_row >= lower and m.min_row <= upper for m in self._merges_by_row.get(upper, [])
        )

    # --- data rows ----------------------------------------------------------------------

    def rows(self) -> Iterator[RawRow]:
        """The data rows, merged values filled down, signature and empty rows skipped."""
        active: list[tuple[Merge, Any]] = []
        limit = conf.max_rows() + self.layout.header_last
        for number, cells in self._remaining():
            if number > limit:
                raise SheetRefused(
                    f"台账超过一次导入的上限 {conf.max_rows()} 行。请拆成几个文件分别导入。"
                )
            active = [(m, v) for m, v in active if m.max_row >= number]
            for merge in self._merges_by_row.get(number, []):
                if merge.max_row > merge.min_row and merge.min_col in cells:
                    active.append((merge, cells[merge.min_col]))
            row = self._raw_row(number, cells, active)
            if not row.is_empty and not _is_signature(row):
                yield row

    def _remaining(self) -> Iterator[tuple[int, Cells]]:
        yield from self._buffer
        self._buffer = []
        yield from self._rows

    def _raw_row(self, number: int, cells: Cells, active: list[tuple[Merge, Any]]) -> RawRow:
        row = RawRow(number)
        filled: dict[int, tuple[Any, Coordinate]] = {}
        for merge, anchor in active:
            if merge.min_row < number and merge.min_col not in cells:
                filled[merge.min_col] = (anchor, (merge.min_row, merge.min_col))
        for index, column in self.layout.columns.items():
            cell = cells.get(index)
            if cell is None and index in filled:
                cell, row.anchors[column.key] = filled[index]
            if cell is None:
                continue
            if cell.data_type == "f":
                row.formulas[column.key] = str(getattr(cell.value, "text", None) or cell.value)
            elif cell.data_type == "e":
                row.errors[column.key] = str(cell.value)
            else:
                row.values[column.key] = cell.value
        return row


def _cell_text(cell: Any) -> str:
    return normalize_header(cell.value) if cell.data_type != "f" else ""


def _keys(cells: Cells) -> set[str]:
    return {HEADER_KEYS[t].key for c in cells.values() if (t := _cell_text(c)) in HEADER_KEYS}


def _matches(cells: Cells) -> int:
    return len(_keys(cells))


def _is_header(cells: Cells) -> bool:
    """Three column names, or two when one identifies cases (a short sheet of changes)."""
    keys = _keys(cells)
    return len(keys) >= MIN_HEADER_MATCHES or (len(keys) == 2 and bool(keys & IDENTIFYING))


def _layout(first: int, last: int, block: list[Cells]) -> Layout:
    """Map sheet columns to ledger columns: per column the lowest header text that is a
    known column name wins (a sub-header under a merged group title)."""
    found: dict[str, list[int]] = {}
    header_cells: dict[str, Coordinate] = {}
    unknown: list[tuple[int, str]] = []
    for index in sorted({i for cells in block for i in cells}):
        texts = [
            (last - depth, _cell_text(cells[index]))
            for depth, cells in enumerate(block)
            if index in cells
        ]
        match = next(((row, HEADER_KEYS[t]) for row, t in texts if t in HEADER_KEYS), None)
        if match is None:
            if texts and texts[0][1]:
                unknown.append((index, texts[0][1]))
            continue
        row, column = match
        found.setdefault(column.key, []).append(index)
        header_cells.setdefault(column.key, (row, index))
    by_key = {c.key: c for c in COLUMNS}
    columns = {found_at[0]: by_key[key] for key, found_at in found.items()}
    duplicates = [(by_key[key], at) for key, at in found.items() if len(at) > 1]
    return Layout(first, last, columns, header_cells, unknown, duplicates)


def _is_signature(row: RawRow) -> bool:
    """A signature or total row under the data: a cell that starts with 制表人, 分管领导,
    填表日期, 合计 … while the petitioner column holds no name."""
    names = text_of(row.values.get("petitioners"))
    if names and not names.startswith(SIGNATURE_WORDS):
        return False
    texts = ["".join(nfkc(text_of(v)).split()) for v in row.values.values()]
    return any(t.startswith(SIGNATURE_WORDS) for t in texts)
