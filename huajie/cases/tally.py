"""Case and visit tallies: the live dashboard's counts kept exact by every write.

A national dashboard that counted the cases themselves would read a million rows on every
view. Instead `CaseTally` holds, per campaign, court, origin and status, how many cases there
are (and how many of them are possibly nominal or reopened), `VisitTally` the Beijing and
province visits per campaign, court, level and bulletin period (the timeline), and every
write keeps them exact in the write's own transaction:

- `PetitionCase.save()` reads the case's stored state under its row lock, saves, and adds
  the signed rows that move the case from its old key to its new one (`record_change`); a
  change of court or campaign moves its visits too;
- `Visit.save()` counts a visit recorded or changed (`record_visit_change`); deleting a
  case or a visit takes it out (`_on_delete`, `_on_visit_delete`);
- the ledger's bulk import adds its new cases' and visits' rows itself (`Deltas`), and
  `huajie synth`, which writes with COPY, rebuilds both at its end.

Rows are only ever inserted, so concurrent writers never wait on each other or deadlock on
a shared counter; the worker folds them into one row per key every hour (`compact`). Reading
sums them (`counts`).

`huajie tally check` recounts the cases and reports every key where the tally differs (it
exits non-zero); `huajie tally rebuild` rewrites it from the cases. The test suite checks
after every test that the tally equals the recount, so a write that bypasses the model (a
queryset `update()`, raw SQL) is caught where it is written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.signals import pre_delete
from django.dispatch import receiver
from django.utils import timezone

from huajie.audit.models import AuditEvent
from huajie.cases.models import (
    Campaign,
    CaseStatus,
    CaseTally,
    PetitionCase,
    Visit,
    VisitLevel,
    VisitTally,
)
from huajie.cases.periods import period_number
from huajie.core.prepared import PreparedQuery
from huajie.worker.registry import job_kind
from huajie.worker.schedule import Planned, schedule

CARRY_OVER = "case.carry_over"
COMPACT_KIND = "cases.tally_compact"

# The columns a tally key or count is made of (a save touching none of them changes nothing).
_COLUMNS = ("campaign_id", "first_campaign_id", "court_id", "origin", "status")
_FLAGS = ("possibly_nominal", "reopen_count")
_TALLIED = frozenset({*_COLUMNS, *_FLAGS, "campaign", "first_campaign", "court"})

# (campaign_id, court_id, origin, status, current)
Key = tuple[int, int, str, str, bool]
# (campaign_id, court_id, level, period)
VisitKey = tuple[int, int, str, int]


@dataclass(frozen=True)
class CaseState:
    """What a case contributes to the tally."""

    case_id: int
    court_id: int
    origin: str
    status: str
    nominal: bool
    reopened: bool
    campaign_id: int  # the campaign it is in now
    campaigns: frozenset[int]  # every campaign whose ledger it is in (campaign_id included)

    def tally_keys(self) -> list[Key]:
        return [
            (c, self.court_id, self.origin, self.status, c == self.campaign_id)
            for c in sorted(self.campaigns)
        ]


@dataclass
class Counts:
    cases: int = 0
    nominal: int = 0
    reopened: int = 0

    def add(self, cases: int, nominal: int, reopened: int) -> None:
        self.cases += cases
        self.nominal += nominal
        self.reopened += reopened

    @property
    def is_zero(self) -> bool:
        return not (self.cases or self.nominal or self.reopened)

    def as_tuple(self) -> tuple[int, int, int]:
        return (self.cases, self.nominal, self.reopened)


class Deltas:
    """Signed changes to the tallies, summed per key before they are written."""

    def __init__(self) -> None:
        self.by_key: dict[Key, Counts] = {}
        self.visits: dict[VisitKey, int] = {}
        self._campaigns: dict[int, Campaign] = {}

    def add(self, state: CaseState, sign: int) -> None:
        for key in state.tally_keys():
            self.by_key.setdefault(key, Counts()).add(
                sign, sign * state.nominal, sign * state.reopened
            )

    def add_visits(self, case: CaseState, visits: Iterable[tuple[str, dt.date]], sign: int) -> None:
        """`visits` (level, date) of `case`, counted at its court in each of its campaigns."""
        upward = [(level, day) for level, day in visits if level in UPWARD]
        for campaign_id in sorted(case.campaigns) if upward else ():
            campaign = self._campaign(campaign_id)
            for level, day in upward:
                key = (campaign_id, case.court_id, level, visit_period(campaign, day))
                self.visits[key] = self.visits.get(key, 0) + sign

    def _campaign(self, pk: int) -> Campaign:
        if pk not in self._campaigns:
            self._campaigns[pk] = Campaign.objects.get(pk=pk)
        return self._campaigns[pk]

    def save(self) -> None:
        rows = [_row(key, counts) for key, counts in self.by_key.items() if not counts.is_zero]
        if rows:
            CaseTally.objects.bulk_create(rows)
        visit_rows = [_visit_row(key, n) for key, n in self.visits.items() if n]
        if visit_rows:
            VisitTally.objects.bulk_create(visit_rows)
        self.by_key, self.visits = {}, {}


def _row(key: Key, counts: Counts) -> CaseTally:
    campaign_id, court_id, origin, status, current = key
    return CaseTally(
        campaign_id=campaign_id,
        court_id=court_id,
        origin=origin,
        status=status,
        current=current,
        cases=counts.cases,
        nominal=counts.nominal,
        reopened=counts.reopened,
    )


def _visit_row(key: VisitKey, visits: int) -> VisitTally:
    campaign_id, court_id, level, period = key
    return VisitTally(
        campaign_id=campaign_id, court_id=court_id, level=level, period=period, visits=visits
    )


# --- keeping it: the model's writes ----------------------------------------------------------


def touches(update_fields: Iterable[str]) -> bool:
    """Whether a save of `update_fields` can change the case's tally key or counts."""
    return not _TALLIED.isdisjoint(update_fields)


