"""Crashes (issue #8, R22): `huajie ledger import` killed with SIGKILL midway through a big
sheet writes nothing (the import is one transaction: no case from the file, no import
record, the audit chain whole), and running it again imports every row exactly once; a
third run changes nothing.

"Midway" is deterministic: the command prints its progress after each applied chunk when
HUAJIE_LEDGER_PROGRESS_ROWS is the chunk, stops still there (tests/ledger/held_import.py),
and the test kills it on that first line, when a chunk of new cases is written but not
committed."""

from __future__ import annotations

import json
import signal
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from huajie.audit.models import AuditEvent
from huajie.audit.services import audit_verify
from huajie.cases.models import PetitionCase, Visit
from huajie.ledger.imports import import_confirm, import_upload
from huajie.ledger.models import ImportStatus, LedgerImport
from huajie.ledger.planner import Planner
from huajie.ledger.storage import progress_path
from huajie.worker.models import Job, JobStatus
from huajie.worker.queue import job_claim, job_run
from tests.bench.sheet import write_bench_sheet
from tests.cases.world import World
from tests.ledger.helpers import counts
from tests.subprocesses import start, stop, tail, wait_until

pytestmark = pytest.mark.django_db(transaction=True)

# Two chunks, the second short; the process is killed when the first chunk is applied.
ROWS = Planner.CHUNK + 100
PROVINCE = ("--province", "山东高院")
PROGRESS = f"已处理 {Planner.CHUNK}/{ROWS} 行"


def _import(path: Path, log: Path, *, held: bool = False) -> subprocess.Popen[bytes]:
    """`huajie ledger import`; held: it stops still after reporting its first chunk."""
    command = (
        ["-m", "tests.ledger.held_import", str(Planner.CHUNK)] if held else ["-m", "huajie.cli"]
    )
    return start(
        # --province: the test tree has two provinces
        [*command, "ledger", "import", str(path), "--campaign", "2019", *PROVINCE],
        log,
        HUAJIE_LEDGER_PROGRESS_ROWS=str(Planner.CHUNK),
    )


def _finish(proc: subprocess.Popen[bytes], log: Path) -> str:
    try:
        assert proc.wait(timeout=600) == 0, tail(log)
    finally:
        stop(proc)
    return log.read_text()


def _from_sheet() -> int:
    return PetitionCase.objects.filter(ledger_no__startswith="B-").count()


def test_an_import_killed_midway_writes_nothing_and_the_rerun_imports_each_row_once(
    world: World, tmp_path: Path
) -> None:
    staff = world.lixia
    team = [staff.leader.name, staff.division_leader.name, staff.staff.name, staff.contact.name]
    sheet = tmp_path / "台账.xlsx"
    write_bench_sheet(sheet, ROWS, team)
    before = counts()

    log = tmp_path / "import-1.log"
    proc = _import(sheet, log, held=True)
    try:
        wait_until(lambda: PROGRESS in log.read_text(), proc, log, "the first chunk")
        proc.send_signal(signal.SIGKILL)
        assert proc.wait(timeout=30) == -signal.SIGKILL
    finally:
        stop(proc)

    # Nothing of the killed import survives: no case, visit, event or import record.
    assert counts() == before
    assert _from_sheet() == 0
    assert not LedgerImport.objects.exists()
    assert audit_verify() is None

    out = _finish(_import(sheet, tmp_path / "import-2.log"), tmp_path / "import-2.log")
    assert f"已新建 {ROWS} 件" in out, out[-2000:]
    numbers = list(
        PetitionCase.objects.filter(ledger_no__startswith="B-").values_list("ledger_no", flat=True)
    )
    assert sorted(numbers) == [f"B-{index:06d}" for index in range(ROWS)]  # each row once
    # Each row's visits once: the sheet says 2, 3 or 4 (信访次数) by row.
    expected_visits = sum(2 + index % 3 for index in range(ROWS))
    assert Visit.objects.filter(case__ledger_no__startswith="B-").count() == expected_visits
    assert LedgerImport.objects.count() == 1
    assert AuditEvent.objects.filter(verb="ledger.import").count() == 1
    assert audit_verify() is None
    # Every saved change of every new case has its one audit event (no half-written case).
    events = Counter(
        AuditEvent.objects.filter(object_type="cases.petitioncase").values_list(
            "case_id", flat=True
        )
    )
    for pk, version in PetitionCase.objects.filter(ledger_no__startswith="B-").values_list(
        "pk", "version"
    ):
        assert version == events[pk], pk

    after = counts()
    again = _finish(_import(sheet, tmp_path / "import-3.log"), tmp_path / "import-3.log")
    assert "已新建" not in again or "已新建 0 件" in again, again[-2000:]
    assert counts() == after  # idempotent: the same sheet again changes nothing


