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
        self.asking: list[tuple[str, Any]] = []  # asker_floor of the user signed in
        # As a web worker serves (config/gunicorn.py): what is loaded is frozen out of
        # the collector's full passes.
        gc.freeze()

    def login(self, username: str) -> Any:
        from huajie.accounts.models import User

        user = User.objects.select_related("person__court").get(username=username)
        self.client.force_login(user)
        self.asking = asker_floor(self.client.session.session_key, user.pk)
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

    def with_asker(self, floor: Callable[[], object]) -> Callable[[], None]:
        """A page's floor with what every signed-in page asks first (`asker_floor`)."""
        asking = self.sql(self.asking)

        def run() -> None:
            asking()
            floor()

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
        if floor is not None:
            floor = self.with_asker(floor)

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
    """The list's question in SQL, statement by statement as the page asks it: the courts
    in sight (the filter's choices and the scope's ids), how many cases match (counted
    with the page's ids when searching, as `keyset_page(count_in_one_pass=True)` does),
    the page's ids, then only their rows and their petitioners."""

    courts: tuple[str, list[Any]]
    count: tuple[str, list[Any]] | None  # None: counted with the page
    page: tuple[str, list[Any]]
    rows: str  # formatted with the page's ids
    names: str

    def __call__(self, cursor: Any) -> int:
        """Ask it all; the number of matching cases."""
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
    # The courts in sight: the filter's choices, and the scope as the list names it
    # (accounts.policy.scope_ids_q), by the courts' ids.
    courts = (
        f"SELECT id, name FROM {t['court']} WHERE path LIKE %s ORDER BY path",  # noqa: S608
        [f"{path}%"],
    )
    if not every_court:
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


def asker_floor(session_key: str | None, user_id: int) -> list[tuple[str, Any]]:
    """What every signed-in page asks before its own question: the session, the user with
    their person and court (policy scopes everything by them), and the unread notifications
    (the header's badge)."""
    from django.contrib.sessions.models import Session

    from huajie.cases.models import Notification
    from huajie.core import clock

    t = _tables()
    return [
        (
            f"SELECT session_key, session_data, expire_date FROM {Session._meta.db_table}"  # noqa: S608
            " WHERE session_key = %s AND expire_date > %s",
            [session_key, clock.now()],
        ),
        (
            f"SELECT u.*, p.*, ct.* FROM {t['user']} u"  # noqa: S608
            f" LEFT JOIN {t['person']} p ON p.id = u.person_id"
            f" LEFT JOIN {t['court']} ct ON ct.id = p.court_id WHERE u.id = %s",
            [user_id],
        ),
        (
            f"SELECT count(*) FROM {Notification._meta.db_table}"  # noqa: S608
            " WHERE recipient_id = %s AND read_at IS NULL",
            [user_id],
        ),
    ]


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
    """The day a dashboard is of, and the moments its questions start from."""

    campaign_id: int
    campaign_year: int
    period: int  # this bulletin period's number (the visit tally's bucket)
    period_start: dt.datetime  # this bulletin period
    campaign_start: dt.datetime  # the campaign's mobilization (the timeline)
    stale_before: dt.datetime  # "no progress since" (the warning)
    end: dt.datetime  # the end of the day
    observation_due: dt.date  # observation periods ending by then (the warning)
    memo_days: tuple[dt.date, ...]  # the progress chart's past month-ends


def window_of(campaign: Any, today: dt.date) -> Window:
    from huajie.core import clock
    from huajie.supervision import metrics
    from huajie.supervision.dashboard import OBSERVATION_WARNING_DAYS, stale_after_days

    period = metrics.period_as_of(campaign, today)
    return Window(
        campaign_id=campaign.pk,
        campaign_year=campaign.year,
        period=period.number,
        period_start=clock.start_of_day(period.start),
        campaign_start=clock.start_of_day(min(campaign.mobilization_start, today)),
        stale_before=clock.start_of_day(today - dt.timedelta(days=stale_after_days())),
        end=metrics.end_of(today),
        observation_due=today + dt.timedelta(days=OBSERVATION_WARNING_DAYS),
        memo_days=tuple(metrics.progress_points(campaign, today)[:-1]),
    )


