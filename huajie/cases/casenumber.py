"""Chinese court case numbers (案号) in the format used since 2016: "(2017)鲁0102民初1234号".

A petition is tied to the court cases it complains about (R3), and those arrive typed by hand
or pasted from spreadsheets in many spellings: full-width or old-style brackets (（）〔〕[]),
stray spaces, full-width digits, a missing trailing 号, several numbers in one cell. Parsing
them into `CaseNumber` gives one canonical string to store and compare, plus the parts the
system reasons about: the court (by its case-number code, as in `huajie.courts`), the kind of
case and the stage (立案 / 审判 / 执行) it belongs to. Input that is not a case number is
rejected with a Chinese message that says what was expected, with an example.

Pure Python, no Django: importers, the API and management commands can all use it.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

EXAMPLE = "(2017)鲁0102民初1234号"

# The 31 provincial abbreviations used in court codes, plus 兵 (Xinjiang Production and
# Construction Corps courts, e.g. "兵09").
PROVINCE_ABBREVIATIONS = frozenset(
    "京津冀晋蒙辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川黔滇藏陕甘青宁新兵"
)

MIN_YEAR = 1949
MAX_YEAR = 2100
MAX_COURT_DIGITS = 4
MAX_TYPE_LENGTH = 5

STAGE_FILING = "立案"
STAGE_TRIAL = "审判"
STAGE_ENFORCEMENT = "执行"

# First characters of the type code → kind of case; the first matching prefix wins.
_KIND_PREFIXES: tuple[tuple[str, str], ...] = (
    ("司救", "司法救助"),
    ("法赔", "国家赔偿"),
    ("委赔", "国家赔偿"),
    ("赔", "国家赔偿"),
    ("民", "民事"),
    ("刑", "刑事"),
    ("行", "行政"),
    ("执", "执行"),
)
KIND_OTHER = "其他"

_OPENERS = "(（〔[［【"
_CLOSERS = ")）〕]］】"
_TO_ASCII = str.maketrans(
    {
        **{chr(0xFF10 + i): str(i) for i in range(10)},  # full-width digits ０..９
        **dict.fromkeys(_OPENERS, "("),
        **dict.fromkeys(_CLOSERS, ")"),
    }
)
_HEAD = re.compile(r"\((\d{4})\)(.*)")
_TAIL = re.compile(r"(?P<type>\D*?)(?P<serial>\d*)号?")
_HAN = re.compile(r"[\u4e00-\u9fff]+")
_CELL_SEPARATORS = re.compile(r"[、,，;；\r\n]+")
_NEXT_NUMBER = re.compile(
    rf"(?=[{re.escape(_OPENERS)}]\s*[0-9０-９]{{4}}\s*[{re.escape(_CLOSERS)}])"
)


class CaseNumberError(ValueError):
    """A string that is not a case number; str() is the Chinese reason, with an example."""


@dataclass(frozen=True)
class CaseNumber:
    year: int  # 2017
    court_code: str  # "鲁0102"; the high court is just "鲁"
    type_code: str  # "民初", "执恢", "民辖终", "司救民", ...
    serial: int  # 1234

    def __str__(self) -> str:
        return f"({self.year}){self.court_code}{self.type_code}{self.serial}号"

    @property
    def stage(self) -> str:
        """The part of a court's work the case belongs to: "立案", "审判" or "执行"."""
        if self.type_code.startswith("执"):
            return STAGE_ENFORCEMENT
        if "辖" in self.type_code or "立" in self.type_code:
            return STAGE_FILING
        return STAGE_TRIAL

    @property
    def kind(self) -> str:
        """The kind of case: "民事", "刑事", "行政", "执行", "国家赔偿", "司法救助" or "其他"."""
        for prefix, kind in _KIND_PREFIXES:
            if self.type_code.startswith(prefix):
                return kind
        return KIND_OTHER


def _error(raw: str, problem: str) -> CaseNumberError:
    return CaseNumberError(f"案号“{raw.strip()}”{problem}，正确格式例如 {EXAMPLE}")


def _clean(raw: str) -> str:
    """Drop whitespace; brackets and full-width digits to ASCII."""
    return "".join(raw.split()).translate(_TO_ASCII)


