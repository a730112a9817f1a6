"""What a bulletin says (R17), computed once at issue and frozen as JSON.

The figures come from `huajie.supervision.metrics` as of the last day of the period; the
changes in rank and rate come from the previous issued bulletin's frozen figures (never
recomputed), so a bulletin compares itself with what was actually published.

- The ranked table is by intermediate court's area (the court and its basic courts). The high
  court's own cases are a line of their own, after the areas, unranked.
- Best three: the first three areas by rate; last three: the last three areas by rate not
  already among the best (a province of five areas has three best and two last).
- Behind pace: every court (its own cases) with tasks whose rate is below the expected pace
  (linear from the start of concentrated resolution to the deadline, see metrics).

The national bulletin (issue #7) is the same document one level up, from a snapshot of
`nation()`: the areas are the provinces, behind pace lists provinces, and the issuer is the
Supreme People's Court. It is made on request for national supervision, never issued or
stored, so it has no previous issue to compare with.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from huajie.cases.models import Campaign
from huajie.courts.models import Court, CourtKind, CourtLevel
from huajie.supervision import metrics
from huajie.supervision.metrics import Figures, Period, Snapshot

FIGURES_VERSION = 1
NATIONAL_ISSUER = "最高人民法院"
PROBLEMS = {
    "nominal": ("疑似挂名包案", "件", "nominal"),
    "overdue": ("逾期未化解", "件", "overdue"),
    "returned": ("验收退回", "件次", "returned_period"),
    "reopened": ("息诉后再次进京赴省上访", "件次", "reopened_period"),
}


def _line(figures: Figures) -> dict[str, Any]:
    return figures.as_dict()


def _rate_change(rate: float | None, before: float | None) -> float | None:
    if rate is None or before is None:
        return None
    return round((rate - before) * 100, 1)  # percentage points


def compose(
    snap: Snapshot,
    period: Period,
    previous: dict[str, Any] | None,
    requirements: str = "",
) -> dict[str, Any]:
    """The frozen content of bulletin `period.number` from a snapshot as of its last day."""
    province, campaign = snap.province, snap.campaign
    national = province.is_nation
    totals = snap.subtree(province)
    areas = _areas(snap, previous)
    ranked = [a for a in areas if a["rank"] is not None]
    best = [a["name"] for a in ranked[:3]]
    worst = [a["name"] for a in ranked[-3:] if a["name"] not in best]
    behind = [
        {
            "court_id": r.court.pk,
            "name": r.court.short_name,
            "rate": r.figures.rate,
            "open": r.figures.open,
        }
        for r in snap.behind_pace(province)
    ]
    problems = {
        key: _named(snap, province, attribute) for key, (_t, _u, attribute) in PROBLEMS.items()
    }
    exemplary = [
        {"ledger_no": e.ledger_no, "court": e.court, "note": e.note}
        for e in metrics.exemplary_cases(campaign, snap.day, province)
    ]
    previous_totals = previous["totals"] if previous else None
    return {
        "version": FIGURES_VERSION,
        # The figures' reach, as the document words it (全省法院 / 全国法院).
        "scope": "全国" if national else "全省",
        "province": (
            {"id": None, "name": NATIONAL_ISSUER, "short_name": province.short_name}
            if national
            else {"id": province.pk, "name": province.name, "short_name": province.short_name}
        ),
        "addressees": (national_addressees if national else addressees)(snap.children(province)),
        "campaign": {
            "year": campaign.year,
            "name": campaign.name,
            "concentrated_start": campaign.concentrated_start.isoformat(),
            "deadline": campaign.deadline.isoformat(),
        },
        "number": period.number,
        "period": {
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
            "label": period.label,
        },
        "expected": snap.expected,
        "totals": _line(totals),
        "previous": (
            {"number": previous["number"], "end": previous["period"]["end"]} if previous else None
        ),
        "changes": (
            {
                "met": totals.met - previous_totals["met"],
                "accepted": totals.accepted - previous_totals["accepted"],
                "rate": _rate_change(totals.rate, previous_totals["rate"]),
            }
            if previous_totals
            else None
        ),
        "areas": areas,
        "courts": _courts(snap, province),
        "best": best,
        "worst": worst,
        "behind_pace": behind,
        "problems": problems,
        "exemplary": exemplary,
        "requirements": _requirements(snap, campaign, behind, problems, requirements),
    }


def _areas(snap: Snapshot, previous: dict[str, Any] | None) -> list[dict[str, Any]]:
    before = {a["court_id"]: a for a in previous["areas"]} if previous else {}
    rows = [metrics.Row(c, snap.subtree(c)) for c in snap.children(snap.province)]
    result = []
    for rank, row in metrics.ranked(rows):
        old = before.get(row.court.pk)
        old_rank = old["rank"] if old else None
        result.append(
            {
                "court_id": row.court.pk,
                "name": row.court.short_name,
                "own": False,
                "rank": rank,
                "previous_rank": old_rank,
                "rank_change": (old_rank - rank) if old_rank and rank else None,
                "previous_rate": old["rate"] if old else None,
                "rate_change": _rate_change(row.figures.rate, old["rate"] if old else None),
                **_line(row.figures),
            }
        )
    own = snap.own(snap.province)
    if own.tasks or own.new:
        result.append(
            {
                "court_id": snap.province.pk,
                "name": f"{snap.province.short_name}（本院）",
                "own": True,
                "rank": None,
                "previous_rank": None,
                "rank_change": None,
                "previous_rate": None,
                "rate_change": None,
                **_line(own),
            }
        )
    return result


def _courts(snap: Snapshot, province: Court) -> list[dict[str, Any]]:
    """Every court with cases, its own figures, in tree order, with its area (for the nation,
    its province)."""
    area_of: dict[int, str] = {}
    for court in snap.courts:
        if province.is_nation and court.parent_id is None:
            area_of[court.pk] = court.short_name
        elif province.is_nation:
            area_of[court.pk] = area_of[court.parent_id or 0]
        elif court.level == CourtLevel.INTERMEDIATE:
            area_of[court.pk] = court.short_name
        elif court.parent_id in area_of:
            area_of[court.pk] = area_of[court.parent_id]
    lines = []
    for court in snap.courts:
        figures = snap.own(court)
        if not (figures.tasks or figures.new or figures.reopened_period or figures.visits_period):
            continue
        lines.append(
            {
                "court_id": court.pk,
                "name": court.short_name,
                "area": area_of.get(court.pk, province.short_name),
                "behind": figures.rate is not None and figures.rate < snap.expected,
                **_line(figures),
            }
        )
    return lines


def _named(snap: Snapshot, province: Court, attribute: str) -> list[dict[str, Any]]:
    return [
        {"court_id": c.pk, "name": c.short_name, "count": n}
        for c in snap.courts_under(province)
        if (n := getattr(snap.own(c), attribute)) > 0
    ]


def addressees(intermediates: list[Court]) -> str:
    """各市中级人民法院，济南铁路运输中级法院，青岛海事法院： — ordinary intermediate courts
    together, the special ones by name."""
    special = [c.name.removeprefix("山东省") for c in intermediates if c.kind != CourtKind.ORDINARY]
    parts = ["各市中级人民法院"] if any(c.kind == CourtKind.ORDINARY for c in intermediates) else []
    return "，".join(parts + special) + "："


def national_addressees(provinces: list[Court]) -> str:
    """各省、自治区、直辖市高级人民法院，新疆维吾尔自治区高级人民法院生产建设兵团分院： — the
    provinces' high courts together, a branch court by name."""
    branches = [c.name for c in provinces if c.name.endswith("分院")]
    return "，".join(["各省、自治区、直辖市高级人民法院", *branches]) + "："


