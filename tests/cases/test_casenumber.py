"""R3 (case records): a petition names the court cases it concerns by case number (案号),
typed by hand or pasted from spreadsheets; every spelling of one number parses to the same
canonical "(2017)鲁0102民初1234号", and anything else is refused with a Chinese message that
shows the expected format.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from huajie.cases.casenumber import (
    EXAMPLE,
    PROVINCE_ABBREVIATIONS,
    CaseNumber,
    CaseNumberError,
    parse_case_number,
    parse_case_numbers,
)

TYPE_CODES = [
    "民初", "民终", "民申", "民再", "刑初", "刑终", "行初", "执", "执恢", "执异", "执复",
    "执监", "司救民", "民辖终", "赔", "法赔", "委赔", "刑更", "民特",
]  # fmt: skip
TYPE_CHARACTERS = "民刑行执赔司救辖终初申再恢异复监特催他更保"
BRACKETS = [("(", ")"), ("（", "）"), ("〔", "〕"), ("[", "]")]
SEPARATORS = ["、", ",", "，", ";", "；", " ", "\n", "\r\n", " 、 "]

court_codes = st.builds(
    lambda province, digits: province + digits,
    st.sampled_from(sorted(PROVINCE_ABBREVIATIONS)),
    st.text(alphabet="0123456789", max_size=4),
)
type_codes = st.sampled_from(TYPE_CODES) | st.text(alphabet=TYPE_CHARACTERS, min_size=1, max_size=5)
case_numbers = st.builds(
    CaseNumber,
    year=st.integers(min_value=1949, max_value=2100),
    court_code=court_codes,
    type_code=type_codes,
    serial=st.integers(min_value=1, max_value=999_999),
)


def to_full_width_digits(text: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if ch.isdigit() else ch for ch in text)


# --- known numbers -----------------------------------------------------------------------


def test_it_parses_the_standard_example_into_its_parts() -> None:
    number = parse_case_number("(2017)鲁0102民初1234号")
    assert number == CaseNumber(year=2017, court_code="鲁0102", type_code="民初", serial=1234)
    assert str(number) == "(2017)鲁0102民初1234号"


@pytest.mark.parametrize(
    "raw",
    [
        "（2017）鲁0102民初1234号",
        "〔2017〕鲁0102民初1234号",
        "[2017]鲁0102民初1234号",
        "(2017)鲁0102民初1234",
        " ( 2017 ) 鲁0102 民初 1234 号 ",
        "（２０１７）鲁０１０２民初１２３４号",
        "(2017)鲁0102民初01234号",
    ],
)
def test_it_accepts_every_common_spelling(raw: str) -> None:
    assert str(parse_case_number(raw)) == "(2017)鲁0102民初1234号"


@pytest.mark.parametrize(
    ("raw", "court_code", "type_code", "stage", "kind"),
    [
        ("(2017)鲁0102民初1234号", "鲁0102", "民初", "审判", "民事"),
        ("(2018)鲁01民终56号", "鲁01", "民终", "审判", "民事"),
        ("(2019)鲁民申7号", "鲁", "民申", "审判", "民事"),
        ("(2019)鲁民再8号", "鲁", "民再", "审判", "民事"),
        ("(2019)鲁71刑初3号", "鲁71", "刑初", "审判", "刑事"),
        ("(2019)鲁7101刑终4号", "鲁7101", "刑终", "审判", "刑事"),
        ("(2018)鲁72行初9号", "鲁72", "行初", "审判", "行政"),
        ("(2018)鲁0102执1号", "鲁0102", "执", "执行", "执行"),
        ("(2018)鲁0102执恢2号", "鲁0102", "执恢", "执行", "执行"),
        ("(2018)鲁0102执异3号", "鲁0102", "执异", "执行", "执行"),
        ("(2018)鲁01执复4号", "鲁01", "执复", "执行", "执行"),
        ("(2018)鲁执监5号", "鲁", "执监", "执行", "执行"),
        ("(2018)鲁01民辖终6号", "鲁01", "民辖终", "立案", "民事"),
        ("(2018)鲁司救民7号", "鲁", "司救民", "审判", "司法救助"),
        ("(2018)鲁01法赔1号", "鲁01", "法赔", "审判", "国家赔偿"),
        ("(2018)鲁委赔2号", "鲁", "委赔", "审判", "国家赔偿"),
        ("(2018)鲁0102赔3号", "鲁0102", "赔", "审判", "国家赔偿"),
        ("(2020)兵09民初10号", "兵09", "民初", "审判", "民事"),
        ("(2020)新民终11号", "新", "民终", "审判", "民事"),
        ("(2020)京0105民特12号", "京0105", "民特", "审判", "民事"),
        ("(2020)鲁0102财保13号", "鲁0102", "财保", "审判", "其他"),
    ],
)
def test_it_reads_court_type_stage_and_kind(
    raw: str, court_code: str, type_code: str, stage: str, kind: str
) -> None:
    number = parse_case_number(raw)
    assert (number.court_code, number.type_code) == (court_code, type_code)
    assert (number.stage, number.kind) == (stage, kind)


def test_a_case_number_is_immutable_and_hashable() -> None:
    number = parse_case_number(EXAMPLE)
    with pytest.raises(AttributeError):
        number.serial = 1  # type: ignore[misc]
    assert {number, parse_case_number("（2017）鲁0102民初1234")} == {number}


# --- error messages ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("2017鲁0102民初1号", "应以括号括起的四位年份开头"),
        ("(17)鲁0102民初1号", "应以括号括起的四位年份开头"),
        ("(1900)鲁0102民初1号", "年份 1900 不对，应在 1949 至 2100 年之间"),
        ("(2101)鲁0102民初1号", "年份 2101 不对"),
        ("(2017)", "缺少法院代字"),
        ("(2017)济0102民初1号", "应是省份简称（如 鲁），而不是“济”"),
        ("(2017)鲁010234民初1号", "数字过多，省份简称后最多 4 位数字"),
        ("(2017)鲁01021234号", "缺少案件类型代字"),
        ("(2017)鲁0102ab1号", "案件类型代字“ab”应只由汉字组成"),
        ("(2017)鲁0102民事初审一审1号", "过长"),
        ("(2017)鲁0102民初号", "缺少序号"),
        ("(2017)鲁0102民初0号", "序号不能为 0"),
        ("(2017)鲁0102民初1号之一", "在序号之后有多余内容"),
        ("(2015)济民初字第123号", "2016 年以前的旧式案号"),
    ],
)
def test_it_says_what_is_wrong_with_an_example(raw: str, fragment: str) -> None:
    with pytest.raises(CaseNumberError) as caught:
        parse_case_number(raw)
    message = str(caught.value)
    assert fragment in message
    assert f"“{raw}”" in message
    assert EXAMPLE in message


def test_it_asks_for_a_case_number_when_empty() -> None:
    with pytest.raises(CaseNumberError, match="案号为空，请填写案号，例如"):
        parse_case_number(" ")


def test_every_error_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="案号"):
        parse_case_number("abc")


# --- cells with several numbers ----------------------------------------------------------


@pytest.mark.parametrize("separator", SEPARATORS)
def test_a_cell_can_hold_several_numbers(separator: str) -> None:
    cell = separator.join(["(2017)鲁0102民初1号", "（2018）鲁01民终2号", "〔2019〕鲁执3"])
    assert [str(n) for n in parse_case_numbers(cell)] == [
        "(2017)鲁0102民初1号",
        "(2018)鲁01民终2号",
        "(2019)鲁执3号",
    ]


def test_numbers_run_together_are_split_at_each_year() -> None:
    numbers = parse_case_numbers("(2017)鲁0102民初1号(2018)鲁01民终2号")
    assert [n.serial for n in numbers] == [1, 2]


def test_spaces_inside_a_number_do_not_split_it() -> None:
    numbers = parse_case_numbers("( 2017 ) 鲁0102 民初 1 号\n(2018) 鲁01 民终 2")
    assert [str(n) for n in numbers] == ["(2017)鲁0102民初1号", "(2018)鲁01民终2号"]


def test_an_empty_cell_holds_no_numbers() -> None:
    assert parse_case_numbers("") == []
    assert parse_case_numbers(" 、\n ；") == []


def test_it_names_the_bad_part_of_a_cell() -> None:
    with pytest.raises(CaseNumberError) as caught:
        parse_case_numbers("(2017)鲁0102民初1号；鲁0102民初2号")
    message = str(caught.value)
    assert message.startswith("第 2 个案号有误：")
    assert "“鲁0102民初2号”" in message
    assert EXAMPLE in message


# --- properties --------------------------------------------------------------------------


@given(case_numbers)
def test_parsing_the_canonical_string_gives_back_the_case_number(number: CaseNumber) -> None:
    assert parse_case_number(str(number)) == number


@given(
    case_numbers,
    st.sampled_from(BRACKETS),
    st.booleans(),
    st.booleans(),
    st.booleans(),
)
def test_every_messy_spelling_parses_to_the_same_case_number(
    number: CaseNumber,
    brackets: tuple[str, str],
    spaced: bool,
    without_hao: bool,
    full_width: bool,
) -> None:
    space = " " if spaced else ""
    opening, closing = brackets
    raw = (
        f"{opening}{space}{number.year}{space}{closing}{space}{number.court_code}{space}"
        f"{number.type_code}{space}{number.serial}{'' if without_hao else space + '号'}"
    )
    if full_width:
        raw = to_full_width_digits(raw)
    assert parse_case_number(raw) == number


@given(st.lists(case_numbers, max_size=5), st.sampled_from(SEPARATORS))
def test_a_cell_of_joined_numbers_parses_back_in_order(
    numbers: list[CaseNumber], separator: str
) -> None:
    assert parse_case_numbers(separator.join(str(n) for n in numbers)) == numbers


@given(case_numbers)
def test_enforcement_types_are_in_the_enforcement_stage(number: CaseNumber) -> None:
    enforcement = CaseNumber(number.year, number.court_code, "执" + number.type_code[:4], 1)
    assert enforcement.stage == "执行"
    assert enforcement.kind == "执行"