def _state(values: dict[str, Any], carried: Iterable[int] = ()) -> CaseState:
    return CaseState(
        case_id=values["id"],
        court_id=values["court_id"],
        origin=values["origin"],
        status=values["status"],
        nominal=bool(values["possibly_nominal"]),
        reopened=bool(values["reopen_count"]),
        campaign_id=values["campaign_id"],
        campaigns=frozenset({values["first_campaign_id"], values["campaign_id"], *carried}),
    )


def state_of(case: PetitionCase) -> CaseState:
    """A case's state from the instance (a new case, written by a bulk path)."""
    return _state({name: getattr(case, name) for name in ("id", *_COLUMNS, *_FLAGS)})


def stored_state(pk: int) -> CaseState | None:
    """The case's state as stored, read under its row lock (None if it is not stored)."""
    values = (
        PetitionCase.objects.select_for_update()
        .filter(pk=pk)
        .values("id", *_COLUMNS, *_FLAGS)
        .order_by()
        .first()
    )
    if values is None:
        return None
    carried: set[int] = set()
    if values["campaign_id"] != values["first_campaign_id"]:
        carried = carried_into([pk]).get(pk, set())
    return _state(values, carried)


def state_after(
    case: PetitionCase, before: CaseState | None, update_fields: Iterable[str] | None
) -> CaseState:
    """The state just written: the stored one with the saved fields replaced (a save of
    some fields leaves the others as stored, whatever the instance holds)."""
    values = {name: getattr(case, name) for name in ("id", *_COLUMNS, *_FLAGS)}
    if before is not None and update_fields is not None:
        saved = {*update_fields, *(f"{name}_id" for name in update_fields)}
        stored = {
            "court_id": before.court_id,
            "origin": before.origin,
            "status": before.status,
            "possibly_nominal": before.nominal,
            "reopen_count": int(before.reopened),
            "campaign_id": before.campaign_id,
        }
        values.update({k: v for k, v in stored.items() if k not in saved})
    carried = before.campaigns if before is not None else ()
    return _state(values, carried)


