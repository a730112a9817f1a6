"""Ledger sheets for the tests, written with openpyxl the way courts lay them out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import openpyxl

from huajie.courts.models import Person
from tests.cases.world import World

TITLE = "历下法院防范和化解涉诉信访案件任务台账"
DEFAULT_HEADERS = (
    "序号",
    "台账编号",
    "信访人",
    "身份证号",
    "联系电话",
    "户籍地",
    "信访类型",
    "首次信访时间",
    "最近信访时间",
    "信访次数",
    "原审法院",
    "原审案号",
    "原审法官",
    "案由",
    "信访诉求",
    "风险等级",
    "是否重大疑难",
    "责任法院",
    "包案领导",
    "庭领导",
    "工作人员",
    "信访联系人",
    "化解分类",
    "化解方式",
    "化解时间",
    "备注",
)
VALID_ID = "11010519491231002X"
OTHER_ID = "370102198001011234"  # check digit computed below


def id_number(body17: str) -> str:
    from huajie.cases.identity import compute_check_char

    return body17 + compute_check_char(body17)


def row(**values: Any) -> dict[str, Any]:
    """A sheet row by header: a plain new case at 历下法院 unless told otherwise."""
    base: dict[str, Any] = {
        "信访人": "张三",
        "信访类型": "进京",
        "首次信访时间": dt.date(2018, 3, 1),
        "最近信访时间": dt.date(2018, 12, 1),
        "信访次数": 3,
        "原审案号": "(2017)鲁0102民初1234号",
        "原审法官": "李四",
        "案由": "民间借贷纠纷",
        "信访诉求": "要求重新审理",
        "风险等级": "一般",
        "是否重大疑难": "否",
    }
    base.update(values)
    return base


def team_of(world: World, court: str = "lixia") -> dict[str, str]:
    staff = getattr(world, court)
    return {
        "包案领导": staff.leader.name,
        "庭领导": staff.division_leader.name,
        "工作人员": staff.staff.name,
        "信访联系人": staff.contact.name,
    }


def write_sheet(
    path: Path,
    rows: Sequence[dict[str, Any]],
    *,
    headers: Sequence[str] | None = None,
    title: str | None = TITLE,
    signature: bool = False,
) -> Path:
    """Write `rows` under `headers` (default: the headers the rows use, in the usual order)."""
    if headers is None:
        used = {h for r in rows for h in r}
        headers = [h for h in DEFAULT_HEADERS if h in used or h == "序号"]
        headers += sorted(used - set(headers))
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "任务台账"
    if title:
        sheet.append([title])
    sheet.append(list(headers))
    for number, values in enumerate(rows, start=1):
        sheet.append([number if h == "序号" else values.get(h) for h in headers])
    if signature:
        sheet.append([])
        sheet.append(["制表人：王五", None, None, "分管领导：赵六", None, "填表日期：2019年5月6日"])
    book.save(path)
    return path


def person_names(people: Sequence[Person]) -> list[str]:
    return [p.name for p in people]
