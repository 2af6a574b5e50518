"""Closed vocabularies stored as stable English codes and accepted in either language.

A table maps code → (中文, English). :func:`parse_choice` takes the code or either label and
raises ZhValueError listing the allowed Chinese labels and codes: the one parser every
domain's vocabulary uses (grid point kinds, enterprise kinds, licence kinds...).
"""

from __future__ import annotations

from yingji.core.errors import ZhValueError

Choices = dict[str, tuple[str, str]]


def parse_choice(value: object, table: Choices, what_zh: str, what_en: str) -> str:
    if not isinstance(value, str):
        raise ZhValueError(f"{what_zh}应为文本", f"{what_en} must be text")
    text = value.strip()
    if text in table:
        return text
    for code, (zh, en) in table.items():
        if text == zh or text.lower() == en.lower():
            return code
    allowed_zh = "、".join(zh for zh, _ in table.values())
    raise ZhValueError(
        f"{what_zh}「{text[:20]}」不在允许范围内，应为：{allowed_zh}",
        f"Unknown {what_en.lower()} {text[:20]!r}; allowed: {', '.join(table)}",
    )


def choice_label(table: Choices, code: str | None) -> str:
    """The Chinese label of ``code`` (the code itself if unknown, empty for None)."""
    if code is None:
        return ""
    return table.get(code, (code, code))[0]
