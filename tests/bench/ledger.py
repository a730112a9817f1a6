"""The ledger import and export at scale (R4, R22). Prints numbers, asserts nothing about
time.

    python -m tests.bench.ledger [--rows 100000] [--real-rows 100000]

Works on a fresh SQLite database under a temporary HUAJIE_VAR_DIR (never the real one), or
on the empty database of DATABASE_URL (PostgreSQL:
`scripts/with-postgres python -m tests.bench ledger`); a database with courts is refused.
Each phase runs in its own process so that its peak memory (ru_maxrss) is its own:

- generate  a sheet of --rows rows (openpyxl write-only)
- read      stream it through the ledger reader (openpyxl read-only + the merge scan)
- calamine  read it with python-calamine, for comparison (it loads the whole sheet)
- dry-run   check every row of it (plan only, nothing written)
- import    import the first --real-rows rows (one transaction; new cases in bulk)
- again     import the same rows again (idempotent: nothing changes)
- export    export --rows cases (seeded directly, not through the services)
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def _setup_django(var_dir: str) -> None:
    os.environ["HUAJIE_VAR_DIR"] = var_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- phases (each in its own process) --------------------------------------------------------


def phase_setup(args: argparse.Namespace) -> dict[str, Any]:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from huajie.courts.models import Court
    from tests.cases.world import build_world

    if Court.objects.exists():
        raise SystemExit("基准需要一个空数据库（DATABASE_URL 指向的库中已有法院数据）。")

    world = build_world()
    staff = world.lixia
    team = [staff.leader.name, staff.division_leader.name, staff.staff.name, staff.contact.name]
    return {"team": team, "office": staff.office.username}


def phase_dataset(args: argparse.Namespace) -> dict[str, Any]:
    """For --into-dataset: a basic court of a `huajie synth` dataset (鲁0102, which the
    sheet's original case numbers name, when there is one), four of its people as the
    team (names unique in the court, so the planner finds each), a judge, and the
    province office of its high court."""
    from django.db.models import Count

    from huajie.cases.models import PetitionCase
    from huajie.courts.models import Court, CourtLevel, Person
    from tests.bench.pages import _account

    basic = Court.objects.filter(level=CourtLevel.BASIC)
    court = basic.filter(code="鲁0102").first() or basic.order_by("pk").first()
    if court is None:
        raise SystemExit("DATABASE_URL 指向的库中没有法院：请先用 huajie synth 生成数据集。")
    unique = set(
        Person.objects.filter(court=court, is_active=True)
        .values("name")
        .annotate(n=Count("pk"))
        .filter(n=1)
        .values_list("name", flat=True)
    )
    # A team the dataset itself formed (so each member holds the role), all names unique.
    roles = ("leader", "division_leader", "staff", "petition_contact")
    teams = PetitionCase.objects.filter(
        court=court, **{f"{role}__isnull": False for role in roles}
    ).values_list(*(f"{role}__name" for role in roles))
    team = next((list(t) for t in teams[:200] if set(t) <= unique), None)
    judges = Person.objects.filter(court=court, in_judge_quota=True, name__in=unique)
    judge = judges.exclude(name__in=team or []).values_list("name", flat=True).first()
    if team is None or judge is None:
        raise SystemExit(f"{court} 没有可用的办案团队：数据集不是 huajie synth 生成的")
    high = Court.objects.get(path=court.root_path())
    return {
        "team": team,
        "judge": judge,
        "court": court.short_name,
        "office": _account(high, "xf"),
    }


def phase_generate(args: argparse.Namespace) -> dict[str, Any]:
    from tests.bench.sheet import write_bench_sheet

    extra = json.loads(args.extra)
    names = {k: extra[k] for k in ("court", "judge") if k in extra}
    write_bench_sheet(Path(args.sheet), args.rows, extra["team"], **names)
    if args.real_rows < args.rows:
        write_bench_sheet(Path(args.small_sheet), args.real_rows, extra["team"], **names)
    return {"bytes": Path(args.sheet).stat().st_size}


def phase_read(args: argparse.Namespace) -> dict[str, Any]:
    from huajie.ledger.reader import LedgerSheet

    with LedgerSheet(Path(args.sheet)) as sheet:
        count = sum(1 for _row in sheet.rows())
    return {"rows": count}


def phase_calamine(args: argparse.Namespace) -> dict[str, Any]:
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(args.sheet)
    count = sum(1 for _row in book.get_sheet_by_index(0).iter_rows())
    return {"rows": count}


def _import(args: argparse.Namespace, path: str, *, dry_run: bool) -> dict[str, Any]:
    from huajie.accounts.models import User
    from huajie.cases.models import Campaign
    from huajie.ledger.importing import import_sheet
    from huajie.ledger.plan import Importer

    office = User.objects.get(username=json.loads(args.extra)["office"])
    importer = Importer.for_user(office, Campaign.objects.get(year=2019))
    report = import_sheet(Path(path), importer, dry_run=dry_run)
    return {
        "rows": report.rows_read,
        "counts": dict(report.counts),
        "errors": report.error_count,
        "first_errors": [p.text() for p in report.errors[:3]],
        "warnings": report.warning_count,
        "allocation": dict(report.allocation),
    }


def phase_into(args: argparse.Namespace) -> dict[str, Any]:
    """The import into a national dataset, rolled back afterwards (the dataset is kept for
    the next run): everything but the commit is measured."""
    from django.db import transaction

    from huajie.cases.models import PetitionCase

    class Undo(Exception):
        pass

    before = PetitionCase.objects.count()
    result: dict[str, Any] = {}
    try:
        with transaction.atomic():
            result = _import(args, args.sheet, dry_run=False)
            raise Undo
    except Undo:
        pass
    return {**result, "cases_before": before}


def phase_dry_run(args: argparse.Namespace) -> dict[str, Any]:
    return _import(args, args.sheet, dry_run=True)


def phase_import(args: argparse.Namespace) -> dict[str, Any]:
    """The import, and its floor: the rows it stored, stored again by bare SQL."""
    from tests.bench.ledger_floors import high_water_marks, stored_rows_floor

    path = args.small_sheet if args.real_rows < args.rows else args.sheet
    before = high_water_marks()
    started = time.perf_counter()
    result = _import(args, path, dry_run=False)
    result["phase_seconds"] = time.perf_counter() - started
    result["floor_seconds"], result["floor_rows"] = stored_rows_floor(before)
    return result


def phase_export(args: argparse.Namespace) -> dict[str, Any]:
    from tests.bench.sheet import seed_cases

    started = time.perf_counter()
    seed_cases(args.rows)
    seeded = time.perf_counter() - started
    from huajie.cases.models import Campaign, PetitionCase
    from huajie.ledger.export import write_ledger
    from tests.bench.ledger_floors import export_floor

    out = Path(args.sheet).with_name("export.xlsx")
    campaign = Campaign.objects.get(year=2020)
    started = time.perf_counter()
    count = write_ledger(PetitionCase.objects.filter(campaign=campaign), None, out, "全省任务台账")
    exported = time.perf_counter() - started
    floor, cases = export_floor(campaign.pk)
    assert cases == count, (cases, count)
    return {
        "rows": count,
        "seed_seconds": round(seeded, 1),
        "phase_seconds": exported,
        "floor_seconds": floor,
    }


PHASES = {
    "setup": phase_setup,
    "generate": phase_generate,
    "read": phase_read,
    "calamine": phase_calamine,
    "dry-run": phase_dry_run,
    "import": phase_import,
    "again": phase_import,
    "export": phase_export,
    "dataset": phase_dataset,
    "into": phase_into,
}


def run_phase(args: argparse.Namespace) -> None:
    _setup_django(args.var_dir)
    baseline = _peak_mb()
    started = time.perf_counter()
    result = PHASES[args.phase](args)
    # A phase that also measures its floor times itself (`phase_seconds`).
    result["seconds"] = round(result.pop("phase_seconds", time.perf_counter() - started), 2)
    if "floor_seconds" in result:
        result["floor_seconds"] = round(result["floor_seconds"], 2)
    result["peak_mb"] = round(_peak_mb(), 1)
    result["baseline_mb"] = round(baseline, 1)
    print(json.dumps(result, ensure_ascii=False))


# --- the orchestra ---------------------------------------------------------------------------


def _child(args: argparse.Namespace, phase: str, extra: dict[str, Any]) -> dict[str, Any]:
    command = [
        sys.executable,
        "-m",
        "tests.bench.ledger",
        "--phase",
        phase,
        "--var-dir",
        args.var_dir,
        "--rows",
        str(args.rows),
        "--real-rows",
        str(args.real_rows),
        "--extra",
        json.dumps(extra),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"phase {phase} failed")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.ledger", description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--real-rows", type=int, default=0, help="default: --rows")
    parser.add_argument("--phase", choices=sorted(PHASES))
    parser.add_argument("--var-dir")
    parser.add_argument("--extra", default="{}")
    parser.add_argument(
        "--into-dataset",
        action="store_true",
        help="import into the huajie synth dataset at DATABASE_URL (rolled back) instead",
    )
    args = parser.parse_args(argv)
    args.real_rows = args.real_rows or args.rows
    args.var_dir = args.var_dir or tempfile.mkdtemp(prefix="huajie-bench-")
    Path(args.var_dir).mkdir(parents=True, exist_ok=True)
    args.sheet = str(Path(args.var_dir) / f"ledger-{args.rows}.xlsx")
    args.small_sheet = str(Path(args.var_dir) / f"ledger-{args.real_rows}.xlsx")
    if args.phase:
        run_phase(args)
        return
    engine = "PostgreSQL" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "SQLite"
    print(
        f"台账导入/导出基准（{engine}）：{args.rows} 行（实际导入 {args.real_rows} 行），"
        f"目录 {args.var_dir}"
    )
    if args.into_dataset:
        extra = _child(args, "dataset", {})
        steps: tuple[str, ...] = ("generate", "into")
    else:
        extra = _child(args, "setup", {})
        steps = ("generate", "read", "calamine", "dry-run", "import", "again", "export")
    phases: list[dict[str, Any]] = []
    for phase in steps:
        result = _child(args, phase, extra)
        phases.append({"phase": phase, **result})
        seconds, peak = result.pop("seconds"), result.pop("peak_mb")
        base = result.pop("baseline_mb")
        rows = result.get("rows", args.rows)
        rate = f"{rows / seconds:,.0f} 行/秒" if seconds and isinstance(rows, int) else ""
        memory = f"峰值内存 {peak:7.1f} MB（起点 {base:.1f}）"
        floor = result.pop("floor_seconds", None)
        if floor:
            rate += f"  下限（裸 SQL）{floor:.1f} 秒，{seconds / floor:.1f}×"
            phases[-1]["ratio"] = round(seconds / floor, 1)
        print(f"{phase:9} {seconds:9.1f} 秒  {memory}  {rate}  {result}")
        sys.stdout.flush()
    into = "-into-dataset" if args.into_dataset else ""
    out = ROOT / "var" / "bench" / f"ledger-{engine.lower()}-{args.rows}{into}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    summary = {
        "engine": engine,
        "rows": args.rows,
        "imported_rows": args.real_rows,
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "python": platform.python_version(),
        "phases": phases,
    }
    out.write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"结果已写入 {out}")


if __name__ == "__main__":
    main()
