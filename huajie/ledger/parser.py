"""One ledger row's cells → values in the system's terms, column by column.

Each column has one reader (`READERS`); a cell it cannot read becomes a `CellError` for that
column, and the row's other cells are still read, so a person gets every problem at once.
The same readers parse the exporter's values for an existing case, so comparing a sheet row
with the case compares like with like (export → import is a round trip that changes nothing).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from huajie.cases.casenumber import CaseNumber, CaseNumberError, parse_case_numbers
from huajie.cases.identity import IdNumberError, normalize_id_number
from huajie.cases.models import PetitionType, RiskLevel, Stage
from huajie.ledger.reader import RawRow
from huajie.ledger.values import (
    CellError,
    is_masked,
    is_placeholder,
    nfkc,
    parse_choice,
    parse_count,
    parse_date,
    parse_yes_no,
    split_id_numbers,
    split_values,
    text_of,
)

PETITION_TYPES: dict[str, str] = {
    "进京": PetitionType.BEIJING,
    "赴京": PetitionType.BEIJING,
    "进京访": PetitionType.BEIJING,
    "赴省": PetitionType.PROVINCE,
    "赴省访": PetitionType.PROVINCE,
    **dict.fromkeys(
        (
            "进京及赴省",
            "赴省及进京",
            "进京和赴省",
            "进京赴省",
            "赴省进京",
            "进京、赴省",
            "赴省、进京",
            "进京/赴省",
            "进京,赴省",
        ),
        PetitionType.BOTH,
    ),
}
RISK_LEVELS: dict[str, str] = {
    "一般": RiskLevel.NORMAL,
    "普通": RiskLevel.NORMAL,
    "较高": RiskLevel.ELEVATED,
    "越级访风险": RiskLevel.ELEVATED,
    "高": RiskLevel.HIGH,
    "进京访风险": RiskLevel.HIGH,
}
STAGES: dict[str, str] = {
    "立案": Stage.FILING,
    "审判": Stage.TRIAL,
    "审理": Stage.TRIAL,
    "执行": Stage.ENFORCEMENT,
}
CLASSIFICATIONS: dict[str, str] = {
    **dict.fromkeys(("解决", "解决到位", "诉求合理", "诉求合理·解决到位"), "cls_solve"),
    **dict.fromkeys(
        ("教育", "思想教育", "思想教育到位", "诉求无理", "诉求无理·思想教育到位"), "cls_educate"
    ),
    **dict.fromkeys(
        ("救助", "帮扶救助", "帮扶救助到位", "生活困难", "生活困难·帮扶救助到位"), "cls_aid"
    ),
    **dict.fromkeys(("依法处理", "行为违法", "行为违法·依法处理"), "cls_lawful"),
}
METHODS: dict[str, str] = {
    **dict.fromkeys(("书面承诺", "书面承诺息诉罢访"), "written"),
    **dict.fromkeys(("口头承诺", "口头承诺息诉罢访", "口头承诺且一年内未赴省进京"), "oral"),
    **dict.fromkeys(("依法终结", "终结", "信访终结"), "termination"),
}
ACCEPTANCE: dict[str, str] = {
    **dict.fromkeys(("未申请", "未验收", "未提交"), "未申请"),
    **dict.fromkeys(("待验收", "已申请", "验收中"), "待验收"),
    **dict.fromkeys(("已验收", "验收通过", "通过"), "已验收"),
    **dict.fromkeys(("已退回", "退回", "验收退回"), "已退回"),
}


@dataclass(frozen=True)
class Reading:
    """What a reader needs besides the cell: the workbook's date system."""

    epoch: dt.datetime | None = None


def _text(value: Any, reading: Reading) -> str:
    return text_of(value)


def _ledger_no(value: Any, reading: Reading) -> str:
    text = nfkc(text_of(value)).strip()
    if len(text) > 32:
        raise CellError(f"台账编号“{text}”超过 32 个字符", "请缩短编号，或清空由系统生成")
    return text


def _names(value: Any, reading: Reading) -> tuple[str, ...]:
    names = tuple(split_values(value))
    for name in names:
        if len(name) > 64:
            raise CellError(f"姓名“{name[:20]}…”过长", "几个姓名之间请用顿号“、”分隔")
    return names


def _one_person(value: Any, reading: Reading) -> str:
    names = split_values(value)
    if len(names) > 1:
        raise CellError("只能填写一人", "一案一专班：每个岗位只填一名人员的姓名")
    return names[0] if names else ""


def _id_piece(piece: str) -> str:
    if is_placeholder(piece):
        return ""
    if is_masked(piece):
        return nfkc(piece)
    try:
        return normalize_id_number(piece)
    except IdNumberError as exc:
        raise CellError(f"身份证号“{piece}”有误：{exc}", "请核对后重新填写") from None


def _id_numbers(value: Any, reading: Reading) -> tuple[str, ...]:
    if isinstance(value, float) and not value.is_integer():
        raise CellError("身份证号不是整数", "请将该列设为“文本”格式后重新填写号码")
    if isinstance(value, float) and value >= 1e15:
        raise CellError(
            "身份证号被 Excel 存成了数字，后几位已经丢失",
            "请将该列设为“文本”格式，再重新输入完整的 18 位号码",
        )
    return tuple(_id_piece(piece) for piece in split_id_numbers(value))


