"""突发事件分类与编码 (GB/T 35561-2017): the category table and lookups.

Codes have five characters: 大类 digit (1 自然灾害, 2 事故灾难, 3 公共卫生事件, 4 社会安全事件),
中类 digit, 小类 letter, 细类 two digits; zeros fill the levels below a node (``20000`` 大类,
``21000`` 中类, ``21A00`` 小类, ``21A03`` 细类).

What is certain and what is not: the four 大类 are those of 《突发事件应对法》第三条 and the
standard's scope. The 气象灾害 细类 ``11B01``–``11B61`` come from the code list meteorological
warning services publish (QWeather's ``type_deprecated`` column), and ``11A01`` 洪水 from the
same practice. The standard's own code table was not obtained: every other 中类/小类/细类 code
here is a reconstruction from its known structure and the sub-types of the national master
plan, and is marked ``uncertain`` in ``data/gbt35561.json``. The table is data so it can be
corrected there without touching code; ``grading_rule`` on a node (inherited downwards) names
the grading rule its events follow (:mod:`yingji.intake.grading`).

Everyday help requests (日常求助) are the platform's own classes, not the standard's: 大类 digit
``9`` (which GB/T 35561 never uses), the same five-character shape (``91A01`` 突发疾病求助,
``94A01`` 动物求助...). They are marked ``platform`` in the table: such an incident is routed to
its department like any other but stays out of the emergency statistics (:func:`is_emergency`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

CODE_RE = re.compile(r"^[1-49][0-9][A-Z0][0-9]{2}$")
PLATFORM_MAJOR = "9"  # the platform's everyday help classes (日常求助), outside GB/T 35561
SEPARATOR = " › "


@dataclass(frozen=True, slots=True)
class Category:
    code: str
    name: str
    name_en: str
    uncertain: bool
    grading_rule: str | None
    platform: bool = False  # an everyday help class (日常求助), not a GB/T 35561 code


@dataclass(frozen=True, slots=True)
class CategoryPath:
    """A code with its ancestors from 大类 down (事故灾难 › 安全事故 › 工矿商贸等企业安全事故)."""

    code: str
    levels: tuple[Category, ...]

    @property
    def category(self) -> Category:
        return self.levels[-1]

    @property
    def names(self) -> list[str]:
        """Chinese names from 大类 down, a repeated name (13000/13A00 海洋灾害) shown once."""
        out: list[str] = []
        for c in self.levels:
            if not out or out[-1] != c.name:
                out.append(c.name)
        return out

    @property
    def display(self) -> str:
        return SEPARATOR.join(self.names)

    @property
    def grading_rule(self) -> str:
        for c in reversed(self.levels):
            if c.grading_rule:
                return c.grading_rule
        return "general"

    @property
    def major(self) -> str:
        """The 大类 code (``20000``)."""
        return self.levels[0].code


@cache
def table() -> dict[str, Category]:
    raw = json.loads(
        resources.files("yingji.intake").joinpath("data/gbt35561.json").read_text("utf-8")
    )
    out: dict[str, Category] = {}
    for node in raw["nodes"]:
        code = node["code"]
        if not CODE_RE.match(code):
            raise ValueError(f"bad category code in table: {code}")
        out[code] = Category(
            code=code,
            name=node["name"],
            name_en=node.get("name_en", ""),
            uncertain=bool(node.get("uncertain", False)),
            grading_rule=node.get("grading_rule"),
            platform=bool(node.get("platform", False)),
        )
        if out[code].platform != code.startswith(PLATFORM_MAJOR):
            raise ValueError(f"platform classes are exactly the 9xxxx codes: {code}")
    return out


def normalise(code: str) -> str:
    return code.strip().upper()


def ancestors(code: str) -> list[str]:
    """The codes of 大类, 中类, 小类 above a code and the code itself, as far as they differ."""
    chain = [code[0] + "0000", code[:2] + "000", code[:3] + "00", code]
    out: list[str] = []
    for c in chain:
        if c not in out:
            out.append(c)
    return out


@lru_cache(maxsize=4096)
def path(code: str) -> CategoryPath | None:
    """The code's path through the table, or None if the code or an ancestor is unknown.

    Memoised: the table is fixed and a path immutable, and a report asks for its code's path
    half a dozen times on its way (classify, grade, route, answer, event)."""
    code = normalise(code)
    if not CODE_RE.match(code):
        return None
    known = table()
    levels = []
    for c in ancestors(code):
        cat = known.get(c)
        if cat is None:
            return None
        levels.append(cat)
    return CategoryPath(code=code, levels=tuple(levels))


def same_group(a: str | None, b: str | None, *, prefix_len: int = 3) -> bool:
    """Whether two codes fall in the same group (by default the same 小类, e.g. ``21C``)."""
    if not a or not b:
        return False
    return a[:prefix_len] == b[:prefix_len]


def is_emergency(code: str | None) -> bool:
    """Whether an incident of ``code`` counts in the emergency statistics (突发事件统计): every
    GB/T 35561 code does; the platform's everyday help classes (9xxxx, 日常求助) and no
    category do not."""
    return bool(code) and not code.startswith(PLATFORM_MAJOR)  # type: ignore[union-attr]  # bool(code) guards None
