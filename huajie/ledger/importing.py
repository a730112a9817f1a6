"""Importing a ledger sheet, start to end: inspect the file, read it, plan every row, and
(unless it is a dry run) apply the plans through the services in one transaction.

All or nothing: a sheet with any error changes nothing. Rows are read, planned and applied
in chunks, so memory stays bounded however long the sheet; after the first error the rest
of the sheet is still checked (nothing more is applied) so that every problem is reported
at once, and the transaction is rolled back.
"""

from __future__ import annotations

import gc
import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from itertools import islice
from pathlib import Path

from django.db import transaction

from huajie.audit.services import audit_record
from huajie.core.bulk import foreign_keys_checked_meanwhile
from huajie.ledger import conf
from huajie.ledger.applier import apply_plan
from huajie.ledger.bulk import NewCaseBatch
from huajie.ledger.models import ImportStatus, LedgerImport
from huajie.ledger.parser import ParsedRow, Reading, parse_row
from huajie.ledger.plan import HEADERS, Importer, RowPlan
from huajie.ledger.planner import Planner
from huajie.ledger.reader import LedgerSheet, RawRow
from huajie.ledger.report import ERROR, WARNING, ImportReport, Problem
from huajie.ledger.safety import SheetRefused, inspect_file

Progress = Callable[[int, int], None]  # (rows done, rows in the sheet, estimated)


class _Rollback(Exception):
    """Raised inside the import's transaction to undo it when a row was refused."""


def import_sheet(
    path: Path,
    importer: Importer,
    *,
    dry_run: bool,
    file_name: str = "",
    progress: Progress | None = None,
    record: LedgerImport | None = None,
) -> ImportReport:
    """Check (`dry_run`) or import the sheet at `path`; never raises for a bad sheet: the
    report says what was refused and why."""
    report = ImportReport(
        file_name=file_name or path.name, campaign=importer.campaign.year, dry_run=dry_run
    )
    try:
        inspect_file(path)
        with LedgerSheet(path) as sheet:
            report.sheet = sheet.title
            _sheet_problems(sheet, report)
            if report.refused:
                return report
            planner = Planner(importer, sheet.layout)
            if dry_run:
                _run(sheet, planner, report, progress, apply=False)
            else:
                _apply(sheet, planner, report, progress, record, path)
    except SheetRefused as exc:
        report.refusal = str(exc)
    return report


def _sheet_problems(sheet: LedgerSheet, report: ImportReport) -> None:
    layout = sheet.layout
    for note in sheet.notes:
        report.problems.append(Problem(WARNING, note))
    if not {"petitioners", "ledger_no"} & set(layout.header_cells):
        report.problems.append(
            Problem(
                ERROR,
                "表头中既没有“信访人”列，也没有“台账编号”列，无法确定每行是哪件案件",
                "新案件须有“信访人”列（或“姓名”“信访人姓名”）；修改已有案件须有“台账编号”列",
            )
        )
    for column, indexes in layout.duplicates:
        for index in indexes:
            report.problems.append(
                Problem(
                    ERROR,
                    f"“{column.header}”列出现了 {len(indexes)} 次",
                    "请删除重复的列，或改正列名",
                    column=column.header,
                    cell=(layout.header_last, index),
                )
            )
    for index, text in layout.unknown:
        report.problems.append(
            Problem(
                WARNING,
                f"不认识列名“{text}”，此列未导入",
                f"可用的列名见任务台账模板（如 {'、'.join(list(HEADERS.values())[1:6])} 等）",
                cell=(layout.header_last, index),
            )
        )
    if "ledger_no" not in layout.header_cells:
        report.problems.append(
            Problem(
                WARNING,
                "没有“台账编号”列：按身份证号识别已有案件，新案件由系统编号",
                "重复导入时请保留系统生成的台账编号",
            )
        )


def _run(
    sheet: LedgerSheet,
    planner: Planner,
    report: ImportReport,
    progress: Progress | None,
    *,
    apply: bool,
) -> None:
    reading = Reading(sheet.epoch)
    total = sheet.data_rows
    batch = NewCaseBatch(planner) if apply and conf.bulk_new_cases() else None
    rows = sheet.rows()
    parsed = _parse_chunk(rows, reading)
    with _heap_settled_per_chunk() as settle:
        while parsed:
            planner.load_chunk(parsed)
            # The database meanwhile checks the foreign keys of the rows written so far
            # (instead of all at the commit): planning is Python, and so is reading and
            # parsing the next chunk here; a query on the way waits for the checks.
            with foreign_keys_checked_meanwhile() if apply else nullcontext():
                plans = planner.plan_loaded(parsed)
                upcoming = _parse_chunk(rows, reading)
            if apply:
                _apply_chunk(plans, planner, batch, refused=report.refused)
            _report_chunk(plans, report)
            del parsed, plans  # the chunk's garbage is collected in settle(), not frozen
            planner.forget_chunk()
            settle()
            parsed = upcoming
            if progress is not None:
                progress(report.rows_read, max(total, report.rows_read))


