"""Chinese resident ID-card numbers (GB 11643-1999): normalize, validate, mask.

Petitioners are kept unique by their ID-card number (R3), so every number that enters the
system - typed into a form, pasted from a spreadsheet, copied from a scanned file - goes
through `normalize_id_number` first: it turns full-width input into ASCII, upgrades old
15-digit numbers to 18 digits, and rejects what cannot be a real number (wrong length, stray
characters, an impossible birth date, a wrong check character) with a Chinese message that
says what to fix. The same number typed two ways thus becomes one key.

Numbers and phone numbers are personal data: pages and exports show them through
`mask_id_number` and `mask_phone`.

Pure Python, no Django: importers, the API and management commands can all use it.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from zoneinfo import ZoneInfo

# "Today" is the courts' day (settings.TIME_ZONE); time-machine freezes this in tests too.
_COURT_TIME_ZONE = ZoneInfo("Asia/Shanghai")

_WEIGHTS: tuple[int, ...] = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"  # indexed by the weighted sum mod 11
_DIGITS = frozenset("0123456789")
_EARLIEST_BIRTH_YEAR = 1900

_FULL_WIDTH_DIGITS = {chr(0xFF10 + i): str(i) for i in range(10)}  # ０..９
_TO_ASCII_DIGITS = str.maketrans(_FULL_WIDTH_DIGITS)
_TO_ASCII_ID = str.maketrans({**_FULL_WIDTH_DIGITS, "Ｘ": "X", "ｘ": "X", "x": "X"})

_ID_EXAMPLE = "例如 11010519491231002X"


class IdNumberError(ValueError):
    """A string that is not a valid resident ID-card number; str() is the Chinese reason."""


def _today() -> dt.date:
    return dt.datetime.now(tz=_COURT_TIME_ZONE).date()


def _clean(raw: str) -> str:
    """Drop whitespace (full-width spaces too), full-width digits/Ｘ to ASCII, x to X."""
    return "".join(raw.split()).translate(_TO_ASCII_ID)


def compute_check_char(body: str) -> str:
    """The ISO 7064 MOD 11-2 check character for a 17-digit body."""
    if len(body) != len(_WEIGHTS) or not set(body) <= _DIGITS:
        raise IdNumberError(f"计算校验位需要 17 位数字，收到的是“{body}”，请核对号码")
    total = sum(int(digit) * weight for digit, weight in zip(body, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def _check_characters(number: str) -> None:
    bad = sorted({ch for ch in number if ch not in _DIGITS and ch != "X"})
    if bad:
        shown = "、".join(f"“{ch}”" for ch in bad)
        raise IdNumberError(
            f"身份证号码含有无效字符 {shown}，只能由数字和末位的 X 组成，请删除或改正这些字符"
        )
    if "X" in number[:-1]:
        raise IdNumberError("身份证号码中的 X 只能出现在最后一位（校验位），请核对号码")


def _check_length(number: str) -> None:
    if len(number) not in (15, 18):
        raise IdNumberError(
            f"身份证号码有 {len(number)} 位，应为 18 位（或旧式 15 位），请核对是否多输或漏输"
        )


def _birth_date(digits: str, today: dt.date) -> dt.date:
    """Parse and check the YYYYMMDD birth date of an ID number."""
    try:
        born = dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        raise IdNumberError(
            f"身份证号码中的出生日期 {digits} 不是有效日期，请核对第 7 至 14 位（出生年月日）"
        ) from None
    if born.year < _EARLIEST_BIRTH_YEAR:
        raise IdNumberError(
            f"身份证号码中的出生日期 {digits} 早于 1900 年，请核对第 7 至 14 位（出生年月日）"
        )
    if born > today:
        raise IdNumberError(
            f"身份证号码中的出生日期 {digits} 晚于今天，请核对第 7 至 14 位（出生年月日）"
        )
    return born


def _upgrade_15(number: str, today: dt.date) -> str:
    if "X" in number:
        raise IdNumberError("15 位旧式身份证号码只能由数字组成，不能含有 X，请核对号码")
    _birth_date("19" + number[6:12], today)
    body = number[:6] + "19" + number[6:]
    return body + compute_check_char(body)


def _validate_18(number: str, today: dt.date) -> str:
    _birth_date(number[6:14], today)
    expected = compute_check_char(number[:17])
    if number[17] != expected:
        raise IdNumberError(
            f"身份证号码校验位（最后一位）应为 {expected}，而不是 {number[17]}，"
            "请核对号码是否有输错的数字"
        )
    return number


def normalize_id_number(raw: str, today: dt.date | None = None) -> str:
    """The canonical 18-character form of `raw`; raises IdNumberError if it is not valid.

    Old 15-digit numbers are upgraded (birth year prefixed with 19, check character added).
    `today` bounds the birth date (default: today in the courts' time zone).
    """
    return _normalized(raw, today if today is not None else _today())


# A ledger import reads each number up to three times (the cell, the plan, the bulk write).
# Keyed on the day too: the birth-date bound moves at midnight. Refusals are not remembered.
@functools.lru_cache(maxsize=4096)
def _normalized(raw: str, day: dt.date) -> str:
    number = _clean(raw)
    if not number:
        raise IdNumberError(f"身份证号码为空，请填写 18 位身份证号码，{_ID_EXAMPLE}")
    _check_characters(number)
    _check_length(number)
    if len(number) == 15:
        return _upgrade_15(number, day)
    return _validate_18(number, day)


def is_valid_id_number(raw: str, today: dt.date | None = None) -> bool:
    try:
        normalize_id_number(raw, today)
    except IdNumberError:
        return False
    return True


def birth_date_of(number: str) -> dt.date:
    """The holder's birth date; `number` may be in any form `normalize_id_number` accepts."""
    canonical = normalize_id_number(number)
    return dt.date(int(canonical[6:10]), int(canonical[10:12]), int(canonical[12:14]))


def gender_of(number: str) -> str:
    """The holder's gender, "男" or "女", from the parity of the 17th digit (odd: male)."""
    canonical = normalize_id_number(number)
    return "男" if int(canonical[16]) % 2 == 1 else "女"


def mask_id_number(number: str) -> str:
    """First 6 and last 4 characters kept: "370102********1234"; "" stays "".

    Anything too short to keep 6 + 4 (not an ID number) is masked completely.
    """
    cleaned = _clean(number)
    if len(cleaned) <= 10:
        return "*" * len(cleaned)
    return cleaned[:6] + "********" + cleaned[-4:]


_MOBILE = re.compile(r"(?:86)?(1\d{10})")


def mask_phone(phone: str) -> str:
    """A mobile number keeps its first 3 and last 4 digits ("138****5678").

    Any other phone string keeps its last 4 digits and its separators; the other digits become
    "*" ("0531-88881234" → "****-****1234"). A string of 4 digits or fewer is masked whole.
    """
    cleaned = phone.strip().translate(_TO_ASCII_DIGITS)
    digits = "".join(ch for ch in cleaned if ch in _DIGITS)
    mobile = _MOBILE.fullmatch(digits)
    if mobile and set(cleaned) <= _DIGITS | set("+- "):
        number = mobile.group(1)
        return number[:3] + "****" + number[-4:]
    keep = 4 if len(digits) > 4 else 0
    return _mask_digits(cleaned, len(digits) - keep)


def _mask_digits(text: str, count: int) -> str:
    """`text` with its first `count` digits replaced by "*"."""
    out: list[str] = []
    for ch in text:
        if ch in _DIGITS and count > 0:
            out.append("*")
            count -= 1
        else:
            out.append(ch)
    return "".join(out)
