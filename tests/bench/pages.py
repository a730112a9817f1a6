"""Pages, dashboards and the bulletin on a national synthetic dataset (issue #7).

    python -m tests.bench.pages [--cases 100000] [--courts 3500] [--repeat 30] [--reuse]

Runs against DATABASE_URL when it is set (PostgreSQL: `scripts/with-postgres python -m
tests.bench.pages`), else a SQLite file `var/bench/synth-<courts>-<cases>.sqlite3` that is
generated once with `huajie synth` and reused with --reuse.

Each scenario is a request through Django's whole stack (middleware, policy, templates) with
the test client, repeated; beside it, the "floor": hand-written SQL that answers the same
question (the rows the page shows, with their counts), run on the same connection. The ratio
page p50 / floor p50 says how much the framework and our code add to what the database must
do anyway. Prints a table and writes JSON under var/bench/. Asserts nothing about time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Measure:
    name: str
    what: str
    p50_ms: float
    p95_ms: float
    floor_p50_ms: float | None
    repeat: int
    detail: str = ""

    @property
    def ratio(self) -> float | None:
        if not self.floor_p50_ms:
            return None
        return self.p50_ms / self.floor_p50_ms


def _times(action: Callable[[], object], repeat: int, warm: int = 2) -> list[float]:
    for _ in range(warm):
        action()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return times


def _p(times: list[float], q: float) -> float:
    if len(times) == 1:
        return times[0]
    return statistics.quantiles(times, n=100, method="inclusive")[int(q) - 1]


# --- the dataset ----------------------------------------------------------------------------


def _setup(args: argparse.Namespace) -> None:
    if not os.environ.get("DATABASE_URL"):
        path = ROOT / "var" / "bench" / f"synth-{args.courts}-{args.cases}.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists() and not args.reuse:
            path.unlink()
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("HUAJIE_DEMO_DATE", args.as_of)
    import django

    django.setup()
    from django.core.management import call_command

    from huajie.cases.models import PetitionCase

    call_command("migrate", verbosity=0)
    have = PetitionCase.objects.count()
    if have == 0:
        started = time.perf_counter()
        call_command(
            "synth",
            courts=args.courts,
            cases=args.cases,
            seed=1,
            as_of=dt.date.fromisoformat(args.as_of),
            stdout=sys.stderr,
        )
        print(f"合成数据：{args.cases} 件，用时 {time.perf_counter() - started:.0f} 秒", flush=True)
        _vacuum()
    elif have < args.cases * 0.9:
        raise SystemExit(
            f"数据库已有 {have} 件案件，少于 --cases {args.cases}：去掉 --reuse 重新生成"
        )


def _vacuum() -> None:
    """PostgreSQL: VACUUM ANALYZE after the bulk load, as autovacuum would soon after: it
    marks the new pages all-visible, without which an index-only scan (the list's pages,
    the dashboards' counts) visits the table for every row it reads."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"VACUUM ANALYZE：用时 {time.perf_counter() - started:.0f} 秒", flush=True)


# --- scenarios -----------------------------------------------------------------------------


class Bench:
    def __init__(self, repeat: int, only: tuple[str, ...] = ()) -> None:
        from django.conf import settings
        from django.db import connection
        from django.test import Client

        # Not setup_test_environment(): its instrumented template rendering (a signal and a
        # context copy per template) would be measured as the page's own time.
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        self.repeat = repeat
        self.only = only  # names (or their starts) of the scenarios to measure; () for all
        self.connection = connection
        self.client = Client()
        self.results: list[Measure] = []
        # As a web worker serves (config/gunicorn.py): what is loaded is frozen out of
        # the collector's full passes.
        gc.freeze()

    def login(self, username: str) -> Any:
        from huajie.accounts.models import User

        user = User.objects.select_related("person__court").get(username=username)
        self.client.force_login(user)
        return user

    def sql(self, statements: list[tuple[str, list[Any]]]) -> Callable[[], None]:
        def run() -> None:
            with self.connection.cursor() as cursor:
                for statement, params in statements:
                    cursor.execute(statement, params)
                    cursor.fetchall()

        return run

    def asked(self, floor: Callable[[Any], object]) -> Callable[[], None]:
        """A floor that asks its statements itself (each may need the last one's answer)."""

        def run() -> None:
            with self.connection.cursor() as cursor:
                floor(cursor)

        return run

    def page(
        self,
        name: str,
        what: str,
        url: str,
        floor: Callable[[], object] | None,
        repeat: int | None = None,
    ) -> None:
        repeat = repeat or self.repeat

        def get() -> None:
            response = self.client.get(url)
            if response.status_code != 200:
                raise SystemExit(f"{name}: {url} 返回 {response.status_code}")

        self.measure(name, what, get, floor, repeat, detail=url)

    def measure(
        self,
        name: str,
        what: str,
        action: Callable[[], object],
        floor: Callable[[], object] | None,
        repeat: int,
        detail: str = "",
    ) -> None:
        if self.only and not name.startswith(self.only):
            return
        times = _times(action, repeat)
        floor_times = _times(floor, repeat) if floor else None
        result = Measure(
            name,
            what,
            round(_p(times, 50), 1),
            round(_p(times, 95), 1),
            round(_p(floor_times, 50), 2) if floor_times else None,
            repeat,
            detail,
        )
        self.results.append(result)
        ratio = f"{result.ratio:6.1f}×" if result.ratio else "      "
        floor_text = f"{result.floor_p50_ms:9.2f}" if result.floor_p50_ms is not None else " " * 9
        print(
            f"{name:24} p50 {result.p50_ms:9.1f} ms  p95 {result.p95_ms:9.1f} ms  "
            f"floor {floor_text} ms {ratio}  {what}",
            flush=True,
        )


def _tables() -> dict[str, str]:
    from huajie.accounts.models import User
    from huajie.audit.models import AuditEvent
    from huajie.cases.models import (
        AcceptanceRequest,
        Attachment,
        Campaign,
        CaseTally,
        EscalationRequest,
        Guidance,
        LeaderActivity,
        Measure,
        OriginalCase,
        PetitionCase,
        Petitioner,
        Visit,
        VisitTally,
    )
    from huajie.courts.models import Court, Person

    return {
        "case": PetitionCase._meta.db_table,
        "tally": CaseTally._meta.db_table,
        "visit_tally": VisitTally._meta.db_table,
        "petitioners": PetitionCase.petitioners.through._meta.db_table,
        "petitioner": Petitioner._meta.db_table,
        "court": Court._meta.db_table,
        "person": Person._meta.db_table,
        "visit": Visit._meta.db_table,
        "original": OriginalCase._meta.db_table,
        "audit": AuditEvent._meta.db_table,
        "user": User._meta.db_table,
        "acceptance": AcceptanceRequest._meta.db_table,
        "escalation": EscalationRequest._meta.db_table,
        "campaign": Campaign._meta.db_table,
        "measure": Measure._meta.db_table,
        "activity": LeaderActivity._meta.db_table,
        "attachment": Attachment._meta.db_table,
        "guidance": Guidance._meta.db_table,
    }


@dataclass(frozen=True)
class ListFloor:
    """The list's question in SQL, statement by statement as the page asks it: the scope's
    court ids, how many cases match (counted with the page's ids when searching, as
    `keyset_page(count_in_one_pass=True)` does), the page's ids, then only their rows and
    their petitioners."""

    courts: tuple[str, list[Any]] | None  # None: every court, no condition
    count: tuple[str, list[Any]] | None  # None: counted with the page
    page: tuple[str, list[Any]]
    rows: str  # formatted with the page's ids
    names: str

    def __call__(self, cursor: Any) -> int:
        """Ask it all; the number of matching cases."""
        if self.courts:
            cursor.execute(*self.courts)
            cursor.fetchall()
        counted = None
        if self.count:
            cursor.execute(*self.count)
            counted = cursor.fetchone()[0]
        cursor.execute(*self.page)
        found = cursor.fetchall()
        ids = [row[0] for row in found]
        if counted is None:
            counted = found[0][1] if found else 0
        if ids:
            marks = ", ".join(["%s"] * len(ids))
            for statement in (self.rows, self.names):
                cursor.execute(statement.format(ids=marks), ids)
                cursor.fetchall()
        return int(counted)


def list_floor(
    path: str,
    status: str | None,
    after: tuple[str, int] | None,
    *,
    every_court: bool = False,
    search: str = "",
) -> ListFloor:
    """The list's question in SQL for the courts under `path`. `search`: what the search
    box holds, in the case's search columns (cases/search.py). Ordered as the page orders
    it: by the ledger-number index for every court, otherwise by an expression no index
    serves (the database sorts the scope's rows; read in index order, an area's or a
    province's page walked past the other courts' cases)."""
    from huajie.courts.models import Court

    t = _tables()
    key = "c.ledger_no" if every_court else "(c.ledger_no || '')"
    conditions: list[str] = []
    params: list[Any] = []
    courts = None
    if not every_court:
        # The scope as the list names it (accounts.policy.scope_ids_q): by the courts' ids.
        courts = (f"SELECT id FROM {t['court']} WHERE path LIKE %s", [f"{path}%"])  # noqa: S608
        ids = list(Court.objects.filter(path__startswith=path).values_list("pk", flat=True))
        conditions.append(f"c.court_id IN ({', '.join(['%s'] * len(ids))})")
        params += ids
    if status:
        conditions.append("c.status = %s")
        params.append(status)
    if search:
        # From the search index's short columns, the few long cases from their whole ones.
        long_cases = (
            f"SELECT w.id FROM {t['case']} w"  # noqa: S608
            " WHERE w.search_text_short IS NULL AND w.search_text LIKE %s"
        )
        conditions.append(f"(c.search_text_short LIKE %s OR c.id IN ({long_cases}))")
        params += [f"%{search.upper()}%"] * 2
    if after:
        conditions.append(f"{key} >= %s AND ({key} > %s OR ({key} = %s AND c.id > %s))")
    seek = [after[0], after[0], after[0], after[1]] if after else []
    where = " AND ".join(conditions) or "TRUE"
    count_where = " AND ".join(c for c in conditions if ">=" not in c) or "TRUE"
    counted_with_page = ", count(*) OVER ()" if search else ""
    page = (
        f"SELECT c.id{counted_with_page} FROM {t['case']} c"  # noqa: S608
        f" WHERE {where} ORDER BY {key}, c.id LIMIT 51"
    )
    count = f"SELECT count(*) FROM {t['case']} c WHERE {count_where}"  # noqa: S608
    return ListFloor(
        courts=courts,
        count=None if search else (count, params),
        page=(page, params + seek),
        rows=(
            f"SELECT c.id, c.ledger_no, c.status, c.risk_level, c.updated_at, c.is_major,"  # noqa: S608
            f" c.reopen_count, c.possibly_nominal, ct.short_name, p.name"
            f" FROM {t['case']} c JOIN {t['court']} ct ON ct.id = c.court_id"
            f" LEFT JOIN {t['person']} p ON p.id = c.leader_id"
            f" WHERE c.id IN ({{ids}}) ORDER BY {key}, c.id"
        ),
        names=(
            f"SELECT cp.petitioncase_id, pe.name FROM {t['petitioners']} cp"  # noqa: S608
            f" JOIN {t['petitioner']} pe ON pe.id = cp.petitioner_id"
            f" WHERE cp.petitioncase_id IN ({{ids}})"
        ),
    )


def case_floor(case_id: int) -> list[tuple[str, Any]]:
    """The case page's question in SQL: the case with its court and campaign, then each
    section the page shows (petitioners, visits, original cases, measures, the leader's
    activities, attachments, acceptance and escalation requests, guidance, the team's
    people by name) and the latest 200 events of its timeline."""
    t = _tables()
    court = f"JOIN {t['court']} ct ON ct.id = x."
    by_case = [  # table, the page's order, what it shows with each row
        (t["visit"], "visited_on", f"LEFT JOIN {t['petitioner']} pe ON pe.id = x.petitioner_id"),
        (t["original"], "year, x.serial", f"LEFT {court}court_id"),
        (t["measure"], "taken_on", ""),
        (t["activity"], "happened_on", f"JOIN {t['person']} p ON p.id = x.leader_id"),
        (t["attachment"], "uploaded_at", ""),
        (t["acceptance"], "submitted_at", f"{court}reviewing_court_id"),
        (t["escalation"], "requested_at", f"{court}to_court_id"),
        (t["guidance"], "created_at", f"{court}court_id"),
    ]
    statements: list[tuple[str, Any]] = [
        (
            f"SELECT c.*, ct.name, up.name, cp.year FROM {t['case']} c"  # noqa: S608
            f" JOIN {t['court']} ct ON ct.id = c.court_id"
            f" LEFT JOIN {t['court']} up ON up.id = ct.parent_id"
            f" JOIN {t['campaign']} cp ON cp.id = c.campaign_id WHERE c.id = %s",
            [case_id],
        ),
        (
            f"SELECT pe.* FROM {t['petitioner']} pe JOIN {t['petitioners']} cp"  # noqa: S608
            f" ON cp.petitioner_id = pe.id WHERE cp.petitioncase_id = %s",
            [case_id],
        ),
        (
            f"SELECT p.id, p.name FROM {t['person']} p JOIN {t['case']} c"  # noqa: S608
            " ON p.id IN (c.leader_id, c.division_leader_id, c.staff_id, c.petition_contact_id)"
            " WHERE c.id = %s",
            [case_id],
        ),
        (
            f"SELECT * FROM {t['audit']} WHERE case_id = %s ORDER BY id DESC LIMIT 200",  # noqa: S608
            [case_id],
        ),
    ]
    for table, order, join in by_case:
        statements.append(
            (
                f"SELECT * FROM {table} x {join} WHERE x.case_id = %s ORDER BY x.{order}, x.id",  # noqa: S608
                [case_id],
            )
        )
    return statements


@dataclass(frozen=True)
class WorkbenchFloor:
    """The workbench's question in SQL, list by list as the page asks it: the courts in
    sight by id, then each list's first rows (with their court and leader), and its count
    only when the rows fill the list (cases/workbench.py)."""

    courts: tuple[str, list[Any]] | None
    piles: dict[str, tuple[str, str, list[Any]]]  # key: (rows, count, params)

    def __call__(self, cursor: Any) -> dict[str, int]:
        """Ask it all; each list's total."""
        from huajie.cases.workbench import LIST_LIMIT

        if self.courts:
            cursor.execute(*self.courts)
            cursor.fetchall()
        totals = {}
        for key, (rows, count, params) in self.piles.items():
            cursor.execute(f"{rows} LIMIT {LIST_LIMIT}", params)
            found = len(cursor.fetchall())
            if found == LIST_LIMIT:
                cursor.execute(count, params)
                found = cursor.fetchone()[0]
            totals[key] = found
        return totals


def workbench_floor(user: Any, today: dt.date) -> WorkbenchFloor:
    """`user`'s workbench in SQL, for a court's office or leader (who see their court or
    their area) and a province office (whose lists of "my court" hold the whole province,
    and who alone has the "unallocated" list)."""
    from huajie.accounts.models import Role, Scope
    from huajie.accounts.policy import scope_courts, sight_of
    from huajie.cases.models import CaseStatus, Decision
    from huajie.cases.workbench import OBSERVATION_WARNING_DAYS

    t = _tables()
    sight = sight_of(user)
    province = user.role == Role.PROVINCE_OFFICE and user.scope == Scope.PROVINCE
    assert sight is not None and not sight.everything and user.person_id is not None
    assert province or user.role in (Role.PETITION_OFFICE, Role.COURT_LEADER)
    court = user.court.pk
    courts = None
    if sight.court_id is None:  # the scope as the page names it (scope_ids_q): by id
        courts = (f"SELECT id FROM {t['court']} WHERE path LIKE %s", [f"{sight.prefix}%"])  # noqa: S608
    ids = list(scope_courts(user).values_list("pk", flat=True))
    marks = ", ".join(["%s"] * len(ids))
    in_sight = f"c.court_id IN ({marks})"
    own, own_params = ("TRUE", []) if province else ("c.court_id = %s", [court])
    shown = "c.id, c.ledger_no, c.status, c.observation_last_day, c.updated_at, ct.short_name"
    leader_and_court = (
        f"JOIN {t['court']} ct ON ct.id = c.court_id"
        f" LEFT JOIN {t['person']} p ON p.id = c.leader_id"
    )
    recent = "ORDER BY c.updated_at DESC, c.id DESC"

    def cases(condition: str, params: list[Any], order: str = recent) -> tuple[str, str, list]:
        where = f"{in_sight} AND {condition}"
        return (
            f"SELECT {shown}, p.name FROM {t['case']} c {leader_and_court}"  # noqa: S608
            f" WHERE {where} {order}",
            f"SELECT count(*) FROM {t['case']} c WHERE {where}",  # noqa: S608
            [*ids, *params],
        )

    # A province office's reviews are those its courts review (the case is then in sight);
    # a court's, those of its own court among the cases it sees.
    if province:
        review, review_params = f"r.reviewing_court_id IN ({marks})", ids
    else:
        review, review_params = f"r.reviewing_court_id = %s AND {in_sight}", [court, *ids]
    review = f"r.decision = %s AND {review}"
    columns = ("leader_id", "division_leader_id", "staff_id", "petition_contact_id")
    mine = " OR ".join(f"c.{column} = %s" for column in (*columns, "first_receipt_owner_id"))
    piles = {
        "mine": cases(f"({mine}) AND c.status <> %s", [user.person_id] * 5 + [CaseStatus.ACCEPTED]),
        "review": (
            f"SELECT r.id, r.submitted_at, {shown}, p.name FROM {t['acceptance']} r"  # noqa: S608
            f" JOIN {t['case']} c ON c.id = r.case_id {leader_and_court}"
            f" WHERE {review} ORDER BY r.submitted_at, r.id",
            f"SELECT count(*) FROM {t['acceptance']} r"  # noqa: S608
            f" JOIN {t['case']} c ON c.id = r.case_id WHERE {review}",
            [Decision.PENDING, *review_params],
        ),
        "escalation": cases(
            f"c.id IN (SELECT case_id FROM {t['escalation']}"  # noqa: S608
            " WHERE decision = %s AND to_court_id = %s)",
            [Decision.PENDING, court],
        ),
    }
    if province:
        piles["unallocated"] = cases("c.status = %s", [CaseStatus.UNALLOCATED])
    in_resolution = CaseStatus.IN_RESOLUTION
    piles |= {
        "team": cases(f"{own} AND c.status = %s", [*own_params, CaseStatus.ALLOCATED]),
        "returned": cases(
            f"{own} AND c.status = %s AND c.return_count > 0", [*own_params, in_resolution]
        ),
        "observation": cases(
            "c.status = %s AND c.observation_last_day <= %s",
            [CaseStatus.OBSERVATION, today + dt.timedelta(days=OBSERVATION_WARNING_DAYS)],
            order="ORDER BY c.observation_last_day",
        ),
        "nominal": cases("c.possibly_nominal", []),
        "repetition": cases("c.reopen_count > 0 AND c.status = %s", [in_resolution]),
    }
    return WorkbenchFloor(courts, piles)


@dataclass(frozen=True)
class Window:
    """The moments a dashboard's questions start from."""

    period_start: dt.datetime  # this bulletin period
    campaign_start: dt.datetime  # the campaign's mobilization (the timeline)
    stale_before: dt.datetime  # "no progress since" (the warning)


def figures_floor(path: str, at: Window, *, live: bool) -> list[tuple[str, Any]]:
    """The dashboard's questions: tasks by court and status now, and the period's events;
    for today's page also its warnings' stale cases and its timeline. Today's counts are in
    the summary tables (what a hand-written query would read too); a past day's (a
    bulletin's) are counted from the cases."""
    from huajie.cases.models import OPEN_STATUSES

    t = _tables()
    under = f"{path}%"
    events = (
        f"SELECT a.court_id, a.verb, count(*) FROM {t['audit']} a"  # noqa: S608
        f" JOIN {t['court']} ct ON ct.id = a.court_id"
        f" WHERE ct.path LIKE %s AND a.at >= %s AND a.case_id IS NOT NULL"
        f" GROUP BY a.court_id, a.verb",
        [under, at.period_start],
    )
    if not live:
        counts = (
            f"SELECT c.court_id, c.status, c.origin, count(*),"  # noqa: S608
            f" sum(CASE WHEN c.possibly_nominal THEN 1 ELSE 0 END),"
            f" sum(CASE WHEN c.reopen_count > 0 THEN 1 ELSE 0 END)"
            f" FROM {t['case']} c JOIN {t['court']} ct ON ct.id = c.court_id"
            f" WHERE ct.path LIKE %s GROUP BY c.court_id, c.status, c.origin"
        )
        return [(counts, [under]), events]
    open_statuses = "(" + ", ".join(f"'{status}'" for status in OPEN_STATUSES) + ")"
    return [
        (
            f"SELECT t.court_id, t.status, t.origin, sum(t.cases), sum(t.nominal),"  # noqa: S608
            f" sum(t.reopened) FROM {t['tally']} t JOIN {t['court']} ct ON ct.id = t.court_id"
            f" WHERE ct.path LIKE %s GROUP BY t.court_id, t.status, t.origin",
            [under],
        ),
        events,
        (
            f"SELECT c.court_id, count(*) FROM {t['case']} c"  # noqa: S608
            f" JOIN {t['court']} ct ON ct.id = c.court_id WHERE ct.path LIKE %s"
            f" AND c.status IN {open_statuses} AND c.updated_at < %s GROUP BY c.court_id",
            [under, at.stale_before],
        ),
        (
            f"SELECT v.level, v.period, sum(v.visits) FROM {t['visit_tally']} v"  # noqa: S608
            f" JOIN {t['court']} ct ON ct.id = v.court_id WHERE ct.path LIKE %s"
            f" GROUP BY v.level, v.period",
            [under],
        ),
        (
            f"SELECT a.court_id, count(*) FROM {t['audit']} a"  # noqa: S608
            f" JOIN {t['court']} ct ON ct.id = a.court_id WHERE ct.path LIKE %s"
            f" AND a.verb = 'case.repetition' AND a.at >= %s GROUP BY a.court_id",
            [under, at.campaign_start],
        ),
    ]


def run(args: argparse.Namespace) -> list[Measure]:
    from django.db.models import Count

    from huajie.bulletins.content import compose, period_end_for
    from huajie.bulletins.render import render_all
    from huajie.cases.keyset import keyset_page, with_sort_key
    from huajie.cases.models import CaseStatus, PetitionCase
    from huajie.core import clock
    from huajie.courts.models import Court, CourtLevel, nation
    from huajie.supervision import metrics
    from huajie.supervision.dashboard import stale_after_days

    bench = Bench(args.repeat, tuple(filter(None, args.only.split(","))))
    today = clock.today()
    cases = PetitionCase.objects.count()
    print(f"数据：{cases} 件案件，{Court.objects.count()} 个法院，今天按 {today} 计", flush=True)

    # The busiest province, its busiest intermediate court and basic court.
    def busiest(level: str, under: str = "") -> Court:
        row = (
            PetitionCase.objects.filter(court__path__startswith=under)
            .values("court__path")
            .order_by()
            .annotate(n=Count("pk"))
            .order_by("-n")
            .first()
        )
        assert row is not None
        path = row["court__path"]
        prefixes = [path[: i + 5] for i in range(0, len(path), 5)]
        return Court.objects.get(level=level, path__in=prefixes)

    province = busiest(CourtLevel.HIGH)
    city = busiest(CourtLevel.INTERMEDIATE, province.path)
    basic = busiest(CourtLevel.BASIC, city.path)
    supervisor = _account(city, "xf")
    status = CaseStatus.IN_RESOLUTION

    # Case list: an intermediate court's supervisor, its area, one status; first and deep page.
    bench.login(supervisor)
    query = f"status={status}"
    bench.page(
        "list.first",
        f"案件列表首页（{city.short_name}及下级，化解中）",
        f"/cases/?{query}",
        bench.asked(list_floor(city.path, status, None)),
    )
    qs = with_sort_key(
        PetitionCase.objects.filter(court__path__startswith=city.path, status=status), "ledger_no"
    )
    total = qs.count()
    deep = max(1, (total // 50) * 3 // 4)
    seek_row = list(qs.values_list("ledger_no", "pk")[deep * 50 - 1 : deep * 50])
    page = keyset_page(qs, sort="ledger_no", size=50)
    if seek_row:
        from huajie.cases.keyset import Cursor

        cursor = Cursor(seek_row[0][0], seek_row[0][1]).encode()
        bench.page(
            "list.deep",
            f"案件列表第 {deep + 1} 页（共 {page.pages} 页）",
            f"/cases/?{query}&after={cursor}&p={deep + 1}",
            bench.asked(list_floor(city.path, status, seek_row[0])),
        )

    # The province office's list as it opens: the whole province, in ledger order.
    bench.login(_account(province, "xf"))
    bench.page(
        "list.province",
        f"案件列表首页（{province.short_name}全省，不筛选）",
        "/cases/",
        bench.asked(list_floor(province.path, None, None)),
    )

    # Its search box: a common surname over the whole province.
    bench.page(
        "list.search",
        f"案件列表搜索（{province.short_name}全省，信访人姓「张」）",
        "/cases/?q=张",
        bench.asked(list_floor(province.path, None, None, search="张")),
    )

    # The case page of a case with a long history, seen by its court's office.
    busy_case = (
        PetitionCase.objects.filter(court=basic).order_by("-version", "pk").values("pk").first()
    )
    assert busy_case is not None
    bench.login(_account(basic, "xf"))
    bench.page(
        "case.page",
        f"案件详情（{basic.short_name}）",
        f"/cases/{busy_case['pk']}/",
        bench.sql(case_floor(busy_case["pk"])),
    )

    # The workbench of the basic court's leader and office.
    for name, court, suffix, what in (
        ("workbench.leader", basic, "ld", f"工作台（{basic.short_name}院领导）"),
        ("workbench.office", basic, "xf", f"工作台（{basic.short_name}信访办）"),
        # The province office's: its lists span the province (reviews, flags, re-petitions).
        ("workbench.province", province, "xf", f"工作台（{province.short_name}信访办，全省）"),
    ):
        user = bench.login(_account(court, suffix))
        bench.page(name, what, "/workbench/", bench.asked(workbench_floor(user, today)))

    # Dashboards: the province office sees its province; a city's supervisor its area.
    campaign = metrics.campaign_on(today)
    assert campaign is not None
    period = metrics.period_as_of(campaign, today)
    window = Window(
        period_start=clock.start_of_day(period.start),
        campaign_start=clock.start_of_day(campaign.mobilization_start),
        stale_before=clock.start_of_day(today - dt.timedelta(days=stale_after_days())),
    )
    bench.login(_account(province, "xf"))
    bench.page(
        "dashboard.province",
        f"监控看板（{province.short_name}全省）",
        "/supervision/",
        bench.sql(figures_floor(province.path, window, live=True)),
        repeat=max(5, args.repeat // 3),
    )
    bench.login(supervisor)
    bench.page(
        "dashboard.city",
        f"监控看板（{city.short_name}辖区）",
        "/supervision/",
        bench.sql(figures_floor(city.path, window, live=True)),
        repeat=max(5, args.repeat // 3),
    )

    # The bulletin of the province: figures, then the three files.
    period_obj, as_of = period_end_for(campaign, today)

    def bulletin() -> None:
        snap = metrics.snapshot(campaign, as_of, province, since=period_obj.start)
        render_all(compose(snap, period_obj, None), as_of)

    bench.measure(
        "bulletin.province",
        f"双周通报（{province.short_name}，docx+pdf+xlsx）",
        bulletin,
        bench.sql(figures_floor(province.path, window, live=False)),
        repeat=3,
    )

    # The nation: national supervision's dashboard (every province on one page), and its
    # figures alone (the same grouped queries over every court, what a national report counts).
    # Warm: the provinces' past progress points are computed and remembered by the first
    # view (see docs/performance.md for what that first view costs).
    bench.login(_national_account())
    bench.page(
        "list.nation",
        "案件列表首页（全国，不筛选；法院筛选项 3,500 个）",
        "/cases/",
        bench.asked(list_floor("", None, None, every_court=True)),
    )
    bench.page(
        "dashboard.nation",
        f"监控看板（全国 {Court.objects.filter(parent=None).count()} 个省级辖区）",
        "/supervision/",
        bench.sql(figures_floor("", window, live=True)),
        repeat=max(5, args.repeat // 3),
    )

    def national_bulletin() -> None:
        snap = metrics.snapshot(campaign, as_of, nation(), since=period_obj.start)
        render_all(compose(snap, period_obj, None), as_of)

    bench.measure(
        "bulletin.nation",
        "全国双周通报（各省排名，docx+pdf+xlsx）",
        national_bulletin,
        bench.sql(figures_floor("", window, live=False)),
        repeat=3,
    )
    bench.measure(
        "figures.nation",
        "全国统计数字（不含页面）",
        lambda: metrics.snapshot(campaign, today, nation()),
        bench.sql(figures_floor("", window, live=True)),
        repeat=max(5, args.repeat // 3),
    )
    return bench.results


def _national_account() -> str:
    """synth_nation (national supervision); a dataset made before it existed has only the
    superuser, who sees the same national page."""
    from huajie.accounts.models import User
    from huajie.demo.synth import ADMIN_USERNAME, NATION_USERNAME

    if User.objects.filter(username=NATION_USERNAME).exists():
        return NATION_USERNAME
    return ADMIN_USERNAME


def _account(court: Any, suffix: str) -> str:
    from huajie.accounts.models import User

    user = User.objects.filter(person__court=court, username__endswith=f"_{suffix}").first()
    if user is None:
        raise SystemExit(f"{court} 没有 _{suffix} 账户：数据集不是 huajie synth 生成的")
    return user.username


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.pages", description=__doc__)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--courts", type=int, default=3500)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--as-of", default="2019-09-30")
    parser.add_argument("--reuse", action="store_true", help="reuse the SQLite file if present")
    parser.add_argument(
        "--only", default="", help="measure only these scenarios, e.g. list.,case.page"
    )
    args = parser.parse_args(argv)
    _setup(args)
    from django.db import connection

    engine = connection.vendor
    print(f"页面基准：{engine}，{args.cases} 件，每项 {args.repeat} 次", flush=True)
    results = run(args)
    part = "-only" if args.only else ""  # a partial run leaves the whole run's file alone
    out = ROOT / "var" / "bench" / f"pages-{engine}-{args.cases}{part}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(
            {
                "engine": engine,
                "cases": args.cases,
                "courts": args.courts,
                "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "machine": f"{platform.machine()}, {os.cpu_count()} cores",
                "python": platform.python_version(),
                "results": [{**asdict(r), "ratio": r.ratio} for r in results],
            },
            ensure_ascii=False,
            indent=2,
        )
    )
    print(f"结果：{out}")


if __name__ == "__main__":
    main()
