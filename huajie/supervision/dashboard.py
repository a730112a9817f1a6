"""The dashboard (R18): what one page shows for one court of the tree, as of a day.

Province → an intermediate court's area → one court → its case list: each table line links
one level down, and each number links to the case list filtered to exactly the cases it
counts (on today's dashboard; the list shows cases as they are now, so a past day's numbers
are not linked). Chart data goes to the page as JSON (`json_script`), drawn by a static
script: no inline JavaScript.

The page costs a fixed number of queries: the snapshot (4), the progress chart (one per
month so far, at most 11), the re-petition and visit timeline (2), the warnings (3).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Count, QuerySet
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

from huajie.cases import tally
from huajie.cases.models import OPEN_STATUSES, CaseStatus, PetitionCase
from huajie.core import clock
from huajie.core.prepared import PreparedQuery
from huajie.core.urls import path_of, url_with_id
from huajie.courts.models import Court
from huajie.supervision import metrics
from huajie.supervision.metrics import Figures, Row, Snapshot

OBSERVATION_WARNING_DAYS = 30
STATUS_COLUMNS = [(s.value, s.label) for s in CaseStatus]


def stale_after_days() -> int:
    """No recorded work on an open case for this many days is a warning (setting)."""
    return int(getattr(settings, "HUAJIE_STALE_AFTER_DAYS", 30))


def case_list_url(court: Court, own: bool, **params: str) -> str:
    """The case list of exactly the cases a cell counts (see huajie/cases/listing.py); for
    the nation, the list of every case the national viewer sees."""
    query: dict[str, str] = {}
    if not court.is_nation:
        query["court"] = str(court.pk)
        if not own:
            query["with_subordinates"] = "on"
    query.update(params)
    return f"{path_of('cases:list')}?{urlencode(query)}"


@dataclass
class Cell:
    """A figure of the table, linked to the cases it counts when it has a list. It writes
    itself (`{{ cell }}`): an included template per cell cost 2 ms on a province's page."""

    value: Any
    url: str | None = None

    def __html__(self) -> str:
        if self.url:
            return format_html('<a href="{}">{}</a>', self.url, self.value)
        return conditional_escape(self.value)

    def __str__(self) -> str:
        return self.__html__()


# The table's columns after the court's, in the order of the page's header.
TABLE_COLUMNS = (
    "tasks",
    *(status for status, _label in STATUS_COLUMNS),
    "met",
    "rate",
    "new",
    "reopened",
    "nominal",
    "overdue",
)
_PLAIN_COLUMNS = {"met", "rate"}  # figures with no list of cases behind them


@dataclass
class TableRow:
    """A line of the table. It writes its own `<tr>` (`{{ row }}`), as `Cell` writes a
    cell: an included template per row cost 1 ms on an area's page."""

    label: str
    court: Court
    figures: Figures
    own: bool
    drill_url: str | None
    behind_pace: bool
    cells: dict[str, Cell] = field(default_factory=dict)
    is_total: bool = False

    def __html__(self) -> SafeString:
        classes = " ".join(
            name for name, on in (("behind", self.behind_pace), ("total", self.is_total)) if on
        )
        head: str
        if self.drill_url:
            head = format_html('<a href="{}">{}</a>', self.drill_url, self.label)
        else:
            head = "合计" if self.is_total else conditional_escape(self.label)
        cells = "".join(self._cell(column) for column in TABLE_COLUMNS)
        row = f'<tr class="{classes}">\n<th scope="row">{head}</th>\n{cells}</tr>'
        return mark_safe(row)  # noqa: S308 - every value in it is escaped

    def _cell(self, column: str) -> str:
        cell = self.cells[column]
        if column in _PLAIN_COLUMNS:
            kind = "num rate" if column == "rate" else "num"
            return f'<td class="{kind}">{conditional_escape(cell.value)}</td>\n'
        return f'<td class="num">{cell.__html__()}</td>\n'

    def __str__(self) -> str:
        return self.__html__()


def table_rows(snap: Snapshot, node: Court, live: bool, as_of_query: str) -> list[TableRow]:
    rows = []
    court_page = url_with_id("supervision:court")
    for row in snap.rows(node):
        drill = None
        if not row.own and row.court != node:
            drill = court_page(row.court.pk) + as_of_query
        rows.append(table_row(snap, row, live, drill))
    return rows


# Each linked column's filter of the case list (see huajie/cases/listing.py), encoded once.
_COLUMN_FILTERS = {
    "tasks": urlencode({"origin": "stock"}),
    **{
        status: urlencode({"origin": "stock", "status": status})
        for status, _label in STATUS_COLUMNS
    },
    "new": urlencode({"origin": "new"}),
    "reopened": urlencode({"reopened": "1"}),
    "nominal": urlencode({"nominal": "1"}),
    "overdue": urlencode({"origin": "stock", "overdue": "1"}),
}