def _phones(value: Any, reading: Reading) -> tuple[str, ...]:
    return tuple("" if is_placeholder(p) else nfkc(p) for p in split_values(value))


def _date(value: Any, reading: Reading) -> dt.date | None:
    return parse_date(value, reading.epoch)


def _count(value: Any, reading: Reading) -> int | None:
    count = parse_count(value)
    if count is not None and count > 1000:
        raise CellError(f"信访次数 {count} 过大", "请核对次数（系统按次数逐次登记信访记录）")
    return count


def _case_numbers(value: Any, reading: Reading) -> tuple[CaseNumber, ...]:
    try:
        return tuple(parse_case_numbers(text_of(value)))
    except CaseNumberError as exc:
        raise CellError(str(exc), "几个案号之间请用顿号“、”分隔") from None


def _list(value: Any, reading: Reading) -> tuple[str, ...]:
    return tuple(split_values(value))


def _petition_type(value: Any, reading: Reading) -> str | None:
    return parse_choice(value, PETITION_TYPES, "信访类型", ("进京", "赴省", "进京及赴省"))


def _risk(value: Any, reading: Reading) -> str | None:
    shown = ("一般", "较高", "高", "普通", "越级访风险", "进京访风险")
    return parse_choice(value, RISK_LEVELS, "风险等级", shown)


def _stages(value: Any, reading: Reading) -> tuple[str, ...]:
    return tuple(
        parse_choice(piece, STAGES, "问题环节", ("立案", "审判", "执行")) or ""
        for piece in split_values(value)
    )


def _major(value: Any, reading: Reading) -> bool | None:
    return parse_yes_no(value)


def _classification(value: Any, reading: Reading) -> frozenset[str]:
    shown = ("解决", "教育", "救助", "依法处理")
    return frozenset(
        parse_choice(piece, CLASSIFICATIONS, "化解分类", shown) or ""
        for piece in split_values(value)
    )


def _method(value: Any, reading: Reading) -> str | None:
    return parse_choice(value, METHODS, "化解方式", ("书面承诺", "口头承诺", "依法终结"))


def _acceptance(value: Any, reading: Reading) -> str | None:
    return parse_choice(value, ACCEPTANCE, "验收状态", ("未申请", "待验收", "已验收", "已退回"))


Reader = Callable[[Any, Reading], Any]

READERS: dict[str, Reader] = {
    "ledger_no": _ledger_no,
    "petitioners": _names,
    "id_numbers": _id_numbers,
    "phones": _phones,
    "domicile": _text,
    "residence": _text,
    "petition_type": _petition_type,
    "first_visit": _date,
    "last_visit": _date,
    "visit_count": _count,
    "original_courts": _list,
    "original_numbers": _case_numbers,
    "trial_judges": _list,
    "causes": _list,
    "stage": _stages,
    "claims": _text,
    "risk_level": _risk,
    "is_major": _major,
    "court": _text,
    "leader": _one_person,
    "leader_title": _text,
    "division_leader": _one_person,
    "staff": _one_person,
    "petition_contact": _one_person,
    "classification": _classification,
    "measures": _text,
    "progress": _text,
    "resolution_method": _method,
    "met_standard_on": _date,
    "acceptance": _acceptance,
    "accepted_on": _date,
    "remarks": _text,
}

EMPTY: dict[str, Any] = {
    "first_visit": None,
    "last_visit": None,
    "visit_count": None,
    "petition_type": None,
    "risk_level": None,
    "is_major": None,
    "resolution_method": None,
    "met_standard_on": None,
    "acceptance": None,
    "accepted_on": None,
    "classification": frozenset(),
}


@dataclass
class ParsedRow:
    """A row's values by column key; `filled` are the columns with something in them."""

    raw: RawRow
    values: dict[str, Any] = field(default_factory=dict)
    filled: set[str] = field(default_factory=set)
    errors: dict[str, CellError] = field(default_factory=dict)

    def get(self, key: str) -> Any:
        if key in self.values:
            return self.values[key]
        return EMPTY.get(key, () if key in _TUPLES else "")


_TUPLES = {
    "petitioners",
    "id_numbers",
    "phones",
    "original_courts",
    "original_numbers",
    "trial_judges",
    "causes",
    "stage",
}


def parse_row(raw: RawRow, reading: Reading) -> ParsedRow:
    """Read every cell of `raw`; unreadable cells are recorded in `errors`, never raised."""
    parsed = ParsedRow(raw)
    for key, text in raw.formulas.items():
        parsed.errors[key] = CellError(
            f"此单元格是公式（{text[:40]}），系统不计算公式",
            "请复制整列后用“选择性粘贴→数值”粘贴回原处，再导入",
        )
    for key, text in raw.errors.items():
        parsed.errors[key] = CellError(f"单元格显示错误值 {text}", "请改为正确的内容")
    for key, value in raw.values.items():
        reader = READERS.get(key)
        if reader is None or key in parsed.errors:
            continue
        if text_of(value):
            parsed.filled.add(key)
        try:
            parsed.values[key] = reader(value, reading)
        except CellError as exc:
            parsed.errors[key] = exc
    return parsed


def parse_values(values: dict[str, Any]) -> ParsedRow:
    """The exporter's values for a case, read the way a sheet is read."""
    return parse_row(RawRow(0, values=values), Reading())