def record_change(before: CaseState | None, after: CaseState | None) -> None:
    """Move a case from its old count to its new one; when it changed court or campaigns,
    its visits move with it."""
    if before == after:
        return
    deltas = Deltas()
    if before is not None:
        deltas.add(before, -1)
    if after is not None:
        deltas.add(after, +1)
    if (
        before is not None
        and after is not None
        and (before.court_id, before.campaigns) != (after.court_id, after.campaigns)
    ):
        visits = list(
            Visit.objects.filter(case_id=after.case_id, level__in=UPWARD).values_list(
                "level", "visited_on"
            )
        )
        deltas.add_visits(before, visits, -1)
        deltas.add_visits(after, visits, +1)
    deltas.save()


# --- keeping it: visits ----------------------------------------------------------------------

UPWARD = (VisitLevel.BEIJING, VisitLevel.PROVINCE)
_VISIT_FIELDS = frozenset({"case", "case_id", "level", "visited_on"})


@dataclass(frozen=True)
class VisitRow:
    case_id: int
    level: str
    visited_on: dt.date


def touches_visit(update_fields: Iterable[str]) -> bool:
    return not _VISIT_FIELDS.isdisjoint(update_fields)


def stored_visit(pk: int) -> VisitRow | None:
    row = Visit.objects.filter(pk=pk).values_list("case_id", "level", "visited_on").first()
    return None if row is None else VisitRow(*row)


def record_visit_change(before: VisitRow | None, after: VisitRow | None) -> None:
    """Count a visit recorded, changed or deleted, at its case's court and campaigns."""
    if before == after:
        return
    deltas = Deltas()
    for row, sign in ((before, -1), (after, +1)):
        if row is None or row.level not in UPWARD:
            continue
        case = stored_state(row.case_id)
        if case is not None:
            deltas.add_visits(case, [(row.level, row.visited_on)], sign)
    deltas.save()


@receiver(pre_delete, sender=Visit, dispatch_uid="cases.tally.visit_delete")
def _on_visit_delete(sender: type, instance: Visit, **kwargs: Any) -> None:
    record_visit_change(stored_visit(instance.pk), None)


def visit_period(campaign: Campaign, day: dt.date) -> int:
    """The timeline's bucket of a visit: its bulletin period, -1 before mobilization."""
    return -1 if day < campaign.mobilization_start else period_number(campaign, day)


@receiver(pre_delete, sender=PetitionCase, dispatch_uid="cases.tally.delete")
def _on_delete(sender: type, instance: PetitionCase, **kwargs: Any) -> None:
    record_change(stored_state(instance.pk), None)


def carried_into(case_ids: Iterable[int] | None = None) -> dict[int, set[int]]:
    """The campaigns each case was carried over into (from the `case.carry_over` events)."""
    events = AuditEvent.objects.filter(verb=CARRY_OVER, case_id__isnull=False)
    if case_ids is not None:
        events = events.filter(case_id__in=list(case_ids))
    by_year = dict(Campaign.objects.values_list("year", "pk"))
    result: dict[int, set[int]] = {}
    for case_id, year in events.values_list("case_id", "after__campaign"):
        campaign_id = by_year.get(int(year)) if year is not None else None
        if case_id is not None and campaign_id is not None:
            result.setdefault(case_id, set()).add(campaign_id)
    return result


# --- reading it ------------------------------------------------------------------------------


# The tally's questions are compiled once per list of courts (`PreparedQuery`): a
# dashboard asks them on every view, and building them cost more than answering them.


def _ids(court_ids: list[int] | None) -> tuple[int, ...] | None:
    """A list of courts as the shape of a prepared query."""
    return None if court_ids is None else tuple(court_ids)


def _in_courts(rows: QuerySet[Any], court_ids: list[int] | None) -> QuerySet[Any]:
    return rows if court_ids is None else rows.filter(court_id__any_of=court_ids)


