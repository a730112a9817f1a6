"""The supervision numbers (R13, R16-R18, R20): one set of pure selectors that the dashboard,
the bulletin, the assessment, the summary report and the tests all share.

## What is counted

- **Tasks (任务数)** of a campaign are its stock cases (存量, `origin=stock`): the cases the
  high court allocated at the start, plus stock carried over into it from an earlier year.
  A case belongs to campaign C when its `first_campaign` is C, or when it was carried over
  into C (the `case.carry_over` audit event); once in C's ledger it stays in C's figures, so
  carrying the open stock into next year does not change this year's numbers.
- **New petitions (增量, R14)** are counted apart (`new`, `new_accepted`): they are not tasks
  and do not enter the rate.
- **Met the standard (达到化解标准)**: a task whose status is 已达化解标准, 待验收 or 已验收.
- **Accepted (已验收)**: a task whose status is 已验收 — the only "resolved" (R11).
- **Rate (化解率)** = accepted / tasks (None when a court has no task).
- **Reopened cases (重新信访案件)**: cases (stock and new) with at least one re-petition
  (`case.repetition`) by the day; **re-petitions in a period (件次)** count the events, at the
  court that held the case when it was reopened. A visit inside the observation year is not a
  re-petition (docs/lifecycle.md) and is not counted.
- **Returned acceptances (验收退回, 件次)** count `case.return` events at the court whose
  submission was returned.
- **Reached the standard / accepted in a period (件次)** count the events into 已达化解标准
  and `case.accept` of tasks in the period, at the court of the event.
- **New Beijing/province visits in a period**: `Visit` rows of level 进京/赴省 whose
  `visited_on` is in the period, at the court responsible for the case at the end of the day.
- **Possibly nominal (疑似挂名包案)**: the daily rule's flag (R8), all cases.
- **Overdue (逾期)**: after the campaign's deadline, every task not yet accepted.
- **Expected pace (序时进度)**: linear from the first day of concentrated resolution (0 %)
  to the deadline (100 %): on day D it is (D − start + 1) / (deadline − start + 1). A court
  with tasks whose rate is below it is behind pace.

## "As of" a day

Figures "as of D" are what the system knew at the end of day D (Beijing time): they never
change afterwards, whatever happens to the cases later, so a bulletin recomputed for a past
period gives the figures it gave then.

The method: every change of a case's status or court is written, in the same transaction,
as an audit event (`huajie.audit`) whose `after` holds the new status and whose `court_id`
is the responsible court after the change (`case.create` means 待交办 at the holding court,
`case.first_receipt` means 待组建专班). So **the status and the responsible court of a case
as of D are those of its last such event before the end of D** — exact across allocation,
escalation (the case moves up), acceptance and the re-petition that un-accepts it. The
possibly-nominal flag as of D is a `case.nominal_flag` event not followed, by D, by one that
clears the flag (the leader's activity, a change of leader, escalation). Time is the
recording time (`AuditEvent.at`, `Visit.recorded_at`), not a date typed in later: a promise
entered on 20 June with the date 10 June counts from 20 June.

Every selector is a fixed number of aggregate queries (GROUP BY court), whatever the number
of courts or cases; courts are rolled up into areas in Python from the court rows.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass, field, fields
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce, TruncDate

from huajie.audit.models import AuditEvent
from huajie.cases import tally
from huajie.cases.models import (
    Campaign,
    CaseStatus,
    Origin,
    PetitionCase,
    Visit,
    VisitLevel,
)
from huajie.cases.periods import PERIOD_DAYS, last_period_number, period_number
from huajie.core import clock
from huajie.core.planner import Unindexed
from huajie.core.prepared import PreparedQuery
from huajie.courts.models import PATH_STEP, Court

MET_STATUSES = (CaseStatus.MET_STANDARD, CaseStatus.SUBMITTED, CaseStatus.ACCEPTED)
# Events that set a status without writing it into `after`.
IMPLIED_STATUS = {"case.create": CaseStatus.UNALLOCATED, "case.first_receipt": CaseStatus.ALLOCATED}
REPETITION = "case.repetition"
RETURN = "case.return"
ACCEPT = "case.accept"
NOMINAL_FLAG = "case.nominal_flag"
CARRY_OVER = "case.carry_over"
# Events after which a case is no longer possibly nominal (see huajie.cases.services).
NOMINAL_CLEARED_BY = ("case.leader_activity", "case.escalate")


# --- time ----------------------------------------------------------------------------------


def end_of(day: dt.date) -> dt.datetime:
    """The first moment after `day` (Beijing time): "as of D" means before this."""
    return clock.start_of_day(day + dt.timedelta(days=1))


@dataclass(frozen=True)
class Period:
    """A bulletin period: number N (第N期) and its first and last day."""

    number: int
    start: dt.date
    end: dt.date

    @property
    def label(self) -> str:
        return f"{_cn_date(self.start)}至{_cn_date(self.end, self.start.year)}"


def _cn_date(day: dt.date, same_year: int | None = None) -> str:
    if same_year == day.year:
        return f"{day.month}月{day.day}日"
    return f"{day.year}年{day.month}月{day.day}日"


def bulletin_period(campaign: Campaign, number: int) -> Period:
    """Period N: 14 days from the start of concentrated resolution, the last cut at the
    deadline."""
    if not 1 <= number <= last_period_number(campaign):
        raise ValueError(f"no period {number} in {campaign}")
    start = campaign.concentrated_start + dt.timedelta(days=PERIOD_DAYS * (number - 1))
    end = min(start + dt.timedelta(days=PERIOD_DAYS - 1), campaign.deadline)
    return Period(number, start, end)


def period_as_of(campaign: Campaign, day: dt.date) -> Period:
    """The period containing `day`, ending on `day` (the dashboard's "this period")."""
    number = period_number(campaign, day)
    if number == 0:
        return Period(0, min(campaign.mobilization_start, day), day)
    start = bulletin_period(campaign, number).start
    return Period(number, start, max(day, start))


def expected_rate(campaign: Campaign, day: dt.date) -> float:
    """The expected pace on `day`: linear from concentrated start to the deadline."""
    total = (campaign.deadline - campaign.concentrated_start).days + 1
    done = (day - campaign.concentrated_start).days + 1
    return min(max(done / total, 0.0), 1.0)


# Asked by every supervision page: compiled once a day (`PreparedQuery`).
_BEGUN_BY = PreparedQuery(
    lambda *, day: Campaign.objects.filter(mobilization_start__lte=day).order_by("-year")[:1],
    parameters=0,
)


def campaign_on(day: dt.date) -> Campaign | None:
    """The campaign in force on `day`: the latest one that had begun, else the first."""
    found = _BEGUN_BY(shape=day, day=day)
    return found[0] if found else Campaign.objects.order_by("year").first()


# --- the state of every case as of a day ---------------------------------------------------


def _state_events(cutoff: dt.datetime) -> QuerySet[AuditEvent]:
    """Audit events that set a case's status (and so name its court), recorded by `cutoff`."""
    return AuditEvent.objects.filter(case_id__isnull=False, at__lt=cutoff).filter(
        Q(after__has_key="status") | Q(verb__in=list(IMPLIED_STATUS))
    )


def _status_of_event() -> Case:
    return Case(
        *(When(verb=verb, then=Value(str(status))) for verb, status in IMPLIED_STATUS.items()),
        default=KT("after__status"),
        output_field=CharField(),
    )


def _nominal_as_of(cutoff: dt.datetime) -> Exists:
    """A nominal flag by `cutoff` that nothing recorded after it (by `cutoff`) cleared."""
    leader_changed = ~Q(
        lb=F("la")  # the leader ids before and after a team change, "" for none
    )
    clearing = (
        AuditEvent.objects.filter(
            case_id=OuterRef(OuterRef("pk")), at__lt=cutoff, id__gt=OuterRef("id")
        )
        .annotate(
            lb=Coalesce(Cast(KT("before__leader"), CharField()), Value("")),
            la=Coalesce(Cast(KT("after__leader"), CharField()), Value("")),
        )
        .filter(Q(verb__in=NOMINAL_CLEARED_BY) | (Q(verb="case.team") & leader_changed))
    )
    flags = _events_of_case(OuterRef("pk"), NOMINAL_FLAG, cutoff)
    return Exists(flags.filter(~Exists(clearing)))


def _events_of_case(case: OuterRef, verb: str, cutoff: dt.datetime) -> QuerySet[AuditEvent]:
    """One case's events of one kind recorded by `cutoff`, found by the case: the verb is
    `Unindexed`, or SQLite reads every such event of the country for each case (core.planner)."""
    return AuditEvent.objects.alias(kind=Unindexed("verb")).filter(
        case_id=case, kind=verb, at__lt=cutoff
    )


def recorded_after(cutoff: dt.datetime) -> bool:
    """Whether anything was recorded at or after `cutoff` (one indexed look-up)."""
    return AuditEvent.objects.filter(at__gte=cutoff).exists()


def _province_cases(campaign: Campaign, cutoff: dt.datetime, province: Court) -> QuerySet:
    """The cases of `campaign` whose court is in the province of `province`.

    A case never leaves its province (allocation and escalation stay inside it), so the
    current court is a safe first filter; it is given as a list of court ids so that the
    planner starts from the (court, status) index instead of from every case of the year.
    For the nation (`courts.models.nation()`) there is no court condition."""
    carried_in = AuditEvent.objects.filter(
        verb=CARRY_OVER, at__lt=cutoff, after__campaign=campaign.year
    ).values("case_id")
    if province.is_nation:
        return PetitionCase.objects.filter(Q(first_campaign=campaign) | Q(pk__in=carried_in))
    # Literal ids, not a subquery: PostgreSQL then reads the cases court by court from the
    # (first_campaign, court, status) index; a subquery made it scan every case of the
    # nation (400 ms at 1,000,000) and misjudge the plans built on them.
    courts = province.province_court_ids
    # The court condition in each branch of the OR, so that the first branch is one look-up
    # of the (first_campaign, court, status) index per court.
    return PetitionCase.objects.filter(
        Q(first_campaign=campaign, court_id__any_of=courts)
        | Q(pk__in=carried_in, court_id__any_of=courts)
    )


def campaign_cases(
    campaign: Campaign, day: dt.date, province: Court, *, live: bool | None = None
) -> QuerySet[Any]:
    """The cases of `campaign` in `province` as of `day`, annotated with `asof_court`,
    `asof_status`, `asof_nominal` and `asof_reopened` (cases that did not exist yet are
    left out).

    When nothing has been recorded after the end of `day` (today's figures, the usual
    dashboard), the state as of `day` is the cases' current columns: every service writes
    the column and the audit event in one transaction (tests/supervision/test_metrics.py
    compares both ways on a generated province). Reading the columns costs one look-up per
    case instead of several into the audit log; the counts of today's cases do not read the
    cases at all but the case tally (`_count_cases`). `live=False` forces the history."""
    cutoff = end_of(day)
    cases = _province_cases(campaign, cutoff, province)
    if live is None:
        live = not recorded_after(cutoff)
    if live:
        return cases.annotate(
            asof_court=F("court_id"),
            asof_status=F("status"),
            asof_nominal=F("possibly_nominal"),
            asof_reopened=Q(reopen_count__gt=0),
        )
    reopened = _events_of_case(OuterRef("pk"), REPETITION, cutoff)
    last = _state_events(cutoff).filter(case_id=OuterRef("pk")).order_by("-id")
    return (
        cases.annotate(
            asof_court=Subquery(last.values("court_id")[:1]),
            asof_status=Subquery(last.annotate(s=_status_of_event()).values("s")[:1]),
        )
        .filter(asof_status__isnull=False)
        .annotate(asof_nominal=_nominal_as_of(cutoff), asof_reopened=Exists(reopened))
    )


# --- figures -------------------------------------------------------------------------------


@dataclass
class Figures:
    """The counts of one court, or summed over an area or the province."""

    tasks: int = 0
    statuses: dict[str, int] = field(default_factory=dict)  # tasks by status
    new: int = 0  # new petitions (增量)
    new_accepted: int = 0
    nominal: int = 0
    reopened_cases: int = 0
    overdue: int = 0
    met_period: int = 0  # 件次
    accepted_period: int = 0  # 件次
    reopened_period: int = 0  # 件次
    returned_period: int = 0  # 件次
    visits_beijing_period: int = 0
    visits_province_period: int = 0

    @property
    def accepted(self) -> int:
        return self.statuses.get(CaseStatus.ACCEPTED, 0)

    @property
    def met(self) -> int:
        return sum(self.statuses.get(s, 0) for s in MET_STATUSES)

    @property
    def open(self) -> int:
        return self.tasks - self.accepted

    @property
    def rate(self) -> float | None:
        return self.accepted / self.tasks if self.tasks else None

    @property
    def visits_period(self) -> int:
        return self.visits_beijing_period + self.visits_province_period

    def add(self, other: Figures) -> None:
        statuses = self.statuses
        for status, n in other.statuses.items():
            statuses[status] = statuses.get(status, 0) + n
        for name in _COUNTS:  # a national page adds thousands of courts: no reflection here
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_dict(self) -> dict[str, object]:
        """Everything, derived figures included, for JSON (charts and frozen bulletins)."""
        data: dict[str, object] = {f.name: getattr(self, f.name) for f in fields(self)}
        data["statuses"] = {s: self.statuses.get(s, 0) for s in CaseStatus.values}
        data.update(
            accepted=self.accepted,
            met=self.met,
            open=self.open,
            rate=self.rate,
            visits_period=self.visits_period,
        )
        return data


_COUNTS = tuple(f.name for f in fields(Figures) if f.name != "statuses")


def sum_figures(items: Iterable[Figures]) -> Figures:
    total = Figures()
    for item in items:
        total.add(item)
    return total


@dataclass
class Row:
    """One line of a table: a court alone (`own`) or a court with everything below it."""

    court: Court
    figures: Figures
    own: bool = False  # only the court itself, not its subordinates

    @property
    def label(self) -> str:
        return f"{self.court.short_name}（本院）" if self.own else self.court.short_name


@dataclass
class Snapshot:
    """The figures of every court of a province as of a day, and the period up to it."""

    campaign: Campaign
    day: dt.date
    period: Period
    province: Court
    courts: list[Court]  # the courts counted (a province's or a node's subtree), in tree order
    by_court: dict[int, Figures]
    live: bool  # counted from the cases' columns and the tallies (nothing recorded after)
    _subtrees: dict[str, Figures] | None = field(default=None, init=False, repr=False)
    _children: dict[int | None, list[Court]] | None = field(default=None, init=False, repr=False)

    @property
    def expected(self) -> float:
        return expected_rate(self.campaign, self.day)

    def own(self, court: Court) -> Figures:
        return self.by_court.get(court.pk) or Figures()

    def subtree(self, court: Court) -> Figures:
        """The figures of `court` and every court below it (of everything, for the nation)."""
        if self._subtrees is None:
            self._subtrees = self._sum_subtrees()
        return self._subtrees.get(court.path) or Figures()

    def _sum_subtrees(self) -> dict[str, Figures]:
        """Every court's total (its own figures and its subtree's), bottom-up in one pass:
        the courts in reverse tree order meet each court after all its subordinates, and
        each total is added once, to its parent's (the nation's path is "")."""
        totals: dict[str, Figures] = {}
        for court in reversed(self.courts):
            total = totals.setdefault(court.path, Figures())
            own = self.by_court.get(court.pk)
            if own is not None:
                total.add(own)
            parent = court.path[: max(len(court.path) - PATH_STEP - 1, 0)]
            totals.setdefault(parent, Figures()).add(total)
        return totals

    def children(self, court: Court) -> list[Court]:
        if self._children is None:
            self._children = {}
            for c in self.courts:
                self._children.setdefault(c.parent_id, []).append(c)
        return self._children.get(court.pk, [])

    def rows(self, node: Court) -> list[Row]:
        """The drill-down table of `node`: the court itself, then each child with its
        subordinates (for the province: the high court, then each intermediate court's
        area)."""
        rows = [] if node.is_nation else [Row(node, self.own(node), own=bool(self.children(node)))]
        rows += [Row(child, self.subtree(child)) for child in self.children(node)]
        return rows

    def behind_pace(self, node: Court) -> list[Row]:
        """Every court under `node` (itself included) with tasks whose rate is below pace;
        for the nation, every province (the high court with its whole tree)."""
        expected = self.expected
        if node.is_nation:
            return [
                row
                for row in self.rows(node)
                if row.figures.rate is not None and row.figures.rate < expected
            ]
        return [
            Row(c, figures)
            for c in self.courts
            if c.path.startswith(node.path)
            and (figures := self.own(c)).rate is not None
            and (figures.rate or 0.0) < expected
        ]

    def courts_under(self, node: Court) -> Iterator[Court]:
        return (c for c in self.courts if c.path.startswith(node.path))


class Parts(enum.Enum):
    """Which figures a snapshot counts; the others stay 0."""

    ALL = "all"  # the dashboard, the bulletin, the report
    CASES = "cases"  # the cases alone (the progress chart's points need only the tasks)
    # The cases and the period's re-petitions and returned acceptances (the assessment's
    # deductions): neither the period's acceptances and met standards, whose events need
    # each case's origin and a look into the event's JSON, nor the visits.
    DEDUCTIONS = "deductions"


# The courts a snapshot counts, compiled once per province or area (`PreparedQuery`).
_PROVINCE_COURTS = PreparedQuery(
    lambda *, root: Court.objects.filter(path__startswith=root).order_by("path"), parameters=0
)
_PROVINCE_IDS = PreparedQuery(
    lambda *, root: Court.objects.filter(path__startswith=root).values_list("pk"), parameters=0
)
_AREA_COURTS = PreparedQuery(  # the area's courts after its province's high court
    lambda *, root, area: Court.objects.filter(Q(path=root) | Q(path__startswith=area)).order_by(
        "path"
    ),
    parameters=0,
)


def snapshot(
    campaign: Campaign,
    day: dt.date,
    court: Court,
    since: dt.date | None = None,
    *,
    live: bool | None = None,
    parts: Parts = Parts.ALL,
    only_under: bool = False,
) -> Snapshot:
    """Every court's figures in the province of `court` (every court's in the nation for
    `nation()`) as of the end of `day`: four aggregate queries, however many courts.
    Period figures count from the start of the bulletin period containing `day`, or from
    `since`; `parts` says which are counted. `only_under`: count only `court` and the
    courts below it (an area's dashboard shows nothing else); their figures are the same
    as in the province's snapshot, the campaign's cases still being those of the province."""
    root = court.root_path()
    counted: list[int] | None = None  # None: every court of the province
    if only_under and not court.is_nation and court.path != root:
        # An area's courts, and its province's high court; of the others only their ids
        # (an area's dashboard built a hundred courts of its province for nothing).
        province, *courts = _AREA_COURTS(shape=(root, court.path), root=root, area=court.path)
        province_ids = [pk for (pk,) in _PROVINCE_IDS(shape=root, root=root)]
        counted = [c.pk for c in courts]
    else:
        courts = _PROVINCE_COURTS(shape=root, root=root)
        province = court if court.is_nation else courts[0]
        province_ids = [c.pk for c in courts]
    # Already read: for the province, and for `court` which the caller may ask again.
    province.__dict__["province_court_ids"] = court.__dict__["province_court_ids"] = province_ids
    by_court: dict[int, Figures] = {}
    period = period_as_of(campaign, day) if since is None else Period(0, since, day)

    def of(court_id: int | None) -> Figures | None:
        if court_id is None:
            return None
        return by_court.setdefault(court_id, Figures())

    if live is None:
        live = not recorded_after(end_of(day))
    counting = _Counting(campaign, day, period.start, province, live, counted)
    _count_cases(counting, of)
    if parts is not Parts.CASES:
        _count_events(counting, of, deductions_only=parts is Parts.DEDUCTIONS)
    if parts is Parts.ALL and live and since is None and day >= campaign.mobilization_start:
        _count_tallied_visits(counting, period.number, of)
    elif parts is Parts.ALL:
        _count_visits(counting, of)
    if day > campaign.deadline:
        for figures in by_court.values():
            figures.overdue = figures.open
    known = {c.pk for c in courts}
    return Snapshot(
        campaign,
        day,
        period,
        province,
        courts,
        {pk: f for pk, f in by_court.items() if pk in known},
        live,
    )


Lookup = Callable[[int | None], "Figures | None"]


@dataclass(frozen=True)
class _Counting:
    """What a snapshot's queries count: the campaign's cases of `province` as of the end of
    `day` (`live`: from the cases' columns and the tallies), the period's events and visits
    from `since`, at the `counted` courts (None: every court of the province)."""

    campaign: Campaign
    day: dt.date
    since: dt.date
    province: Court
    live: bool
    counted: list[int] | None

    @property
    def tallied_courts(self) -> list[int] | None:
        """The courts whose tally rows count (None: every court, for the nation)."""
        if self.counted is not None:
            return self.counted
        return None if self.province.is_nation else self.province.province_court_ids

    @property
    def court_ids(self) -> list[int]:
        """The courts counted, by id even for the nation (every court): the database then
        reads the period's events court by court from the (court_id, at) index instead of
        scanning them all for the JSON condition on the status."""
        return self.province.province_court_ids if self.counted is None else self.counted

    @property
    def shape(self) -> Hashable:
        """Everything the counting queries are built from (`PreparedQuery`'s shape)."""
        membership = _membership_shape(self.campaign, self.day, self.province, self.live)
        return (membership, self.since, tuple(self.court_ids))


def _count_cases(counting: _Counting, of: Lookup) -> None:
    """The cases by court, origin and status. Today's come from the case tally (kept exact
    by every write of a case, huajie.cases.tally), a past day's from the audit history (of
    the whole province: a case's court that day is known only once it is read)."""
    rows: Iterable[tuple[int, str, str, int, int, int]]
    if counting.live:
        rows = tally.counts(counting.campaign, counting.tallied_courts)
    else:
        rows = (
            campaign_cases(counting.campaign, counting.day, counting.province, live=False)
            .values("asof_court", "asof_status", "origin")
            .annotate(
                n=Count("pk"),
                nominal=Count("pk", filter=Q(asof_nominal=True)),
                reopened=Count("pk", filter=Q(asof_reopened=True)),
            )
            .values_list("asof_court", "origin", "asof_status", "n", "nominal", "reopened")
            .order_by()
        )
    for court_id, origin, status, n, nominal, reopened in rows:
        figures = of(court_id)
        if figures is None:
            continue
        if origin == Origin.STOCK:
            figures.tasks += n
            figures.statuses[status] = figures.statuses.get(status, 0) + n
        else:
            figures.new += n
            if status == CaseStatus.ACCEPTED:
                figures.new_accepted += n
        figures.nominal += nominal
        figures.reopened_cases += reopened


def _row_case(
    campaign: Campaign, day: dt.date, province: Court, live: bool | None = None
) -> QuerySet[PetitionCase]:
    """The row's case (`case_id`) when it is one of the campaign's cases in `province` as
    of `day`: a look-up by primary key per row. The period's events and visits are few;
    `case_id IN (the campaign's cases)` made PostgreSQL build the whole set first, and at
    national scale (a million ids, too many to hash) compare each row against it."""
    cases = campaign_cases(campaign, day, province, live=live)
    return cases.filter(pk=OuterRef("case_id")).order_by()


def _is_member(
    campaign: Campaign, day: dt.date, province: Court, live: bool | None = None
) -> Exists:
    return Exists(_row_case(campaign, day, province, live))


def _membership_shape(
    campaign: Campaign, day: dt.date, province: Court, live: bool
) -> tuple[Hashable, ...]:
    """What `_is_member` and `_row_case` build their SQL from, for `PreparedQuery`."""
    courts = None if province.is_nation else tuple(province.province_court_ids)
    return (campaign.pk, campaign.year, day, province.path, courts, live)


def _period_events(counting: _Counting, deductions_only: bool) -> QuerySet[Any]:
    """The period's events by court, verb, case origin and whether they met the standard
    (`_count_events`)."""
    campaign, day, province = counting.campaign, counting.day, counting.province
    events = AuditEvent.objects.filter(
        court_id__any_of=counting.court_ids,
        at__lt=end_of(day),
        at__gte=clock.start_of_day(counting.since),
    )
    met = Q(after__status=CaseStatus.MET_STANDARD)
    if deductions_only:
        events = events.filter(verb__in=(REPETITION, RETURN))
    else:
        events = events.filter(Q(verb__in=(REPETITION, RETURN, ACCEPT)) | met)
    # The event's case's origin, None when the case is not one of the campaign's: one
    # look-up by primary key per event, grouped on, where a membership condition and a
    # "stock case" condition in each count looked the case up two or three times (a
    # province's period: 11 -> 5 ms, the nation's 149 -> 110 ms at a million cases).
    case = _row_case(campaign, day, province, counting.live)
    keys = {
        "case_origin": Subquery(case.values("origin")[:1]),
        "is_met": ExpressionWrapper(met, output_field=BooleanField()),
    }
    rows = events.annotate(**keys).values("court_id", "verb", *keys).annotate(n=Count("*"))
    return rows.values_list("court_id", "verb", *keys, "n").order_by()


# Compiled once per area, day and kind of count: for an area's dashboard, building this
# query took 2 ms and PostgreSQL answered it in 0.8 (docs/performance.md, session 16).
_PERIOD_EVENTS = PreparedQuery(_period_events, parameters=0)


def _count_events(counting: _Counting, of: Lookup, *, deductions_only: bool = False) -> None:
    """Events in the period, at the court of the event (always a court of the province;
    of the `counted` courts when given); `deductions_only`: the re-petitions and returns
    alone (`Parts.DEDUCTIONS`)."""
    rows = _PERIOD_EVENTS(
        shape=(counting.shape, deductions_only),
        counting=counting,
        deductions_only=deductions_only,
    )
    for court_id, verb, origin, is_met, n in rows:
        figures = of(court_id) if origin is not None else None
        if figures is None:
            continue
        if verb == REPETITION:
            figures.reopened_period += n
        elif verb == RETURN:
            figures.returned_period += n
        if origin == Origin.STOCK and not deductions_only:
            figures.accepted_period += n if verb == ACCEPT else 0
            figures.met_period += n if is_met else 0


def _court_as_of(cutoff: dt.datetime, live: bool) -> Subquery | F:
    """A visit's case's court as of `cutoff` (its current court when `live`)."""
    if live:
        return F("case__court_id")
    last = _state_events(cutoff).filter(case_id=OuterRef("case_id")).order_by("-id")
    return Subquery(last.values("court_id")[:1])


def _count_visits(counting: _Counting, of: Lookup) -> None:
    """The period's visits by the court of their case that day; of the `counted` courts'
    cases when given and `live` (a past day's court is known only once it is read)."""
    live, counted = counting.live, counting.counted
    visits = upward_visits(counting.campaign, counting.day, counting.province, live=live)
    visits = visits.filter(visited_on__gte=counting.since)
    if live and counted is not None:
        visits = visits.filter(case__court_id__any_of=counted)
    rows = (
        visits.annotate(asof_court=_court_as_of(end_of(counting.day), live))
        .values("asof_court", "level")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        _add_visits(of(row["asof_court"]), row["level"], row["n"])


def _count_tallied_visits(counting: _Counting, period: int, of: Lookup) -> None:
    """Today's visits of this period from the visit tally (kept by every write, as the
    timeline's): what `_count_visits` counts from the visits, a bulletin period being one
    of the tally's buckets. The figures' tests compare both ways."""
    for court_id, level, n in tally.visits_by_court(
        counting.campaign, period, counting.tallied_courts
    ):
        _add_visits(of(court_id), level, n)


def _add_visits(figures: Figures | None, level: str, n: int) -> None:
    if figures is None:
        return
    if level == VisitLevel.BEIJING:
        figures.visits_beijing_period += n
    else:
        figures.visits_province_period += n


def upward_visits(
    campaign: Campaign, day: dt.date, province: Court, *, live: bool | None = None
) -> QuerySet[Visit]:
    """Beijing and province visits on the campaign's cases, dated and recorded by `day`."""
    return Visit.objects.filter(
        level__in=(VisitLevel.BEIJING, VisitLevel.PROVINCE),
        visited_on__lte=day,
        recorded_at__lt=end_of(day),
    ).filter(_is_member(campaign, day, province, live))


# --- over time -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Point:
    day: dt.date
    tasks: int
    accepted: int

    @property
    def open(self) -> int:
        return self.tasks - self.accepted


def progress_points(campaign: Campaign, day: dt.date) -> list[dt.date]:
    """The last day of each month of concentrated resolution before `day`, and `day` itself:
    the points of the progress chart (at most 11 in a year, one query each, so the chart
    costs the same whatever the data)."""
    points = []
    month = campaign.concentrated_start.replace(day=1)
    while True:
        following = (month + dt.timedelta(days=32)).replace(day=1)
        last = following - dt.timedelta(days=1)
        if last >= day or last > campaign.deadline:
            break
        points.append(last)
        month = following
    return [*points, day]


def progress_series(
    campaign: Campaign, node: Court, days: list[dt.date], last: Point | None = None
) -> list[Point]:
    """Tasks and accepted tasks under `node` as of each day.

    Days that are over come from remembered points (`ProgressMemo`, verified against the
    audit log); a point not remembered yet is counted for the node's whole province at once
    and remembered for every court of it. So the chart of a whole year costs a few queries
    however many cases there are. The nation's points
    are the sums of the provinces' (remembered per province). `last`, when given, is the
    point of the last day, which the dashboard already has from its snapshot."""

    nodes = list(Court.objects.filter(parent=None)) if node.is_nation else [node]
    now = clock.now()
    known = {last.day} if last is not None else set()
    past = [d for d in days if end_of(d) <= now and d not in known]
    memos = _verified_memos(campaign, nodes, past)
    points: dict[tuple[int, dt.date], Point] = {
        (m.court_id, m.day): Point(m.day, m.tasks, m.accepted) for m in memos
    }
    high_water = _high_water() if len(memos) < len(past) * len(nodes) else 0
    # A point not remembered is computed for the whole province at once (one grouped count,
    # what a single court's costs) and remembered for every court of it: the next court's
    # first view, or the next province's line of the nation, finds it.
    computed: dict[tuple[str, dt.date], dict[int, Point]] = {}
    for court in nodes:
        for day in days:
            if day in known or (court.pk, day) in points:
                continue
            key = (court.root_path(), day)
            if key not in computed:
                computed[key] = _province_points(campaign, court, day)
            points[court.pk, day] = computed[key][court.pk]
    for (_root, day), by_court in computed.items():
        if day in past:
            _remember(campaign, day, by_court, high_water)
    series = []
    for day in days:
        if last is not None and day == last.day:
            series.append(last)
            continue
        at_day = [points[court.pk, day] for court in nodes]
        series.append(Point(day, sum(p.tasks for p in at_day), sum(p.accepted for p in at_day)))
    return series


def _high_water() -> int:
    last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    return last or 0


def _verified_memos(campaign: Campaign, nodes: list[Court], days: list[dt.date]) -> list[Any]:
    """The remembered points of `nodes` on `days` that no later-recorded event could have
    changed.

    Normally every event recorded since a memo was checked is timed after its day, and the
    memos are marked checked up to the newest event (one scan of the events since, one
    update). An event timed inside a remembered day (a moved clock) drops the memos it
    could affect."""
    from huajie.supervision.models import ProgressMemo

    if not days:
        return []
    memos = list(ProgressMemo.objects.filter(campaign=campaign, court__in=nodes, day__in=days))
    if not memos:
        return []
    oldest = min(m.high_water for m in memos)
    since = AuditEvent.objects.filter(id__gt=oldest).aggregate(
        first_at=Min("at"), last_id=Max("id")
    )
    if since["last_id"] is None:
        return memos
    stale = [m for m in memos if end_of(m.day) > since["first_at"]]
    if stale:
        ProgressMemo.objects.filter(pk__in=[m.pk for m in stale]).delete()
    fresh = [m for m in memos if m not in stale]
    ProgressMemo.objects.filter(pk__in=[m.pk for m in fresh]).update(high_water=since["last_id"])
    return fresh


def _remember(
    campaign: Campaign, day: dt.date, by_court: dict[int, Point], high_water: int
) -> None:
    from huajie.supervision.models import ProgressMemo

    memos = [
        ProgressMemo(
            campaign=campaign,
            court_id=court_id,
            day=day,
            tasks=point.tasks,
            accepted=point.accepted,
            high_water=high_water,
        )
        for court_id, point in by_court.items()
    ]
    # Two viewers may compute the same point at once: the first one stays.
    ProgressMemo.objects.bulk_create(memos, ignore_conflicts=True, batch_size=2000)


def remember_province_points(campaign: Campaign, province: Court, days: list[dt.date]) -> int:
    """Remember the points of every court of `province` on each of `days` that is over and
    not remembered for all of them yet (the worker's month-end job); returns how many days
    were counted."""
    from huajie.supervision.models import ProgressMemo

    courts = list(
        Court.objects.filter(path__startswith=province.root_path()).values_list("pk", flat=True)
    )
    remembered = (
        ProgressMemo.objects.filter(campaign=campaign, court_id__in=courts, day__in=days)
        .values("day")
        .annotate(n=Count("pk"))
        .order_by()
    )
    complete = {row["day"] for row in remembered if row["n"] == len(courts)}
    now = clock.now()
    missing = [d for d in days if d not in complete and end_of(d) <= now]
    high_water = _high_water() if missing else 0
    for day in missing:
        _remember(campaign, day, _province_points(campaign, province, day), high_water)
    return len(missing)


def _province_points(campaign: Campaign, court: Court, day: dt.date) -> dict[int, Point]:
    """Every court of `court`'s province: its own and its subordinates' tasks and accepted
    tasks as of the end of `day`."""
    snap = snapshot(campaign, day, court, parts=Parts.CASES)
    return {c.pk: Point(day, (total := snap.subtree(c)).tasks, total.accepted) for c in snap.courts}


@dataclass(frozen=True)
class Forecast:
    """Where the open cases are heading: at the pace so far, by the deadline."""

    per_day: float  # tasks accepted a day since concentrated resolution began
    open_at_deadline: int
    finishes_on: dt.date | None  # None: no progress yet, or already past the deadline


def forecast(campaign: Campaign, day: dt.date, figures: Figures) -> Forecast:
    elapsed = (min(day, campaign.deadline) - campaign.concentrated_start).days + 1
    if elapsed <= 0:
        return Forecast(0.0, figures.open, None)
    per_day = figures.accepted / elapsed
    remaining = max((campaign.deadline - day).days, 0)
    open_at_deadline = max(round(figures.open - per_day * remaining), 0)
    finishes_on = None
    if per_day > 0 and figures.open > 0:
        finishes_on = day + dt.timedelta(days=int(-(-figures.open // per_day)))
    elif figures.open == 0:
        finishes_on = day
    return Forecast(per_day, open_at_deadline, finishes_on)


def _repetitions_by_day(
    *,
    campaign: Campaign,
    node: Court,
    day: dt.date,
    start: dt.date,
    live: bool,
    ids: list[int] | None,
) -> QuerySet[Any]:
    """The campaign's re-petitions under `node` (at the `ids` courts) from `start` to the
    end of `day`, counted by day (`timeline_counts`)."""
    events = AuditEvent.objects.filter(
        verb=REPETITION, at__gte=clock.start_of_day(start), at__lt=end_of(day)
    ).filter(_is_member(campaign, day, node, live))
    if ids is not None:
        events = events.filter(court_id__any_of=ids)
    # COUNT(*): the re-petitions' index holds no id (see dashboard.warnings).
    per_day = events.annotate(day=TruncDate("at")).values("day").annotate(n=Count("*"))
    return per_day.values_list("day", "n").order_by()


# Compiled once per area and day, as `_PERIOD_EVENTS`.
_REPETITIONS_BY_DAY = PreparedQuery(_repetitions_by_day, parameters=0)


def timeline_counts(
    campaign: Campaign,
    node: Court,
    day: dt.date,
    *,
    live: bool | None = None,
    court_ids: list[int] | None = None,
) -> dict[str, dict[int, int]]:
    """Re-petitions (at the court of the event) and upward visits (at the case's court as of
    `day`) under `node` from the campaign's mobilization to `day`, per period (0:
    mobilization): two queries. Today's visits come from the visit tally (kept by every
    write, huajie.cases.tally); a past day's from the visits themselves. `court_ids`: the
    ids of `node`'s subtree, when the caller has them (the dashboard's snapshot)."""
    start = min(campaign.mobilization_start, day)
    cutoff = end_of(day)
    if live is None:
        live = not recorded_after(cutoff)
    ids = court_ids
    if ids is None and not node.is_nation:
        ids = list(Court.objects.subtree_of(node).values_list("pk", flat=True))
    per_day = _REPETITIONS_BY_DAY(
        shape=(
            *_membership_shape(campaign, day, node, live),
            start,
            None if ids is None else tuple(ids),
        ),
        campaign=campaign,
        node=node,
        day=day,
        start=start,
        live=live,
        ids=ids,
    )
    result: dict[str, dict[int, int]] = {"repetition": _by_period(campaign, per_day)}
    if live and day >= campaign.mobilization_start:
        tallied = tally.visit_counts(campaign, ids)
        last = period_number(campaign, day)
        for level, by_period in tallied.items():
            result[level] = {p: n for p, n in by_period.items() if 0 <= p <= last}
        return result
    visits = upward_visits(campaign, day, node, live=live).filter(visited_on__gte=start)
    if ids is not None:
        visits = visits.annotate(asof_court=_court_as_of(cutoff, live)).filter(
            asof_court__any_of=ids
        )
    rows = list(visits.values("visited_on", "level").annotate(n=Count("pk")).order_by())
    for level in (VisitLevel.BEIJING, VisitLevel.PROVINCE):
        of_level = ((v["visited_on"], v["n"]) for v in rows if v["level"] == level)
        result[level] = _by_period(campaign, of_level)
    return result


def _by_period(campaign: Campaign, counts: Iterable[tuple[dt.date, int]]) -> dict[int, int]:
    result: dict[int, int] = {}
    for when, n in counts:
        number = period_number(campaign, when)
        result[number] = result.get(number, 0) + n
    return result


# --- ranking -------------------------------------------------------------------------------


def ranked(rows: list[Row]) -> list[tuple[int | None, Row]]:
    """Rows by rate, best first, with competition ranks (1, 2, 2, 4); rows without tasks
    come last, unranked."""
    with_rate = sorted(
        (r for r in rows if r.figures.rate is not None),
        key=lambda r: (-(r.figures.rate or 0.0), -r.figures.tasks, r.court.path),
    )
    result: list[tuple[int | None, Row]] = []
    for index, row in enumerate(with_rate):
        if index and row.figures.rate == with_rate[index - 1].figures.rate:
            rank = result[-1][0]
        else:
            rank = index + 1
        result.append((rank, row))
    result += [(None, r) for r in rows if r.figures.rate is None]
    return result


def percent(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value * 100:.{digits}f}%"


# --- exemplary cases (R21) -----------------------------------------------------------------

EXEMPLARY = "case.exemplary"


@dataclass(frozen=True)
class Exemplary:
    ledger_no: str
    court: str
    note: str


def exemplary_cases(campaign: Campaign, day: dt.date, node: Court) -> list[Exemplary]:
    """Cases marked exemplary (and still accepted) as of `day` under `node`, with the note
    given when they were marked: one query."""
    cutoff = end_of(day)
    last_mark = _events_of_case(OuterRef("pk"), EXEMPLARY, cutoff).order_by("-id")
    live = not recorded_after(cutoff)
    cases = campaign_cases(campaign, day, node, live=live)
    if live:  # the column is the state (see campaign_cases): look up only the marked cases
        cases = cases.filter(is_exemplary=True)
    rows = (
        cases.annotate(
            marked=Subquery(
                last_mark.annotate(m=Cast(KT("after__is_exemplary"), CharField())).values("m")[:1]
            ),
            note=Subquery(last_mark.annotate(t=KT("after__note")).values("t")[:1]),
        )
        .filter(Q(asof_status=CaseStatus.ACCEPTED) & Q(marked__in=("true", "1")))
        .filter(Q(asof_court__in=Court.objects.subtree_of(node).values("pk")))
        .values_list("ledger_no", "asof_court", "note")
        .order_by("ledger_no")
    )
    names = dict(Court.objects.subtree_of(node).values_list("pk", "short_name"))
    return [Exemplary(no, names.get(court or 0, ""), note or "") for no, court, note in rows]


def exemplary_notes(case_ids: list[int]) -> dict[int, str]:
    """The note given when each case was last marked exemplary: one query."""
    notes: dict[int, str] = {}
    events = AuditEvent.objects.filter(case_id__in=case_ids, verb=EXEMPLARY).order_by("id")
    for case_id, note in events.annotate(t=KT("after__note")).values_list("case_id", "t"):
        if case_id is not None:
            notes[case_id] = note or ""
    return notes
