"""Assessment (考核, R16): case leaders, judges and courts, and the year-end list.

- **Case leaders**: the cases each leads now and how many of them are accepted — "院领导包案
  化解的信访案件，要纳入院领导年度办案数量绩效考核".
- **Judges** (R15, source prevention): a deduction for every case whose grievance arose from
  their case (`source_judge`) and for every original judgment flagged wrong or flawed against
  them (`OriginalCase.trial_judge`): "对法官办案产生的信访问题…在年终绩效考核中扣分".
- **Courts**: a progress score out of 100 — the rate (accepted / tasks) × 100, less points for
  re-petitions, returned acceptances (both counted over the whole campaign) and cases now
  flagged possibly nominal; ranked by score. A court under a one-vote veto (一票否决, set by
  the high court's petition office with a reason) is ranked after all others.
- **Year end**: courts that have not finished their tasks (some not accepted) — after the
  deadline, their top leader (院长) is to be interviewed (约谈"一把手").

The weights are defaults of this module, shown on the page with the scores, so everyone can
check a score by hand. Court figures are exact "as of" a day (see metrics.py); the leader and
judge tables show the records as they are now.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import IO

from django.db.models import Count, Q

from huajie.cases.models import Campaign, CaseStatus, OriginalCase, PetitionCase
from huajie.courts.models import Court, Person, PositionKind
from huajie.supervision import metrics
from huajie.supervision.metrics import Figures
from huajie.supervision.models import CourtVeto

SOURCE_DEDUCTION = 1.0  # per case whose grievance arose from the judge's case
FLAWED_DEDUCTION = 2.0  # per original judgment flagged 错案/瑕疵案 against the judge
REPETITION_DEDUCTION = 2.0  # per re-petition (件次) at the court
RETURN_DEDUCTION = 1.0  # per returned acceptance (件次) at the court
NOMINAL_DEDUCTION = 1.0  # per case now flagged possibly nominal

RULES_TEXT = (
    f"法院得分 = 化解率 × 100 − 重新信访每件次 {REPETITION_DEDUCTION:g} 分"
    f" − 验收退回每件次 {RETURN_DEDUCTION:g} 分"
    f" − 疑似挂名包案每件 {NOMINAL_DEDUCTION:g} 分（最低 0 分）；被一票否决的法院排在最后。"
    f"法官扣分 = 引发信访的案件每件 {SOURCE_DEDUCTION:g} 分"
    f" + 错案/瑕疵案每件 {FLAWED_DEDUCTION:g} 分。"
)


@dataclass(frozen=True)
class LeaderLine:
    name: str
    court: str
    cases: int
    accepted: int


@dataclass(frozen=True)
class JudgeLine:
    name: str
    court: str
    source_cases: int
    flawed: int

    @property
    def deduction(self) -> float:
        return self.source_cases * SOURCE_DEDUCTION + self.flawed * FLAWED_DEDUCTION


@dataclass
class CourtLine:
    court: Court
    figures: Figures
    score: float | None
    veto: CourtVeto | None = None
    president: str = ""
    rank: int | None = None


@dataclass
class Sheet:
    campaign: Campaign
    day: dt.date
    node: Court
    expected: float
    courts: list[CourtLine]
    leaders: list[LeaderLine]
    judges: list[JudgeLine]
    year_end: bool
    rules: str = RULES_TEXT
    unfinished: list[CourtLine] = field(default_factory=list)


def court_score(figures: Figures) -> float | None:
    if figures.rate is None:
        return None
    score = (
        figures.rate * 100
        - REPETITION_DEDUCTION * figures.reopened_period
        - RETURN_DEDUCTION * figures.returned_period
        - NOMINAL_DEDUCTION * figures.nominal
    )
    return round(max(score, 0.0), 1)


def assess(campaign: Campaign, day: dt.date, node: Court) -> Sheet:
    """The assessment of every court under `node` as of `day` (events counted over the
    whole campaign), with its leaders and judges."""
    snap = metrics.snapshot(
        campaign, day, node, since=campaign.mobilization_start, parts=metrics.Parts.DEDUCTIONS
    )
    courts = list(snap.courts_under(node))
    vetoes = {
        v.court_id: v
        for v in CourtVeto.objects.filter(
            campaign=campaign, lifted_at__isnull=True, court__path__startswith=node.path
        ).select_related("set_by__person")
    }
    presidents = dict(
        Person.objects.filter(
            court__path__startswith=node.path, positions__kind=PositionKind.PRESIDENT
        ).values_list("court_id", "name")
    )
    lines = [
        CourtLine(
            c, snap.own(c), court_score(snap.own(c)), vetoes.get(c.pk), presidents.get(c.pk, "")
        )
        for c in courts
    ]
    _rank(lines)
    year_end = day >= campaign.deadline
    unfinished = [line for line in lines if line.figures.open > 0]
    return Sheet(
        campaign,
        day,
        node,
        snap.expected,
        lines,
        leaders(node),
        judges(node),
        year_end,
        unfinished=unfinished,
    )


def _rank(lines: list[CourtLine]) -> None:
    """Competition ranks by score; vetoed courts after all others; no tasks, no rank."""
    scored = sorted(
        (line for line in lines if line.score is not None),
        key=lambda line: (line.veto is not None, -(line.score or 0.0), line.court.path),
    )
    previous: CourtLine | None = None
    for index, line in enumerate(scored, start=1):
        same = (
            previous is not None
            and previous.score == line.score
            and (previous.veto is None) == (line.veto is None)
        )
        line.rank = previous.rank if same and previous else index
        previous = line
    order = {id(line): n for n, line in enumerate(scored)}
    lines.sort(key=lambda line: order.get(id(line), len(order) + 1))


def leaders(node: Court) -> list[LeaderLine]:
    """Every case leader under `node`: the cases led now and those accepted (three
    queries). The cases are counted by leader id from the list's index alone
    (`case_list_by_court` holds court, status and leader), and only then are the few
    hundred leaders read: joined before counting, the people and courts tables were read
    whole for a province (49 ms at a million cases, 11 now)."""
    courts = list(Court.objects.filter(path__startswith=node.path).values_list("pk", flat=True))
    counts = (
        PetitionCase.objects.filter(court_id__any_of=courts, leader__isnull=False)
        .values_list("leader_id")
        .annotate(cases=Count("pk"), accepted=Count("pk", filter=Q(status=CaseStatus.ACCEPTED)))
        .order_by()
    )
    led = {leader: (cases, accepted) for leader, cases, accepted in counts}
    people = Person.objects.filter(pk__in=list(led)).values_list(
        "pk", "name", "court__short_name", "court__path"
    )
    lines = [
        (path, LeaderLine(name, court, *led[pk])) for pk, name, court, path in people.order_by()
    ]
    lines.sort(key=lambda pair: (pair[0], -pair[1].accepted, pair[1].name))
    return [line for _path, line in lines]


def judges(node: Court) -> list[JudgeLine]:
    """Judges of courts under `node` with deductions (two queries)."""
    found: dict[int, JudgeLine] = {}
    sources = (
        PetitionCase.objects.filter(
            source_judge__isnull=False, source_judge__court__path__startswith=node.path
        )
        .values("source_judge", "source_judge__name", "source_judge__court__short_name")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in sources:
        found[row["source_judge"]] = JudgeLine(
            row["source_judge__name"], row["source_judge__court__short_name"], row["n"], 0
        )
    flawed = (
        OriginalCase.objects.filter(
            is_flawed=True,
            trial_judge__isnull=False,
            trial_judge__court__path__startswith=node.path,
        )
        .values("trial_judge", "trial_judge__name", "trial_judge__court__short_name")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for judged in flawed:
        known = found.get(judged["trial_judge"])
        found[judged["trial_judge"]] = JudgeLine(
            judged["trial_judge__name"],
            judged["trial_judge__court__short_name"],
            known.source_cases if known else 0,
            judged["n"],
        )
    return sorted(found.values(), key=lambda line: (-line.deduction, line.court, line.name))


def write_xlsx(sheet: Sheet, handle: IO[bytes]) -> None:
    """The assessment as a workbook: courts, case leaders, judges, the year-end list."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    bold = Font(bold=True)
    title = f"{sheet.node.short_name}考核情况（截至{metrics._cn_date(sheet.day)}）"

    def table(ws: object, header: list[str], rows: list[list[object]]) -> None:
        ws.append([title])  # type: ignore[attr-defined]
        ws.append(header)  # type: ignore[attr-defined]
        for cell in ws[2]:  # type: ignore[index]
            cell.font = bold
            cell.alignment = Alignment(horizontal="center")
        for row in rows:
            ws.append(row)  # type: ignore[attr-defined]
        ws.column_dimensions["A"].width = 24  # type: ignore[attr-defined]

    courts = book.active
    assert courts is not None
    courts.title = "法院考核"
    table(
        courts,
        [
            "法院",
            "任务数",
            "已验收",
            "化解率",
            "重新信访（件次）",
            "验收退回（件次）",
            "疑似挂名",
            "得分",
            "排名",
            "一票否决",
            "否决理由",
        ],
        [
            [
                line.court.short_name,
                line.figures.tasks,
                line.figures.accepted,
                line.figures.rate,
                line.figures.reopened_period,
                line.figures.returned_period,
                line.figures.nominal,
                line.score,
                line.rank,
                "是" if line.veto else "",
                line.veto.reason if line.veto else "",
            ]
            for line in sheet.courts
        ],
    )
    for row in courts.iter_rows(min_row=3, min_col=4, max_col=4):
        for cell in row:
            cell.number_format = "0.0%"
    courts.append([])
    courts.append([sheet.rules])
    table(
        book.create_sheet("包案领导"),
        ["包案领导", "法院", "包案数", "已验收"],
        [[line.name, line.court, line.cases, line.accepted] for line in sheet.leaders],
    )
    table(
        book.create_sheet("法官扣分"),
        ["法官", "法院", "引发信访案件", "错案/瑕疵案", "扣分"],
        [[j.name, j.court, j.source_cases, j.flawed, j.deduction] for j in sheet.judges],
    )
    table(
        book.create_sheet("未完成任务法院"),
        ["法院", "任务数", "已验收", "未验收", "院长（约谈对象）"],
        [
            [u.court.short_name, u.figures.tasks, u.figures.accepted, u.figures.open, u.president]
            for u in sheet.unfinished
        ],
    )
    book.save(handle)