_COUNTS = PreparedQuery(
    lambda campaign_id, *, court_ids: (
        _in_courts(CaseTally.objects.filter(campaign_id=campaign_id), court_ids)
        .values("court_id", "origin", "status")
        .annotate(cases=Sum("cases"), nominal=Sum("nominal"), reopened=Sum("reopened"))
        .filter(~Q(cases=0) | ~Q(nominal=0) | ~Q(reopened=0))
        .values_list("court_id", "origin", "status", "cases", "nominal", "reopened")
        .order_by()
    )
)


def counts(
    campaign: Campaign, court_ids: list[int] | None
) -> Iterable[tuple[int, str, str, int, int, int]]:
    """`campaign`'s cases in `court_ids` (every court for None): (court, origin, status,
    cases, nominal, reopened) for each key with cases. Tuples, not dicts: the nation has
    tens of thousands of keys."""
    return _COUNTS(campaign.pk, shape=_ids(court_ids), court_ids=court_ids)


_FLAGS_BY_COURT = PreparedQuery(
    lambda *, court_ids: (
        CaseTally.objects.filter(current=True, court_id__any_of=court_ids)
        .values("court_id")
        .annotate(
            nominal=Sum("nominal"),
            again=Sum("reopened", filter=Q(status=CaseStatus.IN_RESOLUTION), default=0),
        )
        .filter(~Q(nominal=0) | ~Q(again=0))
        .values_list("court_id", "nominal", "again")
        .order_by()
    ),
    parameters=0,
)


def flags_by_court(court_ids: list[int]) -> Iterable[tuple[int, int, int]]:
    """Of every case now in `court_ids`, whatever its campaign: (court, possibly nominal,
    reopened and being resolved again) per court that has any."""
    return _FLAGS_BY_COURT(shape=_ids(court_ids), court_ids=court_ids)


_VISITS_BY_PERIOD = PreparedQuery(
    lambda campaign_id, *, court_ids: (
        _in_courts(VisitTally.objects.filter(campaign_id=campaign_id), court_ids)
        .values("level", "period")
        .annotate(n=Sum("visits"))
        .values_list("level", "period", "n")
        .order_by()
    )
)


def visit_counts(campaign: Campaign, court_ids: list[int] | None) -> dict[str, dict[int, int]]:
    """Upward visits on `campaign`'s cases in `court_ids` (every court for None), by level
    and period of the visit's date."""
    result: dict[str, dict[int, int]] = {level: {} for level in UPWARD}
    for level, period, n in _VISITS_BY_PERIOD(
        campaign.pk, shape=_ids(court_ids), court_ids=court_ids
    ):
        if n:
            result[level][period] = n
    return result


_VISITS_BY_COURT = PreparedQuery(
    lambda campaign_id, period, *, court_ids: (
        _in_courts(VisitTally.objects.filter(campaign_id=campaign_id, period=period), court_ids)
        .values("court_id", "level")
        .annotate(n=Sum("visits"))
        .filter(~Q(n=0))
        .values_list("court_id", "level", "n")
        .order_by()
    ),
    parameters=2,
)


def visits_by_court(
    campaign: Campaign, period: int, court_ids: list[int] | None
) -> Iterable[tuple[int, str, int]]:
    """Upward visits on `campaign`'s cases in `court_ids` (every court for None) dated in
    bulletin period `period` (0: from the mobilization): (court, level, visits)."""
    return _VISITS_BY_COURT(campaign.pk, period, shape=_ids(court_ids), court_ids=court_ids)


# --- checking and rebuilding -------------------------------------------------------------------


def stored_counts() -> dict[Key, Counts]:
    result: dict[Key, Counts] = {}
    rows = (
        CaseTally.objects.values("campaign_id", "court_id", "origin", "status", "current")
        .annotate(n=Sum("cases"), nom=Sum("nominal"), reo=Sum("reopened"))
        .order_by()
    )
    for row in rows:
        key: Key = (
            row["campaign_id"],
            row["court_id"],
            row["origin"],
            row["status"],
            row["current"],
        )
        result.setdefault(key, Counts()).add(row["n"], row["nom"], row["reo"])
    return {k: v for k, v in result.items() if not v.is_zero}