def _requirements(
    snap: Snapshot,
    campaign: Campaign,
    behind: list[dict[str, Any]],
    problems: dict[str, list[dict[str, Any]]],
    extra: str,
) -> list[str]:
    deadline = campaign.deadline
    items = []
    if behind:
        names = "、".join(b["name"] for b in behind[:10]) + ("等" if len(behind) > 10 else "")
        items.append(
            f"进度落后于序时进度的法院（{names}），一把手要亲自研究部署，逐案分析原因、"
            "制定措施，下一期通报前明显提升化解率。"
        )
    if problems["nominal"]:
        items.append(
            "对疑似挂名包案的案件，包案领导要亲自接访、阅卷、研究，及时登记工作情况，"
            "坚决杜绝挂名包案。"
        )
    if problems["returned"]:
        items.append("对验收退回的案件，要按照退回意见逐项整改后再提交验收，严禁弄虚作假。")
    if problems["reopened"]:
        items.append(
            "对息诉后再次进京赴省上访的案件，由原审法官和包案领导重新接访处理，直至问题彻底解决。"
        )
    items += [line.strip() for line in extra.splitlines() if line.strip()]
    items.append(
        "坚持随时化解、随时验收，化解一案、验收一案，确保"
        f"{deadline.year}年{deadline.month}月{deadline.day}日前全部实现息诉罢访、案结事了。"
    )
    return items


def period_end_for(campaign: Campaign, as_of: dt.date) -> tuple[Period, dt.date]:
    """The bulletin period containing `as_of` and the day its figures are taken (the period's
    last day, or `as_of` itself when the period is not over yet)."""
    number = metrics.period_number(campaign, as_of)
    if number == 0:
        raise ValueError("before concentrated resolution")
    period = metrics.bulletin_period(campaign, number)
    end = min(period.end, as_of)
    return Period(number, period.start, end), end
