"""Reading the values people type into ledger cells (ledger.md): headers, text, several values
in one cell, dates in every form courts use, counts, yes/no, and the fixed vocabularies.

Pure Python, no Django: every function either returns the value in the system's terms or
raises `CellError`, whose reason and fix are Chinese sentences shown to the person who typed
the cell (on the page, on the command line, and as a comment in their own sheet).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from openpyxl.utils.datetime import WINDOWS_EPOCH, from_excel

# 、 , ， ; ； and line breaks separate several values in one cell (ledger.md).
_SEPARATORS = re.compile(r"[、,，;；\r\n]+")
# ID numbers never contain spaces, so spaces separate them too.
_ID_SEPARATORS = re.compile(r"[、,，;；\s]+")
# What people write for "none" when several petitioners share one cell.
PLACEHOLDERS = frozenset({"无", "暂无", "/", "-", "—", "--", "——", "空", "不详"})

_TRAILING_NOTE = re.compile(r"[(\[【〔][^()\[\]【】〔〕]*[)\]】〕]$")
_DATE_TEXT = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?")
_TIME_SUFFIX = re.compile(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")
_COMPACT_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")
_COUNT_TEXT = re.compile(r"(\d+)\s*次?")

EARLIEST_DATE = dt.date(1949, 10, 1)
LATEST_SERIAL = 2958465  # 9999-12-31 in Excel's calendar
DATE_EXAMPLE = "2019-03-01、2019/3/1、2019.3.1 或 2019年3月1日"


@dataclass(frozen=True)
class CellError(Exception):
    """A cell that cannot be understood: why (`reason`) and what to do about it (`fix`)."""

    reason: str
    fix: str = ""

    def __str__(self) -> str:
        return f"{self.reason}{'；' + self.fix if self.fix else ''}"


def nfkc(text: str) -> str:
    """Full-width letters, digits and brackets to their ordinary forms (（１） → (1))."""
    return unicodedata.normalize("NFKC", text)


def normalize_header(text: Any) -> str:
    """A header as compared: no spaces or line breaks, no asterisks marking required columns,
    no trailing note in brackets ("身份证号（18位）" → "身份证号"), no trailing colon."""
    if text is None:
        return ""
    value = nfkc(str(text))
    value = "".join(value.split()).replace("*", "").strip(":")
    while True:
        stripped = _TRAILING_NOTE.sub("", value)
        if stripped == value:
            return value
        value = stripped


def text_of(value: Any) -> str:
    """A cell as text: numbers without a spurious ".0", dates as YYYY-MM-DD, stripped."""
    if type(value) is str:  # most cells; called several times a cell
        if "\r" in value:
            value = value.replace("\r\n", "\n").replace("\r", "\n")
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


def split_values(value: Any) -> list[str]:
    """The several values of one cell, in order (names, case numbers, courts, …)."""
    return [piece.strip() for piece in _SEPARATORS.split(text_of(value)) if piece.strip()]


def split_id_numbers(value: Any) -> list[str]:
    return [piece for piece in _ID_SEPARATORS.split(text_of(value)) if piece]


def is_placeholder(piece: str) -> bool:
    return piece.strip() in PLACEHOLDERS


def is_masked(piece: str) -> bool:
    """A number the exporter masked for someone who may not see it ("370102********1234")."""
    return "*" in nfkc(piece)


def _check_range(day: dt.date) -> dt.date:
    if day < EARLIEST_DATE or day.year > 2100:
        raise CellError(f"日期 {day.isoformat()} 不合理", f"请核对年份，格式例如 {DATE_EXAMPLE}")
    return day


def _from_serial(number: float, epoch: dt.datetime) -> dt.date:
    if not 1 <= number <= LATEST_SERIAL:
        raise CellError(
            f"数字 {text_of(number)} 不是有效的 Excel 日期", f"请填写日期，例如 {DATE_EXAMPLE}"
        )
    moment = from_excel(number, epoch=epoch)
    day = moment.date() if isinstance(moment, dt.datetime) else moment
    return _check_range(day)


def _date_from_text(text: str, epoch: dt.datetime) -> dt.date:
    text = _TIME_SUFFIX.sub("", nfkc(text).strip())
    match = _DATE_TEXT.fullmatch(text) or _COMPACT_DATE.fullmatch(text)
    if match is None:
        if re.fullmatch(r"\d{5}(\.\d+)?", text):  # an Excel serial kept as text
            return _from_serial(float(text), epoch)
        raise CellError(f"“{text}”不是日期", f"请写成 {DATE_EXAMPLE}")
    year, month, day = (int(part) for part in match.groups())
    try:
        return _check_range(dt.date(year, month, day))
    except ValueError:
        raise CellError(f"“{text}”不是有效日期（没有这一天）", "请核对月份和日期") from None


def parse_date(value: Any, epoch: dt.datetime | None = None) -> dt.date | None:
    """A date from any form in ledger.md: date cells, Excel serials (also as floats, as
    python-calamine returns them), 2019-03-01, 2019/3/1, 2019.3.1, 2019年3月1日.

    `epoch` is the workbook's date system (1900, or 1904 in old Mac workbooks)."""
    epoch = epoch or WINDOWS_EPOCH
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        return _check_range(value.date())
    if isinstance(value, dt.date):
        return _check_range(value)
    if isinstance(value, bool):
        raise CellError("不是日期", f"请填写日期，例如 {DATE_EXAMPLE}")
    if isinstance(value, int | float):
        return _from_serial(float(value), epoch)
    return _date_from_text(str(value), epoch)


def parse_count(value: Any) -> int | None:
    """A whole number of visits: 3, 3.0 (calamine), "3", "3次"."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise CellError("不是次数", "请填写整数，例如 3")
    if isinstance(value, int | float):
        if float(value).is_integer() and value >= 0:
            return int(value)
        raise CellError(f"{text_of(value)} 不是非负整数", "次数应为整数，例如 3")
    match = _COUNT_TEXT.fullmatch(nfkc(str(value)).strip())
    if match is None:
        raise CellError(f"“{text_of(value)}”不是次数", "请填写整数，例如 3")
    return int(match.group(1))


YES = frozenset({"是", "Y", "YES", "√", "✓", "✔", "重大疑难", "1", "TRUE"})
NO = frozenset({"否", "N", "NO", "×", "✗", "无", "不是", "0", "FALSE"})


def parse_yes_no(value: Any) -> bool | None:
    text = nfkc(text_of(value)).upper()
    if not text:
        return None
    if text in YES:
        return True
    if text in NO:
        return False
    raise CellError(f"“{text_of(value)}”不是“是”或“否”", "请填写“是”或“否”")


def parse_choice(
    value: Any, choices: dict[str, str], label: str, shown: tuple[str, ...]
) -> str | None:
    """One of a fixed vocabulary (`choices`: written form → stored value; `shown`: the forms
    to suggest when the cell holds something else)."""
    text = "".join(nfkc(text_of(value)).split())
    if not text:
        return None
    if text in choices:
        return choices[text]
    raise CellError(f"“{text_of(value)}”不是可识别的{label}", f"请填写{'、'.join(shown)}之一")