def stored_visit_counts() -> dict[VisitKey, int]:
    rows = (
        VisitTally.objects.values("campaign_id", "court_id", "level", "period")
        .annotate(n=Sum("visits"))
        .order_by()
    )
    return {
        (r["campaign_id"], r["court_id"], r["level"], r["period"]): r["n"] for r in rows if r["n"]
    }


def carried_cases() -> list[CaseState]:
    """The cases carried over into another campaign: they count in several campaigns, so
    the recounts add them one by one (the rest are grouped in the database)."""
    moved = PetitionCase.objects.exclude(campaign_id=F("first_campaign_id"))
    carried = carried_into(moved.values_list("pk", flat=True)) if moved.exists() else {}
    return [
        _state(values, carried.get(values["id"], set()))
        for values in moved.values("id", *_COLUMNS, *_FLAGS).iterator(chunk_size=5000)
    ]


def exact_counts(carried: list[CaseState]) -> dict[Key, Counts]:
    """The case tally recounted from the cases: grouped queries for the cases still in
    their first campaign, a pass in Python over those carried over."""
    result: dict[Key, Counts] = {}
    staying = (
        PetitionCase.objects.filter(campaign_id=F("first_campaign_id"))
        .values("campaign_id", "court_id", "origin", "status")
        .annotate(
            n=Count("pk"),
            nom=Count("pk", filter=Q(possibly_nominal=True)),
            reo=Count("pk", filter=Q(reopen_count__gt=0)),
        )
        .order_by()
    )
    for row in staying:
        key = (row["campaign_id"], row["court_id"], row["origin"], row["status"], True)
        result.setdefault(key, Counts()).add(row["n"], row["nom"], row["reo"])
    for state in carried:
        for key in state.tally_keys():
            result.setdefault(key, Counts()).add(1, int(state.nominal), int(state.reopened))
    return result


