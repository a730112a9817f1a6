"""The life of a browser import: upload → dry run → confirm → import, each step run in the
request for a small sheet and by the worker for a big one (more than
`conf.background_rows()` rows), with progress the page polls."""

from __future__ import annotations

import logging
from typing import IO

from django.db import transaction

from huajie.accounts.models import User
from huajie.cases.models import Campaign
from huajie.core import clock
from huajie.courts.models import Court
from huajie.ledger import conf
from huajie.ledger.annotate import write_marked_copy
from huajie.ledger.importing import import_sheet
from huajie.ledger.models import ImportStatus, LedgerImport
from huajie.ledger.plan import Importer
from huajie.ledger.reader import LedgerSheet
from huajie.ledger.report import ImportReport
from huajie.ledger.safety import SheetRefused, inspect_file
from huajie.ledger.storage import marked_path, store_upload, upload_path, write_progress
from huajie.worker.queue import job_enqueue

log = logging.getLogger(__name__)

JOB_KIND = "ledger.import"


def import_upload(*, user: User, campaign: Campaign, stream: IO[bytes], name: str) -> LedgerImport:
    """Store the upload, refuse what is not a readable ledger (SheetRefused), then start the
    dry run: here for a small sheet, in the worker for a big one."""
    sha256, size = store_upload(stream)
    path = upload_path(sha256)
    try:
        inspect_file(path)
        with LedgerSheet(path) as sheet:  # refuses a sheet without a header, or too big
            rows = sheet.data_rows
    except SheetRefused:
        if not LedgerImport.objects.filter(sha256=sha256).exists():
            path.unlink(missing_ok=True)  # nothing refers to a refused file: not kept
        raise
    assert user.court is not None
    record = LedgerImport.objects.create(
        court=user.court,
        campaign=campaign,
        uploaded_by=user,
        file_name=name[:255] or "任务台账.xlsx",
        sha256=sha256,
        size=size,
        rows=rows,
        status=ImportStatus.CHECKING,
    )
    _start(record, apply=False)
    return record


def import_confirm(record: LedgerImport) -> bool:
    """Start the import of a checked sheet; False when it was already started."""
    started = LedgerImport.objects.filter(pk=record.pk, status=ImportStatus.CHECKED).update(
        status=ImportStatus.APPLYING, finished_at=None
    )
    if not started:
        return False
    record.refresh_from_db()
    _start(record, apply=True)
    return True


def _start(record: LedgerImport, *, apply: bool) -> None:
    if record.rows > conf.background_rows():
        write_progress(record.pk, {"phase": _phase(apply), "done": 0, "total": record.rows})
        # Two attempts: a worker killed midway (the import rolled back) is followed by one
        # more run; a sheet that kills its worker twice is failed, not retried for ever.
        record.job = job_enqueue(
            kind=JOB_KIND, payload={"import_id": record.pk, "apply": apply}, max_attempts=2
        )
        record.save(update_fields=["job"])
        return
    try:
        run_import(record, apply=apply)
    except Exception:
        log.exception("ledger import %s failed", record.pk)
        LedgerImport.objects.filter(pk=record.pk).update(
            status=ImportStatus.FAILED, finished_at=clock.now()
        )
        record.refresh_from_db()


def _phase(apply: bool) -> str:
    return "导入" if apply else "检查"


def importer_for(record: LedgerImport) -> Importer:
    if record.uploaded_by is not None:
        return Importer.for_user(record.uploaded_by, record.campaign)
    province = Court.objects.get(path=record.court.root_path())
    return Importer.operator(record.campaign, province)


def run_import(record: LedgerImport, *, apply: bool) -> ImportReport:
    """Check or import the record's sheet; store the report, the status and, when refused,
    the marked copy. Runs in the request or in the worker's job transaction."""
    path = upload_path(record.sha256)
    phase = _phase(apply)

    def progress(done: int, total: int) -> None:
        write_progress(record.pk, {"phase": phase, "done": done, "total": total})

    report = import_sheet(
        path,
        importer_for(record),
        dry_run=not apply,
        file_name=record.file_name,
        progress=progress,
        record=record,
    )
    if report.refused and any(p.cell for p in report.errors):
        write_marked_copy(path, marked_path(record.pk), report, record.rows)
        report.generated_copy = True
    record.status = (
        ImportStatus.APPLIED
        if report.applied
        else ImportStatus.REFUSED
        if report.refused
        else ImportStatus.CHECKED
    )
    record.report = report.to_json()
    record.finished_at = clock.now()
    with transaction.atomic():
        record.save(update_fields=["status", "report", "finished_at"])
    progress(report.rows_read, report.rows_read)
    return report
