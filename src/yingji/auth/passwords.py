"""Password policy (口令复杂度) for every new password: pure rules over the password's text.

GB/T 22239-2019 8.1.4.1 a) wants "身份标识具有唯一性，身份鉴别信息具有复杂度要求并定期更换".
NIST SP 800-63B §5.1.1.2 says how to check it without composition rules that users defeat:
a minimum length, and a refusal of passwords found in lists of commonly used or compromised
values. Here: at least 10 characters, not the username (nor the username inside it, whatever
the case), not in the common-password list shipped in ``data/common-passwords.txt``.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

MIN_LENGTH = 10
MAX_LENGTH = 256
COMMON_LIST = Path(__file__).resolve().parent / "data" / "common-passwords.txt"


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The shipped list, lower-cased (its source and licence are in the file's header)."""
    lines = COMMON_LIST.read_text(encoding="utf-8").splitlines()
    return frozenset(x.strip().lower() for x in lines if x.strip() and not x.startswith("#"))


def problem(password: str, username: str) -> tuple[str, str, str] | None:
    """The first rule the password breaks, as (code, Chinese, English); None when it passes."""
    if len(password) < MIN_LENGTH:
        return (
            "password_too_short",
            f"密码至少 {MIN_LENGTH} 位",
            f"Password needs at least {MIN_LENGTH} characters",
        )
    if len(password) > MAX_LENGTH:
        return (
            "password_too_long",
            f"密码最多 {MAX_LENGTH} 位",
            f"Password has at most {MAX_LENGTH} characters",
        )
    name = username.strip().lower()
    # a name of three letters or more may not appear inside it; a shorter one not as all of it
    if name and (name in password.lower() if len(name) >= 3 else name == password.lower()):
        return (
            "password_has_username",
            "密码不能包含用户名",
            "Password must not contain the username",
        )
    if password.strip().lower() in common_passwords():
        return (
            "password_too_common",
            "密码过于常见，请换一个",
            "Password is too common; choose another",
        )
    return None
