"""Cell values as courts type them (ledger.md): every date form, counts, yes/no, headers."""

from __future__ import annotations

import datetime as dt

import pytest

from huajie.ledger.values import (
    CellError,
    normalize_header,
    parse_count,
    parse_date,
    parse_yes_no,
    split_values,
)

MARCH_1 = dt.date(2019, 3, 1)


@pytest.mark.parametrize(
    "value",
    [
        "2019-03-01",
        "2019-3-1",
        "2019/3/1",
        "2019/03/01",
        "2019.3.1",
        "2019.03.01",
        "2019年3月1日",
        "2019年03月01日",
        "2019年3月1号",
        " 2019 年 3 月 1 日 ",
        "２０１９年３月１日",  # full-width digits
        "20190301",
        "2019-03-01 00:00:00",
        43525,  # Excel serial
        43525.0,  # the serial as python-calamine returns it
        43525.75,  # a serial with a time of day
        "43525",  # a serial kept as text
        dt.datetime(2019, 3, 1, 8, 30),  # noqa: DTZ001 - a real date cell (Excel has no zones)
        MARCH_1,
    ],
)
def test_every_date_form_in_the_spec_reads_as_the_same_day(value: object) -> None:
    assert parse_date(value) == MARCH_1


def test_the_1904_date_system_of_old_mac_workbooks() -> None:
    from openpyxl.utils.datetime import MAC_EPOCH

    assert parse_date(42063, MAC_EPOCH) == MARCH_1


@pytest.mark.parametrize("value", [None, "", "   "])
def test_an_empty_date_is_none(value: object) -> None:
    assert parse_date(value) is None


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("2019-02-30", "没有这一天"),
        ("去年三月", "不是日期"),
        ("1900-01-01", "不合理"),
        (3, "不合理"),
        (-5, "不是有效的 Excel 日期"),
        (True, "不是日期"),
    ],
)
def test_a_bad_date_says_why(value: object, words: str) -> None:
    with pytest.raises(CellError) as caught:
        parse_date(value)
    assert words in str(caught.value)


@pytest.mark.parametrize(("value", "count"), [(3, 3), (3.0, 3), ("3", 3), ("3次", 3), ("０", 0)])
def test_counts(value: object, count: int) -> None:
    assert parse_count(value) == count


@pytest.mark.parametrize("value", [2.5, -1, "很多"])
def test_a_bad_count_is_refused(value: object) -> None:
    with pytest.raises(CellError):
        parse_count(value)


@pytest.mark.parametrize(
    ("value", "answer"), [("是", True), ("否", False), ("√", True), ("", None)]
)
def test_yes_no(value: str, answer: bool | None) -> None:
    assert parse_yes_no(value) is answer


@pytest.mark.parametrize(
    "cell",
    [
        "张三、李四；王五",
        "张三,李四，王五",
        "张三;李四\n王五",
        "张三\r\n李四、 王五 ",
    ],
)
def test_several_values_in_one_cell(cell: str) -> None:
    assert split_values(cell) == ["张三", "李四", "王五"]


@pytest.mark.parametrize(
    ("header", "normalized"),
    [
        ("身份证号（18位）", "身份证号"),
        ("身份证号(18位)", "身份证号"),
        ("*信访人", "信访人"),
        ("＊信访人（必填）", "信访人"),
        ("首次信访\n时间", "首次信访时间"),
        (" 责 任 法 院 ", "责任法院"),
        ("责任法院\u3000", "责任法院"),
        ("包案领导：", "包案领导"),
        ("身份证号【18位】[必填]", "身份证号"),
    ],
)
def test_header_words_are_compared_without_noise(header: str, normalized: str) -> None:
    assert normalize_header(header) == normalized