def table_row(
    snap: Snapshot, row: Row, live: bool, drill: str | None, *, is_total: bool = False
) -> TableRow:
    f = row.figures
    # The row's list, to which each cell adds its column's filter (`case_list_url`).
    base = case_list_url(row.court, row.own)
    joiner = "" if base.endswith("?") else "&"

    def link(column: str, value: int) -> Cell:
        url = f"{base}{joiner}{_COLUMN_FILTERS[column]}" if live and value else None
        return Cell(value, url)

    cells = {
        "tasks": link("tasks", f.tasks),
        **{status: link(status, f.statuses.get(status, 0)) for status, _ in STATUS_COLUMNS},
        "met": Cell(f.met),
        "rate": Cell(metrics.percent(f.rate)),
        "new": link("new", f.new),
        "reopened": link("reopened", f.reopened_cases),
        "nominal": link("nominal", f.nominal),
        "overdue": link("overdue", f.overdue),
    }
    behind = f.rate is not None and f.rate < snap.expected
    return TableRow(row.label, row.court, f, row.own, drill, behind, cells, is_total)


# --- warnings (live) -----------------------------------------------------------------------


@dataclass
class Warning:
    key: str
    title: str
    hint: str
    items: list[tuple[str, int, str | None]]  # (court, count, link to the list)

    @property
    def total(self) -> int:
        return sum(n for _court, n, _url in self.items)


def _by_court(cases: QuerySet[PetitionCase]) -> QuerySet[Any]:
    # COUNT(*), not of the id: the partial indexes that hold these cases hold no id, and
    # counting ids had PostgreSQL read the list's index instead (a province's stale cases
    # 4 -> 0.7 ms at a million cases).
    return cases.values_list("court").annotate(n=Count("*")).order_by()


# The warnings' two counts, compiled once per area and day (`PreparedQuery`).
_STALE = PreparedQuery(
    lambda *, court_ids, before: _by_court(
        PetitionCase.objects.filter(
            court_id__any_of=court_ids, status__in=OPEN_STATUSES, updated_at__lt=before
        )
    ),
    parameters=0,
)
_DUE = PreparedQuery(
    lambda *, court_ids, by: _by_court(
        PetitionCase.objects.filter(
            court_id__any_of=court_ids,
            status=CaseStatus.OBSERVATION,
            observation_last_day__lte=by,
        )
    ),
    parameters=0,
)


def warnings(node: Court, snap: Snapshot, today: dt.date) -> list[Warning]:
    """What needs attention now under `node`: the nominal and reopened cases from the case
    tally, the stale and soon-due cases from two indexed counts, the courts behind pace from
    the snapshot. Under the nation the counts are listed by province."""
    keys = ("nominal", "stale", "observation", "repetition")
    # Each court's counts go to the line they are listed on: the court itself, or under the
    # nation its province (the high court with its tree).
    line_of = {c.pk: c for c in snap.courts_under(node)}
    if node.is_nation:
        provinces = {c.path: c for c in snap.children(node)}
        line_of = {c.pk: provinces[c.root_path()] for c in snap.courts}
    counted: dict[Court, dict[str, int]] = {}

    def count(court_id: int, key: str, n: int) -> None:
        line = line_of.get(court_id)
        if line is not None and n:
            counted.setdefault(line, dict.fromkeys(keys, 0))[key] += n

    # The court ids even for the nation: the stale count then reads the partial index court
    # by court instead of every open case.
    court_ids = list(line_of)
    for court_id, nominal, again in tally.flags_by_court(court_ids):
        count(court_id, "nominal", nominal)
        count(court_id, "repetition", again)
    stale_cutoff = clock.start_of_day(today - dt.timedelta(days=stale_after_days()))
    due = today + dt.timedelta(days=OBSERVATION_WARNING_DAYS)
    shape = tuple(court_ids)
    by_court = {
        "stale": _STALE(shape=(shape, stale_cutoff), court_ids=court_ids, before=stale_cutoff),
        "observation": _DUE(shape=(shape, due), court_ids=court_ids, by=due),
    }
    for key, rows in by_court.items():
        for court_id, n in rows:
            count(court_id, key, n)
    params: dict[str, dict[str, str]] = {
        "nominal": {"nominal": "1"},
        "stale": {"sort": "updated"},
        "observation": {"status": CaseStatus.OBSERVATION},
        "repetition": {"reopened": "1", "status": CaseStatus.IN_RESOLUTION},
    }
    found: dict[str, list[tuple[str, int, str | None]]] = {k: [] for k in keys}
    for line in sorted(counted, key=lambda c: c.path):
        for key, items in found.items():
            if n := counted[line][key]:
                url = case_list_url(line, own=not node.is_nation, **params[key])
                items.append((line.short_name, n, url))
    behind: list[tuple[str, int, str | None]] = [
        (r.court.short_name, r.figures.open, None) for r in snap.behind_pace(node) if r.figures.open
    ]
    days = stale_after_days()
    return [
        Warning(
            "nominal", "疑似挂名包案", "包案领导长期没有亲自工作记录的案件（R8）", found["nominal"]
        ),
        Warning(
            "stale", f"{days}日以上无进展", f"未结案件{days}日以上没有任何办理记录", found["stale"]
        ),
        Warning(
            "pace",
            "进度落后于序时进度",
            f"化解率低于序时进度 {metrics.percent(snap.expected)} 的法院（数字为未验收件数）",
            behind,
        ),
        Warning(
            "observation",
            "观察期即将届满",
            f"{OBSERVATION_WARNING_DAYS}日内观察期届满、需及时跟进的案件",
            found["observation"],
        ),
        Warning(
            "repetition", "重新信访", "息诉后再次进京赴省、正在重新化解的案件", found["repetition"]
        ),
    ]