def _json_is(column: str, key: str) -> str:
    """`column`'s `key` equals the parameter given as JSON text (as Django's JSONField
    lookup writes it on PostgreSQL, so that the partial index's condition is met)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return f"({column} -> '{key}') = %s::jsonb"
    return f"json_extract({column}, '$.{key}') = json_extract(%s, '$')"


def _local_day(column: str) -> str:
    """The day in China of a stored time."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return f"({column} AT TIME ZONE 'Asia/Shanghai')::date"
    return f"date({column}, '+8 hours')"


@dataclass(frozen=True)
class DashboardFloor:
    """The dashboard's questions in SQL, named (tests/test_bench_floors.py compares the
    answers with the page's figures). `figures`: the snapshot's alone."""

    statements: dict[str, tuple[str, list[Any]]]

    def __call__(self, cursor: Any) -> dict[str, list[tuple[Any, ...]]]:
        answers = {}
        for name, (statement, params) in self.statements.items():
            cursor.execute(statement, params)
            answers[name] = cursor.fetchall()
        return answers


def dashboard_floor(path: str, at: Window, *, figures_only: bool = False) -> DashboardFloor:
    """Today's dashboard of the courts under `path` ("" for the nation), as the page asks
    it: the province's courts; the tasks by court, origin and status from the case tally;
    the period's events at those courts on the campaign's cases of the province (every
    case's of the campaign for the nation: first in it, or carried into it), the
    acceptances and met standards of stock cases; the period's visits from the visit
    tally; then the warnings (flagged, stale, soon-due cases), the progress chart's
    remembered month-ends and the timeline (re-petitions by day, visits by period)."""
    from huajie.cases.models import OPEN_STATUSES, CaseStatus, Origin
    from huajie.courts.models import Court
    from huajie.supervision.models import ProgressMemo

    t = _tables()
    root = path[:5]
    statements: dict[str, tuple[str, list[Any]]] = {
        "courts": (
            f"SELECT id, parent_id, path, short_name, level FROM {t['court']}"  # noqa: S608
            " WHERE path LIKE %s ORDER BY path",
            [f"{root}%"],
        )
    }
    under = list(Court.objects.filter(path__startswith=path).values_list("pk", flat=True))
    everywhere = list(Court.objects.filter(path__startswith=root).values_list("pk", flat=True))

    def courts_of(column: str, ids: list[int]) -> tuple[str, list[Any]]:
        if not path:
            return "TRUE", []
        return f"{column} IN ({', '.join(['%s'] * len(ids))})", list(ids)

    in_sight, sight = courts_of("x.court_id", under)
    in_province, province = courts_of("m.court_id", everywhere)
    carried = (
        f"SELECT case_id FROM {t['audit']} WHERE verb = 'case.carry_over' AND at < %s"  # noqa: S608
        f" AND {_json_is('after', 'campaign')}"
    )
    member = (
        f"JOIN {t['case']} m ON m.id = x.case_id WHERE {in_province}"
        f" AND (m.first_campaign_id = %s OR m.id IN ({carried}))"
    )
    member_params = [*province, at.campaign_id, at.end, str(at.campaign_year)]
    met = _json_is("x.after", "status")
    stock = f"m.origin = '{Origin.STOCK}'"
    statements["cases"] = (
        f"SELECT x.court_id, x.origin, x.status, sum(x.cases), sum(x.nominal),"  # noqa: S608
        f" sum(x.reopened) FROM {t['tally']} x WHERE x.campaign_id = %s AND {in_sight}"
        f" GROUP BY x.court_id, x.origin, x.status",
        [at.campaign_id, *sight],
    )
    statements["events"] = (
        f"SELECT x.court_id,"  # noqa: S608
        f" sum(CASE WHEN x.verb = 'case.repetition' THEN 1 ELSE 0 END),"
        f" sum(CASE WHEN x.verb = 'case.return' THEN 1 ELSE 0 END),"
        f" sum(CASE WHEN x.verb = 'case.accept' AND {stock} THEN 1 ELSE 0 END),"
        f" sum(CASE WHEN {met} AND {stock} THEN 1 ELSE 0 END)"
        f" FROM {t['audit']} x {member} AND {in_sight} AND x.at >= %s AND x.at < %s"
        f" AND (x.verb IN ('case.repetition', 'case.return', 'case.accept') OR {met})"
        f" GROUP BY x.court_id",
        [
            '"met_standard"',
            *member_params,
            *sight,
            at.period_start,
            at.end,
            '"met_standard"',
        ],
    )
    statements["visits"] = (
        f"SELECT x.court_id, x.level, sum(x.visits) FROM {t['visit_tally']} x"  # noqa: S608
        f" WHERE x.campaign_id = %s AND x.period = %s AND {in_sight}"
        f" GROUP BY x.court_id, x.level",
        [at.campaign_id, at.period, *sight],
    )
    if figures_only:
        return DashboardFloor(statements)
    open_statuses = ", ".join(f"'{status}'" for status in OPEN_STATUSES)
    statements |= {
        "flags": (
            f"SELECT x.court_id, sum(x.nominal),"  # noqa: S608
            f" sum(CASE WHEN x.status = '{CaseStatus.IN_RESOLUTION}' THEN x.reopened ELSE 0 END)"
            f" FROM {t['tally']} x WHERE x.current AND {in_sight} GROUP BY x.court_id",
            sight,
        ),
        "stale": (
            f"SELECT x.court_id, count(*) FROM {t['case']} x WHERE {in_sight}"  # noqa: S608
            f" AND x.status IN ({open_statuses}) AND x.updated_at < %s GROUP BY x.court_id",
            [*sight, at.stale_before],
        ),
        "observation": (
            f"SELECT x.court_id, count(*) FROM {t['case']} x WHERE {in_sight}"  # noqa: S608
            f" AND x.status = '{CaseStatus.OBSERVATION}' AND x.observation_last_day <= %s"
            " GROUP BY x.court_id",
            [*sight, at.observation_due],
        ),
        "progress": (
            f"SELECT m.court_id, m.day, m.tasks, m.accepted"  # noqa: S608
            f" FROM {ProgressMemo._meta.db_table} m JOIN {t['court']} ct ON ct.id = m.court_id"
            f" WHERE m.campaign_id = %s AND ct.path {'= %s' if path else 'LIKE %s'}"
            f" AND m.day IN ({', '.join(['%s'] * len(at.memo_days)) or 'NULL'})",
            [at.campaign_id, path or "_____", *at.memo_days],
        ),
        "repetitions": (
            f"SELECT {_local_day('x.at')}, count(*) FROM {t['audit']} x {member}"  # noqa: S608
            f" AND {in_sight} AND x.verb = 'case.repetition' AND x.at >= %s AND x.at < %s"
            f" GROUP BY {_local_day('x.at')}",
            [*member_params, *sight, at.campaign_start, at.end],
        ),
        "timeline_visits": (
            f"SELECT x.level, x.period, sum(x.visits) FROM {t['visit_tally']} x"  # noqa: S608
            f" WHERE x.campaign_id = %s AND {in_sight} GROUP BY x.level, x.period",
            [at.campaign_id, *sight],
        ),
    }
    return DashboardFloor(statements)


