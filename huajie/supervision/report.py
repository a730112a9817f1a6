"""The summary report for a region or a court, on demand (R20: 主动向党委和党委政法委汇报).

An official document (`officialdoc`) addressed to the Party committee's political-legal
commission of the court's region: the overall progress, a table by area or court, the
problems found with the courts named, and the next steps. Figures are as of a day (metrics).
"""

from __future__ import annotations

import datetime as dt

from huajie.cases.models import Campaign
from huajie.core import clock
from huajie.courts.models import Court, CourtKind, CourtLevel
from huajie.supervision import metrics
from huajie.supervision.metrics import Figures, Snapshot, percent
from huajie.supervision.officialdoc import (
    Block,
    Heading,
    OfficialDocument,
    Para,
    Table,
    cn_date,
    to_docx,
    to_pdf,
)

CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


def region_of(court: Court) -> str:
    """The region a court serves, from its name: 山东省济南市历下区人民法院 → 历下区."""
    name = court.name
    for suffix in ("高级人民法院", "中级人民法院", "人民法院"):
        name = name.removesuffix(suffix)
    for marker in ("省", "自治区", "市"):
        _head, sep, rest = name.partition(marker)
        if sep and rest and court.level != CourtLevel.HIGH:
            name = rest
    return name


def committee_of(court: Court) -> str:
    """The Party political-legal commission a court reports to (主送机关)."""
    if court.kind != CourtKind.ORDINARY:
        return "党委政法委员会："
    region = region_of(court)
    if court.level == CourtLevel.HIGH:
        return f"中共{region.removesuffix('省')}省委政法委员会："
    return f"中共{region}委政法委员会："


def scope_name(court: Court) -> str:
    if court.level == CourtLevel.HIGH:
        return "全省法院"
    if court.level == CourtLevel.INTERMEDIATE:
        return f"{court.short_name}及辖区法院"
    return court.short_name


def totals_text(figures: Figures, expected: float, day: dt.date) -> str:
    return (
        f"截至{cn_date(day)}，共有化解任务（存量案件）{figures.tasks}件，"
        f"已达到化解标准{figures.met}件，经验收化解{figures.accepted}件，"
        f"化解率{percent(figures.rate)}（序时进度{percent(expected)}），尚有{figures.open}件未验收；"
        f"另有新发信访案件（增量）{figures.new}件，已化解{figures.new_accepted}件。"
        f"息诉后再次进京赴省上访、重新化解的案件{figures.reopened_cases}件。"
    )


def problems(snap: Snapshot, node: Court, wording: dict[str, str] | None = None) -> list[str]:
    """One sentence per kind of problem, naming the courts (empty kinds left out)."""
    courts = list(snap.courts_under(node))

    def named(attribute: str) -> list[str]:
        return [
            f"{c.short_name}{n}件" for c in courts if (n := getattr(snap.own(c), attribute)) > 0
        ]

    found = []
    behind = [f"{r.court.short_name}（{percent(r.figures.rate)}）" for r in snap.behind_pace(node)]
    if behind:
        found.append(f"进度落后于序时进度（{percent(snap.expected)}）的法院：{'、'.join(behind)}。")
    for attribute, text in (
        ("nominal", "疑似挂名包案、包案领导长期无工作记录的案件"),
        ("overdue", "逾期未化解的案件"),
        ("returned_period", "验收被退回的案件（件次）"),
        ("reopened_period", "息诉后再次进京赴省上访的案件（件次）"),
    ):
        names = named(attribute)
        if names:
            found.append(f"{text}：{'、'.join(names)}。")
    return found


def progress_table(snap: Snapshot, node: Court, title: str) -> Table:
    rows = [r for r in snap.rows(node) if r.figures.tasks or r.figures.new]
    total = snap.subtree(node)
    return Table(
        title=title,
        header=["单位", "任务数", "达标", "已验收", "化解率", "新发信访"],
        rows=[
            [
                r.label,
                str(r.figures.tasks),
                str(r.figures.met),
                str(r.figures.accepted),
                percent(r.figures.rate),
                str(r.figures.new),
            ]
            for _rank, r in metrics.ranked(rows)
        ],
        total=[
            "合计",
            str(total.tasks),
            str(total.met),
            str(total.accepted),
            percent(total.rate),
            str(total.new),
        ],
    )


def build(campaign: Campaign, day: dt.date, node: Court) -> OfficialDocument:
    snap = metrics.snapshot(campaign, day, node, since=campaign.mobilization_start)
    total = snap.subtree(node)
    outlook = metrics.forecast(campaign, day, total)
    who = scope_name(node)
    blocks: list[Block] = [
        Para(
            f"按照省法院《关于开展防范和化解涉诉信访案件工作落实年活动的意见》部署，{who}"
            "坚持院领导包案、一案一专班，分类推进化解工作。现将有关情况报告如下。"
        ),
        Heading("一、总体进展"),
        Para(totals_text(total, snap.expected, day)),
        Para(
            f"按目前进度（日均验收{outlook.per_day:.2f}件），至{cn_date(campaign.deadline)}"
            f"预计仍有{outlook.open_at_deadline}件未能化解。"
        ),
        Heading("二、各单位进展"),
        progress_table(snap, node, f"{who}化解进度（截至{cn_date(day)}）"),
        Heading("三、存在的问题"),
    ]
    found = problems(snap, node)
    blocks += [Para(text) for text in found] or [Para("未发现突出问题。")]
    blocks += [
        Heading("四、下一步工作"),
        Para(
            "（一）压实一把手责任，对进度落后的单位逐案会商、挂牌督办，对下级法院解决不了的案件"
            "依法提级办理。"
        ),
        Para("（二）坚持分类化解，用足用好司法救助、公开听证等措施，做到案结事了。"),
        Para("（三）恳请党委和党委政法委加强统筹协调，帮助解决化解中的困难。"),
    ]
    today = clock.today()
    return OfficialDocument(
        organ=node.name,
        number_line=f"{campaign.year}年工作情况报告",
        office=f"{node.short_name}",
        title=f"关于{who}防范和化解涉诉信访案件工作情况的报告",
        addressees=committee_of(node),
        blocks=blocks,
        signature=node.name,
        date=today,
        printed_by=f"{node.short_name}办公室",
        printed_on=today,
    )


def render(campaign: Campaign, day: dt.date, node: Court, fmt: str) -> tuple[bytes, str, str]:
    """(file bytes, file name, content type) of the report in `fmt` (docx or pdf)."""
    document = build(campaign, day, node)
    data = to_docx(document) if fmt == "docx" else to_pdf(document)
    name = f"工作情况报告-{node.short_name}-{day:%Y%m%d}.{fmt}"
    return data, name, CONTENT_TYPES[fmt]