def exact_visit_counts(carried: list[CaseState]) -> dict[VisitKey, int]:
    """The visit tally recounted from the visits (grouped by day in the database, by
    period here)."""
    deltas = Deltas()
    upward = Visit.objects.filter(level__in=UPWARD)
    staying = (
        upward.filter(case__campaign_id=F("case__first_campaign_id"))
        .values("case__campaign_id", "case__court_id", "level", "visited_on")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in staying.iterator(chunk_size=5000):
        campaign = deltas._campaign(row["case__campaign_id"])
        period = visit_period(campaign, row["visited_on"])
        key = (campaign.pk, row["case__court_id"], row["level"], period)
        deltas.visits[key] = deltas.visits.get(key, 0) + row["n"]
    by_case: dict[int, list[tuple[str, dt.date]]] = {}
    moved_ids = [state.case_id for state in carried]
    rows = upward.filter(case_id__in=moved_ids).values_list("case_id", "level", "visited_on")
    for case_id, level, day in rows.iterator(chunk_size=5000):
        by_case.setdefault(case_id, []).append((level, day))
    for state in carried:
        deltas.add_visits(state, by_case.get(state.case_id, []), +1)
    return {k: n for k, n in deltas.visits.items() if n}


@dataclass(frozen=True)
class Difference:
    """A key whose stored sums differ from the recount: (cases, nominal, reopened) for the
    case tally, (visits,) for the visit tally."""

    key: Key | VisitKey
    stored: tuple[int, ...]
    counted: tuple[int, ...]


def differences() -> list[Difference]:
    """Every key where a tally and a recount disagree: the case tally's first."""
    carried = carried_cases()
    found = _compare(
        {k: v.as_tuple() for k, v in stored_counts().items()},
        {k: v.as_tuple() for k, v in exact_counts(carried).items()},
        (0, 0, 0),
    )
    found += _compare(
        {k: (n,) for k, n in stored_visit_counts().items()},
        {k: (n,) for k, n in exact_visit_counts(carried).items()},
        (0,),
    )
    return found


def _compare(
    stored: dict[Any, tuple[int, ...]], exact: dict[Any, tuple[int, ...]], zero: tuple[int, ...]
) -> list[Difference]:
    found = []
    for key in sorted(set(stored) | set(exact), key=lambda k: tuple(map(str, k))):
        have, want = stored.get(key, zero), exact.get(key, zero)
        if have != want:
            found.append(Difference(key, have, want))
    return found


@transaction.atomic
def rebuild() -> int:
    """Rewrite both tallies from the cases and visits; returns the number of rows written.
    Writes of cases and visits wait for it (locked in share mode on PostgreSQL)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (PetitionCase, Visit):
                table = connection.ops.quote_name(model._meta.db_table)
                cursor.execute(f"LOCK TABLE {table} IN SHARE MODE")
    CaseTally.objects.all().delete()
    VisitTally.objects.all().delete()
    carried = carried_cases()
    rows = [_row(key, c) for key, c in exact_counts(carried).items() if not c.is_zero]
    visit_rows = [_visit_row(key, n) for key, n in exact_visit_counts(carried).items()]
    CaseTally.objects.bulk_create(rows, batch_size=2000)
    VisitTally.objects.bulk_create(visit_rows, batch_size=2000)
    return len(rows) + len(visit_rows)


_CASE_COLUMNS = ("campaign_id", "court_id", "origin", "status", "current")
_VISIT_COLUMNS = ("campaign_id", "court_id", "level", "period")


@transaction.atomic
def compact() -> tuple[int, int]:
    """Fold both tallies' rows into one per key; returns (rows before, rows after).

    The rows are taken with DELETE … RETURNING, so a row is summed exactly when it is
    removed: a write committing meanwhile keeps its rows for the next time."""
    taken = 0
    folded: dict[Key, Counts] = {}
    for campaign_id, court_id, origin, status, current, n, nominal, reopened in _take_all(
        CaseTally, _CASE_COLUMNS, _CASE_SUMS
    ):
        case_key = (campaign_id, court_id, origin, status, bool(current))
        folded.setdefault(case_key, Counts()).add(n, nominal, reopened)
        taken += 1
    visits: dict[VisitKey, int] = {}
    for campaign_id, court_id, level, period, n in _take_all(
        VisitTally, _VISIT_COLUMNS, ("visits",)
    ):
        key = (campaign_id, court_id, level, period)
        visits[key] = visits.get(key, 0) + n
        taken += 1
    rows = [_row(key, c) for key, c in folded.items() if not c.is_zero]
    visit_rows = [_visit_row(key, n) for key, n in visits.items() if n]
    CaseTally.objects.bulk_create(rows, batch_size=2000)
    VisitTally.objects.bulk_create(visit_rows, batch_size=2000)
    return taken, len(rows) + len(visit_rows)


_CASE_SUMS = ("cases", "nominal", "reopened")


def _take_all(model: Any, keys: tuple[str, ...], sums: tuple[str, ...]) -> list[tuple[Any, ...]]:
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in (*keys, *sums))
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} RETURNING {columns}")  # noqa: S608 (our own names)
        return list(cursor.fetchall())


@job_kind(COMPACT_KIND)
def compact_job(payload: dict[str, Any]) -> dict[str, Any]:
    before, after = compact()
    return {"rows_before": before, "rows_after": after}


@schedule
def hourly_compaction(now: dt.datetime) -> list[Planned]:
    """One compaction an hour, at ten past (so it does not meet the 00:30 daily rules);
    none while the tallies are empty."""
    if not (CaseTally.objects.exists() or VisitTally.objects.exists()):
        return []
    hour = timezone.localtime(now).replace(minute=0, second=0, microsecond=0)
    return [
        Planned(
            kind=COMPACT_KIND,
            key=f"tally:{hour:%Y-%m-%dT%H}",
            run_at=hour + dt.timedelta(minutes=10),
        )
    ]
