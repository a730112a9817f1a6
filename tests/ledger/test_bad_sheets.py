"""A corpus of bad sheets, each refused with its message, the database unchanged after.

Every sheet is generated here with openpyxl (or as raw bytes for what is not a workbook).
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from huajie.accounts.models import User
from huajie.cases.models import CaseStatus, Petitioner
from huajie.core import clock
from huajie.courts.models import PositionKind
from tests.cases.world import World, case_in
from tests.factories import PersonFactory, add_position
from tests.ledger.helpers import counts, run
from tests.ledger.sheets import VALID_ID, row, team_of, write_sheet

pytestmark = pytest.mark.django_db

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True)
class Bad:
    name: str
    message: str
    build: Callable[[World, Path], tuple[Path, User] | Path]


def sheet(*rows: dict[str, Any], **kwargs: Any) -> Callable[[World, Path], Path]:
    return lambda world, tmp: write_sheet(tmp / "bad.xlsx", list(rows), **kwargs)


def raw(data: bytes) -> Callable[[World, Path], Path]:
    def build(world: World, tmp: Path) -> Path:
        path = tmp / "bad.xlsx"
        path.write_bytes(data)
        return path

    return build


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def ole2(*streams: str) -> bytes:
    names = b"".join(s.encode("utf-16-le") + b"\x00\x00" for s in streams)
    return OLE2 + b"\x00" * 504 + names + b"\x00" * 512


def good_bytes() -> bytes:
    buffer = io.BytesIO()
    book = openpyxl.Workbook()
    book.active.append(["信访人", "信访类型", "信访诉求"])
    book.active.append(["张三", "进京", "甲"])
    book.save(buffer)
    return buffer.getvalue()


def with_formula(world: World, tmp: Path) -> Path:
    path = write_sheet(tmp / "bad.xlsx", [row()])
    book = openpyxl.load_workbook(path)
    book.active["F3"] = "=1+2"  # 信访次数
    book.save(path)
    return path


def with_error_value(world: World, tmp: Path) -> Path:
    path = write_sheet(tmp / "bad.xlsx", [row()])
    book = openpyxl.load_workbook(path)
    book.active["K3"] = "#N/A"
    book.active["K3"].data_type = "e"
    book.save(path)
    return path


def with_limit(name: str, value: int, build: Callable[[World, Path], Path]) -> Callable[..., Path]:
    def limited(world: World, tmp: Path) -> Path:
        from django.conf import settings

        setattr(settings, name, value)
        return build(world, tmp)

    return limited


def as_lixia(build: Callable[[World, Path], Path]) -> Callable[[World, Path], tuple[Path, User]]:
    return lambda world, tmp: (build(world, tmp), world.lixia.office)


def existing_then(status: CaseStatus, **values: Any) -> Callable[[World, Path], Path]:
    def build(world: World, tmp: Path) -> Path:
        case_in(world, status, ledger_no="2019-0900")
        return write_sheet(
            tmp / "bad.xlsx", [{"台账编号": "2019-0900", **values}], headers=["台账编号", *values]
        )

    return build


def namesake(world: World, tmp: Path) -> Path:
    twin = PersonFactory(court=world.tree.lixia, name=world.lixia.leader.name, in_judge_quota=True)
    add_position(twin, PositionKind.COURT_LEADER, "副院长")
    return write_sheet(tmp / "bad.xlsx", [row(责任法院="历下法院", **team_of(world))])


def known_id(world: World, tmp: Path) -> Path:
    Petitioner.objects.create(name="别人", id_number=VALID_ID)
    return write_sheet(tmp / "bad.xlsx", [row(身份证号=VALID_ID)])


def other_courts_number(world: World, tmp: Path) -> tuple[Path, User]:
    case_in(world, CaseStatus.IN_RESOLUTION, ledger_no="2019-0900")  # at 历下法院
    path = write_sheet(tmp / "bad.xlsx", [row(台账编号="2019-0900")])
    return path, world.shinan.office


def leader(world: World, attr: str) -> dict[str, str]:
    return {**team_of(world), "包案领导": getattr(world.lixia, attr).name}


TOMORROW = clock.today() + dt.timedelta(days=1)

CORPUS = [
    # not a readable workbook
    Bad("text", "这不是 Excel 表格文件", raw("信访人,身份证号\n张三,1\n".encode())),
    Bad("pdf", "这不是 Excel 表格文件", raw(b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n")),
    Bad("empty", "文件是空的", raw(b"")),
    Bad(
        "word",
        "这是 Word 文档",
        raw(zipped({"[Content_Types].xml": b"<x/>", "word/document.xml": b"<w/>"})),
    ),
    Bad("xls", "旧版 Excel 97-2003", raw(ole2("Root Entry", "Workbook"))),
    Bad(
        "encrypted", "设置了打开密码", raw(ole2("Root Entry", "EncryptionInfo", "EncryptedPackage"))
    ),
    Bad(
        "zip bomb",
        "压缩炸弹",
        raw(zipped({"xl/workbook.xml": b"<w/>", "xl/worksheets/sheet1.xml": b"\0" * (12 << 20)})),
    ),
    Bad(
        "unpacks too big",
        "解压后有",
        with_limit("HUAJIE_LEDGER_MAX_UNCOMPRESSED_BYTES", 2000, raw(good_bytes())),
    ),
    Bad("plain zip", "这是一个压缩包", raw(zipped({"readme.txt": b"hello"}))),
    Bad(
        "ods", "WPS/OpenOffice", raw(zipped({"mimetype": b"application/x", "content.xml": b"<x/>"}))
    ),
    Bad("truncated", "文件已损坏", raw(good_bytes()[:1500])),
    Bad(
        "too many bytes", "超过上限", with_limit("HUAJIE_LEDGER_MAX_BYTES", 1000, raw(good_bytes()))
    ),
    Bad("no header", "找不到表头", sheet(title=None, headers=["甲", "乙"])),
    Bad(
        "too many rows",
        "超过一次导入的上限",
        with_limit("HUAJIE_LEDGER_MAX_ROWS", 3, sheet(*[row()] * 5)),
    ),
    # the sheet as a whole
    Bad(
        "no identifying column",
        "既没有“信访人”列",
        sheet(row(), headers=["信访类型", "信访诉求", "案由"]),
    ),
    Bad(
        "duplicate column",
        "“身份证号”列出现了 2 次",
        sheet(row(), headers=["信访人", "身份证号", "信访类型", "身份证号码"]),
    ),
    # cells
    Bad("formula", "是公式", with_formula),
    Bad("error value", "错误值 #N/A", with_error_value),
    Bad("check digit", "校验位", sheet(row(身份证号="110105194912310021"))),
    Bad("id as a number", "存成了数字", sheet(row(身份证号=3.70102198001011e17))),
    Bad("bad date", "不是日期", sheet(row(首次信访时间="去年三月"))),
    Bad(
        "dates reversed",
        "早于首次信访时间",
        sheet(row(首次信访时间="2018-12-01", 最近信访时间="2018-03-01")),
    ),
    Bad("count as text", "不是次数", sheet(row(信访次数="很多"))),
    Bad(
        "count without dates",
        "没有信访时间",
        sheet(row(首次信访时间=None, 最近信访时间=None, 信访次数=2)),
    ),
    Bad("future visit", "晚于今天", sheet(row(最近信访时间=TOMORROW))),
    Bad("petition type", "不是可识别的信访类型", sheet(row(信访类型="赴市"))),
    Bad("no petition type", "须填写信访类型", sheet(row(信访类型=None))),
    Bad("risk level", "不是可识别的风险等级", sheet(row(风险等级="极高"))),
    Bad("yes or no", "不是“是”或“否”", sheet(row(是否重大疑难="也许"))),
    Bad("case number", "案号", sheet(row(原审案号="(2017)鲁0102民初号"))),
    Bad("original court", "找不到原审法院", sheet(row(原审法院="火星法院"))),
    Bad("unknown court", "找不到“火星法院”", sheet(row(责任法院="火星法院"))),
    Bad(
        "another province",
        "在山东省的法院中找不到",
        sheet(row(责任法院="江苏省南京市玄武区人民法院")),
    ),
    Bad(
        "leader outside the quota",
        "未入额院领导",
        lambda w, t: write_sheet(
            t / "b.xlsx", [row(责任法院="历下法院", **leader(w, "leader_outside_quota"))]
        ),
    ),
    Bad(
        "leader unknown",
        "没有名为“查无此人”的人员",
        lambda w, t: write_sheet(
            t / "b.xlsx", [row(责任法院="历下法院", **{**team_of(w), "包案领导": "查无此人"})]
        ),
    ),
    Bad("namesakes", "无法确定是哪一位", namesake),
    Bad(
        "two leaders",
        "只能填写一人",
        lambda w, t: write_sheet(
            t / "b.xlsx", [row(责任法院="历下法院", **{**team_of(w), "包案领导": "甲、乙"})]
        ),
    ),
    Bad(
        "major case",
        "院长亲自包案",
        lambda w, t: write_sheet(
            t / "b.xlsx", [row(责任法院="历下法院", 是否重大疑难="是", **team_of(w))]
        ),
    ),
    Bad(
        "duplicate ledger number",
        "台账编号与第3行重复",
        sheet(row(台账编号="2019-0001"), row(台账编号="2019-0001", 信访人="李四")),
    ),
    Bad("several stages", "问题环节只能填一个", sheet(row(问题环节="立案、审判"))),
    Bad("masked id", "已隐去部分数字", sheet(row(身份证号="110105********002X"))),
    Bad("id of someone else", "在系统中登记为“别人”", known_id),
    Bad("ids and names", "无法一一对应", sheet(row(信访人="张三、李四", 身份证号=VALID_ID))),
    Bad("classification", "不是可识别的化解分类", sheet(row(化解分类="安抚"))),
    Bad("empty petitioner", "信访人不能为空", sheet(row(信访人=None))),
    Bad(
        "oral promise without a date",
        "没有化解时间",
        lambda w, t: write_sheet(
            t / "b.xlsx", [row(责任法院="历下法院", 化解方式="口头承诺", **team_of(w))]
        ),
    ),
    Bad(
        "oral promise without a team",
        "专班配齐",
        sheet(row(化解方式="口头承诺", 化解时间="2019-01-05")),
    ),
    Bad(
        "team without a court",
        "没有责任法院，不能组建专班",
        lambda w, t: write_sheet(
            t / "b.xlsx", [row(原审案号=None, 原审法官=None, 包案领导=w.lixia.leader.name)]
        ),
    ),
    Bad("court outside the scope", "不在您的导入范围内", as_lixia(sheet(row(责任法院="市南法院")))),
    Bad("number of another court's case", "已用于其他法院的案件", other_courts_number),
    Bad(
        "moving a case in resolution",
        "不能通过台账改变责任法院",
        existing_then(CaseStatus.IN_RESOLUTION, 责任法院="市中法院"),
    ),
    Bad(
        "team while submitted",
        "验收结束前不能调整专班",
        existing_then(CaseStatus.SUBMITTED, 庭领导="查无此人"),
    ),
]


@pytest.mark.parametrize("bad", CORPUS, ids=[b.name for b in CORPUS])
def test_a_bad_sheet_is_refused_with_its_message_and_changes_nothing(
    world: World, tmp_path: Path, settings: Any, bad: Bad
) -> None:
    built = bad.build(world, tmp_path)
    path, user = built if isinstance(built, tuple) else (built, world.province_office)
    before = counts()
    for dry_run in (True, False):
        report = run(path, user, world.campaign, dry_run=dry_run)
        assert report.refused
        text = report.refusal + "".join(p.text() for p in report.errors)
        assert bad.message in text, text
        assert not report.applied
    assert counts() == before


def test_the_corpus_is_big_enough() -> None:
    assert len(CORPUS) >= 30
