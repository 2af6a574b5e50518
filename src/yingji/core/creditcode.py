"""统一社会信用代码 (unified social credit code), GB 32100-2015.

Eighteen characters from a 31-character alphabet (the digits and the capital letters without
I, O, Z, S and V): position 1 the registering authority (登记管理部门, 9 = 市场监管/工商),
2 the kind of organisation (1 = 企业), 3–8 the administrative division (370103 = 济南市市中区),
9–17 the organisation's identity code (主体标识码, GB 11714), 18 the check character.

The check character (GB 32100-2015 §4.3 / 附录 B): with the character values c_i (position in
the alphabet, 0–30) and weights w_i = 3^(i-1) mod 31 for i = 1..17,
``c18 = 31 - (Σ c_i·w_i mod 31)``, where 31 becomes 0. It may be a digit or a letter:
``91110000600037341L`` and ``91440300708461136T`` are valid codes whose check is a letter.
"""

from __future__ import annotations

import re

from yingji.core.errors import ZhValueError

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # 1, 3, 9, 27, 19, 26, 16, 17, 20, ...
_SHAPE = re.compile(rf"^[{ALPHABET}]{{2}}[0-9]{{6}}[{ALPHABET}]{{10}}$")


def check_character(first17: str) -> str:
    """The 18th character for the first seventeen (which must be of the alphabet)."""
    total = sum(ALPHABET.index(ch) * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def is_valid(code: str) -> bool:
    """True when ``code`` has the standard's shape and its check character is right."""
    return bool(_SHAPE.match(code)) and check_character(code[:17]) == code[17]


def parse_credit_code(value: object) -> str:
    """The code, upper-cased and stripped, or ZhValueError saying what is wrong with it."""
    if not isinstance(value, str):
        raise ZhValueError("统一社会信用代码应为文本", "The credit code must be text")
    code = value.strip().upper()
    if len(code) != 18:
        raise ZhValueError(
            f"统一社会信用代码应为 18 位，收到 {len(code)} 位",
            f"A credit code has 18 characters, not {len(code)}",
        )
    if not _SHAPE.match(code):
        raise ZhValueError(
            "统一社会信用代码含不允许的字符（不用 I、O、Z、S、V，第 3–8 位为行政区划代码）",
            "The credit code has characters the standard does not allow "
            "(no I, O, Z, S, V; positions 3-8 are the division code)",
        )
    expected = check_character(code[:17])
    if code[17] != expected:
        raise ZhValueError(
            f"统一社会信用代码校验位错误：第 18 位应为 {expected}，不是 {code[17]}",
            f"Wrong check character: the 18th should be {expected}, not {code[17]}",
        )
    return code


def with_check(first17: str) -> str:
    """A whole code from its first seventeen characters (for generated demo enterprises)."""
    return first17 + check_character(first17)
