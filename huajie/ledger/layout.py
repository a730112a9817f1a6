"""The task ledger's columns as courts keep them (../shared/spec/ledger.md, R22).

One table of columns, in the order courts write them, each with its usual header and the
synonyms people use; export writes the headers, import (later) finds columns by any of them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    synonyms: tuple[str, ...] = ()
    width: int = 14


COLUMNS: tuple[Column, ...] = (
    Column("row", "序号", width=6),
    Column("ledger_no", "台账编号", ("案件编号", "编号"), 12),
    Column("petitioners", "信访人", ("姓名", "信访人姓名"), 12),
    Column("id_numbers", "身份证号", ("身份证号码", "公民身份号码"), 21),
    Column("phones", "联系电话", ("电话",), 14),
    Column("domicile", "户籍地", ("户籍地址",), 24),
    Column("residence", "实际居住地", ("居住地", "现住址"), 24),
    Column("petition_type", "信访类型", ("类型",), 10),
    Column("first_visit", "首次信访时间", (), 12),
    Column("last_visit", "最近信访时间", (), 12),
    Column("visit_count", "信访次数", (), 8),
    Column("original_courts", "原审法院", ("被反映法院",), 14),
    Column("original_numbers", "原审案号", ("被反映案号", "案号"), 26),
    Column("trial_judges", "原审法官", ("承办人", "主办人"), 10),
    Column("causes", "案由", (), 16),
    Column("stage", "问题环节", (), 8),
    Column("claims", "信访诉求", ("诉求", "主要诉求"), 30),
    Column("risk_level", "风险等级", (), 8),
    Column("is_major", "是否重大疑难", (), 8),
    Column("court", "责任法院", ("责任单位",), 14),
    Column("leader", "包案领导", (), 10),
    Column("leader_title", "包案领导职务", (), 12),
    Column("division_leader", "庭领导", (), 10),
    Column("staff", "工作人员", ("专办人员",), 10),
    Column("petition_contact", "信访联系人", (), 10),
    Column("classification", "化解分类", (), 16),
    Column("measures", "工作措施", (), 30),
    Column("progress", "化解进展", ("目前状况",), 14),
    Column("resolution_method", "化解方式", (), 12),
    Column("met_standard_on", "化解时间", (), 12),
    Column("acceptance", "验收状态", (), 10),
    Column("accepted_on", "验收时间", (), 12),
    Column("remarks", "备注", (), 20),
)

SEPARATOR = "、"
