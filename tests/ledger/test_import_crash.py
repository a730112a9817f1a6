"""Crashes (issue #8, R22): `huajie ledger import` killed with SIGKILL midway through a big
sheet writes nothing (the import is one transaction: no case from the file, no import
record, the audit chain whole), and running it again imports every row exactly once; a
third run changes nothing.

"Midway" is deterministic: the command prints its progress after each applied chunk of
500 rows when HUAJIE_LEDGER_PROGRESS_ROWS=500, and the test kills it on the first line, when
500 new cases are written but not committed."""

from __future__ import annotations

import signal
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from huajie.audit.models import AuditEvent
from huajie.audit.services import audit_verify
from huajie.cases.models import PetitionCase, Visit
from huajie.ledger.models import LedgerImport
from huajie.ledger.planner import Planner
from tests.bench.sheet import write_bench_sheet
from tests.cases.world import World
from tests.ledger.helpers import counts
from tests.subprocesses import start, stop, tail, wait_until

pytestmark = pytest.mark.django_db(transaction=True)

# Two chunks, the second short (the import runs through the services: some tens of rows a
# second); the process is killed when the first chunk is applied.
ROWS = Planner.CHUNK + 100
PROVINCE = ("--province", "山东高院")
PROGRESS = f"已处理 {Planner.CHUNK}/{ROWS} 行"


def _import(path: Path, log: Path) -> subprocess.Popen[bytes]:
    return start(
        # --province: the test tree has two provinces
        ["-m", "huajie.cli", "ledger", "import", str(path), "--campaign", "2019", *PROVINCE],
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
    proc = _import(sheet, log)
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