def _parse_year(raw: str, text: str) -> tuple[int, str]:
    """The year in "(2017)" at the start of `text`, and what follows it."""
    head = _HEAD.fullmatch(text)
    if head is None:
        raise _error(raw, "应以括号括起的四位年份开头")
    year = int(head.group(1))
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise _error(raw, f"的年份 {year} 不对，应在 {MIN_YEAR} 至 {MAX_YEAR} 年之间")
    return year, head.group(2)


def _parse_court(raw: str, text: str) -> tuple[str, str]:
    """The court code ("鲁0102") at the start of `text`, and what follows it."""
    if not text:
        raise _error(raw, "在年份之后缺少法院代字（如 鲁0102）")
    if text[0] not in PROVINCE_ABBREVIATIONS:
        raise _error(raw, f"在年份之后应是省份简称（如 鲁），而不是“{text[0]}”")
    digits = re.match(r"\d*", text[1:])
    count = len(digits.group()) if digits else 0
    if count > MAX_COURT_DIGITS and text[count + 1 :] in ("", "号"):
        raise _error(raw, "缺少案件类型代字（如 民初、民终、执），应写在法院代字和序号之间")
    if count > MAX_COURT_DIGITS:
        raise _error(raw, f"的法院代字“{text[: count + 1]}”数字过多，省份简称后最多 4 位数字")
    return text[: count + 1], text[count + 1 :]


def _parse_type_and_serial(raw: str, text: str) -> tuple[str, int]:
    """The type code ("民初") and serial (1234) that end a case number."""
    tail = _TAIL.fullmatch(text)
    if tail is None:
        raise _error(raw, "在序号之后有多余内容，应以序号和“号”结尾")
    type_code, serial = tail.group("type"), tail.group("serial")
    if not type_code:
        raise _error(raw, "缺少案件类型代字（如 民初、民终、执），应写在法院代字和序号之间")
    if not _HAN.fullmatch(type_code) or "号" in type_code:
        raise _error(raw, f"的案件类型代字“{type_code}”应只由汉字组成（如 民初）")
    if len(type_code) > MAX_TYPE_LENGTH:
        raise _error(raw, f"的案件类型代字“{type_code}”过长，请核对（如 民初、执恢、民辖终）")
    if not serial:
        raise _error(raw, "缺少序号，应在“号”字之前写明数字")
    if int(serial) == 0:
        raise _error(raw, "的序号不能为 0")
    return type_code, int(serial)


# Pure, and a ledger import parses each number up to three times (the cell, the plan, the
# bulk write); a CaseNumber is frozen, so sharing one is safe. Refusals are not remembered.
@functools.lru_cache(maxsize=4096)
def parse_case_number(raw: str) -> CaseNumber:
    """Parse one case number; raises CaseNumberError with what to fix."""
    text = _clean(raw)
    if not text:
        raise CaseNumberError(f"案号为空，请填写案号，例如 {EXAMPLE}")
    if "字第" in text:
        raise _error(raw, "是 2016 年以前的旧式案号（…字第…号），请改填现行格式的案号")
    year, rest = _parse_year(raw, text)
    court_code, rest = _parse_court(raw, rest)
    type_code, serial = _parse_type_and_serial(raw, rest)
    return CaseNumber(year=year, court_code=court_code, type_code=type_code, serial=serial)


def _split_cell(cell: str) -> list[str]:
    """The non-empty pieces of a cell, each expected to hold one case number."""
    pieces: list[str] = []
    for chunk in _CELL_SEPARATORS.split(cell):
        pieces.extend(p.strip() for p in _NEXT_NUMBER.split(chunk) if p.strip())
    return pieces


def parse_case_numbers(cell: str) -> list[CaseNumber]:
    """Every case number in a spreadsheet cell, in order; an empty cell gives [].

    Numbers may be separated by 、 , ， ; ； line breaks or spaces (or run together).
    Raises CaseNumberError naming the piece that is not a case number.
    """
    numbers: list[CaseNumber] = []
    for index, piece in enumerate(_split_cell(cell), start=1):
        try:
            numbers.append(parse_case_number(piece))
        except CaseNumberError as exc:
            raise CaseNumberError(f"第 {index} 个案号有误：{exc}") from None
    return numbers
