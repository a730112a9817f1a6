"""The bulletin's three files, rendered from its frozen figures only (never from the cases):
Word in official-document layout and PDF (both through `supervision.officialdoc`), and an
Excel workbook of the same tables."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from huajie.supervision.metrics import percent
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

HEADINGS = (
    "一、总体进展",
    "二、各地区进展排名",
    "三、存在的问题",
    "四、先进典型",
    "五、下一阶段工作要求",
)
CN_NUMBERS = "一二三四五六七八九十"


def _day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _signed(value: float | int | None, unit: str = "") -> str:
    if value is None:
        return "—"
    if value == 0:
        return "持平"
    arrow = "↑" if value > 0 else "↓"
    return f"{arrow}{abs(value):g}{unit}"


def scope_of(f: dict[str, Any]) -> str:
    """全省 or 全国 (bulletins frozen before the national one existed are all 全省)."""
    return str(f.get("scope", "全省"))


def totals_text(f: dict[str, Any]) -> str:
    t, changes = f["totals"], f["changes"]
    end = cn_date(_day(f["period"]["end"]))
    change = ""
    if changes and changes["rate"] is not None:
        rate = changes["rate"]
        change = (
            "，与上期持平"
            if rate == 0
            else f"，比上期{'提高' if rate > 0 else '下降'}{abs(rate):g}个百分点"
        )
    return (
        f"截至{end}，{scope_of(f)}法院共有化解任务（存量案件）{t['tasks']}件。"
        f"累计达到化解标准{t['met']}件，本期达到化解标准{t['met_period']}件次；"
        f"经验收化解{t['accepted']}件，本期验收{t['accepted_period']}件次；"
        f"化解率{percent(t['rate'])}（序时进度{percent(f['expected'])}）{change}。"
        f"本期息诉后再次进京赴省上访、重新化解{t['reopened_period']}件次，"
        f"新增进京访{t['visits_beijing_period']}件次、赴省访{t['visits_province_period']}件次，"
        f"验收退回{t['returned_period']}件次。"
        f"新发信访案件（增量）{t['new']}件，已化解{t['new_accepted']}件。"
    )


def area_table(f: dict[str, Any]) -> Table:
    t = f["totals"]
    return Table(
        title=f"各地区化解进度排名（截至{cn_date(_day(f['period']['end']))}）",
        header=[
            "地区",
            "任务数",
            "达标",
            "已验收",
            "化解率",
            "较上期（百分点）",
            "排名",
            "名次变化",
        ],
        rows=[
            [
                a["name"],
                str(a["tasks"]),
                str(a["met"]),
                str(a["accepted"]),
                percent(a["rate"]),
                _signed(a["rate_change"]),
                str(a["rank"]) if a["rank"] else "—",
                _signed(a["rank_change"]),
            ]
            for a in f["areas"]
        ],
        total=[
            f"{scope_of(f)}合计",
            str(t["tasks"]),
            str(t["met"]),
            str(t["accepted"]),
            percent(t["rate"]),
            _signed(f["changes"]["rate"]) if f["changes"] else "—",
            "",
            "",
        ],
    )


def _problem_paragraphs(f: dict[str, Any]) -> list[Block]:
    from huajie.bulletins.content import PROBLEMS

    blocks: list[Block] = []
    number = 0
    for key, (title, unit, _attribute) in PROBLEMS.items():
        items = f["problems"][key]
        if not items:
            continue
        number += 1
        blocks.append(Heading(f"（{CN_NUMBERS[number - 1]}）{title}", level=2))
        names = "、".join(f"{i['name']}{i['count']}{unit}" for i in items)
        total = sum(i["count"] for i in items)
        blocks.append(Para(f"共{total}{unit}：{names}。"))
    return blocks or [Para("本期未发现疑似挂名包案、逾期、验收退回和重新信访问题。")]


def document(f: dict[str, Any], issued_on: dt.date) -> OfficialDocument:
    province, number = f["province"]["name"], f["number"]
    best, worst = f["best"], f["worst"]
    blocks: list[Block] = [
        Para(
            f"现将{f['period']['label']}（第{number}期）{scope_of(f)}法院防范和化解涉诉信访案件"
            "工作落实年活动进展情况通报如下。"
        ),
        Heading(HEADINGS[0]),
        Para(totals_text(f)),
        Heading(HEADINGS[1]),
        area_table(f),
    ]
    ranking = []
    if best:
        ranking.append(f"化解率居前三位的是：{'、'.join(best)}")
    if worst:
        ranking.append(f"居后三位的是：{'、'.join(worst)}")
    if ranking:
        blocks.append(Para("；".join(ranking) + "。"))
    behind = f["behind_pace"]
    if behind:
        names = "、".join(f"{b['name']}（{percent(b['rate'])}）" for b in behind)
        blocks.append(
            Para(
                f"进度落后于序时进度（{percent(f['expected'])}）的法院共{len(behind)}个：{names}。"
            )
        )
    else:
        blocks.append(Para(f"各法院化解率均达到序时进度（{percent(f['expected'])}）。"))
    blocks.append(Heading(HEADINGS[2]))
    blocks += _problem_paragraphs(f)
    blocks.append(Heading(HEADINGS[3]))
    if f["exemplary"]:
        blocks += [
            Para(f"{e['court']}办理的{e['ledger_no']}号案件：{e['note']}。") for e in f["exemplary"]
        ]
    else:
        blocks.append(Para("本期暂无新评定的先进典型。"))
    blocks.append(Heading(HEADINGS[4]))
    blocks += [Para(f"{n}．{text}") for n, text in enumerate(f["requirements"], start=1)]
    return OfficialDocument(
        organ=province,
        number_line=f"第{number}期",
        office=f"{province}信访办公室",
        title=f"关于防范和化解涉诉信访案件工作落实年活动进展情况的通报（第{number}期）",
        addressees=f["addressees"],
        blocks=blocks,
        signature=province,
        date=issued_on,
        printed_by=f"{province}办公室",
        printed_on=issued_on,
    )


def to_xlsx(f: dict[str, Any], issued_on: dt.date) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    bold = Font(bold=True)
    title = (
        f"{f['province']['name']}双周通报 第{f['number']}期（{f['period']['label']}）"
        f" {cn_date(issued_on)}发布"
    )

    def sheet(
        name: str, header: list[str], rows: list[list[Any]], percent_columns: tuple[int, ...]
    ) -> None:
        ws = book.create_sheet(name)
        ws.append([title])
        ws["A1"].font = Font(bold=True, size=13)
        ws.append(header)
        for cell in ws[2]:
            cell.font = bold
            cell.alignment = Alignment(horizontal="center")
        for row in rows:
            ws.append(row)
        for column in percent_columns:
            for (cell,) in ws.iter_rows(min_row=3, min_col=column, max_col=column):
                cell.number_format = "0.0%"
        ws.column_dimensions["A"].width = 26
        ws.freeze_panes = "B3"

    t = f["totals"]
    sheet(
        "总体情况",
        ["指标", "数值"],
        [
            ["任务数（存量）", t["tasks"]],
            ["累计达到化解标准", t["met"]],
            ["本期达到化解标准（件次）", t["met_period"]],
            ["累计验收化解", t["accepted"]],
            ["本期验收（件次）", t["accepted_period"]],
            ["化解率", t["rate"]],
            ["序时进度", f["expected"]],
            ["本期重新信访（件次）", t["reopened_period"]],
            ["本期进京访（件次）", t["visits_beijing_period"]],
            ["本期赴省访（件次）", t["visits_province_period"]],
            ["本期验收退回（件次）", t["returned_period"]],
            ["疑似挂名包案（件）", t["nominal"]],
            ["逾期未化解（件）", t["overdue"]],
            ["新发信访（增量）", t["new"]],
            ["新发信访已化解", t["new_accepted"]],
        ],
        (),
    )
    summary = book["总体情况"]
    for row in (8, 9):
        summary.cell(row=row, column=2).number_format = "0.0%"
    sheet(
        "各地区排名",
        ["地区", "任务数", "达标", "已验收", "化解率", "较上期（百分点）", "排名", "名次变化"],
        [
            [
                a["name"],
                a["tasks"],
                a["met"],
                a["accepted"],
                a["rate"],
                a["rate_change"],
                a["rank"],
                a["rank_change"],
            ]
            for a in f["areas"]
        ]
        + [[f"{scope_of(f)}合计", t["tasks"], t["met"], t["accepted"], t["rate"], *[None] * 3]],
        (5,),
    )
    sheet(
        "各法院",
        [
            "法院",
            "所属地区",
            "任务数",
            "达标",
            "已验收",
            "化解率",
            "落后于序时进度",
            "疑似挂名",
            "逾期",
            "本期验收退回",
            "本期重新信访",
            "本期进京访",
            "本期赴省访",
            "新发信访",
        ],
        [
            [
                c["name"],
                c["area"],
                c["tasks"],
                c["met"],
                c["accepted"],
                c["rate"],
                "是" if c["behind"] else "",
                c["nominal"],
                c["overdue"],
                c["returned_period"],
                c["reopened_period"],
                c["visits_beijing_period"],
                c["visits_province_period"],
                c["new"],
            ]
            for c in f["courts"]
        ],
        (6,),
    )
    from huajie.bulletins.content import PROBLEMS

    problems = [
        [title, i["name"], i["count"]]
        for key, (title, _unit, _a) in PROBLEMS.items()
        for i in f["problems"][key]
    ]
    sheet("问题", ["问题", "法院", "数量"], problems, ())
    sheet(
        "先进典型",
        ["台账编号", "法院", "典型事迹"],
        [[e["ledger_no"], e["court"], e["note"]] for e in f["exemplary"]],
        (),
    )
    default = book["Sheet"]
    book.remove(default)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def render_all(f: dict[str, Any], issued_on: dt.date) -> dict[str, bytes]:
    doc = document(f, issued_on)
    return {"docx": to_docx(doc), "pdf": to_pdf(doc), "xlsx": to_xlsx(f, issued_on)}


def render_one(f: dict[str, Any], issued_on: dt.date, fmt: str) -> bytes:
    """One format of `render_all`."""
    if fmt == "xlsx":
        return to_xlsx(f, issued_on)
    doc = document(f, issued_on)
    return to_docx(doc) if fmt == "docx" else to_pdf(doc)
