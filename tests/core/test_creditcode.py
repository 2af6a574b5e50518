"""GB 32100-2015 统一社会信用代码: the check character, digit or letter, and its refusals."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yingji.core.creditcode import (
    ALPHABET,
    check_character,
    is_valid,
    parse_credit_code,
    with_check,
)
from yingji.core.errors import ZhValueError

# Published codes of well-known companies: two with a letter check, one with a digit.
LETTER_CHECKS = ("91110000600037341L", "91440300708461136T")
DIGIT_CHECK = "91350100M000100Y43"


def test_alphabet_and_weights_are_the_standards():
    assert ALPHABET == "0123456789ABCDEFGHJKLMNPQRTUWXY" and len(ALPHABET) == 31
    assert not set("IOZSV") & set(ALPHABET)


@pytest.mark.parametrize("code", (*LETTER_CHECKS, DIGIT_CHECK))
def test_real_codes_are_valid_whatever_their_check_character(code):
    assert is_valid(code) and parse_credit_code(code.lower()) == code


def test_a_wrong_check_character_is_refused_in_both_languages():
    bad = DIGIT_CHECK[:17] + "4"
    with pytest.raises(ZhValueError) as caught:
        parse_credit_code(bad)
    assert "校验位" in caught.value.zh and "check character" in str(caught.value)
    assert "3" in caught.value.zh  # says what it should be


@pytest.mark.parametrize(
    ("code", "zh"),
    [
        ("9137010", "18 位"),
        ("91370103MA3CUQ13PX1", "18 位"),
        ("91370103MA63CUQ1OP", "不允许"),  # O is not in the alphabet
        ("91ABCDEFMA63CUQ13P", "不允许"),  # the division is six digits
        (12345, "文本"),
    ],
)
def test_malformed_codes_say_what_is_wrong(code, zh):
    with pytest.raises(ZhValueError) as caught:
        parse_credit_code(code)
    assert zh in caught.value.zh


def test_the_check_of_a_sum_divisible_by_31_is_zero():
    # 17 zeros weigh nothing: 31 - 0 = 31 becomes 0
    assert check_character("0" * 17) == "0"


body = st.text(alphabet=ALPHABET, min_size=10, max_size=10)
head = st.text(alphabet=ALPHABET, min_size=2, max_size=2)
division = st.from_regex(r"\A[0-9]{6}\Z")


@given(head, division, body)
def test_with_check_always_validates(h, d, b):
    assert is_valid(with_check(h + d + b[:9]))


@given(head, division, body, st.integers(0, 17), st.sampled_from(ALPHABET))
def test_any_single_change_is_caught(h, d, b, position, replacement):
    code = with_check(h + d + b[:9])
    if code[position] == replacement:
        return
    changed = code[:position] + replacement + code[position + 1 :]
    assert not is_valid(changed)