# --- charts --------------------------------------------------------------------------------


def chart_data(snap: Snapshot, node: Court, rows: list[TableRow]) -> dict[str, Any]:
    """Everything the page's charts draw, as plain JSON."""
    campaign, day = snap.campaign, snap.day
    total = snap.subtree(node)
    return {
        "title": node.short_name,
        "asOf": day.isoformat(),
        "deadline": campaign.deadline.isoformat(),
        "expected": snap.expected,
        "rows": [
            {
                "name": r.label,
                "tasks": r.figures.tasks,
                "met": r.figures.met,
                "accepted": r.figures.accepted,
                "rate": None if r.figures.rate is None else round(r.figures.rate * 100, 1),
            }
            for r in rows
            if r.figures.tasks or r.figures.new
        ],
        "statuses": [
            {"name": label, "value": total.statuses.get(status, 0)}
            for status, label in STATUS_COLUMNS
            if total.statuses.get(status, 0)
        ],
        "progress": _progress(snap, node, total),
        "timeline": _timeline(snap, node),
        "grid": _grid(snap, node),
    }


def _progress(snap: Snapshot, node: Court, total: Figures) -> dict[str, Any]:
    campaign, day = snap.campaign, snap.day
    days = metrics.progress_points(campaign, day)
    today = metrics.Point(day, total.tasks, total.accepted)  # the snapshot's, no query
    points = metrics.progress_series(campaign, node, days, last=today)
    result: dict[str, Any] = {
        "open": [[p.day.isoformat(), p.open] for p in points],
        "target": [
            [p.day.isoformat(), round(p.tasks * (1 - metrics.expected_rate(campaign, p.day)), 1)]
            for p in points
        ]
        + [[campaign.deadline.isoformat(), 0]],
        "forecast": [],
    }
    outlook = metrics.forecast(campaign, day, total)
    if day < campaign.deadline:
        result["forecast"] = [
            [day.isoformat(), total.open],
            [campaign.deadline.isoformat(), outlook.open_at_deadline],
        ]
    result["perDay"] = round(outlook.per_day, 2)
    result["openAtDeadline"] = outlook.open_at_deadline
    result["finishesOn"] = outlook.finishes_on.isoformat() if outlook.finishes_on else None
    return result


def _timeline(snap: Snapshot, node: Court) -> dict[str, Any]:
    campaign, day = snap.campaign, snap.day
    ids = None if node.is_nation else [c.pk for c in snap.courts_under(node)]
    counts = metrics.timeline_counts(campaign, node, day, live=snap.live, court_ids=ids)
    last = metrics.period_number(campaign, day)
    labels = ["动员部署"] + [f"第{n}期" for n in range(1, last + 1)]

    def bucketed(per_period: dict[int, int]) -> list[int]:
        return [per_period.get(number, 0) for number in range(last + 1)]

    return {
        "labels": labels,
        "repetitions": bucketed(counts["repetition"]),
        "beijing": bucketed(counts["beijing"]),
        "province": bucketed(counts["province"]),
    }


def _grid(snap: Snapshot, node: Court) -> dict[str, Any] | None:
    """All courts under `node` as cells coloured by rate: one line per area (for the
    province, the high court's own cases make the first line)."""
    children = snap.children(node)
    if not children:
        return None
    if node.is_nation:  # a line per province: the high court's own cases, then each area
        return _cells(
            [(p.short_name, [p, *snap.children(p)]) for p in children],
            lambda c: snap.own(c) if c.is_high else snap.subtree(c),
        )
    if any(snap.children(c) for c in children):
        lines = [(f"{node.short_name}（本院）", [node])]
        lines += [(c.short_name, [c, *snap.children(c)]) for c in children]
    else:
        lines = [(node.short_name, [node, *children])]
    return _cells(lines, snap.own)


def _cells(
    lines: list[tuple[str, list[Court]]], figures_of: Callable[[Court], Figures]
) -> dict[str, Any]:
    cells: list[list[Any]] = []
    for y, (_name, courts) in enumerate(lines):
        for x, court in enumerate(courts):
            rate = figures_of(court).rate
            value = None if rate is None else round(rate * 100, 1)
            cells.append([x, y, value, court.short_name])
    return {
        "areas": [name for name, _courts in lines],
        "width": max(len(courts) for _name, courts in lines),
        "cells": cells,
    }