def _parse_chunk(rows: Iterator[RawRow], reading: Reading) -> list[ParsedRow]:
    return [parse_row(raw, reading) for raw in islice(rows, Planner.CHUNK)]


def _report_chunk(plans: list[RowPlan], report: ImportReport) -> None:
    for plan in plans:
        if plan.has_errors:
            plan.line.action = "refused"
        report.problems.extend(plan.problems)
        report.add_line(plan.line)
        if plan.line.action == "create" and plan.line.rule:
            report.allocation[plan.line.rule] += 1
        report.rows_read += 1


@contextmanager
def _heap_settled_per_chunk() -> Iterator[Callable[[], None]]:
    """Keep Python's cyclic garbage collector from walking the whole import again and again.

    What survives a chunk (the report's lines, what the planner remembers) lives until the
    end, and the heap grows with the sheet, so the collector's full passes grew with it (13 %
    of a 50,000-row import). After each chunk the chunk's own garbage is collected and the
    survivors are frozen (`gc.freeze`): later passes walk only the newer objects. Everything
    frozen is unfrozen at the end. A process that freezes objects itself (a pre-forking
    server) is left alone."""
    if gc.get_freeze_count() or not gc.isenabled():
        yield lambda: None
        return

    def settle() -> None:
        gc.collect()  # only the objects since the last freeze are walked
        gc.freeze()

    # Nor is anything collected during a chunk: its young objects mostly live until the
    # chunk ends, so the passes on the way only walked them again and again (on 30,000
    # rows the collector's time went from 0.9 s to 0.3 s); settle() collects once after.
    gc.disable()
    try:
        yield settle
    finally:
        gc.enable()
        gc.unfreeze()


def _apply_chunk(
    plans: list[RowPlan], planner: Planner, batch: NewCaseBatch | None, *, refused: bool
) -> None:
    """Apply the chunk's plans in sheet order: new cases in bulk where the batch takes them,
    the rest through the services (the batch written first). Nothing more is applied after
    the first row with an error: the import will be rolled back."""
    if batch is not None:
        batch.prepare(plans)
    for plan in plans:
        refused = refused or plan.has_errors
        if refused or not plan.has_steps:
            continue
        if batch is None:
            apply_plan(plan, planner)
        elif not batch.takes(plan):
            batch.through_services(plan)
    if batch is not None:
        batch.flush()


def _apply(
    sheet: LedgerSheet,
    planner: Planner,
    report: ImportReport,
    progress: Progress | None,
    record: LedgerImport | None,
    path: Path,
) -> None:
    try:
        with transaction.atomic():
            _run(sheet, planner, report, progress, apply=True)
            if report.refused:
                raise _Rollback
            report.applied = True
            if report.changes_anything:
                _audit(planner.importer, report, record, path)
    except _Rollback:
        report.applied = False
        for line in report.lines:
            if line.generated:
                line.ledger_no, line.generated = "", False


def _audit(
    importer: Importer, report: ImportReport, record: LedgerImport | None, path: Path
) -> None:
    """One event for the import as a whole, beside the services' event for every change;
    an import that changes nothing records nothing (importing a sheet twice is silent)."""
    if record is None:  # the command line: the import is recorded here
        with path.open("rb") as handle:
            sha256 = hashlib.file_digest(handle, "sha256").hexdigest()
        record = LedgerImport.objects.create(
            court=importer.holding_court,
            campaign=importer.campaign,
            uploaded_by=importer.actor,
            file_name=report.file_name[:255],
            sha256=sha256,
            size=path.stat().st_size,
            rows=report.rows_read,
            status=ImportStatus.APPLIED,
        )
    audit_record(
        actor=importer.actor,
        verb="ledger.import",
        obj=record,
        court_id=record.court_id,
        summary=(
            f"导入任务台账《{report.file_name}》：新建 {report.counts['create']} 件，"
            f"更新 {report.counts['update']} 件"
        ),
        after={
            "file": report.file_name,
            "sha256": record.sha256,
            "campaign": importer.campaign.year,
            "created": report.counts["create"],
            "updated": report.counts["update"],
            "unchanged": report.counts["unchanged"],
        },
    )
