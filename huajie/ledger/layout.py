"""The task ledger's columns as courts keep them (../shared/spec/ledger.md, R22).

One table of columns, in the order courts write them, each with its usual header and the
synonyms people use; export writes the headers, import finds columns by any of them (after
`huajie.ledger.values.normalize_header`: spaces, full-width forms, asterisks and trailing
notes in brackets do not matter).
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
    Column("petitioners", "信访人", ("姓名", "信访人姓名", "上访人", "信访人员"), 12),
    Column(
        "id_numbers",
        "身份证号",
        ("身份证号码", "公民身份号码", "身份证", "身份证件号码", "公民身份证号码"),
        21,
    ),
    Column("phones", "联系电话", ("电话", "联系方式", "手机号码", "手机号", "电话号码"), 14),
    Column("domicile", "户籍地", ("户籍地址", "户籍所在地", "户口所在地"), 24),
    Column("residence", "实际居住地", ("居住地", "现住址", "经常居住地", "现居住地"), 24),
    Column("petition_type", "信访类型", ("类型", "信访形式"), 10),
    Column("first_visit", "首次信访时间", ("首次信访日期", "首访时间", "初次信访时间"), 12),
    Column(
        "last_visit",
        "最近信访时间",
        ("最近信访日期", "最近一次信访时间", "最后信访时间", "末次信访时间"),
        12,
    ),
    Column("visit_count", "信访次数", ("上访次数", "信访总次数"), 8),
    Column("original_courts", "原审法院", ("被反映法院", "原审单位"), 14),
    Column("original_numbers", "原审案号", ("被反映案号", "案号", "原案号", "涉及案号"), 26),
    Column("trial_judges", "原审法官", ("承办人", "主办人", "承办法官", "原承办人"), 10),
    Column("causes", "案由", ("原审案由",), 16),
    Column("stage", "问题环节", ("问题所处环节", "所处环节"), 8),
    Column("claims", "信访诉求", ("诉求", "主要诉求"), 30),
    Column("risk_level", "风险等级", ("风险级别",), 8),
    Column("is_major", "是否重大疑难", ("重大疑难", "是否重大疑难案件"), 8),
    Column("court", "责任法院", ("责任单位", "责任法院名称"), 14),
    Column("leader", "包案领导", ("包案院领导", "包案领导姓名"), 10),
    Column("leader_title", "包案领导职务", ("包案院领导职务", "职务"), 12),
    Column("division_leader", "庭领导", ("包案庭领导", "庭室领导"), 10),
    Column("staff", "工作人员", ("专办人员", "具体承办人员"), 10),
    Column("petition_contact", "信访联系人", ("信访部门联系人",), 10),
    Column("classification", "化解分类", ("分类",), 16),
    Column("measures", "工作措施", ("化解措施", "主要措施"), 30),
    Column("progress", "化解进展", ("目前状况", "进展情况", "目前进展"), 14),
    Column("resolution_method", "化解方式", ("化解标准",), 12),
    Column("met_standard_on", "化解时间", ("化解日期", "息诉罢访时间"), 12),
    Column("acceptance", "验收状态", ("验收情况",), 10),
    Column("accepted_on", "验收时间", ("验收日期",), 12),
    Column("remarks", "备注", (), 20),
)

SEPARATOR = "、"
