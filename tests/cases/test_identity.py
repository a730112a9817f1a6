"""R3 (case records): petitioners unique by ID-card number, so every number is normalized
(full-width input, old 15-digit numbers upgraded to 18) and validated against GB 11643-1999
before it becomes the key; pages show ID and phone numbers masked.

The check character is recomputed here from its definition (ISO 7064 MOD 11-2: weight of
position i is 2^(17-i) mod 11), independently of the module's weight table.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from hypothesis import given
from hypothesis import strategies as st

from huajie.cases.identity import (
    IdNumberError,
    birth_date_of,
    compute_check_char,
    gender_of,
    is_valid_id_number,
    mask_id_number,
    mask_phone,
    normalize_id_number,
)

TODAY = dt.date(2024, 6, 1)
SAMPLE = "11010519491231002X"  # the standard sample number in GB 11643-1999 literature


def reference_check_char(body: str) -> str:
    total = sum(int(d) * pow(2, 17 - i, 11) for i, d in enumerate(body))
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


def to_full_width(text: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if ch.isascii() and ch.isalnum() else ch for ch in text)


digits = st.text(alphabet="0123456789", min_size=1, max_size=1)
regions = st.text(alphabet="0123456789", min_size=6, max_size=6)
sequences = st.text(alphabet="0123456789", min_size=3, max_size=3)
births = st.dates(min_value=dt.date(1900, 1, 1), max_value=TODAY)
births_1900s = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(1999, 12, 31))


@st.composite
def id_numbers(draw: st.DrawFn) -> str:
    body = draw(regions) + draw(births).strftime("%Y%m%d") + draw(sequences)
    return body + reference_check_char(body)


# --- known numbers -----------------------------------------------------------------------


def test_the_reference_check_char_agrees_with_the_standard_sample() -> None:
    assert reference_check_char(SAMPLE[:17]) == "X"
    assert compute_check_char(SAMPLE[:17]) == "X"


def test_it_accepts_the_standard_sample_number() -> None:
    assert normalize_id_number(SAMPLE) == SAMPLE
    assert is_valid_id_number(SAMPLE)


def test_it_upper_cases_a_lower_case_x() -> None:
    assert normalize_id_number("11010519491231002x") == SAMPLE


def test_it_accepts_full_width_digits_x_and_spaces() -> None:
    assert normalize_id_number("１１０１０５　１９４９１２３１　００２Ｘ") == SAMPLE
    assert normalize_id_number(" 110105 19491231 002ｘ ") == SAMPLE


def test_it_upgrades_a_15_digit_number() -> None:
    assert normalize_id_number("130503670401001") == "130503196704010016"


def test_it_upgrades_the_15_digit_form_of_the_standard_sample() -> None:
    assert normalize_id_number("110105491231002") == SAMPLE


def test_it_accepts_a_number_born_today() -> None:
    body = "370102" + TODAY.strftime("%Y%m%d") + "123"
    number = body + reference_check_char(body)
    assert normalize_id_number(number, today=TODAY) == number


def test_today_is_the_courts_day_in_shanghai() -> None:
    # 2024-06-01 16:30 UTC is already 2024-06-02 00:30 in Shanghai.
    body = "370102" + "20240602" + "123"
    number = body + reference_check_char(body)
    with time_machine.travel(dt.datetime(2024, 6, 1, 16, 30, tzinfo=dt.UTC), tick=False):
        assert is_valid_id_number(number)
    with time_machine.travel(dt.datetime(2024, 6, 1, 15, 30, tzinfo=dt.UTC), tick=False):
        assert not is_valid_id_number(number)


# --- error messages ----------------------------------------------------------------------


def error_for(raw: str) -> str:
    with pytest.raises(IdNumberError) as caught:
        normalize_id_number(raw, today=TODAY)
    return str(caught.value)


def test_it_asks_for_a_number_when_empty() -> None:
    assert error_for("  ") == "身份证号码为空，请填写 18 位身份证号码，例如 11010519491231002X"


def test_it_says_how_many_characters_a_wrong_length_number_has() -> None:
    message = error_for("1101051949123100")
    assert "16 位" in message
    assert "应为 18 位" in message and "15 位" in message


def test_it_names_non_digit_characters() -> None:
    message = error_for("110105-19491231-002X")
    assert "无效字符" in message and "“-”" in message
    assert "数字" in message


def test_it_says_x_belongs_only_in_the_last_place() -> None:
    assert "只能出现在最后一位" in error_for("1101051949123100X2")


def test_it_rejects_an_x_in_a_15_digit_number() -> None:
    assert "15 位" in error_for("11010549123100X")


def test_it_says_what_the_check_char_should_be() -> None:
    message = error_for("110105194912310021")
    assert "校验位" in message
    assert "应为 X" in message and "而不是 1" in message
    assert "请核对" in message


def test_it_rejects_an_impossible_birth_date() -> None:
    body = "11010519490230002"  # 30 February
    message = error_for(body + reference_check_char(body))
    assert "19490230" in message and "不是有效日期" in message
    assert "第 7 至 14 位" in message


def test_it_rejects_an_impossible_birth_date_in_a_15_digit_number() -> None:
    message = error_for("110105491331002")
    assert "19491331" in message and "不是有效日期" in message


def test_it_rejects_a_birth_year_before_1900() -> None:
    body = "11010518991231002"
    assert "早于 1900 年" in error_for(body + reference_check_char(body))


def test_it_rejects_a_birth_date_in_the_future() -> None:
    body = "370102" + "20240602" + "123"
    assert "晚于今天" in error_for(body + reference_check_char(body))


def test_is_valid_is_false_for_bad_input() -> None:
    assert not is_valid_id_number("")
    assert not is_valid_id_number("110105194912310021")
    assert not is_valid_id_number("not a number")


def test_every_error_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="校验位"):
        normalize_id_number("110105194912310021")


# --- birth date and gender ---------------------------------------------------------------


def test_birth_date_of_reads_positions_7_to_14() -> None:
    assert birth_date_of(SAMPLE) == dt.date(1949, 12, 31)


def test_birth_date_of_an_old_number_is_in_the_1900s() -> None:
    assert birth_date_of("130503670401001") == dt.date(1967, 4, 1)


def test_gender_comes_from_the_parity_of_the_17th_digit() -> None:
    assert gender_of(SAMPLE) == "女"
    male = "37010219800101123"
    assert gender_of(male + reference_check_char(male)) == "男"
    assert gender_of("130503670401001") == "男"


# --- masking -----------------------------------------------------------------------------


def test_it_masks_the_middle_of_an_id_number() -> None:
    body = "37010219800101123"
    assert mask_id_number(body + "4") == "370102********1234"
    assert mask_id_number(SAMPLE) == "110105********002X"


def test_masking_an_empty_id_number_gives_an_empty_string() -> None:
    assert mask_id_number("") == ""


def test_masking_a_too_short_string_hides_all_of_it() -> None:
    assert mask_id_number("1234567") == "*******"


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13812345678", "138****5678"),
        ("138 1234 5678", "138****5678"),
        ("+86 138-1234-5678", "138****5678"),
        ("１３８１２３４５６７８", "138****5678"),
        ("0531-88881234", "****-****1234"),
        ("88881234", "****1234"),
        ("(0531) 8888 1234", "(****) **** 1234"),
        ("123", "***"),
        ("", ""),
    ],
)
def test_it_masks_phone_numbers(phone: str, masked: str) -> None:
    assert mask_phone(phone) == masked


# --- properties --------------------------------------------------------------------------


@given(id_numbers())
def test_every_body_with_its_computed_check_char_validates(number: str) -> None:
    assert normalize_id_number(number, today=TODAY) == number
    assert compute_check_char(number[:17]) == number[17]


@given(id_numbers())
def test_full_width_and_lower_case_spellings_normalize_to_the_same_number(number: str) -> None:
    messy = to_full_width(number[:9]) + "　" + number[9:].lower()
    assert normalize_id_number(messy, today=TODAY) == number


@given(regions, births_1900s, sequences)
def test_every_upgraded_15_digit_number_validates_as_18(
    region: str, birth: dt.date, sequence: str
) -> None:
    old = region + birth.strftime("%y%m%d") + sequence
    upgraded = normalize_id_number(old, today=TODAY)
    body = region + birth.strftime("%Y%m%d") + sequence
    assert upgraded == body + reference_check_char(body)
    assert normalize_id_number(upgraded, today=TODAY) == upgraded
    assert birth_date_of(old) == birth


@given(id_numbers(), st.integers(min_value=0, max_value=16), digits)
def test_changing_one_digit_makes_a_number_invalid(number: str, position: int, digit: str) -> None:
    changed = number[:position] + digit + number[position + 1 :]
    if changed != number:
        assert not is_valid_id_number(changed, today=TODAY)


@given(id_numbers())
def test_masking_keeps_6_plus_4_characters(number: str) -> None:
    masked = mask_id_number(number)
    assert len(masked) == 18
    assert masked[:6] == number[:6] and masked[-4:] == number[-4:]
    assert masked[6:14] == "*" * 8


@given(st.text(alphabet="0123456789", min_size=10, max_size=10))
def test_masking_a_mobile_number_keeps_3_plus_4_digits(rest: str) -> None:
    phone = "1" + rest
    assert mask_phone(phone) == phone[:3] + "****" + phone[-4:]