def bulletin_page_floor(bulletin_id: int, province_path: str) -> list[tuple[str, Any]]:
    """An issued bulletin as its readers open it: its row, with its stored figures and its
    campaign, found among the bulletins published to the reader's province."""
    from huajie.bulletins.models import Bulletin

    t = _tables()
    return [
        (
            f"SELECT b.*, cp.* FROM {Bulletin._meta.db_table} b"  # noqa: S608
            f" JOIN {t['campaign']} cp ON cp.id = b.campaign_id"
            f" JOIN {t['court']} ct ON ct.id = b.province_id"
            " WHERE b.id = %s AND ct.path = %s",
            [bulletin_id, province_path],
        )
    ]


def _issued_bulletin(province: Any, campaign: Any, today: dt.date) -> Any:
    """The province's latest bulletin of `campaign`, issued now if it has none (the first
    run on a dataset issues it, as the province office does once a period)."""
    from huajie.bulletins import services
    from huajie.bulletins.models import Bulletin

    issued = Bulletin.objects.filter(province=province, campaign=campaign).order_by("-number")
    return issued.first() or services.bulletin_issue(
        province=province, campaign=campaign, as_of=today, actor=None
    )


def bulletin_floor(path: str, at: Window) -> list[tuple[str, Any]]:
    """The bulletin's questions of a past day: the tasks by court, status and origin
    counted from the cases, and the period's events (a lower bound: the bulletin rebuilds
    each case's state that day from the audit history)."""
    t = _tables()
    under = f"{path}%"
    return [
        (
            f"SELECT c.court_id, c.status, c.origin, count(*),"  # noqa: S608
            f" sum(CASE WHEN c.possibly_nominal THEN 1 ELSE 0 END),"
            f" sum(CASE WHEN c.reopen_count > 0 THEN 1 ELSE 0 END)"
            f" FROM {t['case']} c JOIN {t['court']} ct ON ct.id = c.court_id"
            f" WHERE ct.path LIKE %s GROUP BY c.court_id, c.status, c.origin",
            [under],
        ),
        (
            f"SELECT a.court_id, a.verb, count(*) FROM {t['audit']} a"  # noqa: S608
            f" JOIN {t['court']} ct ON ct.id = a.court_id"
            f" WHERE ct.path LIKE %s AND a.at >= %s AND a.case_id IS NOT NULL"
            f" GROUP BY a.court_id, a.verb",
            [under, at.period_start],
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
    window = window_of(campaign, today)
    bench.login(_account(province, "xf"))
    bench.page(
        "dashboard.province",
        f"监控看板（{province.short_name}全省）",
        "/supervision/",
        bench.asked(dashboard_floor(province.path, window)),
        repeat=max(5, args.repeat // 3),
    )
    bench.login(supervisor)
    bench.page(
        "dashboard.city",
        f"监控看板（{city.short_name}辖区）",
        "/supervision/",
        bench.asked(dashboard_floor(city.path, window)),
        repeat=max(5, args.repeat // 3),
    )

    # The bulletin of the province: figures, then the three files.
    period_obj, as_of = period_end_for(campaign, today)

    def bulletin_figures() -> dict[str, Any]:
        snap = metrics.snapshot(campaign, as_of, province, since=period_obj.start)
        return compose(snap, period_obj, None)

    # The figures alone first: the question the floor asks. The whole bulletin adds the three
    # files, which no SQL writes (docs/performance.md).
    bench.measure(
        "bulletin.province.figures",
        f"双周通报的统计数字（{province.short_name}，不含文件）",
        bulletin_figures,
        bench.sql(bulletin_floor(province.path, window)),
        repeat=max(5, args.repeat // 3),
    )
    bench.measure(
        "bulletin.province",
        f"双周通报（{province.short_name}，docx+pdf+xlsx）",
        lambda: render_all(bulletin_figures(), as_of),
        bench.sql(bulletin_floor(province.path, window)),
        repeat=max(3, args.repeat // 3),
    )

    # The bulletin as its readers open it: issuing it (above) wrote its figures and its three
    # files once; its page shows the stored figures and its downloads send the stored files.
    bulletin = _issued_bulletin(province, campaign, today)
    bench.login(_account(province, "xf"))
    page_floor = bench.sql(bulletin_page_floor(bulletin.pk, province.path))
    bench.page(
        "bulletin.page",
        f"双周通报页面（{province.short_name}第{bulletin.number}期）",
        f"/bulletins/{bulletin.pk}/",
        page_floor,
    )
    bench.page(
        "bulletin.download",
        f"双周通报 Word 文件下载（{province.short_name}第{bulletin.number}期，校验后发送）",
        f"/bulletins/{bulletin.pk}/docx/",
        page_floor,
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
        bench.asked(dashboard_floor("", window)),
        repeat=max(5, args.repeat // 3),
    )

    def national_bulletin() -> None:
        snap = metrics.snapshot(campaign, as_of, nation(), since=period_obj.start)
        render_all(compose(snap, period_obj, None), as_of)

    bench.measure(
        "bulletin.nation",
        "全国双周通报（各省排名，docx+pdf+xlsx）",
        national_bulletin,
        bench.sql(bulletin_floor("", window)),
        repeat=3,
    )
    bench.measure(
        "figures.nation",
        "全国统计数字（不含页面）",
        lambda: metrics.snapshot(campaign, today, nation()),
        bench.asked(dashboard_floor("", window, figures_only=True)),
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