def _applied_chunks(record: LedgerImport) -> int:
    """Rows the background import has applied so far, by its progress file (the import's
    writes are invisible until it commits; the file is how the page follows it too)."""
    try:
        data = json.loads(progress_path(record.pk).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return 0
    return int(data["done"]) if data.get("phase") == "导入" else 0


def _crash_worker(
    name: str, log: Path, var: Path, lease_seconds: int, hold_after_rows: int = 0
) -> subprocess.Popen[bytes]:
    return start(
        ["-m", "tests.worker.crash_worker", "--name", name],
        log,
        HUAJIE_VAR_DIR=str(var),  # the same MEDIA_ROOT: the stored upload and progress files
        HUAJIE_JOB_LEASE_SECONDS=str(lease_seconds),
        HUAJIE_WORKER_POLL_SECONDS="1",
        HUAJIE_TEST_HOLD_AFTER_ROWS=str(hold_after_rows or ""),
    )


def test_a_worker_killed_midway_through_a_background_import_leaves_nothing_and_retries(
    world: World, tmp_path: Path, settings: Any
) -> None:
    """The browser's path for a big sheet: the import runs as a worker job. The worker is
    killed when the progress file says the first chunk is applied; nothing is written, the
    import still shows 导入中, and the next worker (after the lease) imports it once."""
    var = tmp_path / "var"
    settings.MEDIA_ROOT = var / "media"
    settings.HUAJIE_LEDGER_BACKGROUND_ROWS = 1
    staff = world.lixia
    team = [staff.leader.name, staff.division_leader.name, staff.staff.name, staff.contact.name]
    sheet = tmp_path / "台账.xlsx"
    write_bench_sheet(sheet, ROWS, team)
    with sheet.open("rb") as stream:
        record = import_upload(
            user=world.province_office, campaign=world.campaign, stream=stream, name=sheet.name
        )
    dry_run = job_claim(worker="dry-run")  # the check runs here, in the test's process
    assert dry_run is not None
    job_run(dry_run)
    record.refresh_from_db()
    assert record.status == ImportStatus.CHECKED, record.report
    assert import_confirm(record)
    record.refresh_from_db()
    before = counts()

    log = tmp_path / "worker-1.log"
    first = _crash_worker("import-1", log, var, lease_seconds=600, hold_after_rows=Planner.CHUNK)
    try:
        wait_until(lambda: _applied_chunks(record) >= Planner.CHUNK, first, log, "a chunk")
        first.send_signal(signal.SIGKILL)
        assert first.wait(timeout=30) == -signal.SIGKILL
    finally:
        stop(first)
    record.refresh_from_db()
    assert counts() == before and _from_sheet() == 0
    assert record.status == ImportStatus.APPLYING
    assert record.job is not None
    assert Job.objects.get(pk=record.job.pk).status == JobStatus.RUNNING
    assert audit_verify() is None

    log = tmp_path / "worker-2.log"
    second = _crash_worker("import-2", log, var, lease_seconds=1)
    try:
        wait_until(
            lambda: LedgerImport.objects.get(pk=record.pk).status != ImportStatus.APPLYING,
            second,
            log,
            "the import to finish",
        )
        second.send_signal(signal.SIGTERM)
        assert second.wait(timeout=60) == 0, tail(log)
    finally:
        stop(second)
    record.refresh_from_db()
    job = Job.objects.get(pk=record.job.pk)
    assert record.status == ImportStatus.APPLIED, record.report
    assert (job.status, job.attempts, job.result["created"]) == (JobStatus.DONE, 2, ROWS)
    numbers = PetitionCase.objects.filter(ledger_no__startswith="B-").values_list(
        "ledger_no", flat=True
    )
    assert sorted(numbers) == [f"B-{index:06d}" for index in range(ROWS)]
    assert AuditEvent.objects.filter(verb="ledger.import").count() == 1
    assert audit_verify() is None
